"""The job lock of a crawl, taken by the crawl itself: `govmon crawl` and `scrapy crawl website` (or a Scrapyd job)
exclude each other on one database, whichever started them (monitor/lock.py names the lock by job and database).

The lock is taken when the crawler is built, before any request. A crawl that finds its job running sends nothing:
every request is dropped (RefusedJobMiddleware, which reads the refusal from the crawl's stats) and the spider
closes at once with the
reason `locked`, which the run records (never `finished`, so nothing of it is judged) and `govmon` turns into
exit 75. The lock is released when the spider closes, or by the kernel / the expiry if the process dies.
"""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

from monitor.lock import JobLocked, job_lock

log = logging.getLogger(__name__)
JOBS = {"website": "crawl", "probe": "probe", "accounts": "crawl-accounts", "channels": "channels", "sweep": "sweep"}
LOCKED = "locked"  # the close reason of a crawl whose job was running already


class JobLock:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.held: AbstractContextManager | None = None
        self.refused: str | None = None  # why the crawl may not run

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> JobLock:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Any) -> None:
        job = JOBS.get(spider.name)
        if job is None or getattr(spider, "queue_run", ""):
            return  # unknown job, or one worker of a queued run: the queue hands each target to one worker
        s = self.crawler.settings
        lock = job_lock(job, str(s.get("MONITOR_LOCK_URL") or ""), str(s.get("MONITOR_DATABASE_URL") or ""),
                        s.get("MONITOR_LOCK_DIR") or None)
        try:
            lock.__enter__()
        except JobLocked as exc:
            self.refused = str(exc)
            log.error("%s", exc)
            self.crawler.stats.set_value("govmon/locked", self.refused)
            close = getattr(self.crawler.engine, "close_spider_async", None)
            if close is not None:  # newer Scrapy: a coroutine, scheduled on the reactor
                from scrapy.utils.defer import deferred_from_coro

                deferred_from_coro(close(reason=LOCKED))
            else:
                self.crawler.engine.close_spider(spider, LOCKED)
            return
        self.held = lock

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.held is not None:
            held, self.held = self.held, None
            held.__exit__(None, None, None)


class RefusedJobMiddleware:
    """Downloader middleware: no request of a crawl whose job lock was refused leaves the machine."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RefusedJobMiddleware:
        return cls(crawler)

    def process_request(self, request: Any, spider: Any = None) -> None:
        refused = self.crawler.stats.get_value("govmon/locked") if self.crawler.stats else None
        if refused:
            raise IgnoreRequest(refused)
