"""The monitor's Scrapy add-on: one place that turns the project's settings into what a crawl runs with.

Enabled in monitor/settings.py (`ADDONS = {"monitor.addon.MonitorAddon": 0}`), so `scrapy crawl`, `govmon crawl`,
`govmon probe`, Scrapyd and the tests all get the same configuration. `configure()` is the whole of it and is also
what `monitor.config.setting()` applies outside a crawl, so a command reads exactly what a crawl would:

1. Environment: every MONITOR_* setting defined in the settings module may be overridden by an environment variable
   of the same name. The value is converted to the type of its default with Scrapy's own getters (int, float,
   bool as Scrapy reads it: 1/0/true/false/True/False, list, dict) and refused naming the variable when it does not
   convert. It is set at ENV_PRIORITY (35): above settings.py (project, 20) and a spider's custom_settings (spider,
   30), so an operator's environment is never silently masked, and below `-s NAME=VALUE` (cmdline, 40), which
   still wins for one crawl. Names the settings module does not define (MONITOR_TEST_PG_URL…) are not settings.
2. The probe's limit: MONITOR_PROBE_TIMEOUT, when nobody set it, becomes the rulebook's
   site_unreachable.params.timeout_seconds (national 15 s, or the MONITOR_RULEBOOK override), so the spider and
   its visit-budget middleware use one value that lives only in the rulebook.
3. Download handlers: http and https go to monitor.hostmap.HostMapDownloadHandler (the host map, download timing,
   and scrapy-playwright for requests with meta "playwright"), unless a handler for the scheme is configured.
4. Chromium (scrapy-playwright): PLAYWRIGHT_BROWSER_TYPE chromium, the executable MONITOR_CHROMIUM (Debian's
   chromium-headless-shell; nothing is downloaded), quiet background features, and --host-resolver-rules: the host
   map first, so rendered pages reach the same servers as plain fetches, then the address policy's refusals
   (monitor.guard.chromium_block_rules: internal IP literals and localhost do not resolve, except what
   MONITOR_ALLOWED_NETWORKS allows), which hold for every request Chromium makes, a redirect chain's middle hops
   included. Options a user put in PLAYWRIGHT_LAUNCH_OPTIONS are kept; ours are added.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

from monitor.guard import AddressPolicy, chromium_block_rules
from monitor.hostmap import chromium_rules

logger = logging.getLogger(__name__)

PREFIX = "MONITOR_"
# Between "project"/"spider" and "cmdline": see the module docstring.
ENV_PRIORITY = 35
ADDON_PRIORITY = SETTINGS_PRIORITIES["addon"]
HANDLER = "monitor.hostmap.HostMapDownloadHandler"
# Chromium flags for a monitoring browser: no update checks, sync or first-run pages (no traffic of its own), and
# /tmp instead of a small /dev/shm in containers.
CHROMIUM_ARGS = ("--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--disable-dev-shm-usage")


class SettingError(ValueError):
    """A setting's value that cannot be used; the message names the setting and where it came from."""


def monitor_names(settings: BaseSettings) -> list[str]:
    """Every MONITOR_* setting the settings module defines (a new one is covered without listing it anywhere)."""
    return sorted(name for name in settings if name.startswith(PREFIX))


def _typed(name: str, raw: str, default: Any) -> Any:
    """raw converted to the type of default, by Scrapy's getters (the same reading `-s` values get)."""
    if isinstance(default, str) or default is None:
        return raw
    probe = BaseSettings({name: raw})
    getter: Callable[[str], Any]
    if isinstance(default, bool):  # before int: bool is an int
        getter = probe.getbool
    elif isinstance(default, int):
        getter = probe.getint
    elif isinstance(default, float):
        getter = probe.getfloat
    elif isinstance(default, list | tuple):
        getter = probe.getlist
    elif isinstance(default, dict):
        getter = probe.getdict
    else:
        return raw
    if not raw.strip():
        raise SettingError(f"environment variable {name} is empty; unset it to use the default {default!r}")
    try:
        return getter(name)
    except (TypeError, ValueError) as exc:
        raise SettingError(f"environment variable {name}={raw!r}: expected a value like {default!r} ({exc})") from exc


