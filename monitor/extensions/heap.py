"""Keeps the garbage collector off what lives for the whole crawl.

A crawl process holds ~150,000 objects from its imports and its set-up (modules, functions, settings,
middlewares) until it exits. Python's full collections walk all of them every time: three of them, 13–50 ms each,
in a sweep's first second, later ones in the middle of a crawl (where each stalls every download in progress), and
one more at exit. When the engine has started, this extension moves what exists then to the collector's permanent
generation (gc.freeze), so collections walk only what the crawl itself makes. Objects frozen are never collected:
they are the ones that live until exit anyway. Once per process: where one process runs crawl after crawl (the
demo, the tests), what a later crawl's start holds is mostly the earlier crawls' leftovers, which must stay
collectable.

Setting: MONITOR_GC_FREEZE (monitor/settings.py).
"""

from __future__ import annotations

import gc

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

_frozen = False  # this process's heap was frozen by a crawl's start


class FreezeHeap:
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FreezeHeap:
        if not crawler.settings.getbool("MONITOR_GC_FREEZE"):
            raise NotConfigured("MONITOR_GC_FREEZE is off")
        ext = cls()
        crawler.signals.connect(ext.engine_started, signal=signals.engine_started)
        return ext

    def engine_started(self) -> None:
        global _frozen
        if _frozen:
            return
        gc.collect()  # what set-up left as garbage goes now, not into the permanent generation
        gc.freeze()
        _frozen = True
