"""The checks pipeline: a crawl alone (`scrapy crawl website`) leaves findings and open violations; evaluation
re-runs the same rules with the same result. (A crawl cut short: tests/test_target_tracker.py.)"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from scrapy.utils.defer import deferred_f_from_coro_f

from monitor import db
from monitor.checks.rules import CRAWL, rules_for
from monitor.evaluate import evaluate
from monitor.simweb.scenario import load_scenario
from monitor.simweb.server import SimWeb
from tests.crawling import crawl
from tests.test_website_spider import FAST, prepare, rows

FAILED = {"5325010002", "5325020004", "5325240001"}  # the demo's 空白栏目超过5


def crawl_findings(engine) -> dict[tuple[str, str, str], tuple[str, str]]:
    codes = {r.code for r in rules_for("website", CRAWL)}
    return {(r["target_id"], r["indicator"], r["subject"]): (r["outcome"], r["reason"])
            for r in rows(engine, db.findings, period="2021Q1") if r["indicator"] in codes}


@deferred_f_from_coro_f
async def test_a_crawl_alone_leaves_findings_and_open_violations(db_url: str, tmp_path: Path) -> None:
    scenario = load_scenario("honghe_2021q1")
    engine = prepare(db_url, scenario, tmp_path)
    with SimWeb(scenario) as web:
        await crawl("website", FAST | {"MONITOR_DATABASE_URL": db_url, "MONITOR_HOST_MAP": web.host_map},
                    run_id="q1", as_of=scenario.as_of.isoformat())
    vetoes = {r["target_id"] for r in rows(engine, db.findings, indicator="column_blank", subject="", outcome="fail")}
    assert vetoes == FAILED
    open_blank = {r["target_id"] for r in rows(engine, db.violations, indicator="column_blank", subject="")
                  if r["resolved_at"] is None}
    assert open_blank == FAILED
    assert {r["as_of"] for r in rows(engine, db.findings)} == {datetime(2021, 3, 3)}
    assert not rows(engine, db.verdicts)  # the verdict per period is evaluation's
    assert not rows(engine, db.findings, indicator="site_unreachable")  # a rule over a week of probes: evaluation's
    after_crawl = crawl_findings(engine)
    assert len({t for t, _, _ in after_crawl}) == len(scenario.sites)
    evaluate(engine, "2021Q1", datetime(2021, 3, 3), not_monitored=("site_unreachable",))
    assert crawl_findings(engine) == after_crawl  # the same rules on the same facts: the same findings
