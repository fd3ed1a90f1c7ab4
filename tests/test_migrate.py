"""Bringing a database to the newest schema: Alembic only when a migration is pending (monitor/migrate.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine

from monitor.migrate import alembic_config, current_revision, newest_revision, upgrade


def test_the_newest_revision_is_alembics_head(tmp_path: Path) -> None:
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(alembic_config(f"sqlite:///{tmp_path / 'x.sqlite'}"))
    assert newest_revision() == scripts.get_current_head()


def test_a_database_behind_is_brought_to_the_newest(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    assert current_revision(engine) is None
    upgrade(engine, "0007_run_process_and_cuts")
    assert current_revision(engine) == "0007_run_process_and_cuts"
    upgrade(engine)
    assert current_revision(engine) == newest_revision()


def run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_an_up_to_date_database_is_checked_without_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.sqlite'}"
    upgrade(url)
    assert run(f"import sys; from monitor.migrate import upgrade; upgrade({url!r}); print('alembic' in sys.modules)") \
        == "False"
    # A crawl's modules import neither Alembic nor psycopg (an SQLite crawl needs neither).
    assert run("import sys, monitor.spiders.sweep, monitor.spiders.website; "
               "print('alembic' in sys.modules, 'psycopg' in sys.modules)") == "False False"
