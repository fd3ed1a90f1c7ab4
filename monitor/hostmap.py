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

Playwright (its node driver, one per handler: http and https) starts with the first rendered request, not with
the engine: most crawls render nothing, and the drivers cost about 144 MB each and a second of start.

The handler also enforces the address policy (monitor/guard.py) on every http(s) request, redirects included
(RedirectMiddleware turns each hop into a new request through this handler): a host-mapped host connects to its
mapped address; any other host is resolved once, every address it resolves to is checked, and the connection is
made to the first checked address (URL rewritten to it, Host header kept, TLS SNI and the connection-pool key kept
on the real name), so a DNS answer that changes between the check and the connection (DNS rebinding) is never
used. A meta "connect_to" address (the IPv6 probe's AAAA answer) is checked too. A refused request fails with
monitor.guard.ForbiddenAddressError (outcome `forbidden`) before any connection is made. With a proxy (meta
"proxy"), the host is checked but the proxy resolves it again: pinning cannot hold through a proxy.

Rendered requests (meta "playwright"): the page's URL is checked before Chromium is asked; every request Chromium
then makes for the page (navigation, frames, scripts, XHR/fetch, images…) passes scrapy-playwright's abort hook,
which aborts those the policy refuses (a PLAYWRIGHT_ABORT_REQUEST of the user is asked first); a rendered
response whose final URL the policy refuses is discarded (ForbiddenAddressError). Not covered in Chromium: the
intermediate hops of a redirect chain (Playwright routes only a chain's first URL; the final URL is still checked,
so the content is never kept), WebSockets and service-worker fetches (not routed), and DNS rebinding (Chromium
resolves names again itself after the check).

Response headers are capped (MONITOR_MAX_HEADER_BYTES, the status line and every header line together) while they
arrive: Twisted's parser limits each line but keeps any number of them, so a server sending endless headers would
fill the memory. Past the cap the connection is aborted and the fetch fails with HeadersTooLargeError (outcome
`too_large`); nothing past the cap is read into memory. A single line may use the whole cap (Chromium too has no
shorter per-line limit), where Twisted alone stops at 16 KiB.
"""

from __future__ import annotations

import asyncio
import fnmatch
import functools
import logging
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from scrapy import Request
from scrapy.core.downloader.handlers.http11 import (
    _LenientHTTP11ClientFactory,
    _LenientHTTP11ClientProtocol,
    _LenientHTTPClientParser,
)
from scrapy.crawler import Crawler
from scrapy.exceptions import CannotResolveHostError, DownloadFailedError, IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.utils.httpobj import urlparse_cached
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler
from twisted.internet.endpoints import HostnameEndpoint, TCP4ClientEndpoint, TCP6ClientEndpoint
from twisted.python.failure import Failure
from twisted.web._newclient import BODY, HEADER, STATUS, HTTP11ClientProtocol
from twisted.web.client import HTTPConnectionPool
from twisted.web.iweb import IPolicyForHTTPS
from zope.interface import implementer

logger = logging.getLogger(__name__)

# While the handler hands a rewritten request to Scrapy's HTTP/1.1 agent: (the address the URL now names, the real
# host name). The agent asks for the TLS connection creator and a pooled connection synchronously inside that call,
# so the real name can be put back for SNI and into the pool key (see _PinnedTLSPolicy, _PinnedPool).
_PINNED: ContextVar[tuple[bytes, bytes] | None] = ContextVar("govmon_pinned_connection", default=None)
# While the handler hands a request down: what frees its host's slot (HostMapDownloadHandler.download_request). The
# connection that sends the request keeps it and calls it as soon as the answer is complete (_CappedProtocol).
_ANSWERED: ContextVar[Callable[[], None] | None] = ContextVar("govmon_host_answered", default=None)


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


def address_parts(address: str) -> tuple[str, str]:
    """(host, port) of a host-map address: "127.0.0.1:8080" → ("127.0.0.1", "8080"), "[::1]" → ("::1", "")."""
    if address.startswith("["):
        host, _, rest = address[1:].partition("]")
        return host, rest.removeprefix(":")
    if address.count(":") == 1:
        host, port = address.split(":")
        return host, port
    return address, ""


def address_host(address: str) -> str:
    """The host part of a host-map address ("127.0.0.1:8080" → "127.0.0.1", "[::1]:80" → "::1")."""
    return address_parts(address)[0]


def _address_problem(address: str) -> str | None:
    """Why an address cannot be connected to (None: it can): neither an IP nor a host name, or a port outside
    1–65535. Refused here, before any request: a bad map would send every visit nowhere and store each as a
    failure of the site (an 无法访问 veto for all of them) — a fault of the monitor, never of a site."""
    import ipaddress
    import re

    host, port = address_parts(address)
    try:
        ipaddress.ip_address(host)
    except ValueError:
        name = re.fullmatch(r"(?=.{1,253}$)([A-Za-z0-9-]{1,63}\.)*[A-Za-z0-9-]{1,63}", host)
        if not name or all(part.isdigit() for part in host.split(".")):  # 999.1.1.1 is no IP, no name
            return f"{host!r} is neither an IP address nor a host name"
    if port and not (port.isdigit() and 1 <= int(port) <= 65535):
        return f"port {port!r} is not 1–65535"
    return None


def parse_host_map(text: str) -> list[HostRule]:
    """Parse "pattern=address[:port]; ..." ; a malformed entry, or an address or port nothing can be connected to,
    raises HostMapError naming it."""
    rules: list[HostRule] = []
    for raw in text.replace("\n", ";").split(";"):
        entry = raw.strip()
        if not entry:
            continue
        pattern, sep, address = entry.partition("=")
        pattern, address = pattern.strip(), address.strip()
        if not sep or not pattern or not address or " " in address or "" in address.split("|"):
            raise HostMapError(f"MONITOR_HOST_MAP: malformed entry {entry!r}; expected pattern=address[:port]")
        rule = HostRule(pattern, address)
        for one in rule.addresses:
            if problem := _address_problem(one):
                raise HostMapError(f"MONITOR_HOST_MAP: {pattern}={address}: {problem}")
        rules.append(rule)
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


def _bare(host: bytes | str) -> bytes:
    value = host.encode("ascii", "ignore") if isinstance(host, str) else host
    return value.strip(b"[]").lower()


def _idna(host: str) -> bytes:
    try:
        return host.encode("idna")
    except UnicodeError:
        return host.encode("utf-8")


@implementer(IPolicyForHTTPS)
class _PinnedTLSPolicy:
    """Scrapy's TLS policy, given the real host name (SNI, and verification when a verifying factory is set)
    when the URL was rewritten to a pinned address."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def creatorForNetloc(self, hostname: bytes, port: int) -> Any:  # noqa: N802 - Twisted's interface
        pinned = _PINNED.get()
        if pinned is not None and _bare(hostname) == pinned[0]:
            hostname = pinned[1]
        return self.inner.creatorForNetloc(hostname, port)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


HEADERS_TOO_LARGE_REASON = "响应头超过上限"


class HeadersTooLargeError(IgnoreRequest):
    """A response whose status line and headers exceed MONITOR_MAX_HEADER_BYTES (outcome too_large). An
    IgnoreRequest: retrying would only read the same headers again, and it is no error of the crawler."""

    def __init__(self, limit: int, url: str = "") -> None:
        self.limit, self.url = limit, url
        super().__init__(f"{HEADERS_TOO_LARGE_REASON}({limit} 字节),已中止下载" + (f": {url}" if url else ""))


class _CappedParser(_LenientHTTPClientParser):
    """Scrapy's lenient response parser, counting the bytes of the status line and headers as they arrive."""

    max_header_bytes = 0
    _header_bytes = 0

    def dataReceived(self, data: bytes) -> None:  # noqa: N802 - Twisted's interface
        if not self.max_header_bytes or self.state not in (STATUS, HEADER):
            super().dataReceived(data)
            return
        room = self.max_header_bytes - self._header_bytes
        if len(data) <= room:
            self._header_bytes += len(data)
            super().dataReceived(data)
            return
        # Only what fits is parsed: if the headers end within it, the rest is body (or, the response being
        # complete, bytes Twisted would drop as well); if not, the headers are too large.
        self._header_bytes = self.max_header_bytes
        super().dataReceived(data[:room])
        if self.state in (STATUS, HEADER):
            raise HeadersTooLargeError(self.max_header_bytes)
        if self.state == BODY:
            super().dataReceived(data[room:])

    def lineLengthExceeded(self, line: bytes) -> None:  # noqa: N802 - Twisted's interface
        raise HeadersTooLargeError(self.max_header_bytes or self.MAX_LENGTH)


class _CappedProtocol(_LenientHTTP11ClientProtocol):
    max_header_bytes = 0
    _answered: Callable[[], None] | None = None  # frees the host's slot of the request in progress

    def request(self, request: Any) -> Any:
        self._answered = _ANSWERED.get()
        d = super().request(request)
        assert self._parser is not None  # request() always makes one (see Scrapy's _LenientHTTP11ClientProtocol)
        self._parser.__class__ = _CappedParser
        self._parser.max_header_bytes = self.max_header_bytes
        if self.max_header_bytes:
            self._parser.MAX_LENGTH = self.max_header_bytes + 1  # the total cap applies first
        _send_now(self.transport)
        return d

    def _finishResponse_WAITING(self, rest: bytes) -> None:  # noqa: N802 - Twisted's naming
        """The answer is complete: the host's next request is let go first, then the connection goes back to the
        pool (where that request, running on the event loop's next turn, finds it) and the answer is handed up.
        Handed up first, the next request waited while Scrapy built the response and the spider read it
        (≈ 0.6 ms an answer on a site answering 2 at a time)."""
        answered, self._answered = self._answered, None
        if answered is not None:
            answered()
        super()._finishResponse_WAITING(rest)

    _finishResponse_TRANSMITTING = _finishResponse_WAITING  # noqa: N815 - as Twisted names it

    def _giveUp(self, reason: Failure) -> None:  # noqa: N802 - Twisted's naming
        if reason.check(HeadersTooLargeError):
            self.transport.abortConnection()  # stop reading now; a graceful close would wait for the server
        super()._giveUp(reason)


def _send_now(transport: Any) -> None:
    """Sends what a request wrote to its connection now, not when the event loop next polls its sockets.

    Twisted buffers a write until the loop reports the socket writable, and the loop first runs every callback
    already queued (reading the page that just freed the host's slot, other sites' pages), so a host sat idle
    between an answer and the next request: about 6 ms a request on a site answering in 50 ms, 2 at a time; 4 ms
    with this (bench/link_sweep.py --serve-at-most 2 --detail). Under TLS the bytes are in the TCP connection
    beneath. A send that fails is left to the loop, which finds the socket broken on its next poll as before."""
    while transport is not None and not hasattr(transport, "doWrite"):
        transport = getattr(transport, "transport", None)
    if transport is not None and getattr(transport, "connected", False) and not transport.disconnecting:
        transport.doWrite()


class _CappedFactory(_LenientHTTP11ClientFactory):
    def __init__(self, quiescent_callback: Callable[[Any], None], metadata: object, max_header_bytes: int) -> None:
        super().__init__(quiescent_callback, metadata)
        self.max_header_bytes = max_header_bytes

    def buildProtocol(self, addr: Any) -> HTTP11ClientProtocol:  # noqa: N802 - Twisted's interface
        protocol = _CappedProtocol(self._quiescentCallback)
        protocol.max_header_bytes = self.max_header_bytes
        return protocol


def headers_too_large(exc: BaseException) -> HeadersTooLargeError | None:
    """The HeadersTooLargeError inside a failed download (Scrapy wraps Twisted's ResponseFailed, which lists it)."""
    for reason in getattr(exc.__cause__, "reasons", None) or []:
        if isinstance(reason, Failure) and reason.check(HeadersTooLargeError):
            return reason.value
    return None


def _direct(endpoint: Any) -> Any:
    """The endpoint of a connection to one address, already chosen, as a plain TCP connection to it.

    The guard has resolved and checked the name, and the URL the handler hands down names the address: there is
    nothing to race. Twisted's happy-eyeballs endpoint still runs its machinery for it: it reports the refusal of its
    one attempt only at its next attempt time (0.3 s later; a refused link held one of its host's 2 slots that long)
    and, with a shorter attempt delay, ticks that often while a connection is made. A TCP endpoint connects and
    reports the kernel's answer, refusal included, as it comes. Under TLS the endpoint beneath is replaced. A name
    (through a proxy, say) keeps its addresses raced as Twisted means them to be."""
    from monitor.guard import parse_ip  # the guard imports this module

    inner = getattr(endpoint, "_wrappedEndpoint", endpoint)  # under TLS, the TCP endpoint it wraps
    if not isinstance(inner, HostnameEndpoint):
        return endpoint
    ip = parse_ip(str(inner._hostText))
    if ip is None or str(ip) != inner._hostText:  # a name, or an address spelled otherwise (a zone, say)
        return endpoint
    kind = TCP6ClientEndpoint if ip.version == 6 else TCP4ClientEndpoint
    direct = kind(inner._reactor, str(ip), inner._port, timeout=inner._timeout, bindAddress=inner._bindAddress)
    if inner is endpoint:
        return direct
    endpoint._wrappedEndpoint = direct
    return endpoint


class _PinnedPool(HTTPConnectionPool):
    """Keeps pooled connections of different host names apart when they share an address (a TLS connection made
    with one name's SNI is never reused for another name)."""

    def getConnection(self, key: Any, endpoint: Any) -> Any:  # noqa: N802 - Twisted's interface
        pinned = _PINNED.get()
        if pinned is not None:
            key = (*key, pinned[1])
        return super().getConnection(key, _direct(endpoint))


def _rebound(response: Response, request: Request) -> Response:
    """The response under the original request and URL. Not response.replace(): it reads every attribute,
    response.encoding too, which sniffs the whole body's charset (charset_normalizer, when neither header nor
    <meta> declares one) although the spiders decode the bytes themselves; the encoding given when the response
    was made (None: not known yet) is passed on instead, so response.text still works, inferred when asked."""
    kwargs = {name: getattr(response, name) for name in response.attributes if name != "encoding"}
    if isinstance(response, TextResponse):
        kwargs["encoding"] = response._encoding
    return type(response)(**kwargs | {"url": request.url, "request": request})


class _SlotRelease:
    """Frees one acquisition of a host's slot, once, whoever calls it first."""

    __slots__ = ("host",)

    def __init__(self, host: asyncio.Semaphore) -> None:
        self.host: asyncio.Semaphore | None = host

    def __call__(self) -> None:
        if self.host is not None:
            self.host, host = None, self.host
            host.release()


class HostMapDownloadHandler(ScrapyPlaywrightDownloadHandler):
    """Download handler for http(s): the address policy, then mapped hosts to their address, others to their
    checked DNS address.

    Requests with meta "playwright" go to Chromium, which applies the same map through --host-resolver-rules.
    A request may also name its own target in meta "connect_to" (the IPv6 probe does).
    Doing this in the handler (not a middleware) keeps the original request everywhere else: download slots
    (per-host politeness), redirects, cookies and the response all carry the real host name.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        from monitor.guard import AddressPolicy

        self.rules = parse_host_map(crawler.settings.get("MONITOR_HOST_MAP", ""))
        self.policy = AddressPolicy.from_settings(crawler.settings)
        self._addresses: dict[str, str | None] = {}  # per host: a map may list thousands of hosts
        self._contextFactory = _PinnedTLSPolicy(self._contextFactory)
        from twisted.internet import reactor

        pool = _PinnedPool(reactor, persistent=True)
        pool.maxPersistentPerHost = self._pool.maxPersistentPerHost
        # Scrapy's lenient HTTP/1.1 client, with the header cap
        pool._factory = functools.partial(_CappedFactory,
                                          max_header_bytes=crawler.settings.getint("MONITOR_MAX_HEADER_BYTES"))
        self._pool = pool
        # Each host gets at most CONCURRENT_REQUESTS_PER_IP (else _PER_DOMAIN) requests at a time. Scrapy 2.19's
        # downloader does not hold it: `Downloader._process_queue` starts every queued request of a slot before
        # any of them counts as transferring, so without a download delay a burst of link checks reached one host
        # 14-18 at a time with a limit of 2 (measured at the server; tests/test_sweep.py).
        s = crawler.settings
        self.per_host = s.getint("CONCURRENT_REQUESTS_PER_IP") or s.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._user_abort: Callable[[Any], Awaitable[bool] | bool] | None = self.abort_request
        self.abort_request = self._abort_rendered
        self._launched = False  # Playwright started (by the first rendered request)
        self._launch_lock = asyncio.Lock()

    # scrapy-playwright starts Playwright when the engine starts (both hooks, for Scrapy's newer and older handler
    # API); here it starts on the first rendered request (_launch_once). Closing needs no launch: scrapy-playwright's
    # _close skips a browser and a provider that do not exist.
    async def _maybe_launch_in_thread(self) -> None:
        return None

    def _engine_started(self) -> None:
        return None

    async def _launch_once(self) -> None:
        """Start Playwright (and any startup contexts) for the first rendered request; rendered requests arriving
        meanwhile wait for that one start. A start that failed is tried again by the next rendered request."""
        if self._launched:
            return
        async with self._launch_lock:
            if not self._launched:
                await self._maybe_future_from_coro(self._launch())
                self._launched = True

    def address(self, host: str) -> str | None:
        if host not in self._addresses:
            self._addresses[host] = lookup(self.rules, host)
        return self._addresses[host]

    async def download_request(self, request: Request) -> Response:  # type: ignore[override]
        if self.per_host <= 0:
            return await self._timed(request)
        key = request.meta.get("download_slot") or urlparse_cached(request).hostname or ""
        host = self._hosts.get(key)
        if host is None:
            host = self._hosts[key] = asyncio.Semaphore(self.per_host)
        await host.acquire()  # waiting here is before the download: its timeout and timing do not count it
        release = _SlotRelease(host)
        token = _ANSWERED.set(release)  # the connection frees the slot when the answer is complete...
        try:
            return await self._timed(request)
        finally:
            _ANSWERED.reset(token)
            release()  # ...or here, when there was none (an error, a timeout, Chromium)

    async def _timed(self, request: Request) -> Response:
        started = time.monotonic()
        try:
            return await self._download(request)
        finally:
            elapsed = time.monotonic() - started
            request.meta["download_elapsed"] = elapsed
            request.meta["download_elapsed_total"] = request.meta.get("download_elapsed_total", 0.0) + elapsed

    async def _download(self, request: Request) -> Response:
        parts = urlsplit(request.url)
        host = parts.hostname or ""
        if request.meta.get("playwright"):
            return await self._download_rendered(request)
        address = request.meta.get("connect_to")
        if address is not None:
            self._check_connect_to(request.url, host, address)
        else:
            address = self.address(host)
        timeout: float | None = None
        if address is None:
            port = parts.port or (443 if parts.scheme == "https" else 80)
            # The resolution used to happen inside the connection, under download_timeout: it still counts there.
            timeout = request.meta.get("download_timeout") or self._crawler.settings.getfloat("DOWNLOAD_TIMEOUT") or None
            started = time.monotonic()
            checked = await self.policy.resolve(request.url, host, port, limit=timeout)
            if timeout is not None:
                timeout = max(timeout - (time.monotonic() - started), 0.001)  # 0 would mean "no timeout"
            if not request.meta.get("proxy"):  # a proxy connects by name: the check above is all we can do there
                from monitor.guard import connect_address

                address = connect_address(checked[0], port)
        if address is None:
            mapped = request.copy()
            token = None
        else:

            mapped = request.replace(url=_with_address(request.url, address))
            mapped.headers["Host"] = parts.netloc.rpartition("@")[2]
            token = _PINNED.set((_bare(address_host(address)), _idna(host)))
        if timeout is not None:
            mapped.meta["download_timeout"] = timeout
        try:
            response = await super().download_request(mapped)
        except DownloadFailedError as exc:
            if (too_large := headers_too_large(exc)) is not None:
                raise HeadersTooLargeError(too_large.limit, request.url) from exc
            raise
        finally:
            if token is not None:
                _PINNED.reset(token)
        # What the handler noted on the copy (download_latency, which AutoThrottle reads) belongs to the original.
        for key, value in mapped.meta.items():
            request.meta.setdefault(key, value)
        return _rebound(response, request)

    def _check_connect_to(self, url: str, host: str, address: str) -> None:
        from monitor.guard import ForbiddenAddressError, parse_ip

        if address in self.policy.mapped(host):
            return
        ip = parse_ip(address_host(address))
        if ip is None:
            raise ForbiddenAddressError(url, host, address)
        self.policy.check(url, host, [ip])

    async def _download_rendered(self, request: Request) -> Response:
        """Chromium: the page's URL is checked first, the requests of the page by _abort_rendered, the final URL
        after (a redirect chain's middle hops are not routed by Playwright)."""
        from monitor.guard import ForbiddenAddressError

        await self._check_url(request.url)
        await self._launch_once()
        response = await super().download_request(request)
        try:
            await self._check_url(response.url)
        except ForbiddenAddressError:
            page = request.meta.get("playwright_page")
            if page is not None:
                await page.close()
            raise
        return response

    async def _check_url(self, url: str) -> None:
        """ForbiddenAddressError when the policy refuses url's host; mapped hosts and non-HTTP URLs pass, and a
        name that does not resolve is left to fail where it is fetched."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.scheme not in ("http", "https") or not host or self.address(host) is not None:
            return
        try:
            await self.policy.resolve(url, host, parts.port or (443 if parts.scheme == "https" else 80))
        except CannotResolveHostError:
            return

    async def _abort_rendered(self, playwright_request: Any) -> bool:
        """scrapy-playwright's PLAYWRIGHT_ABORT_REQUEST hook: the user's own hook first, then the policy."""
        from monitor.guard import ForbiddenAddressError

        if self._user_abort is not None:
            verdict = self._user_abort(playwright_request)
            if hasattr(verdict, "__await__"):
                verdict = await verdict  # type: ignore[misc]
            if verdict:
                return True
        try:
            await self._check_url(playwright_request.url)
        except ForbiddenAddressError as exc:
            logger.info("rendering: %s (%s)", exc, playwright_request.url)
            self.stats.inc_value("govmon/forbidden/rendered")
            return True
        return False
