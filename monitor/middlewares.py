"""Downloader middlewares: polite retries."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
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


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's retry middleware with backoff, honouring Retry-After.

    A retried response waits for Retry-After (capped by MONITOR_RETRY_AFTER_MAX, seconds) or for an exponential
    backoff (MONITOR_RETRY_BACKOFF × 2^attempt) before the retry is scheduled; meanwhile the host's download slot
    is slowed down to that wait, so that other requests to the host wait as well.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler.settings)
        self.crawler = crawler
        self.max_wait = crawler.settings.getfloat("MONITOR_RETRY_AFTER_MAX", 120.0)
        self.backoff = crawler.settings.getfloat("MONITOR_RETRY_BACKOFF", 0.5)

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

    def _slot(self, request: Request):
        engine = self.crawler.engine
        if engine is None:
            return None
        downloader = engine.downloader
        return downloader.slots.get(downloader.get_slot_key(request))
