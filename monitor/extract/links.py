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
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import tldextract
from parsel import Selector
from w3lib.url import safe_url_string

from monitor.extract.model import LinkFact

ATTACHMENT = re.compile(r"\.(pdf|docx?|xlsx?|wps|et|pptx?|zip|rar|7z|ofd|txt|csv|dps|ceb)$", re.I)
SESSION_PARAMS = {"jsessionid", "phpsessid", "sid", "sessionid", "aspsessionid"}
SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "#", "about:", "vbscript:")
ELEMENTS = (("a", "href"), ("area", "href"), ("img", "src"), ("script", "src"), ("iframe", "src"),
            ("frame", "src"), ("link", "href"), ("embed", "src"))
# Styles that hide an element and its descendants: display:none, visibility:hidden, a zero font size, or a large
# negative offset (position:absolute;left:-9999px, text-indent:-9999px) that puts it off screen. margin-left:-9px
# and font-size:0.9em hide nothing.
# Links kept per page. A government homepage holds a few hundred, a site map a few thousand; beyond this a page is
# a dump (or an attack on the crawler), and checking every link of it would starve every other site of the run.
MAX_LINKS_PER_PAGE = 3000
# Scrapy's default URLLENGTH_LIMIT (the project keeps it): its UrlLengthMiddleware drops longer requests silently.
URLLENGTH_LIMIT = 2083
URL_TOO_LONG = "url_too_long"  # the outcome of a link that is too long to be requested
HIDING_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:\.0*)?(?:px|pt|em|rem|%)?\s*(?:;|!|$)|"
                          r"(?<![\w-])(?:left|top|text-indent)\s*:\s*-\s*\d{3,}", re.I)


def hidden_elements(sel: Selector) -> set:
    """The lxml elements hidden by their own style or `hidden` attribute, or by an ancestor's."""
    hidden: set = set()
    for node in sel.xpath("//*[@hidden or @style]"):
        if node.root in hidden:
            continue
        if "hidden" in node.attrib or HIDING_STYLE.search(node.attrib.get("style", "")):
            hidden.update(node.root.iter())
    return hidden


def text_nodes(root: Any, descend: Callable[[Any], bool] | None = None, *, own: bool = True) -> list[str]:
    """The text nodes under an lxml element in document order, as XPath `.//text()` gives them, without an XPath.

    `descend(child)` says whether a child element's own text and descendants count (its tail always does: it is its
    parent's text); comments and processing instructions never count. own=False leaves out the root's own text
    nodes (its text and its children's tails), as `.//*/text()` does. Iterative: a 2,000-deep tree is no recursion.
    """
    out = [root.text] if own and root.text else []
    if not len(root):
        return out
    stack: list[tuple[Any, Any]] = [(iter(root), None)]
    while stack:
        it, owner = stack[-1]
        child = next(it, None)
        if child is None:
            stack.pop()
            if owner is not None and owner.tail and (own or len(stack) > 1):
                out.append(owner.tail)
            continue
        if isinstance(child.tag, str) and (descend is None or descend(child)):
            if child.text:
                out.append(child.text)
            stack.append((iter(child), child))
        elif child.tail and (own or len(stack) > 1):
            out.append(child.tail)
    return out


def document_elements(sel: Selector) -> list[Any]:
    """The document's top-level elements in order: the root, and the siblings a broken page leaves beside it (a
    second <html> after the first), which XPath's // searches too."""
    root = sel.root
    before = [e for e in root.itersiblings(preceding=True) if isinstance(e.tag, str)]
    return before[::-1] + [root] + [e for e in root.itersiblings() if isinstance(e.tag, str)]


def iter_tag(sel: Selector, tag: str) -> Iterator[Any]:
    """Every element named `tag` in the document, in document order (`//tag` without an XPath)."""
    for top in document_elements(sel):
        yield from top.iter(tag)


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


