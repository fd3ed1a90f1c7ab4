"""Quarterly results: rates per region and quarter, attachment CSVs, charts, draft notice."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from monitor.report import attachments
from monitor.report.cli import write_report
from monitor.report.rates import ancestors, rates, rates_pandas
from tests.report_data import FAILED_Q1, seed_region


def test_rates_roll_up_county_city_province_with_change_and_sampling(db_url: str, tmp_path: Path) -> None:
    engine, _ = seed_region(db_url, tmp_path)
    with engine.connect() as conn:
        table = rates(conn, "2021Q1")
        other = rates_pandas(conn, "2021Q1")
    pd.testing.assert_frame_equal(table, other)  # pushed-down and pandas-only agree
    web = table[(table.target_kind == "website") & (table.kind == "all")].set_index("region_code")
    zhou = web.loc["532500"]
    assert (zhou.checked, zhou.failed, zhou.qualified, zhou.running) == (14, 3, 11, 14)
    assert zhou.rate_pct == "78.57%" and round(zhou.rate * 100, 1) == 78.6  # the notice prints 78.6%
    assert zhou.sampling == 1.0
    assert zhou.prev_rate == pytest.approx(12 / 14) and zhou.change == pytest.approx(11 / 14 - 12 / 14)
    assert web.loc["530000"].checked == 14  # the province holds what its cities hold
    gejiu = web.loc["532501"]
    assert (gejiu.checked, gejiu.failed, gejiu.region_name, gejiu.region_level) == (1, 1, "个旧市", "county")
    portals = table[(table.target_kind == "website") & (table.kind == "portal")].set_index("region_code")
    assert portals.loc["532500"].checked == 14
    assert ancestors("532501") == ["532501", "532500", "530000"]


def test_attachment_csvs_as_the_notice_prints_them(db_url: str, tmp_path: Path) -> None:
    engine, scenario = seed_region(db_url, tmp_path)
    written = write_report(engine, "2021Q1", tmp_path / "out", xlsx=True)
    names = {p.name for p in written}
    assert "附件1_2021Q1_不合格网站名单.csv" in names and "通报_2021Q1.html" in names
    sites = pd.read_csv(tmp_path / "out" / "附件1_2021Q1_不合格网站名单.csv", encoding="utf-8-sig", dtype=str)
    assert list(sites.columns) == ["序号", "网站名称", "网站标识码", "存在问题"]
    assert set(sites["网站标识码"]) == FAILED_Q1
    assert set(sites["网站名称"]) == {"个旧市人民政府", "开远市人民政府", "建水县人民政府"}
    assert set(sites["存在问题"]) == {"空白栏目超过5"}
    assert (tmp_path / "out" / "附件1_2021Q1_不合格网站名单.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    cols = pd.read_csv(tmp_path / "out" / "附件2_2021Q1_存在问题栏目名单.csv", encoding="utf-8-sig", dtype=str)
    assert cols.values.tolist() == [["1", "州教育体育局",
                                     "首页>政府信息公开>法定主动公开内容>重点领域信息公开>红河州教育信息公开>工作动态",
                                     "监测点前2周内,栏目无信息更新"]]
    for name, header in (("附件3_2021Q1_不合格政务新媒体名单.csv", "序号,部门,账号,平台,存在问题"),
                         ("附件4_2021Q1_信件办理超期名单.csv", "序号,单位,超期次数")):
        assert (tmp_path / "out" / name).read_text(encoding="utf-8-sig").strip() == header  # empty, with header
    book = load_workbook(tmp_path / "out" / "附件1_2021Q1_不合格网站名单.xlsx")
    assert [c.value for c in book.active[1]] == ["序号", "网站名称", "网站标识码", "存在问题"]
    draft = (tmp_path / "out" / "通报_2021Q1.md").read_text(encoding="utf-8")
    assert "在运行政府网站14个,其中11个合格、3个不合格,合格率78.6%" in draft
    assert "个旧市人民政府、开远市人民政府、建水县人民政府等3个网站空白栏目超过5" in draft
    assert "州教育体育局" in draft and "红河哈尼族彝族自治州" in draft


def test_formula_cells_are_neutralised_and_html_escaped(sqlite_url: str, tmp_path: Path) -> None:
    engine, _ = seed_region(sqlite_url, tmp_path, extra_name='=HYPERLINK("http://x","<b>点我</b>")')
    write_report(engine, "2021Q1", tmp_path / "out")
    text = (tmp_path / "out" / "附件2_2021Q1_存在问题栏目名单.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text
    html = (tmp_path / "out" / "通报_2021Q1.html").read_text(encoding="utf-8")
    assert "<b>点我</b>" not in html and "&lt;b&gt;" in html
    assert [attachments.neutralise(v) for v in ("+1", "-2", "@a", "\tx", "正常", 3)] == ["'+1", "'-2", "'@a", "'\tx", "正常", 3]


def test_charts_render_chinese_without_missing_glyphs(sqlite_url: str, tmp_path: Path) -> None:
    engine, _ = seed_region(sqlite_url, tmp_path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        written = write_report(engine, "2021Q1", tmp_path / "out")
    pngs = [p for p in written if p.suffix == ".png"]
    assert len(pngs) == 2 and all(p.stat().st_size > 5000 for p in pngs)
    assert not [w for w in caught if "Glyph" in str(w.message)]
