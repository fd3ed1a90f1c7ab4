"""`govmon report`: everything for one period into one folder — rates, attachment CSVs, charts, draft notice."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

from monitor import db
from monitor.config import add_database_argument, database_url
from monitor.report import attachments, charts, notice
from monitor.report.rates import rates, region_names

RATE_HEADERS = {"period": "季度", "target_kind": "对象", "kind": "类型", "region_code": "行政区划代码",
                "region_name": "地区", "region_level": "层级", "checked": "检查数", "failed": "不合格数",
                "qualified": "合格数", "rate": "合格率", "rate_pct": "合格率(%)", "running": "在运行数",
                "sampling": "抽查比例", "prev_rate": "上季度合格率", "change": "变化"}


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


def write_report(engine: Engine, period: str, out: Path, region: str | None = None, xlsx: bool = False) -> list[Path]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    region = region or report_region(engine, period)
    written: list[Path] = []
    with engine.connect() as conn:
        table = rates(conn, period)
        names = region_names(conn)
        frames = attachments.attachments(conn, period, region)
        history = pd.concat([rates(conn, p, with_previous=False) for p in _last_quarters(period, 4)])
        draft = notice.markdown(conn, period, region, names.get(region, region), table, frames)
    path = out / f"合格率_{period}.csv"
    table.rename(columns=RATE_HEADERS).map(attachments.neutralise).to_csv(path, index=False, encoding="utf-8-sig")
    written.append(path)
    written += attachments.write(frames, out, period, xlsx)
    sites = table[(table["target_kind"] == "website") & (table["kind"] == "all")]
    below = sites[sites["region_code"].map(lambda c: c != region and _within(c, region))]
    if not below.empty:
        written.append(charts.rate_by_region(below, period, out / f"合格率_{period}.png",
                                             f"{period} 政府网站合格率(按地区)"))
    trend = history[(history["target_kind"] == "website") & (history["kind"] == "all")
                    & history["region_code"].map(lambda c: _within(c, region))]
    if not trend.empty:
        written.append(charts.trend(trend, out / f"合格率趋势_{period}.png", "政府网站合格率趋势"))
    (out / f"通报_{period}.md").write_text(draft, encoding="utf-8")
    (out / f"通报_{period}.html").write_text(notice.html(draft), encoding="utf-8")
    written += [out / f"通报_{period}.md", out / f"通报_{period}.html"]
    return written


def _within(code: str, region: str) -> bool:
    if not region:
        return True
    prefix = region[:2] if region.endswith("0000") else region[:4] if region.endswith("00") else region
    return code.startswith(prefix)


def _last_quarters(period: str, n: int) -> list[str]:
    year, q = int(period[:4]), int(period[5])
    out = []
    for _ in range(n):
        out.append(f"{year}Q{q}")
        year, q = (year - 1, 4) if q == 1 else (year, q - 1)
    return out[::-1]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--period", default="previous", help="2021Q1, or current / previous (default: previous)")
    parser.add_argument("--out", default="var/report", help="output folder; a sub-folder per period is made")
    parser.add_argument("--region", default=None, help="region code to report on (default: the verdicts' top region)")
    parser.add_argument("--xlsx", action="store_true", help="also write the attachment lists as XLSX")
    add_database_argument(parser)


def run(args: argparse.Namespace) -> int:
    from datetime import date

    from monitor.evaluate import resolve_period
    from monitor.migrate import upgrade

    engine = db.engine_for(database_url(args.database))
    upgrade(engine)
    period = resolve_period(args.period, date.today())
    for path in write_report(engine, period, Path(args.out) / period, args.region, args.xlsx):
        print(f"wrote {path}")
    return 0
