"""Queued runs of the other spider and the commands around them (issue 14): a full link sweep worked from the queue
stores each site's own cuts and is judged as a single-process sweep is; `govmon queue` shows progress; a bad run id
or a run of another spider is refused with one line."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

from redis import Redis
from sqlalchemy import func, select

from monitor import db
from monitor.jobs import RunQueue
from monitor.migrate import upgrade
from monitor.registry import import_files
from monitor.simweb.scenario import load_scenario
from monitor.simweb.server import SimWeb
from monitor.simweb.sweepsite import SweepWeb
from tests.test_evaluate import NO_PROBES
from tests.test_sweep_verdict import CUT_REASON, QUIET, deep_only_site, site_finding
from tests.test_website_spider import rows

REPO = Path(__file__).resolve().parent.parent
EVALUATE = ("evaluate", "--period", "2021Q1", "--as-of", "2021-03-03", "--not-monitored", ",".join(NO_PROBES))


def govmon(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "monitor.cli", *args], env=env, cwd=REPO, capture_output=True,
                          text=True, timeout=300)


def two_databases(registry: Path, pg_url: str, tmp_path: Path) -> str:
    """The registry imported into the shared PostgreSQL and into an SQLite file for the single-process reference;
    returns the reference's URL."""
    single = f"sqlite:///{tmp_path / 'single.sqlite'}"
    for url in (pg_url, single):
        engine = db.engine_for(url)
        upgrade(engine)
        import_files(engine, [registry])
        engine.dispose()
    return single


