"""`govmon report`: everything for one period into one folder — rates, attachment CSVs, charts, draft notice."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

from monitor import db
from monitor.config import add_database_argument, database_url
from monitor.periods import last_quarters
from monitor.registry import parent_region
from monitor.report import attachments, charts, letters, notice
from monitor.report.files import atomic, write_failure, write_text
from monitor.report.rates import rates, region_names, totals, within

RATE_HEADERS = {"period": "季度", "target_kind": "对象", "level": "层级", "kind": "类型", "region_code": "行政区划代码",
                "region_name": "地区", "region_level": "地区层级", "checked": "检查数", "qualified": "合格数",
                "failed": "不合格数", "pending": "待定数", "judged": "已判定数", "rate": "合格率",
                "rate_pct": "合格率(%)", "running": "在运行数", "sampling": "抽查比例", "prev_rate": "上季度合格率",
                "change": "变化"}


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
                 decimals: int = 1, issuer: str = "") -> list[Path]:
    """Rates CSV, the four attachment lists (CSV, and XLSX on request), charts and the draft notice of a period
    into `out`; returns the files written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    region = region or report_region(engine, period)
    written: list[Path] = []
    with engine.connect() as conn:
        table = rates(conn, period)
        names = region_names(conn)
        frames = attachments.attachments(conn, period, region)
        history = pd.concat([rates(conn, p, with_previous=False) for p in last_quarters(period, 4)])
        draft = notice.markdown(conn, period, region, names.get(region, region), table, frames, decimals, issuer)
        on_time = letters.timeliness(letters.letter_outcomes(conn, period, region), names)
    table = _where(table, lambda c: within(c, region))
    path = out / f"合格率_{period}.csv"
    with atomic(path) as tmp:
        table.rename(columns=RATE_HEADERS).map(attachments.neutralise).to_csv(tmp, index=False, encoding="utf-8-sig")
    written.append(path)
    written += attachments.write(frames, out, period, xlsx)
    on_time = _where(on_time, lambda c: within(c, region))
    if not on_time.empty:
        path = out / f"按时办结率_{period}.csv"
        with atomic(path) as tmp:
            on_time.rename(columns=letters.RATE_HEADERS).to_csv(tmp, index=False, encoding="utf-8-sig")
        written.append(path)
    sites = totals(table, "website")
    below = _where(sites, lambda c: _child(c, region))  # the regions one level down
    if not below.empty:
        written.append(charts.rate_by_region(below, period, out / f"合格率_{period}.png",
                                             f"{period} 政府网站合格率(按地区)"))
    trend = totals(history, "website")
    trend = _where(trend, lambda c: c == region or _child(c, region))
    if not trend.empty:
        written.append(charts.trend(trend, out / f"合格率趋势_{period}.png", "政府网站合格率趋势", region))
    written += [write_text(out / f"通报_{period}.md", draft), write_text(out / f"通报_{period}.html", notice.html(draft))]
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
    add_database_argument(parser)


def run(args: argparse.Namespace) -> int:
    from datetime import date

    from monitor.evaluate import resolve_period
    from monitor.migrate import upgrade

    engine = db.engine_for(database_url(args.database))
    upgrade(engine)
    period = resolve_period(args.period, date.today())
    out = Path(args.out) / period
    try:
        written = write_report(engine, period, out, args.region, args.xlsx, args.decimals, args.issuer)
    except OSError as exc:  # a full disk, a size limit, no permission: said, never a traceback or a half file
        print(write_failure(out, exc), file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    return 0
