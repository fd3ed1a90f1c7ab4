"""New media end to end: the simulated platforms over HTTPS, the accounts spider (Douyin rendered in Chromium), the
account rules and the report — each account's verdict and failing indicators as the scenario implies them; walls
and deleted pages are 待定 and listed apart, never 不合格 or 合格."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import select

from monitor import db
from monitor.checks.rulebook import load_rulebook
from monitor.checks.rules import rules_for
from monitor.checks.scoring import NO_VETO_MONITORED
from monitor.evaluate import evaluate
from monitor.migrate import upgrade
from monitor.registry import import_files
from monitor.report.cli import write_report
from monitor.simweb.expected import expected_accounts
from monitor.simweb.scenario import load_scenario
from monitor.simweb.server import SimWeb
from tests.crawling import crawl

BOOK = load_rulebook("")


async def read_accounts(name: str, url: str, tmp_path: Path):
    scenario = load_scenario(name)
    engine = db.engine_for(url)
    upgrade(engine)
    registry = tmp_path / "targets.yaml"
    scenario.write_registry(registry)
    import_files(engine, [registry])
    with SimWeb(scenario) as web:
        await crawl("accounts", {"MONITOR_DATABASE_URL": url, "MONITOR_HOST_MAP": web.host_map,
                                 "MONITOR_TRUSTED_SPKI": web.tls_spki},
                    run_id="acc", as_of=scenario.as_of.isoformat(), at=scenario.clock.isoformat())
    scenario.judged_by_crawl = judged(engine)  # the checks pipeline judged each account as its reading ended
    as_of = datetime.combine(scenario.as_of, datetime.min.time())
    summary = evaluate(engine, "2021Q1", as_of, not_monitored=("site_unreachable",))
    return scenario, engine, summary


def judged(engine) -> dict[str, tuple[str | None, set[str]]]:
    """Per account: its verdict (None before evaluation) and the indicators of its failing findings."""
    v, f = db.verdicts, db.findings
    with engine.connect() as conn:
        verdicts = {r.target_id: r.result for r in conn.execute(select(v).where(v.c.target_kind == "account"))}
        failing: dict[str, set[str]] = {}
        for r in conn.execute(select(f).where(f.c.target_kind == "account", f.c.outcome == "fail")):
            failing.setdefault(r.target_id, set()).add(r.indicator)
    return {k: (verdicts.get(k), failing.get(k, set())) for k in set(verdicts) | set(failing)}


@deferred_f_from_coro_f
async def test_every_defect_on_demand_is_found_and_nothing_else(sqlite_url: str, tmp_path: Path) -> None:
    scenario, engine, summary = await read_accounts("defects", sqlite_url, tmp_path)
    truth = expected_accounts(scenario)
    assert judged(engine) == {k: (t.verdict, set(t.failing)) for k, t in truth.items()}
    assert summary.accounts is not None and summary.accounts.checked == len(truth)
    # Before any evaluation the crawl had recorded the same failing findings (no verdict yet).
    assert scenario.judged_by_crawl == {k: (None, set(t.failing)) for k, t in truth.items() if t.failing}
    with engine.connect() as conn:
        rendered = {r.platform for r in conn.execute(select(db.account_checks)) if r.rendered}
    assert rendered == {"抖音号"}  # Chromium only where the platform builds the page by script

    # An office that declares every veto indicator of new media not monitored gets no 合格 account: nothing said
    # any account passes them. Each is 待定 with that reason; the other indicators are still reported.
    vetoes = tuple(r.code for r in rules_for("account") if BOOK[r.code].kind == "veto")
    as_of = datetime.combine(scenario.as_of, datetime.min.time())
    summary = evaluate(engine, "2021Q1", as_of, not_monitored=("site_unreachable", *vetoes))
    assert summary.accounts.results.get("合格", 0) == 0 and summary.accounts.results["待定"] == len(truth)
    with engine.connect() as conn:
        reasons = {r.reasons for r in conn.execute(select(db.verdicts).where(db.verdicts.c.target_kind == "account"))}
    assert reasons == {NO_VETO_MONITORED}


@deferred_f_from_coro_f
async def test_unreadable_accounts_are_pending_with_their_reason_and_listed_apart(pg_url: str, tmp_path: Path) -> None:
    scenario, engine, summary = await read_accounts("unreadable", pg_url, tmp_path)
    truth = expected_accounts(scenario)
    walled = {k for k, t in truth.items() if t.outcome != "ok"}
    assert walled and judged(engine) == {k: (t.verdict, set(t.failing)) for k, t in truth.items()}
    assert summary.accounts.results["待定"] == len(walled)
    with engine.connect() as conn:
        outcomes = {f"{r.platform}:{r.account}": r.outcome for r in conn.execute(select(db.account_checks))}
    assert {k: outcomes[k] for k in walled} == {k: truth[k].outcome for k in walled}
    write_report(engine, "2021Q1", tmp_path / "out")
    pending = pd.read_csv(tmp_path / "out" / "附件6_2021Q1_待复核政务新媒体名单.csv", encoding="utf-8-sig", dtype=str)
    assert len(pending) == len(walled)
    by_account = dict(zip(pending["账号标识"], pending["待定原因"], strict=True))
    for key in walled:
        assert truth[key].reason in by_account[key.split(":", 1)[1]]
    failed = pd.read_csv(tmp_path / "out" / "附件3_2021Q1_不合格政务新媒体名单.csv", encoding="utf-8-sig", dtype=str)
    assert not set(failed["政务新媒体账号"]) & {a.name for a in scenario.accounts if a.wall}
    draft = (tmp_path / "out" / "通报_2021Q1.md").read_text(encoding="utf-8")
    assert f"政务新媒体本季度未能完成判定(待定{len(walled)}个" in draft
