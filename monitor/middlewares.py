"""Downloader middlewares: polite retries; a target site that keeps failing is an outcome, not a crawler error."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request, retry_logger
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.response import response_status_message


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds asked for by a Retry-After header (delta-seconds or an HTTP date); None if absent or unparsable."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class GiveUpLogger:
    """Scrapy's retry logger with "Gave up retrying" at a chosen level.

    Scrapy logs giving up at ERROR (hard-coded before 2.17, RETRY_GIVE_UP_LOG_LEVEL since); for this crawler it is
    the normal end of a failing target site, recorded by the spider's errback as the page's or link's outcome.
    """

    def __init__(self, logger: logging.Logger, level: int) -> None:
        self.logger = logger
        self.level = level

    def debug(self, msg: str, *args, **kwargs) -> None:
        self.logger.debug(msg, *args, **kwargs)

    def error(self, msg: str, *args, **kwargs) -> None:
        self.logger.log(self.level, msg, *args, **kwargs)

    def log(self, level: int, msg: str, *args, **kwargs) -> None:
        self.logger.log(self.level if level >= logging.ERROR else level, msg, *args, **kwargs)


def log_level(value: int | str | None, default: int = logging.DEBUG) -> int:
    if isinstance(value, int):
        return value
    level = logging.getLevelName(str(value).upper()) if value else default
    return level if isinstance(level, int) else default


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's retry middleware with backoff, honouring Retry-After.

    A retried response waits for Retry-After (capped by MONITOR_RETRY_AFTER_MAX, seconds) or for an exponential
    backoff (MONITOR_RETRY_BACKOFF × 2^attempt) before the retry is scheduled; meanwhile the host's download slot
    is slowed down to that wait, so that other requests to the host wait as well. Giving up is logged at
    RETRY_GIVE_UP_LOG_LEVEL (DEBUG in monitor/settings.py), whatever the Scrapy version.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler.settings)
        self.crawler = crawler
        self.max_wait = crawler.settings.getfloat("MONITOR_RETRY_AFTER_MAX")
        self.backoff = crawler.settings.getfloat("MONITOR_RETRY_BACKOFF")
        level = log_level(crawler.settings.get("RETRY_GIVE_UP_LOG_LEVEL"))
        self.give_up_logger = GiveUpLogger(retry_logger, level)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(crawler)

    async def process_response(self, request: Request, response: Response, spider=None) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        attempt = request.meta.get("retry_times", 0)
        asked = retry_after_seconds(response.headers.get("Retry-After"))
        if asked is not None and asked > self.max_wait:
            return response  # the server asks for longer than we wait: record the answer as it is
        wait = asked if asked is not None else self.backoff * (2**attempt)
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        if wait <= 0:
            return retry
        slot = self._slot(request)
        previous = slot.delay if slot is not None else None
        if slot is not None:  # the whole host waits, not just this request...
            slot.delay = max(slot.delay, wait)
        await asyncio.sleep(wait)
        if slot is not None and slot.delay == max(previous, wait):  # ...and only for as long as it was asked to
            slot.delay = previous
        return retry

    def _retry(self, request: Request, reason) -> Request | None:
        return get_retry_request(
            request, reason=reason, spider=self.crawler.spider,
            max_retry_times=request.meta.get("max_retry_times", self.max_retry_times),
            priority_adjust=request.meta.get("priority_adjust", self.priority_adjust),
            logger=self.give_up_logger)  # type: ignore[arg-type]

    def _slot(self, request: Request):
        engine = self.crawler.engine
        if engine is None:
            return None
        downloader = engine.downloader
        return downloader.slots.get(downloader.get_slot_key(request))


READ_AHEAD = "_read_ahead"  # meta key: a page's reading done in a worker thread


class ReadInThread:
    """Reads a big page (extraction: parse, walk, dates, lists, links, footer) in a worker thread before its callback,
    so one heavy page does not stall every other site's requests on the reactor thread.

    Extraction is linear and bounded per page, but a page of 100,000 links still takes seconds of Python; here the
    reactor keeps serving other downloads meanwhile (the thread holds the GIL only in turns). Pages smaller than
    MONITOR_READ_IN_THREAD_BYTES are read in their callback: for them a thread hand-off costs more than it saves.
    The spider says which responses are its pages (`read_ahead(request)`) and finds the reading in their meta.
    """

    def __init__(self, crawler: Crawler, min_bytes: int) -> None:
        self.crawler = crawler
        self.min_bytes = min_bytes

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReadInThread:
        min_bytes = crawler.settings.getint("MONITOR_READ_IN_THREAD_BYTES")
        if min_bytes <= 0:
            raise NotConfigured("MONITOR_READ_IN_THREAD_BYTES is 0: pages are read in their callbacks")
        return cls(crawler, min_bytes)

    async def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        spider = self.crawler.spider
        wants = getattr(spider, "read_ahead", None)
        if wants is None or len(response.body) < self.min_bytes or not wants(request):
            return response
        request.meta[READ_AHEAD] = await asyncio.to_thread(spider.read_now, response)
        return response


class MetaRefresh(MetaRefreshMiddleware):
    """Scrapy's meta-refresh redirects, without decoding every page to look for one.

    The stock middleware reads `response.text[:4096]` of every HTML page: the whole body decoded, and for a page
    whose header and markup name no charset (many GBK sites) charset detection over all of it — about a tenth of a
    crawl's CPU time, for pages the spider decodes itself anyway. A refresh tag is ASCII: a page whose first bytes
    (4 per character of the stock window, enough for UTF-8 and GBK) do not contain "refresh" has none, and is
    passed on untouched; any other page (one that mentions refresh, or UTF-16 with its NUL bytes) goes through the
    stock middleware, so redirects are followed exactly as before.
    """

    WINDOW = 4 * 4096

    def process_response(self, request: Request, response: Response, spider: Spider | None = None
                         ) -> Request | Response:
        head = response.body[:self.WINDOW]
        if b"\x00" not in head and b"refresh" not in head.lower():
            return response
        return super().process_response(request, response)
