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
# These regions run no probe rounds: availability is declared not monitored (else every verdict would be 待定).
NO_PROBES = ("site_unreachable",)


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
    summary = evaluate(engine, "2021Q1", as_of, book=BOOK, not_monitored=NO_PROBES)
    assert (summary.checked, summary.results["不合格"]) == (14, 3)
    verdicts = {r["target_id"]: (r["result"], r["reasons"])
                for r in rows(engine, db.verdicts, period="2021Q1", target_kind="website")}
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
    evaluate(engine, "2021Q1", as_of, book=BOOK, not_monitored=NO_PROBES)
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
    evaluate(engine, "2021Q1", later, book=BOOK, not_monitored=NO_PROBES)
    with engine.connect() as conn:
        assert conn.execute(select(v.c.resolved_at).where(v.c.id == stale_v.id)).scalar_one() == later
    # It falls behind again: the same violation re-opens, first seen kept.
    evaluate(engine, "2021Q1", later + timedelta(days=14), book=BOOK, not_monitored=NO_PROBES)
    with engine.connect() as conn:
        row = conn.execute(select(v).where(v.c.id == stale_v.id)).one()
    assert (row.first_seen, row.resolved_at, row.last_seen) == (as_of, None, later + timedelta(days=14))

    # A veto a reviewer marks as false positive stays suppressed: 个旧市 becomes 合格 on the next evaluation.
    with engine.begin() as conn:
        conn.execute(update(v).where(v.c.target_id == "5325010002", v.c.indicator == "column_blank", v.c.subject == "")
                     .values(review="false_positive"))
    evaluate(engine, "2021Q1", as_of, book=BOOK, not_monitored=NO_PROBES)
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
    # 6 of 140 passes the availability rule, but the site was never crawled: its other indicators have no data, so
    # it is 待定, never 合格; the short day is 待定 as well.
    assert rows(engine, db.findings, target_id=codes[six], indicator="site_unreachable")[0]["outcome"] == "pass"
    assert (verdicts[codes[six]]["result"], verdicts[codes[six]]["reasons"]) == ("待定", "无监测数据")
    assert verdicts[codes[short]]["result"] == "待定"
    assert summary.results["待定"] == 2 and sorted(summary.no_data) == sorted(codes.values())
    finding = rows(engine, db.findings, target_id=codes[seven], indicator="site_unreachable")[0]
    assert finding["observed"] == "访问140次,失败7次,占比5.00%"
    assert len(finding["evidence"]["failures"]) == 7


def test_period_keywords() -> None:
    assert resolve_period("current", date(2021, 3, 3)) == "2021Q1"
    assert resolve_period("previous", date(2021, 3, 3)) == "2020Q4"
    assert resolve_period("previous", date(2021, 8, 1)) == "2021Q2"


# ---------------------------------------------------------------- facts inserted directly (fast, both back ends)

PORTAL, DEPT = "5325000001", "5325000002"
P_HOME, D_HOME = "http://www.hh.gov.cn/", "http://jyj.hh.gov.cn/"


class Site:
    """Writes one crawl run of two sites: a portal with `blank` blank columns and a department site."""

    def __init__(self, engine, run_id: str, started: datetime) -> None:
        self.engine, self.run_id, self.started = engine, run_id, started
        with engine.begin() as conn:
            conn.execute(db.runs.insert().values(run_id=run_id, spider="website", as_of=started.date(),
                                                 started_at=started, status="finished"))

    def page(self, site: str, url: str, role: str, outcome: str = "ok", status: int | None = 200, **extra) -> None:
        marks = {"footer_site_code": site, "footer_icp": "滇ICP备05000002号", "footer_police": "滇公网安备53250202000001号",
                 "footer_conac": True, "footer_zhaocuo": True}
        with self.engine.begin() as conn:
            conn.execute(db.pages.insert().values(run_id=self.run_id, site_code=site, url=url, role=role,
                                                  column_url=url if role == "home" else url, fetched_at=self.started,
                                                  status=status, outcome=outcome, **(marks | extra)))

    def entries(self, site: str, column_url: str, days: list[date]) -> None:
        with self.engine.begin() as conn:
            conn.execute(db.list_entries.insert(), [
                {"run_id": self.run_id, "site_code": site, "column_url": column_url, "page_url": column_url,
                 "position": i, "title": f"信息{i}", "url": f"{column_url}{i}.html", "published": d,
                 "date_text": str(d)} for i, d in enumerate(days)])