def worker_env(tmp_path: Path, pg_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    return dict(os.environ, MONITOR_RUN_DIR=str(tmp_path / "runs"), MONITOR_DATABASE_URL=pg_url,
                MONITOR_QUEUE_URL=redis_url, MONITOR_LOCK_DIR=str(tmp_path), **extra)


def work_together(env: dict[str, str], run_id: str, workers: int = 2, seconds: float = 300) -> None:
    """`govmon work RUN` in several processes at once, each to a clean end."""
    started = [subprocess.Popen([sys.executable, "-m", "monitor.cli", "work", run_id, *QUIET], env=env, cwd=REPO,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(workers)]
    for worker in started:
        _, err = worker.communicate(timeout=seconds)
        assert worker.returncode == 0, err[-3000:]


def test_a_queued_sweep_stores_the_sites_cuts_and_is_judged_like_one_process(pg_url: str, redis_url: str,
                                                                            tmp_path: Path) -> None:
    engine = db.engine_for(pg_url)
    upgrade(engine)
    runs = [f"qs-{uuid.uuid4().hex[:6]}", f"qc-{uuid.uuid4().hex[:6]}"]
    server = Redis.from_url(redis_url)
    try:
        with SweepWeb(deep_only_site()) as web:
            import_files(engine, [web.write_registry(tmp_path / "targets.yaml")])
            env = worker_env(tmp_path, pg_url, redis_url, MONITOR_ALLOWED_NETWORKS="127.0.0.1")
            env.pop("MONITOR_TARGETS", None)
            assert govmon(env, "crawl", "--run-id", "daily", "--as-of", "2021-03-03", *QUIET).returncode == 0
            wrong = govmon(env, "work", "no-such-run")
            assert wrong.returncode == 4 and "no-such-run" in wrong.stderr
            queued = govmon(env, "enqueue", "--spider", "sweep", "--run-id", runs[0], "--as-of", "2021-03-02")
            assert queued.returncode == 0 and "1 jobs queued" in queued.stdout, queued.stderr
            shown = govmon(env, "queue", runs[0])
            assert "进行中" in shown.stdout and "排队1" in shown.stdout, shown.stdout
            work_together(env, runs[0], seconds=300)
            assert "已完成" in govmon(env, "queue", runs[0]).stdout
            judged = govmon(env, *EVALUATE)
            assert judged.returncode == 0, judged.stderr
            swept = site_finding(engine)
            truth = {url for _, url, _, _ in web.dead_links()}
            home = rows(engine, db.pages, run_id=runs[0], role="home")[0]
            assert home["cut"] == {"pages": 0, "depth": 0, "links": 0}  # the site's own cuts, with its homepage
            assert swept["outcome"] == "fail" and swept["evidence"]["other"] == len(truth)
            assert swept["evidence"]["run_id"] == runs[0]

            # cut by its page bound on a worker: the site's own count, 待定
            queued = govmon(env, "enqueue", "--spider", "sweep", "--run-id", runs[1], "--as-of", "2021-03-03")
            assert queued.returncode == 0, queued.stderr
            done = govmon(env, "work", runs[1], *QUIET, "-s", "MONITOR_SWEEP_MAX_PAGES=10")
            assert done.returncode == 0, done.stderr[-3000:]
            assert govmon(env, *EVALUATE).returncode == 0
        home = rows(engine, db.pages, run_id=runs[1], role="home")[0]
        assert home["cut"]["pages"] > 0
        cut = site_finding(engine)
        assert (cut["outcome"], cut["reason"]) == ("inconclusive", CUT_REASON)
        assert cut["evidence"]["cut_pages"] == home["cut"]["pages"]
        status = {r["run_id"]: r["status"] for r in rows(engine, db.runs)}
        assert status[runs[0]] == status[runs[1]] == "finished"
        mixed = govmon(env, "enqueue", "--spider", "website", "--run-id", runs[0])
        assert mixed.returncode != 0 and "sweep run" in mixed.stderr
    finally:
        for run_id in runs:
            RunQueue(server, run_id).delete()
        engine.dispose()


def channel_rows(url: str, run_id: str) -> dict[str, list]:
    engine = db.engine_for(url)
    out = {}
    with engine.connect() as conn:
        for table, key in ((db.channel_checks, "channel_url"), (db.letters, "url"), (db.guides, "url")):
            out[table.name] = sorted(conn.execute(select(table.c[key]).where(table.c.run_id == run_id)).scalars())
        f = db.findings
        out["findings"] = sorted(tuple(r) for r in conn.execute(
            select(f.c.target_id, f.c.indicator, f.c.subject, f.c.outcome)
            .where(f.c.indicator.in_(("letters_published", "letter_timeliness", "interaction_response")))))
    engine.dispose()
    return out


def test_letters_channels_on_two_workers_read_as_one_process(pg_url: str, redis_url: str, tmp_path: Path) -> None:
    scenario = load_scenario("honghe_2021q1")
    registry = scenario.write_registry(tmp_path / "targets.yaml", channels=True)
    single = two_databases(registry, pg_url, tmp_path)
    run_id = f"ch-{uuid.uuid4().hex[:6]}"
    at = scenario.clock.isoformat()
    env = worker_env(tmp_path, pg_url, redis_url)
    try:
        with SimWeb(scenario) as web:
            env["MONITOR_HOST_MAP"] = web.host_map
            queued = govmon(env, "enqueue", "--spider", "channels", "--run-id", run_id,
                            "--as-of", scenario.as_of.isoformat(), "--at", at)
            assert queued.returncode == 0, queued.stderr
            work_together(env, run_id, seconds=300)
            one = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "channels", "-a", f"run_id={run_id}",
                                  "-a", f"as_of={scenario.as_of.isoformat()}", "-a", f"at={at}",
                                  "-s", f"MONITOR_DATABASE_URL={single}", "-s", "LOG_LEVEL=WARNING"],
                                 env=env, cwd=REPO, capture_output=True, text=True, timeout=300)
            assert one.returncode == 0, one.stderr[-3000:]
        assert RunQueue(Redis.from_url(redis_url), run_id).progress().complete
        judge = ("evaluate", "--period", "2021Q1", "--as-of", scenario.as_of.isoformat(), "--not-monitored",
                 "site_unreachable")
        for url in (pg_url, single):
            done = govmon(dict(env, MONITOR_DATABASE_URL=url), *judge)
            assert done.returncode == 0, done.stderr[-2000:]
        shared, alone = channel_rows(pg_url, run_id), channel_rows(single, run_id)
        assert shared["channel_checks"] and shared["letters"] and shared["findings"]
        assert shared == alone
    finally:
        RunQueue(Redis.from_url(redis_url), run_id).delete()


def account_rows(url: str, run_id: str) -> dict[str, list]:
    engine = db.engine_for(url)
    with engine.connect() as conn:
        a, p, v = db.account_checks, db.account_posts, db.verdicts
        out = {
            "checks": sorted(tuple(r) for r in conn.execute(
                select(a.c.platform, a.c.account, a.c.outcome, a.c.post_count).where(a.c.run_id == run_id))),
            "posts": conn.execute(select(func.count()).select_from(p).where(p.c.run_id == run_id)).scalar(),
            "verdicts": sorted(tuple(r) for r in conn.execute(
                select(v.c.target_id, v.c.result).where(v.c.target_kind == "account"))),
        }
    engine.dispose()
    return out


