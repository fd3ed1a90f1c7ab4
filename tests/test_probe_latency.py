"""Probe latency counts the site's time only: queue time in a large round is no timeout, a hanging site still is.

A few hundred simulated sites answer after a real delay on 127.0.0.1, probed with a concurrency far below the
round's size, so most visits wait in Scrapy's scheduler before they are sent. Measured from the Request's creation
(the old measure), that wait made healthy sites time out; measured from the download handler starting the request
until the body has arrived, none does, and sites that hang past the limit still record `timeout`.
"""

from __future__ import annotations

import http.server
import threading
import time
from collections import Counter
from pathlib import Path

from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import select

from monitor import db
from monitor.simweb.flaky import FlakyHost, FlakyWeb
from monitor.spiders.probe import ProbeSpider
from tests.crawling import crawl
from tests.test_probe import registry as import_sites

HEALTHY, HANGING = 240, 6
DELAY, TIMEOUT, HANG = 0.5, 2.0, 3.5  # seconds: every healthy answer takes DELAY; hanging ones take HANG > TIMEOUT
CONCURRENCY, ROUNDS = 16, 2
# Sending order is the queue's: a round's last visits are sent ~HEALTHY × DELAY / CONCURRENCY = 7.5 s after the
# round's requests were created, far beyond TIMEOUT; the old measure recorded most of them as timeouts.



def registry(tmp_path: Path, url: str, hosts: list[str]) -> None:
    import_sites(tmp_path, url, {f"53250{i:05d}": host for i, host in enumerate(hosts)})


@deferred_f_from_coro_f
async def test_queue_time_is_not_site_latency(sqlite_url: str, tmp_path: Path) -> None:
    # "hang" mode with every visit failing = a site that always answers after the web's hang_seconds.
    healthy = [FlakyHost(f"www.ok{i}.gov.cn", set(range(ROUNDS)), "hang") for i in range(HEALTHY)]
    hanging = [FlakyHost(f"www.hang{i}.gov.cn", set(range(ROUNDS)), "hang") for i in range(HANGING)]
    # Hanging sites first in the registry: they take slots at the start of each round, as a bad day would.
    registry(tmp_path, sqlite_url, [h.host for h in hanging + healthy])
    with FlakyWeb(healthy, hang_seconds=DELAY) as slow, FlakyWeb(hanging, hang_seconds=HANG) as dead:
        started = time.monotonic()
        await crawl(ProbeSpider, {"SPIDER_MODULES": [], "MONITOR_DATABASE_URL": sqlite_url,
                                  "MONITOR_HOST_MAP": f"{slow.host_map};{dead.host_map}",
                                  "MONITOR_PROBE_TIMEOUT": TIMEOUT, "CONCURRENT_REQUESTS": CONCURRENCY},
                    rounds=str(ROUNDS), interval="3600", at="2021-02-24T00:00:00")
        elapsed = time.monotonic() - started
        assert sum(slow.visits.values()) == HEALTHY * ROUNDS  # every healthy site really visited each round
    with db.engine_for(sqlite_url).connect() as conn:
        rows = conn.execute(select(db.probes)).all()
    assert len(rows) == (HEALTHY + HANGING) * ROUNDS
    ok_rows = [r for r in rows if r.url.startswith("http://www.ok")]
    hang_rows = [r for r in rows if r.url.startswith("http://www.hang")]
    assert Counter(r.outcome for r in ok_rows) == {"ok": HEALTHY * ROUNDS}  # no queue-time timeout
    # The measure includes the site's own delay (it is not zero) and nothing of the queue (the last visits of a
    # round were created ~7.5 s before they were sent).
    assert all(DELAY * 1000 <= r.latency_ms < DELAY * 1000 + 700 for r in ok_rows), \
        sorted(r.latency_ms for r in ok_rows)[-5:]
    assert Counter(r.outcome for r in hang_rows) == {"timeout": HANGING * ROUNDS}
    assert all(TIMEOUT * 1000 <= r.latency_ms < HANG * 1000 for r in hang_rows)
    # Both rounds fit the slots: (healthy × delay + hanging × timeout) / concurrency each, plus overhead.
    assert elapsed < ROUNDS * (HEALTHY * DELAY + HANGING * TIMEOUT) / CONCURRENCY + 15


class _Redirecting(http.server.BaseHTTPRequestHandler):
    """www.slowhops.gov.cn: two hops of 1.2 s each (each inside a 2 s limit, together past it);
    www.quickhops.gov.cn: an immediate redirect, then a page after 0.3 s."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        host = (self.headers.get("Host") or "").split(":")[0]
        hop = 1.2 if host.startswith("www.slowhops") else (0.0 if self.path == "/" else 0.3)
        time.sleep(hop)
        if self.path == "/":
            self.send_response(302)
            self.send_header("Location", f"http://{host}/next")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = "<html><body>首页</body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the probe gives up on the slow second hop and resets the connection: expected


@deferred_f_from_coro_f
async def test_redirect_hops_add_up_and_share_one_limit(sqlite_url: str, tmp_path: Path) -> None:
    registry(tmp_path, sqlite_url, ["www.slowhops.gov.cn", "www.quickhops.gov.cn"])
    server = _Server(("127.0.0.1", 0), _Redirecting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    try:
        await crawl(ProbeSpider, {"SPIDER_MODULES": [], "MONITOR_DATABASE_URL": sqlite_url,
                                  "MONITOR_HOST_MAP": f"*.gov.cn=127.0.0.1:{port}", "MONITOR_PROBE_TIMEOUT": 2.0},
                    at="2021-02-24T00:00:00")
    finally:
        server.shutdown()
        server.server_close()
    with db.engine_for(sqlite_url).connect() as conn:
        got = {r.url: r for r in conn.execute(select(db.probes)).all()}
    slow, quick = got["http://www.slowhops.gov.cn/"], got["http://www.quickhops.gov.cn/"]
    # Per hop each would be "ok" in 1.2 s; the visit took 2.4 s. The second hop got only the 0.8 s left, so the
    # visit was cut at the limit instead of holding its slot until 2.4 s.
    assert slow.outcome == "timeout" and 2000 <= slow.latency_ms < 2300, (slow.outcome, slow.latency_ms)
    assert quick.outcome == "ok" and quick.status == 200 and 300 <= quick.latency_ms < 2000
