"""Target jobs in Redis for a run crawled by several workers: one job per target, leased, never lost, never twice.

`govmon enqueue` writes a run's jobs (one per target: its kind, id, host and registry facts, as JSON); any number of
workers (`govmon work`, `scrapy crawl website -a queue=RUN`, Scrapyd jobs) take them through scrapy-redis
(monitor/queue_worker.py). A taken job is *leased*, not popped: it moves from the queue to the lease set with a
deadline the worker renews while it crawls. A worker that dies (SIGKILL, a lost machine) stops renewing; any other
worker then puts the job back at the head of the queue (`reap`), and after MAX_ATTEMPTS lost leases the job is
failed rather than allowed to kill every worker in turn. A job is acknowledged only once its rows are in the
database, so a dead worker costs time, never rows; rows have natural keys, so a job crawled twice writes them once.

A host is held by one job at a time (several registry sites can live on one 集约化 platform host), so per-host
politeness holds across workers: a worker skips a queued job whose host another job holds.

Deadlines are the Redis server's clock (TIME inside the scripts), so workers' clocks need not agree. All state
changes are Lua scripts: atomic, whatever the number of workers.

Keys, under `govmon:run:<run_id>:`:
    meta    hash  spider, as_of, at (a replayed clock), total, lease_seconds, max_attempts, created_at
    jobs    hash  job id → JSON payload {"kind", "id", "host", "facts"}
    hostof  hash  job id → host
    queue   list  job ids waiting, taken from the left
    leases  zset  job id → lease deadline (ms, server clock)
    owner   hash  job id → worker ("host:pid")
    tries   hash  job id → times taken
    acks    hash  job id → times acknowledged (1 when all went well; the kill test checks it)
    hosts   hash  host → job id holding it
    done    set   job ids finished
    failed  hash  job id → reason
and `govmon:runs`, a zset run_id → creation time (s), so a worker can find the oldest run with work left.
"""

from __future__ import annotations

import json
import os
import socket
import time
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from redis import Redis

from monitor.targets import Target

RUNS_KEY = "govmon:runs"
LEASE_SECONDS = 120.0  # a worker renews its leases every third of this; a dead worker's jobs return after it
MAX_ATTEMPTS = 3  # leases lost before a job is failed (a site that crashes its worker must not crash them all)
SCAN = 64  # queued jobs looked at per take, past those whose host another job holds
FIELDS = ("meta", "jobs", "hostof", "queue", "leases", "owner", "tries", "acks", "hosts", "done", "failed")

# Every script gets the run's keys in FIELDS order: KEYS[1] meta … KEYS[11] failed.
_NOW = "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
# The run's lease in ms, from its meta (set once by `create`): no round trip of its own before each take or renewal.
_LEASE = f"local lease = tonumber(redis.call('HGET', KEYS[1], 'lease_seconds') or '{LEASE_SECONDS}') * 1000\n"
_RELEASE_HOST = """
local function release_host(id)
  local host = redis.call('HGET', KEYS[3], id)
  if host and redis.call('HGET', KEYS[9], host) == id then redis.call('HDEL', KEYS[9], host) end
end
"""
TAKE = _NOW + _LEASE + """
local worker, n, scan = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local out = {}
for _, id in ipairs(redis.call('LRANGE', KEYS[4], 0, scan - 1)) do
  if #out >= 2 * n then break end
  local host = redis.call('HGET', KEYS[3], id)
  if not host or host == '' or redis.call('HEXISTS', KEYS[9], host) == 0 then
    redis.call('LREM', KEYS[4], 1, id)
    redis.call('ZADD', KEYS[5], now + lease, id)
    redis.call('HSET', KEYS[6], id, worker)
    redis.call('HINCRBY', KEYS[7], id, 1)
    if host and host ~= '' then redis.call('HSET', KEYS[9], host, id) end
    table.insert(out, id)
    table.insert(out, redis.call('HGET', KEYS[2], id))
  end
end
return out
"""
RENEW = _NOW + _LEASE + """
local lost = {}
for i = 2, #ARGV do
  local id = ARGV[i]
  if redis.call('HGET', KEYS[6], id) == ARGV[1] and redis.call('ZSCORE', KEYS[5], id) then
    redis.call('ZADD', KEYS[5], 'XX', now + lease, id)
  else
    table.insert(lost, id)
  end
end
return lost
"""
# A late acknowledgement (the lease had expired and the job was queued again) still completes the job: its rows are
# stored, and crawling it again would only rewrite them.
ACK = _RELEASE_HOST + """
local id = ARGV[2]
if redis.call('SISMEMBER', KEYS[10], id) == 1 or redis.call('HEXISTS', KEYS[11], id) == 1 then return 0 end
release_host(id)
redis.call('ZREM', KEYS[5], id)
redis.call('LREM', KEYS[4], 0, id)
redis.call('HDEL', KEYS[6], id)
redis.call('HINCRBY', KEYS[8], id, 1)
redis.call('SADD', KEYS[10], id)
return 1
"""
# Jobs a worker gives back unfinished (it is shutting down): to the head of the queue; a shutdown is not a failure.
RELEASE = _RELEASE_HOST + """
local n = 0
for i = 2, #ARGV do
  local id = ARGV[i]
  if redis.call('HGET', KEYS[6], id) == ARGV[1] and redis.call('ZREM', KEYS[5], id) == 1 then
    release_host(id)
    redis.call('HDEL', KEYS[6], id)
    redis.call('HINCRBY', KEYS[7], id, -1)
    redis.call('LPUSH', KEYS[4], id)
    n = n + 1
  end
end
return n
"""
REAP = _NOW + _RELEASE_HOST + """
local max_attempts = tonumber(redis.call('HGET', KEYS[1], 'max_attempts') or '3')
local requeued, failed = 0, 0
local expired = redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', now)
for i = #expired, 1, -1 do  -- the longest-waiting job ends at the head of the queue
  local id = expired[i]
  redis.call('ZREM', KEYS[5], id)
  release_host(id)
  local owner = redis.call('HGET', KEYS[6], id) or '?'
  redis.call('HDEL', KEYS[6], id)
  if tonumber(redis.call('HGET', KEYS[7], id) or '0') >= max_attempts then
    redis.call('HSET', KEYS[11], id, 'lost ' .. max_attempts .. ' leases, last by ' .. owner)
    failed = failed + 1
  else
    redis.call('LPUSH', KEYS[4], id)
    requeued = requeued + 1
  end
end
return {requeued, failed}
"""


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def job_id(target: Target) -> str:
    return f"{target.kind}:{target.id}"


