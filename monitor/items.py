"""The observation model: one dataclass per kind of fact, shared by the spiders (which emit them as items), the
storage pipeline (which writes each into its `table`), the loaded facts rules judge (monitor/checks/facts.py) and the
tables of monitor/db.py, which tests/test_observations.py checks field by field against these classes — so a new
fact is added here and in its table, and a fact added to only one of them fails that test.

`table` names the destination, `key` its natural key (the table's unique constraint) and `on_conflict` how a
re-played row is treated. `from_row` builds an observation from a stored row (the surrogate `id` and columns of
joined tables are left out).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, ClassVar, Self


class Observation:
    """What every observation class declares; `from_row` is the one way stored rows become typed facts."""

    table: ClassVar[str]
    key: ClassVar[tuple[str, ...]]
    on_conflict: ClassVar[str] = "update"

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        return cls(**{k: v for k, v in row.items() if k in names})


@dataclass
class PageFacts:
    """Everything one response yields as rows — its page row, list entries, links and link checks — as one Scrapy
    item. Scrapy handles each item with an asyncio task, signals and pipeline calls; one item per link made that
    most of a crawl's CPU time (29,444 items for 2,220 pages). Consumers take the rows with `rows_of`."""

    rows: list[Observation]


def rows_of(item: Any) -> list[Any]:
    """The observations an item carries: a PageFacts' rows, or the item itself."""
    return item.rows if isinstance(item, PageFacts) else [item]


@dataclass
class PageItem(Observation):
    """One fetched page of a site (homepage, column, list page, article) and the facts read from it."""

    table: ClassVar[str] = "pages"
    key: ClassVar[tuple[str, ...]] = ("run_id", "url")
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
    cut: dict[str, int] | None = None  # what extraction left out past its caps ({"links": 97000}); None = nothing


@dataclass
class ListEntryItem(Observation):
    """One item of a column's list (or of the homepage's), with the date printed beside it."""

    table: ClassVar[str] = "list_entries"
    key: ClassVar[tuple[str, ...]] = ("run_id", "page_url", "position")
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
class LinkItem(Observation):
    table: ClassVar[str] = "links"
    key: ClassVar[tuple[str, ...]] = ("run_id", "source_url", "url", "tag")
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
class LinkCheckItem(Observation):
    table: ClassVar[str] = "link_checks"
    key: ClassVar[tuple[str, ...]] = ("run_id", "url")
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
class ColumnItem(Observation):
    """A column discovered from a site's navigation; never overwrites a column the registry lists."""

    table: ClassVar[str] = "site_columns"
    key: ClassVar[tuple[str, ...]] = ("site_code", "url")
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
class ProbeItem(Observation):
    """One availability visit of a homepage."""

    table: ClassVar[str] = "probes"
    key: ClassVar[tuple[str, ...]] = ("round_id", "site_code", "family")
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


@dataclass
class AccountCheckItem(Observation):
    """One reading of a new-media account (crawled, or taken from an activity export) and what it showed."""

    table: ClassVar[str] = "account_checks"
    key: ClassVar[tuple[str, ...]] = ("run_id", "platform", "account")
    run_id: str
    platform: str
    account: str
    fetched_at: datetime
    outcome: str  # ok, or why it could not be read (monitor/platforms/base.py: UNREADABLE)
    url: str | None = None
    status: int | None = None
    error: str | None = None
    rendered: bool = False
    display_name: str | None = None
    verified_subject: str | None = None
    followable: bool | None = None
    interaction: dict[str, bool] | None = None
    post_count: int | None = None
    source: str = "crawl"


@dataclass
class PostItem(Observation):
    """One post of an account's timeline with its publication time (None when no time could be read)."""

    table: ClassVar[str] = "account_posts"
    key: ClassVar[tuple[str, ...]] = ("run_id", "platform", "account", "post_key")
    run_id: str
    platform: str
    account: str
    post_key: str
    fetched_at: datetime
    published_at: datetime | None
    time_text: str | None = None
    time_source: str | None = None
    position: int | None = None
    title: str | None = None
    original: bool | None = None
    pinned: bool | None = None


@dataclass
class ChannelCheckItem(Observation):
    """One reading of a letters channel or a guides list: whether it works at all, and how much it showed."""

    table: ClassVar[str] = "channel_checks"
    key: ClassVar[tuple[str, ...]] = ("run_id", "channel_url")
    run_id: str
    site_code: str
    channel_url: str
    fetched_at: datetime
    outcome: str
    state: str | None = None  # ok / form / login / closed / empty / error (monitor/extract/letters.py)
    status: int | None = None
    error: str | None = None
    pages_read: int | None = None
    entries_seen: int | None = None


@dataclass
class LetterItem(Observation):
    """One published citizen letter with its times (None when the page does not show them)."""

    table: ClassVar[str] = "letters"
    key: ClassVar[tuple[str, ...]] = ("run_id", "url")
    run_id: str
    site_code: str
    channel_url: str
    url: str
    fetched_at: datetime
    title: str | None = None
    category: str | None = None
    unit: str | None = None
    received_at: datetime | None = None
    received_text: str | None = None
    answered_at: datetime | None = None
    answered_text: str | None = None
    status: str | None = None
    answered: bool | None = None


@dataclass
class GuideItem(Observation):
    """One 办事指南 page and the elements it shows."""

    table: ClassVar[str] = "guides"
    key: ClassVar[tuple[str, ...]] = ("run_id", "url")
    run_id: str
    site_code: str
    channel_url: str
    url: str
    fetched_at: datetime
    outcome: str
    title: str | None = None
    elements: dict[str, str] | None = None  # element → present / empty; a missing element is absent
    address: str | None = None
    service_links: list[dict[str, str]] | None = None


class Registered(Observation):
    """A registry row as rules read it (written by `govmon import-targets`, never by a spider). A registry file's
    row (another target source) may leave `active` unset: running."""

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        return super().from_row({**row, "active": row.get("active") is not False})


@dataclass
class Website(Registered):
    """A website of the registry as rules read it (written by `govmon import-targets`, never by a spider)."""

    table: ClassVar[str] = "websites"
    key: ClassVar[tuple[str, ...]] = ("site_code",)
    site_code: str
    name: str
    homepage: str
    region_code: str
    region_name: str
    level: str  # province / city / county
    kind: str  # portal / department
    sponsor: str | None = None
    parent_site_code: str | None = None
    active: bool = True
    source: str | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        return super().from_row({**row, "region_name": row.get("region_name") or ""})  # a file may not name it


@dataclass
class Channel(Registered):
    """A letters channel or guides list of the registry (written by `govmon import-targets`)."""

    table: ClassVar[str] = "channels"
    key: ClassVar[tuple[str, ...]] = ("site_code", "url")
    site_code: str
    url: str
    name: str
    kind: str  # consult / petition / guides
    unit: str | None = None
    item_selector: str | None = None
    date_selector: str | None = None
    active: bool = True
    source: str | None = None


@dataclass
class Account(Registered):
    """A new-media account of the registry as rules read it (written by `govmon import-targets`)."""

    table: ClassVar[str] = "accounts"
    key: ClassVar[tuple[str, ...]] = ("platform", "account")
    platform: str
    account: str
    name: str
    owner_unit: str
    region_code: str
    active: bool = True
    source: str | None = None

    @property
    def key_text(self) -> str:
        return f"{self.platform}:{self.account}"


OBSERVATIONS: tuple[type[Observation], ...] = (PageItem, ListEntryItem, LinkItem, LinkCheckItem, ColumnItem, ProbeItem,
                                               AccountCheckItem, PostItem, ChannelCheckItem, LetterItem, GuideItem)
