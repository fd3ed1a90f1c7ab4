"""Simulated hosts for availability probing: each host fails a chosen set of its visits.

A failing visit hangs past the probe timeout (`hang`), answers 500 (`error`) or drops the connection (`drop`).
Hosts listed as dual-stack are also served on [::1], so that the IPv6 visit of the probe succeeds; the others
answer only over IPv4. The server counts visits per host in arrival order, so a week of rounds (140 visits) maps
onto visit numbers 0…139.
"""

from __future__ import annotations

import http.server
import socket
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field


@dataclass
class FlakyHost:
    host: str
    failing_visits: set[int] = field(default_factory=set)
    mode: str = "hang"  # hang / error / drop
    dual_stack: bool = False


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        flaky = self.server.owner.hosts.get(host)
        if flaky is None:
            self.send_error(404)
            return
        visit = self.server.owner.count(host)
        if visit in flaky.failing_visits:
            if flaky.mode == "hang":
                time.sleep(self.server.owner.hang_seconds)
            elif flaky.mode == "drop":
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            else:
                self.send_error(500)
                return
        body = f"<html><head><title>{host}</title></head><body>访问正常 {visit}</body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    # One Python server stands in for many sites: socketserver's listen backlog of 5 would drop the SYNs of
    # simultaneous visits and add 1 s retransmissions that no real site of its own would cause.
    request_queue_size = 1024
    owner: FlakyWeb

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the probe gives up on hanging visits and resets the connection: expected


class _Server6(_Server):
    address_family = socket.AF_INET6


class FlakyWeb:
    """Context manager serving the hosts on 127.0.0.1 (and [::1] for dual-stack ones) on one port."""

    def __init__(self, hosts: list[FlakyHost], hang_seconds: float = 2.0) -> None:
        self.hosts = {h.host.lower(): h for h in hosts}
        self.hang_seconds = hang_seconds
        self.visits: dict[str, int] = defaultdict(int)
        self._lock = threading.Lock()
        self._servers: list[_Server] = []

    def count(self, host: str) -> int:
        with self._lock:
            visit = self.visits[host]
            self.visits[host] += 1
            return visit

    def __enter__(self) -> FlakyWeb:
        v4 = _Server(("127.0.0.1", 0), _Handler)
        self.port = v4.server_address[1]
        self._servers = [v4]
        if any(h.dual_stack for h in self.hosts.values()):
            self._servers.append(_Server6(("::1", self.port), _Handler))
        for server in self._servers:
            server.owner = self
            threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()

    @property
    def host_map(self) -> str:
        entries = []
        for h in self.hosts.values():
            address = f"127.0.0.1:{self.port}" + (f"|[::1]:{self.port}" if h.dual_stack else "")
            entries.append(f"{h.host}={address}")
        return ";".join(entries)
