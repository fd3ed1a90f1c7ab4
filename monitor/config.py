"""MONITOR_* settings outside a Scrapy crawl (CLI commands, reports, notebooks).

The defaults and their documentation live in `monitor.settings`; an environment variable of the same name overrides
a default, and a `-s NAME=value` given to a crawl overrides both.
"""

from __future__ import annotations

import os
from typing import Any

from monitor import settings as defaults


def setting(name: str, default: Any = None) -> Any:
    """The value of a MONITOR_* setting: environment first, then monitor/settings.py."""
    if name in os.environ:
        return os.environ[name]
    return getattr(defaults, name, default)


def database_url(given: str | None = None) -> str:
    """The database URL: one given on the command line, else MONITOR_DATABASE_URL."""
    return given or str(setting("MONITOR_DATABASE_URL"))


def add_database_argument(parser) -> None:
    parser.add_argument("--database", default=None,
                        help="database URL or SQLite path (default: MONITOR_DATABASE_URL, else var/govmon.sqlite)")


def scrapy_settings():
    """The project's Scrapy settings wherever the command runs from (no scrapy.cfg needed in the working folder)."""
    from scrapy.utils.project import get_project_settings

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "monitor.settings")
    return get_project_settings()