def registry(engine, columns: int = 6) -> list[str]:
    with engine.begin() as conn:
        conn.execute(db.websites.insert(), [
            {"site_code": PORTAL, "name": "红河州人民政府", "homepage": P_HOME, "region_code": "532500",
             "region_name": "红河州", "level": "city", "kind": "portal", "active": True},
            {"site_code": DEPT, "name": "红河州教育体育局", "homepage": D_HOME, "region_code": "532500",
             "region_name": "红河州", "level": "city", "kind": "department", "parent_site_code": PORTAL,
             "active": True}])
        urls = [f"{P_HOME}col{i}/" for i in range(columns)]
        conn.execute(db.site_columns.insert(), [
            {"site_code": PORTAL, "url": u, "name": f"栏目{i}", "category": "other", "level": 1, "unit": "州政府办公室",
             "source": "registry"} for i, u in enumerate(urls)])
    return urls


def crawl_run(engine, run_id: str, started: datetime, blank: int, columns: list[str], home_ok: bool = True) -> None:
    run = Site(engine, run_id, started)
    fresh = [started.date() - timedelta(days=1)]
    run.page(PORTAL, P_HOME, "home", *(("ok", 200) if home_ok else ("timeout", None)))
    run.entries(PORTAL, P_HOME, fresh)
    for i, url in enumerate(columns):
        run.page(PORTAL, url, "column")
        if i >= blank:
            run.entries(PORTAL, url, fresh)
    run.page(DEPT, D_HOME, "home")
    run.entries(DEPT, D_HOME, fresh)


def violation(engine, **where):
    (row,) = rows(engine, db.violations, **where)
    return row


def test_life_cycle_on_stored_facts(db_url: str) -> None:
    from monitor.evaluate import EvaluationSummary, review
    from monitor.migrate import upgrade

    engine = db.engine_for(db_url)
    upgrade(engine)
    columns = registry(engine)
    day1 = datetime(2021, 3, 3)
    crawl_run(engine, "r1", day1, blank=5, columns=columns)
    summary = evaluate(engine, "2021Q1", day1, book=BOOK, not_monitored=NO_PROBES)
    assert isinstance(summary, EvaluationSummary)
    assert (summary.checked, summary.results["不合格"], summary.reasons["空白栏目超过5"]) == (2, 1, 1)
    assert "检查网站2个, 合格1个, 不合格1个, 待定0个, 合格率50.00%" in str(summary)
    verdict_rows = {r["target_id"]: r for r in rows(engine, db.verdicts, period="2021Q1")}
    assert (verdict_rows[PORTAL]["result"], verdict_rows[PORTAL]["reasons"], verdict_rows[PORTAL]["veto"]) == (
        "不合格", "空白栏目超过5", True)
    assert (verdict_rows[DEPT]["result"], verdict_rows[DEPT]["score"], verdict_rows[DEPT]["bonus"]) == ("合格", 100, None)
    assert verdict_rows[PORTAL]["region_code"] == "532500"
    blank_cols = {r["subject"] for r in rows(engine, db.violations, indicator="column_blank") if r["subject"]}
    assert blank_cols == set(columns[:5])

    # Same period again: same rows.
    counts = [len(rows(engine, t)) for t in (db.findings, db.verdicts, db.violations)]
    evaluate(engine, "2021Q1", day1, book=BOOK, not_monitored=NO_PROBES)
    assert [len(rows(engine, t)) for t in (db.findings, db.verdicts, db.violations)] == counts

    # A reviewer says one blank column was closed down on purpose: four blank columns, no veto any more.
    first = violation(engine, indicator="column_blank", subject=columns[0])
    with engine.begin() as conn:
        assert review(conn, first["id"], "false_positive", "栏目已撤并", datetime(2021, 3, 4))
        assert not review(conn, 999999, "confirmed")
    day2 = datetime(2021, 3, 10)
    crawl_run(engine, "r2", day2, blank=5, columns=columns)
    evaluate(engine, "2021Q1", day2, book=BOOK, not_monitored=NO_PROBES)
    portal = rows(engine, db.verdicts, period="2021Q1", target_id=PORTAL)[0]
    assert portal["result"] == "合格"
    row = violation(engine, id=first["id"])
    assert (row["review"], row["first_seen"], row["last_seen"]) == ("false_positive", day1, day2)
    assert row["evidence"]["review"] == {"state": "false_positive", "note": "栏目已撤并", "at": "2021-03-04T00:00:00"}
    site_veto = violation(engine, indicator="column_blank", subject="", target_id=PORTAL)
    assert (site_veto["resolved_at"], site_veto["last_seen"]) == (day2, day1)

    # The homepage does not load in the next run: nothing about the homepage is resolved or refreshed …
    day3 = datetime(2021, 3, 17)
    crawl_run(engine, "r3", day3, blank=2, columns=columns, home_ok=False)
    with engine.begin() as conn:  # … and an old stale-homepage violation stays open
        for indicator, subject in (("homepage_stale", ""), ("footer_marks", "ICP备案号")):
            conn.execute(db.violations.insert().values(target_kind="website", target_id=PORTAL, indicator=indicator,
                                                       subject=subject, first_seen=day1, last_seen=day2,
                                                       review="pending"))
    summary = evaluate(engine, "2021Q1", day3, book=BOOK, not_monitored=NO_PROBES)
    assert rows(engine, db.verdicts, period="2021Q1", target_id=PORTAL)[0]["result"] == "待定"
    assert summary.reasons["首页不更新待复核"] == 1
    assert violation(engine, indicator="homepage_stale")["resolved_at"] is None
    assert violation(engine, indicator="footer_marks", subject="ICP备案号")["resolved_at"] is None
    # Columns were read: the three filled ones are resolved, the two still blank stay open.
    open_blank = {r["subject"] for r in rows(engine, db.violations, indicator="column_blank") if r["subject"]
                  and r["resolved_at"] is None}
    assert open_blank == set(columns[:2])
    assert violation(engine, indicator="column_blank", subject=columns[3])["resolved_at"] == day3
    # Re-judging the first monitoring point (its run saw the column blank) does not undo the later resolution.
    evaluate(engine, "2021Q1", day1, run_id="r1", book=BOOK, not_monitored=NO_PROBES)
    row = violation(engine, indicator="column_blank", subject=columns[3])
    assert (row["first_seen"], row["last_seen"], row["resolved_at"]) == (day1, day2, day3)
    assert row["evidence"]["observed"] == "栏目无任何信息" and row["evidence"]["url"] == columns[3]
    assert violation(engine, indicator="homepage_stale")["resolved_at"] is None  # last seen after day1

    # Blank again: the resolved veto re-opens, first seen kept.
    day4 = datetime(2021, 3, 24)
    crawl_run(engine, "r4", day4, blank=6, columns=columns)
    evaluate(engine, "2021Q1", day4, book=BOOK, not_monitored=NO_PROBES)
    site_veto = violation(engine, indicator="column_blank", subject="", target_id=PORTAL)
    assert (site_veto["first_seen"], site_veto["last_seen"], site_veto["resolved_at"]) == (day1, day4, None)
    assert rows(engine, db.verdicts, period="2021Q1", target_id=PORTAL)[0]["result"] == "不合格"

    # An explicit run that did not see the site leaves its violations alone (nothing judged → nothing resolved).
    evaluate(engine, "2021Q1", day4 + timedelta(days=7), run_id="absent", book=BOOK, not_monitored=NO_PROBES)
    assert violation(engine, indicator="column_blank", subject="", target_id=PORTAL)["resolved_at"] is None


