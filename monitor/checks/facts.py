"""The stored facts a rule judges, loaded for one site and one crawl run (plus its probes for the window).

Rules never touch the database: `load_site_facts` reads once and gives typed facts — the observations of
monitor/items.py (pages, list entries, probes), the registry's `Website`, and `ColumnFacts` / `LinkFacts`, which join
a registry column with its page and entries, and a link with its check. Rules read attributes, never rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.engine import Connection

from monitor import db
from monitor.items import (
    Channel,
    ChannelCheckItem,
    GuideItem,
    LetterItem,
    ListEntryItem,
    PageItem,
    ProbeItem,
    Website,
)


@dataclass
class ColumnFacts:
    url: str
    name: str
    category: str
    level: int | None
    unit: str | None
    path: str | None
    page: PageItem | None  # the column's first list page as fetched (None: not fetched in this run)
    entries: list[ListEntryItem] = field(default_factory=list)  # list entries of all its pages (XHR included)

    @property
    def newest(self) -> date | None:
        dates = [e.published for e in self.entries if e.published is not None]
        return max(dates) if dates else None

    def newest_until(self, day: date) -> date | None:
        """The newest date not after `day` (later dates are schedules or typos, not updates)."""
        dates = [e.published for e in self.entries if e.published is not None and e.published <= day]
        return max(dates) if dates else None

    @property
    def display(self) -> str:
        return self.path or self.name


@dataclass
class LinkFacts:
    """A link (links row) with the check of its URL in the same run (link_checks; None when not checked)."""

    url: str
    source_url: str
    anchor: str | None
    tag: str
    on_homepage: bool
    external: bool
    hidden: bool
    outcome: str | None  # None: not checked
    status: int | None
    error: str | None


@dataclass
class ChannelFacts:
    """A letters channel or guide list of the registry with what the channels run saw of it (check None: not read
    in the window)."""

    channel: Channel
    check: ChannelCheckItem | None = None
    letters: list[LetterItem] = field(default_factory=list)
    guides: list[GuideItem] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.channel.kind


@dataclass
class SiteFacts:
    site: Website
    run_id: str | None
    homepage: PageItem | None  # the homepage as fetched in the run
    home_entries: list[ListEntryItem]
    columns: list[ColumnFacts]
    pages: list[PageItem]
    links: list[LinkFacts]
    parent_homepage: str | None = None
    probes: list[ProbeItem] = field(default_factory=list)
    # (indicator, subject) of violations a reviewer marked false_positive: still reported, never counted
    suppressed: frozenset[tuple[str, str]] = frozenset()
    # the registry's letters channels and guide lists with the latest channels run in the window (none registered:
    # the letters and guide indicators are not monitored for the site)
    channels: list[ChannelFacts] = field(default_factory=list)
    channel_run: str | None = None

    @property
    def code(self) -> str:
        return self.site.site_code

    def counts(self, indicator: str, subject: str) -> bool:
        """Does a failing item count toward its indicator's totals (not a reviewer's false positive)?"""
        return (indicator, subject) not in self.suppressed


def _rows(conn: Connection, query) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in conn.execute(query)]


def latest_reading(conn: Connection, table, *conditions, until: date | None = None,
                   since: date | None = None) -> str | None:
    """The newest finished run holding a row of `table` that meets `conditions`, dated by its monitoring date
    (`runs.as_of`: a replayed run keeps the date it was made for) between `since` and `until` inclusive — so a later
    reading never leaks into an earlier period's verdict, and a run cut short or still running is never judged as
    complete. Shared by websites, accounts and channels."""
    r = db.runs
    query = (select(r.c.run_id).join(table, table.c.run_id == r.c.run_id)
             .where(*conditions, r.c.status == "finished")
             .order_by(r.c.as_of.desc(), r.c.started_at.desc()).limit(1))
    if until is not None:
        query = query.where(r.c.as_of <= until)
    if since is not None:
        query = query.where(r.c.as_of >= since)
    return conn.execute(query).scalar()


def latest_run(conn: Connection, site_code: str, until: date | None = None, since: date | None = None) -> str | None:
    """The newest website run that fetched this site's homepage inside the window."""
    p = db.pages
    return latest_reading(conn, p, p.c.site_code == site_code, p.c.role == "home", db.runs.c.spider == "website",
                          until=until, since=since)


def run_date(conn: Connection, run_id: str) -> date | None:
    """The monitoring date of a stored run (None: no such run)."""
    return conn.execute(select(db.runs.c.as_of).where(db.runs.c.run_id == run_id)).scalar()


def false_positives(conn: Connection, target_kind: str, target_id: str) -> frozenset[tuple[str, str]]:
    v = db.violations
    query = select(v.c.indicator, v.c.subject).where(v.c.target_kind == target_kind, v.c.target_id == target_id,
                                                     v.c.review == "false_positive")
    return frozenset((r.indicator, r.subject) for r in conn.execute(query))


