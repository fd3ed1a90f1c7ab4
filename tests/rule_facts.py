"""Builders of typed facts for the rule tests: a 红河州 portal seen at the monitoring point 2021-03-03.

Every builder returns the observation classes rules receive from `load_site_facts` (monitor/items.py and
monitor/checks/facts.py), never table rows, so a rule reading a row would fail here as it would in production.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from monitor.checks.facts import ColumnFacts, LinkFacts, LinkSource, SiteFacts
from monitor.checks.model import Finding
from monitor.checks.rulebook import load_rulebook
from monitor.items import ListEntryItem, PageItem, ProbeItem, Website

AS_OF = date(2021, 3, 3)
BOOK = load_rulebook("")
HOME = "http://www.hh.gov.cn/"
SITE_CODE = "5325000001"
RUN = "r1"


def page(url: str = HOME, outcome: str = "ok", status: int | None = 200, **extra: Any) -> PageItem:
    """A fetched page (the homepage unless told) whose footer carries every mark of the registered site."""
    fields: dict[str, Any] = {
        "role": "home", "column_url": None, "rendered": False, "title": None, "footer_site_code": SITE_CODE,
        "footer_icp": "滇ICP备05000002号", "footer_police": "滇公网安备53250002000001号", "footer_conac": True,
        "footer_zhaocuo": True, "text_sample": "", "error": None}
    return PageItem(run_id=RUN, site_code=SITE_CODE, url=url, outcome=outcome, status=status,
                    fetched_at=datetime.combine(AS_OF, datetime.min.time()), **(fields | extra))


def entry(day: date | None, column_url: str = HOME, position: int = 0) -> ListEntryItem:
    return ListEntryItem(run_id=RUN, site_code=SITE_CODE, column_url=column_url, page_url=column_url,
                         position=position, title="标题", url=HOME + "a.html", published=day,
                         date_text=str(day) if day else None)


def column(name: str, category: str, newest: date | None, level: int = 1, outcome: str = "ok",
           status: int | None = 200, entries: int = 3) -> ColumnFacts:
    """A column whose list page was fetched with `outcome` and holds `entries` items dated `newest`."""
    url = f"{HOME}{name}/"
    rows = [] if newest is None and entries == 0 else [entry(newest, url, i) for i in range(entries)]
    return ColumnFacts(url, name, category, level, "州政府办公室", f"首页>{name}",
                       page(url, outcome, status, role="column", column_url=url), rows)


def site(kind: str = "portal", homepage_url: str = HOME, **extra: Any) -> Website:
    fields: dict[str, Any] = {"site_code": SITE_CODE, "name": "红河州人民政府", "homepage": homepage_url,
                              "region_code": "532500", "region_name": "红河哈尼族彝族自治州", "level": "city",
                              "kind": kind, "sponsor": "红河州人民政府办公室", "parent_site_code": None}
    return Website(**(fields | extra))


def facts(columns=(), home_entries=None, homepage=None, links=(), pages=None, probes=(), kind="portal",
          homepage_url=HOME, parent=None, sweep: LinkSource | None = None) -> SiteFacts:
    """The facts of one crawl; by default a fresh homepage (an item dated the day before) and nothing else.
    `sweep`: the period's full link sweep evaluation attached (`sweep_run`)."""
    home = page() if homepage is None else homepage
    entries = [entry(AS_OF - timedelta(days=1))] if home_entries is None else home_entries
    return SiteFacts(site(kind, homepage_url), RUN, home, entries, list(columns),
                     pages if pages is not None else [home], list(links), parent, list(probes), sweep=sweep)


def sweep_run(links=(), pages: int = 500, **cuts: Any) -> LinkSource:
    """What a finished sweep 'sw1' of 2021-03-01 saw: its failing links; `cuts`: cut_pages, cut_depth, unchecked,
    sites, cut_known."""
    return LinkSource("sw1", "sweep", list(links), pages, as_of=date(2021, 3, 1), **cuts)


def link(url: str, outcome: str | None, status: int | None, on_home: bool = True, **kw: Any) -> LinkFacts:
    return LinkFacts(url, kw.get("source_url", HOME), kw.get("anchor", "链接"), kw.get("tag", "a"), on_home,
                     kw.get("external", False), kw.get("hidden", False), outcome, status, kw.get("error"))


def probe(probed_at: datetime, outcome: str = "ok", status: int | None = 200, latency_ms: int | None = 200,
          family: str = "any", **extra: Any) -> ProbeItem:
    return ProbeItem(round_id=f"{family}-{probed_at:%Y%m%d%H%M%S}", site_code=SITE_CODE, family=family, url=HOME,
                     probed_at=probed_at, outcome=outcome, status=status, latency_ms=latency_ms, **extra)


def probes(per_day: list[int], failures: int, latency_ms: int = 200, fail_ms: int = 15000) -> list[ProbeItem]:
    """Visits spread over each day of the 7 days before AS_OF; the first `failures` took `fail_ms`."""
    rows, start = [], datetime(2021, 2, 24)
    for day, n in enumerate(per_day):
        for i in range(n):
            rows.append(probe(start + timedelta(days=day, minutes=i * (1440 // n)), latency_ms=latency_ms))
    for row in rows[:failures]:
        row.latency_ms = fail_ms  # exactly 15 s counts as a failure
    return rows


def site_level(findings: list[Finding]) -> Finding:
    return next(f for f in findings if f.site_level)
