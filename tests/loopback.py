"""Test HTTP servers on loopback: start and stop one in a thread, and find a port nobody listens on."""

from __future__ import annotations

import socket
import threading
from http.server import ThreadingHTTPServer
from typing import Self


def closed_port() -> int:
    """A loopback port nobody listens on (a connection to it is refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LoopbackServer:
    """Base of a test server: a subclass sets `self.server` (a ThreadingHTTPServer) in its __init__."""

    server: ThreadingHTTPServer

    def __enter__(self) -> Self:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
