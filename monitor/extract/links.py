"""Links of a page: every a, img, script, iframe and link element, canonicalised and classified.

Relative addresses are resolved as a browser resolves them: against the document's base URL, which is the first
<base href> of the page (itself resolved against the page URL; only http(s)), else the page URL. CMS templates use
<base> to serve a column from one directory with links written for another; ignoring it makes entries and
attachments point where nothing is, and the link checks report broken links that do not exist.

Bounded: a page yields at most MAX_LINKS_PER_PAGE links (the first, in the order below); how many more it held is
counted, never silently dropped, so a page of 100,000 links neither floods the link checks nor passes for checked.
Links longer than Scrapy's URLLENGTH_LIMIT cannot be requested at all: `url_too_long` says so, for the spider to
record them as unchecked (待定) rather than have Scrapy drop their checks without a trace.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import tldextract
from parsel import Selector
from w3lib.url import safe_url_string

from monitor.extract.model import LinkFact
from monitor.extract.tree import PageTree, all_text, tree_of

ATTACHMENT = re.compile(r"\.(pdf|docx?|xlsx?|wps|et|pptx?|zip|rar|7z|ofd|txt|csv|dps|ceb)$", re.I)
SESSION_PARAMS = {"jsessionid", "phpsessid", "sid", "sessionid", "aspsessionid"}
SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "#", "about:", "vbscript:")
ELEMENTS = (("a", "href"), ("area", "href"), ("img", "src"), ("script", "src"), ("iframe", "src"),
            ("frame", "src"), ("link", "href"), ("embed", "src"))
# Links kept per page. A government homepage holds a few hundred, a site map a few thousand; beyond this a page is
# a dump (or an attack on the crawler), and checking every link of it would starve every other site of the run.
MAX_LINKS_PER_PAGE = 3000
# Scrapy's default URLLENGTH_LIMIT (the project keeps it): its UrlLengthMiddleware drops longer requests silently.
URLLENGTH_LIMIT = 2083
URL_TOO_LONG = "url_too_long"  # the outcome of a link that is too long to be requested


def url_too_long(url: str, limit: int = URLLENGTH_LIMIT) -> str | None:
    """The Chinese reason a link cannot be checked because Scrapy refuses to request it (None: it can be).

    `limit` is the crawl's URLLENGTH_LIMIT setting (0: no limit). The length is the request's, as Scrapy's
    UrlLengthMiddleware measures it: after the request percent-encodes the URL (一 counts as %E4%B8%80)."""
    if not limit:
        return None
    length = len(safe_url_string(url))
    if length > limit:
        return f"链接地址长度{length}字符,超过{limit}字符的请求上限,未能检查"
    return None


def bounded(items: list, limit: int, cut: Counter[str] | None, key: str) -> list:
    """The first `limit` items; how many more there were is added to cut[key] (when the caller keeps a count)."""
    if len(items) <= limit:
        return items
    if cut is not None:
        cut[key] += len(items) - limit
    return items[:limit]


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    # Offline: the bundled Public Suffix List, never a download at run time.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


# A canonical http(s) URL (as canonicalize writes them: lower-case scheme and host, a path): its host and path read
# without urlsplit; any other spelling goes through urlsplit.
CANONICAL_URL = re.compile(r"https?://([a-z0-9.-]*)(?::\d+)?(/[^?#\t\r\n]*)(?=[?#]|\Z)")


@lru_cache(maxsize=65536)
def host_and_path(url: str) -> tuple[str | None, str]:
    """(hostname, path) of a URL. Cached: a site's navigation and footer links recur on every page of it."""
    m = CANONICAL_URL.match(url)
    if m is not None:
        return m.group(1) or None, m.group(2)
    parts = urlsplit(url)
    return parts.hostname, parts.path


@lru_cache(maxsize=4096)
def registrable_domain(host: str) -> str:
    return _extractor()(host).top_domain_under_public_suffix or host


@lru_cache(maxsize=65536)
def request_url(url: str) -> str:
    """A link as Scrapy requests it (/新闻/ → /%E6%96%B0%E9%97%BB/): the one spelling of a link in the links and
    link_checks tables and in de-duplication, so that a link and its check always join."""
    return safe_url_string(url)