def load_site_facts(conn: Connection, site_code: str, run_id: str | None, as_of: datetime | None = None,
                    probe_days: int = 7, site: Website | dict[str, Any] | None = None) -> SiteFacts:
    """Everything the rules judge for one site: the registry record (`site`, when the crawl took it from another
    target source), what `run_id` saw of the site (nothing when None), the probes of the `probe_days` before
    `as_of`, and the reviewer's false positives."""
    if site is None:
        site = conn.execute(select(db.websites).where(db.websites.c.site_code == site_code)).one()._mapping
    record = site if isinstance(site, Website) else Website.from_row(site)
    suppressed = false_positives(conn, "website", site_code)
    parent = None
    if record.parent_site_code:
        parent = conn.execute(select(db.websites.c.homepage)
                              .where(db.websites.c.site_code == record.parent_site_code)).scalar()
    probes: list[ProbeItem] = []
    if as_of is not None:
        probes = [ProbeItem.from_row(r) for r in _rows(conn, select(db.probes).where(
            db.probes.c.site_code == site_code, db.probes.c.probed_at < as_of,
            db.probes.c.probed_at >= as_of - timedelta(days=probe_days)))]
    if run_id is None:
        return SiteFacts(record, None, None, [], [], [], [], parent, probes, suppressed)
    pages = [PageItem.from_row(r) for r in _rows(conn, select(db.pages).where(db.pages.c.run_id == run_id,
                                                                              db.pages.c.site_code == site_code))]
    by_url = {p.url: p for p in pages}
    entries = _rows(conn, select(db.list_entries).where(db.list_entries.c.run_id == run_id,
                                                        db.list_entries.c.site_code == site_code))
    by_column: dict[str, list[ListEntryItem]] = defaultdict(list)
    for e in map(ListEntryItem.from_row, entries):
        by_column[e.column_url].append(e)
    columns_q = select(*(db.site_columns.c[f.name] for f in fields(ColumnFacts) if f.name not in ("page", "entries")))
    columns = [ColumnFacts(**r, page=by_url.get(r["url"]), entries=by_column.get(r["url"], []))
               for r in _rows(conn, columns_q.where(db.site_columns.c.site_code == site_code)
                              .order_by(db.site_columns.c.id))]
    links_q = (select(db.links, db.link_checks.c.outcome, db.link_checks.c.status, db.link_checks.c.error)
               .join(db.link_checks, and_(db.link_checks.c.run_id == db.links.c.run_id,
                                          db.link_checks.c.url == db.links.c.url), isouter=True)
               .where(db.links.c.run_id == run_id, db.links.c.site_code == site_code))
    link_fields = {f.name for f in fields(LinkFacts)}
    links = [LinkFacts(**{k: v for k, v in r.items() if k in link_fields}) for r in _rows(conn, links_q)]
    homepage = next((p for p in pages if p.role == "home"), None)
    home_entries = by_column.get(homepage.url, []) if homepage else []
    return SiteFacts(record, run_id, homepage, home_entries, columns, pages, links, parent, probes, suppressed)


def latest_channel_run(conn: Connection, site_code: str, until: date | None = None,
                       since: date | None = None) -> str | None:
    """The newest channels run that read one of this site's channels inside the window."""
    c = db.channel_checks
    return latest_reading(conn, c, c.c.site_code == site_code, until=until, since=since)


def load_channel_facts(conn: Connection, site_code: str, run_id: str | None) -> list[ChannelFacts]:
    """The site's active registry channels, each with its check, letters and guides of `run_id`."""
    ch = db.channels
    channels = [ChannelFacts(Channel.from_row(r)) for r in _rows(conn, select(ch).where(
        ch.c.site_code == site_code, ch.c.active.is_(True)).order_by(ch.c.id))]
    if run_id is None or not channels:
        return channels
    by_url = {c.channel.url: c for c in channels}
    for r in _rows(conn, select(db.channel_checks).where(db.channel_checks.c.run_id == run_id,
                                                         db.channel_checks.c.site_code == site_code)):
        if r["channel_url"] in by_url:
            by_url[r["channel_url"]].check = ChannelCheckItem.from_row(r)
    for r in _rows(conn, select(db.letters).where(db.letters.c.run_id == run_id, db.letters.c.site_code == site_code)
                   .order_by(db.letters.c.id)):
        if r["channel_url"] in by_url:
            by_url[r["channel_url"]].letters.append(LetterItem.from_row(r))
    for r in _rows(conn, select(db.guides).where(db.guides.c.run_id == run_id, db.guides.c.site_code == site_code)
                   .order_by(db.guides.c.id)):
        if r["channel_url"] in by_url:
            by_url[r["channel_url"]].guides.append(GuideItem.from_row(r))
    return channels
