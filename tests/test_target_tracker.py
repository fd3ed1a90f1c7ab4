"""The target tracker: each site is announced finished once, when its last request (pages, link checks, retries,
redirects, shared link checks) is done — its facts in the database are then complete — and long before the crawl
ends for sites that finish early; the checks pipeline judges each at that moment."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from scrapy.crawler import CrawlerRunner
from scrapy.utils.defer import deferred_f_from_coro_f, maybe_deferred_to_future
from sqlalchemy import func, select

from monitor import db
from monitor.config import scrapy_settings
from monitor.evaluate import evaluate
from monitor.extensions.targets import target_finished
from monitor.pipelines.storage import StoragePipeline
from monitor.simweb.scenario import load_scenario
from monitor.simweb.server import SimWeb
from tests.crawling import QUIET
from tests.test_website_spider import FAST, prepare, rows


def counts(engine, run_id: str, site: str) -> tuple[int, int, int]:
    """(page rows, link rows, link rows whose URL has no check yet) of one site in one run."""
    p, lk, lc = db.pages, db.links, db.link_checks
    with engine.connect() as conn:
        pages = conn.execute(select(func.count()).select_from(p).where(p.c.run_id == run_id, p.c.site_code == site))
        links = conn.execute(select(func.count()).select_from(lk).where(lk.c.run_id == run_id, lk.c.site_code == site))
        unchecked = conn.execute(
            select(func.count()).select_from(lk.outerjoin(lc, (lc.c.run_id == lk.c.run_id) & (lc.c.url == lk.c.url)))
            .where(lk.c.run_id == run_id, lk.c.site_code == site, lc.c.url.is_(None),
                   lk.c.url.like("http%")))
        return pages.scalar_one(), links.scalar_one(), unchecked.scalar_one()


async def crawl_watching(settings: dict, run_id: str, as_of: str, cut_after: int = 0):
    """Crawl, recording each finished site's stored facts; with `cut_after`, shut the crawl down as soon as that
    many sites have finished (as an operator's SIGTERM would)."""
    s = scrapy_settings()
    s.setdict(QUIET | settings, priority="cmdline")
    runner = CrawlerRunner(s)
    crawler = runner.create_crawler("website")
    engine = db.engine_for(settings["MONITOR_DATABASE_URL"])
    seen: list[tuple[str, tuple[int, int, int], int]] = []

    def finished(target: str, spider) -> None:
        # What the checks pipeline does at this moment: write the buffered rows, then read the site's facts.
        storage = next(p for p in crawler.engine.scraper.itemproc.middlewares if isinstance(p, StoragePipeline))
        storage.flush_all()
        seen.append((target, counts(engine, run_id, target), len(crawler.tracker.open)))
        if len(seen) == cut_after:
            asyncio.ensure_future(crawler.engine.close_spider_async(reason="shutdown"))

    crawler.signals.connect(finished, signal=target_finished)
    await maybe_deferred_to_future(runner.crawl(crawler, run_id=run_id, as_of=as_of))
    return crawler, seen, engine


@deferred_f_from_coro_f
async def test_each_site_finishes_once_with_complete_facts(sqlite_url: str, tmp_path: Path) -> None:
    scenario = load_scenario("defects")
    prepare(sqlite_url, scenario, tmp_path)
    with SimWeb(scenario) as web:
        crawler, seen, engine = await crawl_watching(
            FAST | {"MONITOR_DATABASE_URL": sqlite_url, "MONITOR_HOST_MAP": web.host_map}, "t1",
            scenario.as_of.isoformat())
    sites = {s.site_code for s in scenario.sites}
    assert sorted(t for t, _, _ in seen) == sorted(sites)  # every site, once
    for target, at_finish, _ in seen:
        assert at_finish == counts(engine, "t1", target), target  # nothing of the site arrived after its finish
        assert at_finish[0] > 0 and at_finish[2] == 0  # its pages stored, every link of it checked
    assert seen[0][2] > 0  # the first site finished while others were still being crawled
    assert not crawler.tracker.open and not crawler.tracker.checks_open and not crawler.tracker.waiting
    judged = {r["target_id"] for r in rows(engine, db.findings, indicator="column_blank", subject="")}
    assert judged == {t for t, (pages, _, _), _ in seen if pages}


@deferred_f_from_coro_f
async def test_a_crawl_cut_short_judges_only_the_sites_it_finished(sqlite_url: str, tmp_path: Path) -> None:
    scenario = load_scenario("honghe_2021q1")
    prepare(sqlite_url, scenario, tmp_path)
    with SimWeb(scenario) as web:
        crawler, seen, engine = await crawl_watching(
            FAST | {"MONITOR_DATABASE_URL": sqlite_url, "MONITOR_HOST_MAP": web.host_map}, "cut", "2021-03-03",
            cut_after=1)
    finished = {t for t, _, _ in seen}
    crawled = {r["site_code"] for r in rows(engine, db.pages, run_id="cut", role="home")}
    judged = {r["target_id"] for r in rows(engine, db.findings)}
    assert finished and crawled - finished  # some sites were finished, others cut off …
    assert judged == finished  # … and only the finished ones were judged
    # The run is recorded as cut short, and evaluation never reads it as a complete crawl: 待定 (无监测数据).
    assert rows(engine, db.runs, run_id="cut")[0]["status"] == "shutdown"
    summary = evaluate(engine, "2021Q1", datetime(2021, 3, 3), not_monitored=("site_unreachable",))
    assert summary.results["待定"] == summary.checked == 14 and summary.reasons["无监测数据"] == 14
