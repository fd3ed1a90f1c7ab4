"""Storage pipeline: writes spider facts into the database in batches, idempotently — and loses none when the
database fails.

Each item class names its table (monitor.items); rows are buffered per table and written with one upsert per batch
(MONITOR_BATCH_SIZE rows, one transaction). Natural keys make a re-played run update rows instead of adding them.
The run itself is recorded in `runs` with its statistics when the spider closes.

A batch the database refuses to take (the server went away, a connection was cut) stays buffered and is tried again
with the next batch, on a fresh connection. Rows still unwritten when the crawl ends — with the run's own record —
go to `<MONITOR_RUN_DIR>/<run_id>/未入库数据.jsonl`, the crawl's stats count them (`govmon/unstored_rows`) and
`govmon crawl` exits 5 naming the file; `govmon store FILE` writes them once the database is back. So a database
fault costs time, never rows, and a crawl whose rows are not all stored never looks like a stored one.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from monitor import db
from monitor.items import rows_of
from monitor.migrate import upgrade
from monitor.runs import mark_killed, this_host

log = logging.getLogger(__name__)
RETRY_PAUSE = 5.0  # seconds between attempts while the database refuses batches


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class StoragePipeline:
    def __init__(self, crawler: Crawler, url: str, batch_size: int, timeout: float = 0) -> None:
        self.crawler = crawler
        self.url = url
        self.batch_size = batch_size
        self.timeout = timeout  # MONITOR_DB_TIMEOUT: a statement's wait for a frozen server
        self.buffers: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.policies: dict[str, str] = {}
        self.engine: Engine | None = None
        self.written = 0
        self.failures = 0  # batches the database refused (each kept and tried again)
        self.retry_at = 0.0  # after a refusal, batches wait until then (one attempt per RETRY_PAUSE, not per item)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoragePipeline:
        s = crawler.settings
        pipe = cls(crawler, s.get("MONITOR_DATABASE_URL"), s.getint("MONITOR_BATCH_SIZE"),
                   s.getfloat("MONITOR_DB_TIMEOUT"))
        crawler.signals.connect(pipe.spider_closed, signal=signals.spider_closed)
        return pipe

    def open_spider(self, spider: Spider | None = None) -> None:
        spider = spider or self.crawler.spider
        log.info("storing facts in %s", db.masked(self.url))
        self.engine = db.engine_for(self.url, timeout=self.timeout)
        upgrade(self.engine)
        mark_killed(self.engine)  # runs an earlier process of this host left `running` when it was killed
        run = {"run_id": spider.run_id, "spider": spider.name, "as_of": getattr(spider, "as_of", None),
               "started_at": utcnow(), "finished_at": None, "status": "running", "stats": None}
        with self.engine.begin() as conn:
            if shared_run(spider):  # one of several workers: the run is recorded once, by no process of its own
                db.upsert(conn, db.runs, [run | {"host": None, "pid": None}], ["run_id"], update_existing=False)
            else:  # host and pid: a later command can tell if this process dies unrecorded
                db.upsert(conn, db.runs, [run | {"host": this_host(), "pid": os.getpid()}], ["run_id"])

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        full = set()
        for row in rows_of(item):
            table = row.table
            self.policies[table] = row.on_conflict
            buffer = self.buffers[table]
            buffer.append(vars(row).copy())  # a dataclass instance's dict holds exactly its fields
            if len(buffer) >= self.batch_size:
                full.add(table)
        if full and time.monotonic() >= self.retry_at:
            for table in full:
                self.flush(table)
        return item

    def flush(self, table_name: str) -> None:
        rows = self.buffers.pop(table_name, [])
        if not rows or self.engine is None:
            return
        started = time.monotonic()
        try:
            write_rows(self.engine, table_name, rows, self.policies.get(table_name, "update"))
        except SQLAlchemyError as exc:  # kept, and tried again after a pause on a fresh connection
            self.buffers[table_name] = rows + self.buffers.get(table_name, [])
            self.failures += 1
            if self.crawler.stats:
                self.crawler.stats.inc_value("govmon/db_errors")
            # A refusal costs nothing and is tried again soon; an attempt that waited (a frozen server: the
            # connect timeout or MONITOR_DB_TIMEOUT) is tried again after a pause several times its wait, so the
            # crawl spends most of its time crawling, not waiting for the database.
            pause = max(RETRY_PAUSE, 6 * (time.monotonic() - started))
            (log.warning if not self.retry_at else log.debug)(
                "database refused %d rows of %s (%s); kept, next try in %.0f s", len(rows), table_name,
                (str(getattr(exc, "orig", exc)).strip().splitlines() or [type(exc).__name__])[0], pause)
            self.retry_at = time.monotonic() + pause
            self.engine.dispose()
            return
        if self.retry_at:
            log.warning("database back: stored the %d rows kept for %s", len(rows), table_name)
            self.retry_at = 0.0
        self.written += len(rows)

    def flush_all(self, force: bool = False) -> None:
        """Write every buffered row now (a target finished and is about to be judged from the database); while the
        database refuses, only once per pause — or at once when `force`d (the crawl is closing)."""
        if not force and time.monotonic() < self.retry_at:
            return
        for table_name in list(self.buffers):
            failures = self.failures
            self.flush(table_name)
            if self.failures > failures:
                return  # the database refuses: the other tables wait for the next try

    @property
    def pending(self) -> bool:
        """Rows are waiting for the database: what it holds of this run is not all the crawl saw."""
        return any(self.buffers.values())

    def close_spider(self, spider: Spider | None = None) -> None:
        self.flush_all(force=True)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Record how the run ended. Scrapy's finish_reason is set only after this signal, so the reason comes from
        the signal itself: a run cut short (SIGTERM, CLOSESPIDER_*, a shutdown) is never recorded as finished, and
        evaluation only reads finished runs. Rows the database would not take are spilled with the run's record."""
        if self.engine is None:
            return
        stats = {k: (v.isoformat() if isinstance(v, datetime) else v)
                 for k, v in (self.crawler.stats.get_stats() if self.crawler.stats else {}).items()}
        stats["finish_reason"] = reason
        self.flush_all(force=True)  # one more try for what an earlier failure kept
        run = {"run_id": spider.run_id, "finished_at": utcnow(), "status": str(reason), "stats": stats}
        if shared_run(spider):  # its jobs whose rows are spilled go back to the queue: the run's record is not ours
            run["shared"] = True
        if not self.pending and shared_run(spider):
            self.close_shared_run(spider, reason, stats)
            return
        if not self.pending:
            try:
                with self.engine.begin() as conn:
                    conn.execute(update(db.runs).where(db.runs.c.run_id == spider.run_id)
                                 .values(finished_at=run["finished_at"], status=run["status"], stats=stats))
                log.info("stored %d rows for run %s (%s)", self.written, spider.run_id, reason)
                self.engine.dispose()
                return
            except SQLAlchemyError as exc:
                log.warning("database refused the record of run %s (%s)", spider.run_id, exc)
        path = spill_path(self.crawler.settings.get("MONITOR_RUN_DIR") or "var/runs", spider.run_id)
        count = spill(path, self.buffers, self.policies, run | {"spider": spider.name,
                                                                "as_of": getattr(spider, "as_of", None)})
        if self.crawler.stats:
            self.crawler.stats.set_value("govmon/unstored_rows", count)
            self.crawler.stats.set_value("govmon/unstored_file", str(path))
        log.error("the database did not take %d rows of run %s: saved to %s — write them with `govmon store %s`",
                  count, spider.run_id, path, path)
        self.engine.dispose()


    def close_shared_run(self, spider: Spider, reason: str, stats: dict[str, Any]) -> None:
        """A worker of a queued run closes: the run is finished once every job is done, whichever worker sees it
        (each worker's own figures stay in its log; the run keeps the queue's)."""
        assert self.engine is not None
        progress = spider.queue.progress()
        if reason == "finished" and progress.complete:
            stats = {"finish_reason": reason, "jobs": progress.total, "done": progress.done,
                     "failed": progress.failed, "failed_jobs": spider.queue.failures()}
            with self.engine.begin() as conn:
                conn.execute(update(db.runs).where(db.runs.c.run_id == spider.run_id,
                                                   db.runs.c.status == "running")
                             .values(finished_at=utcnow(), status="finished", stats=stats))
            log.info("run %s complete: %d jobs done, %d failed", spider.run_id, progress.done, progress.failed)
        log.info("worker stored %d rows for run %s (%s)", self.written, spider.run_id, reason)
        self.engine.dispose()


