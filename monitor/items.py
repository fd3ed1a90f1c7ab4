"""The facts spiders emit, one item class per table they land in (see monitor/db.py for the columns).

Items are plain dataclasses; `table` names the destination and `on_conflict` how a re-played row is treated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar


@dataclass
class PageItem:
    table: ClassVar[str] = "pages"
    on_conflict: ClassVar[str] = "update"
    run_id: str
    site_code: str
    url: str
    role: str  # home / column / list / article
    column_url: str | None
    fetched_at: datetime
    outcome: str
    status: int | None = None
    final_url: str | None = None
    error: str | None = None
    elapsed_ms: int | None = None
    encoding: str | None = None
    rendered: bool = False
    title: str | None = None
    published: date | None = None
    published_text: str | None = None
    entry_count: int | None = None
    footer_site_code: str | None = None
    footer_icp: str | None = None
    footer_police: str | None = None
    footer_conac: bool | None = None
    footer_zhaocuo: bool | None = None
    footer_sponsor: str | None = None
    text_sample: str | None = None


@dataclass
class ListEntryItem:
    table: ClassVar[str] = "list_entries"
    on_conflict: ClassVar[str] = "update"
    run_id: str
    site_code: str
    column_url: str
    page_url: str
    position: int
    title: str | None
    url: str | None
    published: date | None
    date_text: str | None


@dataclass
class LinkItem:
    table: ClassVar[str] = "links"
    on_conflict: ClassVar[str] = "update"
    run_id: str
    site_code: str
    source_url: str
    url: str
    tag: str
    anchor: str | None
    attachment: bool
    external: bool
    on_homepage: bool
    hidden: bool


@dataclass
class LinkCheckItem:
    table: ClassVar[str] = "link_checks"
    on_conflict: ClassVar[str] = "update"
    run_id: str
    url: str
    checked_at: datetime
    method: str
    outcome: str
    status: int | None = None
    final_url: str | None = None
    error: str | None = None
    elapsed_ms: int | None = None


@dataclass
class ColumnItem:
    """A column discovered from a site's navigation; never overwrites a column the registry lists."""

    table: ClassVar[str] = "site_columns"
    on_conflict: ClassVar[str] = "ignore"
    site_code: str
    url: str
    name: str
    category: str
    level: int | None = 1
    source: str = "discovered"
    path: str | None = None
    unit: str | None = None
    item_selector: str | None = None
    date_selector: str | None = None


@dataclass
class ProbeItem:
    """One availability visit of a homepage."""

    table: ClassVar[str] = "probes"
    on_conflict: ClassVar[str] = "update"
    round_id: str
    site_code: str
    family: str
    url: str
    probed_at: datetime
    outcome: str
    status: int | None = None
    latency_ms: int | None = None
    address: str | None = None
    error: str | None = None
