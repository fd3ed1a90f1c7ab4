"""A spider that takes its targets from a run's job queue in Redis (monitor/jobs.py), on any number of machines.

Built on scrapy-redis's RedisMixin (its connection settings, its `next_requests` → `make_request_from_data` →
`engine.crawl` path and its idle handling), with what a run of government sites needs and the mixin lacks:

- jobs are leased, not popped (RedisMixin's LRANGE+LTRIM loses what a dead worker held): `fetch_data` is
  `RunQueue.take`, leases are renewed every third of their length while the worker lives, and every worker returns
  the jobs of dead ones to the queue (`RunQueue.reap`);
- payloads are JSON target jobs (kind, id, host, registry facts), not URLs; one job becomes the spider's own start
  requests for that target (`target_requests`), and the target's follow-up requests stay in this worker's local
  scheduler, so a host is crawled by one worker at a time and one slow site holds one job slot, not the queue;
- a worker holds at most MONITOR_QUEUE_JOBS jobs and takes the next one as soon as one finishes (the target
  tracker's `target_finished`), not only when it is idle;
- a job is acknowledged once the storage pipeline holds none of its rows: after a kill, only unacknowledged jobs
  are crawled again, and natural keys keep their rows single;
- Scrapy 2.13+'s `async def start()` instead of the deprecated `start_requests`; the worker closes when the run
  is complete (nothing queued, nothing leased) and records the run finished, rather than idling forever.

Start a worker with `govmon work [RUN_ID]`, `scrapy crawl website -a queue=RUN_ID`, or a Scrapyd job with the
argument queue=RUN_ID; the run comes from `govmon enqueue`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy_redis import connection
from scrapy_redis.spiders import RedisMixin
from twisted.internet import task

from monitor.extensions.targets import target_finished
from monitor.jobs import RunQueue, decode, job_id, worker_id
from monitor.pipelines.storage import storage_pipeline
from monitor.targets import Target

log = logging.getLogger(__name__)


def queue_server(url: str) -> Any:
    """The Redis client of the queue at `url` (MONITOR_QUEUE_URL), through scrapy-redis's connection helper (its
    socket timeouts)."""
    return connection.get_redis(url=url)


class QueueWorker(RedisMixin):
    """Mixin for a spider with `run_id`, `as_of`, `targets` and `target_requests(target)`; active when the spider
    was given `queue=RUN_ID`."""

    queue_run: str = ""
    queue: RunQueue | None = None

    def join_queue(self, crawler: Crawler) -> None:
        """Before the pipelines open (monitor/extensions/queue.py): the run's identity and monitoring date are the
        queue's, for every worker."""
        self.server = queue_server(str(crawler.settings.get("MONITOR_QUEUE_URL")))
        self.queue = RunQueue(self.server, self.queue_run)
        meta = self.queue.meta()
        if not meta:
            raise ValueError(f"no queued run {self.queue_run} in {crawler.settings.get('MONITOR_QUEUE_URL')}")
        if meta["spider"] != self.name:
            raise ValueError(f"run {self.queue_run} is for the {meta['spider']} spider, not {self.name}")
        self.run_id = self.queue_run
        self.as_of = date.fromisoformat(meta["as_of"])
        if meta.get("at") and hasattr(self, "at"):  # a replayed clock, the same for every worker
            from monitor.spiders.accounts import china_time

            self.at = china_time(meta["at"])
        self.worker = worker_id()
        self.redis_key = self.queue.key["queue"]
        self.redis_batch_size = max(1, crawler.settings.getint("MONITOR_QUEUE_JOBS"))
        self.held: dict[str, str] = {}  # target id → job id, jobs this worker holds
        self.unacked: list[str] = []  # targets finished whose rows the database has not taken yet
        self.renewal = task.LoopingCall(self.keep_up)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.queue_closed, signal=signals.spider_closed)

    # ------------------------------------------------------------------ RedisMixin's hooks

    def fetch_data(self, redis_key: str, batch_size: int) -> list[bytes]:
        assert self.queue is not None
        taken = self.queue.take(self.worker, batch_size - len(self.held))
        return [payload for _job, payload in taken]

    def make_request_from_data(self, data: bytes) -> Iterable[Request]:
        target = decode(data)
        self.held[target.id] = job_id(target)
        requests = list(self.target_requests(target))
        log.debug("job %s taken: %d start requests", job_id(target), len(requests))
        if not requests:  # nothing to crawl (e.g. its channels are another site's): done as it is
            self.unacked.append(target.id)
        return requests

    def target_requests(self, target: Target) -> Iterable[Request]:
        raise NotImplementedError

    def queue_requests(self) -> Iterator[Request]:
        """The worker's first requests (called from the spider's `start`); then the hooks take over."""
        self.start_queue()
        yield from self.next_requests()

    def start_queue(self) -> None:
        """Lease renewal and acknowledgements begin (called once, from the spider's `start`)."""
        if self.queue is None:
            raise RuntimeError("a queued run needs the extension monitor.extensions.queue.JoinQueue in EXTENSIONS")
        # connected here, after the checks pipeline: a target is judged before its job is acknowledged
        self.crawler.signals.connect(self.job_finished, signal=target_finished)
        self.renewal.start(max(0.5, self.queue.lease_ms / 3000), now=False)
        log.info("worker %s on run %s (monitoring point %s): up to %d jobs at a time", self.worker, self.run_id,
                 self.as_of, self.redis_batch_size)

    def spider_idle(self) -> None:
        """Take more jobs; close once the run is complete (nothing queued, nothing leased by anyone)."""
        self.keep_up()
        if self.held or self.unacked or not self.run_complete():  # others' leases may still come back
            raise DontCloseSpider

    # ------------------------------------------------------------------ jobs

    def keep_up(self) -> None:
        """Renew this worker's leases, return dead workers' jobs, acknowledge stored targets, take new jobs."""
        queue = self.queue
        assert queue is not None
        lost = queue.renew(self.worker, sorted(self.held.values()))
        for job in lost:
            log.warning("lease of job %s lost (this worker was too slow to renew): it may be crawled again", job)
        requeued, failed = queue.reap()
        if requeued or failed:
            log.warning("jobs of a worker that stopped renewing: %d queued again, %d failed", requeued, failed)
        self.refill()

    def refill(self) -> None:
        """Acknowledge what is stored, then take jobs up to MONITOR_QUEUE_JOBS."""
        self.acknowledge()
        if len(self.held) < self.redis_batch_size:
            self.schedule_next_requests()

    def job_finished(self, target: str, spider: Any = None) -> None:
        """A target finished (the tracker's signal); a job of several targets finishes through `job_done`."""
        if target in self.held:
            self.job_done(target)

    def job_done(self, target: str) -> None:
        self.unacked.append(target)
        self.refill()

    def acknowledge(self) -> None:
        """Acknowledge finished jobs once the storage pipeline holds no row waiting for the database."""
        if not self.unacked:
            return
        storage = storage_pipeline(self.crawler)
        if storage is not None:
            storage.flush_all()
            if storage.pending:
                return
        for target in self.unacked:
            job = self.held.pop(target)
            if not self.queue.ack(job):  # type: ignore[union-attr]
                log.info("job %s was completed by another worker as well", job)
        self.unacked.clear()

    def queue_closed(self, spider: Any, reason: str) -> None:
        if self.renewal.running:
            self.renewal.stop()
        self.acknowledge()
        left = sorted(self.held.values())
        if left:  # shutdown or unstored rows: other workers take them now instead of after the lease
            log.warning("worker %s stops with %d unfinished jobs: returned to the queue", self.worker, len(left))
            self.queue.release(self.worker, left)  # type: ignore[union-attr]

    def run_complete(self) -> bool:
        return self.queue is not None and self.queue.progress().complete
