"""Letters and guides end to end: the simulated channels over HTTP, the channels spider, evaluation with the
scenario's rulebook and the report — site outcomes of 互动回应差 / 服务不实用 / 办事指南要素 and the overdue letters per
unit exactly as the scenario implies them; a channel behind a login is 待定, never 互动回应差."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import select

from monitor import db
from monitor.checks.rulebook import load_rulebook
from monitor.evaluate import evaluate
from monitor.migrate import upgrade
from monitor.periods import quarter_of
from monitor.registry import import_files
from monitor.report.cli import write_report
from monitor.simweb.expected import expected_letters
from monitor.simweb.scenario import load_scenario
from monitor.simweb.server import SimWeb
from tests.crawling import crawl


async def read_channels(name: str, url: str, tmp_path: Path):
    scenario = load_scenario(name)
    engine = db.engine_for(url)
    upgrade(engine)
    registry = tmp_path / "targets.yaml"
    scenario.write_registry(registry, channels=True)
    import_files(engine, [registry])
    with SimWeb(scenario) as web:
        await crawl("channels", {"MONITOR_DATABASE_URL": url, "MONITOR_HOST_MAP": web.host_map},
                    run_id="ch", as_of=scenario.as_of.isoformat(), at=scenario.clock.isoformat())
    book = load_rulebook(scenario.rulebook or "")
    as_of = datetime.combine(scenario.as_of, datetime.min.time())
    evaluate(engine, quarter_of(scenario.as_of), as_of, book=book, not_monitored=("site_unreachable",))
    return scenario, engine, book


def site_outcomes(engine, indicator: str) -> dict[str, str]:
    f = db.findings
    with engine.connect() as conn:
        return {r.target_id: r.outcome for r in conn.execute(
            select(f).where(f.c.indicator == indicator, f.c.subject == "", f.c.target_kind == "website"))}


@deferred_f_from_coro_f
async def test_guides_elsewhere_fail_as_shaanxi_judged_them(sqlite_url: str, tmp_path: Path) -> None:
    scenario, engine, book = await read_channels("guides_elsewhere", sqlite_url, tmp_path)
    truth = expected_letters(scenario, book)
    assert site_outcomes(engine, "service_practical") == truth.service
    assert site_outcomes(engine, "interaction_response") == truth.interaction
    assert site_outcomes(engine, "guide_elements") == truth.guide_problems
    assert truth.service["6107270001"] == "fail"  # 略阳县: 受理地点 in 咸阳市秦都区
    with engine.connect() as conn:
        verdict = {r.target_id: (r.result, r.reasons) for r in conn.execute(select(db.verdicts))}
    assert verdict["6107270001"][0] == "不合格" and "服务不实用" in verdict["6107270001"][1]
    login = [code for code, outcome in truth.interaction.items() if outcome == "inconclusive"]
    assert login and all(verdict[c][0] != "不合格" or "互动回应差" not in verdict[c][1] for c in login)


@deferred_f_from_coro_f
async def test_honghe_letters_give_the_notices_attachment_4(pg_url: str, tmp_path: Path) -> None:
    scenario, engine, book = await read_channels("honghe_2021q1", pg_url, tmp_path)
    truth = expected_letters(scenario, book)
    assert truth.overdue == {"州交通运输局": 3, "州住房城乡建设局": 1, "建水县": 1, "绿春县": 4}
    assert set(site_outcomes(engine, "interaction_response").values()) == {"pass"}
    write_report(engine, "2021Q1", tmp_path / "out")
    listed = pd.read_csv(tmp_path / "out" / "附件4_2021Q1_信件办理超期名单.csv", encoding="utf-8-sig", dtype=str)
    assert listed[["单位", "超期次数"]].values.tolist() == [["州交通运输局", "3"], ["州住房城乡建设局", "1"],
                                                           ["建水县", "1"], ["绿春县", "4"]]
