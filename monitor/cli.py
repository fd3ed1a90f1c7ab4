"""`govmon`: one command for every job. Each subcommand lives in the module named here, which provides
`add_arguments(parser)` and `run(args) -> int`; modules are imported only when their command runs."""

from __future__ import annotations

import argparse
import gc
import importlib
import sys

COMMANDS: dict[str, tuple[str, str]] = {
    "migrate": ("monitor.commands", "bring the database schema up to date"),
    "import-targets": ("monitor.commands", "import registry files (CSV or YAML) of websites, columns, accounts"),
    "crawl": ("monitor.commands", "crawl the registry's websites and store what was seen"),
    "sweep": ("monitor.spiders.sweep", "check every link of every page of the registry's websites (全站链接检查)"),
    "probe": ("monitor.commands", "availability probe rounds over every homepage (站点无法访问)"),
    "crawl-accounts": ("monitor.commands", "read the registry's new-media accounts (政务新媒体) on their platforms"),
    "store": ("monitor.commands", "write the rows a crawl saved to a file when the database failed"),
    "enqueue": ("monitor.workers", "queue a run's websites as jobs for workers on several machines (Redis)"),
    "work": ("monitor.workers", "crawl jobs of a queued run until it is complete (run it on every machine)"),
    "queue": ("monitor.workers", "progress of queued runs: jobs queued, running, done, failed, and workers"),
    "import-activity": ("monitor.accounts_import", "import account activity exported by a platform or vendor"),
    "inspect": ("monitor.inspect", "print the facts extracted from one URL or saved page"),
    "simweb": ("monitor.simweb.cli", "serve a simulated government web scenario"),
    "evaluate": ("monitor.evaluate", "judge a period: findings, verdicts, violations"),
    "review": ("monitor.evaluate", "set the review state of a violation"),
    "runs": ("monitor.runs", "list the latest runs and how they ended (a killed crawl's run is marked 已中断)"),
    "report": ("monitor.report.cli", "rates, attachment CSVs, charts and a draft notice for a period"),
    "demo": ("monitor.demo", "serve the bundled 红河州 scenario, crawl, evaluate and report it"),
}

# Scheduled jobs: a second run of one of these on the same database while it is still running does not start.
# (Crawls — crawl, crawl-accounts, probe — take their lock themselves: monitor/extensions/joblock.py.)
LOCKED = {"evaluate", "report"}

# Commands that share a module name their functions explicitly.
ENTRY_POINTS = {
    "migrate": ("add_migrate_arguments", "run_migrate"),
    "import-targets": ("add_import_arguments", "run_import"),
    "crawl": ("add_crawl_arguments", "run_crawl"),
    "sweep": ("add_sweep_arguments", "run_sweep"),
    "probe": ("add_probe_arguments", "run_probe"),
    "crawl-accounts": ("add_accounts_arguments", "run_accounts"),
    "store": ("add_store_arguments", "run_store"),
    "review": ("add_review_arguments", "run_review"),
    "enqueue": ("add_enqueue_arguments", "run_enqueue"),
    "work": ("add_work_arguments", "run_work"),
    "queue": ("add_queue_arguments", "run_queue"),
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(
        prog="govmon", description="政府网站与政务新媒体监测 (government-website monitor)",
        epilog="`govmon COMMAND --help` explains a command's options. The database is MONITOR_DATABASE_URL (or "
               "--database): postgresql://user@host/db or an SQLite file path. Exit codes: 0 done, 1 failed, "
               "2 bad setting or database unreachable, 5 rows saved to a file instead of the database, "
               "75 the previous run is still going.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_module, help_text) in COMMANDS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    if not argv or argv[0] not in COMMANDS:
        parser.print_help()
        return 0 if not argv or argv[0] in ("-h", "--help") else 2
    name = argv[0]
    # A command's imports make ~150,000 objects that live until exit, and the collector's full walks over them while
    # they are made cost ≈ 90 ms of start-up: it waits until they are made, and they are then frozen out of every
    # later walk and of the one at exit (≈ 0.2 s of a sweep's end).
    gc.disable()
    try:
        module = importlib.import_module(COMMANDS[name][0])
    finally:
        gc.freeze()
        gc.enable()
    add_name, run_name = ENTRY_POINTS.get(name, ("add_arguments", "run"))
    command_parser = argparse.ArgumentParser(prog=f"govmon {name}", description=COMMANDS[name][1])
    getattr(module, add_name)(command_parser)
    args = command_parser.parse_args(argv[1:])
    from monitor.config import settings

    try:  # every MONITOR_* value of the environment, typed and checked as a crawl would: nothing has started yet
        settings()
    except ValueError as exc:
        print(f"配置错误, 未开始: {exc}", file=sys.stderr)
        return 2
    from sqlalchemy.exc import OperationalError, ProgrammingError

    # The one place a database that cannot be reached or has no tables becomes one line naming it (password
    # masked) for every command, instead of a traceback in the cron log.
    try:
        return _run(name, module, run_name, args)
    except (OperationalError, ProgrammingError) as exc:
        print(database_error(getattr(args, "database", None), exc), file=sys.stderr)
        return 2


def _run(name: str, module, run_name: str, args: argparse.Namespace) -> int:
    if name not in LOCKED:
        return int(getattr(module, run_name)(args) or 0)
    from monitor.config import database_url, setting
    from monitor.lock import JobLocked, job_lock

    lock_url, lock_dir = str(setting("MONITOR_LOCK_URL", "")), setting("MONITOR_LOCK_DIR") or None
    database = database_url(getattr(args, "database", None))
    try:
        with job_lock(name, lock_url, database, lock_dir):
            return int(getattr(module, run_name)(args) or 0)
    except JobLocked as exc:
        print(exc, file=sys.stderr)
        return 75  # EX_TEMPFAIL: cron and systemd log it; the next scheduled run goes ahead


def database_error(given: str | None, exc: Exception) -> str:
    """One line for a database error: the masked URL, the driver's first line, and what to do for missing tables."""
    from monitor.config import database_url
    from monitor.db import masked

    orig = getattr(exc, "orig", None) or exc
    detail = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
    missing = "no such table" in detail or "does not exist" in detail
    hint = "; 表不存在, 先运行 govmon migrate (tables missing: run govmon migrate)" if missing else ""
    return f"数据库错误 (database error) {masked(database_url(given))}: {detail}{hint}"


if __name__ == "__main__":
    raise SystemExit(main())
