"""Storage pipeline: writes spider facts into the database in batches, idempotently.

Each item class names its table (monitor.items); rows are buffered per table and written with one upsert per batch
(MONITOR_BATCH_SIZE rows, one transaction). Natural keys make a re-played run update rows instead of adding them.
The run itself is recorded in `runs` with its statistics when the spider closes.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from sqlalchemy import update
from sqlalchemy.engine import Engine

from monitor import db
from monitor.migrate import upgrade

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class StoragePipeline:
    def __init__(self, crawler: Crawler, url: str, batch_size: int) -> None:
        self.crawler = crawler
        self.url = url
        self.batch_size = batch_size
        self.buffers: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.policies: dict[str, str] = {}
        self.engine: Engine | None = None
        self.written = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoragePipeline:
        s = crawler.settings
        pipe = cls(crawler, s.get("MONITOR_DATABASE_URL"), s.getint("MONITOR_BATCH_SIZE"))
        crawler.signals.connect(pipe.spider_closed, signal=signals.spider_closed)
        return pipe

    def open_spider(self, spider: Spider | None = None) -> None:
        spider = spider or self.crawler.spider
        log.info("storing facts in %s", db.masked(self.url))
        self.engine = db.engine_for(self.url)
        upgrade(self.engine)
        run_id = spider.run_id
        with self.engine.begin() as conn:
            db.upsert(conn, db.runs, [{"run_id": run_id, "spider": spider.name,
                                       "as_of": getattr(spider, "as_of", None), "started_at": utcnow(),
                                       "finished_at": None, "status": "running", "stats": None}], ["run_id"])

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        table = item.table
        self.policies[table] = item.on_conflict
        self.buffers[table].append({f.name: getattr(item, f.name) for f in fields(item)})
        if len(self.buffers[table]) >= self.batch_size:
            self.flush(table)
        return item

    def flush(self, table_name: str) -> None:
        rows = self.buffers.pop(table_name, [])
        if not rows or self.engine is None:
            return
        table = db.metadata.tables[table_name]
        keys = db.natural_key(table)
        with self.engine.begin() as conn:
            if self.policies.get(table_name) == "ignore":
                db.insert_ignore(conn, table, rows, keys)
            else:
                db.upsert(conn, table, rows, keys)
        self.written += len(rows)

    def flush_all(self) -> None:
        """Write every buffered row now (a target finished and is about to be judged from the database)."""
        for table_name in list(self.buffers):
            self.flush(table_name)

    def close_spider(self, spider: Spider | None = None) -> None:
        self.flush_all()

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Record how the run ended. Scrapy's finish_reason is set only after this signal, so the reason comes from
        the signal itself: a run cut short (SIGTERM, CLOSESPIDER_*, a shutdown) is never recorded as finished, and
        evaluation only reads finished runs."""
        if self.engine is None:
            return
        stats = {k: (v.isoformat() if isinstance(v, datetime) else v)
                 for k, v in (self.crawler.stats.get_stats() if self.crawler.stats else {}).items()}
        stats["finish_reason"] = reason
        with self.engine.begin() as conn:
            conn.execute(update(db.runs).where(db.runs.c.run_id == spider.run_id)
                         .values(finished_at=utcnow(), status=str(reason), stats=stats))
        log.info("stored %d rows for run %s (%s)", self.written, spider.run_id, reason)
        self.engine.dispose()
