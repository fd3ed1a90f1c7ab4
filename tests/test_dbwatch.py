"""The client-side statement deadline (monitor/dbwatch.py) on the real PostgreSQL: a server that stops answering
fails the waiting statement after MONITOR_DB_TIMEOUT instead of hanging the process; a connection that is only
held idle is never cut."""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from monitor import db
from monitor.dbwatch import WATCHDOG
from tests.test_fault_database import Proxy


@pytest.fixture
def proxied(pg_url: str) -> Iterator[tuple[str, Proxy]]:
    parts = urlsplit(pg_url)
    proxy = Proxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    try:
        yield pg_url.replace(parts.netloc, f"{parts.username or 'postgres'}@127.0.0.1:{proxy.port}", 1), proxy
    finally:
        proxy.close()


def test_frozen_server_fails_the_statement_in_time(proxied: tuple[str, Proxy]) -> None:
    url, proxy = proxied
    engine = db.engine_for(url, timeout=1)
    fired = WATCHDOG.fired
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar() == 1
        proxy.freeze()
        started = time.monotonic()
        with pytest.raises(OperationalError):
            conn.execute(text("SELECT 2"))
        assert time.monotonic() - started < 5
    assert WATCHDOG.fired == fired + 1
    engine.dispose()


def test_slow_statement_is_given_up(pg_url: str) -> None:
    engine = db.engine_for(pg_url, timeout=1)
    with engine.connect() as conn, pytest.raises(OperationalError):
        conn.execute(text("SELECT pg_sleep(10)"))
    engine.dispose()


def test_idle_connection_is_never_cut(pg_url: str) -> None:
    engine = db.engine_for(pg_url, timeout=1)
    fired = WATCHDOG.fired
    with engine.begin() as conn:
        conn.execute(text("SELECT 1"))
        time.sleep(2.5)  # idle in the transaction past the deadline: nothing is in flight, nothing is cut
        assert conn.execute(text("SELECT 3")).scalar() == 3
    with engine.connect() as conn:
        conn.commit()
        time.sleep(2.5)
        assert conn.execute(text("SELECT 4")).scalar() == 4
    assert WATCHDOG.fired == fired
    engine.dispose()


def test_no_limit_when_zero(pg_url: str) -> None:
    engine = db.engine_for(pg_url, timeout=0)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT pg_sleep(1.5), 5")).one()[1] == 5
    engine.dispose()
