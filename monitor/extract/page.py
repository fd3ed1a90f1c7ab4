"""All the facts of one page, in one pass over one parsel Selector."""

from __future__ import annotations

from datetime import date

from parsel import Selector

from monitor.extract.dates import article_date, visible_text
from monitor.extract.footer import footer_facts
from monitor.extract.links import page_links
from monitor.extract.lists import list_entries, nav_columns, next_pages, xhr_list_urls
from monitor.extract.model import PageFacts
from monitor.extract.unreadable import (
    classify,
    commented_entries,
    script_json_entries,
    script_list_signs,
    script_xml_entries,
)


def extract_page(html: str, url: str, *, encoding: str | None = None, item_selector: str | None = None,
                 date_selector: str | None = None, ref: date | None = None, status: int = 200,
                 final_url: str | None = None) -> PageFacts:
    sel = Selector(text=html or "<html></html>")
    text = visible_text(sel)
    title = " ".join((sel.xpath("//title/text()").get() or "").split()) or \
        " ".join((sel.xpath("//h1//text()").get() or "").split()) or None
    entries = list_entries(sel, url, item_selector=item_selector, date_selector=date_selector, ref=ref)
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
    inter = classify(html or "", text, title, url, status=status, entries=len(entries), final_url=final_url, sel=sel)
    return PageFacts(
        url=url, encoding=encoding, title=title,
        published=article_date(sel, ref=ref, text=text),
        entries=entries, next_pages=next_pages(sel, url),
        columns=nav_columns(sel, url, exclude={e.url for e in entries if e.url}),
        links=page_links(sel, url), footer=footer_facts(sel, html, text), xhr_lists=xhr_list_urls(sel, url),
        text=text, list_source=source,
        interstitial=inter.outcome if inter else None, interstitial_reason=inter.reason if inter else None,
        redirect_to=inter.target if inter else None,
        script_signs=None if entries or inter else script_list_signs(html or "", text),
    )