def shared_run(spider: Spider) -> bool:
    """The spider is one worker of a run queued for several (monitor/queue_worker.py)."""
    return getattr(spider, "queue", None) is not None


def storage_pipeline(crawler: Crawler) -> StoragePipeline | None:
    """The crawl's storage pipeline (None before the engine runs or when a user disabled it in ITEM_PIPELINES)."""
    engine = getattr(crawler, "engine", None)
    scraper = getattr(engine, "scraper", None)
    middlewares: list[Any] = getattr(getattr(scraper, "itemproc", None), "middlewares", [])
    return next((p for p in middlewares if isinstance(p, StoragePipeline)), None)


def write_rows(engine: Engine, table_name: str, rows: list[dict[str, Any]], policy: str) -> None:
    table = db.metadata.tables[table_name]
    keys = db.natural_key(table)
    with engine.begin() as conn:
        if policy == "ignore":
            db.insert_ignore(conn, table, rows, keys)
        else:
            db.upsert(conn, table, rows, keys)


SPILL_NAME = "未入库数据.jsonl"


def spill_path(run_dir: str, run_id: str) -> Path:
    return Path(run_dir) / run_id / SPILL_NAME


def _jsonable(value: Any) -> Any:
    return {"__datetime__": value.isoformat()} if isinstance(value, datetime) else (
        {"__date__": value.isoformat()} if hasattr(value, "isoformat") else value)


