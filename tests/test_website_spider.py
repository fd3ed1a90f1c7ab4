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


@deferred_f_from_coro_f
async def test_defects_are_classified_and_the_crawl_goes_on(sqlite_url: str, tmp_path: Path) -> None:
    scenario = load_scenario("defects")
    engine = prepare(sqlite_url, scenario, tmp_path)
    truth = expected(scenario)
    with SimWeb(scenario, hang_seconds=3, giant_bytes=2 * 1024 * 1024) as web:
        await crawl("website", FAST | {"MONITOR_DATABASE_URL": sqlite_url, "MONITOR_HOST_MAP": web.host_map,
                                       "DOWNLOAD_MAXSIZE": 1024 * 1024},
                    run_id="defects", as_of=scenario.as_of.isoformat())
    checks = {r["url"]: r for r in rows(engine, db.link_checks, run_id="defects")}
    for site in truth.sites.values():
        for url, outcome, status, _on_home in site.broken_links:
            assert (checks[url]["outcome"], checks[url]["status"]) == (outcome, status), url
    pages = {r["url"]: r for r in rows(engine, db.pages, run_id="defects")}
    robust = "http://www.slz.gov.cn/robust/"
    assert pages[robust + "redirect-loop"]["outcome"] == "redirect_loop"
    assert pages[robust + "empty"]["outcome"] == "empty"
    assert pages[robust + "binary"]["outcome"] == "not_html"
    assert pages[robust + "giant"]["outcome"] == "too_large"
    assert pages[robust + "retry-after"]["outcome"] == "ok"  # waited as asked, then answered
    assert (pages[robust + "utf16"]["encoding"], pages[robust + "utf16"]["entry_count"]) == ("utf-16", 1)
    assert pages[robust + "broken-html"]["outcome"] == "ok" and pages[robust + "broken-html"]["entry_count"] == 1
    assert pages[robust + "calendar?date=2021-03-02"]["outcome"] == "ok"
    assert not any("calendar?date=2021-03-05" in u for u in checks)  # the calendar trap is checked, not followed
    assert pages["http://www.sljx.gov.cn/"]["outcome"] == "refused"
    assert pages["https://www.slyx.gov.cn/"]["outcome"] == "tls"
    # GBK without a charset header, footer written by a script and read from the Chromium-rendered page.
    gbk_home = pages["http://www.slsh.gov.cn/"]
    assert gbk_home["encoding"] == "gb18030" and gbk_home["rendered"]
    assert gbk_home["footer_site_code"] == "5325999999" and gbk_home["footer_police"] is None
    assert gbk_home["footer_icp"] == truth.sites["5325010011"].footer["icp"]
    # Lists loaded by XHR as JSON are stored under their column.
    entries = rows(engine, db.list_entries, run_id="defects", column_url="http://www.slx.gov.cn/gzdt/")
    assert len(entries) == truth.sites["5325020011"].columns[0].count
    assert max(e["published"] for e in entries) == truth.sites["5325020011"].columns[0].newest
    # Hidden and advertising links are recorded with their marks.
    links = {r["url"]: r for r in rows(engine, db.links, run_id="defects", site_code="5325000011")}
    assert links["http://www.bet365-vip.com/"]["hidden"] and links["http://www.bet365-vip.com/"]["external"]
    assert links["http://cpro.baidustatic.com/cpro/ui/c.js"]["tag"] == "script"


@deferred_f_from_coro_f
async def test_replaying_a_run_updates_rows_on_postgres_and_sqlite(db_url: str, tmp_path: Path) -> None:
    scenario = load_scenario("honghe_2021q1")
    scenario.sites = scenario.sites[:2]
    engine = prepare(db_url, scenario, tmp_path)
    counts = []
    with SimWeb(scenario) as web:
        for _ in range(2):
            await crawl("website", FAST | {"MONITOR_DATABASE_URL": db_url, "MONITOR_HOST_MAP": web.host_map,
                                           "MONITOR_RENDER_SCRIPT_FOOTERS": False},
                        run_id="replay", as_of=scenario.as_of.isoformat())
            with engine.connect() as conn:
                counts.append([conn.execute(select(func.count()).select_from(t)).scalar_one()
                               for t in (db.pages, db.list_entries, db.links, db.link_checks, db.site_columns)])
    assert counts[0] == counts[1] and all(counts[0])
