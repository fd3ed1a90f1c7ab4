"""The notice's attachment lists, as the notices print them (附件1–4), one CSV each, and the 待复核 lists (附件5 sites,
附件6 new-media accounts): what the product could not judge this quarter, shown apart and never counted as 合格 or
不合格.

CSV files are UTF-8 with a BOM so that Excel shows the Chinese; an empty list still has its header. Crawled text
(titles, names) must never become a spreadsheet formula: a cell starting with = + - @ (or a tab or carriage return)
gets a leading apostrophe. XLSX copies are written on request.

附件4 (信件办理超期名单) counts, per unit, the letters the period's evaluation found answered after their working-day
deadline or not at all (monitor/report/letters.py).
"""

from __future__ import annotations

from pathlib import Path
from unicodedata import east_asian_width

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from sqlalchemy import and_, select, true
from sqlalchemy.engine import Connection

from monitor import db
from monitor.cells import neutralise
from monitor.report.files import atomic
from monitor.report.letters import letter_outcomes, overdue_units
from monitor.report.rates import region_prefix

# Indicators whose findings name a column (subject = the column URL); their site-level finding has subject ''.
COLUMN_INDICATORS = ("column_stale", "column_blank")
PLATFORM_ORDER = ("微信", "微博", "今日头条", "抖音")

HEADERS = {
    "不合格网站名单": ["序号", "网站名称", "网站标识码", "存在问题"],
    "存在问题栏目名单": ["序号", "责任部门", "栏目名称", "问题描述"],
    "不合格政务新媒体名单": ["序号", "部门", "政务新媒体账号", "新媒体平台", "存在问题"],
    "信件办理超期名单": ["序号", "单位", "超期次数", "备注"],
    "待复核网站名单": ["序号", "网站名称", "网站标识码", "主办单位", "待定原因", "未能判定的页面"],
    "待复核政务新媒体名单": ["序号", "部门", "政务新媒体账号", "新媒体平台", "账号标识", "待定原因"],
}
PENDING_PAGES = 5  # pages named per 待定 site; the rest are in the findings table
# XLSX layout, in Excel's column-width units (about one Latin character; a Chinese one takes 2).
COLUMN_CAP = 60  # wider cells wrap: a page-wide column of URLs would shrink the whole table to unreadable
COLUMN_PAD = 2
PORTRAIT_WIDTH = 100  # what fits across A4 portrait at a readable scale; wider tables print landscape


def _in_region(code_col, region: str | None):
    return true() if not region else code_col.like(f"{region_prefix(region)}%")


def _frame(name: str, rows: list[list[object]]) -> pd.DataFrame:
    header = HEADERS[name]
    return pd.DataFrame([[i + 1, *row] for i, row in enumerate(rows)], columns=header)


def failed_websites(conn: Connection, period: str, region: str | None = None) -> pd.DataFrame:
    v, w = db.verdicts, db.websites
    query = (select(w.c.name, w.c.site_code, v.c.reasons)
             .join(w, w.c.site_code == v.c.target_id)
             .where(v.c.period == period, v.c.target_kind == "website", v.c.result == "不合格",
                    _in_region(w.c.region_code, region))
             .order_by(w.c.region_code, w.c.site_code))
    return _frame("不合格网站名单", [[r.name, r.site_code, r.reasons] for r in conn.execute(query)])


def problem_columns(conn: Connection, period: str, region: str | None = None,
                    include_failed_sites: bool = False) -> pd.DataFrame:
    """Failing columns with the unit responsible (a discovered column without a unit: the site's 主办单位, as the
    notices print it), each column once (its problems joined with '；'); findings whose
    violation a reviewer marked false_positive are left out. Columns of sites that are themselves 不合格 are named
    whole in 附件1 and left out here unless include_failed_sites (the notices list the others' columns)."""
    f, v, c, w, vi = db.findings, db.verdicts, db.site_columns, db.websites, db.violations
    query = (select(f.c.target_id, f.c.subject, f.c.reason, c.c.unit, c.c.path, c.c.name, w.c.name.label("site"),
                    w.c.sponsor)
             .join(v, and_(v.c.period == f.c.period, v.c.target_kind == f.c.target_kind,
                           v.c.target_id == f.c.target_id))
             .join(w, w.c.site_code == f.c.target_id)
             .join(c, and_(c.c.site_code == f.c.target_id, c.c.url == f.c.subject), isouter=True)
             .join(vi, and_(vi.c.target_kind == f.c.target_kind, vi.c.target_id == f.c.target_id,
                            vi.c.indicator == f.c.indicator, vi.c.subject == f.c.subject), isouter=True)
             .where(f.c.period == period, f.c.target_kind == "website", f.c.indicator.in_(COLUMN_INDICATORS),
                    f.c.subject != "", f.c.outcome == "fail",
                    true() if include_failed_sites else v.c.result != "不合格",
                    (vi.c.review.is_(None)) | (vi.c.review != "false_positive"), _in_region(w.c.region_code, region))
             .order_by(w.c.region_code, f.c.target_id, f.c.subject, f.c.indicator))
    columns: dict[tuple[str, str], list] = {}
    for r in conn.execute(query):
        row = columns.setdefault((r.target_id, r.subject),
                                 [r.unit or r.sponsor or r.site, r.path or f"首页>{r.name or r.subject}", []])
        if r.reason and r.reason not in row[2]:
            row[2].append(r.reason)
    return _frame("存在问题栏目名单", [[unit, path, "；".join(reasons)] for unit, path, reasons in columns.values()])


