"""Host map parsing, the Retry-After reading used by the polite retry middleware, and the response header cap of
the download handler (over real connections on loopback)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
import scrapy
from scrapy.http import Request, Response
from scrapy.utils.defer import deferred_f_from_coro_f, maybe_deferred_to_future
from twisted.python.failure import Failure

from monitor.hostmap import HEADERS_TOO_LARGE_REASON, HostMapError, chromium_rules, lookup, parse_host_map
from monitor.middlewares import retry_after_seconds
from monitor.outcome import classify_failure, describe
from tests.crawling import crawl


def test_parse_and_lookup_exact_and_wildcard() -> None:
    rules = parse_host_map("www.hh.gov.cn=127.0.0.1:8080;\n *.gejiu.gov.cn = 10.1.2.3 ; ")
    assert lookup(rules, "www.hh.gov.cn") == "127.0.0.1:8080"
    assert lookup(rules, "WWW.HH.GOV.CN") == "127.0.0.1:8080"
    assert lookup(rules, "czj.gejiu.gov.cn") == "10.1.2.3"
    assert lookup(rules, "hh.gov.cn") is None
    assert chromium_rules(rules) == "MAP www.hh.gov.cn 127.0.0.1:8080, MAP *.gejiu.gov.cn 10.1.2.3"


@pytest.mark.parametrize("bad", ["www.hh.gov.cn", "=127.0.0.1", "www.hh.gov.cn=", "a=b c"])
def test_malformed_entry_is_named(bad: str) -> None:
    with pytest.raises(HostMapError, match="malformed entry"):
        parse_host_map(bad)


def test_retry_after_seconds_and_http_date() -> None:
    now = datetime(2021, 3, 3, 8, 0, 0, tzinfo=UTC)
    assert retry_after_seconds(b"120") == 120.0
    assert retry_after_seconds("Wed, 03 Mar 2021 08:00:30 GMT", now=now) == 30.0
    assert retry_after_seconds("Wed, 03 Mar 2021 07:00:00 GMT", now=now) == 0.0
    assert retry_after_seconds(b"soon") is None
    assert retry_after_seconds(None) is None


# ------------------------------------------------------------------ the response header cap (real crawls on loopback)


class RawServer:
    """A TCP server on loopback answering each request on a kept-alive connection with the next prepared bytes;
    notes whether the client closed the connection before a response was fully sent."""

    def __init__(self, responses: list[bytes]) -> None:
        self.responses = responses
        self.cut_short = 0
        self.requests = 0
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]

    def __enter__(self) -> RawServer:
        threading.Thread(target=self.serve, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.sock.close()

    def serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.answer, args=(conn,), daemon=True).start()

    def answer(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):  # the client may reset the connection: that is the point
            buffer = b""
            while self.responses:
                while b"\r\n\r\n" not in buffer:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buffer += data
                buffer = buffer.split(b"\r\n\r\n", 1)[1]
                self.requests += 1
                try:
                    conn.sendall(self.responses.pop(0))
                except OSError:
                    self.cut_short += 1
                    return


def response(header_bytes: int, body: bytes = b"<html><body>fine</body></html>", line: int = 1000) -> bytes:
    """A 200 response whose status line and headers take exactly header_bytes (filler lines of `line` bytes)."""
    head = f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {len(body)}\r\n".encode()
    lines = []
    room = header_bytes - len(head) - 2  # the blank line
    while room:
        size = min(line, room)
        if 0 < room - size < 8:  # the last line needs 8 bytes at least
            size = room - 8
        lines.append(b"X-F: " + b"a" * (size - 7) + b"\r\n")
        room -= size
    data = head + b"".join(lines) + b"\r\n"
    assert len(data) == header_bytes, (len(data), header_bytes)
    return data + body


class HeaderFetch(scrapy.Spider):
    name = "header_fetch"

    def __init__(self, urls: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = urls.split()
        self.results: list[tuple[str, str]] = []
        self.elapsed: list[float] = []  # seconds each failed download took

    async def start(self) -> AsyncIterator[Request]:
        for i, url in enumerate(self.urls):  # one after another: the second reuses the first's connection
            yield Request(url, callback=self.parsed, errback=self.failed, dont_filter=True, priority=-i)

    def parsed(self, response: Response) -> None:
        self.results.append(("ok", response.text))

    def failed(self, failure: Failure) -> None:
        self.results.append((classify_failure(failure), describe(failure)))
        self.elapsed.append(failure.request.meta.get("download_elapsed"))  # type: ignore[attr-defined]


BARE = {"ITEM_PIPELINES": {}, "EXTENSIONS": {}, "SPIDER_MIDDLEWARES": {}, "RETRY_TIMES": 0, "DOWNLOAD_TIMEOUT": 5,
        "CONCURRENT_REQUESTS": 1, "MONITOR_HOST_MAP": "www.cap.gov.cn=127.0.0.1:{port}"}


async def fetch_all(server: RawServer, count: int, **settings: Any) -> list[tuple[str, str]]:
    bare = BARE | {"MONITOR_HOST_MAP": BARE["MONITOR_HOST_MAP"].format(port=server.port)}
    crawler = await crawl(HeaderFetch, bare | {"SPIDER_MODULES": []} | settings,
                          urls=" ".join(f"http://www.cap.gov.cn/{i}" for i in range(count)))
    return crawler.spider.results  # type: ignore[union-attr]


@deferred_f_from_coro_f
async def test_headers_up_to_the_cap_are_read_and_the_count_starts_again_per_response() -> None:
    cap = 8192
    # Headers of exactly the cap, their body in the same write; then the same again on the kept-alive connection.
    with RawServer([response(cap), response(cap, b"<html><body>again</body></html>")]) as server:
        results = await fetch_all(server, 2, MONITOR_MAX_HEADER_BYTES=cap)
    assert results == [("ok", "<html><body>fine</body></html>"), ("ok", "<html><body>again</body></html>")]
    assert server.requests == 2 and server.cut_short == 0


@deferred_f_from_coro_f
async def test_headers_past_the_cap_are_too_large_and_the_connection_is_dropped() -> None:
    cap = 8192
    with RawServer([response(cap + 1), response(64 * 1024 * 1024, line=4000)]) as server:
        results = await fetch_all(server, 2, MONITOR_MAX_HEADER_BYTES=cap)
    assert [outcome for outcome, _ in results] == ["too_large", "too_large"]
    assert all(f"{HEADERS_TOO_LARGE_REASON}({cap} 字节)" in error for _, error in results), results
    deadline = time.monotonic() + 10  # the server thread learns of the close at its next send
    while not server.cut_short and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.cut_short >= 1  # the 64 MiB were not read: the client closed while the server was still sending


@deferred_f_from_coro_f
async def test_one_long_header_line_is_read_within_the_cap() -> None:
    # Twisted alone drops a connection at a 16 KiB line ("connection", 待定); browsers read it, so does the crawl.
    with RawServer([response(100 * 1024, line=90 * 1024), response(300 * 1024, line=290 * 1024)]) as server:
        results = await fetch_all(server, 2)
    assert results[0] == ("ok", "<html><body>fine</body></html>")
    assert results[1][0] == "too_large" and HEADERS_TOO_LARGE_REASON in results[1][1]  # over the 256 KiB default


@deferred_f_from_coro_f
async def test_a_refused_connection_is_reported_at_once() -> None:
    """The guard has chosen the address: the one connection attempt's refusal is the answer, not a wait for Twisted's
    next happy-eyeballs attempt (0.3 s, which held one of the host's 2 slots per refused link)."""
    from tests.loopback import closed_port

    settings = BARE | {"SPIDER_MODULES": [], "MONITOR_HOST_MAP": f"www.cap.gov.cn=127.0.0.1:{closed_port()}"}
    crawler = await crawl(HeaderFetch, settings, urls=" ".join(f"http://www.cap.gov.cn/{i}" for i in range(3)))
    spider = crawler.spider
    assert [outcome for outcome, _ in spider.results] == ["refused"] * 3  # type: ignore[union-attr]
    assert all(seconds < 0.25 for seconds in spider.elapsed), spider.elapsed  # type: ignore[union-attr]




async def on_the_wire(monkeypatch: pytest.MonkeyPatch, send_now: bool) -> bytes | None:
    """What a server can read of a request on the download handler's connection right after request() returned,
    with no reactor turn in between; None when nothing has arrived."""
    from twisted.internet import reactor
    from twisted.internet.endpoints import TCP4ClientEndpoint, connectProtocol
    from twisted.web._newclient import Request as WireRequest
    from twisted.web.http_headers import Headers

    from monitor import hostmap

    if not send_now:
        monkeypatch.setattr(hostmap, "_send_now", lambda transport: None)
    try:
        with socket.create_server(("127.0.0.1", 0)) as listener:
            endpoint = TCP4ClientEndpoint(reactor, "127.0.0.1", listener.getsockname()[1])
            connected = connectProtocol(endpoint, hostmap._CappedFactory(lambda _: None, None, 0).buildProtocol(None))
            protocol = await maybe_deferred_to_future(connected)
            served, _ = listener.accept()
            with served:
                answer = protocol.request(WireRequest(b"GET", b"/", Headers({b"host": [b"www.cap.gov.cn"]}), None))
                answer.addErrback(lambda _: None)  # no answer comes: the connection is aborted below
                try:
                    return served.recv(65536, socket.MSG_DONTWAIT)
                except BlockingIOError:
                    return None
                finally:
                    protocol.transport.abortConnection()
    finally:
        monkeypatch.undo()


@deferred_f_from_coro_f
async def test_a_request_is_on_the_wire_when_it_is_made(monkeypatch: pytest.MonkeyPatch) -> None:
    """The handler's connection sends a request's bytes as it is made, before the reactor runs anything else:
    Twisted alone buffers them until its next poll, after every callback already queued (reading the page that
    freed the host's slot, other sites' pages), and the host waits idle meanwhile."""
    assert (await on_the_wire(monkeypatch, send_now=True) or b"").startswith(b"GET / HTTP/1.1\r\n")
    assert await on_the_wire(monkeypatch, send_now=False) is None  # the same without it: not sent yet


@deferred_f_from_coro_f
async def test_the_host_is_free_when_its_answer_is_complete() -> None:
    """The slot of a request's host is freed by the connection as soon as the answer is complete, before the
    connection goes back to the pool and the answer is handed up (the next request of the host goes first)."""
    from twisted.internet import reactor
    from twisted.internet.defer import Deferred
    from twisted.internet.endpoints import TCP4ClientEndpoint, connectProtocol
    from twisted.internet.protocol import Protocol
    from twisted.web._newclient import Request as WireRequest
    from twisted.web.http_headers import Headers

    from monitor import hostmap

    events: list[str] = []
    body_done: Deferred[None] = Deferred()

    class Body(Protocol):
        def connectionLost(self, reason: Failure = None) -> None:  # type: ignore[assignment]  # noqa: N802
            events.append("handed up")
            body_done.callback(None)

    with socket.create_server(("127.0.0.1", 0)) as listener:
        endpoint = TCP4ClientEndpoint(reactor, "127.0.0.1", listener.getsockname()[1])
        factory = hostmap._CappedFactory(lambda _: events.append("pooled"), None, 0)
        protocol = await maybe_deferred_to_future(connectProtocol(endpoint, factory.buildProtocol(None)))
        served, _ = listener.accept()
        with served:
            token = hostmap._ANSWERED.set(lambda: events.append("host free"))
            try:
                answer = protocol.request(WireRequest(b"GET", b"/", Headers({b"host": [b"www.cap.gov.cn"]}), None,
                                                      persistent=True))
            finally:
                hostmap._ANSWERED.reset(token)
            served.recv(65536)
            served.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
            response = await maybe_deferred_to_future(answer)
            response.deliverBody(Body())
            await maybe_deferred_to_future(body_done)
            protocol.transport.loseConnection()
    assert events == ["host free", "pooled", "handed up"]


@deferred_f_from_coro_f
async def test_a_host_slot_is_freed_once() -> None:
    import asyncio

    from monitor.hostmap import _SlotRelease

    slot = asyncio.Semaphore(1)
    await slot.acquire()
    release = _SlotRelease(slot)
    release()
    release()  # the connection freed it, then the handler's finally: one release
    await slot.acquire()
    assert slot.locked()


def test_a_connection_to_a_chosen_address_is_made_directly() -> None:
    """An address (what the handler hands down once the guard has checked the name) is connected to as it is, with
    no happy-eyeballs race to wait on; a name keeps Twisted's; under TLS the endpoint beneath is the one replaced."""
    from twisted.internet import reactor
    from twisted.internet.endpoints import (
        HostnameEndpoint,
        TCP4ClientEndpoint,
        TCP6ClientEndpoint,
        wrapClientTLS,
    )
    from twisted.internet.ssl import optionsForClientTLS

    from monitor.hostmap import _direct

    v4 = _direct(HostnameEndpoint(reactor, b"10.1.2.3", 8080, timeout=7, bindAddress=("10.0.0.9", 0)))
    assert isinstance(v4, TCP4ClientEndpoint)
    assert (v4._host, v4._port, v4._timeout, v4._bindAddress) == ("10.1.2.3", 8080, 7, ("10.0.0.9", 0))
    v6 = _direct(HostnameEndpoint(reactor, b"2001:db8::5", 443))
    assert isinstance(v6, TCP6ClientEndpoint) and v6._host == "2001:db8::5"
    named = HostnameEndpoint(reactor, b"www.hh.gov.cn", 80)
    assert _direct(named) is named
    tls = wrapClientTLS(optionsForClientTLS("www.hh.gov.cn"), HostnameEndpoint(reactor, b"10.1.2.3", 443))
    assert _direct(tls) is tls and isinstance(tls._wrappedEndpoint, TCP4ClientEndpoint)
