"""Crawling one run on several machines: `govmon enqueue`, `govmon work`, `govmon queue`.

    govmon enqueue [--spider website|sweep] [--sites …] [--run-id R] [--as-of D]   # once, anywhere
    govmon work [R] [--follow]                                                     # on every machine, any number
    govmon queue [R]                                                               # progress: 排队/进行/完成/失败

`enqueue` writes one job per target of the target source (the registry in the database, or MONITOR_TARGETS files)
into the Redis of MONITOR_QUEUE_URL and records the run in the database; every `work` process pulls jobs until the
run is complete (monitor/queue_worker.py), and the last one records the run finished. Workers need the same
MONITOR_DATABASE_URL and MONITOR_QUEUE_URL; nothing else is shared. A Scrapyd job does what `work` does:
`scrapyd-client schedule -p monitor website --arg queue=R` (README, "Several machines").
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime

from monitor import db
from monitor.config import add_database_argument, database_url, setting
from monitor.jobs import LEASE_SECONDS, MAX_ATTEMPTS, RunQueue, runs_with_work
from monitor.targets import target_source

# spider → kind of target its jobs hold: a website; a website's letters channels and guide lists
# (accounts: one job per batch of MONITOR_ACCOUNT_BATCH accounts, read in one browser context).
QUEUED_SPIDERS = {"website": "website", "sweep": "website", "channels": "channel", "accounts": "account"}
FOLLOW_PAUSE = 5.0  # seconds between looks for a new run (`govmon work --follow`)


def _server(url: str | None):
    from monitor.queue_worker import queue_server

    return queue_server(url or str(setting("MONITOR_QUEUE_URL")))


def _queue_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--queue-url", default=None, help="Redis of the job queue (default: MONITOR_QUEUE_URL)")


# ---------------------------------------------------------------------- enqueue

def add_enqueue_arguments(parser: argparse.ArgumentParser) -> None:
    add_database_argument(parser)
    _queue_argument(parser)
    parser.add_argument("--spider", default="website", choices=sorted(QUEUED_SPIDERS),
                        help="website: the monitoring crawl (default); sweep: every page's links (全站链接检查); "
                             "channels: letters channels and guide lists (互动交流, 办事指南); "
                             "accounts: new-media accounts (政务新媒体), in batches")
    parser.add_argument("--sites", default="", help="comma-separated 网站标识码 (default: all active sites)")
    parser.add_argument("--run-id", default="", help="run identity (default: generated); enqueue again to add sites")
    parser.add_argument("--as-of", default="", help="monitoring point YYYY-MM-DD (default: today)")
    parser.add_argument("--at", default="", help="channels, accounts: the crawl's clock in China time (replays)")
    parser.add_argument("--lease", type=float, default=LEASE_SECONDS,
                        help=f"seconds a dead worker's job waits before another takes it (default {LEASE_SECONDS:g})")
    parser.add_argument("--max-attempts", type=int, default=MAX_ATTEMPTS,
                        help=f"lost leases before a job is failed instead of queued again (default {MAX_ATTEMPTS})")


def run_enqueue(args: argparse.Namespace) -> int:
    from scrapy.settings import Settings

    as_of = date.fromisoformat(args.as_of) if args.as_of else date.today()
    url = database_url(args.database)
    kind = QUEUED_SPIDERS[args.spider]
    targets = target_source(Settings({"MONITOR_TARGETS": setting("MONITOR_TARGETS"), "MONITOR_DATABASE_URL": url})
                            ).targets(kind, [s.strip() for s in args.sites.split(",") if s.strip()])
    if not targets:
        print("没有可排队的目标: 登记表中没有启用的网站或账号,或 --sites 未匹配任何网站", file=sys.stderr)
        return 4
    if kind == "account":
        from monitor.spiders.accounts import batch_jobs

        targets = batch_jobs(targets, max(1, int(setting("MONITOR_ACCOUNT_BATCH"))))
    run_id = args.run_id or f"{args.spider}-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    queue = RunQueue(_server(args.queue_url), run_id)
    added = queue.create(args.spider, targets, as_of, lease=args.lease, max_attempts=args.max_attempts, at=args.at)
    engine = db.engine_for(url)
    try:
        from monitor.migrate import upgrade

        upgrade(engine)
        with engine.begin() as conn:  # the run exists before any worker starts; no process of its own (host, pid)
            db.upsert(conn, db.runs, [{"run_id": run_id, "spider": args.spider, "as_of": as_of,
                                       "started_at": datetime.now(UTC).replace(tzinfo=None), "finished_at": None,
                                       "status": "running", "stats": None, "host": None, "pid": None}],
                      ["run_id"], update_existing=False)
    finally:
        engine.dispose()
    print(f"run {run_id}: {added} jobs queued ({len(targets) - added} already in the run), monitoring point {as_of}")
    print(f"start workers: govmon work {run_id}")
    return 0


# ---------------------------------------------------------------------- work

def add_work_arguments(parser: argparse.ArgumentParser) -> None:
    add_database_argument(parser)
    _queue_argument(parser)
    parser.add_argument("run_id", nargs="?", default="", help="the run to work on (default: the oldest with work)")
    parser.add_argument("--follow", action="store_true",
                        help="keep going: after a run, wait for the next one (for a systemd worker)")
    parser.add_argument("--host-map", default=None, help="pattern=address[:port];... (see MONITOR_HOST_MAP)")
    parser.add_argument("-s", dest="settings", action="append", default=[], metavar="NAME=VALUE",
                        help="override a Scrapy or MONITOR_* setting")


def run_work(args: argparse.Namespace) -> int:
    if args.follow:
        return follow(args)
    server = _server(args.queue_url)
    run_id = args.run_id or next(iter(runs_with_work(server)), "")
    if not run_id:
        print("没有待处理的任务队列 (no queued run with work left)")
        return 0
    meta = RunQueue(server, run_id).meta()
    if not meta:
        print(f"任务队列中没有运行 {run_id} (no such queued run)", file=sys.stderr)
        return 4
    from monitor.commands import run_spider

    if args.queue_url:
        args.settings.append(f"MONITOR_QUEUE_URL={args.queue_url}")
    crawler = run_spider(meta["spider"], args, queue=run_id)
    progress = RunQueue(server, run_id).progress()
    print(progress_line(progress))
    reason = crawler.stats.get_value("finish_reason") if crawler.stats else None
    return 0 if reason == "finished" else 1


def follow(args: argparse.Namespace) -> int:
    """One `govmon work RUN` process per run, for ever: a crawl's reactor cannot be started twice in a process.
    SIGTERM / SIGINT are passed to the worker running (it returns its jobs to the queue), then this ends."""
    server = _server(args.queue_url)
    passed = [a for a in sys.argv[2:] if a != "--follow" and a != args.run_id]
    child: subprocess.Popen | None = None
    stopping = False

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        if child is None:
            raise SystemExit(0)
        child.send_signal(signum)  # the wait below returns once it has closed (no wait here: it holds a lock)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while not stopping:
        runs = runs_with_work(server)
        if not runs:
            time.sleep(FOLLOW_PAUSE)
            continue
        child = subprocess.Popen([sys.executable, "-m", "monitor.cli", "work", runs[0], *passed])
        code = child.wait()
        child = None
        if not stopping and code not in (0, 1):
            return code  # a configuration error: restarting would only repeat it
    return 0


# ---------------------------------------------------------------------- queue

def add_queue_arguments(parser: argparse.ArgumentParser) -> None:
    _queue_argument(parser)
    parser.add_argument("run_id", nargs="?", default="", help="one run (default: every queued run)")
    parser.add_argument("--forget", action="store_true", help="delete the run's queue (its database rows stay)")


def progress_line(p) -> str:
    workers = ", ".join(f"{w}×{n}" for w, n in sorted(p.workers.items())) or "-"
    overdue = f" 超时待收回{p.overdue}" if p.overdue else ""
    state = "已完成" if p.complete else "进行中"
    return (f"{p.run_id}\t{state}\t共{p.total} 排队{p.queued} 进行{p.running} 完成{p.done} 失败{p.failed}{overdue}"
            f"\t工作进程: {workers}")


def run_queue(args: argparse.Namespace) -> int:
    from monitor.jobs import RUNS_KEY

    server = _server(args.queue_url)
    runs = [args.run_id] if args.run_id else [r.decode() for r in server.zrange(RUNS_KEY, 0, -1)]
    if args.forget:
        if not args.run_id:
            print("--forget needs a run id", file=sys.stderr)
            return 2
        RunQueue(server, args.run_id).delete()
        print(f"queue of run {args.run_id} deleted")
        return 0
    if not runs:
        print("没有任务队列 (no queued runs)")
        return 0
    for run_id in runs:
        queue = RunQueue(server, run_id)
        if not queue.exists():
            print(f"任务队列中没有运行 {run_id} (no such queued run)", file=sys.stderr)
            return 4
        print(progress_line(queue.progress()))
        for job, why in sorted(queue.failures().items()):
            print(f"  失败 {job}: {why}")
    return 0
