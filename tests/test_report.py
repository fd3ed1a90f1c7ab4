"""Quarterly results: rates per region and quarter, attachment CSVs, charts, draft notice — the 红河州 2021 Q1 notice."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import select, text, update

from monitor import db
from monitor.report import attachments, charts
from monitor.report.cli import write_report
from monitor.report.notice import region_short
from monitor.report.rates import ancestors, rates, rates_pandas, totals
from tests.report_data import FAILED_Q1, ZHOU_COLUMN, seed_region

REPO = Path(__file__).resolve().parent.parent
# 附件3 of the notice: 12 accounts 内容更新不及时 among 243 monitored (微信172, 微博41, 今日头条14, 抖音16).
NOTICE_PLATFORMS = {"微信公众号": 172, "微博": 41, "今日头条": 14, "抖音号": 16}
FAILED_ACCOUNTS = {"个旧市财政局", "个旧脱贫攻坚", "红河哈尼梯田", "蔓耗蛮好", "美丽河口无线WIFI", "蒙自招商",
                   "弥勒市河长制", "河口文化和旅游", "个旧市政务公开", "边境小警", "弥勒市文旅官抖", "石屏警方"}
# 附件4 of the notice: units and their overdue letters.
OVERDUE = [("州交通运输局", "532500", 3), ("州住房城乡建设局", "532500", 1), ("建水县", "532524", 1), ("绿春县", "532531", 4)]


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


def add_accounts(engine) -> None:
    """The scenario's accounts topped up to the notice's 243 per platform; verdicts for 2021Q1."""
    a = db.accounts
    with engine.begin() as conn:
        have = conn.execute(select(a.c.platform, a.c.account, a.c.name, a.c.region_code)).all()
        extra = []
        for platform, total in NOTICE_PLATFORMS.items():
            for i in range(total - sum(1 for r in have if r.platform == platform)):
                extra.append({"platform": platform, "account": f"extra{i}", "name": f"{platform}账号{i}",
                              "owner_unit": f"单位{i}", "region_code": "532523" if i % 2 else "532500",
                              "active": True, "source": "test"})
        if extra:  # the scenario may hold all 243 already
            conn.execute(a.insert(), extra)
        rows = conn.execute(select(a.c.platform, a.c.account, a.c.name, a.c.region_code)).all()
        as_of = datetime(2021, 3, 3)
        conn.execute(db.verdicts.insert(), [
            {"period": "2021Q1", "as_of": as_of, "target_kind": "account", "target_id": f"{r.platform}:{r.account}",
             "region_code": r.region_code, "result": "不合格" if r.name in FAILED_ACCOUNTS else "合格",
             "veto": r.name in FAILED_ACCOUNTS, "score": None, "bonus": None,
             "reasons": "内容更新不及时" if r.name in FAILED_ACCOUNTS else "", "evaluated_at": as_of} for r in rows])


def test_rates_roll_up_county_city_province_with_change_and_sampling(db_url: str, tmp_path: Path) -> None:
    engine, _ = seed_region(db_url, tmp_path)
    with engine.connect() as conn:
        table = rates(conn, "2021Q1")
        other = rates_pandas(conn, "2021Q1")
    pd.testing.assert_frame_equal(table, other)  # pushed-down and pandas-only agree
    assert set(table["period"]) == {"2021Q1"}
    web = totals(table, "website").set_index("region_code")
    zhou = web.loc["532500"]
    assert (zhou.checked, zhou.failed, zhou.qualified, zhou.running, zhou.pending) == (14, 3, 11, 14, 0)
    assert zhou.rate_pct == "78.57%" and round(zhou.rate * 100, 1) == 78.6  # the notice prints 78.6%
    assert zhou.sampling == 1.0
    # 2020Q4 had two 不合格: the change is one site fewer qualified.
    assert zhou.prev_rate == pytest.approx(12 / 14) and zhou.change == pytest.approx(11 / 14 - 12 / 14)
    assert web.loc["530000"].checked == 14  # the province holds what its cities hold
    gejiu = web.loc["532501"]
    assert (gejiu.checked, gejiu.failed, gejiu.region_name, gejiu.region_level) == (1, 1, "个旧市", "county")
    assert gejiu.prev_rate == 0.0 and gejiu.change == 0.0  # 个旧 failed both quarters
    assert web.loc["532530"].change == pytest.approx(1.0)  # 金平 failed in 2020Q4 only
    # By level × kind, as the notices break them down (市级政府门户网站…, 县级政府门户网站…).
    sites = table[(table.target_kind == "website") & (table.region_code == "532500")]
    by = {(r.level, r.kind): (r.checked, r.failed) for r in sites.itertuples()}
    assert by[("city", "portal")] == (1, 0) and by[("county", "portal")] == (13, 3)
    assert by[("all", "portal")] == (14, 3) and by[("county", "all")] == (13, 3)
    assert ancestors("532501") == ["532501", "532500", "530000"]


def test_pending_verdicts_are_shown_apart_and_never_count_as_qualified(db_url: str, tmp_path: Path) -> None:
    """One 待定 site: checked, not judged; the rate is over the 13 judged sites (10/13), on every output."""
    engine, _ = seed_region(db_url, tmp_path)
    with engine.begin() as conn:
        conn.execute(update(db.verdicts).where(db.verdicts.c.target_id == "5325030001",
                                               db.verdicts.c.period == "2021Q1")
                     .values(result="待定", reasons="无监测数据"))
    with engine.connect() as conn:
        table = rates(conn, "2021Q1")
        pd.testing.assert_frame_equal(table, rates_pandas(conn, "2021Q1"))
        view = conn.execute(text("SELECT checked, qualified, failed, pending, judged, rate FROM v_rates_region_quarter "
                                 "WHERE period = '2021Q1' AND region_code = '532503'")).one()
    zhou = totals(table).set_index("region_code").loc["532500"]
    assert (zhou.checked, zhou.qualified, zhou.failed, zhou.pending, zhou.judged) == (14, 10, 3, 1, 13)
    assert zhou.rate_pct == "76.92%"
    mengzi = totals(table).set_index("region_code").loc["532503"]  # its only site is 待定: no rate at all
    assert (mengzi.judged, mengzi.rate_pct) == (0, "—") and pd.isna(mengzi.rate)
    assert (view.checked, view.qualified, view.failed, view.pending, view.judged, view.rate) == (1, 0, 0, 1, 0, None)
    write_report(engine, "2021Q1", tmp_path / "out")
    csv = read_csv(tmp_path / "out" / "合格率_2021Q1.csv")
    row = csv[(csv["行政区划代码"] == "532500") & (csv["层级"] == "全部") & (csv["类型"] == "全部")
              & (csv["对象"] == "政府网站")].iloc[0]
    assert (row["合格数"], row["待定数"], row["合格率(%)"]) == ("10", "1", "76.92%")
    pending = read_csv(tmp_path / "out" / "附件5_2021Q1_待复核网站名单.csv")
    assert list(pending.columns) == ["序号", "网站名称", "网站标识码", "主办单位", "待定原因", "未能判定的页面"]
    assert (pending["网站标识码"].tolist(), pending["待定原因"].tolist()) == (["5325030001"], ["无监测数据"])
    notice = (tmp_path / "out" / "通报_2021Q1.md").read_text(encoding="utf-8")
    assert "10个政府网站合格,不合格3个,待定1个" in notice and "合格率76.9%" in notice
    assert "蒙自市人民政府网站本季度未能完成判定(待定1个:无监测数据1个)" in notice and "附件5" in notice


def test_nothing_judged_is_never_a_rate_of_100(sqlite_url: str, tmp_path: Path) -> None:
    """Every site unreadable (e.g. all DNS failures): no 合格, no rate, no "未发现突出问题", all listed for re-check."""
    engine, scenario = seed_region(sqlite_url, tmp_path)
    with engine.begin() as conn:
        conn.execute(update(db.verdicts).where(db.verdicts.c.period == "2021Q1")
                     .values(result="待定", reasons="首页不更新待复核；空白栏目待复核", veto=False))
    write_report(engine, "2021Q1", tmp_path / "out")
    notice = (tmp_path / "out" / "通报_2021Q1.md").read_text(encoding="utf-8")
    assert "均未能完成判定(待定14个,列入待复核名单),本季度暂不计算合格率" in notice
    assert "合格率100" not in notice and "未发现突出问题" not in notice and "个政府网站合格" not in notice
    pending = read_csv(tmp_path / "out" / "附件5_2021Q1_待复核网站名单.csv")
    assert len(pending) == len(scenario.sites)
    csv = read_csv(tmp_path / "out" / "合格率_2021Q1.csv")
    assert set(csv[csv["对象"] == "政府网站"]["合格率(%)"]) == {"—"}


def test_account_rates_list_and_notice_reproduce_the_notice(db_url: str, tmp_path: Path) -> None:
    engine, _ = seed_region(db_url, tmp_path)
    add_accounts(engine)
    with engine.connect() as conn:
        table = rates(conn, "2021Q1")
        pd.testing.assert_frame_equal(table, rates_pandas(conn, "2021Q1"))
    media = totals(table, "account").set_index("region_code").loc["532500"]
    assert (media.checked, media.failed, media.rate_pct) == (243, 12, "95.06%")  # the notice: 95.06%
    platforms = table[(table.target_kind == "account") & (table.level == "all") & (table.region_code == "532500")]
    assert {r.kind: r.running for r in platforms.itertuples() if r.kind != "all"} == NOTICE_PLATFORMS
    written = write_report(engine, "2021Q1", tmp_path / "out", decimals=2, issuer="红河州人民政府办公室")
    failed = read_csv(tmp_path / "out" / "附件3_2021Q1_不合格政务新媒体名单.csv")
    assert list(failed.columns) == ["序号", "部门", "政务新媒体账号", "新媒体平台", "存在问题"]
    assert set(failed["政务新媒体账号"]) == FAILED_ACCOUNTS and len(failed) == 12
    assert failed["序号"].tolist() == [str(i) for i in range(1, 13)]
    assert failed["新媒体平台"].tolist() == ["微信公众号"] * 7 + ["微博"] * 2 + ["抖音号"] * 3  # the notice's order
    assert set(failed["存在问题"]) == {"内容更新不及时"}
    draft = (tmp_path / "out" / "通报_2021Q1.md").read_text(encoding="utf-8")
    assert draft.startswith("# 红河州人民政府办公室关于2021年一季度全州政府网站和政府系统政务新媒体检查情况的通报")
    assert ("全州纳入常态化监管的政府系统政务新媒体243个(微信172个,微博41个,今日头条14个,抖音16个)"
            in draft)
    assert "231个政务新媒体合格,不合格12个,合格率95.06%" in draft and "合格率78.57%" in draft
    assert "内容更新不及时的政务新媒体12个,如微信公众号“" in draft and ",抖音号“" in draft
    assert tmp_path / "out" / "合格率_2021Q1.csv" in written


def test_attachment_csvs_as_the_notice_prints_them(db_url: str, tmp_path: Path) -> None:
    engine, _ = seed_region(db_url, tmp_path)
    written = write_report(engine, "2021Q1", tmp_path / "out", xlsx=True)
    names = {p.name for p in written}
    assert "附件1_2021Q1_不合格网站名单.csv" in names and "通报_2021Q1.html" in names
    assert all(p.exists() for p in written)
    sites = read_csv(tmp_path / "out" / "附件1_2021Q1_不合格网站名单.csv")
    assert list(sites.columns) == ["序号", "网站名称", "网站标识码", "存在问题"]
    assert sites.values.tolist() == [["1", "个旧市人民政府", "5325010002", "空白栏目超过5"],
                                     ["2", "开远市人民政府", "5325020004", "空白栏目超过5"],
                                     ["3", "建水县人民政府", "5325240001", "空白栏目超过5"]]
    assert set(sites["网站标识码"]) == FAILED_Q1
    assert (tmp_path / "out" / "附件1_2021Q1_不合格网站名单.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    cols = read_csv(tmp_path / "out" / "附件2_2021Q1_存在问题栏目名单.csv")
    assert cols.values.tolist() == [["1", "州教育体育局",
                                     "首页>政府信息公开>法定主动公开内容>重点领域信息公开>红河州教育信息公开>工作动态",
                                     "监测点前2周内,栏目无信息更新"]]
    for name, header in (("附件3_2021Q1_不合格政务新媒体名单.csv", "序号,部门,政务新媒体账号,新媒体平台,存在问题"),
                         ("附件4_2021Q1_信件办理超期名单.csv", "序号,单位,超期次数,备注")):
        assert (tmp_path / "out" / name).read_text(encoding="utf-8-sig").strip() == header  # empty, with header
    book = load_workbook(tmp_path / "out" / "附件1_2021Q1_不合格网站名单.xlsx")
    assert book.active["A1"].value == "附件1 2021年一季度不合格网站名单"  # the title row over the table
    assert [c.value for c in book.active[2]] == ["序号", "网站名称", "网站标识码", "存在问题"]
    assert [c.value for c in book.active[3]] == [1, "个旧市人民政府", "5325010002", "空白栏目超过5"]
    rates_csv = read_csv(tmp_path / "out" / "合格率_2021Q1.csv")
    zhou = rates_csv[(rates_csv["行政区划代码"] == "532500") & (rates_csv["对象"] == "政府网站")
                     & (rates_csv["层级"] == "全部") & (rates_csv["类型"] == "全部")]
    assert zhou[["检查数", "不合格数", "合格率(%)"]].values.tolist() == [["14", "3", "78.57%"]]
    draft = (tmp_path / "out" / "通报_2021Q1.md").read_text(encoding="utf-8")
    assert "关于2021年一季度全州政府网站和政府系统政务新媒体检查情况的通报" in draft
    assert "2021年一季度,全州在运行政府网站14个(其中市级政府门户网站1个、县级政府门户网站13个)" in draft
    assert "11个政府网站合格,不合格3个,合格率78.6%,较上季度下降7.1个百分点" in draft
    assert "个旧市人民政府、开远市人民政府、建水县人民政府等3个网站空白栏目超过5" in draft
    assert "由州教育体育局负责维护的“政府信息公开—法定主动公开内容—重点领域信息公开—红河州教育信息公开—工作动态”栏目" in draft
    assert "本季度未检查政务新媒体" in draft
    for n, name in enumerate(["不合格网站名单", "存在问题栏目名单", "不合格政务新媒体名单", "信件办理超期名单"], 1):
        assert f"{n}. 2021年一季度{name}" in draft


def test_columns_listed_once_false_positives_left_out(db_url: str, tmp_path: Path) -> None:
    engine, _ = seed_region(db_url, tmp_path)
    base = {"period": "2021Q1", "as_of": datetime(2021, 3, 3), "target_kind": "website", "outcome": "fail",
            "observed": "", "threshold": "", "evidence": {}}
    fp = "http://www.hh.gov.cn/znyw/"
    with engine.begin() as conn:
        conn.execute(db.findings.insert(), [
            base | {"target_id": "5325000001", "indicator": "column_blank", "subject": ZHOU_COLUMN, "reason": "空白栏目"},
            base | {"target_id": "5325000001", "indicator": "column_stale", "subject": fp,
                    "reason": "监测点前2周内,栏目无信息更新"},
            base | {"target_id": "5325010002", "indicator": "column_blank", "subject": "http://www.gejiu.gov.cn/a/",
                    "reason": "空白栏目"}])
        conn.execute(db.violations.insert(), [
            {"target_kind": "website", "target_id": "5325000001", "indicator": "column_stale", "subject": fp,
             "first_seen": datetime(2021, 3, 3), "last_seen": datetime(2021, 3, 3), "review": "false_positive",
             "reason": "监测点前2周内,栏目无信息更新", "evidence": {}}])
    with engine.connect() as conn:
        cols = attachments.problem_columns(conn, "2021Q1")
        every = attachments.problem_columns(conn, "2021Q1", include_failed_sites=True)
        other_region = attachments.problem_columns(conn, "2021Q1", region="532501")
    assert cols.values.tolist() == [[1, "州教育体育局",
                                     "首页>政府信息公开>法定主动公开内容>重点领域信息公开>红河州教育信息公开>工作动态",
                                     "空白栏目；监测点前2周内,栏目无信息更新"]]
    # A column not in the registry is named by its URL, its unit by the site.
    # A discovered column has no unit: the site's 主办单位 answers for it, as the notices print it.
    assert every.values.tolist()[1] == [2, "个旧市人民政府办公室", "首页>http://www.gejiu.gov.cn/a/", "空白栏目"]
    assert other_region.empty and list(other_region.columns) == ["序号", "责任部门", "栏目名称", "问题描述"]


def test_overdue_letters_from_the_timeliness_findings(db_url: str, tmp_path: Path) -> None:
    """附件4 and the on-time rate come from letter_timeliness items: overdue letters counted per unit (the unit in the
    evidence, else the site's 主办单位), letters of other periods, other regions and false positives left out."""
    engine, _ = seed_region(db_url, tmp_path)
    base = {"as_of": datetime(2021, 3, 3), "target_kind": "website", "indicator": "letter_timeliness",
            "observed": "", "threshold": "3个工作日", "reason": "信件办理超期"}
    site_of = {"532500": "5325000001", "532524": "5325240001", "532531": "5325310001"}
    rows, n = [], 0
    for unit, region, late in OVERDUE:
        for outcome in ["fail"] * late + ["pass"]:  # the overdue letters and one answered in time
            n += 1
            rows.append(base | {"period": "2021Q1", "target_id": site_of[region], "subject": f"http://x/{n}",
                                "outcome": outcome, "evidence": {"unit": unit}})
    rows.append(base | {"period": "2020Q4", "target_id": "5325000001", "subject": "http://x/q4", "outcome": "fail",
                        "evidence": {"unit": "州交通运输局"}})
    rows.append(base | {"period": "2021Q1", "target_id": "5325000001", "subject": "http://x/fp", "outcome": "fail",
                        "evidence": {"unit": "州教育体育局"}})
    rows.append(base | {"period": "2021Q1", "target_id": "5325000001", "subject": "http://x/undated",
                        "outcome": "inconclusive", "evidence": {"unit": "州教育体育局"}})
    with engine.begin() as conn:
        conn.execute(db.findings.insert(), rows)
        conn.execute(db.violations.insert(), [{
            "target_kind": "website", "target_id": "5325000001", "indicator": "letter_timeliness",
            "subject": "http://x/fp", "first_seen": datetime(2021, 3, 3), "last_seen": datetime(2021, 3, 3),
            "review": "false_positive", "reason": "", "evidence": {}}])
    written = write_report(engine, "2021Q1", tmp_path / "out")
    letters = read_csv(tmp_path / "out" / "附件4_2021Q1_信件办理超期名单.csv")
    assert list(letters.columns) == ["序号", "单位", "超期次数", "备注"]
    assert letters.values.tolist() == [[str(i), unit, str(late), ""] for i, (unit, _, late) in enumerate(OVERDUE, 1)]
    draft = (tmp_path / "out" / "通报_2021Q1.md").read_text(encoding="utf-8")
    assert "存在超期办理网民信件的情况,如州交通运输局、州住房城乡建设局、建水县、绿春县。" in draft
    assert "已到答复时限的共13条,在规定时限内办结4条,逾期9条,时限内办结率30.8%" in draft
    on_time = read_csv(tmp_path / "out" / "按时办结率_2021Q1.csv")
    assert tmp_path / "out" / "按时办结率_2021Q1.csv" in written
    zhou = on_time[on_time["行政区划代码"] == "532500"]
    assert zhou[["信件数", "按时办结数", "超期数", "按时办结率(%)"]].values.tolist() == [["13", "4", "9", "30.77%"]]
    jianshui = on_time[on_time["行政区划代码"] == "532524"]
    assert jianshui[["信件数", "超期数"]].values.tolist() == [["2", "1"]]


def test_formula_cells_are_neutralised_and_html_escaped(sqlite_url: str, tmp_path: Path) -> None:
    engine, _ = seed_region(sqlite_url, tmp_path, extra_name='=HYPERLINK("http://x","<b>点我</b>")')
    write_report(engine, "2021Q1", tmp_path / "out", xlsx=True)
    text_ = (tmp_path / "out" / "附件2_2021Q1_存在问题栏目名单.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text_ and "\n=HYPERLINK" not in text_ and ",=HYPERLINK" not in text_
    book = load_workbook(tmp_path / "out" / "附件2_2021Q1_存在问题栏目名单.xlsx")
    cells = [c.value for row in book.active.iter_rows() for c in row]
    assert any(str(v).startswith("'=HYPERLINK") for v in cells) and not any(str(v).startswith("=") for v in cells)
    html = (tmp_path / "out" / "通报_2021Q1.html").read_text(encoding="utf-8")
    assert "<b>点我</b>" not in html and "&lt;b&gt;" in html and "\\<" not in html  # text, shown as written
    md = (tmp_path / "out" / "通报_2021Q1.md").read_text(encoding="utf-8")
    assert '\\<b\\>点我\\</b\\>' in md and "<b>" not in md  # crawled text is never markup in the Markdown draft


def test_crawled_text_never_becomes_markdown(sqlite_url: str, tmp_path: Path) -> None:
    engine, _ = seed_region(sqlite_url, tmp_path, extra_name="[点此领奖](http://evil.example/) *紧急* # 标题")
    write_report(engine, "2021Q1", tmp_path / "out")
    md = (tmp_path / "out" / "通报_2021Q1.md").read_text(encoding="utf-8")
    assert "\\[点此领奖\\](http://evil.example/) \\*紧急\\* \\# 标题" in md and "[点此领奖](" not in md
    html = (tmp_path / "out" / "通报_2021Q1.html").read_text(encoding="utf-8")
    assert "[点此领奖](http://evil.example/) *紧急* # 标题" in html and "<a " not in html
    assert [attachments.neutralise(v) for v in ("+1", "-2", "@a", "\tx", "\rx", "=1", "正常", 3)] == [
        "'+1", "'-2", "'@a", "'\tx", "'\rx", "'=1", "正常", 3]


def test_charts_render_chinese_without_missing_glyphs(sqlite_url: str, tmp_path: Path) -> None:
    engine, _ = seed_region(sqlite_url, tmp_path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        written = write_report(engine, "2021Q1", tmp_path / "out")
    pngs = [p for p in written if p.suffix == ".png"]
    assert [p.name for p in pngs] == ["合格率_2021Q1.png", "合格率趋势_2021Q1.png"]
    assert all(p.read_bytes().startswith(b"\x89PNG") and p.stat().st_size > 5000 for p in pngs)
    assert not [w for w in caught if "Glyph" in str(w.message)]


def test_missing_cjk_font_warns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(charts, "CJK_FONTS", ("/nonexistent/font.ttc",))
    with pytest.warns(UserWarning, match="no CJK font"):
        assert charts.use_cjk_font() == "DejaVu Sans"


def test_empty_period_still_writes_headers(sqlite_url: str, tmp_path: Path) -> None:
    engine, _ = seed_region(sqlite_url, tmp_path)
    written = write_report(engine, "2019Q2", tmp_path / "out", region="532500")
    for path in (p for p in written if p.name.startswith("附件")):
        assert len(read_csv(path)) == 0 and list(read_csv(path).columns)[0] == "序号"
    draft = (tmp_path / "out" / "通报_2019Q2.md").read_text(encoding="utf-8")
    # Nothing was judged: no claim that nothing was found.
    assert "本季度未检查政府网站" in draft and "未发现突出问题" not in draft
    assert not [p for p in written if p.suffix == ".png"]


def test_region_short_names() -> None:
    assert [region_short(n) for n in ("红河哈尼族彝族自治州", "四川省", "内蒙古自治区", "呼伦贝尔市", "江门市蓬江区",
                                      "鄂伦春自治旗", "阿拉善盟", "阿里地区")] == list("州省区市区旗盟区")
    assert region_short("", "") == "国"


def test_report_command_prints_each_file(sqlite_url: str, tmp_path: Path) -> None:
    engine, _ = seed_region(sqlite_url, tmp_path)
    engine.dispose()
    env = dict(os.environ, MONITOR_DATABASE_URL=sqlite_url)
    done = subprocess.run([sys.executable, "-m", "monitor.cli", "report", "--period", "2021Q1", "--out",
                           str(tmp_path / "rep"), "--region", "532500", "--xlsx"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.strip().splitlines()
    files = sorted(p for p in (tmp_path / "rep" / "2021Q1").iterdir())
    assert sorted(line.removeprefix("wrote ") for line in lines) == sorted(str(p) for p in files)
    assert len(files) == 1 + 6 * 2 + 2 + 3  # rates, 6 lists × (CSV, XLSX), 2 charts, notice md + html + docx
