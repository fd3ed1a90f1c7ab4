"""Scrapy's log formatter without the DEBUG message of every item and response when LOG_LEVEL drops them.

Scrapy leaves its loggers at DEBUG and filters by LOG_LEVEL in the handler, so "Scraped from …" (one per item: a
page yields one per link) and "Crawled (200) …" records were built, formatted for their arguments and dropped —
about 3 % of a crawl's CPU (bench/crawl_bench.py under cProfile). With LOG_LEVEL DEBUG they are logged as before.
"""

from __future__ import annotations

import logging
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.logformatter import LogFormatter, LogFormatterResult


class QuietLogFormatter(LogFormatter):
    def __init__(self, debug: bool = True) -> None:
        self.debug = debug

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        level = crawler.settings.get("LOG_LEVEL")
        if not isinstance(level, int):
            level = logging.getLevelName(str(level).upper())
        return cls(debug=not isinstance(level, int) or level <= logging.DEBUG)

    def crawled(self, *args: Any, **kwargs: Any) -> LogFormatterResult | None:  # type: ignore[override]
        return super().crawled(*args, **kwargs) if self.debug else None

    def scraped(self, *args: Any, **kwargs: Any) -> LogFormatterResult | None:  # type: ignore[override]
        return super().scraped(*args, **kwargs) if self.debug else None
