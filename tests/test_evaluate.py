"""End to end: crawl the simulated region over HTTP, evaluate the quarter, compare with what the scenario implies."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import func, select, update

from monitor import db
from monitor.checks.rulebook import load_rulebook
from monitor.evaluate import evaluate, resolve_period
from monitor.simweb.expected import expected
from monitor.simweb.flaky import FlakyHost, FlakyWeb
from monitor.simweb.scenario import load_scenario
from monitor.simweb.server import SimWeb
from tests.crawling import crawl
from tests.test_website_spider import FAST, prepare, rows

BOOK = load_rulebook("")


def implied_verdicts(truth, book) -> dict[str, tuple[str, str]]:
    """What the scenario implies: ≥5 blank columns veto; stale dynamic/first-level notice-policy columns ≥5 veto."""
    veto_blank = book["column_blank"].params["veto_blank"]
    out = {}
    for code, site in truth.sites.items():
        reasons = []
        if len(site.blank_columns) >= veto_blank:
            reasons.append(book["column_blank"].reason)
        out[code] = ("不合格" if reasons else "合格", "；".join(reasons))
    return out


def stale_columns(truth) -> set[str]:
    days = BOOK["column_stale"].params["dynamic_days"]
    return {c.url for s in truth.sites.values() for c in s.columns
            if c.category == "dynamic" and c.newest is not None and c.newest < truth.as_of - timedelta(days=days)}


@deferred_f_from_coro_f
async def test_demo_region_quarter_verdicts_and_violation_life_cycle(db_url: str, tmp_path: Path) -> None:
    scenario = load_scenario("honghe_2021q1")
    engine = prepare(db_url, scenario, tmp_path)
    truth = expected(scenario)
    with SimWeb(scenario) as web:
        await crawl("website", FAST | {"MONITOR_DATABASE_URL": db_url, "MONITOR_HOST_MAP": web.host_map},
                    run_id="q1", as_of=scenario.as_of.isoformat())
    as_of = datetime(2021, 3, 3)
    summary = evaluate(engine, "2021Q1", as_of, book=BOOK)
    assert (summary.checked, summary.results["不合格"]) == (14, 3)
    verdicts = {r["target_id"]: (r["result"], r["reasons"]) for r in rows(engine, db.verdicts, period="2021Q1")}
    assert verdicts == implied_verdicts(truth, BOOK)
    assert {c for c, (result, _) in verdicts.items() if result == "不合格"} == {"5325010002", "5325020004", "5325240001"}
    stale = {r["subject"]: r for r in rows(engine, db.findings, indicator="column_stale", outcome="fail") if r["subject"]}
    assert set(stale) == stale_columns(truth)
    (zhou,) = stale.values()
    assert zhou["target_id"] == "5325000001" and zhou["reason"] == "监测点前2周内,栏目无信息更新"
    assert zhou["evidence"]["unit"] == "州教育体育局"
    assert zhou["evidence"]["column"] == "首页>政府信息公开>法定主动公开内容>重点领域信息公开>红河州教育信息公开>工作动态"

    # Re-running the same period replaces, never duplicates.
    def count(table):
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(table)).scalar_one()
    before = [count(t) for t in (db.findings, db.verdicts, db.violations)]
    evaluate(engine, "2021Q1", as_of, book=BOOK)
    assert [count(t) for t in (db.findings, db.verdicts, db.violations)] == before

    v = db.violations
    with engine.connect() as conn:
        stale_v = conn.execute(select(v).where(v.c.indicator == "column_stale", v.c.subject == zhou["subject"])).one()
    assert (stale_v.first_seen, stale_v.last_seen, stale_v.resolved_at) == (as_of, as_of, None)

    # The unit updates the column: a later evaluation no longer sees the violation and resolves it.
    with engine.begin() as conn:
        conn.execute(update(db.list_entries).where(db.list_entries.c.column_url == zhou["subject"])
                     .values(published=date(2021, 3, 9)))
    later = as_of + timedelta(days=7)
    evaluate(engine, "2021Q1", later, book=BOOK)
    with engine.connect() as conn:
        assert conn.execute(select(v.c.resolved_at).where(v.c.id == stale_v.id)).scalar_one() == later
    # It falls behind again: the same violation re-opens, first seen kept.
    evaluate(engine, "2021Q1", later + timedelta(days=30), book=BOOK)
    with engine.connect() as conn:
        row = conn.execute(select(v).where(v.c.id == stale_v.id)).one()
    assert (row.first_seen, row.resolved_at, row.last_seen) == (as_of, None, later + timedelta(days=30))

    # A veto a reviewer marks as false positive stays suppressed: 个旧市 becomes 合格 on the next evaluation.
    with engine.begin() as conn:
        conn.execute(update(v).where(v.c.target_id == "5325010002", v.c.indicator == "column_blank", v.c.subject == "")
                     .values(review="false_positive"))
    evaluate(engine, "2021Q1", as_of, book=BOOK)
    assert rows(engine, db.verdicts, period="2021Q1", target_id="5325010002")[0]["result"] == "合格"


@deferred_f_from_coro_f
async def test_week_of_probes_through_the_spider_decides_unreachable(sqlite_url: str, tmp_path: Path) -> None:
    """7 of 140 visits failed (exactly 5 %) → 不合格 无法访问; 6 of 140 → not; 10 visits on one day → 待定."""
    scenario = load_scenario("honghe_2021q1")
    scenario.sites = scenario.sites[1:4]
    engine = prepare(sqlite_url, scenario, tmp_path)
    seven, six, short = (s.host for s in scenario.sites)
    hosts = [FlakyHost(seven, set(range(0, 140, 20))), FlakyHost(six, set(range(0, 120, 20))), FlakyHost(short)]
    as_of = datetime(2021, 3, 3)
    first = as_of - timedelta(days=7)
    with FlakyWeb(hosts, hang_seconds=1.3) as web:
        settings = {"MONITOR_DATABASE_URL": sqlite_url, "MONITOR_HOST_MAP": web.host_map, "MONITOR_PROBE_TIMEOUT": 1.0}
        codes = {s.host: s.site_code for s in scenario.sites}
        await crawl("probe", settings, sites=f"{codes[seven]},{codes[six]}", rounds="140", interval="4320",
                    at=first.isoformat())
        await crawl("probe", settings, sites=codes[short], rounds="130", interval="4320", at=first.isoformat())
    assert web.visits[seven] == 140 and web.visits[short] == 130
    summary = evaluate(engine, "2021Q1", as_of, book=BOOK)
    verdicts = {r["target_id"]: r for r in rows(engine, db.verdicts, period="2021Q1")}
    assert verdicts[codes[seven]]["result"] == "不合格" and verdicts[codes[seven]]["reasons"] == "无法访问"
    assert verdicts[codes[six]]["result"] == "合格"
    assert verdicts[codes[short]]["result"] == "待定"
    assert summary.results["待定"] == 1
    finding = rows(engine, db.findings, target_id=codes[seven], indicator="site_unreachable")[0]
    assert finding["observed"] == "访问140次,失败7次,占比5.00%"
    assert len(finding["evidence"]["failures"]) == 7


def test_period_keywords() -> None:
    assert resolve_period("current", date(2021, 3, 3)) == "2021Q1"
    assert resolve_period("previous", date(2021, 3, 3)) == "2020Q4"
    assert resolve_period("previous", date(2021, 8, 1)) == "2021Q2"
