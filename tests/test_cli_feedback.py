"""What `govmon` says on the command line, run as the real installed script in a subprocess: an empty quarter, the
review list, a database that cannot be reached or has no tables (one line, never a traceback), the help texts, and
the cron lines on a fresh install."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from monitor import db
from tests.report_data import seed_region

REPO = Path(__file__).resolve().parent.parent
GOVMON = Path(sys.executable).parent / "govmon"
CRON = REPO / "deploy" / "cron" / "govmon.cron"
UNREACHABLE = "postgresql://monitor:s3cret@127.0.0.1:1/govmon"  # nothing listens on port 1


def govmon(*args: str, cwd: Path = REPO, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    return subprocess.run([str(GOVMON), *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env=base | (env or {}))


def test_report_on_a_quarter_without_verdicts_says_so(sqlite_url: str, tmp_path: Path) -> None:
    seed_region(sqlite_url, tmp_path)[0].dispose()
    done = govmon("report", "--period", "2022Q1", "--out", str(tmp_path / "out"), "--database", sqlite_url)
    assert done.returncode == 1, done.stdout
    assert "2022Q1 没有评估结果" in done.stderr and "no verdicts for 2022Q1" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "out" / "2022Q1").exists()
    done = govmon("report", "--period", "2021Q1", "--out", str(tmp_path / "out"), "--database", sqlite_url)
    assert done.returncode == 0, done.stderr  # a quarter with verdicts is reported as before


def test_review_list_has_a_header_and_site_names(sqlite_url: str, tmp_path: Path) -> None:
    engine, _ = seed_region(sqlite_url, tmp_path)
    seen = datetime(2021, 3, 3)
    with engine.begin() as conn:
        conn.execute(db.violations.insert(), [
            {"target_kind": "website", "target_id": "5325010002", "indicator": "column_blank", "subject": "",
             "first_seen": seen, "last_seen": seen, "resolved_at": None, "review": "pending", "reason": "空白栏目超过5",
             "evidence": {}},
            {"target_kind": "website", "target_id": "5325240001", "indicator": "column_blank", "subject": "",
             "first_seen": seen, "last_seen": seen, "resolved_at": seen, "review": "pending", "reason": "空白栏目超过5",
             "evidence": {}}])
    engine.dispose()
    done = govmon("review", "--list", "--database", sqlite_url)
    assert done.returncode == 0, done.stderr
    header, *rows = done.stdout.splitlines()
    assert header.split("\t")[:4] == ["编号", "网站标识码/账号", "名称", "指标"]
    assert len(rows) == 1  # the fixed one is not listed
    assert rows[0].split("\t")[1:6] == ["5325010002", "个旧市人民政府", "column_blank", "pending", "未复查"]
    empty = tmp_path / "empty.sqlite"
    assert govmon("migrate", "--database", str(empty)).returncode == 0
    done = govmon("review", "--list", "--database", str(empty))
    assert (done.returncode, done.stdout.strip()) == (0, "没有未整改的问题 (no open violations)")


@pytest.mark.parametrize("command", [["report", "--period", "2021Q1"], ["review", "--list"], ["runs"], ["migrate"],
                                     ["evaluate", "--period", "2021Q1", "--as-of", "2021-03-03"]],
                         ids=lambda c: c[0])
def test_unreachable_database_is_one_line(command: list[str], tmp_path: Path) -> None:
    done = govmon(*command, "--database", UNREACHABLE, cwd=tmp_path)
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert "postgresql+psycopg://monitor:***@127.0.0.1:1/govmon" in lines[0] and "s3cret" not in done.stderr
    assert lines[0].startswith("数据库错误 (database error)")


def test_missing_tables_say_to_migrate(tmp_path: Path, pg_url: str) -> None:
    """A database nobody migrated: SQLite's "no such table" and PostgreSQL's UndefinedTable alike."""
    for url in (f"sqlite:///{tmp_path / 'fresh.sqlite'}", pg_url):
        done = govmon("review", "--list", "--database", url, cwd=tmp_path)  # review does not migrate
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert "先运行 govmon migrate (tables missing: run govmon migrate)" in done.stderr


def test_help_says_what_options_mean() -> None:
    top = govmon("--help")
    assert top.returncode == 0 and "COMMAND --help" in top.stdout and "MONITOR_DATABASE_URL" in top.stdout
    review = govmon("review", "--help").stdout
    assert "false_positive (误报" in review and "as `--list` shows it" in review


def test_cron_lines_work_on_a_fresh_install(sqlite_url: str, tmp_path: Path) -> None:
    """Each cron line, run by bash from a fresh checkout (no var/log yet), creates its log folder and reads .env:
    the report line on a database without verdicts logs the message and fails."""
    home = tmp_path / "govmon"
    (home / ".venv").mkdir(parents=True)
    (home / ".venv" / "bin").symlink_to(GOVMON.parent)
    (home / ".env").write_text(f"MONITOR_DATABASE_URL={tmp_path / 'cron.sqlite'}\n", encoding="utf-8")
    lines = [line for line in CRON.read_text(encoding="utf-8").splitlines() if line and line[0].isdigit()]
    assert len(lines) == 4
    report = next(line for line in lines if "govmon report" in line)
    command = re.split(r"\s+", report, maxsplit=5)[5]  # after the five schedule fields
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    done = subprocess.run(["bash", "-c", command], env=env | {"GOVMON": str(home)}, capture_output=True,
                          text=True, timeout=120)
    log = (home / "var" / "log" / "report.log").read_text(encoding="utf-8")
    assert done.returncode == 1, log
    assert "没有评估结果" in log and str(tmp_path / "cron.sqlite") in log  # the database of .env
    (home / ".env").unlink()  # a missing .env is logged, and nothing runs against a default database
    done = subprocess.run(["bash", "-c", command], env=env | {"GOVMON": str(home)}, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode != 0 and ".env" in (home / "var" / "log" / "report.log").read_text(encoding="utf-8")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_systemd_units_verify(tmp_path: Path) -> None:
    """The units, pointed at an install folder that exists, pass systemd's own check (syntax, commands, timers)."""
    home = tmp_path / "govmon"
    (home / ".venv").mkdir(parents=True)
    (home / ".venv" / "bin").symlink_to(GOVMON.parent)
    (home / ".env").write_text("MONITOR_DATABASE_URL=var/govmon.sqlite\n", encoding="utf-8")
    units = tmp_path / "units"
    units.mkdir()
    for unit in (REPO / "deploy" / "systemd").iterdir():
        (units / unit.name).write_text(unit.read_text(encoding="utf-8").replace("/opt/govmon", str(home)),
                                       encoding="utf-8")
    done = subprocess.run(["systemd-analyze", "verify", *sorted(str(p) for p in units.iterdir())],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr
