"""The availability probe (站点无法访问): one light GET of each homepage per round, every site in parallel.

The national rule visits each site at least 20 times a day for a week and counts a visit as failed when the site
has not opened within 15 s; this spider performs the rounds and records every visit in `probes`, and the
`site_unreachable` rule judges them. Arguments (`scrapy crawl probe -a name=value` or `govmon probe`):

- sites: comma-separated 网站标识码 (default: every active site);
- round_id: identity of the (first) round; default derived from the round's time;
- at: the time the first round is stamped with (ISO, UTC; default now). With `rounds` > 1 the spider runs the
  rounds back to back and stamps round i at `at + i × interval`: an injectable clock, so a week of rounds can be
  produced for tests and replays without waiting a week — the visits themselves are real;
- rounds / interval: number of rounds in this process (default 1) and their spacing in seconds (default 4320 s,
  i.e. 20 rounds a day);
- ipv6: "1" to add an IPv6 visit per site (AAAA resolution or an IPv6 host-map address, then HTTP over IPv6).

Latency is the site's time only: from the moment the download handler starts the request until the body has fully
arrived (meta "download_elapsed_total", set by monitor.hostmap's handler, summed over the redirects of one visit).
A round hands all its requests to Scrapy, which sends them CONCURRENT_REQUESTS at a time, so most of them wait in
Scrapy's scheduler first; a clock started when the Request was created counted that wait as latency and failed
healthy sites in large rounds. Scrapy's "download_latency" starts at the handler too but stops at the response
headers, missing a slow body; it is used only when another handler left no measure. The limit is enforced the same
way: Scrapy's "download_timeout" timer starts in the handler (HTTP11 agent), and a redirect's next hop gets only
what is left of the limit (VisitBudgetMiddleware), so a visit never holds a slot for much longer than the limit.

Round length: each visit holds one of CONCURRENT_REQUESTS (128) slots for at most the limit, so a round of N
sites takes at most about (healthy × their answer time + hanging × limit) / 128; 2,000 sites all hanging past
15 s would take ~4 min, far inside the 3,600 s between 24 rounds a day, and healthy visits are never counted
against the time they wait for a slot.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Request, Response
from twisted.python.failure import Failure

from monitor.hostmap import lookup_all, parse_host_map
from monitor.items import ProbeItem
from monitor.outcome import classify_failure, describe
from monitor.targets import target_source

# Errors that mean "this machine has no IPv6 route", not "the site fails over IPv6".
NO_ROUTE_ERRNOS = {101, 113, 99}  # ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class ProbeSpider(scrapy.Spider):
    name = "probe"
    custom_settings = {
        # A probe measures the site as a visitor meets it: no retries, no throttling delays, no rendering.
        "RETRY_ENABLED": False,
        "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS": 128,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "COOKIES_ENABLED": False,
        "DOWNLOAD_MAXSIZE": 4 * 1024 * 1024,
        "DOWNLOADER_MIDDLEWARES": {"monitor.spiders.probe.IPv6ResolveMiddleware": 960,
                                   "monitor.spiders.probe.VisitBudgetMiddleware": 970},
    }

    def __init__(self, sites: str = "", round_id: str = "", at: str = "", rounds: str = "1",
                 interval: str = "4320", ipv6: str = "0", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.site_filter = {s.strip() for s in sites.split(",") if s.strip()}
        self.first_at = datetime.fromisoformat(at) if at else utcnow()
        self.round_prefix = round_id
        self.rounds = int(rounds)
        self.interval = timedelta(seconds=float(interval))
        self.ipv6 = ipv6 not in ("", "0", "false", "False")
        self.round = 0
        self.sites: list[dict[str, Any]] = []
        self.run_id = self.round_id(0)  # the storage pipeline records the run under this id

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any) -> ProbeSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.next_round, signal=signals.spider_idle)
        return spider

    def round_id(self, index: int) -> str:
        stamp = self.round_at(index)
        return f"{self.round_prefix or 'probe'}-{stamp:%Y%m%dT%H%M%S}"

    def round_at(self, index: int) -> datetime:
        return self.first_at + index * self.interval

    @property
    def timeout(self) -> float:
        """The visit limit in seconds: the rulebook's site_unreachable.params.timeout_seconds (MONITOR_RULEBOOK
        honoured; the add-on puts it into MONITOR_PROBE_TIMEOUT for VisitBudgetMiddleware), or an explicit
        MONITOR_PROBE_TIMEOUT of a test. Read once per crawl: every visit asks for it."""
        if "_timeout" not in self.__dict__:
            from monitor.addon import probe_timeout

            self._timeout = probe_timeout(self.settings)
        return self._timeout

    async def start(self) -> AsyncIterator[Request]:
        self.sites = [t.facts for t in target_source(self.settings).targets("website", self.site_filter)]
        self.logger.info("probing %d sites, %d round(s), timeout %.1f s", len(self.sites), self.rounds,
                         self.timeout)
        for request in self.round_requests(0):
            yield request

    def next_round(self) -> None:
        if self.round + 1 >= self.rounds:
            return
        self.round += 1
        for request in self.round_requests(self.round):
            self.crawler.engine.crawl(request)
        raise DontCloseSpider

    def round_requests(self, index: int) -> Iterator[Request]:
        for site in self.sites:
            yield self.visit(site, index, "any")
            if self.ipv6:
                yield self.visit(site, index, "ipv6")

    def visit(self, site: dict, index: int, family: str, address: str | None = None) -> Request:
        meta = {"site": site, "round": index, "family": family, "download_timeout": self.timeout,
                "dont_redirect": False}
        if family == "ipv6":
            meta["resolve_ipv6"] = address is None
            if address:
                meta["connect_to"] = address
        return Request(site["homepage"], callback=self.visited, errback=self.failed, dont_filter=True,
                       meta=meta, priority=-index)

    def item(self, meta: dict, outcome: str, **values: Any) -> ProbeItem:
        return ProbeItem(round_id=self.round_id(meta["round"]), site_code=meta["site"]["site_code"],
                         family=meta["family"], url=meta["site"]["homepage"], probed_at=self.round_at(meta["round"]),
                         outcome=outcome, address=meta.get("connect_to"), **values)

    @staticmethod
    def latency_ms(meta: dict) -> int | None:
        """Time the download handler spent on this visit (not queue time); None when the visit was never sent."""
        seconds = meta.get("download_elapsed_total", meta.get("download_latency"))
        return None if seconds is None else int(seconds * 1000)

    def visited(self, response: Response) -> Iterator[ProbeItem]:
        meta = response.meta
        latency = self.latency_ms(meta)
        error = None
        if latency is not None and latency >= self.timeout * 1000:
            outcome = "timeout"  # arrived, but not within the limit: the rule counts 15 s itself as a failure
        else:
            outcome = "ok" if response.status < 400 else "http"
            if latency is None:  # only with a download handler that records no time; download_timeout still held
                error = "耗时未测得:下载处理器未记录 download_elapsed_total 或 download_latency"
        yield self.item(meta, outcome, status=response.status, latency_ms=latency, error=error)

    def failed(self, failure: Failure) -> Iterator[ProbeItem]:
        meta = failure.request.meta
        outcome = classify_failure(failure)
        if meta["family"] == "ipv6" and _no_route(failure):
            outcome = "no_route"
        yield self.item(meta, outcome, latency_ms=self.latency_ms(meta), error=describe(failure))

    # IPv6: the address is looked up before the visit (host map first, then DNS AAAA).
    async def ipv6_address(self, host: str, port: int) -> str | None:
        mapped = [a for a in lookup_all(parse_host_map(self.settings.get("MONITOR_HOST_MAP", "")), host)
                  if a.startswith("[")]
        if mapped:
            return mapped[0]
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, family=socket.AF_INET6,
                                                                 type=socket.SOCK_STREAM)
        except (socket.gaierror, OSError):
            return None
        return f"[{infos[0][4][0]}]:{port}" if infos else None


def _no_route(failure: Failure) -> bool:
    text = str(failure.value)
    return any(f"errno {n}" in text.lower() or f"[Errno {n}]" in text for n in NO_ROUTE_ERRNOS) \
        or "unreachable" in text.lower()


class VisitBudgetMiddleware:
    """Downloader middleware: a redirect's next hop may use only what the visit has left of the limit.

    Redirects copy meta, so "download_elapsed_total" carries the handler time of the hops before; without this each
    hop would get the full download_timeout and a chain of slow hops would hold a slot for a multiple of the limit.
    """

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout

    @classmethod
    def from_crawler(cls, crawler) -> VisitBudgetMiddleware:
        return cls(crawler.settings.getfloat("MONITOR_PROBE_TIMEOUT"))

    def process_request(self, request: Request, spider: Any = None) -> None:
        spent = request.meta.get("download_elapsed_total")
        if spent is not None:
            # A positive floor: Scrapy reads a zero timeout as "no timeout"; the hop then fails as timeout at once.
            request.meta["download_timeout"] = max(self.timeout - spent, 0.001)


class IPv6ResolveMiddleware:
    """Downloader middleware: gives IPv6 visits their IPv6 address, or records that the host has none."""

    async def process_request(self, request: Request, spider: Any = None) -> Request | None:
        if not request.meta.pop("resolve_ipv6", False):
            return None
        crawler_spider = spider or self.spider
        parts = urlsplit(request.url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = await crawler_spider.ipv6_address(parts.hostname or "", port)
        if address is None:
            from scrapy.exceptions import IgnoreRequest

            raise IgnoreRequest("no_aaaa: the host has no IPv6 address")
        request.meta["connect_to"] = address
        return None

    @classmethod
    def from_crawler(cls, crawler) -> IPv6ResolveMiddleware:
        mw = cls()
        mw.crawler = crawler
        return mw

    @property
    def spider(self):
        return self.crawler.spider
