"""All the facts of one page, from one parse and one walk over its tree (monitor/extract/tree.py).

Pure: the facts depend on the arguments only, and nothing is kept between pages (caches aside: pure functions of
a string), so extract_page can run in a worker thread as it runs on the reactor's.

Bounded: each kind of fact is capped per page (links.MAX_LINKS_PER_PAGE, lists.MAX_LIST_ENTRIES, MAX_XHR_LISTS,
MAX_NEXT_PAGES, MAX_NAV_COLUMNS) and what was left out is counted in `PageExtract.cut` ({"links": 97000, …}), for
the caller to store. A page the parser could only read in part (tags nested deeper than libxml2 keeps: the rest of
the document, footer included, is dropped without an exception) is not read at all: it comes back with the outcome
`too_deep` in `interstitial` and the Chinese reason, so it is recorded 待定, never ok without its footer.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from lxml import etree
from parsel import Selector
from parsel.selector import create_root_node

from monitor.extract.dates import article_date
from monitor.extract.footer import footer_facts
from monitor.extract.links import bounded, page_links
from monitor.extract.lists import MAX_LIST_ENTRIES, list_entries, nav_columns, next_pages, xhr_list_urls
from monitor.extract.model import PageFacts
from monitor.extract.tree import PageTree, text_nodes
from monitor.extract.unreadable import (
    classify,
    commented_entries,
    script_json_entries,
    script_list_signs,
    script_xml_entries,
)

# Outcome of a page whose tree the parser cut short (stored in pages.outcome like the interstitial outcomes).
TOO_DEEP = "too_deep"
UNPARSABLE = "unparsable"
DEPTH = re.compile(r"[Ee]xcessive depth in document:\s*(\d+)")


@dataclass
class PageExtract(PageFacts):
    """PageFacts with what the per-page bounds left out: kind → count (links, entries, xhr_lists, next_pages,
    columns); empty when the page was read whole."""

    cut: dict[str, int] = field(default_factory=dict)


def parse_limit(sel: Selector) -> tuple[str, str] | None:
    """(outcome, reason) when the parser kept only part of the document, else None.

    libxml2 stops building the tree at a nesting depth (2,048 with parsel's huge_tree, 256 without) and drops
    everything after that point without raising: its parser's error log is the only trace of it."""
    parser = sel.root.getroottree().parser
    for error in parser.error_log if parser is not None else ():
        message = error.message or ""
        m = DEPTH.search(message)
        if m:
            return TOO_DEEP, f"页面标签嵌套超过{m.group(1)}层,超出解析上限,页面未能完整读取"
        if "XML_PARSE_HUGE" in message:  # another of the parser's size limits: a huge text node, a huge name…
            return UNPARSABLE, "页面超出解析器限制,未能完整读取"
    return None


# What parsel reads as XML (an XML declaration) or as JSON (an object or an array) rather than as HTML.
NOT_HTML = re.compile(r"[\s\ufeff]*(?:<\?xml\s|[\[{])")


def parse(html: str) -> Selector:
    """The Selector parsel's Selector(text=html) makes of a page, its tree built by lxml's own element classes:
    lxml.html's look-up of a Python class for every element it hands out doubles the cost of reading the tree.
    The tree is the same (parsel's own create_root_node with the same options); only what parsel would not read
    as HTML goes through parsel's detection."""
    if NOT_HTML.match(html):
        return Selector(text=html)
    return Selector(root=create_root_node(html, etree.HTMLParser), type="html")


def extract_page(html: str, url: str, *, encoding: str | None = None, item_selector: str | None = None,
                 date_selector: str | None = None, ref: date | None = None, status: int = 200,
                 final_url: str | None = None) -> PageExtract:
    sel = parse(html or "<html></html>")
    limited = parse_limit(sel)
    if limited is not None:
        # Nothing of a page read in part is a fact (its footer and most of its links are missing), and reading the
        # 2,000-deep remainder would cost more than any whole page.
        return PageExtract(url=url, encoding=encoding, interstitial=limited[0], interstitial_reason=limited[1])
    cut: Counter[str] = Counter()
    tree = PageTree(sel)  # the one walk every reading below takes its elements and text from
    text = tree.text
    h1_text = next((t for h1 in tree.tags["h1"] for t in text_nodes(h1)), None)  # (//h1//text())[1]
    title = " ".join((tree.title or "").split()) or " ".join((h1_text or "").split()) or None
    # Unbounded here: every entry of the page, kept or cut, is an entry and no navigation column.
    entries = list_entries(sel, url, item_selector=item_selector, date_selector=date_selector, ref=ref,
                           limit=sys.maxsize, tree=tree)
    source = "html"
    if not entries and not item_selector:  # the list may be held in the page itself, out of the markup's sight
        entries = script_json_entries(sel, url, ref=ref, tree=tree)
        source = "script_json" if entries else source
        if not entries:
            entries = script_xml_entries(sel, url, ref=ref, tree=tree)
            source = "script_xml" if entries else source
        if not entries:
            entries = commented_entries(html or "", url, ref=ref, sel=sel, tree=tree)
            source = "comment" if entries else source
    not_columns = {e.url for e in entries if e.url}
    entries = bounded(entries, MAX_LIST_ENTRIES, cut, "entries")  # a script's records are bounded alike
    inter = classify(html or "", text, title, url, status=status, entries=len(entries), final_url=final_url, sel=sel,
                     tree=tree)
    return PageExtract(
        url=url, encoding=encoding, title=title,
        published=article_date(sel, ref=ref, text=text, tree=tree),
        entries=entries, next_pages=next_pages(sel, url, cut=cut, tree=tree),
        columns=nav_columns(sel, url, exclude=not_columns, cut=cut, tree=tree),
        links=page_links(sel, url, cut=cut, tree=tree), footer=footer_facts(sel, html, text, tree=tree),
        xhr_lists=xhr_list_urls(sel, url, cut=cut, tree=tree),
        text=text, list_source=source,
        interstitial=inter.outcome if inter else None, interstitial_reason=inter.reason if inter else None,
        redirect_to=inter.target if inter else None,
        script_signs=None if entries or inter else script_list_signs(html or "", text),
        cut=dict(cut),
    )
