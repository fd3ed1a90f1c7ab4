"""The website spider over real HTTP against the simulated government web: stored facts match the scenario."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import func, select

from monitor import db
from monitor.migrate import upgrade
from monitor.registry import import_files
from monitor.simweb.expected import expected
from monitor.simweb.scenario import load_scenario
from monitor.simweb.server import SimWeb
from tests.crawling import crawl

FAST = {"DOWNLOAD_TIMEOUT": 2, "RETRY_TIMES": 1, "MONITOR_RETRY_BACKOFF": 0.05, "AUTOTHROTTLE_ENABLED": False}


def prepare(url: str, scenario, tmp_path: Path):
    engine = db.engine_for(url)
    upgrade(engine)
    registry = tmp_path / "targets.yaml"
    scenario.write_registry(registry)
    import_files(engine, [registry])
    return engine


def rows(engine, table, **where):
    query = select(table)
    for name, value in where.items():
        query = query.where(table.c[name] == value)
    with engine.connect() as conn:
        return [r._mapping for r in conn.execute(query)]


@deferred_f_from_coro_f
async def test_demo_region_crawl_stores_facts_for_every_site(sqlite_url: str, tmp_path: Path) -> None:
    scenario = load_scenario("honghe_2021q1")
    engine = prepare(sqlite_url, scenario, tmp_path)
    truth = expected(scenario, scenario.as_of)
    with SimWeb(scenario, hang_seconds=3) as web:
        await crawl("website", FAST | {"MONITOR_DATABASE_URL": sqlite_url, "MONITOR_HOST_MAP": web.host_map},
                    run_id="demo", as_of=scenario.as_of.isoformat())
    pages = rows(engine, db.pages, run_id="demo")
    entries = rows(engine, db.list_entries, run_id="demo")
    assert len({p["site_code"] for p in pages}) == 14
    by_site: dict[str, list] = defaultdict(list)
    for p in pages:
        by_site[p["site_code"]].append(p)
    for site in scenario.sites:
        home = [p for p in by_site[site.site_code] if p["role"] == "home"]
        assert len(home) == 1 and home[0]["outcome"] == "ok", site.site_code
        assert home[0]["footer_site_code"] == site.site_code
        assert home[0]["footer_icp"] and home[0]["footer_police"]
        assert home[0]["footer_conac"] and home[0]["footer_zhaocuo"]
        site_truth = truth.sites[site.site_code]
        for column in site_truth.columns:
            dated = [e["published"] for e in entries if e["column_url"] == column.url and e["published"]]
            if column.newest is None:
                col_pages = [p for p in by_site[site.site_code] if p["url"] == column.url]
                assert col_pages and col_pages[0]["outcome"] == "ok" and col_pages[0]["entry_count"] == 0, column.url
            else:
                assert max(dated) == column.newest, column.url
    with engine.connect() as conn:
        checks = conn.execute(select(func.count()).select_from(db.link_checks)).scalar_one()
        links = conn.execute(select(func.count()).select_from(db.links)).scalar_one()
    assert links > 0 and checks > 0
