"""Job locks: a job does not start while the same job is still running on the same database.

A lock is named by the job and the database it writes to (a digest of MONITOR_DATABASE_URL), so the same crawl
started from two working folders, or once by `govmon crawl` and once by `scrapy crawl website`, excludes itself,
while crawls into two databases do not. A file lock (fcntl) in MONITOR_LOCK_DIR (default: govmon-locks in the
system's temporary folder — an absolute place, never relative to the working folder), released by the kernel if
the process dies; with MONITOR_LOCK_URL set to a redis:// URL, a Redis key (SET NX with an expiry renewed while the
job runs) so that several machines sharing one schedule also exclude each other. A Redis server that goes away while
a job runs costs the lock (it lapses by itself), never the job: renewing and releasing only log a warning.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)


class JobLocked(RuntimeError):
    """Another run of the job holds the lock."""


def default_directory() -> Path:
    import tempfile

    return Path(tempfile.gettempdir()) / "govmon-locks"


def lock_name(job: str, database: str = "") -> str:
    """The job's lock for one database: crawl-3f2a9c1b0d4e."""
    return f"{job}-{hashlib.sha256(database.encode()).hexdigest()[:12]}" if database else job


@contextmanager
def file_lock(name: str, directory: str | Path | None = None) -> Iterator[None]:
    path = Path(directory or default_directory()).absolute() / f"{name}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            raise JobLocked(f"job {name!r} is already running ({handle.read().strip() or 'holder unknown'}); "
                            "not starting a second one") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} on {socket.gethostname()} since {time.strftime('%Y-%m-%d %H:%M:%S')}")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


# Release only our own lock: the key may have expired and been taken by another holder meanwhile.
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
_RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"


@contextmanager
def redis_lock(name: str, url: str, ttl_seconds: float = 60.0) -> Iterator[None]:
    import redis

    client = redis.Redis.from_url(url)
    key = f"govmon:lock:{name}"
    token = f"{uuid.uuid4().hex} pid {os.getpid()} on {socket.gethostname()}"
    ttl_ms = int(ttl_seconds * 1000)
    if not client.set(key, token, nx=True, px=ttl_ms):
        holder = client.get(key)
        raise JobLocked(f"job {name!r} is already running ({(holder or b'').decode(errors='replace')}); "
                        "not starting a second one")
    stop = threading.Event()

    def renew() -> None:  # keep the lock while a long job runs; it lapses by itself if the process dies
        while not stop.wait(ttl_seconds / 3):
            try:
                client.eval(_RENEW, 1, key, token, ttl_ms)
            except Exception as exc:  # the lock server went away: the job goes on, the lock lapses
                log.warning("lock %s: cannot renew on %s (%s); the lock lapses, the job goes on", name,
                            url.split("@")[-1], exc)

    keeper = threading.Thread(target=renew, daemon=True)
    keeper.start()
    try:
        yield
    finally:
        stop.set()
        keeper.join()
        try:
            client.eval(_RELEASE, 1, key, token)
        except Exception as exc:  # a finished job stays finished; the key expires by itself
            log.warning("lock %s: cannot release on %s (%s); it expires in %.0f s", name, url.split("@")[-1], exc,
                        ttl_seconds)
        client.close()


def job_lock(name: str, url: str = "", database: str = "", directory: str | Path | None = None) -> contextmanager:
    """The lock of a job on a database: Redis when url is a redis:// URL, else a file lock."""
    if url.startswith(("redis://", "rediss://", "unix://")):
        return redis_lock(lock_name(name, database), url)
    return file_lock(lock_name(name, database), directory)
