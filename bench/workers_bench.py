"""Benchmark: one queued run crawled by 1, 2 and 3 `govmon work` processes, and a national-scale plan from it.

Generates one region (default 300 sites; --pages and --columns set each site's size) and serves it once, on
127.0.0.1, for the whole benchmark. For each worker count (interleaved: the order rotates each repetition), a run is
made as a user makes one: a fresh PostgreSQL schema (dropped afterwards), the region's registry imported into it,
`govmon enqueue` of a new run into Redis (its keys deleted afterwards), then N `govmon work` processes started at
once. Wall time runs from the first worker's start to the last one's exit (interpreter start and imports included:
a real worker pays them too). The run must end complete, every site done and none failed, and recorded finished.

The crawl is the monitoring crawl with the project's caps (MONITOR_MAX_LIST_PAGES, MONITOR_ARTICLES_PER_COLUMN),
with crawl_bench's COMMON settings passed as `-s NAME=VALUE`: AutoThrottle off so the figures measure work, not
waiting; 2 requests per host at a time; no rendering. Work = pages + link checks stored (tables pages and
link_checks); requests = the HTTP requests the simulated web answered during the run.

Prints, per worker count: min / median / max wall, pages/s, work/s and requests/s; the speed-up against 1 worker
(of the medians and per repetition); the rate per worker process; and where the CPU went (the workers', the
simulated web's, the whole machine's busy cores, other users' included: on a shared 2-core machine the speed-up
depends on them, so the load average is printed first). Then a national-scale plan for a daily pass
of 14,000 websites and 80,000 new-media accounts, from: the per-site work of the bundled 红河州 scenario's
monitoring crawl (measured here, ~6 s), the measured per-worker rate, and the accounts spider's accounts/min from
bench/accounts_bench.py (run here with --accounts N; --accounts 0 skips it and prints the formula instead).

Everything here — simulated web, PostgreSQL, Redis and the workers — shares this machine's cores, and the simulated
web answers at once over loopback: the rates are CPU-bound, an upper bound on what a worker does against
real sites far away (see the plan's latency line).

    .venv/bin/python bench/workers_bench.py [--sites 300] [--pages 60] [--columns 6] [--reps 3] [--workers 1,2,3]
        [--database postgresql+psycopg://postgres@127.0.0.1:5432/test] [--queue-url redis://127.0.0.1:6379/15]
        [--accounts 100] [--hours 8]
"""

from __future__ import annotations

import argparse
import math
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

from _region import prepare_database  # noqa: E402 - the bench folder is no package
from crawl_bench import COMMON  # noqa: E402

DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
QUEUE_URL = "redis://127.0.0.1:6379/15"
SETTINGS = {k: v for k, v in COMMON.items() if k != "DEPTH_LIMIT"}  # the website spider bounds itself by its caps
WORKER_TIMEOUT = 1800.0  # seconds: a run that takes longer has hung

# The national pass (issue 14): what one day's monitoring must cover.
NATIONAL_WEBSITES = 14_000
NATIONAL_ACCOUNTS = 80_000
CORES_PER_MACHINE = 2  # the machines the plan counts are like this one
# Not measured here: round-trip time of a real government site. The simulated web answers in microseconds; a
# worker holds MONITOR_QUEUE_JOBS sites at CONCURRENT_REQUESTS_PER_DOMAIN requests each, so against real sites its
# rate is at most jobs × per-host / latency. 0.5 s is an assumption (slow county sites are slower still).
ASSUMED_LATENCY_S = 0.5


@dataclass(frozen=True)
class Measured:
    """One run crawled by `workers` processes."""

    workers: int
    run_id: str  # its queue deleted and its schema dropped once measured
    schema: str
    wall: float  # s, first worker started → last worker exited
    pages: int
    link_checks: int
    requests: int  # HTTP requests the simulated web answered
    total: int  # jobs (sites) in the run
    done: int
    failed: int
    status: str  # the run's row in the runs table
    workers_cpu: float  # CPU s of the worker processes (user + system)
    web_cpu: float  # CPU s of this process meanwhile: the simulated web's threads
    machine_busy: float  # cores of the machine busy meanwhile, every process's (other users' too)

    @property
    def work(self) -> int:
        return self.pages + self.link_checks

    def rate(self, what: str) -> float:
        return getattr(self, what) / self.wall


