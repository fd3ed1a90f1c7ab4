"""Runs left `running` by a process that is gone (kill -9, a crash, a machine that lost power), and `govmon runs`.

A crawl records its host and process id in `runs` when it opens (the storage pipeline). A process killed outright
never records how it ended, so its run would stay `running` forever. Whoever looks at runs next — the next crawl,
`govmon evaluate`, `govmon runs` — marks such a run `killed` when it can tell: the run is on this host and its
process is gone (no such pid, a zombie, or a pid reused by a process that started after the run did). A run on
another host cannot be checked and is left alone. Either way only `finished` runs are ever judged
(monitor/checks/facts.py latest_reading; `govmon evaluate --run` refuses any other), so a killed run's rows are
kept — a re-run with the same `--run-id` completes them without duplicates — but never judged as a complete crawl.

    govmon runs [--limit 20]
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from monitor import db
from monitor.config import add_database_argument, database_url

log = logging.getLogger(__name__)

KILLED = "killed"
# How each status reads where runs are listed (the stored values stay English; a close reason not named here is
# shown as it is, e.g. closespider_timeout).
STATUS_LABELS = {
    "running": "运行中",
    "finished": "已完成",
    KILLED: "已中断(进程已终止, 未完成)",
    "shutdown": "已停止(收到终止信号, 未完成)",
    "locked": "未开始(同一任务正在运行)",
}
# A pid whose process started this long after the run is another process (the run's own started before it wrote
# started_at). The margin absorbs the rounding of /proc's boot time; a later reuse than that is still caught.
START_SLACK = timedelta(seconds=5)


def this_host() -> str:
    return socket.gethostname()[:255]


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def _proc_stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat from the state on (the name in parentheses may hold spaces); None: no /proc."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()


def process_started(pid: int) -> datetime | None:
    """When a process started (UTC, naive, to about a second), from /proc; None where there is no /proc."""
    fields = _proc_stat(pid)
    if fields is None:
        return None
    try:
        boot = next(int(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines()
                    if line.startswith("btime "))
        ticks = int(fields[19])  # field 22 of proc(5), starttime, in clock ticks after boot
    except (OSError, StopIteration, IndexError, ValueError):
        return None
    return datetime.fromtimestamp(boot + ticks / os.sysconf("SC_CLK_TCK"), UTC).replace(tzinfo=None)


def process_alive(pid: int, run_started: datetime | None = None) -> bool:
    """Whether the process `pid` of this host is still the one that started a run at `run_started` (UTC)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, under another user
    fields = _proc_stat(pid)
    if fields is not None and fields[0] in ("Z", "X"):  # killed, not yet reaped by its parent
        return False
    began = process_started(pid)
    return not (run_started is not None and began is not None and began > run_started + START_SLACK)


def mark_killed(engine: Engine) -> list[str]:
    """Mark `killed` every run of this host left `running` by a process that is gone; returns their run ids."""
    r = db.runs
    host = this_host()
    with engine.connect() as conn:
        left = conn.execute(select(r.c.run_id, r.c.pid, r.c.started_at)
                            .where(r.c.status == "running", r.c.host == host, r.c.pid.is_not(None))).all()
    gone = [row for row in left if not process_alive(row.pid, row.started_at)]
    marked = []
    noticed = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    for row in gone:
        with engine.begin() as conn:  # only if still that process's run (a re-run of the same id takes it over)
            done = conn.execute(update(r).where(r.c.run_id == row.run_id, r.c.status == "running",
                                                r.c.host == host, r.c.pid == row.pid)
                                .values(status=KILLED, stats={"finish_reason": KILLED,
                                                              "noticed_at": noticed.isoformat()})).rowcount
        if done:
            marked.append(row.run_id)
            log.warning("run %s was left running by process %d, which is gone: marked %s (its rows are kept and "
                        "never judged; `govmon crawl --run-id %s` completes it)", row.run_id, row.pid, KILLED,
                        row.run_id)
    return marked


# ------------------------------------------------------------------ govmon runs


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--limit", type=int, default=20, help="newest runs to list (default 20)")
    add_database_argument(parser)


def run(args: argparse.Namespace) -> int:
    from monitor.migrate import upgrade

    engine = db.engine_for(database_url(args.database))
    upgrade(engine)
    mark_killed(engine)
    r = db.runs
    with engine.connect() as conn:
        rows = conn.execute(select(r).order_by(r.c.started_at.desc()).limit(args.limit)).all()
    engine.dispose()
    print("运行编号\t任务\t监测日期\t开始(UTC)\t结束(UTC)\t状态\t进程")
    for row in rows:
        process = f"{row.host}:{row.pid}" if row.host else ""
        ended = f"{row.finished_at:%Y-%m-%d %H:%M:%S}" if row.finished_at else ""
        print(f"{row.run_id}\t{row.spider}\t{row.as_of or ''}\t{row.started_at:%Y-%m-%d %H:%M:%S}\t{ended}\t"
              f"{status_label(row.status)}\t{process}")
    return 0