def test_commands_refuse_bad_input_and_review_by_id(tmp_path: Path, capsys) -> None:
    from monitor.cli import main
    from monitor.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'g.sqlite'}"
    bad = tmp_path / "bad.yaml"
    bad.write_text("indicators:\n  nonsense: {}\n", encoding="utf-8")
    assert main(["evaluate", "--database", url, "--period", "2021Q1", "--as-of", "2021-03-03",
                 "--rulebook", str(bad)]) == 2
    assert f"{bad}: indicators.nonsense: unknown indicator" in capsys.readouterr().err
    assert main(["evaluate", "--database", url, "--period", "2021Q9", "--as-of", "2021-03-03"]) == 2
    engine = db.engine_for(url)
    upgrade(engine)
    columns = registry(engine)
    crawl_run(engine, "r1", datetime(2021, 3, 3), blank=5, columns=columns)
    assert main(["evaluate", "--database", url, "--period", "2021Q1", "--as-of", "2021-03-03"]) == 0
    assert "空白栏目超过5: 1个" in capsys.readouterr().out
    vid = violation(engine, indicator="column_blank", subject="", target_id=PORTAL)["id"]
    assert main(["review", "--database", url, "--violation", str(vid), "--state", "confirmed",
                 "--note", "已核实"]) == 0
    assert violation(engine, id=vid)["review"] == "confirmed"
    assert main(["review", "--database", url, "--violation", "424242", "--state", "confirmed"]) == 1


# ---------------------------------------------------------------- only evidence of the period, up to its monitoring point


