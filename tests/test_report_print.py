"""Attachments that print and charts people read: the XLSX lists as the notices print them on A4, CSV headers and
region names in Chinese, the rates chart at every level, the trend chart only where there are two quarters."""

from __future__ import annotations

import subprocess
import warnings
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import delete

from monitor import db
from monitor.report import attachments, charts, letters
from monitor.report.cli import RATE_HEADERS, write_report
from monitor.report.rates import rates, region_names
from tests.report_data import seed_region

PERIOD = "2021Q1"
DEPARTMENT = "5325000101"  # a city-level department site (州直部门), added to the demo's portals
LONG_URL = "http://www.hh.gov.cn/" + "xxgk/" * 30  # a page address far wider than any sensible column


def add_department(engine, failed: bool = False) -> None:
    """州财政局's site under the 州 portal, judged in 2021Q1."""
    with engine.begin() as conn:
        conn.execute(db.websites.insert(), [{
            "site_code": DEPARTMENT, "name": "红河州财政局", "homepage": "http://czj.hh.gov.cn/",
            "region_code": "532500", "region_name": "红河哈尼族彝族自治州", "level": "city", "kind": "department",
            "sponsor": "红河州财政局", "parent_site_code": "5325000001", "active": True, "source": "test"}])
        as_of = datetime(2021, 3, 3)
        conn.execute(db.verdicts.insert(), [{
            "period": PERIOD, "as_of": as_of, "target_kind": "website", "target_id": DEPARTMENT,
            "region_code": "532500", "result": "不合格" if failed else "合格", "veto": failed, "score": None,
            "bonus": None, "reasons": "空白栏目超过5" if failed else "", "evaluated_at": as_of}])


def written_lists(url: str, tmp_path: Path, notes: dict[str, str] | None = None) -> list[Path]:
    engine, _ = seed_region(url, tmp_path)
    with engine.begin() as conn:  # a 待定 site whose unreadable page is a long URL: a column that must wrap
        conn.execute(db.findings.insert(), [{
            "period": PERIOD, "as_of": datetime(2021, 3, 3), "target_kind": "website", "target_id": "5325030001",
            "indicator": "column_blank", "subject": LONG_URL, "outcome": "inconclusive", "observed": "",
            "threshold": "", "reason": "页面无法读取", "evidence": {}}])
        conn.execute(db.verdicts.update().where(db.verdicts.c.target_id == "5325030001",
                                                db.verdicts.c.period == PERIOD)
                     .values(result="待定", reasons="无法判定"))
        frames = attachments.attachments(conn, PERIOD, "532500")
    return attachments.write(frames, tmp_path / "out", PERIOD, xlsx=True, notes=notes)


