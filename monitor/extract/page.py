"""All the facts of one page, in one pass over one parsel Selector.

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

from parsel import Selector

from monitor.extract.dates import article_date, visible_text
from monitor.extract.footer import footer_facts
from monitor.extract.links import bounded, page_links
from monitor.extract.lists import MAX_LIST_ENTRIES, list_entries, nav_columns, next_pages, xhr_list_urls
from monitor.extract.model import PageFacts
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


def extract_page(html: str, url: str, *, encoding: str | None = None, item_selector: str | None = None,
                 date_selector: str | None = None, ref: date | None = None, status: int = 200,
                 final_url: str | None = None) -> PageExtract:
    sel = Selector(text=html or "<html></html>")
    limited = parse_limit(sel)
    if limited is not None:
        # Nothing of a page read in part is a fact (its footer and most of its links are missing), and reading the
        # 2,000-deep remainder would cost more than any whole page.
        return PageExtract(url=url, encoding=encoding, interstitial=limited[0], interstitial_reason=limited[1])
    cut: Counter[str] = Counter()
    text = visible_text(sel)
    title = " ".join((sel.xpath("//title/text()").get() or "").split()) or \
        " ".join((sel.xpath("//h1//text()").get() or "").split()) or None
    # Unbounded here: every entry of the page, kept or cut, is an entry and no navigation column.
    entries = list_entries(sel, url, item_selector=item_selector, date_selector=date_selector, ref=ref,
                           limit=sys.maxsize)
    source = "html"
    if not entries and not item_selector:  # the list may be held in the page itself, out of the markup's sight
        entries = script_json_entries(sel, url, ref=ref)
        source = "script_json" if entries else source
        if not entries:
            entries = script_xml_entries(sel, url, ref=ref)
            source = "script_xml" if entries else source
        if not entries:
            entries = commented_entries(html or "", url, ref=ref, sel=sel)
            source = "comment" if entries else source
    not_columns = {e.url for e in entries if e.url}
    entries = bounded(entries, MAX_LIST_ENTRIES, cut, "entries")  # a script's records are bounded alike
    inter = classify(html or "", text, title, url, status=status, entries=len(entries), final_url=final_url, sel=sel)
    return PageExtract(
        url=url, encoding=encoding, title=title,
        published=article_date(sel, ref=ref, text=text),
        entries=entries, next_pages=next_pages(sel, url, cut=cut),
        columns=nav_columns(sel, url, exclude=not_columns, cut=cut),
        links=page_links(sel, url, cut=cut), footer=footer_facts(sel, html, text),
        xhr_lists=xhr_list_urls(sel, url, cut=cut),
        text=text, list_source=source,
        interstitial=inter.outcome if inter else None, interstitial_reason=inter.reason if inter else None,
        redirect_to=inter.target if inter else None,
        script_signs=None if entries or inter else script_list_signs(html or "", text),
        cut=dict(cut),
    )