def platform_rank(platform: str) -> tuple[int, str]:
    """The notices list 微信 first, then 微博, 今日头条, 抖音, then the others."""
    for rank, prefix in enumerate(PLATFORM_ORDER):
        if platform.startswith(prefix):
            return rank, platform
    return len(PLATFORM_ORDER), platform


def failed_accounts(conn: Connection, period: str, region: str | None = None) -> pd.DataFrame:
    """Failing accounts per platform (微信, 微博, 今日头条, 抖音, others), within a platform in the registry's order —
    the order the office keeps its list in, and the notices print."""
    v, a = db.verdicts, db.accounts
    key = a.c.platform + ":" + a.c.account
    query = (select(a.c.id, a.c.owner_unit, a.c.name, a.c.platform, a.c.account, a.c.region_code, v.c.reasons)
             .join(v, v.c.target_id == key)
             .where(v.c.period == period, v.c.target_kind == "account", v.c.result == "不合格",
                    _in_region(a.c.region_code, region)))
    # Sorted here, not by the database: Chinese text sorts differently under each server collation.
    rows = sorted(conn.execute(query), key=lambda r: (platform_rank(r.platform), r.id))
    return _frame("不合格政务新媒体名单", [[r.owner_unit, r.name, r.platform, r.reasons] for r in rows])


def overdue_letters(conn: Connection, period: str, region: str | None = None) -> pd.DataFrame:
    """Units with letters answered after their working-day deadline, or not at all, as the period's evaluation found
    them (monitor/report/letters.py)."""
    return _frame("信件办理超期名单", [[unit, n, ""] for unit, n in overdue_units(letter_outcomes(conn, period, region))])


def pending_websites(conn: Connection, period: str, region: str | None = None) -> pd.DataFrame:
    """Sites whose verdict is 待定: what could not be judged and which pages could not be read, for a re-check.
    They are counted neither as 合格 nor as 不合格."""
    v, w, f = db.verdicts, db.websites, db.findings
    query = (select(w.c.name, w.c.site_code, w.c.sponsor, v.c.reasons)
             .join(w, w.c.site_code == v.c.target_id)
             .where(v.c.period == period, v.c.target_kind == "website", v.c.result == "待定",
                    _in_region(w.c.region_code, region))
             .order_by(w.c.region_code, w.c.site_code))
    sites = conn.execute(query).all()
    pages: dict[str, list[str]] = {s.site_code: [] for s in sites}
    unsure = (select(f.c.target_id, f.c.subject, f.c.reason)
              .where(f.c.period == period, f.c.target_kind == "website", f.c.outcome == "inconclusive",
                     f.c.subject != "", f.c.target_id.in_(list(pages)))
              .order_by(f.c.target_id, f.c.subject))
    for r in conn.execute(unsure):
        if len(pages[r.target_id]) < PENDING_PAGES and r.subject.startswith(("http://", "https://")):
            pages[r.target_id].append(f"{r.subject}({r.reason})" if r.reason else r.subject)
    return _frame("待复核网站名单", [[s.name, s.site_code, s.sponsor, s.reasons, "；".join(pages[s.site_code])]
                                  for s in sites])


def pending_accounts(conn: Connection, period: str, region: str | None = None) -> pd.DataFrame:
    """Accounts whose verdict is 待定 (a login wall, a captcha, a deleted page, no reading in the window …), with the
    reasons of their inconclusive findings: neither 合格 nor 不合格 until re-checked."""
    v, a, f = db.verdicts, db.accounts, db.findings
    key = a.c.platform + ":" + a.c.account
    query = (select(a.c.owner_unit, a.c.name, a.c.platform, a.c.account, a.c.region_code, v.c.target_id, v.c.reasons)
             .join(v, v.c.target_id == key)
             .where(v.c.period == period, v.c.target_kind == "account", v.c.result == "待定",
                    _in_region(a.c.region_code, region)))
    rows = sorted(conn.execute(query), key=lambda r: (platform_rank(r.platform), r.region_code, r.account))
    why: dict[str, list[str]] = {r.target_id: [] for r in rows}
    unsure = (select(f.c.target_id, f.c.reason).where(
        f.c.period == period, f.c.target_kind == "account", f.c.outcome.in_(("inconclusive", "error")),
        f.c.target_id.in_(list(why))).order_by(f.c.target_id, f.c.indicator))
    for r in conn.execute(unsure):
        if r.reason and r.reason not in why[r.target_id]:
            why[r.target_id].append(r.reason)
    return _frame("待复核政务新媒体名单", [[r.owner_unit, r.name, r.platform, r.account,
                                     "；".join(why[r.target_id]) or r.reasons] for r in rows])