def test_xlsx_prints_on_a4_with_title_fitted_columns_and_notes(sqlite_url: str, tmp_path: Path) -> None:
    note = "注:数据采样时间为2月18日—3月31日"
    written = written_lists(sqlite_url, tmp_path, notes={"不合格网站名单": note})
    books = [p for p in written if p.suffix == ".xlsx"]
    assert len(books) == 6 and all(p.with_suffix(".csv") in written for p in books)
    for n, path in enumerate(books, start=1):
        ws = load_workbook(path).active
        name = path.stem.split("_", 2)[2]
        header = attachments.HEADERS[name]
        last = chr(ord("A") + len(header) - 1)
        assert ws["A1"].value == f"附件{n} 2021年一季度{name}" and ws["A1"].font.b
        assert f"A1:{last}1" in {str(r) for r in ws.merged_cells.ranges}  # the title over the whole table
        assert [c.value for c in ws[2]] == header
        assert all(c.font.b and c.border.left.style == "thin" and c.border.bottom.style == "thin" for c in ws[2])
        rows = len(pd.read_csv(path.with_suffix(".csv"), encoding="utf-8-sig"))
        table = list(ws.iter_rows(min_row=2, max_row=2 + rows, max_col=len(header)))
        for i in range(len(header)):
            column = ws.column_dimensions[chr(ord("A") + i)]
            longest = max(attachments.display_width(row[i].value) for row in table if row[i].value is not None)
            # No column narrower than its widest cell, up to the cap: wider cells wrap within the page.
            assert min(longest, attachments.COLUMN_CAP) <= column.width <= attachments.COLUMN_CAP
        assert all(c.alignment.wrap_text for row in table for c in row)
        assert ws.freeze_panes == "A3"
        assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4 == "9"
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0) and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == "$2:$2"
        widths = sum(ws.column_dimensions[chr(ord("A") + i)].width for i in range(len(header)))
        assert ws.page_setup.orientation == ("portrait" if widths <= attachments.PORTRAIT_WIDTH else "landscape")
        if n == 1:  # the note sits below the table, across it
            at = len(table) + 2
            assert ws.cell(row=at, column=1).value == note and f"A{at}:{last}{at}" in {
                str(r) for r in ws.merged_cells.ranges}
        else:
            assert ws.max_row == len(table) + 1
    pending = load_workbook(tmp_path / "out" / "附件5_2021Q1_待复核网站名单.xlsx").active
    assert pending.column_dimensions["F"].width == attachments.COLUMN_CAP  # the long URL: capped, wrapped
    assert pending.page_setup.orientation == "landscape"  # six columns, one of them capped: too wide for portrait
    assert load_workbook(books[3]).active.page_setup.orientation == "portrait"  # 序号, 单位, 超期次数, 备注
    # The CSV next to it is one header and its rows: no title, no note.
    csv = pd.read_csv(tmp_path / "out" / "附件1_2021Q1_不合格网站名单.csv", encoding="utf-8-sig", dtype=str)
    assert list(csv.columns) == attachments.HEADERS["不合格网站名单"] and len(csv) == 3


def test_display_width_counts_chinese_as_two() -> None:
    assert [attachments.display_width(v) for v in ("abc", "网站名称", "5325010002", "（注）", 12)] == [3, 8, 10, 6, 2]


def test_csv_headers_are_chinese_and_regions_named(sqlite_url: str, tmp_path: Path) -> None:
    engine, _ = seed_region(sqlite_url, tmp_path)
    with engine.begin() as conn:  # an account of a region the website registry does not name
        conn.execute(db.accounts.insert(), [{"platform": "微信公众号", "account": "gjxw", "name": "个旧新闻",
                                             "owner_unit": "个旧市融媒体中心", "region_code": "532501",
                                             "active": True, "source": "test"}])
        conn.execute(delete(db.regions).where(db.regions.c.code.in_(["530000", "532501"])))
        names = region_names(conn)
        table = rates(conn, PERIOD)
    # The province the rates roll up to and the account's region: GB/T 2260's names where the registry has none.
    assert names["530000"] == "云南省" and names["532501"] == "个旧市"
    assert not table["region_name"].str.fullmatch(r"\d+").any()
    for header in [*RATE_HEADERS.values(), *letters.RATE_HEADERS.values(),
                   *(h for hs in attachments.HEADERS.values() for h in hs)]:
        assert not header.isascii(), header


def test_every_csv_of_the_report_has_chinese_headers(sqlite_url: str, tmp_path: Path) -> None:
    engine, _ = seed_region(sqlite_url, tmp_path)
    with engine.begin() as conn:  # one overdue letter, so that the on-time CSV is written too
        conn.execute(db.findings.insert(), [{
            "period": PERIOD, "as_of": datetime(2021, 3, 3), "target_kind": "website", "target_id": "5325010002",
            "indicator": "letter_timeliness", "subject": "http://x/1", "outcome": "fail", "observed": "",
            "threshold": "3个工作日", "reason": "信件办理超期", "evidence": {"unit": "个旧市"}}])
    written = [p for p in write_report(engine, PERIOD, tmp_path / "out") if p.suffix == ".csv"]
    assert {p.name.split("_")[0] for p in written} >= {"合格率", "按时办结率", "附件1", "附件6"}
    for path in written:
        csv = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        assert not [h for h in csv.columns if h.isascii()], path.name
        if "地区" in csv.columns:  # every region named, never a bare code
            assert csv["地区"].str.fullmatch(r"[^\d]+").all(), path.name