def target_host(target: Target) -> str:
    """The host a target's own pages are on (empty for accounts: their platforms' hosts are shared by design)."""
    url = target.facts.get("homepage") or target.facts.get("url") or ""
    return (urlsplit(str(url)).hostname or "").lower() if target.kind != "account" else ""


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return {"$date": value.isoformat()}
    raise TypeError(f"{type(value).__name__} in a job payload")


def _restore(obj: dict[str, Any]) -> Any:
    if obj.keys() == {"$date"}:
        text = obj["$date"]
        return datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text)
    return obj


def encode(target: Target) -> str:
    return json.dumps({"kind": target.kind, "id": target.id, "host": target_host(target), "facts": target.facts},
                      ensure_ascii=False, default=_jsonable, sort_keys=True)


def decode(payload: bytes | str) -> Target:
    """The target of a job payload; ValueError names what is wrong with a payload that is not a job."""
    try:
        data = json.loads(payload, object_hook=_restore)
        return Target(str(data["kind"]), str(data["id"]), dict(data.get("facts") or {}))
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"not a target job: {str(payload)[:80]!r} ({exc})") from exc


@dataclass(frozen=True)
class Progress:
    run_id: str
    total: int
    queued: int
    running: int
    done: int
    failed: int
    overdue: int  # leased jobs past their deadline: their worker is gone, the next reap returns them
    workers: dict[str, int]  # worker → jobs it holds

    @property
    def complete(self) -> bool:
        """Every job is done or failed: nothing queued, nothing leased."""
        return self.total > 0 and self.queued == 0 and self.running == 0 and self.done + self.failed >= self.total


