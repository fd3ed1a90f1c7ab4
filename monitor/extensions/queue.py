"""Joins a queued run's worker to its queue once the crawl's settings are final.

A spider is built before Scrapy applies the add-ons (so before MONITOR_QUEUE_URL from the environment is in its
settings), and the pipelines open right after the extensions are built; this extension sits between the two and
has the worker spider read the run's identity and monitoring date from the queue (monitor/queue_worker.py).
"""

from __future__ import annotations

from scrapy.crawler import Crawler


class JoinQueue:
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> JoinQueue:
        spider = crawler.spider
        if getattr(spider, "queue_run", ""):
            spider.join_queue(crawler)  # type: ignore[union-attr]
        return cls()
