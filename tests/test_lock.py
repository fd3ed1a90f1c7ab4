"""Job locks: a second run of a job while one runs does not start — file lock and a real Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from scrapy.utils.defer import deferred_f_from_coro_f

from monitor.lock import JobLocked, file_lock, lock_name, redis_lock

REPO = Path(__file__).resolve().parent.parent


def test_file_lock_excludes_second_holder_and_is_released(tmp_path: Path) -> None:
    with file_lock("crawl", tmp_path):
        with pytest.raises(JobLocked, match=r"job 'crawl' is already running \(pid \d+"):
            with file_lock("crawl", tmp_path):
                pass
        with file_lock("probe", tmp_path):  # another job is not blocked
            pass
    with file_lock("crawl", tmp_path):  # released after the first run ended
        pass


def test_cli_refuses_second_run_and_says_so(tmp_path: Path) -> None:
    """A real second process: `govmon crawl` while the crawl lock of its database is held exits 75 with a message —
    from another working folder too (the lock lives in one absolute place and is named by the database)."""
    database = str(tmp_path / "x.sqlite")
    locks = tmp_path / "locks"
    env = dict(os.environ, MONITOR_DATABASE_URL=database, MONITOR_LOCK_URL="", MONITOR_LOCK_DIR=str(locks))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with file_lock(lock_name("crawl", database), locks):
        done = subprocess.run([sys.executable, "-m", "monitor.cli", "crawl"], cwd=elsewhere, env=env,
                              capture_output=True, text=True, timeout=120)
        other_db = subprocess.run([sys.executable, "-m", "monitor.cli", "crawl", "--sites", "none"], cwd=elsewhere,
                                  env=dict(env, MONITOR_DATABASE_URL=str(tmp_path / "y.sqlite")),
                                  capture_output=True, text=True, timeout=120)
    assert done.returncode == 75, done.stderr
    assert "is already running" in done.stderr and "Traceback" not in done.stderr
    assert other_db.returncode != 75, other_db.stderr  # another database is another job


@deferred_f_from_coro_f
async def test_scrapy_crawl_takes_the_same_lock_and_sends_nothing(tmp_path: Path) -> None:
    """`scrapy crawl website` (here in-process, as Scrapyd runs it) while `govmon crawl` holds the lock: no request
    leaves, the run is recorded `locked` (never finished, never judged)."""
    from sqlalchemy import select

    from monitor import db
    from monitor.simweb.scenario import load_scenario
    from monitor.simweb.server import SimWeb
    from tests.crawling import crawl
    from tests.test_website_spider import prepare

    url = f"sqlite:///{tmp_path / 'c.sqlite'}"
    scenario = load_scenario("honghe_2021q1")
    engine = prepare(url, scenario, tmp_path)
    locks = tmp_path / "locks"
    with SimWeb(scenario) as web, file_lock(lock_name("crawl", url), locks):
        crawler = await crawl("website", {"MONITOR_DATABASE_URL": url, "MONITOR_HOST_MAP": web.host_map,
                                          "MONITOR_LOCK_DIR": str(locks), "MONITOR_LOCK_URL": ""}, run_id="locked")
        served = web.requests if hasattr(web, "requests") else None
    assert crawler.stats.get_value("finish_reason") == "locked"
    assert not crawler.stats.get_value("downloader/request_count")
    with engine.connect() as conn:
        assert conn.execute(select(db.runs.c.status).where(db.runs.c.run_id == "locked")).scalar() == "locked"
        assert conn.execute(select(db.pages)).first() is None
    del served


def test_redis_lock_on_real_server() -> None:
    url = os.environ.get("MONITOR_TEST_REDIS_URL")
    if not url:
        pytest.skip("MONITOR_TEST_REDIS_URL is not set")
    name = f"test-{uuid.uuid4().hex[:8]}"
    with redis_lock(name, url, ttl_seconds=5):
        with pytest.raises(JobLocked, match="already running"):
            with redis_lock(name, url):
                pass
    with redis_lock(name, url):  # released, and only by its holder
        pass
    import redis

    assert redis.Redis.from_url(url).get(f"govmon:lock:{name}") is None


def test_a_lock_server_that_dies_costs_the_lock_never_the_job(tmp_path: Path,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    """A real Redis server killed while a job holds its lock: renewing and releasing log a warning; the job ends
    normally (it used to exit 1 with a traceback after its work was done)."""
    import shutil
    import socket

    server_bin = shutil.which("redis-server")
    if server_bin is None:
        pytest.skip("redis-server is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([server_bin, "--port", str(port), "--save", "", "--appendonly", "no",
                               "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    try:
        import redis

        client = redis.Redis(port=port)
        for _ in range(50):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.1)
        ran = False
        with caplog.at_level("WARNING", logger="monitor.lock"):
            with redis_lock("dying", f"redis://127.0.0.1:{port}/0", ttl_seconds=0.6):
                server.kill()
                server.wait()
                time.sleep(0.5)  # at least one renewal meets the dead server
                ran = True
        assert ran
        assert "cannot release" in caplog.text and "Traceback" not in caplog.text
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