class RunQueue:
    """One run's jobs in Redis (see the module docstring for the keys)."""

    def __init__(self, server: Redis, run_id: str) -> None:
        self.server = server
        self.run_id = run_id
        self.keys = [f"govmon:run:{run_id}:{name}" for name in FIELDS]
        self.key = dict(zip(FIELDS, self.keys, strict=True))
        self._scripts = {name: server.register_script(code) for name, code in
                         (("take", TAKE), ("renew", RENEW), ("ack", ACK), ("release", RELEASE), ("reap", REAP))}

    # ------------------------------------------------------------------ writing a run

    def create(self, spider: str, targets: list[Target], as_of: date, *, lease: float = LEASE_SECONDS,
               max_attempts: int = MAX_ATTEMPTS, at: str = "") -> int:
        """Queue a run's jobs; a job already in the run (a repeated enqueue) is not queued twice, except a failed
        one, which is queued again with its tries reset. Returns the number of jobs added or queued again."""
        meta = self.meta()
        if meta and meta.get("spider") != spider:
            raise ValueError(f"run {self.run_id} is a {meta.get('spider')} run, not {spider}")
        known = {k.decode() for k in self.server.hkeys(self.key["jobs"])}
        new = [t for t in targets if job_id(t) not in known]
        failed = set(self.failures())
        again = [job_id(t) for t in targets if job_id(t) in failed]
        with self.server.pipeline() as pipe:  # MULTI: a run's jobs appear all at once
            pipe.hset(self.key["meta"], mapping={
                "spider": spider, "as_of": as_of.isoformat(), "lease_seconds": lease, "max_attempts": max_attempts,
                "at": at,
                "created_at": meta.get("created_at") or datetime.now().isoformat(timespec="seconds")})
            pipe.hincrby(self.key["meta"], "total", len(new))
            for t in new:
                pipe.hset(self.key["jobs"], job_id(t), encode(t))
                pipe.hset(self.key["hostof"], job_id(t), target_host(t))
                pipe.rpush(self.key["queue"], job_id(t))
            for job in again:
                pipe.hdel(self.key["failed"], job)
                pipe.hset(self.key["tries"], job, 0)
                pipe.rpush(self.key["queue"], job)
            pipe.zadd(RUNS_KEY, {self.run_id: time.time()}, nx=True)
            pipe.execute()
        return len(new) + len(again)

    def meta(self) -> dict[str, str]:
        return {k.decode(): v.decode() for k, v in self.server.hgetall(self.key["meta"]).items()}

    def exists(self) -> bool:
        return bool(self.server.exists(self.key["meta"]))

    def delete(self) -> None:
        self.server.delete(*self.keys)
        self.server.zrem(RUNS_KEY, self.run_id)

    # ------------------------------------------------------------------ a worker's side

    @property
    def lease_ms(self) -> int:
        return int(float(self.meta().get("lease_seconds") or LEASE_SECONDS) * 1000)

    def take(self, worker: str, n: int) -> list[tuple[str, bytes]]:
        """Lease up to n jobs whose host is free; returns (job id, payload) pairs."""
        if n <= 0:
            return []
        out = self._scripts["take"](keys=self.keys, args=[worker, n, SCAN])
        return [(out[i].decode(), out[i + 1]) for i in range(0, len(out), 2)]

    def renew(self, worker: str, ids: list[str]) -> list[str]:
        """Extend the leases of the jobs this worker holds; returns those no longer its own."""
        if not ids:
            return []
        return [i.decode() for i in self._scripts["renew"](keys=self.keys, args=[worker, *ids])]

    def ack(self, job: str) -> bool:
        """The job's rows are stored: it is done. False when it was done (or failed) already."""
        return bool(self._scripts["ack"](keys=self.keys, args=["", job]))

    def release(self, worker: str, ids: list[str]) -> int:
        """Give unfinished jobs back to the head of the queue (a worker shutting down)."""
        return int(self._scripts["release"](keys=self.keys, args=[worker, *ids])) if ids else 0

    def reap(self) -> tuple[int, int]:
        """Return the jobs of workers whose leases ran out to the queue (or fail them after MAX_ATTEMPTS)."""
        requeued, failed = self._scripts["reap"](keys=self.keys, args=[])
        return int(requeued), int(failed)

    # ------------------------------------------------------------------ looking

    def progress(self) -> Progress:
        now_ms = int(float(".".join(str(x) for x in self.server.time())) * 1000)
        with self.server.pipeline(transaction=True) as pipe:
            pipe.hget(self.key["meta"], "total")
            pipe.llen(self.key["queue"])
            pipe.zcard(self.key["leases"])
            pipe.scard(self.key["done"])
            pipe.hlen(self.key["failed"])
            pipe.zcount(self.key["leases"], "-inf", now_ms)
            pipe.hvals(self.key["owner"])
            total, queued, running, done, failed, overdue, owners = pipe.execute()
        workers: dict[str, int] = {}
        for owner in owners:
            workers[owner.decode()] = workers.get(owner.decode(), 0) + 1
        return Progress(self.run_id, int(total or 0), queued, running, done, failed, overdue, workers)

    def failures(self) -> dict[str, str]:
        return {k.decode(): v.decode() for k, v in self.server.hgetall(self.key["failed"]).items()}

    def counts(self, field: str) -> dict[str, int]:
        """Per job: times taken (`tries`) or acknowledged (`acks`)."""
        return {k.decode(): int(v) for k, v in self.server.hgetall(self.key[field]).items()}


def runs_with_work(server: Redis) -> list[str]:
    """Runs whose jobs are not all done, oldest first."""
    out = []
    for run_id in server.zrange(RUNS_KEY, 0, -1):
        queue = RunQueue(server, run_id.decode())
        if not queue.progress().complete:
            out.append(queue.run_id)
    return out
