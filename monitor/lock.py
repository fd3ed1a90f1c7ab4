"""Job locks: a scheduled job does not start while the same job is still running.

A file lock (fcntl) under var/locks by default, released by the kernel if the process dies; with MONITOR_LOCK_URL
set to a redis:// URL, a Redis key (SET NX with an expiry renewed while the job runs) so that several machines
sharing one schedule also exclude each other.
"""

from __future__ import annotations

import fcntl
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class JobLocked(RuntimeError):
    """Another run of the job holds the lock."""


@contextmanager
def file_lock(name: str, directory: str | Path = "var/locks") -> Iterator[None]:
    path = Path(directory) / f"{name}.lock"
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
            client.eval(_RENEW, 1, key, token, ttl_ms)

    keeper = threading.Thread(target=renew, daemon=True)
    keeper.start()
    try:
        yield
    finally:
        stop.set()
        keeper.join()
        client.eval(_RELEASE, 1, key, token)
        client.close()


def job_lock(name: str, url: str = "") -> contextmanager:
    """The lock for a job: Redis when url is a redis:// URL, else a file lock."""
    if url.startswith(("redis://", "rediss://", "unix://")):
        return redis_lock(name, url)
    return file_lock(name)
