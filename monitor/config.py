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


def database_url() -> str:
    return str(setting("MONITOR_DATABASE_URL"))


def scrapy_settings():
    """The project's Scrapy settings wherever the command runs from (no scrapy.cfg needed in the working folder)."""
    from scrapy.utils.project import get_project_settings

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "monitor.settings")
    return get_project_settings()
