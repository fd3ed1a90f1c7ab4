"""One settings system: settings.py defaults, environment overrides, `-s`, and the add-on, in crawls and commands.

Crawlers are real Scrapy crawlers built from the project's settings; their add-ons run as in a crawl
(Crawler._apply_settings). A real website crawl and a real probe crawl show that Scrapy uses what the settings say.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path
from typing import Any

import pytest
import scrapy
import scrapy.settings.default_settings as scrapy_defaults
import scrapy_playwright.handler
import yaml
from scrapy.crawler import Crawler, CrawlerRunner
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import select

from monitor import config, db
from monitor import settings as project_settings
from monitor.addon import ENV_PRIORITY, HANDLER, SettingError, monitor_names
from monitor.checks.rulebook import RulebookError, load_rulebook
from monitor.guard import AddressPolicy, chromium_block_rules
from monitor.hostmap import chromium_rules, parse_host_map
from monitor.migrate import upgrade
from monitor.registry import import_files
from monitor.simweb.flaky import FlakyHost, FlakyWeb
from monitor.simweb.scenario import load_scenario
from monitor.simweb.server import SimWeb
from monitor.simweb.templates import PAGE_SIZE
from monitor.spiders.probe import ProbeSpider
from monitor.spiders.website import WebsiteSpider
from tests.crawling import crawl

NAMES = monitor_names(config.scrapy_settings())
# Values with a format of their own; every other override is derived from the type of the default.
FORMATTED = {"MONITOR_HOST_MAP": "*.example.gov.cn=127.0.0.1:9;www.other.gov.cn=[::1]:8080",
             "MONITOR_ALLOWED_NETWORKS": "10.20.0.0/16;*.gov.intra"}
HOST_MAP = "*.hh.gov.cn=127.0.0.1:18080"
BLOCKED = chromium_block_rules(AddressPolicy())  # internal literals and localhost, none allowed


def override(name: str, default: Any) -> tuple[str, Any]:
    """(environment text, the typed value a crawl must see) for a value unlike the default."""
    if name in FORMATTED:
        return FORMATTED[name], FORMATTED[name]
    if isinstance(default, bool):
        return ("false", False) if default else ("true", True)
    if isinstance(default, int):
        return str(default + 7), default + 7
    if isinstance(default, float):
        return str(default + 1.25), default + 1.25
    if default is None:  # an optional override (MONITOR_PROBE_TIMEOUT): kept as text, read with Scrapy's getters
        return "9", "9"
    return f"/srv/govmon-test/{name.lower()}", f"/srv/govmon-test/{name.lower()}"


def crawler_for(spider: str | type[scrapy.Spider] = "website", **cmdline: Any) -> Crawler:
    """A crawler of the project's settings (plus `-s` values) after its add-ons ran, as when a crawl starts."""
    s = config.scrapy_settings()
    s.setdict(cmdline, priority="cmdline")
    crawler = CrawlerRunner(s).create_crawler(spider)
    crawler._apply_settings()  # noqa: SLF001 - what Crawler.crawl runs first: add-ons, then components
    return crawler


