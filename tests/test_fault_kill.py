"""Fault injection: processes killed outright (SIGKILL) — a `govmon crawl` mid-crawl and a `govmon evaluate` mid-write —
on the simulated web with the real PostgreSQL, as real subprocesses.

A killed crawl has its rows written every MONITOR_FLUSH_SECONDS (so it loses at most one interval), its run is marked
`killed` by the next command that looks at runs, it is never judged, and a re-run with the same run id completes it:
per site exactly the rows of an uninterrupted run, none twice. A killed evaluation leaves nothing of itself (one
transaction) and a re-run gives the same verdicts.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import Engine

from monitor import db
from monitor.evaluate import evaluate
from monitor.runs import KILLED, mark_killed, process_alive, process_started
from monitor.simweb.scenario import load_scenario
from monitor.simweb.server import SimWeb
from tests.crawling import crawl
from tests.test_website_spider import FAST as SPIDER_FAST
from tests.test_website_spider import prepare

REPO = Path(__file__).resolve().parent.parent
SITES = ("5325010002", "5325270001")  # two of the region's sites keep each crawl short
TABLES = ("pages", "list_entries", "links", "link_checks")
FAST = ["-s", "DOWNLOAD_TIMEOUT=3", "-s", "RETRY_TIMES=1", "-s", "AUTOTHROTTLE_ENABLED=False"]
JUDGEMENTS = ("findings", "verdicts", "violations")


def environment(url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    return dict(os.environ, MONITOR_DATABASE_URL=url, MONITOR_LOCK_URL="", MONITOR_LOCK_DIR=str(tmp_path / "locks"),
                MONITOR_RUN_DIR=str(tmp_path / "runs"), **extra)


def govmon(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "monitor.cli", *args], env=env, cwd=REPO, capture_output=True,
                          text=True, timeout=180)


def crawl_args(run_id: str) -> list[str]:
    return ["crawl", "--run-id", run_id, "--sites", ",".join(SITES), "--as-of", "2021-03-03", *FAST]


def scalar(engine: Engine, query) -> object:
    with engine.connect() as conn:
        return conn.execute(query).scalar()


def per_site(engine: Engine, run_id: str) -> dict[tuple[str, str], int]:
    """Rows of a run per table and site (link checks have no site: counted per run)."""
    counts: dict[tuple[str, str], int] = {}
    with engine.connect() as conn:
        for name in TABLES:
            table = db.metadata.tables[name]
            if "site_code" in table.c:
                query = (select(table.c.site_code, func.count()).where(table.c.run_id == run_id)
                         .group_by(table.c.site_code))
                counts.update({(name, code): n for code, n in conn.execute(query)})
            else:
                counts[(name, "*")] = conn.execute(select(func.count()).select_from(table)
                                                   .where(table.c.run_id == run_id)).scalar()
    return counts


def wait_for(condition: Callable[[], bool], proc: subprocess.Popen, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert proc.poll() is None, f"the process ended before {what}: {proc.communicate()}"
        assert time.monotonic() < deadline, f"no {what} within {seconds} s"
        time.sleep(0.02)


def kill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


def test_process_checks_and_marking(pg_url: str, tmp_path: Path) -> None:
    """Which `running` runs are a dead process's: a pid gone, a zombie, a pid reused by a later process — on this
    host only; `govmon runs` marks them killed and lists them as 已中断."""
    assert process_alive(os.getpid(), datetime.now(UTC).replace(tzinfo=None))
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    zombie = subprocess.Popen(["true"])  # killed, not reaped yet
    time.sleep(0.3)
    assert not process_alive(ended.pid) and not process_alive(zombie.pid)
    zombie.wait()
    own_start = process_started(os.getpid())
    assert own_start is not None and abs((own_start - datetime.now(UTC).replace(tzinfo=None)).days) < 2
    long_ago = datetime(2020, 1, 1)  # a run started before this process: its pid now names another process
    assert not process_alive(os.getpid(), long_ago)

    engine = db.engine_for(pg_url)
    from monitor.migrate import upgrade

    upgrade(engine)
    now = datetime.now(UTC).replace(tzinfo=None)
    host = socket.gethostname()
    rows = {"dead": (host, ended.pid, now), "reused": (host, os.getpid(), long_ago), "alive": (host, os.getpid(), now),
            "elsewhere": ("another-host", ended.pid, now), "unknown": (None, None, now)}
    with engine.begin() as conn:
        conn.execute(insert(db.runs), [{"run_id": run_id, "spider": "website", "started_at": started,
                                        "status": "running", "host": h, "pid": pid}
                                       for run_id, (h, pid, started) in rows.items()])
    listed = govmon(environment(pg_url, tmp_path), "runs")
    assert listed.returncode == 0, listed.stderr
    lines = {line.split("\t")[0]: line for line in listed.stdout.splitlines()}
    assert "已中断" in lines["dead"] and "已中断" in lines["reused"] and "运行中" in lines["alive"]
    with engine.connect() as conn:
        status = dict(conn.execute(select(db.runs.c.run_id, db.runs.c.status)).all())
    assert status == {"dead": KILLED, "reused": KILLED, "alive": "running", "elsewhere": "running",
                      "unknown": "running"}
    assert mark_killed(engine) == []  # marked once
    engine.dispose()


def test_killed_crawl_is_marked_never_judged_and_rerun_loses_no_row(pg_url: str, tmp_path: Path) -> None:
    scenario = load_scenario("honghe_2021q1")
    engine = prepare(pg_url, scenario, tmp_path)
    ours = [s for s in scenario.sites if s.site_code in SITES]
    for site in ours:  # 2 s a response: no site finishes for about 20 s, so before that only the timer writes rows
        site.defects.slow_seconds = 2.0
    env = environment(pg_url, tmp_path)
    pages = db.pages
    with SimWeb(scenario) as web:
        env["MONITOR_HOST_MAP"] = web.host_map
        killed = subprocess.Popen([sys.executable, "-m", "monitor.cli", *crawl_args("k1"), "-s", "DOWNLOAD_TIMEOUT=30"],
                                  cwd=REPO, text=True,
                                  env=dict(env, MONITOR_FLUSH_SECONDS="0.5", MONITOR_BATCH_SIZE="100000"),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            # Rows of sites still being crawled reach the database within the flush interval (before: only when a
            # site finished or 500 rows waited, so a kill lost them all).
            wait_for(lambda: scalar(engine, select(func.count()).select_from(pages)
                                    .where(pages.c.run_id == "k1")) >= 1, killed, 20, "rows written by the timer")
            time.sleep(1)
            assert scalar(engine, select(func.count()).select_from(db.findings)) == 0  # no site has finished
        finally:
            kill(killed)
        partial = per_site(engine, "k1")
        with engine.connect() as conn:
            run = conn.execute(select(db.runs).where(db.runs.c.run_id == "k1")).one()
        assert (run.status, run.host, run.pid) == ("running", socket.gethostname(), killed.pid)

        # The next command that looks at runs marks it; evaluation never judges it: both sites stay 待定.
        judged = govmon(env, "evaluate", "--period", "2021Q1", "--as-of", "2021-03-03", "--sites", ",".join(SITES))
        assert judged.returncode == 0, judged.stderr
        assert scalar(engine, select(db.runs.c.status).where(db.runs.c.run_id == "k1")) == KILLED
        with engine.connect() as conn:
            verdicts = conn.execute(select(db.verdicts.c.target_id, db.verdicts.c.result)).all()
        assert sorted(verdicts) == [(code, "待定") for code in SITES]
        with pytest.raises(ValueError, match="k1 is killed"):
            evaluate(engine, "2021Q1", datetime(2021, 3, 3), run_id="k1", sites=list(SITES))

        # A re-run with the same run id completes it (and the next crawl marks any other dead run of this host).
        with engine.begin() as conn:
            conn.execute(insert(db.runs).values(run_id="ghost", spider="website", started_at=datetime(2021, 3, 3),
                                                status="running", host=socket.gethostname(), pid=killed.pid))
        for site in ours:
            site.defects.slow_seconds = 0.0
        # The uninterrupted reference crawl goes to a database of its own, at the same time.
        reference_url = f"sqlite:///{tmp_path / 'reference.sqlite'}"
        reference_engine = prepare(reference_url, scenario, tmp_path)
        uninterrupted = subprocess.Popen([sys.executable, "-m", "monitor.cli", *crawl_args("k1")], cwd=REPO,
                                         env=dict(env, MONITOR_DATABASE_URL=reference_url),
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        rerun = govmon(env, *crawl_args("k1"))
        assert uninterrupted.wait(timeout=180) == 0, uninterrupted.communicate()[1]
        assert rerun.returncode == 0, rerun.stderr
    with engine.connect() as conn:
        status = dict(conn.execute(select(db.runs.c.run_id, db.runs.c.status)).all())
    assert status == {"k1": "finished", "ghost": KILLED}
    complete = per_site(engine, "k1")
    assert {code for (_, code) in complete} == {*SITES, "*"}
    assert complete == per_site(reference_engine, "k1")  # every row, none twice
    assert all(complete[key] >= n for key, n in partial.items())
    urls = []
    for each in (engine, reference_engine):
        with each.connect() as conn:
            urls.append(set(conn.execute(select(pages.c.url).where(pages.c.run_id == "k1")).scalars()))
        each.dispose()
    assert urls[0] == urls[1]


def judgements(engine: Engine) -> dict[str, list[tuple]]:
    """Everything an evaluation writes, without row ids and the evaluation's clock."""
    found = {}
    with engine.connect() as conn:
        for name in JUDGEMENTS:
            table = db.metadata.tables[name]
            columns = [c for c in table.c if c.name not in ("id", "evaluated_at")]
            found[name] = sorted(tuple(str(v) for v in row) for row in conn.execute(select(*columns)))
    return found


