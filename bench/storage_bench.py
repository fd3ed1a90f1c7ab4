"""Benchmark: storing a crawl's facts, against COPY of the same rows (issue 13, storage ≥ 0.7× COPY).

The same rows — pages, links and link_checks in a crawl's proportions (1 page : 13 links : 5 link checks) with
their real column mix: Chinese titles and anchors, a body-text sample per page, text with tabs, newlines and
backslashes, dates, booleans, NULLs, the JSON `cut` — are written in batches of --batch rows (the storage
pipeline's MONITOR_BATCH_SIZE), one transaction per batch as the pipeline writes them, by:

  PostgreSQL
    copy            COPY alone into the tables, text format   } the baselines: ratios are given to both
    copy_binary     COPY alone, binary format                 }
    executemany     a plain executemany of INSERT, no conflict handling
    old_upsert      the write path before COPY: SQLAlchemy INSERT … ON CONFLICT executemany (reference copy below)
    upsert          monitor.db.upsert through the storage pipeline's write_rows (new rows: a run's facts)
    re_upsert       the same rows written again over themselves (a re-played run: every row an update)
    old_re_upsert   old_upsert over the stored rows
  SQLite (a file)
    sqlite_executemany, sqlite_old_upsert, sqlite_upsert, sqlite_re_upsert

Each side runs in a fresh process on emptied tables; the sides are interleaved, --reps rounds. Prints min /
median / max rows/s of each and its median's ratio to either COPY (PostgreSQL) or to the plain executemany
(SQLite). --sizes instead compares, per batch size, monitor.db.upsert through COPY and through executemany (how
db.COPY_MIN_ROWS was chosen).

    .venv/bin/python bench/storage_bench.py [--rows 100000] [--batch 500] [--reps 3]
        [--url postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--sizes]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _runner import run  # noqa: E402 - the bench folder is no package

from monitor import db  # noqa: E402
from monitor.migrate import upgrade  # noqa: E402
from monitor.settings import MONITOR_BATCH_SIZE  # noqa: E402

PG_SIDES = ("copy", "copy_binary", "executemany", "old_upsert", "upsert", "re_upsert", "old_re_upsert")
SQLITE_SIDES = ("sqlite_executemany", "sqlite_old_upsert", "sqlite_upsert", "sqlite_re_upsert")
DATABASE = "govmon_storage_bench"

CODE = r'''
import json, operator, random, sys, time
from datetime import date, datetime, timedelta

from sqlalchemy import JSON, Boolean, Date, DateTime, Integer, String, text

from monitor import db
from monitor.pipelines.storage import write_rows

side, url, n_rows, batch = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
TABLES = ("pages", "links", "link_checks")


def facts(n_rows):
    """Rows of a crawl, 19 per page: the page, 13 links, 5 link checks (deterministic)."""
    rng = random.Random(13)
    words = "关于 印发 通知 政府 信息 公开 工作 动态 年度 报告 政策 解读 办事 指南 人民 政府 办公室 县 乡镇".split()
    stamp = datetime(2021, 3, 1, 8)
    out = {t: [] for t in TABLES}
    for p in range(n_rows // 19 + 1):
        site = f"53250000{p % 40:02d}"
        url = f"http://www{p % 40}.example.gov.cn/col{p % 97}/2021/t{p}.html"
        title = "".join(rng.choices(words, k=rng.randint(4, 12)))
        sample = "\n".join("".join(rng.choices(words, k=rng.randint(10, 40))) for _ in range(rng.randint(3, 30)))
        if p % 50 == 0:
            sample += "\t制表\\反斜杠\r\n换行"
        out["pages"].append({
            "run_id": "bench", "site_code": site, "url": url, "role": ("home", "column", "list", "article")[p % 4],
            "column_url": f"http://www{p % 40}.example.gov.cn/col{p % 97}/", "fetched_at": stamp + timedelta(seconds=p),
            "outcome": "ok" if p % 30 else "http", "status": 200 if p % 30 else 404, "final_url": None if p % 7 else url,
            "error": None if p % 30 else "HTTP 404", "elapsed_ms": rng.randint(20, 3000), "encoding": "utf-8",
            "rendered": p % 25 == 0, "title": title, "published": date(2021, 1, 1) + timedelta(days=p % 60),
            "published_text": f"2021-0{p % 3 + 1}-1{p % 9}", "entry_count": 20 if p % 4 == 2 else None,
            "footer_site_code": site, "footer_icp": f"滇ICP备{p % 1000:08d}号", "footer_police": None,
            "footer_conac": p % 3 != 0, "footer_zhaocuo": p % 5 != 0, "footer_sponsor": "某县人民政府办公室",
            "text_sample": sample, "cut": {"links": 97000} if p % 100 == 0 else None})
        for k in range(13):
            out["links"].append({
                "run_id": "bench", "site_code": site, "source_url": url,
                "url": f"http://www{(p + k) % 40}.example.gov.cn/a/{p * 13 + k}.html?q={rng.random():.6f}",
                "tag": "a" if k < 11 else "img", "anchor": None if k == 12 else "".join(rng.choices(words, k=3))
                + ("\t" if k == 5 else ""), "attachment": k == 4, "external": k % 6 == 0, "on_homepage": p % 4 == 0,
                "hidden": k == 9})
        for k in range(5):
            out["link_checks"].append({
                "run_id": "bench", "url": f"http://www{(p + k) % 40}.example.gov.cn/a/{p * 13 + k}.html",
                "checked_at": stamp + timedelta(seconds=p, milliseconds=k), "method": "HEAD" if k else "GET",
                "outcome": "ok" if k != 3 else "http", "status": 200 if k != 3 else 404, "final_url": None,
                "error": None if k != 3 else "HTTP 404", "elapsed_ms": rng.randint(5, 900)})
    total = 0
    for t in TABLES:  # trimmed in proportion to n_rows
        keep = round(n_rows * len(out[t]) / sum(len(v) for v in out.values()))
        out[t] = out[t][:keep]
        total += keep
    return out, total


def batches(rows):
    for start in range(0, len(rows), batch):
        yield rows[start:start + batch]


def plain_tuples(table, rows, dates_as_text):
    """Row tuples for the baselines: JSON serialised (SQLite: dates as text, as SQLAlchemy stores them)."""
    cols = list(rows[0])
    get = operator.itemgetter(*cols)
    json_at = [i for i, c in enumerate(cols) if isinstance(table.c[c].type, JSON)]
    out = []
    for row in rows:
        values = list(get(row))
        for i in json_at:
            values[i] = json.dumps(values[i])
        if dates_as_text:
            values = [v.isoformat(" ") if isinstance(v, datetime) else v.isoformat() if isinstance(v, date) else v
                      for v in values]
        out.append(tuple(values))
    return cols, out


def old_upsert(conn, table, rows, keys, *, update_existing=True):
    """monitor.db.upsert before COPY, kept as the reference: SQLAlchemy INSERT … ON CONFLICT executemany."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(table)
    update_cols = [c for c in rows[0] if c not in keys and c != "id"] if update_existing else []
    if update_cols:
        stmt = stmt.on_conflict_do_update(index_elements=keys, set_={c: getattr(stmt.excluded, c) for c in update_cols})
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=keys)
    unique = {}
    for row in rows:
        unique[tuple(row.get(k) for k in keys)] = row
    conn.execute(stmt, list(unique.values()))


BINARY = [(String, "text"), (Integer, "int4"), (Boolean, "bool"), (DateTime, "timestamp"), (Date, "date"),
          (JSON, "json")]


def copy_rows(engine, table, rows, binary):
    cols = list(rows[0])
    get = operator.itemgetter(*cols)
    types = [next(name for kind, name in BINARY if isinstance(table.c[c].type, kind)) for c in cols]
    json_at = [i for i, c in enumerate(cols) if isinstance(table.c[c].type, JSON)]
    sql = f"COPY {table.name} ({', '.join(cols)}) FROM STDIN" + (" (FORMAT BINARY)" if binary else "")
    for part in batches(rows):
        with engine.begin() as conn:
            cursor = conn.connection.dbapi_connection.cursor()
            with cursor.copy(sql) as copy:
                if binary:
                    copy.set_types(types)
                for row in part:
                    values = get(row)
                    if json_at and not binary:
                        values = list(values)
                        for i in json_at:
                            values[i] = json.dumps(values[i])
                    copy.write_row(values)


def write(engine, how, data):
    for name, rows in data.items():
        table = db.metadata.tables[name]
        keys = db.natural_key(table)
        if how in ("copy", "copy_binary"):
            copy_rows(engine, table, rows, how == "copy_binary")
            continue
        for part in batches(rows):
            if how == "upsert":
                write_rows(engine, name, part, "update")  # the storage pipeline's own call
                continue
            with engine.begin() as conn:
                if how == "old_upsert":
                    old_upsert(conn, table, part, keys)
                else:  # executemany
                    cols, values = plain_tuples(table, part, engine.dialect.name == "sqlite")
                    mark = "?" if engine.dialect.name == "sqlite" else "%s"
                    conn.exec_driver_sql(f"INSERT INTO {name} ({', '.join(cols)}) "
                                         f"VALUES ({', '.join([mark] * len(cols))})", values)