def environment_overrides(settings: BaseSettings, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The MONITOR_* settings the environment overrides, with typed values."""
    environ = os.environ if environ is None else environ
    return {name: _typed(name, environ[name], settings.get(name)) for name in monitor_names(settings)
            if name in environ}


def apply_environment(settings: BaseSettings, environ: Mapping[str, str] | None = None) -> None:
    """Set the environment's MONITOR_* overrides at ENV_PRIORITY (a `-s` value keeps winning)."""
    for name, value in environment_overrides(settings, environ).items():
        settings.set(name, value, priority=ENV_PRIORITY)


def probe_timeout(settings: BaseSettings) -> float:
    """The availability probe's limit in seconds: an explicit MONITOR_PROBE_TIMEOUT (tests and benchmarks use short
    ones), else the rulebook's site_unreachable.params.timeout_seconds with the MONITOR_RULEBOOK override merged."""
    explicit = settings.get("MONITOR_PROBE_TIMEOUT")
    if explicit not in (None, ""):
        return settings.getfloat("MONITOR_PROBE_TIMEOUT")
    from monitor.checks.rulebook import load_rulebook

    # "" (not None): the book named by these settings, not a fresh look at the environment.
    book = load_rulebook(str(settings.get("MONITOR_RULEBOOK") or ""))
    return float(book["site_unreachable"].param("timeout_seconds"))


def _set_merged(settings: BaseSettings, name: str, value: Any) -> None:
    """Set a whole-dict setting at no lower priority than what it holds (the merge kept the user's entries)."""
    settings.set(name, value, priority=max(settings.getpriority(name) or 0, ADDON_PRIORITY))


def configure_handlers(settings: BaseSettings) -> None:
    handlers = dict(settings.getdict("DOWNLOAD_HANDLERS"))
    for scheme in ("http", "https"):
        handlers.setdefault(scheme, HANDLER)  # a handler the user configured for the scheme is theirs to choose
    _set_merged(settings, "DOWNLOAD_HANDLERS", handlers)


def configure_chromium(settings: BaseSettings) -> None:
    settings.set("PLAYWRIGHT_BROWSER_TYPE", "chromium", priority=ADDON_PRIORITY)  # the flags below are Chromium's
    options = dict(settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS"))
    executable = str(settings.get("MONITOR_CHROMIUM") or "")
    if executable:
        options.setdefault("executable_path", executable)
    ours = list(CHROMIUM_ARGS)
    # The first matching rule wins: mapped hosts keep their (perhaps internal) addresses; a malformed map or
    # allow-list stops the run here.
    policy = AddressPolicy.from_settings(settings)
    rules = ", ".join(r for r in (chromium_rules(policy.host_rules), chromium_block_rules(policy)) if r)
    ours.append(f"--host-resolver-rules={rules}")
    spki = ",".join(k.strip() for k in str(settings.get("MONITOR_TRUSTED_SPKI") or "").split(",") if k.strip())
    if spki:
        ours.append(f"--ignore-certificate-errors-spki-list={spki}")
    args = list(options.get("args", []))
    options["args"] = args + [a for a in ours if a not in args]  # idempotent: configure() may run twice
    _set_merged(settings, "PLAYWRIGHT_LAUNCH_OPTIONS", options)


def configure(settings: BaseSettings, environ: Mapping[str, str] | None = None, *, probe: bool = True) -> None:
    """Everything the add-on does, in place. probe=False leaves MONITOR_PROBE_TIMEOUT unresolved (crawls that do
    not probe need no rulebook, so a broken MONITOR_RULEBOOK cannot stop them)."""
    apply_environment(settings, environ)
    if probe and settings.get("MONITOR_PROBE_TIMEOUT") in (None, ""):
        settings.set("MONITOR_PROBE_TIMEOUT", probe_timeout(settings),
                     priority=settings.getpriority("MONITOR_PROBE_TIMEOUT") or ADDON_PRIORITY)
    configure_handlers(settings)
    configure_chromium(settings)  # parses the host map and MONITOR_ALLOWED_NETWORKS: a malformed one stops the run


class MonitorAddon:
    """Scrapy add-on (ADDONS setting): applies configure() to the crawler's settings before any component is built.

    Add-ons run after the spider's custom_settings are merged (Crawler._apply_settings), so the environment
    overrides the spider's values but not `-s`.
    """

    def __init__(self, spidercls: type | None = None) -> None:
        self.spidercls = spidercls

    @classmethod
    def from_crawler(cls, crawler: Any) -> MonitorAddon:
        return cls(crawler.spidercls)

    def update_settings(self, settings: BaseSettings) -> None:
        configure(settings, probe=self.probes())
        path = settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS").get("executable_path")
        if path and not Path(path).exists():  # said once at start, not as a failure per rendered page
            logger.warning("Chromium not found at %s (MONITOR_CHROMIUM): pages that need rendering cannot be "
                           "rendered", path)

    def probes(self) -> bool:
        """Whether the crawl is an availability probe (needs the rulebook's limit)."""
        from monitor.spiders.probe import ProbeSpider

        return self.spidercls is None or (isinstance(self.spidercls, type) and issubclass(self.spidercls, ProbeSpider))
