"""A run on several workers with one killed mid-run (issue 14): 3 `govmon work` processes, 1,000 simulated sites, the
real Redis and PostgreSQL, one worker SIGKILLed while it holds jobs.

Every site is done exactly once (one acknowledgement per job; the dead worker's jobs taken again after its lease),
the run is finished once, no row is written twice (per site and table, the rows equal those of a single-process
crawl of the same region), and `govmon evaluate` gives the run the same verdicts as the single-process run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from redis import Redis
from sqlalchemy import select

from monitor import db
from monitor.jobs import RunQueue
from monitor.simweb.generate import generate_region
from monitor.simweb.server import SimWeb
from tests.test_fault_kill import FAST, per_site
from tests.test_workers_queue import two_databases

REPO = Path(__file__).resolve().parent.parent
SITES = 1000
AS_OF = "2021-03-03"
LEASE = 5.0  # seconds: how soon the killed worker's jobs come back (the default is 120)


def govmon(env: dict[str, str], *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "monitor.cli", *args], env=env, cwd=REPO, capture_output=True,
                          text=True, timeout=timeout)


def verdicts(url: str) -> list[tuple]:
    engine = db.engine_for(url)
    with engine.connect() as conn:
        out = conn.execute(select(db.verdicts.c.target_id, db.verdicts.c.result, db.verdicts.c.score)
                           .order_by(db.verdicts.c.target_id)).all()
    engine.dispose()
    return [tuple(row) for row in out]


def test_three_workers_one_killed_every_site_once_same_verdicts(pg_url: str, redis_url: str,
                                                               tmp_path: Path) -> None:
    scenario = generate_region(SITES, 5, columns=2)  # homepage, 2 list pages, 2 articles a site
    registry = tmp_path / "targets.yaml"
    scenario.write_registry(registry)
    reference_url = two_databases(registry, pg_url, tmp_path)
    run_id = f"kill-{uuid.uuid4().hex[:8]}"
    queue = RunQueue(Redis.from_url(redis_url), run_id)
    env = dict(os.environ, MONITOR_DATABASE_URL=pg_url, MONITOR_QUEUE_URL=redis_url, MONITOR_LOCK_URL="",
               MONITOR_LOCK_DIR=str(tmp_path / "locks"), MONITOR_RUN_DIR=str(tmp_path / "runs"))
    try:
        with SimWeb(scenario) as web:
            env["MONITOR_HOST_MAP"] = web.host_map
            queued = govmon(env, "enqueue", "--run-id", run_id, "--as-of", AS_OF, "--lease", str(LEASE))
            assert queued.returncode == 0, queued.stderr
            assert f"{SITES} jobs queued" in queued.stdout
            workers = [subprocess.Popen([sys.executable, "-m", "monitor.cli", "work", run_id, *FAST], env=env,
                                        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                       for _ in range(3)]
            victim = workers[0]
            deadline = time.monotonic() + 300
            while True:  # mid-run, and the victim holds jobs it has not finished
                progress = queue.progress()
                held = [w for w in progress.workers if w.endswith(f":{victim.pid}")]
                if progress.done >= SITES // 5 and held:
                    break
                assert victim.poll() is None, victim.communicate()[1][-3000:]
                assert time.monotonic() < deadline, f"no progress: {progress}"
                time.sleep(0.05)
            lost = progress.workers[held[0]]
            victim.send_signal(signal.SIGKILL)
            victim.wait(timeout=30)
            for worker in workers[1:]:
                out, err = worker.communicate(timeout=900)
                assert worker.returncode == 0, err[-3000:]
            single = govmon(dict(env, MONITOR_DATABASE_URL=reference_url), "crawl", "--run-id", run_id,
                            "--as-of", AS_OF, *FAST)
            assert single.returncode == 0, single.stderr[-3000:]
        progress = queue.progress()
        assert progress.complete and (progress.done, progress.failed) == (SITES, 0)
        acks = queue.counts("acks")
        assert len(acks) == SITES and set(acks.values()) == {1}  # every site done exactly once
        tries = queue.counts("tries")
        assert sum(n > 1 for n in tries.values()) >= lost  # the killed worker's jobs were taken again
        engine = db.engine_for(pg_url)
        with engine.connect() as conn:
            run = conn.execute(select(db.runs).where(db.runs.c.run_id == run_id)).one()
        engine.dispose()
        assert run.status == "finished" and (run.host, run.pid) == (None, None)
        assert run.stats["done"] == SITES

        # no row twice and none missing: per site and table, the rows of a single-process crawl
        reference = db.engine_for(reference_url)
        shared = db.engine_for(pg_url)
        expected, got = per_site(reference, run_id), per_site(shared, run_id)
        reference.dispose()
        shared.dispose()
        assert len({code for (_, code) in got}) == SITES + 1
        assert got == expected

        for url in (pg_url, reference_url):
            judged = govmon(dict(env, MONITOR_DATABASE_URL=url), "evaluate", "--period", "2021Q1",
                            "--as-of", AS_OF)
            assert judged.returncode == 0, judged.stderr[-3000:]
        assert verdicts(pg_url) == verdicts(reference_url)
        assert len(verdicts(pg_url)) == SITES
    finally:
        queue.delete()
