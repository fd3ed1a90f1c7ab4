"""A client-side deadline for PostgreSQL statements: a frozen server never freezes the monitor.

libpq has a connect timeout but no read timeout, and a server that is stopped (SIGSTOP, a paused VM, a disk that
hangs) still has its kernel acknowledge every packet, so neither TCP keepalives nor a server-side
statement_timeout ever fire: a statement waits for its answer without limit, and with it the crawl's reactor.

So one watchdog thread keeps, for every connection with a statement or a commit in flight, the moment it started.
A connection still busy past MONITOR_DB_TIMEOUT has its socket shut down: the waiting call fails at once with the
driver's ordinary "connection lost" error, which callers already handle (the storage pipeline keeps the rows and
tries again later, spilling them to a file if the database never answers; commands exit with an error). A
connection that is merely held idle is never touched: the watchdog acts only when libpq reports a command in
progress.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)
POLL = 0.5  # seconds between the watchdog's looks; a deadline is kept to within this


class Watchdog:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.busy: dict[int, tuple[float, float, Any]] = {}  # id(dbapi conn) → (deadline, timeout, conn)
        self.thread: threading.Thread | None = None
        self.fired = 0  # statements cut short, for tests and logs

    def arm(self, dbapi_conn: Any, timeout: float) -> None:
        with self.lock:
            self.busy[id(dbapi_conn)] = (time.monotonic() + timeout, timeout, dbapi_conn)
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._watch, name="db-watchdog", daemon=True)
                self.thread.start()

    def disarm(self, dbapi_conn: Any) -> None:
        with self.lock:
            self.busy.pop(id(dbapi_conn), None)

    def _watch(self) -> None:
        while True:
            time.sleep(POLL)
            now = time.monotonic()
            with self.lock:
                late = [(key, timeout, conn) for key, (deadline, timeout, conn) in self.busy.items()
                        if deadline <= now]
                for key, _, _ in late:
                    del self.busy[key]
            for _, timeout, conn in late:
                if in_flight(conn):
                    self.fired += 1
                    log.error("the database has not answered for %.0f s (MONITOR_DB_TIMEOUT): connection closed",
                              timeout)
                    cut(conn)


def in_flight(conn: Any) -> bool:
    """libpq reports a command in progress (not an idle connection, idle or open transaction)."""
    try:
        from psycopg.pq import TransactionStatus

        return conn.info.transaction_status == TransactionStatus.ACTIVE
    except Exception:  # closed or not a psycopg connection: nothing to cut
        return False


def cut(conn: Any) -> None:
    """Shut the connection's socket down under the waiting call (a duplicate of its descriptor: libpq's own is
    left for libpq to close)."""
    with contextlib.suppress(Exception):
        fd = os.dup(conn.fileno())
        sock = socket.socket(fileno=fd)
        try:
            sock.shutdown(socket.SHUT_RDWR)
        finally:
            sock.close()


WATCHDOG = Watchdog()


def watch(engine: Engine, timeout: float) -> None:
    """Give every statement and commit on `engine`'s PostgreSQL connections `timeout` seconds (0 = no limit)."""
    if timeout <= 0 or engine.dialect.name != "postgresql":
        return

    def arm(conn: Any, *args: Any) -> None:
        with contextlib.suppress(Exception):  # an invalidated connection has nothing to watch
            WATCHDOG.arm(conn.connection.dbapi_connection, timeout)

    def disarm(conn: Any, *args: Any) -> None:
        with contextlib.suppress(Exception):
            WATCHDOG.disarm(conn.connection.dbapi_connection)

    def disarm_raw(dbapi_conn: Any, *args: Any) -> None:
        WATCHDOG.disarm(dbapi_conn)

    event.listen(engine, "before_cursor_execute", arm)
    event.listen(engine, "after_cursor_execute", disarm)
    event.listen(engine, "commit", arm)  # the commit's own wait; ended by the pool's checkin or the next statement
    event.listen(engine, "rollback", arm)
    event.listen(engine.pool, "checkin", disarm_raw)
    event.listen(engine, "handle_error", lambda ctx: ctx.connection is not None and disarm(ctx.connection))