def canonicalize(url: str) -> str:
    """Canonical form for de-duplication: no fragment, lower-case scheme and host, no default port, sorted query
    without session ids and utm_* parameters."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port if parts.port and (scheme, parts.port) not in (("http", 80), ("https", 443)) else None
    netloc = f"[{host}]" if ":" in host else host
    if port:
        netloc += f":{port}"
    path = re.sub(r";jsessionid=[^/?]*", "", parts.path, flags=re.I) or "/"
    return urlunsplit((scheme, netloc, path, _canonical_query(parts.query), ""))


@lru_cache(maxsize=4096)
def _canonical_query(query: str) -> str:
    """A URL's query as canonicalize writes it: sorted, without session ids and utm_* parameters. Cached: a site's
    search and column links repeat their queries under every page's base URL."""
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True)
             if k.lower() not in SESSION_PARAMS and not k.lower().startswith("utm_")]
    return urlencode(sorted(pairs))


# An href whose path is plain (no scheme, parameters, escapes, dot segments or empty segments), after leading ./
# and ../ segments, resolves to the canonical directory those lead to from its base plus that path: the directory is
# worked out once per base and lead. The path may be empty after a lead (../) or be / alone. A query after it comes
# out as canonicalize writes it (_canonical_query, cached) and a fragment is dropped, as canonicalize drops it.
PLAIN_PATH = re.compile(r"/?(?:[A-Za-z0-9_~-][A-Za-z0-9_.~-]*(?:/[A-Za-z0-9_~-][A-Za-z0-9_.~-]*)*/?)?")
# A query of name=value pairs in characters that canonicalize's parse_qsl and urlencode leave as they are.
PLAIN_QUERY = re.compile(r"[A-Za-z0-9_.~-]+(?:=[A-Za-z0-9_.~-]*)?(?:&[A-Za-z0-9_.~-]+(?:=[A-Za-z0-9_.~-]*)?)*")
DOT_LEAD = re.compile(r"(?:\.\.?/)*")
# An http(s) href with a plain host (no port, user or escapes), a plain path and a plain query: its canonical form
# is itself with the host lower-cased, / for an empty path, and the query sorted (canonicalize would give the same).
PLAIN_HOST_URL = re.compile(r"(https?)://([A-Za-z0-9.-]+)((?:/[A-Za-z0-9_~-][A-Za-z0-9_.~-]*)*/?)"
                            rf"(?:\?({PLAIN_QUERY.pattern}))?")
# An href with a scheme and a host: urljoin reads nothing of the base but its scheme (tabs and newlines, which
# urlsplit removes, could empty the host).
HOST_URL = re.compile(r"[hH][tT][tT][pP][sS]?://[^/?#\t\r\n][^\t\r\n]*|//[^/?#\t\r\n][^\t\r\n]*")


@lru_cache(maxsize=256)
def _plain_prefix(base_url: str, lead: str) -> str | None:
    """The canonical URL a plain path after `lead` ("/" for a rooted path, else ./ and ../ segments) is appended to
    under `base_url` (None: resolve it the long way)."""
    url = urljoin(base_url, lead + "x")
    if urlsplit(url).scheme not in ("http", "https"):
        return None
    canonical = canonicalize(url)
    return canonical[:-1] if canonical.endswith("/x") else None


def _resolve(href: str, base_url: str) -> str | None:
    url = urljoin(base_url, href)
    if urlsplit(url).scheme not in ("http", "https"):
        return None
    return canonicalize(url)


def _plain_query(query: str) -> str:
    """"?" + the canonical form of a PLAIN_QUERY query (sorted, without session ids and utm_*), "" when none is left:
    canonicalize's parse_qsl + urlencode, which change nothing of its characters."""
    pairs = sorted((name, value) for name, _, value in (pair.partition("=") for pair in query.split("&"))
                   if name.lower() not in SESSION_PARAMS and not name.lower().startswith("utm_"))
    return "?" + "&".join(f"{name}={value}" for name, value in pairs) if pairs else ""


@lru_cache(maxsize=65536)
def _resolve_host_url(href: str, base_scheme: str) -> str | None:
    """An http(s)://host… or //host… href resolved under any base of that scheme: the same on every page that
    links it."""
    if (m := PLAIN_HOST_URL.fullmatch(href)) is not None:
        scheme, host, path, query = m.groups()
        return f"{scheme}://{host.lower()}{path or '/'}" + (_plain_query(query) if query is not None else "")
    return _resolve(href, f"{base_scheme}://")


@lru_cache(maxsize=256)
def _scheme(url: str) -> str:
    return urlsplit(url).scheme


