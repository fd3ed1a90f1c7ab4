"""The notice's attachment lists, as the notices print them (附件1–4), one CSV each.

CSV files are UTF-8 with a BOM so that Excel shows the Chinese; an empty list still has its header. Crawled text
(titles, names) must never become a spreadsheet formula: a cell starting with = + - @ (or a tab or carriage return)
gets a leading apostrophe. XLSX copies are written on request.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import and_, inspect, select
from sqlalchemy.engine import Connection

from monitor import db

COLUMN_INDICATORS = ("column_stale", "column_blank")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

HEADERS = {
    "不合格网站名单": ["序号", "网站名称", "网站标识码", "存在问题"],
    "存在问题栏目名单": ["序号", "责任部门", "栏目名称", "问题描述"],
    "不合格政务新媒体名单": ["序号", "部门", "账号", "平台", "存在问题"],
    "信件办理超期名单": ["序号", "单位", "超期次数"],
}


def neutralise(value: object) -> object:
    """A cell that a spreadsheet would read as a formula, made plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _in_region(code_col, region: str | None):
    if not region:
        return True
    prefix = region[:2] if region.endswith("0000") else region[:4] if region.endswith("00") else region
    return code_col.like(f"{prefix}%")


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


def problem_columns(conn: Connection, period: str, region: str | None = None) -> pd.DataFrame:
    """Failing columns of sites that are not themselves 不合格 (those are named whole in 附件1), with the unit
    responsible; false positives left out."""
    f, v, c, w, vi = db.findings, db.verdicts, db.site_columns, db.websites, db.violations
    query = (select(f.c.target_id, f.c.subject, f.c.reason, c.c.unit, c.c.path, c.c.name, w.c.name.label("site"))
             .join(v, and_(v.c.period == f.c.period, v.c.target_kind == f.c.target_kind,
                           v.c.target_id == f.c.target_id))
             .join(w, w.c.site_code == f.c.target_id)
             .join(c, and_(c.c.site_code == f.c.target_id, c.c.url == f.c.subject), isouter=True)
             .join(vi, and_(vi.c.target_kind == f.c.target_kind, vi.c.target_id == f.c.target_id,
                            vi.c.indicator == f.c.indicator, vi.c.subject == f.c.subject), isouter=True)
             .where(f.c.period == period, f.c.target_kind == "website", f.c.indicator.in_(COLUMN_INDICATORS),
                    f.c.subject != "", f.c.outcome == "fail", v.c.result != "不合格",
                    (vi.c.review.is_(None)) | (vi.c.review != "false_positive"), _in_region(w.c.region_code, region))
             .order_by(w.c.region_code, f.c.target_id, f.c.subject))
    rows = [[r.unit or r.site, r.path or f"首页>{r.name or r.subject}", r.reason] for r in conn.execute(query)]
    return _frame("存在问题栏目名单", rows)


def failed_accounts(conn: Connection, period: str, region: str | None = None) -> pd.DataFrame:
    v, a = db.verdicts, db.accounts
    key = a.c.platform + ":" + a.c.account
    query = (select(a.c.owner_unit, a.c.name, a.c.platform, v.c.reasons)
             .join(v, v.c.target_id == key)
             .where(v.c.period == period, v.c.target_kind == "account", v.c.result == "不合格",
                    _in_region(a.c.region_code, region))
             .order_by(a.c.region_code, a.c.platform, a.c.name))
    return _frame("不合格政务新媒体名单", [[r.owner_unit, r.name, r.platform, r.reasons] for r in conn.execute(query)])


def overdue_letters(conn: Connection, period: str, region: str | None = None) -> pd.DataFrame:
    """Units with letters answered late (or not yet answered past their due date) in the period.

    Letters are collected by later work into a table `letters` (unit, region_code, received_at, due_at,
    answered_at); until it exists the list is empty, with its header.
    """
    if not inspect(conn).has_table("letters"):
        return _frame("信件办理超期名单", [])
    year, q = int(period[:4]), int(period[5])
    start, end = datetime(year, 3 * q - 2, 1), datetime(year + (q == 4), (3 * q) % 12 + 1, 1)
    rows = conn.exec_driver_sql(
        "SELECT unit, COUNT(*) FROM letters WHERE due_at >= :start AND due_at < :end "
        "AND (answered_at IS NULL OR answered_at > due_at) GROUP BY unit ORDER BY COUNT(*) DESC, unit",
        {"start": start, "end": end}).all()
    return _frame("信件办理超期名单", [[unit, n] for unit, n in rows])


def attachments(conn: Connection, period: str, region: str | None = None) -> dict[str, pd.DataFrame]:
    return {"不合格网站名单": failed_websites(conn, period, region),
            "存在问题栏目名单": problem_columns(conn, period, region),
            "不合格政务新媒体名单": failed_accounts(conn, period, region),
            "信件办理超期名单": overdue_letters(conn, period, region)}


def write(frames: dict[str, pd.DataFrame], out: Path, period: str, xlsx: bool = False) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for n, (name, frame) in enumerate(frames.items(), start=1):
        safe = frame.map(neutralise)
        path = out / f"附件{n}_{period}_{name}.csv"
        safe.to_csv(path, index=False, encoding="utf-8-sig")
        written.append(path)
        if xlsx:
            path = path.with_suffix(".xlsx")
            safe.to_excel(path, index=False, sheet_name=name)
            written.append(path)
    return written
