"""Links of a page: every a, img, script, iframe and link element, canonicalised and classified.

Relative addresses are resolved as a browser resolves them: against the document's base URL, which is the first
<base href> of the page (itself resolved against the page URL; only http(s)), else the page URL. CMS templates use
<base> to serve a column from one directory with links written for another; ignoring it makes entries and
attachments point where nothing is, and the link checks report broken links that do not exist.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import tldextract
from parsel import Selector

from monitor.extract.model import LinkFact

ATTACHMENT = re.compile(r"\.(pdf|docx?|xlsx?|wps|et|pptx?|zip|rar|7z|ofd|txt|csv|dps|ceb)$", re.I)
SESSION_PARAMS = {"jsessionid", "phpsessid", "sid", "sessionid", "aspsessionid"}
SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "#", "about:", "vbscript:")
ELEMENTS = (("a", "href"), ("area", "href"), ("img", "src"), ("script", "src"), ("iframe", "src"),
            ("frame", "src"), ("link", "href"), ("embed", "src"))
# Styles that hide an element and its descendants: display:none, visibility:hidden, a zero font size, or a large
# negative offset (position:absolute;left:-9999px, text-indent:-9999px) that puts it off screen. margin-left:-9px
# and font-size:0.9em hide nothing.
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


@lru_cache(maxsize=65536)
def absolute(href: str | None, base_url: str) -> str | None:
    """Absolute canonical http(s) URL of an href, or None for what is no link (javascript:, mailto:, #…).

    `base_url` is the document's base URL (document_base), which differs from the page URL under a <base href>."""
    if not href:
        return None
    href = href.strip()
    if not href or href.lower().startswith(SKIP_SCHEMES):
        return None
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


def page_links(sel: Selector, page_url: str) -> list[LinkFact]:
    """Every link of a page, resolved against its base URL; external means outside the page's own site."""
    page_domain = registrable_domain(urlsplit(page_url).hostname or "")
    base_url = document_base(sel, page_url)
    hidden = hidden_elements(sel)  # once per page rather than an ancestor walk per link
    links: list[LinkFact] = []
    seen: set[tuple[str, str]] = set()
    for tag, attr in ELEMENTS:
        for node in sel.xpath(f"//{tag}[@{attr}]"):
            url = absolute(node.attrib.get(attr), base_url)
            if url is None or (url, tag) in seen:
                continue
            seen.add((url, tag))
            anchor = " ".join(t.strip() for t in node.xpath(".//text()").getall() if t.strip()) \
                or node.attrib.get("alt", "") or node.attrib.get("title", "")
            host = urlsplit(url).hostname or ""
            links.append(LinkFact(
                url=url, tag="a" if tag == "area" else "iframe" if tag == "frame" else tag, anchor=anchor[:300],
                attachment=bool(ATTACHMENT.search(urlsplit(url).path)),
                external=registrable_domain(host) != page_domain,
                hidden=node.root in hidden,
            ))
    return links
