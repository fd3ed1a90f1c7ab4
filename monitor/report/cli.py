"""`govmon report`: everything for one period into one folder — rates, attachment CSVs, charts, draft notice."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

from monitor import db
from monitor.config import add_database_argument, database_url, setting
from monitor.periods import last_quarters
from monitor.registry import parent_region
from monitor.report import attachments, charts, letters, notice, notice_docx
from monitor.report.files import atomic, write_failure, write_text
from monitor.report.rates import rates, region_names, within
from monitor.workdays import calendar_from_setting

RATE_HEADERS = {"period": "季度", "target_kind": "对象", "level": "层级", "kind": "类型", "region_code": "行政区划代码",
                "region_name": "地区", "region_level": "地区层级", "checked": "检查数", "qualified": "合格数",
                "failed": "不合格数", "pending": "待定数", "judged": "已判定数", "rate": "合格率",
                "rate_pct": "合格率(%)", "running": "在运行数", "sampling": "抽查比例", "prev_rate": "上季度合格率",
                "change": "变化"}


# The rates CSV's codes as the notices word them (the table itself keeps the codes, for code that reads it).
RATE_VALUES = {
    "target_kind": {"website": "政府网站", "account": "政务新媒体"},
    "level": {"all": "全部", "province": "省级", "city": "市级", "county": "县级"},
    "kind": {"all": "全部", "portal": "政府门户网站", "department": "部门网站"},
    "region_level": {"province": "省级", "city": "市级", "county": "县级", "country": "全国"},
}


def rates_for_people(table: pd.DataFrame) -> pd.DataFrame:
    """The rates table with Chinese headers and values (platform kinds are already Chinese labels)."""
    table = table.copy()
    for column, names in RATE_VALUES.items():
        if column in table:
            table[column] = table[column].map(lambda v, names=names: names.get(v, v))
    return table.rename(columns=RATE_HEADERS).map(attachments.neutralise)


def report_region(engine: Engine, period: str) -> str:
    """The top region of the verdicts of a period (the province, else the city, else the county)."""
    with engine.connect() as conn:
        codes = [c for (c,) in conn.execute(select(db.verdicts.c.region_code).where(db.verdicts.c.period == period)
                                            .distinct())]
    if not codes:
        return ""
    if len(set(codes)) == 1:
        return codes[0]
    if len({c[:4] for c in codes}) == 1:
        return codes[0][:4] + "00"
    if len({c[:2] for c in codes}) == 1:
        return codes[0][:2] + "0000"
    return ""  # several provinces: the whole country


def write_report(engine: Engine, period: str, out: Path, region: str | None = None, xlsx: bool = False,
                 decimals: int = 1, issuer: str = "", notice_date: date | None = None,
                 notice_file: str | None = None) -> list[Path]:
    """Rates CSV, the four attachment lists (CSV, and XLSX on request), charts and the notice of a period (Markdown,
    HTML, Word; dated `notice_date`, default today; header fields from `notice_file`, default the setting
    MONITOR_NOTICE_FILE) into `out`; returns the files written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    region = region or report_region(engine, period)
    written: list[Path] = []
    with engine.connect() as conn:
        table = rates(conn, period)
        names = region_names(conn)
        frames = attachments.attachments(conn, period, region)
        history = pd.concat([rates(conn, p, with_previous=False) for p in last_quarters(period, 4)])
        header = notice.load_header(setting("MONITOR_NOTICE_FILE", "") if notice_file is None else notice_file,
                                    region, names.get(region, region), notice.registry_level(conn, region), issuer)
        draft = notice.blocks(conn, period, region, names.get(region, region), table, frames, decimals, header,
                              notice_date, calendar_from_setting(setting("MONITOR_HOLIDAYS", "")))
        on_time = letters.timeliness(letters.letter_outcomes(conn, period, region), names)
    table = _where(table, lambda c: within(c, region))
    path = out / f"合格率_{period}.csv"
    with atomic(path) as tmp:
        rates_for_people(table).to_csv(tmp, index=False, encoding="utf-8-sig")
    written.append(path)
    notes = {name: block.note for block in draft if isinstance(block, notice.Attachment)
             for name in frames if block.title.endswith(name)}  # each list's 注 line, as the notice prints it
    written += attachments.write(frames, out, period, xlsx, notes)
    on_time = _where(on_time, lambda c: within(c, region))
    if not on_time.empty:
        path = out / f"按时办结率_{period}.csv"
        with atomic(path) as tmp:
            on_time.rename(columns=letters.RATE_HEADERS).to_csv(tmp, index=False, encoding="utf-8-sig")
        written.append(path)
    written += charts.write_charts(table, history, period, region, out)  # the trend only with ≥ 2 quarters
    written += [write_text(out / f"通报_{period}.md", notice.markdown(draft)),
                write_text(out / f"通报_{period}.html", notice.html(draft))]
    path = out / f"通报_{period}.docx"
    with atomic(path) as tmp:
        notice_docx.write(draft, tmp)
    written.append(path)
    return written


def _where(table: pd.DataFrame, test) -> pd.DataFrame:
    """Rows whose region code passes the test (an empty table stays a table with its columns)."""
    return table[table["region_code"].map(test).astype(bool)]


def _child(code: str, region: str) -> bool:
    """Whether a region lies directly below another (below the whole country: the provinces)."""
    return parent_region(code) == region if region else parent_region(code) is None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--period", default="previous", help="2021Q1, or current / previous (default: previous)")
    parser.add_argument("--out", default="var/report", help="output folder; a sub-folder per period is made")
    parser.add_argument("--region", default=None, help="region code to report on (default: the verdicts' top region)")
    parser.add_argument("--xlsx", action="store_true", help="also write the attachment lists as XLSX")
    parser.add_argument("--decimals", type=int, default=1, choices=(1, 2),
                        help="decimals of the rates in the draft notice (78.6%% or 78.57%%; default 1)")
    parser.add_argument("--issuer", default="", help="issuing office for the notice's title, e.g. 红河州人民政府办公室")
    parser.add_argument("--date", default="", type=notice_day,
                        help="the notice's date YYYY-MM-DD, from which the 整改 deadline counts (default: today)")
    add_database_argument(parser)


def notice_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from exc


def run(args: argparse.Namespace) -> int:
    from monitor.evaluate import resolve_period
    from monitor.migrate import upgrade

    engine = db.engine_for(database_url(args.database))
    upgrade(engine)
    period = resolve_period(args.period, date.today())
    out = Path(args.out) / period
    with engine.connect() as conn:  # an empty quarter is said, never a folder of empty tables
        if conn.execute(select(db.verdicts.c.id).where(db.verdicts.c.period == period).limit(1)).first() is None:
            print(f"{period} 没有评估结果, 未生成报告; 先运行 govmon evaluate --period {period} "
                  f"(no verdicts for {period} in {db.masked(database_url(args.database))}: nothing reported)",
                  file=sys.stderr)
            return 1
    try:
        written = write_report(engine, period, out, args.region, args.xlsx, args.decimals, args.issuer,
                               notice_date=args.date)
    except OSError as exc:  # a full disk, a size limit, no permission: said, never a traceback or a half file
        print(write_failure(out, exc), file=sys.stderr)
        return 1
    except notice.NoticeFileError as exc:  # MONITOR_NOTICE_FILE unusable: file and key named
        print(f"通报设置文件有误 (notice settings file): {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    return 0