def machine_times() -> tuple[float, float]:
    """(busy, all) jiffies of every core since boot, from /proc/stat (zeros where there is none)."""
    try:
        fields = [float(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    except (OSError, ValueError, IndexError):
        return 0.0, 0.0
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def govmon(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "monitor.cli", *args], env=env, cwd=REPO, capture_output=True,
                          text=True, timeout=300)


def fresh_schema(base: str) -> tuple[str, str]:
    """A new empty schema on the server of `base`: (its name, a URL whose connections use it)."""
    from sqlalchemy import create_engine, text

    from monitor.db import normalise_url

    base = normalise_url(base)
    schema = f"wbench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    return schema, f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"


def drop_schema(base: str, schema: str) -> None:
    from sqlalchemy import create_engine, text

    from monitor.db import normalise_url

    admin = create_engine(normalise_url(base))
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def stored(url: str, run_id: str) -> tuple[int, int, str]:
    """Pages and link checks of the run, and its status."""
    from sqlalchemy import func, select

    from monitor import db

    engine = db.engine_for(url)
    try:
        with engine.connect() as conn:
            pages, checks = (conn.execute(select(func.count()).select_from(t).where(t.c.run_id == run_id)).scalar()
                             for t in (db.pages, db.link_checks))
            status = conn.execute(select(db.runs.c.status).where(db.runs.c.run_id == run_id)).scalar()
    finally:
        engine.dispose()
    return int(pages or 0), int(checks or 0), str(status)


def measure(workers: int, registry: Path, web: Any, *, database: str = DATABASE, queue_url: str = QUEUE_URL,
            as_of: str = "2021-03-03", settings: dict[str, Any] | None = None) -> Measured:
    """Crawl the registry's sites, served by `web` (a running SimWeb), as one queued run on `workers` processes,
    in a schema of its own (dropped afterwards); the run's queue is deleted afterwards. Fails unless the run ends
    complete with every site done."""
    from redis import Redis

    from monitor.jobs import RunQueue

    schema, url = fresh_schema(database)
    run_id = f"wbench-{workers}w-{uuid.uuid4().hex[:8]}"
    queue = RunQueue(Redis.from_url(queue_url), run_id)
    overrides = [f"{k}={v}" for k, v in (SETTINGS | (settings or {})).items()]
    try:
        prepare_database(url, registry)
        with tempfile.TemporaryDirectory() as tmp:
            env = dict(os.environ, MONITOR_DATABASE_URL=url, MONITOR_QUEUE_URL=queue_url,
                       MONITOR_HOST_MAP=web.host_map, MONITOR_LOCK_URL="", MONITOR_LOCK_DIR=str(Path(tmp) / "locks"),
                       MONITOR_RUN_DIR="")
            queued = govmon(env, "enqueue", "--run-id", run_id, "--as-of", as_of, "--queue-url", queue_url)
            if queued.returncode != 0:
                raise RuntimeError(f"govmon enqueue failed ({queued.returncode}): {queued.stderr[-2000:]}")
            logs = [Path(tmp) / f"worker{i}.log" for i in range(workers)]
            served = sum(web.hits.values())
            children, own, machine = resource.getrusage(resource.RUSAGE_CHILDREN), time.process_time(), machine_times()
            started = time.monotonic()
            procs = []
            for log in logs:  # a file, not a pipe: a chatty worker must not block on a full pipe
                with log.open("w") as out:
                    procs.append(subprocess.Popen(
                        [sys.executable, "-m", "monitor.cli", "work", run_id, "--queue-url", queue_url,
                         *(a for o in overrides for a in ("-s", o))],
                        env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT))
            codes = [p.wait(timeout=WORKER_TIMEOUT) for p in procs]
            wall = time.monotonic() - started
            web_cpu = time.process_time() - own
            busy, jiffies = (b - a for a, b in zip(machine, machine_times(), strict=True))
            machine_busy = (os.cpu_count() or 1) * busy / jiffies if jiffies else float("nan")
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            workers_cpu = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
            requests = sum(web.hits.values()) - served
            if any(codes):
                tails = "\n".join(f"--- worker {i} exit {c}\n{log.read_text()[-1500:]}"
                                  for i, (c, log) in enumerate(zip(codes, logs, strict=True)) if c)
                raise RuntimeError(f"govmon work failed:\n{tails}")
        progress = queue.progress()
        pages, checks, status = stored(url, run_id)
    finally:
        queue.delete()
        drop_schema(database, schema)
    result = Measured(workers, run_id, schema, wall, pages, checks, requests, progress.total, progress.done, progress.failed, status,
                      workers_cpu, web_cpu, machine_busy)
    if not (progress.complete and progress.done == progress.total > 0 and progress.failed == 0):
        raise RuntimeError(f"run {run_id} did not end with every site done: {progress}")
    if status != "finished":
        raise RuntimeError(f"run {run_id} is {status!r} in the runs table, not finished")
    return result


def honghe_work_per_site() -> dict[str, float]:
    """Pages and link checks per site of a monitoring crawl (`govmon crawl`, the project's caps, the bench's
    settings) of the bundled 红河州 scenario: 14 sites whose columns, lists and links mimic the real ones."""
    from monitor.simweb.scenario import load_scenario
    from monitor.simweb.server import SimWeb

    scenario = load_scenario("honghe_2021q1")
    with tempfile.TemporaryDirectory() as tmp, SimWeb(scenario) as web:
        registry = Path(tmp) / "targets.yaml"
        scenario.write_registry(registry)
        url = f"sqlite:///{Path(tmp) / 'honghe.sqlite'}"
        prepare_database(url, registry)
        env = dict(os.environ, MONITOR_DATABASE_URL=url, MONITOR_HOST_MAP=web.host_map, MONITOR_LOCK_URL="",
                   MONITOR_LOCK_DIR=str(Path(tmp) / "locks"), MONITOR_RUN_DIR="")
        served = sum(web.hits.values())
        crawled = govmon(env, "crawl", "--run-id", "honghe", "--as-of", scenario.as_of.isoformat(),
                         *(a for k, v in SETTINGS.items() for a in ("-s", f"{k}={v}")))
        if crawled.returncode != 0:
            raise RuntimeError(f"红河州 crawl failed ({crawled.returncode}): {crawled.stderr[-2000:]}")
        requests = sum(web.hits.values()) - served
        pages, checks, _ = stored(url, "honghe")
    n = len(scenario.sites)
    return {"sites": n, "pages": pages / n, "link_checks": checks / n, "requests": requests / n}


def accounts_per_minute(accounts: int) -> float | None:
    """The accounts spider's accounts/min from bench/accounts_bench.py on `accounts` simulated accounts (a quarter
    of them Douyin, rendered in Chromium); None when it cannot run here."""
    done = subprocess.run([sys.executable, str(BENCH / "accounts_bench.py"), "--accounts", str(accounts)],
                          cwd=REPO, capture_output=True, text=True, timeout=600)
    found = re.search(r"^accounts spider .*=\s*([\d.]+) accounts/min", done.stdout, re.M)
    if done.returncode != 0 or not found:
        sys.stderr.write(done.stderr[-1500:])
        return None
    return float(found.group(1))


def spread(values: list[float], fmt: str = "8.2f") -> str:
    return " ".join(format(v, fmt) for v in (min(values), statistics.median(values), max(values)))


def report(runs: dict[int, list[Measured]]) -> None:
    counts = sorted(runs)
    first = runs[counts[0]][0]
    print(f"work per run: {first.total} sites, {first.pages} pages, {first.link_checks} link checks stored, "
          f"~{first.requests} HTTP requests answered; every run complete, every site done, run finished")
    for n in counts:
        odd = {(m.pages, m.link_checks) for m in runs[n]} - {(first.pages, first.link_checks)}
        if odd:
            print(f"  NOTE: {n} worker(s) stored different work in some repetition: {sorted(odd)}")
    print(f"{'workers':>7} | {'wall s (min med max)':>26} | {'pages/s (min med max)':>26} | "
          f"{'work/s':>7} | {'requests/s':>10} | {'per worker: pages/s':>19} | {'work/s':>7}")
    for n in counts:
        walls = [m.wall for m in runs[n]]
        pages = [m.rate("pages") for m in runs[n]]
        work = statistics.median(m.rate("work") for m in runs[n])
        requests = statistics.median(m.rate("requests") for m in runs[n])
        print(f"{n:>7} | {spread(walls)} | {spread(pages)} | {work:7.1f} | {requests:10.1f} | "
              f"{statistics.median(pages) / n:19.1f} | {work / n:7.1f}")
    print("(work = pages + link checks stored; work/s, requests/s and per worker: medians)")
    print(f"where the CPU went (medians; {os.cpu_count()} cores; the machine's busy cores include PostgreSQL, "
          f"Redis and other users' processes):")
    for n in counts:
        workers = statistics.median(m.workers_cpu for m in runs[n])
        web = statistics.median(m.web_cpu for m in runs[n])
        wall = statistics.median(m.wall for m in runs[n])
        busy = statistics.median(m.machine_busy for m in runs[n])
        print(f"{n:>7} worker(s): workers {workers:6.1f} CPU s ({workers / wall:.2f} cores), simulated web "
              f"{web:5.1f} CPU s ({web / wall:.2f} cores); machine busy {busy:.2f} cores; "
              f"workers' CPU per 1000 work {1000 * workers / runs[n][0].work:.2f} s")
    cores = os.cpu_count() or 1
    if any(statistics.median(m.machine_busy for m in runs[n]) >= 0.9 * cores for n in counts):
        print(f"  NOTE: the machine was saturated (≥ 90% of its {cores} cores busy) while workers ran: the speed-up "
              f"below shows the CPU share the workers got, not how far the queue scales with machines")
    if 1 in runs:
        base = statistics.median(m.wall for m in runs[1])
        print("speed-up vs 1 worker (wall of 1 / wall of N):")
        for n in counts:
            if n == 1:
                continue
            per_rep = [a.wall / b.wall for a, b in zip(runs[1], runs[n], strict=True)]
            print(f"{n:>7} workers: of medians {base / statistics.median(m.wall for m in runs[n]):.2f}   "
                  f"per repetition {' '.join(f'{r:.2f}' for r in per_rep)}   "
                  f"(ideal {n}; this machine has {os.cpu_count()} cores, shared with the simulated web, "
                  f"PostgreSQL and Redis)")


def plan(runs: dict[int, list[Measured]], site: dict[str, float] | None, accounts_min: float | None,
         hours: float, queue_jobs: int) -> None:
    """Worker processes and 2-core machines for the national daily pass, from the measured figures."""
    best = max(runs, key=lambda n: statistics.median(m.rate("work") for m in runs[n]))
    machine_rate = statistics.median(m.rate("work") for m in runs[best])  # work/s of this whole 2-core machine
    per_worker = machine_rate / best
    per_host = int(SETTINGS["CONCURRENT_REQUESTS_PER_DOMAIN"])
    latency_rate = queue_jobs * per_host / ASSUMED_LATENCY_S
    window = hours * 3600
    if site is not None:
        per_site = site["pages"] + site["link_checks"]
        source = (f"the 红河州 scenario's monitoring crawl, measured now: {site['pages']:.1f} pages + "
                  f"{site['link_checks']:.1f} link checks = {per_site:.1f} per site ({site['requests']:.1f} HTTP "
                  f"requests; {site['sites']:.0f} sites, the project's caps MONITOR_MAX_LIST_PAGES / "
                  f"MONITOR_ARTICLES_PER_COLUMN)")
    else:
        first = runs[min(runs)][0]
        per_site = first.work / first.total
        source = f"the generated region's, {per_site:.1f} per site (the 红河州 crawl failed, see above)"
    total = NATIONAL_WEBSITES * per_site
    print()
    print(f"national-scale plan: a daily pass of {NATIONAL_WEBSITES:,} websites and {NATIONAL_ACCOUNTS:,} "
          f"new-media accounts within {hours:g} h ({window:.0f} s)")
    print("assumptions:")
    print(f"  - work per website (pages + link checks) = {source}; {NATIONAL_WEBSITES:,} websites = "
          f"{total:,.0f} work a day")
    print(f"  - CPU-bound rate, measured above: {per_worker:.1f} work/s per worker process at {best} process(es) "
          f"per {CORES_PER_MACHINE}-core machine (the count with the highest total, {machine_rate:.1f} work/s), "
          f"with the simulated web, PostgreSQL and Redis on the same machine (so a conservative machine rate)")
    print(f"  - latency-bound rate against real sites: MONITOR_QUEUE_JOBS {queue_jobs} sites × {per_host} requests "
          f"per host / {ASSUMED_LATENCY_S:g} s round trip = {latency_rate:.0f} work/s per process; the round trip "
          f"is ASSUMED (ASSUMED_LATENCY_S), not measured: the simulated web answers at once")
    print("  - no retries, no AutoThrottle waits, no rendering of script-written footers or lists; evaluation and "
          "reports not counted")
    if accounts_min is not None:
        print(f"  - accounts: {accounts_min:.0f} accounts/min per accounts-spider process, measured now by "
              f"bench/accounts_bench.py over loopback (a quarter of them Douyin, rendered in Chromium); one such "
              f"process per {CORES_PER_MACHINE}-core machine (its Chromium takes the other core); the platforms' "
              f"rate limits and anti-crawling waits are not modelled")
    print(f"{'pass':34s} | {'per process/s':>13} | {'process-hours':>13} | {'processes':>9} | "
          f"{f'{CORES_PER_MACHINE}-core machines':>16}")

    def row(name: str, rate: float, processes_per_machine: float, count: float) -> None:
        seconds = count / rate
        processes = math.ceil(seconds / window)
        print(f"{name:34s} | {rate:13.2f} | {seconds / 3600:13.1f} | {processes:>9} | "
              f"{math.ceil(processes / processes_per_machine):>16}")

    row("websites, CPU-bound (work/s)", per_worker, best, total)
    # Latency-bound workers wait more than they compute: a machine runs as many as its CPU rate allows.
    slow = min(per_worker, latency_rate)
    row(f"websites, {ASSUMED_LATENCY_S:g} s latency (work/s)", slow, max(1.0, machine_rate / slow), total)
    if accounts_min is not None:
        row("accounts (accounts/s)", accounts_min / 60, 1, NATIONAL_ACCOUNTS)
    else:
        print(f"{'accounts':34s} | not measured (--accounts 0): processes = {NATIONAL_ACCOUNTS:,} / "
              f"(accounts/s per process × {window:.0f} s)")
    print(f"processes = ceil(targets × work each / (rate per process × {window:.0f} s)); "
          f"machines = ceil(processes / processes per machine)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=300)
    parser.add_argument("--pages", type=int, default=60, help="pages per generated site (before the crawl's caps)")
    parser.add_argument("--columns", type=int, default=6, help="columns per generated site")
    parser.add_argument("--reps", type=int, default=3, help="repetitions (at least 3 for min / median / max)")
    parser.add_argument("--workers", default="1,2,3", help="comma-separated worker counts")
    parser.add_argument("--database", default=DATABASE, help="PostgreSQL server (a schema per run is made there)")
    parser.add_argument("--queue-url", default=QUEUE_URL, help="Redis of the job queue")
    parser.add_argument("--accounts", type=int, default=100, help="accounts for accounts_bench (0: not measured)")
    parser.add_argument("--hours", type=float, default=8.0, help="the national pass's daily window")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",") if n.strip()]

    from monitor.config import setting
    from monitor.simweb.generate import generate_region
    from monitor.simweb.server import SimWeb

    started = time.monotonic()
    scenario = generate_region(args.sites, args.pages, seed=1, columns=args.columns)
    runs: dict[int, list[Measured]] = {n: [] for n in counts}
    with tempfile.TemporaryDirectory() as tmp, SimWeb(scenario) as web:
        registry = Path(tmp) / "targets.yaml"
        scenario.write_registry(registry)
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
        print(f"region: {args.sites} sites, ~{args.pages} pages in {args.columns} columns each, served on "
              f"127.0.0.1:{web.port}; {args.reps} repetitions of {counts} workers, order rotating")
        for rep in range(args.reps):
            order = counts[rep % len(counts):] + counts[:rep % len(counts)]
            for n in order:
                m = measure(n, registry, web, database=args.database, queue_url=args.queue_url,
                            as_of=scenario.as_of.isoformat())
                runs[n].append(m)
                print(f"  rep {rep + 1}: {n} worker(s) {m.wall:6.1f} s, {m.pages} pages, {m.link_checks} link "
                      f"checks, {m.done}/{m.total} sites done", flush=True)
    report(runs)
    try:
        site = honghe_work_per_site()
    except RuntimeError as exc:
        print(f"红河州 crawl: {exc}", file=sys.stderr)
        site = None
    accounts_min = accounts_per_minute(args.accounts) if args.accounts > 0 else None
    plan(runs, site, accounts_min, args.hours, int(setting("MONITOR_QUEUE_JOBS")))
    print(f"benchmark total {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
