"""Target tracker: knows when the last request of a target has finished, and says so with `target_finished`.

A target (a website) is finished when every request made for it — its pages, the link checks its pages asked for,
their retries and redirects, and the checks of links it shares with a target that asked first — has been
downloaded (or failed) and its callback's or errback's output has been fully processed: items through the
pipelines, follow-up requests scheduled. Then the facts of this crawl for the target are complete, and
`target_finished` (target id, spider) is sent; the checks pipeline judges the target at that moment.

How requests are attributed: page requests carry their site (`meta["site"]`); every other request a callback
yields inherits the target of the response that produced it (this spider middleware stamps `meta["target"]`); a
request yielded by an errback is attributed through its URL. A retry or a redirect replaces a request and carries
its meta, so a chain of replacements counts once. A request's end is the moment Scrapy's scraper finishes with it
(`Slot.finish_response`, after its whole output was processed) — Scrapy sends no signal there, so the tracker wraps
that method of the running scraper's slot.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Iterable
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Response

from monitor.items import LinkItem, rows_of

log = logging.getLogger(__name__)

target_finished = object()  # signal: target (site code), spider
TRACKED = "_target"  # meta key of a counted request chain


class TargetTracker:
    """Spider middleware (stamps follow-ups) and signal handler (counts requests per target)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.open: Counter[str] = Counter()  # target → request chains not finished
        self.started: set[str] = set()
        self.finished: list[str] = []  # in the order they finished
        self.owner: dict[str, str] = {}  # URL → target that requested it (for errback follow-ups)
        self.checks_open: Counter[str] = Counter()  # link-check URL → chains in flight
        self.waiting: dict[str, set[str]] = defaultdict(set)  # link-check URL → other targets waiting for it

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TargetTracker:
        tracker = cls(crawler)
        crawler.signals.connect(tracker.request_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(tracker.request_dropped, signal=signals.request_dropped)
        crawler.signals.connect(tracker.spider_opened, signal=signals.spider_opened)
        crawler.tracker = tracker  # type: ignore[attr-defined]  # for the pipelines that react to its signal
        return tracker

    # ------------------------------------------------------------------ attribution

    @staticmethod
    def target_of_meta(meta: dict[str, Any]) -> str | None:
        site = meta.get("site")
        return site["site_code"] if isinstance(site, dict) else meta.get("target")

    def process_spider_output(self, response: Response, result: Iterable[Any], spider: Any = None) -> Iterable[Any]:
        target = response.meta.get(TRACKED)
        for out in result:
            self._stamp(out, target)
            yield out

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any],
                                          spider: Any = None) -> AsyncIterator[Any]:
        target = response.meta.get(TRACKED)
        async for out in result:
            self._stamp(out, target)
            yield out

    def _stamp(self, out: Any, target: str | None) -> None:
        if target is None:
            return
        if isinstance(out, Request):
            if self.target_of_meta(out.meta) is None:
                out.meta["target"] = target
            return
        for row in rows_of(out):
            if isinstance(row, LinkItem) and self._shared_check_pending(row):
                # Another target asked first for this link's check: this one waits for it too.
                self.waiting[row.url].add(row.site_code)
                self.open[row.site_code] += 1

    def _shared_check_pending(self, link: LinkItem) -> bool:
        return (bool(self.checks_open.get(link.url)) and self.owner.get(link.url) != link.site_code
                and link.site_code not in self.waiting.get(link.url, ()))

    # ------------------------------------------------------------------ counting

    def request_scheduled(self, request: Request, spider: Any = None) -> None:
        if TRACKED in request.meta:
            return  # a retry or redirect: the chain is counted already
        target = self.target_of_meta(request.meta) or self.owner.get(request.url)
        if target is None:
            return
        request.meta[TRACKED] = target
        self.owner.setdefault(request.url, target)
        self.open[target] += 1
        self.started.add(target)
        if "method" in request.meta:  # a link check
            self.checks_open[request.url] += 1

    def request_dropped(self, request: Request, spider: Any = None) -> None:
        self._done(request)

    def spider_opened(self, spider: Any) -> None:
        slot = self.crawler.engine.scraper.slot
        finish = slot.finish_response

        def finish_response(result: Any, request: Request) -> None:
            finish(result, request)
            self._done(request)

        slot.finish_response = finish_response  # no signal exists for "the output of this request is processed"

    def _done(self, request: Request) -> None:
        target = request.meta.get(TRACKED)
        if target is None or request.meta.get("_target_done"):
            return
        request.meta["_target_done"] = True
        if "method" in request.meta:
            self.checks_open[request.url] -= 1
            if self.checks_open[request.url] <= 0:
                del self.checks_open[request.url]
                for waiter in self.waiting.pop(request.url, ()):
                    self._release(waiter)
        self._release(target)

    def _release(self, target: str) -> None:
        self.open[target] -= 1
        if self.open[target] > 0:
            return
        del self.open[target]
        self.finished.append(target)
        log.debug("target %s finished", target)
        self.crawler.signals.send_catch_log(target_finished, target=target, spider=self.crawler.spider)
