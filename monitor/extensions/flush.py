"""Periodic flush: bounds what a crawl killed outright (kill -9, an OOM kill, a power cut) loses.

The storage pipeline writes a table's rows when MONITOR_BATCH_SIZE of them wait and every row when a target
finishes; in between, rows wait in memory, and a process killed without warning loses them. Every
MONITOR_FLUSH_SECONDS this extension has the pipeline write what it holds (its own `flush_all`, which keeps its pause
while the database refuses), so a kill loses at most the rows of the last interval — and those a re-run with the
same `--run-id` fills in without duplicates. The killed run itself is marked by monitor/runs.py.
"""

from __future__ import annotations

import logging

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet.task import LoopingCall

from monitor.pipelines.storage import storage_pipeline

log = logging.getLogger(__name__)


class PeriodicFlush:
    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.loop: LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PeriodicFlush:
        interval = crawler.settings.getfloat("MONITOR_FLUSH_SECONDS")
        if interval <= 0:
            raise NotConfigured("MONITOR_FLUSH_SECONDS is 0: rows are written per batch and per finished target only")
        ext = cls(crawler, interval)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self.loop = LoopingCall(self.flush)
        self.loop.start(self.interval, now=False)

    def flush(self) -> None:
        pipe = storage_pipeline(self.crawler)
        if pipe is None or not any(pipe.buffers.values()):
            return
        before = pipe.written
        pipe.flush_all()
        if self.crawler.stats and pipe.written > before:
            self.crawler.stats.inc_value("govmon/timer_flushed_rows", pipe.written - before)

    def spider_closed(self, spider: Spider) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
