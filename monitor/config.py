"""Settings outside a Scrapy crawl (CLI commands, reports, notebooks): exactly what a crawl would see.

The defaults and their documentation live in `monitor.settings`. `settings()` applies the same function the Scrapy
add-on applies to every crawl (`monitor.addon.configure`): a MONITOR_* environment variable overrides its default,
typed like the default, and a `-s NAME=value` given to a crawl overrides both. So `setting("MONITOR_MAX_LIST_PAGES")`
with MONITOR_MAX_LIST_PAGES=9 in the environment is 9, as it is for the crawl.
"""

from __future__ import annotations

import os
from typing import Any

from scrapy.settings import Settings

SETTINGS_MODULE = "monitor.settings"


def scrapy_settings() -> Settings:
    """The project's Scrapy settings wherever the command runs from (no scrapy.cfg needed in the working folder).

    Plain settings.py values: the environment is applied by the add-on when a crawl starts (and by `settings()`).
    """
    from scrapy.utils.project import get_project_settings

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", SETTINGS_MODULE)
    return get_project_settings()


def settings(*, probe: bool = False) -> Settings:
    """The project's settings as a crawl sees them before its `-s` values: settings.py, then the environment.

    probe=True also resolves MONITOR_PROBE_TIMEOUT from the rulebook (as the add-on does for probe crawls).
    """
    from monitor.addon import configure

    result = scrapy_settings()
    configure(result, probe=probe)
    return result


def setting(name: str, default: Any = None) -> Any:
    """The value of a setting: the environment for MONITOR_* ones, then monitor/settings.py, then default."""
    value = settings(probe=name == "MONITOR_PROBE_TIMEOUT").get(name)
    return default if value is None else value


def database_url(given: str | None = None) -> str:
    """The database URL: one given on the command line, else MONITOR_DATABASE_URL."""
    return given or str(setting("MONITOR_DATABASE_URL"))


def add_database_argument(parser) -> None:
    parser.add_argument("--database", default=None,
                        help="database URL or SQLite path (default: MONITOR_DATABASE_URL, else var/govmon.sqlite)")
