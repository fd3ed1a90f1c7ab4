"""The host map: send chosen hosts to a fixed address, like curl's --resolve or Chromium's --host-resolver-rules.

Setting MONITOR_HOST_MAP holds entries "pattern=address[:port]" separated by ';' or newlines; pattern is an exact
host or "*.suffix"; IPv6 addresses are written in brackets ("[::1]:8080"), and several addresses of one host are
separated by '|' (the first is used for ordinary fetches; the availability probe uses an IPv6 one for its IPv6 check). The URL and the Host header keep the original name, so servers that route by Host (virtual hosts,
the simulated web) answer as they would for the real name. The same map is given to Chromium as
--host-resolver-rules so rendered pages reach the same servers.

The handler also times each download (meta "download_elapsed", and "download_elapsed_total" summed over a
request and the redirects and retries derived from it, whose meta is copied): from the moment the handler starts
the request until the body has fully arrived or the download failed. That is the site's time as a visitor meets it
(DNS, connect, TLS, headers, body), without the time the request waited in Scrapy's scheduler or per-host queue,
which lie before the handler. Scrapy's own "download_latency" stops at the response headers, so it misses a slow
body. (Rendered requests also count the wait for a free browser page.)
"""

from __future__ import annotations

import fnmatch
import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler


@dataclass(frozen=True)
class HostRule:
    pattern: str  # "www.hh.gov.cn" or "*.hh.gov.cn"
    address: str  # "127.0.0.1:8080", "10.0.0.5" or "127.0.0.1:8080|[::1]:8080"

    @property
    def addresses(self) -> list[str]:
        return [a for a in self.address.split("|") if a]

    def matches(self, host: str) -> bool:
        return fnmatch.fnmatchcase(host.lower(), self.pattern.lower())


class HostMapError(ValueError):
    pass


def parse_host_map(text: str) -> list[HostRule]:
    """Parse "pattern=address[:port]; ..." ; a malformed entry raises HostMapError naming it."""
    rules: list[HostRule] = []
    for raw in text.replace("\n", ";").split(";"):
        entry = raw.strip()
        if not entry:
            continue
        pattern, sep, address = entry.partition("=")
        pattern, address = pattern.strip(), address.strip()
        if not sep or not pattern or not address or " " in address or "" in address.split("|"):
            raise HostMapError(f"MONITOR_HOST_MAP: malformed entry {entry!r}; expected pattern=address[:port]")
        rules.append(HostRule(pattern, address))
    return rules


def lookup_all(rules: list[HostRule], host: str) -> list[str]:
    """Every address of the first rule matching host ([] when none matches)."""
    for rule in rules:
        if rule.matches(host):
            return rule.addresses
    return []


def lookup(rules: list[HostRule], host: str) -> str | None:
    """The address ordinary fetches of host connect to, or None when the host is not mapped."""
    addresses = lookup_all(rules, host)
    return addresses[0] if addresses else None


def chromium_rules(rules: list[HostRule]) -> str:
    """The same map as Chromium's --host-resolver-rules value."""
    return ", ".join(f"MAP {r.pattern} {r.addresses[0]}" for r in rules)


def _with_address(url: str, address: str) -> str:
    parts = urlsplit(url)
    bare = address.rsplit("]", 1)[-1] if address.startswith("[") else address
    if ":" not in bare:  # address without port keeps the URL's port
        port = parts.port
        address = f"{address}:{port}" if port else address
    return urlunsplit((parts.scheme, address, parts.path, parts.query, ""))


class HostMapDownloadHandler(ScrapyPlaywrightDownloadHandler):
    """Download handler for http(s): mapped hosts are connected to their address, the rest as usual.

    Requests with meta "playwright" go to Chromium, which applies the same map through --host-resolver-rules.
    A request may also name its own target in meta "connect_to" (the IPv6 probe does).
    Doing this in the handler (not a middleware) keeps the original request everywhere else: download slots
    (per-host politeness), redirects, cookies and the response all carry the real host name.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.rules = parse_host_map(crawler.settings.get("MONITOR_HOST_MAP", ""))
        self._addresses: dict[str, str | None] = {}  # per host: a map may list thousands of hosts

    def address(self, host: str) -> str | None:
        if host not in self._addresses:
            self._addresses[host] = lookup(self.rules, host)
        return self._addresses[host]

    async def download_request(self, request: Request) -> Response:  # type: ignore[override]
        started = time.monotonic()
        try:
            return await self._download(request)
        finally:
            elapsed = time.monotonic() - started
            request.meta["download_elapsed"] = elapsed
            request.meta["download_elapsed_total"] = request.meta.get("download_elapsed_total", 0.0) + elapsed

    async def _download(self, request: Request) -> Response:
        address = request.meta.get("connect_to")
        if address is None and not request.meta.get("playwright"):
            address = self.address(urlsplit(request.url).hostname or "")
        if address is None:
            return await super().download_request(request)
        mapped = request.replace(url=_with_address(request.url, address))
        mapped.headers["Host"] = urlsplit(request.url).netloc
        response = await super().download_request(mapped)
        # What the handler noted on the copy (download_latency, which AutoThrottle reads) belongs to the original.
        for key, value in mapped.meta.items():
            request.meta.setdefault(key, value)
        return response.replace(url=request.url, request=request)
