"""bench/workers_bench.py's measuring function, once with 2 workers on a 10-site region, so that the benchmark
cannot rot: the queued run completes with every site done, its rates are positive, and it cleans up after itself
(the run's Redis keys and its PostgreSQL schema are gone)."""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

import pytest
from redis import Redis
from sqlalchemy import create_engine, text

from monitor.jobs import RUNS_KEY, RunQueue
from monitor.simweb.generate import generate_region
from monitor.simweb.server import SimWeb
from tests.conftest import pg_base_url

REPO = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("workers_bench", REPO / "bench" / "workers_bench.py")
workers_bench = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = workers_bench
spec.loader.exec_module(workers_bench)

SITES = 10


def test_two_workers_crawl_the_queued_run_and_leave_nothing_behind(redis_url: str, tmp_path: Path) -> None:
    base = pg_base_url()
    if base is None:
        pytest.skip("MONITOR_TEST_PG_URL is not set")
    scenario = generate_region(SITES, 20, columns=2)
    registry = tmp_path / "targets.yaml"
    scenario.write_registry(registry)
    started = time.monotonic()
    with SimWeb(scenario) as web:
        m = workers_bench.measure(2, registry, web, database=base, queue_url=redis_url,
                                  as_of=scenario.as_of.isoformat())
    assert time.monotonic() - started < 60
    assert (m.workers, m.total, m.done, m.failed, m.status) == (2, SITES, SITES, 0, "finished")
    # every site's homepage and column pages were stored, its links checked, and the web saw those requests
    assert m.pages >= 3 * SITES and m.link_checks > 0 and m.requests >= m.pages
    assert m.wall > 0 and m.workers_cpu > 0
    assert m.rate("pages") > 0 and m.rate("work") > m.rate("pages") and m.rate("requests") > 0

    server = Redis.from_url(redis_url)
    assert not RunQueue(server, m.run_id).exists() and server.zscore(RUNS_KEY, m.run_id) is None
    admin = create_engine(base)
    with admin.connect() as conn:
        left = conn.execute(text("SELECT 1 FROM information_schema.schemata WHERE schema_name = :s"),
                            {"s": m.schema}).first()
    admin.dispose()
    assert left is None
