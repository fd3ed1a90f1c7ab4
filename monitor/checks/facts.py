"""The stored facts a rule judges, loaded for one site and one crawl run (plus its probes for the window).

Rules never touch the database: `load_site_facts` reads once and gives typed facts — the observations of
monitor/items.py (pages, list entries, probes), the registry's `Website`, and `ColumnFacts` / `LinkFacts`, which join
a registry column with its page and entries, and a link with its check. Rules read attributes, never rows.

链接可用性 needs every page of the site, which only the full link sweep (monitor/spiders/sweep.py, runs.spider
'sweep') visits. `sweep_for` picks the period's sweep of a site and `SiteFacts.link_source` is the one place that
says which run's links the rule judges: that sweep when evaluation attached one, else the sampled crawl. Every other
rule reads the sampled crawl only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, distinct, func, select
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
class LinkSource:
    """The run whose link checks 链接可用性 judges, with what it left unchecked.

    A sweep's bounds leave pages unvisited (MONITOR_SWEEP_MAX_PAGES, MONITOR_SWEEP_MAX_DEPTH): their own URL was
    checked, the links on them never were. The sweep counts those per run (runs.stats), not per site, so in a run
    that swept several sites (`sites` > 1) each site carries the run's counts: a cut is never lost, at worst it is
    over-attributed (待定 where a verdict was possible, never 合格 where it was not). A sweep whose run record does
    not hold those counts (`cut_known` False) may have been cut: it cannot show a site free of dead links either."""

    run_id: str | None
    spider: str  # website (the sampled crawl) / sweep
    links: list[LinkFacts]
    pages: int  # pages whose links were read
    unchecked: int = 0  # links past the per-page cap (pages.cut["links"], sweep/links_cut_on_pages)
    as_of: date | None = None  # the sweep's monitoring date
    cut_pages: int = 0  # same-site pages not visited: page bound reached
    cut_depth: int = 0  # same-site pages not visited: deeper than the depth bound
    sites: int = 1  # sites the sweep run covered (its cut counts are the run's)
    cut_known: bool = True  # False: the run's stats do not say what the bounds left out

    @property
    def is_sweep(self) -> bool:
        return self.spider == "sweep"

    @property
    def cut(self) -> int:
        return self.cut_pages + self.cut_depth


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
    # the period's full link sweep of the site (`sweep_for`); None: 链接可用性 judges the sampled crawl
    sweep: LinkSource | None = None

    @property
    def code(self) -> str:
        return self.site.site_code

    @property
    def link_source(self) -> LinkSource:
        """The links 链接可用性 judges: the sweep when there is one, else the sampled crawl's."""
        if self.sweep is not None:
            return self.sweep
        return LinkSource(self.run_id, "website", self.links, len(self.pages),
                          unchecked=sum((p.cut or {}).get("links", 0) for p in self.pages))

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
    links = load_links(conn, site_code, run_id)
    homepage = next((p for p in pages if p.role == "home"), None)
    home_entries = by_column.get(homepage.url, []) if homepage else []
    return SiteFacts(record, run_id, homepage, home_entries, columns, pages, links, parent, probes, suppressed)


def load_links(conn: Connection, site_code: str, run_id: str) -> list[LinkFacts]:
    """The site's links stored by `run_id`, each with its check in the same run (a crawl or a sweep)."""
    lk, ck = db.links, db.link_checks
    # the columns in LinkFacts' order, built from each row by position: a site holds thousands of links
    columns = [ck.c[f.name] if f.name in ("outcome", "status", "error") else lk.c[f.name] for f in fields(LinkFacts)]
    query = (select(*columns)
             .join(ck, and_(ck.c.run_id == lk.c.run_id, ck.c.url == lk.c.url), isouter=True)
             .where(lk.c.run_id == run_id, lk.c.site_code == site_code))
    return [LinkFacts(*row) for row in conn.execute(query)]


def latest_sweep(conn: Connection, site_code: str, until: date | None = None,
                 since: date | None = None) -> str | None:
    """The newest finished sweep run that read this site's homepage inside the window (a sweep that could not read
    the homepage visited nothing of the site: it covers nothing)."""
    p = db.pages
    return latest_reading(conn, p, p.c.site_code == site_code, p.c.role == "home", p.c.outcome == "ok",
                          db.runs.c.spider == "sweep", until=until, since=since)


def load_sweep(conn: Connection, site_code: str, run_id: str) -> LinkSource:
    """What the sweep `run_id` saw of the site: its failing links (the sweep stores no others), the pages it read
    and what its bounds left out."""
    run = conn.execute(select(db.runs.c.as_of, db.runs.c.stats).where(db.runs.c.run_id == run_id)).one()
    stats = run.stats or {}
    p = db.pages
    rows = conn.execute(select(p.c.role, p.c.cut).where(p.c.run_id == run_id, p.c.site_code == site_code)).all()
    links = load_links(conn, site_code, run_id)
    site = next((cut for role, cut in rows if role == "home" and cut and "pages" in cut and "depth" in cut), None)
    if site is not None:  # the sweep stored the site's own cuts with its homepage (monitor/spiders/sweep.py)
        return LinkSource(run_id, "sweep", links, len(rows), int(site.get("links", 0)), run.as_of,
                          int(site["pages"]), int(site["depth"]), 1)
    # an older sweep: the run's counts, charged to each of its sites
    sites = conn.execute(select(func.count(distinct(p.c.site_code))).where(p.c.run_id == run_id)).scalar_one()
    # the per-page cap: pages.cut when the sweep stores it per page, the run's count otherwise (never both added)
    unchecked = max(sum((c or {}).get("links", 0) for _, c in rows), int(stats.get("sweep/links_cut_on_pages") or 0))
    known = "sweep/cut_by_pages" in stats and "sweep/cut_by_depth" in stats
    return LinkSource(run_id, "sweep", links, len(rows), unchecked, run.as_of,
                      int(stats.get("sweep/cut_by_pages") or 0), int(stats.get("sweep/cut_by_depth") or 0), sites,
                      cut_known=known)


def sweep_for(conn: Connection, site_code: str, until: date, since: date) -> LinkSource | None:
    """The site's full link sweep for a period: the latest finished sweep that read its homepage, made between
    `since` and `until` (the monitoring point) inclusive; None: 链接可用性 keeps judging the sampled crawl."""
    run_id = latest_sweep(conn, site_code, until, since)
    return load_sweep(conn, site_code, run_id) if run_id is not None else None


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