@deferred_f_from_coro_f
async def test_later_crawls_never_change_a_past_quarter(sqlite_url: str, tmp_path: Path) -> None:
    """Crawl 2021Q1, judge it; crawl again months later; judging 2021Q1 again gives the same rows (14 / 3 / 78.57 %)."""
    scenario = load_scenario("honghe_2021q1")
    engine = prepare(sqlite_url, scenario, tmp_path)
    as_of = datetime(2021, 3, 3)

    def snapshot(table, **where):
        skip = ("evaluated_at", "id")  # findings are re-inserted on each evaluation: new ids, same content
        return sorted(tuple(sorted((k, str(v)) for k, v in r.items() if k not in skip))
                      for r in rows(engine, table, **where))

    with SimWeb(scenario) as web:
        settings = FAST | {"MONITOR_DATABASE_URL": sqlite_url, "MONITOR_HOST_MAP": web.host_map}
        await crawl("website", settings, run_id="q1", as_of="2021-03-03")
        first = evaluate(engine, "2021Q1", as_of, book=BOOK, not_monitored=NO_PROBES)
        quarter = [snapshot(db.findings, period="2021Q1"), snapshot(db.verdicts, period="2021Q1")]
        # The same pages read months later; the crawl's own checks record what it saw in its own quarter.
        await crawl("website", settings, run_id="q2", as_of="2021-06-20")
    violations = snapshot(db.violations)
    again = evaluate(engine, "2021Q1", as_of, book=BOOK, not_monitored=NO_PROBES)
    assert "检查网站14个, 合格11个, 不合格3个, 待定0个, 合格率78.57%" in str(again)
    assert str(again) == str(first)
    assert [snapshot(db.findings, period="2021Q1"), snapshot(db.verdicts, period="2021Q1")] == quarter
    assert snapshot(db.violations) == violations  # re-judging the past resolves or re-opens nothing
    # The later crawl does belong to the next quarter, where the same columns are now long stale.
    later = evaluate(engine, "2021Q2", datetime(2021, 6, 20), book=BOOK, not_monitored=NO_PROBES)
    assert later.results["不合格"] > 3


def test_no_crawl_in_the_window_is_pending_and_said_loudly(db_url: str, capsys) -> None:
    """A crawl of the previous quarter is no evidence for this one: both sites 待定 (无监测数据), no rate."""
    from monitor.cli import main
    from monitor.migrate import upgrade

    engine = db.engine_for(db_url)
    upgrade(engine)
    columns = registry(engine)
    crawl_run(engine, "old", datetime(2020, 12, 20), blank=0, columns=columns)
    summary = evaluate(engine, "2021Q1", datetime(2021, 3, 3), book=BOOK, not_monitored=NO_PROBES)
    assert (summary.checked, summary.results["待定"], summary.results["合格"]) == (2, 2, 0)
    text = str(summary)
    assert "合格率—(无已判定网站)" in text and "警告: 2个网站在监测窗口内没有抓取记录" in text
    verdict = rows(engine, db.verdicts, period="2021Q1", target_id=PORTAL)[0]
    assert (verdict["result"], verdict["reasons"]) == ("待定", "无监测数据")
    finding = rows(engine, db.findings, period="2021Q1", target_id=PORTAL, indicator="column_blank", subject="")[0]
    assert (finding["outcome"], finding["reason"], finding["threshold"]) == ("inconclusive", "无监测数据",
                                                                             "2021-01-01至2021-03-03")
    assert rows(engine, db.findings, period="2021Q1", target_id=PORTAL, indicator="site_unreachable")[0][
        "reason"] == "未开展监测"
    assert not rows(engine, db.violations)  # nothing judged, nothing opened
    # Without probes and without the declaration, availability itself is 待定 too.
    crawl_run(engine, "new", datetime(2021, 3, 1), blank=0, columns=columns)
    summary = evaluate(engine, "2021Q1", datetime(2021, 3, 3), book=BOOK, not_monitored=())
    assert summary.results["待定"] == 2 and summary.reasons["无监测数据"] == 2
    # The command line: a past quarter's default monitoring point is its last day; a point outside the period or an
    # unknown run is refused.
    assert main(["evaluate", "--database", db_url, "--period", "2021Q1", "--not-monitored", "site_unreachable"]) == 0
    assert "2021Q1 监测时间点 2021-03-31 00:00: 检查网站2个, 合格0个, 不合格2个, 待定0个" in capsys.readouterr().out
    assert main(["evaluate", "--database", db_url, "--period", "2021Q1", "--as-of", "2021-04-09"]) == 2
    assert "monitoring point 2021-04-09 lies outside 2021Q1" in capsys.readouterr().err
    assert main(["evaluate", "--database", db_url, "--period", "2021Q1", "--as-of", "2021-03-03", "--run", "x"]) == 2
    assert main(["evaluate", "--database", db_url, "--period", "2021Q1", "--as-of", "2021-02-01", "--run", "new"]) == 2
    assert "run new was made for 2021-03-01" in capsys.readouterr().err
