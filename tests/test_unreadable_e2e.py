"""Issue 8, item 4, end to end: pages the product could not read never become blank or stale columns.

The `unreadable` scenario serves every variant over real HTTP (lists built by XHR, held as JSON in a script or in an
HTML comment, Vue-like shells and TRS 海云 POST searches read through Chromium; 瑞数-like challenges, WAF block pages,
GBK redirect stubs, login walls, 域名变更 notices and a script list that fails even rendered), the real spider crawls
it, `evaluate` judges it and the report lists it. Every expectation comes from monitor/simweb/expected.py.
"""

from __future__ import annotations

import inspect
from datetime import datetime, timedelta
from pathlib import Path

from scrapy.utils.defer import deferred_f_from_coro_f

from monitor import db
from monitor.checks.model import FAIL, INCONCLUSIVE, PASS
from monitor.evaluate import evaluate
from monitor.simweb.expected import expected
from monitor.simweb.scenario import load_scenario
from monitor.simweb.server import SimWeb
from tests.crawling import crawl
from tests.test_website_spider import FAST, prepare, rows

WINDOW_DAYS = {"dynamic": 14, "notice": 183, "policy": 183}  # the rulebook's windows at 2021-03-03 (6 months back)


def _evaluate(engine, as_of: datetime) -> None:
    # No probe rounds run in this test: say so where evaluate can be told (others judge availability elsewhere).
    if "not_monitored" in inspect.signature(evaluate).parameters:
        evaluate(engine, "2021Q1", as_of, not_monitored=("site_unreachable", "ipv6"))
    else:
        evaluate(engine, "2021Q1", as_of)


@deferred_f_from_coro_f
async def test_every_unreadable_variant_ends_read_or_inconclusive(db_url: str, tmp_path: Path) -> None:
    scenario = load_scenario("unreadable")
    engine = prepare(db_url, scenario, tmp_path)
    truth = expected(scenario)
    with SimWeb(scenario) as web:
        await crawl("website", FAST | {"MONITOR_DATABASE_URL": db_url, "MONITOR_HOST_MAP": web.host_map,
                                       "DOWNLOAD_TIMEOUT": 10},
                    run_id="unreadable", as_of=scenario.as_of.isoformat())
    pages = {r["url"]: r for r in rows(engine, db.pages, run_id="unreadable")}
    entries = rows(engine, db.list_entries, run_id="unreadable")

    # Facts: readable variants give the list's entries, the others the page's class and why.
    for site in truth.sites.values():
        assert pages[site.homepage]["outcome"] == site.home_outcome, site.homepage
        for column in site.columns:
            page = pages[column.url]
            if not column.readable:
                assert page["outcome"] == column.outcome and page["error"], (column.url, page["outcome"])
                assert not [e for e in entries if e["column_url"] == column.url], column.url
                continue
            assert page["outcome"] == "ok", (column.url, page["outcome"], page["error"])
            dated = sorted({(e["url"], e["published"]) for e in entries if e["column_url"] == column.url})
            if column.newest is None:
                assert not dated, column.url
            else:
                assert max(d for _, d in dated) == column.newest and len(dated) == column.count, (column.url, dated)
    rendered = {c.url for s in truth.sites.values() for c in s.columns if c.page in ("spa", "trs_search")}
    assert all(pages[url]["rendered"] for url in rendered)  # read from Chromium, not guessed
    assert not pages[truth.sites["5326000021"].columns[1].url]["rendered"]  # JSON in a script: read statically

    as_of = datetime.combine(scenario.as_of, datetime.min.time())
    _evaluate(engine, as_of)
    findings = {(f["target_id"], f["indicator"], f["subject"]): f for f in rows(engine, db.findings, period="2021Q1")}
    verdicts = {v["target_id"]: v for v in rows(engine, db.verdicts, period="2021Q1")}

    for code, site in truth.sites.items():
        for column in site.columns:
            blank = findings.get((code, "column_blank", column.url))
            stale = findings.get((code, "column_stale", column.url))
            if not column.readable:  # 待定 with the reason, never 空白栏目 or 栏目不更新
                assert blank["outcome"] == INCONCLUSIVE and blank["reason"] == column.reason, column.url
                assert stale["outcome"] == INCONCLUSIVE and stale["reason"] == column.reason, column.url
                continue
            if column.newest is None:
                assert blank["outcome"] == FAIL and blank["reason"] == "空白栏目", column.url
                continue
            assert blank is None, column.url
            late = column.newest < scenario.as_of - timedelta(days=WINDOW_DAYS[column.category])
            assert stale["outcome"] == (FAIL if late else PASS), (column.url, column.newest)
        if site.home_outcome != "ok":
            home = findings[(code, "homepage_stale", "")]
            assert home["outcome"] == INCONCLUSIVE and home["reason"] == site.home_reason, code
            assert verdicts[code]["result"] == "待定" and "首页长期不更新" not in verdicts[code]["reasons"], code

    # Six unreadable columns could reach both column vetoes: 待定, never 不合格 and never 合格.
    doubtful = verdicts["5326010021"]
    assert doubtful["result"] == "待定", doubtful["reasons"]
    assert findings[("5326010021", "column_blank", "")]["outcome"] == INCONCLUSIVE
    assert findings[("5326010021", "column_stale", "")]["outcome"] == INCONCLUSIVE
    assert "空白栏目" not in doubtful["reasons"].replace("空白栏目待复核", "")
    # The readable site is judged on what it lists: one blank and one stale column are below the vetoes.
    readable = verdicts["5326000021"]
    assert findings[("5326000021", "column_blank", "")]["outcome"] == PASS
    assert findings[("5326000021", "column_stale", "")]["outcome"] == PASS
    assert "栏目" not in readable["reasons"], readable["reasons"]
    # A genuinely blank site still fails.
    assert verdicts["5326060021"]["result"] == "不合格" and "空白栏目超过5" in verdicts["5326060021"]["reasons"]

    # The report's lists: the blank site among the failures, the unreadable ones not; no unreadable column listed.
    from monitor.report import attachments

    with engine.connect() as conn:
        frames = attachments.attachments(conn, "2021Q1")
    failed = frames["不合格网站名单"]
    assert set(failed["网站标识码"]) == {"5326060021"}
    listed = list(frames["存在问题栏目名单"].astype(str).agg(" ".join, axis=1))
    assert not [row for row in listed if "验证县" in row]  # no unreadable column is a problem column
    assert any("部门动态" in row and "无信息更新" in row for row in listed if "可读市" in row)  # read from Chromium
    assert any("采购公告" in row and "空白栏目" in row for row in listed if "可读市" in row)  # rendered "暂无数据"
    if "待复核网站名单" in frames:
        pending = set(frames["待复核网站名单"]["网站标识码"])
        assert {"5326010021", "5326020021", "5326030021", "5326040021", "5326050021"} <= pending