def test_account_batches_on_two_workers_read_as_one_process(pg_url: str, redis_url: str, tmp_path: Path) -> None:
    scenario = load_scenario("honghe_2021q1")
    registry = scenario.write_registry(tmp_path / "targets.yaml")
    single = two_databases(registry, pg_url, tmp_path)
    run_id = f"acc-{uuid.uuid4().hex[:6]}"
    at, as_of = scenario.clock.isoformat(), scenario.as_of.isoformat()
    env = worker_env(tmp_path, pg_url, redis_url, MONITOR_ACCOUNT_BATCH="40")
    try:
        with SimWeb(scenario) as web:
            env |= {"MONITOR_HOST_MAP": web.host_map, "MONITOR_TRUSTED_SPKI": web.tls_spki}
            queued = govmon(env, "enqueue", "--spider", "accounts", "--run-id", run_id, "--as-of", as_of,
                            "--at", at)
            batches = -(-len(scenario.accounts) // 40)
            assert queued.returncode == 0 and f"{batches} jobs queued" in queued.stdout, queued.stderr
            work_together(env, run_id, seconds=600)
            one = govmon(dict(env, MONITOR_DATABASE_URL=single), "crawl-accounts", "--run-id", run_id,
                         "--as-of", as_of, "--at", at)
            assert one.returncode == 0, one.stderr[-3000:]
        queue = RunQueue(Redis.from_url(redis_url), run_id)
        assert queue.progress().complete and set(queue.counts("acks").values()) == {1}
        for url in (pg_url, single):
            done = govmon(dict(env, MONITOR_DATABASE_URL=url), "evaluate", "--period", "2021Q1", "--as-of", as_of,
                          "--not-monitored", "site_unreachable")
            assert done.returncode == 0, done.stderr[-2000:]
        shared, alone = account_rows(pg_url, run_id), account_rows(single, run_id)
        assert len(shared["checks"]) == len(scenario.accounts) and shared["posts"] > 0
        assert shared == alone
    finally:
        RunQueue(Redis.from_url(redis_url), run_id).delete()


def test_a_following_worker_takes_each_new_run_and_stops_cleanly(pg_url: str, redis_url: str,
                                                                 tmp_path: Path) -> None:
    """`govmon work --follow` (the systemd worker): works a run to its end, waits, takes the next run queued later;
    SIGTERM ends it with nothing held."""
    import signal
    import time

    from monitor.simweb.generate import generate_region

    scenario = generate_region(3, 5, columns=2)
    registry = scenario.write_registry(tmp_path / "targets.yaml")
    engine = db.engine_for(pg_url)
    upgrade(engine)
    import_files(engine, [registry])
    server = Redis.from_url(redis_url)
    runs = [f"f1-{uuid.uuid4().hex[:6]}", f"f2-{uuid.uuid4().hex[:6]}"]
    # a Redis database of this test's own (emptied): --follow takes the oldest run with work left, whoever queued it
    queue_url = redis_url.rsplit("/", 1)[0] + "/14"
    Redis.from_url(queue_url).flushdb()
    env = worker_env(tmp_path, pg_url, queue_url)
    follower = None
    try:
        with SimWeb(scenario) as web:
            env["MONITOR_HOST_MAP"] = web.host_map
            assert govmon(env, "enqueue", "--run-id", runs[0], "--as-of", "2021-03-03").returncode == 0
            follower = subprocess.Popen([sys.executable, "-m", "monitor.cli", "work", "--follow", *QUIET], env=env,
                                        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for run_id in runs:
                if run_id == runs[1]:
                    assert govmon(env, "enqueue", "--run-id", run_id, "--as-of", "2021-03-03").returncode == 0
                deadline = time.monotonic() + 120
                while rows(engine, db.runs, run_id=run_id)[0]["status"] != "finished":
                    assert follower.poll() is None, follower.communicate()[1][-3000:]
                    assert time.monotonic() < deadline, govmon(env, "queue").stdout
                    time.sleep(0.2)
            follower.send_signal(signal.SIGTERM)
            assert follower.wait(timeout=60) == 0
        for run_id in runs:
            assert len({r["site_code"] for r in rows(engine, db.pages, run_id=run_id)}) == 3
    finally:
        if follower is not None and follower.poll() is None:
            follower.kill()
        for run_id in runs:
            RunQueue(Redis.from_url(queue_url), run_id).delete()
        server.close()
        engine.dispose()
