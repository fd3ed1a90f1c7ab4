"""The analyst views on the real PostgreSQL server (and on SQLite, where the same SQL runs)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import text

from monitor import db
from tests.report_data import seed_region


def test_views_answer_the_guide_queries(db_url: str, tmp_path: Path) -> None:
    engine, _ = seed_region(db_url, tmp_path)
    with engine.begin() as conn:
        conn.execute(db.violations.insert(), [
            {"target_kind": "website", "target_id": "5325010002", "indicator": "column_blank", "subject": "",
             "first_seen": datetime(2021, 3, 3), "last_seen": datetime(2021, 3, 3), "resolved_at": None,
             "review": "pending", "reason": "空白栏目超过5", "evidence": {"blank": 5}},
            {"target_kind": "website", "target_id": "5325020004", "indicator": "column_blank", "subject": "",
             "first_seen": datetime(2021, 3, 3), "last_seen": datetime(2021, 3, 3), "resolved_at": None,
             "review": "false_positive", "reason": "空白栏目超过5", "evidence": {}},
            {"target_kind": "website", "target_id": "5325240001", "indicator": "column_blank", "subject": "",
             "first_seen": datetime(2020, 12, 3), "last_seen": datetime(2021, 1, 3), "resolved_at": datetime(2021, 2, 3),
             "review": "confirmed", "reason": "空白栏目超过5", "evidence": {}}])
    with engine.connect() as conn:
        open_rows = conn.execute(text("SELECT site_name, region_name, indicator FROM v_open_violations")).all()
        assert [tuple(r) for r in open_rows] == [("个旧市人民政府", "个旧市", "column_blank")]
        q = conn.execute(text("SELECT result, reasons FROM v_verdicts_quarter WHERE period = '2021Q1' "
                              "AND target_id = '5325240001'")).one()
        assert tuple(q) == ("不合格", "空白栏目超过5")
        direct = conn.execute(text("SELECT checked, failed, pending FROM v_rates_region_quarter WHERE period = '2021Q1' "
                                   "AND target_kind = 'website' AND region_code = '532501'")).one()
        assert tuple(direct) == (1, 1, 0)
        examples = Path(__file__).resolve().parent.parent / "sql" / "examples"
        city = conn.execute(text((examples / "rates_by_city.sql").read_text(encoding="utf-8"))).all()
        by_period = {r.period: (r.city_code, r.checked, r.failed, round(float(r.rate), 4)) for r in city}
        assert by_period["2021Q1"] == ("532500", 14, 3, round(11 / 14, 4))
        columns = conn.execute(text((examples / "column_findings.sql").read_text(encoding="utf-8"))).all()
        assert [r.unit for r in columns] == ["州教育体育局"]
        if engine.dialect.name == "postgresql":
            ages = conn.execute(text((examples / "violation_age.sql").read_text(encoding="utf-8"))).all()
            assert [(r.indicator, r.resolved, float(r.median_days)) for r in ages] == [("column_blank", 1, 62.0)]


def test_views_over_accounts_and_letters(db_url: str, tmp_path: Path) -> None:
    """v_account_readings gives each reading with its newest post (a post dated after the reading is not taken for
    the newest); v_letters names the unit (the channel's, else the letter's 答复单位); v_open_violations names
    accounts."""
    engine, _ = seed_region(db_url, tmp_path)
    read = datetime(2021, 3, 3, 10)
    with engine.begin() as conn:
        conn.execute(db.accounts.insert(), [{"platform": "微信公众号", "account": "gh_view", "name": "个旧财政",
                                             "owner_unit": "个旧市财政局", "region_code": "532501", "active": True}])
        conn.execute(db.runs.insert(), [
            {"run_id": "acc", "spider": "accounts", "as_of": read.date(), "started_at": read, "status": "finished"},
            {"run_id": "ch", "spider": "channels", "as_of": read.date(), "started_at": read, "status": "finished"}])
        conn.execute(db.account_checks.insert(), [{
            "run_id": "acc", "platform": "微信公众号", "account": "gh_view", "fetched_at": read,
            "outcome": "ok", "rendered": False, "source": "crawl", "post_count": 2}])
        conn.execute(db.account_posts.insert(), [
            {"run_id": "acc", "platform": "微信公众号", "account": "gh_view", "post_key": k,
             "published_at": t, "fetched_at": read} for k, t in (("a", datetime(2021, 1, 20)),
                                                               ("b", datetime(2021, 5, 1)))])
        conn.execute(db.channels.insert(), [{"site_code": "5325240001", "url": "http://www.jianshui.gov.cn/xx/",
                                             "name": "县长信箱", "kind": "consult", "unit": "建水县", "active": True}])
        conn.execute(db.letters.insert(), [
            {"run_id": "ch", "site_code": "5325240001", "channel_url": "http://www.jianshui.gov.cn/xx/",
             "url": "http://www.jianshui.gov.cn/xx/1.html", "unit": "建水县住建局", "fetched_at": read,
             "received_at": datetime(2021, 2, 1, 9), "answered_at": None, "answered": False}])
        conn.execute(db.violations.insert(), [{
            "target_kind": "account", "target_id": "微信公众号:gh_view", "indicator": "account_stale",
            "subject": "", "first_seen": read, "last_seen": read, "review": "pending", "reason": "内容更新不及时",
            "evidence": {}}])
    with engine.connect() as conn:
        (reading,) = conn.execute(text("SELECT owner_unit, outcome, newest_post_at FROM v_account_readings")).all()
        (letter,) = conn.execute(text("SELECT site_name, unit, channel_kind, answered FROM v_letters")).all()
        opened = conn.execute(text("SELECT site_name, site_kind FROM v_open_violations "
                                   "WHERE target_kind = 'account'")).all()
    assert reading[0] == "个旧市财政局"
    assert reading[1] == "ok" and str(reading[2]).startswith("2021-01-20")
    assert tuple(letter) == ("建水县人民政府", "建水县", "consult", False)
    assert [tuple(r) for r in opened] == [("个旧财政", "微信公众号")]
    if engine.dialect.name != "postgresql":
        return  # the two examples below use PostgreSQL's INTERVAL and ->>
    examples = Path(__file__).resolve().parent.parent / "sql" / "examples"
    with engine.begin() as conn:
        conn.execute(db.findings.insert(), [
            {"period": "2021Q1", "as_of": read, "target_kind": "website", "target_id": "5325240001",
             "indicator": "letter_timeliness", "subject": f"http://www.jianshui.gov.cn/xx/{i}.html", "outcome": o,
             "reason": "", "evidence": {"unit": "建水县"}} for i, o in enumerate(("fail", "pass", "pass"))])
        stale = conn.execute(text((examples / "stale_accounts.sql").read_text(encoding="utf-8"))).all()
        overdue = conn.execute(text((examples / "overdue_letters_by_unit.sql").read_text(encoding="utf-8"))).all()
    assert [(r.name, r.outcome) for r in stale] == [("个旧财政", "ok")]
    assert [(r.unit, r.overdue, r.judged, float(r.on_time_pct)) for r in overdue] == [("建水县", 1, 3, 66.67)]


def test_analyst_desk_views(db_url: str, tmp_path: Path) -> None:
    """待定 counts per region, level and kind; 责任部门 of each target; per-unit problem lists with the targets'
    names (a column's unit before the site's); the trend with the previous quarter beside (NULL where it has no
    data); the state of each violation after a notice."""
    engine, _ = seed_region(db_url, tmp_path)
    with engine.begin() as conn:
        conn.execute(db.verdicts.update().where(db.verdicts.c.period == "2021Q1")
                     .where(db.verdicts.c.target_id == "5325030001").values(result="待定", reasons="首页无法访问"))
        conn.execute(db.accounts.insert(), [{"platform": "微博", "account": "hh_wb", "name": "红河发布",
                                             "owner_unit": "红河州人民政府新闻办公室", "region_code": "532500",
                                             "active": True}])
        conn.execute(db.findings.insert(), [
            {"period": "2021Q1", "as_of": datetime(2021, 3, 3), "target_kind": "website", "target_id": site,
             "indicator": "column_blank", "subject": "", "outcome": "fail", "reason": "空白栏目超过5",
             "evidence": {}} for site in ("5325010002", "5325240001")])
        seen = datetime(2021, 3, 3)
        conn.execute(db.violations.insert(), [
            {"target_kind": "website", "target_id": site, "indicator": "column_blank", "subject": "",
             "first_seen": first, "last_seen": last, "resolved_at": resolved, "review": review, "reason": "空白栏目超过5",
             "evidence": {}}
            for site, first, last, resolved, review in (
                ("5325010002", seen, seen, None, "pending"),
                ("5325020004", datetime(2020, 12, 3), seen, None, "confirmed"),
                ("5325240001", datetime(2020, 12, 3), datetime(2020, 12, 3), seen, "confirmed"),
                ("5325030001", seen, seen, None, "false_positive"))])
    with engine.connect() as conn:
        def rows(sql: str) -> list[tuple]:
            return [tuple(r) for r in conn.execute(text(sql)).all()]

        assert rows("SELECT region_name, level, kind, checked, pending FROM v_pending_counts "
                    "WHERE period = '2021Q1' AND region_code = '532503'") == [("蒙自市", "county", "portal", 1, 1)]
        assert rows("SELECT SUM(pending) FROM v_pending_counts WHERE period = '2020Q4'") == [(0,)]
        units = dict(rows("SELECT target_id, unit FROM v_responsible_units"))
        assert units["微博:hh_wb"] == "红河州人民政府新闻办公室"
        sponsor = conn.execute(text("SELECT COALESCE(sponsor, name) FROM websites "
                                    "WHERE site_code = '5325010002'")).scalar()
        assert units["5325010002"] == sponsor
        problems = conn.execute(text("SELECT unit, indicator, problem, targets, target_names FROM v_unit_problems "
                                     "WHERE period = '2021Q1' ORDER BY unit")).all()
        by_unit = {(r.unit, r.indicator): r for r in problems}
        zhou = by_unit[("州教育体育局", "column_stale")]  # the column's own unit, not the portal's sponsor
        assert (zhou.problem, zhou.targets, zhou.target_names) == ("监测点前2周内,栏目无信息更新", 1, "红河州人民政府")
        blank = [r for r in problems if r.indicator == "column_blank"]
        assert sorted(n for r in blank for n in r.target_names.split("、")) == ["个旧市人民政府", "建水县人民政府"]
        assert sum(r.targets for r in blank) == 2
        trend = conn.execute(text("SELECT period, rate, prev_period, prev_rate, change FROM v_rates_trend "
                                  "WHERE target_kind = 'website' AND region_code = '532501' ORDER BY period")).all()
        assert [(r.period, r.rate, r.prev_period, r.prev_rate) for r in trend] == [
            ("2020Q4", 0, None, None), ("2021Q1", 0, "2020Q4", 0)]
        (mengzi,) = conn.execute(text("SELECT rate, prev_rate, change FROM v_rates_trend WHERE period = '2021Q1' "
                                      "AND target_kind = 'website' AND region_code = '532503'")).all()
        assert (mengzi.rate, float(mengzi.prev_rate), mengzi.change) == (None, 1.0, None)  # all 待定: no rate
        states = dict(rows("SELECT target_id, state || '/' || state_label FROM v_violation_states"))
        examples = Path(__file__).resolve().parent.parent / "sql" / "examples"

        def example(name: str) -> list:
            return conn.execute(text((examples / name).read_text(encoding="utf-8"))).all()

        pending = example("pending_by_level.sql")
        assert [(r.level, r.kind, r.pending) for r in pending][0] == ("county", "portal", 1)
        assert {r.unit: r.target_names for r in example("unit_problems.sql")}["州教育体育局"] == "红河州人民政府"
        gejiu = [r for r in example("rates_trend.sql") if r.region_name == "个旧市"]
        assert [(float(r.rate_pct), r.prev_period, float(r.change_points)) for r in gejiu] == [(0.0, "2020Q4", 0.0)]
        after = {r.region_name: (r.open, r.rechecked, r.fixed) for r in example("violations_after_notice.sql")}
        assert after["个旧市"] == (1, 0, 0) and after["开远市"] == (0, 1, 0) and after["建水县"] == (0, 0, 1)
        assert "蒙自市" not in after  # its only violation is a false positive
    assert states == {"5325010002": "open/未复查", "5325020004": "rechecked/复查仍存在",
                      "5325240001": "fixed/已整改", "5325030001": "false_positive/误报"}