def test_every_setting_the_code_reads_is_defined_in_settings_py() -> None:
    # A setting read without a default in settings.py would escape the environment (and this file's tests).
    package = Path(project_settings.__file__).parent
    read = {m for path in package.rglob("*.py") for m in re.findall(r'"(MONITOR_[A-Z0-9_]+)"', path.read_text("utf-8"))}
    assert sorted(read - set(NAMES)) == []
    assert sorted(n for n in vars(project_settings) if n.startswith("MONITOR_")) == NAMES
    assert {"MONITOR_MAX_LIST_PAGES", "MONITOR_DATABASE_URL", "MONITOR_HOST_MAP", "MONITOR_PROBE_TIMEOUT"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_environment_overrides_every_setting_in_crawls_and_commands(name: str,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    default = getattr(project_settings, name)
    text, expected = override(name, default)
    assert expected != default
    monkeypatch.setenv(name, text)
    settings = crawler_for().settings
    assert settings.get(name) == expected
    assert settings.getpriority(name) == ENV_PRIORITY
    assert config.setting(name) == expected
    if name != "MONITOR_PROBE_TIMEOUT":  # probe crawls read it from the rulebook unless overridden: see below
        return
    assert crawler_for("probe").settings.getfloat(name) == float(config.setting(name)) == 9.0


def test_the_reported_case(monkeypatch: pytest.MonkeyPatch) -> None:
    """MONITOR_MAX_LIST_PAGES=9: Scrapy used 3 while config.setting said '9'."""
    monkeypatch.setenv("MONITOR_MAX_LIST_PAGES", "9")
    assert crawler_for().settings.getint("MONITOR_MAX_LIST_PAGES") == 9
    assert config.setting("MONITOR_MAX_LIST_PAGES") == 9
    monkeypatch.delenv("MONITOR_MAX_LIST_PAGES")
    assert crawler_for().settings.getint("MONITOR_MAX_LIST_PAGES") == config.setting("MONITOR_MAX_LIST_PAGES") == 3


def test_cmdline_beats_environment_beats_spider_and_project(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tuned(scrapy.Spider):
        name = "tuned"
        custom_settings = {"MONITOR_MAX_LIST_PAGES": 5, "MONITOR_BATCH_SIZE": 50}

    monkeypatch.setenv("MONITOR_MAX_LIST_PAGES", "9")
    assert crawler_for(MONITOR_MAX_LIST_PAGES="4").settings.getint("MONITOR_MAX_LIST_PAGES") == 4
    tuned = crawler_for(Tuned).settings
    assert tuned.getint("MONITOR_MAX_LIST_PAGES") == 9  # an operator's environment is not masked by a spider
    assert tuned.getint("MONITOR_BATCH_SIZE") == 50  # the spider's value where the environment says nothing
    assert crawler_for(Tuned, MONITOR_MAX_LIST_PAGES="4").settings.getint("MONITOR_MAX_LIST_PAGES") == 4


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("MONITOR_CHECK_LINKS", "0", False), ("MONITOR_CHECK_LINKS", "False", False), ("MONITOR_CHECK_LINKS", "1", True),
    ("MONITOR_RETRY_BACKOFF", "2", 2.0), ("MONITOR_PROGRESS_INTERVAL", "0", 0.0), ("MONITOR_HOST_MAP", "", ""),
])
def test_environment_values_are_typed_like_the_default(name: str, text: str, expected: Any,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(name, text)
    value = crawler_for().settings.get(name)
    assert value == expected and type(value) is type(expected)
    assert config.setting(name) == expected


@pytest.mark.parametrize(("name", "text"), [
    ("MONITOR_MAX_LIST_PAGES", "three"), ("MONITOR_CHECK_LINKS", "yes please"), ("MONITOR_BATCH_SIZE", " "),
    ("MONITOR_RETRY_BACKOFF", "0,5"),
])
def test_a_bad_environment_value_is_refused_naming_the_variable(name: str, text: str,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(name, text)
    with pytest.raises(SettingError, match=name):
        crawler_for()
    with pytest.raises(SettingError, match=name):
        config.setting("MONITOR_DATABASE_URL")


def test_variables_that_are_not_settings_are_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONITOR_NO_SUCH_SETTING", "1")
    assert crawler_for().settings.get("MONITOR_NO_SUCH_SETTING") is None
    assert config.setting("MONITOR_NO_SUCH_SETTING", "fallback") == "fallback"


def test_addon_sets_handlers_and_chromium(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONITOR_HOST_MAP", HOST_MAP)
    monkeypatch.setenv("MONITOR_CHROMIUM", "/opt/chromium/headless_shell")
    for spider in ("website", "probe"):
        s = crawler_for(spider).settings
        assert {k: s.getdict("DOWNLOAD_HANDLERS")[k] for k in ("http", "https")} == {"http": HANDLER, "https": HANDLER}
        assert s.get("PLAYWRIGHT_BROWSER_TYPE") == "chromium"
        options = s.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")
        assert options["executable_path"] == "/opt/chromium/headless_shell"
        rules = [a for a in options["args"] if a.startswith("--host-resolver-rules=")]
        # The host map first (the first matching rule wins: mapped hosts keep their loopback address), then the
        # address policy's refusals of internal literals and localhost.
        assert rules == [f"--host-resolver-rules=MAP *.hh.gov.cn 127.0.0.1:18080, {BLOCKED}"], spider
        assert "--disable-background-networking" in options["args"]
    # `-s` reaches Chromium too (the simulated web's map is given that way), and commands see the same options.
    s = crawler_for(MONITOR_HOST_MAP="www.a.gov.cn=127.0.0.1:1").settings
    assert f"--host-resolver-rules=MAP www.a.gov.cn 127.0.0.1:1, {BLOCKED}" in s.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")["args"]
    assert config.setting("PLAYWRIGHT_LAUNCH_OPTIONS")["args"][-1] == \
        f"--host-resolver-rules={chromium_rules(parse_host_map(HOST_MAP))}, {BLOCKED}"


def test_chromium_refuses_internal_addresses_without_a_host_map_and_keeps_the_allow_list(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MONITOR_HOST_MAP", raising=False)
    monkeypatch.delenv("MONITOR_ALLOWED_NETWORKS", raising=False)

    def resolver_rules(**cmdline: Any) -> list[str]:
        args = crawler_for(**cmdline).settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")["args"]
        (rules,) = [a for a in args if a.startswith("--host-resolver-rules=")]
        return rules.removeprefix("--host-resolver-rules=").split(", ")

    plain = resolver_rules()
    assert plain == BLOCKED.split(", ")
    assert {"MAP 127.*.*.* ~NOTFOUND", "MAP 169.254.*.* ~NOTFOUND", "MAP 10.*.*.* ~NOTFOUND", "MAP ::* ~NOTFOUND",
            "MAP localhost ~NOTFOUND", "MAP fe8*:* ~NOTFOUND"} <= set(plain)
    allowed = resolver_rules(MONITOR_ALLOWED_NETWORKS="127.0.0.1/32;10.20.0.0/16")
    assert "MAP 127.*.*.* ~NOTFOUND" not in allowed and "MAP localhost ~NOTFOUND" not in allowed
    assert "MAP 10.*.*.* ~NOTFOUND" not in allowed  # a /8 pattern would refuse the allowed /16
    assert "MAP 169.254.*.* ~NOTFOUND" in allowed and "MAP ::* ~NOTFOUND" in allowed
    with pytest.raises(ValueError, match="MONITOR_ALLOWED_NETWORKS"):
        crawler_for(MONITOR_ALLOWED_NETWORKS="10.0.0.0/33")


def test_spiders_leave_the_configuration_to_the_addon() -> None:
    assert "update_settings" not in vars(WebsiteSpider) and "update_settings" not in vars(ProbeSpider)
    assert "DOWNLOAD_HANDLERS" not in vars(project_settings)  # one place: the add-on
    assert project_settings.ADDONS == {"monitor.addon.MonitorAddon": 0}


def test_addon_keeps_what_a_user_configured() -> None:
    s = crawler_for(DOWNLOAD_HANDLERS={"ftp": None, "https": "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler"},
                    PLAYWRIGHT_LAUNCH_OPTIONS={"executable_path": "/usr/local/bin/chrome", "args": ["--lang=zh-CN"]},
                    MONITOR_HOST_MAP=HOST_MAP).settings
    handlers = s.getdict("DOWNLOAD_HANDLERS")
    assert handlers == {"ftp": None, "https": "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler",
                        "http": HANDLER}
    options = s.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")
    assert options["executable_path"] == "/usr/local/bin/chrome"
    assert options["args"][0] == "--lang=zh-CN" and len(options["args"]) == len(set(options["args"])) == 7


def test_a_malformed_host_map_is_refused_before_the_crawl() -> None:
    with pytest.raises(ValueError, match="MONITOR_HOST_MAP"):
        crawler_for(MONITOR_HOST_MAP="www.a.gov.cn 127.0.0.1")


# ------------------------------------------------------------------ the probe's limit lives in the rulebook

def city_rulebook(tmp_path: Path, seconds: float | str) -> Path:
    path = tmp_path / "city.yaml"
    path.write_text(f"indicators:\n  site_unreachable: {{params: {{timeout_seconds: {seconds}}}}}\n", encoding="utf-8")
    return path


def test_probe_limit_comes_from_the_rulebook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    national = load_rulebook("")["site_unreachable"].param("timeout_seconds")
    assert national == 15
    assert project_settings.MONITOR_PROBE_TIMEOUT is None  # not a second copy of the national value
    crawler = crawler_for("probe")
    assert crawler.settings.getfloat("MONITOR_PROBE_TIMEOUT") == national == config.setting("MONITOR_PROBE_TIMEOUT")
    assert ProbeSpider.from_crawler(crawler).timeout == national
    monkeypatch.setenv("MONITOR_RULEBOOK", str(city_rulebook(tmp_path, 10)))
    crawler = crawler_for("probe")
    assert crawler.settings.getfloat("MONITOR_PROBE_TIMEOUT") == 10.0 == config.setting("MONITOR_PROBE_TIMEOUT")
    assert ProbeSpider.from_crawler(crawler).timeout == 10.0
    # An explicit override (tests, benchmarks) beats the rulebook.
    assert ProbeSpider.from_crawler(crawler_for("probe", MONITOR_PROBE_TIMEOUT=1.5)).timeout == 1.5


def test_a_broken_rulebook_stops_probes_not_website_crawls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONITOR_RULEBOOK", str(city_rulebook(tmp_path, -1)))
    with pytest.raises(RulebookError, match="timeout_seconds"):
        crawler_for("probe")
    assert crawler_for("website").settings.get("MONITOR_PROBE_TIMEOUT") is None


@deferred_f_from_coro_f
async def test_probe_crawl_uses_the_rulebook_limit(sqlite_url: str, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A city rulebook of 1 s: a homepage answering after 2 s is a timeout, found after about 1 s."""
    websites = [{"site_code": code, "name": host, "homepage": f"http://{host}/", "region_code": code[:6],
                 "region_name": "红河州", "level": "county", "kind": "portal"}
                for code, host in (("5325010002", "www.gejiu.gov.cn"), ("5325020004", "www.kaiyuan.gov.cn"))]
    registry = tmp_path / "targets.yaml"
    registry.write_text(yaml.safe_dump({"websites": websites}, allow_unicode=True), encoding="utf-8")
    engine = db.engine_for(sqlite_url)
    upgrade(engine)
    import_files(engine, [registry])
    monkeypatch.setenv("MONITOR_RULEBOOK", str(city_rulebook(tmp_path, 1)))
    with FlakyWeb([FlakyHost("www.gejiu.gov.cn"), FlakyHost("www.kaiyuan.gov.cn", {0}, "hang")],
                  hang_seconds=2.0) as web:
        monkeypatch.setenv("MONITOR_HOST_MAP", web.host_map)
        monkeypatch.setenv("MONITOR_DATABASE_URL", sqlite_url)
        crawler = await crawl(ProbeSpider, {"SPIDER_MODULES": []}, at="2021-02-24T00:00:00")
    assert crawler.spider.timeout == 1.0
    with engine.connect() as conn:
        got = {r.site_code: r for r in conn.execute(select(db.probes))}
    assert got["5325010002"].outcome == "ok"
    assert got["5325020004"].outcome == "timeout" and 900 <= got["5325020004"].latency_ms < 1900


# ------------------------------------------------------------------ a real crawl reads the environment

@deferred_f_from_coro_f
async def test_website_crawl_obeys_environment_overrides(sqlite_url: str, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = load_scenario("honghe_2021q1")
    scenario.sites = [s for s in scenario.sites if s.template != "portal"][:2]
    # Without the overrides these sites would paginate (columns longer than a list page) and sample articles.
    assert any(len(c.days_ago) > PAGE_SIZE for s in scenario.sites for c in s.columns)
    engine = db.engine_for(sqlite_url)
    upgrade(engine)
    import_files(engine, [scenario.write_registry(tmp_path / "targets.yaml")])
    with SimWeb(scenario) as web:
        for name, value in {"MONITOR_DATABASE_URL": sqlite_url, "MONITOR_HOST_MAP": web.host_map,
                            "MONITOR_MAX_LIST_PAGES": "1", "MONITOR_ARTICLES_PER_COLUMN": "0",
                            "MONITOR_CHECK_LINKS": "false"}.items():
            monkeypatch.setenv(name, value)
        crawler = await crawl("website", {"AUTOTHROTTLE_ENABLED": False}, run_id="env")
    assert crawler.settings.getint("MONITOR_MAX_LIST_PAGES") == 1
    with engine.connect() as conn:
        pages = conn.execute(select(db.pages.c.site_code, db.pages.c.role, db.pages.c.outcome).where(
            db.pages.c.run_id == "env")).all()
        methods = {r.method for r in conn.execute(select(db.link_checks.c.method))}
    assert {(p.site_code, p.outcome) for p in pages if p.role == "home"} == {(s.site_code, "ok") for s in scenario.sites}
    assert any(p.role == "column" for p in pages)
    assert not [p for p in pages if p.role in ("list", "article")]  # no second list page, no sampled article
    assert methods <= {"GET"}  # pages fetched, links not checked (no HEAD)


# ------------------------------------------------------------------ settings.py itself

def test_settings_module_has_plain_documented_values_only() -> None:
    source = inspect.getsource(project_settings)
    assert "os.environ" not in source and "getenv" not in source  # the environment is applied in one place
    assert "monitor.browser" not in source
    lines = source.splitlines()
    assigned = [n for n in ast.parse(source).body if isinstance(n, ast.Assign | ast.AnnAssign)]
    for node in assigned:
        target = node.targets[0] if isinstance(node, ast.Assign) else node.target
        name = target.id
        if not name.startswith("MONITOR_"):
            continue
        # A comment above the setting, or above the group of settings it belongs to.
        i = node.lineno - 2
        while i >= 0 and lines[i].startswith("MONITOR_"):
            i -= 1
        assert lines[i].startswith("#"), f"{name} has no comment saying what it is"


def test_no_setting_scrapy_has_removed() -> None:
    ours = {n for n in vars(project_settings) if n.isupper() and not n.startswith(("MONITOR_", "PLAYWRIGHT_"))}
    assert sorted(n for n in ours if not hasattr(scrapy_defaults, n)) == []
    playwright = {n for n in vars(project_settings) if n.startswith("PLAYWRIGHT_")}
    handler = Path(inspect.getfile(scrapy_playwright.handler)).read_text(encoding="utf-8")
    assert sorted(n for n in playwright if f'"{n}"' not in handler) == []
