"""How a column's list pages are read by the rules judging columns: whether an entry-less column's list could not
be read (a list page or XHR list that failed, or XHR lists left out past the caps), so its list is unknown, not
empty.

Shared by 空白栏目 (column_blank) and 栏目不更新 (column_stale), so that neither imports the other.
"""

from __future__ import annotations

from monitor.checks.facts import ColumnFacts, SiteFacts
from monitor.items import PageItem


def unread_list_page(facts: SiteFacts, column: ColumnFacts) -> PageItem | None:
    """A list page (pagination or XHR list) of an entry-less column that could not be read, or a page of it whose
    XHR lists were left out past the caps: the column's list is unknown, not empty."""
    if column.entries or (column.page is not None and column.page.rendered):
        return None  # a list read from the rendered page (its XHRs run by Chromium) does not hang on them
    return next((p for p in facts.pages if p.column_url == column.url and (
        (p.role == "list" and p.outcome != "ok" and p.url != column.url) or xhr_lists_cut(p))), None)


def xhr_lists_cut(page: PageItem) -> int:
    """How many XHR lists of a page were left out past the caps (not requested, so not read)."""
    return (page.cut or {}).get("xhr_lists", 0)
