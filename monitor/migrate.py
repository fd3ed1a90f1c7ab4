"""Bring a database to the newest schema with the Alembic migrations shipped in monitor/migrations.

The migrations are package data. Alembic needs them as a real directory (it lists versions/ and runs env.py by
path), which a checkout or an installed wheel has, but a zipped egg (what Scrapyd runs) does not: there the folder
is copied out of the archive once per process into a temporary directory removed at exit. `importlib.resources.
as_file` would do the same, but only handles directories from Python 3.12 on, and the project supports 3.11.
"""

from __future__ import annotations

import atexit
import logging
import shutil
import tempfile
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from monitor.db import engine_for, normalise_url

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)


def _copy_tree(source: Traversable, dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    for entry in source.iterdir():
        if entry.name == "__pycache__":
            continue
        if entry.is_dir():
            _copy_tree(entry, dest / entry.name)
        else:
            (dest / entry.name).write_bytes(entry.read_bytes())


@lru_cache(maxsize=1)
def migrations_dir() -> Path:
    """The migrations folder as a directory on disk: the package's own, or a copy out of a zipped package."""
    source = files("monitor") / "migrations"
    if isinstance(source, Path):
        return source
    tmp = Path(tempfile.mkdtemp(prefix="govmon-migrations-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    _copy_tree(source, tmp / "migrations")
    # Says where the code came from: the Scrapyd test looks for the egg's path in this line.
    log.info("migrations extracted from %s to %s", source, tmp / "migrations")
    return tmp / "migrations"


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    # ConfigParser interpolation would choke on '%' in passwords.
    cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return cfg


@lru_cache(maxsize=1)
def newest_revision() -> str:
    """The newest migration's revision: each is named for its file (NNNN_what.py), numbered in order (a test checks
    this against Alembic's own reading of the folder)."""
    return max(entry.name.removesuffix(".py") for entry in (files("monitor") / "migrations" / "versions").iterdir()
               if entry.name[:4].isdigit() and entry.name.endswith(".py"))


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None: never migrated)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(target: str | Engine, revision: str = "head") -> None:
    """Apply every pending migration. Idempotent: an up-to-date database is left alone, without Alembic, whose
    import is a tenth of a crawl's start."""
    engine = engine_for(target) if isinstance(target, str) else target
    if engine.url.get_backend_name() == "sqlite" and engine.url.database:
        Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)
    if revision == "head" and current_revision(engine) == newest_revision():
        return
    from alembic import command

    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