def test_rates_chart_shows_every_level(sqlite_url: str, tmp_path: Path) -> None:
    engine, _ = seed_region(sqlite_url, tmp_path)
    add_department(engine, failed=True)
    with engine.connect() as conn:
        table = rates(conn, PERIOD)
    rows = charts.level_rows(table, PERIOD, "532500")
    # The 州's own portal and its departments first, then each county-level region with all its sites.
    assert rows["label"].tolist()[:2] == ["市级政府门户网站", "市级部门网站"]
    assert rows["label"].tolist()[2:6] == ["个旧市", "开远市", "蒙自市", "弥勒市"] and len(rows) == 2 + 13
    dept = rows.iloc[1]
    assert (dept.judged, dept.qualified) == (1, 0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = charts.write_charts(table, table, PERIOD, "532500", tmp_path)
    assert [p.name for p in out] == ["合格率_2021Q1.png"]  # one quarter of data: no trend chart
    assert not [w for w in caught if "Glyph" in str(w.message)]
    assert out[0].read_bytes().startswith(b"\x89PNG")


def test_rate_labels_stay_inside_the_plot(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every bar's label lies within the axes (a 100 % bar's inside the bar, a short one's right of it)."""
    engine, _ = seed_region(sqlite_url, tmp_path)
    with engine.connect() as conn:
        rows = charts.level_rows(rates(conn, PERIOD), PERIOD, "532500")
    figures = []
    monkeypatch.setattr(charts, "_save", lambda fig, path: figures.append(fig) or path)
    charts.rate_bars(rows, tmp_path / "x.png", "t")
    fig = figures[0]
    fig.canvas.draw()
    ax = fig.axes[0]
    box = ax.get_window_extent()
    labels = [t for t in ax.texts if "(" in t.get_text()]
    assert len(labels) == len(rows)
    for t in labels:
        extent = t.get_window_extent()
        assert box.x0 - 1 <= extent.x0 and extent.x1 <= box.x1 + 1, t.get_text()
    charts.plt.close(fig)


def test_trend_chart_only_with_two_quarters_of_data(sqlite_url: str, tmp_path: Path) -> None:
    engine, _ = seed_region(sqlite_url, tmp_path)
    with engine.connect() as conn:
        table = rates(conn, PERIOD)
        history = pd.concat([rates(conn, p, with_previous=False) for p in ("2020Q3", "2020Q4", PERIOD)])
    assert charts.quarters_with_data(history) == ["2020Q4", PERIOD]
    both = charts.write_charts(table, history, PERIOD, "532500", tmp_path / "two")
    assert [p.name for p in both] == ["合格率_2021Q1.png", "合格率趋势_2021Q1.png"]
    # 2020Q4 all 待定: a quarter with verdicts but nothing judged is no point on a trend.
    with engine.begin() as conn:
        conn.execute(db.verdicts.update().where(db.verdicts.c.period == "2020Q4").values(result="待定"))
    with engine.connect() as conn:
        history = pd.concat([rates(conn, p, with_previous=False) for p in ("2020Q4", PERIOD)])
    one = charts.write_charts(table, history, PERIOD, "532500", tmp_path / "one")
    assert [p.name for p in one] == ["合格率_2021Q1.png"] and not (tmp_path / "one" / "合格率趋势_2021Q1.png").exists()


def test_libreoffice_prints_every_column(sqlite_url: str, tmp_path: Path) -> None:
    """LibreOffice converts the widest list to PDF on A4, every header on the page (no column cut off). LibreOffice
    Calc and pdftotext are installed by scripts/setup.sh (libreoffice-calc-nogui, poppler-utils)."""
    written_lists(sqlite_url, tmp_path)
    book = tmp_path / "out" / "附件5_2021Q1_待复核网站名单.xlsx"
    done = subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"),
                           str(book)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    pdf = tmp_path / "pdf" / f"{book.stem}.pdf"
    text = subprocess.run(["pdftotext", "-layout", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert all(h in text for h in attachments.HEADERS["待复核网站名单"])