def writing(engine: Engine) -> bool:
    """Whether another session holds a write lock on one of this schema's judgement tables (a transaction that
    has written and not yet committed)."""
    tables = ", ".join(f"'{name}'::regclass" for name in JUDGEMENTS)
    with engine.connect() as conn:
        return bool(conn.execute(text(f"SELECT count(*) FROM pg_locks WHERE relation IN ({tables}) AND granted "
                                      "AND mode = 'RowExclusiveLock' AND pid <> pg_backend_pid()")).scalar())


@deferred_f_from_coro_f
async def test_killed_evaluation_leaves_nothing_and_rerun_gives_the_same_verdicts(pg_url: str, tmp_path: Path) -> None:
    scenario = load_scenario("honghe_2021q1")
    engine = prepare(pg_url, scenario, tmp_path)
    env = environment(pg_url, tmp_path)
    with SimWeb(scenario) as web:  # the crawl in this process (quicker); the evaluations are processes to kill
        crawler = await crawl("website", {**SPIDER_FAST, "MONITOR_DATABASE_URL": pg_url,
                                          "MONITOR_HOST_MAP": web.host_map, "MONITOR_LOCK_URL": "",
                                          "MONITOR_LOCK_DIR": str(tmp_path / "locks")},
                              run_id="c1", as_of="2021-03-03", sites=",".join(SITES))
    assert crawler.stats.get_value("finish_reason") == "finished"
    args = ("evaluate", "--period", "2021Q1", "--as-of", "2021-03-03")
    rng = random.Random(12)

    def killed_mid_way() -> bool:
        """Start an evaluation and SIGKILL it at a random moment after it began writing; True when it was still
        running then (False: it had finished first)."""
        proc = subprocess.Popen([sys.executable, "-m", "monitor.cli", *args], env=env, cwd=REPO,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        committed = select(func.count()).select_from(db.verdicts)
        try:
            wait_for(lambda: writing(engine) or scalar(engine, committed) != before_count, proc, 120,
                     "write by the evaluation")
            time.sleep(rng.uniform(0.0, 0.4))
            alive = proc.poll() is None
        finally:
            kill(proc)
        return alive

    before = judgements(engine)  # the crawl's own findings (rules that need only the crawl)
    before_count = len(before["verdicts"])
    interrupted = [killed_mid_way() for _ in range(2)]
    assert any(interrupted)
    assert judgements(engine) == before  # nothing of a killed evaluation, not one site's verdict

    done = govmon(env, *args)
    assert done.returncode == 0, done.stderr
    complete = judgements(engine)
    with engine.connect() as conn:
        targets = sum(conn.execute(select(func.count()).select_from(t).where(t.c.active.is_(True))).scalar()
                      for t in (db.websites, db.accounts))
    assert len(complete["verdicts"]) == targets  # every site and account, once

    before_count = len(complete["verdicts"])
    assert killed_mid_way()
    assert judgements(engine) == complete  # the finished evaluation stays whole
    again = govmon(env, *args)
    assert again.returncode == 0, again.stderr
    assert judgements(engine) == complete  # same verdicts, findings, violations; no duplicates
    engine.dispose()