data, total = facts(n_rows)
engine = db.engine_for(url)
with engine.begin() as conn:
    if engine.dialect.name == "postgresql":
        conn.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY"))
    else:
        for name in TABLES:
            conn.execute(text(f"DELETE FROM {name}"))
how = side.removeprefix("sqlite_")
if how.startswith("copy_path_") or how.startswith("many_path_"):  # --sizes: force one path of db.upsert
    db.COPY_MIN_ROWS = 0 if how.startswith("copy") else 10**9
    how = how.removeprefix("copy_path_").removeprefix("many_path_")
if how.endswith("re_upsert"):
    write(engine, "upsert", data)  # stored first, untimed
    how = how.removesuffix("re_upsert") + "upsert"
started = time.perf_counter()
write(engine, how, data)
seconds = time.perf_counter() - started
with engine.connect() as conn:
    stored = sum(conn.execute(text(f"SELECT count(*) FROM {name}")).scalar() for name in TABLES)
assert stored == total, (stored, total)
print(json.dumps({"rows": total, "seconds": seconds}))
'''


def side(name: str, url: str, rows: int, batch: int) -> float:
    result = run(CODE, name, url, str(rows), str(batch))
    return result["rows"] / result["seconds"]


def summary(results: dict[str, list[float]], bases: tuple[str, ...]) -> None:
    refs = [statistics.median(results[base]) for base in bases]
    print(f"{'side':22s} {'min':>9s} {'median':>9s} {'max':>9s}  rows/s; median ÷ " + ", ".join(bases))
    for name, values in results.items():
        median = statistics.median(values)
        print(f"{name:22s} {min(values):9,.0f} {median:9,.0f} {max(values):9,.0f}  "
              + " ".join(f"{median / ref:5.2f}" for ref in refs))


def compare(sides: tuple[str, ...], url: str, args: argparse.Namespace, bases: tuple[str, ...]) -> None:
    results: dict[str, list[float]] = {name: [] for name in sides}
    for rep in range(args.reps):
        for name in sides:
            results[name].append(side(name, url, args.rows, args.batch))
        print(f"round {rep + 1}/{args.reps}: " + ", ".join(f"{n} {v[-1]:,.0f}" for n, v in results.items()),
              flush=True)
    summary(results, bases)


def sizes(url: str, args: argparse.Namespace) -> None:
    """monitor.db.upsert through COPY against executemany, per batch size (new rows, then updates)."""
    print(f"{'batch':>6s} {'COPY':>9s} {'executemany':>12s} {'re: COPY':>9s} {'re: executemany':>16s}  rows/s (median)")
    for size in (1, 10, 30, 100, 300, 1000):
        rows = min(args.rows, max(2000, 200 * size))
        cells = []
        for how in ("upsert", "re_upsert"):
            for path in ("copy_path_", "many_path_"):
                cells.append(statistics.median(side(path + how, url, rows, size) for _ in range(args.reps)))
        print(f"{size:6d} {cells[0]:9,.0f} {cells[1]:12,.0f} {cells[2]:9,.0f} {cells[3]:16,.0f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=MONITOR_BATCH_SIZE)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--sizes", action="store_true", help="COPY against executemany per batch size")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    admin = args.url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    url = args.url.rsplit("/", 1)[0] + "/" + DATABASE
    try:
        engine = db.engine_for(url)
        upgrade(engine)
        engine.dispose()
        if args.sizes:
            print(f"monitor.db.upsert per batch size, up to {args.rows:,} rows, {args.reps} rounds")
            sizes(url, args)
            return
        print(f"{args.rows:,} rows (pages, links, link_checks) in batches of {args.batch}, {args.reps} rounds")
        compare(PG_SIDES, url, args, ("copy", "copy_binary"))
        if not args.no_sqlite:
            with tempfile.TemporaryDirectory() as tmp:
                lite = f"sqlite:///{tmp}/bench.sqlite"
                upgrade(db.engine_for(lite))
                compare(SQLITE_SIDES, lite, args, ("sqlite_executemany",))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DATABASE}")


if __name__ == "__main__":
    main()
