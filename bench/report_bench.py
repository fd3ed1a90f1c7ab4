"""Benchmark: quarterly rates and lists over 1 million verdicts and 10 million violations in PostgreSQL.

Creates a database of its own (govmon_bench, dropped at the end unless --keep), fills it with COPY — 50,000
websites in 2,000 counties × 20 quarters of verdicts (1,000,000) and 200 violations per site (10,000,000) at
--scale 1 — then computes, twice in the same run: the rates table of a quarter and the per-site open-violation
counts and the 不合格网站名单 (a) pushed down to the database (GROUP BY, WHERE) and (b) pandas-only from every
row. Prints time and peak Python
memory (tracemalloc) of each and their ratios.

    .venv/bin/python bench/report_bench.py [--scale 0.1] [--url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import random
import time
import tracemalloc
from datetime import datetime

import pandas as pd
import psycopg
from sqlalchemy import func, select

from monitor import db
from monitor.migrate import upgrade
from monitor.report.attachments import failed_websites
from monitor.report.rates import rates, rates_pandas

QUARTERS = [f"{y}Q{q}" for y in range(2017, 2022) for q in range(1, 5)]  # 20 quarters, 2021Q4 the last


def fill(url: str, scale: float) -> tuple[int, int]:
    rng = random.Random(1)
    n_sites = int(50_000 * scale)
    per_site = 200
    sites = []
    for i in range(n_sites):
        county = 110000 + (i % 2000) * 3 + 1  # spread over many prefectures and provinces
        region = f"{county:06d}"
        sites.append((f"{region}{i // 2000:04d}", region))  # unique: i // 2000 numbers the sites of a region
    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo) as conn, conn.cursor() as cur:
        with cur.copy("COPY websites (site_code, name, homepage, region_code, region_name, level, kind, active) "
                      "FROM STDIN") as copy:
            for code, region in sites:
                copy.write_row((code, f"网站{code}", f"http://www{code}.gov.cn/", region, f"地区{region}", "county",
                                "portal", True))
        with cur.copy("COPY verdicts (period, as_of, target_kind, target_id, region_code, result, veto, score, "
                      "reasons, evaluated_at) FROM STDIN") as copy:
            for period in QUARTERS:
                stamp = datetime(int(period[:4]), 3 * int(period[5]), 1)
                for code, region in sites:
                    bad = rng.random() < 0.05
                    copy.write_row((period, stamp, "website", code, region, "不合格" if bad else "合格", bad,
                                    None if bad else 100.0, "空白栏目超过5" if bad else "", stamp))
        with cur.copy("COPY violations (target_kind, target_id, indicator, subject, first_seen, last_seen, "
                      "resolved_at, review, reason, evidence) FROM STDIN") as copy:
            seen = datetime(2021, 1, 1)
            for code, _ in sites:
                for k in range(per_site):
                    resolved = seen if k % 4 else None
                    copy.write_row(("website", code, "broken_links", f"http://www{code}.gov.cn/p{k}.html", seen, seen,
                                    resolved, "pending", "其他页面存在不可用链接", '{"status": 404}'))
        conn.commit()
    return n_sites * len(QUARTERS), n_sites * per_site


def measure(label: str, fn) -> tuple[float, float, object]:
    tracemalloc.start()
    t = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - t
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    print(f"{label:34s} {elapsed:8.2f} s   peak {peak:8.1f} MiB")
    return elapsed, peak, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--keep", action="store_true", help="keep the govmon_bench database")
    args = parser.parse_args()
    admin = args.url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS govmon_bench")
        conn.execute("CREATE DATABASE govmon_bench")
    url = args.url.rsplit("/", 1)[0] + "/govmon_bench"
    try:
        engine = db.engine_for(url)
        upgrade(engine)
        t = time.perf_counter()
        verdicts, violations = fill(url, args.scale)
        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
            conn.execute("ANALYZE")
        print(f"generated {verdicts:,} verdicts and {violations:,} violations in {time.perf_counter() - t:.1f} s")
        period = "2021Q4"
        v = db.violations

        def pushed():
            with engine.connect() as conn:
                table = rates(conn, period)
                lists = failed_websites(conn, period)
                open_counts = pd.DataFrame(conn.execute(
                    select(v.c.target_id, func.count()).where(v.c.resolved_at.is_(None))
                    .group_by(v.c.target_id)).all(), columns=["target_id", "open"])
            return table, lists, open_counts

        def pandas_only():
            w, vd = db.websites, db.verdicts
            with engine.connect() as conn:
                table = rates_pandas(conn, period)
                sites = pd.read_sql(select(w.c.site_code, w.c.name, w.c.region_code), conn)
                verdicts = pd.read_sql(select(vd.c.period, vd.c.target_kind, vd.c.target_id, vd.c.result,
                                              vd.c.reasons), conn)
                raw = pd.read_sql(select(v.c.target_id, v.c.resolved_at), conn)
            bad = verdicts[(verdicts["period"] == period) & (verdicts["target_kind"] == "website")
                           & (verdicts["result"] == "不合格")]
            bad = bad.merge(sites, left_on="target_id", right_on="site_code").sort_values(["region_code", "site_code"])
            lists = pd.DataFrame({"序号": range(1, len(bad) + 1), "网站名称": bad["name"].to_numpy(),
                                  "网站标识码": bad["site_code"].to_numpy(), "存在问题": bad["reasons"].to_numpy()})
            open_counts = (raw[raw["resolved_at"].isna()].groupby("target_id").size()
                           .rename("open").reset_index())
            return table, lists, open_counts

        p_time, p_mem, (p_table, p_lists, p_open) = measure("pushed-down grouping (database)", pushed)
        q_time, q_mem, (q_table, q_lists, q_open) = measure("pandas-only (every row read)", pandas_only)
        pd.testing.assert_frame_equal(p_table, q_table)
        assert p_lists.astype(str).values.tolist() == q_lists.astype(str).values.tolist()
        assert p_open.sort_values("target_id").reset_index(drop=True).equals(
            q_open.sort_values("target_id").reset_index(drop=True))
        web = p_table[(p_table.target_kind == "website") & (p_table.kind == "all")]
        print(f"rates rows {len(p_table):,}; regions {web.region_code.nunique():,}; 不合格网站名单 {len(p_lists):,} rows; "
              f"sites with open violations {len(p_open):,}")
        print(f"ratio pandas-only / pushed-down: time {q_time / p_time:.1f}x, peak memory {q_mem / max(p_mem, 0.1):.1f}x")
    finally:
        if not args.keep:
            db.engine_for(url).dispose()
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute("DROP DATABASE IF EXISTS govmon_bench WITH (FORCE)")


if __name__ == "__main__":
    main()