def _restore(value: Any) -> Any:
    from datetime import date

    if isinstance(value, dict) and "__datetime__" in value:
        return datetime.fromisoformat(value["__datetime__"])
    if isinstance(value, dict) and "__date__" in value:
        return date.fromisoformat(value["__date__"])
    return value


def spill(path: Path, buffers: dict[str, list[dict[str, Any]]], policies: dict[str, str],
          run: dict[str, Any]) -> int:
    """Write unstored rows (and the run's record, last) as JSON lines; returns the number of rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for table, rows in buffers.items():
            for row in rows:
                out.write(json.dumps({"table": table, "policy": policies.get(table, "update"),
                                      "row": {k: _jsonable(v) for k, v in row.items()}}, ensure_ascii=False) + "\n")
                count += 1
        out.write(json.dumps({"run": {k: _jsonable(v) for k, v in run.items()}}, ensure_ascii=False,
                             default=str) + "\n")
    return count


def store_spilled(engine: Engine, path: Path) -> int:
    """Write a spill file's rows and its run record into the database (idempotent: natural keys); returns rows."""
    upgrade(engine)
    batches: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    run: dict[str, Any] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if "run" in record:
            run = {k: _restore(v) for k, v in record["run"].items()}
        else:
            batches[(record["table"], record["policy"])].append({k: _restore(v) for k, v in record["row"].items()})
    for (table, policy), rows in batches.items():
        write_rows(engine, table, rows, policy)
    if run is not None and not run.get("shared"):
        with engine.begin() as conn:
            db.upsert(conn, db.runs, [{"run_id": run["run_id"], "spider": run.get("spider") or "",
                                       "as_of": run.get("as_of"), "started_at": run["finished_at"],
                                       "finished_at": run["finished_at"], "status": run["status"],
                                       "stats": run.get("stats")}], ["run_id"])
    return sum(len(rows) for rows in batches.values())
