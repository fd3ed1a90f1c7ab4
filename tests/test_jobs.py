"""The job queue of a run on several machines (monitor/jobs.py) against the real Redis: leases, hosts held by one
job, dead workers' jobs returned, failed after MAX_ATTEMPTS, acknowledgement once, shutdown returns jobs."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import date, datetime

import pytest
from redis import Redis

from monitor.jobs import RunQueue, decode, encode, job_id, runs_with_work
from monitor.targets import Target


def site(code: str, host: str) -> Target:
    return Target("website", code, {"site_code": code, "homepage": f"http://{host}/", "name": f"站点{code}",
                                    "registered": date(2020, 1, 2), "seen": datetime(2021, 3, 3, 8, 0)})


@pytest.fixture
def queue(redis_url: str) -> Iterator[RunQueue]:
    q = RunQueue(Redis.from_url(redis_url), f"test-{uuid.uuid4().hex[:8]}")
    yield q
    q.delete()


def test_payload_round_trip_keeps_dates_and_names() -> None:
    target = site("5325000001", "www.hh.gov.cn")
    back = decode(encode(target))
    assert (back.kind, back.id, back.facts) == (target.kind, target.id, target.facts)
    assert isinstance(back.facts["registered"], date) and isinstance(back.facts["seen"], datetime)
    with pytest.raises(ValueError, match="not a target job"):
        decode(b"http://www.hh.gov.cn/")  # a scrapy-redis URL payload is not a job


def test_jobs_are_leased_hosts_held_once_and_acknowledged_once(queue: RunQueue) -> None:
    # two registry sites on one 集约化 platform host, one elsewhere
    targets = [site("a1", "www.hh.gov.cn"), site("a2", "www.hh.gov.cn"), site("b1", "www.gejiu.gov.cn")]
    assert queue.create("website", targets, date(2021, 3, 3), lease=30) == 3
    assert queue.create("website", targets, date(2021, 3, 3)) == 0  # enqueued again: nothing twice
    assert queue.progress().total == 3
    taken = queue.take("w1", 5)
    assert [job for job, _ in taken] == ["website:a1", "website:b1"]  # a2 waits: its host is held by a1
    assert queue.take("w2", 5) == []
    p = queue.progress()
    assert (p.queued, p.running, p.done, p.workers) == (1, 2, 0, {"w1": 2})
    assert queue.ack("website:a1") and not queue.ack("website:a1")
    assert [job for job, _ in queue.take("w2", 5)] == ["website:a2"]  # the host is free again
    assert queue.renew("w1", ["website:b1", "website:a2"]) == ["website:a2"]  # a2 is w2's, not w1's
    assert queue.ack("website:b1") and queue.ack("website:a2")
    p = queue.progress()
    assert p.complete and (p.queued, p.running, p.done, p.failed) == (0, 0, 3, 0)
    assert queue.counts("acks") == {"website:a1": 1, "website:a2": 1, "website:b1": 1}
    assert queue.run_id not in runs_with_work(queue.server)


def test_dead_workers_jobs_return_and_poison_jobs_fail(queue: RunQueue) -> None:
    queue.create("website", [site("a1", "www.hh.gov.cn"), site("b1", "www.gejiu.gov.cn")], date(2021, 3, 3),
                 lease=0.3, max_attempts=2)
    assert len(queue.take("dead", 2)) == 2
    assert queue.reap() == (0, 0)  # leases still running
    time.sleep(0.4)
    assert queue.progress().overdue == 2
    assert queue.reap() == (2, 0)
    assert queue.run_id in runs_with_work(queue.server)
    again = queue.take("alive", 1)
    assert [job for job, _ in again] == ["website:a1"]
    queue.renew("alive", ["website:a1"])
    queue.take("dead", 1)  # b1 taken a second time, and its worker dies again
    time.sleep(0.4)
    queue.renew("alive", ["website:a1"])  # a live worker keeps its lease
    assert queue.reap() == (0, 1)
    assert "lost 2 leases" in queue.failures()["website:b1"]
    assert queue.ack("website:a1")
    p = queue.progress()
    assert p.complete and (p.done, p.failed) == (1, 1)
    assert not queue.ack("website:b1")  # a failed job stays failed …
    sites = [site("a1", "www.hh.gov.cn"), site("b1", "www.gejiu.gov.cn")]
    assert queue.create("website", sites, date(2021, 3, 3)) == 1  # … until the run is enqueued again
    assert queue.failures() == {} and queue.counts("tries")["website:b1"] == 0
    assert [job for job, _ in queue.take("alive", 2)] == ["website:b1"] and queue.ack("website:b1")
    assert queue.progress().complete and queue.progress().done == 2


def test_shutdown_returns_jobs_at_once_without_counting_a_try(queue: RunQueue) -> None:
    queue.create("website", [site("a1", "www.hh.gov.cn"), site("b1", "www.gejiu.gov.cn")], date(2021, 3, 3))
    queue.take("w1", 2)
    assert queue.release("other", ["website:a1"]) == 0  # not its job
    assert queue.release("w1", ["website:a1", "website:b1"]) == 2
    assert queue.counts("tries") == {"website:a1": 0, "website:b1": 0}
    assert [job for job, _ in queue.take("w2", 2)] == ["website:b1", "website:a1"]


def test_a_run_is_for_one_spider(queue: RunQueue) -> None:
    queue.create("website", [site("a1", "www.hh.gov.cn")], date(2021, 3, 3))
    with pytest.raises(ValueError, match="website run"):
        queue.create("sweep", [site("a1", "www.hh.gov.cn")], date(2021, 3, 3))
    assert job_id(site("a1", "x")) == "website:a1"
