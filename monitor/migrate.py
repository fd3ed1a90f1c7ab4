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

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from monitor.db import engine_for, normalise_url

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
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    # ConfigParser interpolation would choke on '%' in passwords.
    cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return cfg


def upgrade(target: str | Engine, revision: str = "head") -> None:
    """Apply every pending migration. Idempotent: an up-to-date database is left alone."""
    engine = engine_for(target) if isinstance(target, str) else target
    if engine.url.get_backend_name() == "sqlite" and engine.url.database:
        Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
