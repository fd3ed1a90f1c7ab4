"""Shared fixtures: databases on both back ends.

PostgreSQL tests use the real server named by MONITOR_TEST_PG_URL (the test command sets it; e.g.
postgresql+psycopg://postgres@127.0.0.1:5432/test). Each test gets a schema of its own, dropped afterwards, so tests
never see each other's rows. Without the variable those tests are skipped, and the test command refuses to run
without it, so CI always exercises them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from monitor.db import normalise_url

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus" / "pages"


def pg_base_url() -> str | None:
    url = os.environ.get("MONITOR_TEST_PG_URL")
    return normalise_url(url) if url else None


@pytest.fixture
def pg_url() -> Iterator[str]:
    """URL of a fresh, empty PostgreSQL schema (search_path set through the connection options)."""
    base = pg_base_url()
    if base is None:
        pytest.skip("MONITOR_TEST_PG_URL is not set")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'govmon.sqlite'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on an SQLite file and on the real PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'govmon.sqlite'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def corpus_dir() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not present at {CORPUS}")
    return CORPUS


@pytest.fixture
def redis_url() -> str:
    """The real Redis named by MONITOR_TEST_REDIS_URL (the test command sets it). Tests keep apart by using keys of
    their own (run ids with a random part), not by flushing the database."""
    url = os.environ.get("MONITOR_TEST_REDIS_URL")
    if not url:
        pytest.skip("MONITOR_TEST_REDIS_URL is not set")
    return url
