"""Job locks: a second run of a job while one runs does not start — file lock and a real Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from monitor.lock import JobLocked, file_lock, redis_lock

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
    """A real second process: `govmon crawl` while the crawl lock is held exits 75 with a message."""
    env = dict(os.environ, MONITOR_DATABASE_URL=str(tmp_path / "x.sqlite"), MONITOR_LOCK_URL="")
    with file_lock("crawl", tmp_path / "var" / "locks"):
        done = subprocess.run([sys.executable, "-m", "monitor.cli", "crawl"], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=120)
    assert done.returncode == 75, done.stderr
    assert "job 'crawl' is already running" in done.stderr


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