@lru_cache(maxsize=4096)
def registrable_domain(host: str) -> str:
    return _extractor()(host).top_domain_under_public_suffix or host


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
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k.lower() not in SESSION_PARAMS and not k.lower().startswith("utm_")]
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))


# An href that is a plain path (no scheme, query, fragment, parameters, escapes, dot segments or empty segments)
# resolves to the canonical directory of its base plus itself: the directory is worked out once per base.
PLAIN_PATH = re.compile(r"/?[A-Za-z0-9_~-][A-Za-z0-9_.~-]*(?:/[A-Za-z0-9_~-][A-Za-z0-9_.~-]*)*/?")


@lru_cache(maxsize=256)
def _plain_prefix(base_url: str, rooted: bool) -> str | None:
    """The canonical URL a plain path is appended to under `base_url` (None: resolve it the long way)."""
    probe = "/x" if rooted else "x"
    url = urljoin(base_url, probe)
    if urlsplit(url).scheme not in ("http", "https"):
        return None
    canonical = canonicalize(url)
    return canonical[:-1] if canonical.endswith("/x") else None


@lru_cache(maxsize=65536)
def absolute(href: str | None, base_url: str) -> str | None:
    """Absolute canonical http(s) URL of an href, or None for what is no link (javascript:, mailto:, #…).

    `base_url` is the document's base URL (document_base), which differs from the page URL under a <base href>."""
    if not href:
        return None
    href = href.strip()
    if not href or href.lower().startswith(SKIP_SCHEMES):
        return None
    if PLAIN_PATH.fullmatch(href):  # most links of a page; urljoin + canonicalize cost 30 µs each
        rooted = href.startswith("/")
        prefix = _plain_prefix(base_url, rooted)
        if prefix is not None:
            return prefix + (href[1:] if rooted else href)
    url = urljoin(base_url, href)
    if urlsplit(url).scheme not in ("http", "https"):
        return None
    return canonicalize(url)


def document_base(sel: Selector, page_url: str) -> str:
    """The URL relative addresses of a page resolve against: its first <base href>, else the page URL."""
    href = sel.xpath("(//base[@href])[1]/@href").get()
    if href is None or not href.strip():
        return page_url
    # A javascript:/data: base, or one that does not parse, makes no http(s) address: the page URL stays.
    try:
        base = urljoin(page_url, href.strip())
        parts = urlsplit(base)
        return base if parts.scheme in ("http", "https") and parts.hostname else page_url
    except ValueError:
        return page_url


def page_links(sel: Selector, page_url: str, *, cut: Counter[str] | None = None,
               limit: int = MAX_LINKS_PER_PAGE) -> list[LinkFact]:
    """Every link of a page up to `limit`, resolved against its base URL; external means outside the page's own
    site. Links past the limit are counted in cut["links"]."""
    page_domain = registrable_domain(urlsplit(page_url).hostname or "")
    base_url = document_base(sel, page_url)
    hidden = hidden_elements(sel)  # once per page rather than an ancestor walk per link
    links: list[LinkFact] = []
    seen: set[tuple[str, str]] = set()
    over = 0
    for tag, attr in ELEMENTS:
        for node in iter_tag(sel, tag):  # lxml directly: a Selector and an XPath per link cost more than the link
            url = absolute(node.get(attr), base_url)
            if url is None or (url, tag) in seen:
                continue
            seen.add((url, tag))
            if len(links) >= limit:  # counted, not built: the rest of a huge page costs a set lookup each
                over += 1
                continue
            anchor = " ".join(t.strip() for t in text_nodes(node) if t.strip()) \
                or node.get("alt", "") or node.get("title", "")
            parts = urlsplit(url)
            links.append(LinkFact(
                url=url, tag="a" if tag == "area" else "iframe" if tag == "frame" else tag, anchor=anchor[:300],
                attachment=bool(ATTACHMENT.search(parts.path)),
                external=registrable_domain(parts.hostname or "") != page_domain,
                hidden=node in hidden,
            ))
    if over and cut is not None:
        cut["links"] += over
    return links