@lru_cache(maxsize=65536)
def absolute(href: str | None, base_url: str) -> str | None:
    """Absolute canonical http(s) URL of an href, or None for what is no link (javascript:, mailto:, #…).

    `base_url` is the document's base URL (document_base), which differs from the page URL under a <base href>."""
    if not href:
        return None
    href = href.strip()
    if not href or href.lower().startswith(SKIP_SCHEMES):
        return None
    if HOST_URL.fullmatch(href):  # most links of a page, the same on every page of a site
        return _resolve_host_url(href, _scheme(base_url))
    lead = DOT_LEAD.match(href).end()  # type: ignore[union-attr] - matches the empty string at least
    # The fragment goes first, as urlsplit splits it off first (a ? after the # is the fragment's).
    rest, query = href[lead:].partition("#")[0], None
    if "?" in rest:  # a query after the path (an empty path keeps the base's: the long way)
        rest, query = rest.split("?", 1)
    # A query with tabs or newlines (which urlsplit removes) or ending in blanks (which canonicalize strips once
    # urljoin drops an empty fragment) takes the long way too.
    if (rest or lead) and PLAIN_PATH.fullmatch(rest) and not (lead and rest.startswith("/")) \
            and (query is None or not ("\t" in query or "\r" in query or "\n" in query or query[-1:].isspace())):
        # Most links of a page; urljoin + canonicalize cost 30 µs each.
        rooted = not lead and rest.startswith("/")
        prefix = _plain_prefix(base_url, "/" if rooted else href[:lead])
        if prefix is not None:
            url = prefix + (rest[1:] if rooted else rest)
            return url if query is None or not (canonical := _canonical_query(query)) else f"{url}?{canonical}"
    return _resolve(href, base_url)


def document_base(sel: Selector, page_url: str, tree: PageTree | None = None) -> str:
    """The URL relative addresses of a page resolve against: its first <base href>, else the page URL."""
    href = tree.base_href() if tree is not None else sel.xpath("(//base[@href])[1]/@href").get()
    if href is None or not href.strip():
        return page_url
    # A javascript:/data: base, or one that does not parse, makes no http(s) address: the page URL stays.
    try:
        base = urljoin(page_url, href.strip())
        parts = urlsplit(base)
        return base if parts.scheme in ("http", "https") and parts.hostname else page_url
    except ValueError:
        return page_url


@lru_cache(maxsize=65536)
def _url_facts(url: str, page_domain: str) -> tuple[bool, bool]:
    """(attachment, external) of a link on a page of `page_domain`. Cached: a site's navigation and footer links
    recur on every page of it."""
    host, path = host_and_path(url)
    return ATTACHMENT.search(path) is not None, registrable_domain(host or "") != page_domain


def page_links(sel: Selector, page_url: str, *, cut: Counter[str] | None = None,
               limit: int = MAX_LINKS_PER_PAGE, tree: PageTree | None = None) -> list[LinkFact]:
    """Every link of a page up to `limit`, resolved against its base URL; external means outside the page's own
    site. Links past the limit are counted in cut["links"]."""
    tree = tree_of(sel, tree)
    page_domain = registrable_domain(urlsplit(page_url).hostname or "")
    base_url = document_base(sel, page_url, tree)
    hidden = tree.hidden  # found in the walk rather than an ancestor walk per link
    links: list[LinkFact] = []
    over = 0
    for tag, attr in ELEMENTS:
        kind = "a" if tag == "area" else "iframe" if tag == "frame" else tag
        seen: set[str] = set()  # the URLs of this tag's links so far: a link is one (url, tag)
        for node in tree.tags[tag]:  # lxml directly: a Selector and an XPath per link cost more than the link
            url = absolute(node.get(attr), base_url)
            if url is None or url in seen:
                continue
            seen.add(url)
            if len(links) >= limit:  # counted, not built: the rest of a huge page costs a set lookup each
                over += 1
                continue
            # all_text(node), read here for the many links without child elements
            anchor = (all_text(node) if len(node) else (node.text or "").strip()) \
                or node.get("alt", "") or node.get("title", "")
            attachment, outside = _url_facts(url, page_domain)
            # url, tag, anchor, attachment, external, hidden (positional: keywords cost a third of building it)
            links.append(LinkFact(url, kind, anchor[:300], attachment, outside, node in hidden))
    if over and cut is not None:
        cut["links"] += over
    return links