def attachments(conn: Connection, period: str, region: str | None = None) -> dict[str, pd.DataFrame]:
    return {"不合格网站名单": failed_websites(conn, period, region),
            "存在问题栏目名单": problem_columns(conn, period, region),
            "不合格政务新媒体名单": failed_accounts(conn, period, region),
            "信件办理超期名单": overdue_letters(conn, period, region),
            "待复核网站名单": pending_websites(conn, period, region),
            "待复核政务新媒体名单": pending_accounts(conn, period, region)}


def display_width(value: object) -> int:
    """Columns a cell's text takes in a spreadsheet: East-Asian wide and full-width characters count 2."""
    return sum(2 if east_asian_width(ch) in "WF" else 1 for ch in str(value))


def _cells(frame: pd.DataFrame) -> list[list[object]]:
    """The rows as plain Python values (no NaN, no numpy scalars) for openpyxl."""
    return [[None if pd.isna(v) else v.item() if hasattr(v, "item") else v for v in row]
            for row in frame.itertuples(index=False)]


def write_xlsx(frame: pd.DataFrame, path: Path, sheet: str, title: str, note: str = "") -> Path:
    """One attachment as a sheet that prints on A4 as the notices print it: its title over the table, a bold
    bordered header repeated on every page, columns fitted to the Chinese text (capped, then wrapped), the header
    frozen, portrait or landscape by the table's width and scaled to the page width; the 注 line below the table."""
    book = Workbook()
    ws = book.active
    ws.title = sheet[:31]  # Excel's limit
    ncols = len(frame.columns)
    last = get_column_letter(ncols)
    ws.append([title])
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[1].height = 30
    rows = _cells(frame)
    ws.append(list(frame.columns))
    for row in rows:
        ws.append(row)
    edge = Side(style="thin")
    box = Border(left=edge, right=edge, top=edge, bottom=edge)
    for n, row in enumerate(ws.iter_rows(min_row=2, max_row=len(rows) + 2, max_col=ncols)):
        for cell in row:
            cell.border = box
            cell.alignment = Alignment(wrap_text=True, vertical="center",
                                       horizontal="center" if n == 0 or cell.column == 1 else "left")
            if n == 0:
                cell.font = Font(bold=True)
    widths = [min(COLUMN_CAP, max(display_width(v) for v in [header, *(r[i] for r in rows if r[i] is not None)])
                  + COLUMN_PAD) for i, header in enumerate(frame.columns)]
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    if note:
        at = len(rows) + 3
        ws.cell(row=at, column=1, value=note).alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(f"A{at}:{last}{at}")
    ws.freeze_panes = "A3"  # title and header stay in view
    ws.print_title_rows = "2:2"  # the header on every printed page
    setup = ws.page_setup
    setup.paperSize = ws.PAPERSIZE_A4
    setup.orientation = "portrait" if sum(widths) <= PORTRAIT_WIDTH else "landscape"
    setup.fitToWidth, setup.fitToHeight = 1, 0  # one page wide, as many pages long as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(left=0.6, right=0.6, top=0.8, bottom=0.8, header=0.3, footer=0.3)
    ws.print_options.horizontalCentered = True
    with atomic(path) as tmp:
        book.save(tmp)
    return path


def title(number: int, period: str, name: str) -> str:
    """附件1 2021年一季度不合格网站名单 — the attachment's heading as the notices print it."""
    from monitor.report.notice import quarter_label  # notice imports this module: imported when first needed

    return f"附件{number} {quarter_label(period)}{name}"


def write(frames: dict[str, pd.DataFrame], out: Path, period: str, xlsx: bool = False,
          notes: dict[str, str] | None = None) -> list[Path]:
    """附件N_<period>_<name>.csv per list (and .xlsx on request); `notes` gives a list its 注 line (the XLSX prints it
    below the table; a CSV stays one header and its rows, for programs that read it)."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for n, (name, frame) in enumerate(frames.items(), start=1):
        safe = frame.map(neutralise)
        path = out / f"附件{n}_{period}_{name}.csv"
        with atomic(path) as tmp:
            safe.to_csv(tmp, index=False, encoding="utf-8-sig")
        written.append(path)
        if xlsx:
            note = str(neutralise((notes or {}).get(name, "")))
            written.append(write_xlsx(safe, path.with_suffix(".xlsx"), name, title(n, period, name), note))
    return written
