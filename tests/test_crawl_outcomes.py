"""Crawl outcomes a person can see: per-site summary, progress, no ERROR lines for target sites' failures, and
`govmon crawl` exiting non-zero when no site could be read — over real HTTP against the simulated government web."""

from __future__ import annotations

import csv
import logging
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import func, select
from twisted.python.failure import Failure

from monitor import db
from monitor.checks.outcomes import link_state
from monitor.commands import EXIT_NO_SITES, EXIT_NOTHING_READ, crawl_outcomes
from monitor.extensions.outcomes import HEADERS, CrawlOutcomes, home_text
from monitor.hostmap import HEADERS_TOO_LARGE_REASON, HeadersTooLargeError
from monitor.migrate import upgrade
from monitor.outcome import DECOMPRESSED_TOO_LARGE, classify_exception, classify_failure, describe
from monitor.registry import import_files
from monitor.simweb import templates
from monitor.simweb.expected import expected
from monitor.simweb.scenario import ROBUSTNESS_PATHS, load_scenario
from monitor.simweb.server import SimWeb
from tests.crawling import crawl

REPO = Path(__file__).resolve().parent.parent
FAST = {"DOWNLOAD_TIMEOUT": 2, "RETRY_TIMES": 1, "MONITOR_RETRY_BACKOFF": 0.05, "AUTOTHROTTLE_ENABLED": False}
# List entries of the /robust/ pages (monitor/simweb/server.py): one on the UTF-16 page, one in the broken HTML; both
# point at pages the server does not have, so they are broken links of the site as well.
ROBUST_ENTRIES = 2
ROBUST_DEAD = ("robust/utf16-item.html", "x.html")


def outcomes(crawler: Crawler) -> CrawlOutcomes:
    ext = crawl_outcomes(crawler)
    assert ext is not None, "CrawlOutcomes is not enabled in EXTENSIONS"
    return ext


@deferred_f_from_coro_f
async def test_defects_crawl_summary_progress_and_no_error_lines(sqlite_url: str, tmp_path: Path,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    scenario = load_scenario("defects")
    engine = db.engine_for(sqlite_url)
    upgrade(engine)
    import_files(engine, [scenario.write_registry(tmp_path / "targets.yaml")])
    truth = expected(scenario)
    caplog.set_level(logging.DEBUG)
    with SimWeb(scenario, hang_seconds=3, giant_bytes=2 * 1024 * 1024) as web:
        crawler = await crawl("website", FAST | {"MONITOR_DATABASE_URL": sqlite_url, "MONITOR_HOST_MAP": web.host_map,
                                                 "DOWNLOAD_MAXSIZE": 1024 * 1024,
                                                 "MONITOR_RUN_DIR": str(tmp_path / "runs")},
                              run_id="outcomes", as_of=scenario.as_of.isoformat())
    ext = outcomes(crawler)
    tallies = ext.sites
    assert set(tallies) == set(truth.sites)
    max_entries = templates.PAGE_SIZE * crawler.settings.getint("MONITOR_MAX_LIST_PAGES")
    with engine.connect() as conn:
        stored_pages = dict(conn.execute(select(db.pages.c.site_code, func.count()).where(
            db.pages.c.run_id == "outcomes").group_by(db.pages.c.site_code)).all())
    for site in scenario.sites:
        t, site_truth = tallies[site.site_code], truth.sites[site.site_code]
        code = site.site_code
        assert t.name == site.name and t.homepage == site.homepage, code
        assert t.read is site_truth.reachable, code
        assert t.home_outcome == site_truth.home_outcome, code
        assert t.pages == stored_pages[code], code
        broken = {url for url, outcome, status, _ in site_truth.broken_links if link_state(outcome, status) == "broken"}
        unsure = {url for url, outcome, status, _ in site_truth.broken_links if link_state(outcome, status) == "unsure"}
        if not site_truth.reachable:  # nothing behind an unreadable homepage
            assert (t.pages, len(t.columns), t.entries, t.broken, t.unsure) == (1, 0, 0, set(), set()), code
            continue
        columns = len(site.columns) + (len(ROBUSTNESS_PATHS) if site.defects.robustness else 0)
        entries = sum(min(c.count, max_entries) for c in site_truth.columns)
        if site.defects.robustness:
            entries += ROBUST_ENTRIES
            broken |= {site.homepage + path for path in ROBUST_DEAD}
        assert (len(t.columns), t.entries) == (columns, entries), code
        assert t.broken == broken, code  # timeouts and TLS failures are 待定, never counted as broken
        assert t.unsure == unsure, code
    slz = tallies["5325000011"]
    assert len(slz.broken) == 7 and len(slz.unsure) == 2  # 404, 500, dns, refused, missing.doc + 2 robust; hang, tls

    # The totals are in the crawl's stats.
    stats = crawler.stats.get_stats()
    assert (stats["outcomes/sites"], stats["outcomes/read"], stats["outcomes/unread"]) == (6, 4, 2)
    assert stats["outcomes/broken_links"] == sum(len(t.broken) for t in tallies.values())
    assert stats["outcomes/pages"] == sum(stored_pages.values())

    # The full table, one row per site, readable by a spreadsheet.
    table = Path(stats["outcomes/table"])
    assert table == tmp_path / "runs" / "outcomes" / "抓取结果.csv"
    with table.open(encoding="utf-8-sig", newline="") as f:
        rows = {r["网站标识码"]: r for r in csv.DictReader(f)}
    assert list(rows["5325000011"]) == HEADERS and set(rows) == set(truth.sites)
    assert rows["5325030011"]["首页结果"] == "无法读取(连接被拒绝)"
    assert rows["5325040011"]["首页结果"] == "无法读取(TLS/证书错误)"
    assert rows["5325000011"]["失效链接数"] == "7" and rows["5325000011"]["网站名称"] == "示例州人民政府"

    # The summary lines: unreadable sites first, then the one with broken links; sites without problems left out.
    lines = ext.summary_lines()
    assert lines[0].startswith("抓取结果: 6 个网站,首页可读 4,首页无法读取 2")
    listed = [line.split()[0] for line in lines[2:-1]]
    assert listed == ["5325030011", "5325040011", "5325000011"]

    # Target sites' failures are outcomes: no ERROR record at all, and the give-ups went to DEBUG.
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]
    assert crawler.stats.get_value("log_count/ERROR") is None
    gave_up = [r for r in caplog.records if r.getMessage().startswith("Gave up retrying")]
    assert gave_up and all(r.levelno == logging.DEBUG for r in gave_up)
    assert any("www.sljx.gov.cn" in r.getMessage() for r in gave_up)  # the refused homepage was retried, then ...
    homes = [r for r in caplog.records if r.name == "monitor.extensions.outcomes" and r.getMessage().startswith("网站 ")]
    assert sorted(r.getMessage()[:16] for r in homes) == ["网站 5325030011 示例", "网站 5325040011 示例"]
    assert all(r.levelno == logging.INFO for r in homes)  # ... said once per site at INFO, in the site's words

    # Progress while it runs (6 sites → a line per finished site; two sites finishing in the same tick of the
    # reactor share one line), from the first sites on, ending at 6/6.
    progress = [r.getMessage() for r in caplog.records
                if r.name == "monitor.extensions.outcomes" and r.getMessage().startswith("已完成")]
    done = [int(m.split("/")[0].removeprefix("已完成 ")) for m in progress]
    assert len(progress) >= 3 and all("/6 个网站" in m for m in progress)
    assert done == sorted(done) and done[-1] == 6 and done[0] <= 2


@deferred_f_from_coro_f
async def test_probe_rounds_are_not_summarised_as_a_crawl(sqlite_url: str, tmp_path: Path) -> None:
    """The probe visits homepages too; its outcomes are availability rounds, not a crawl summary or table."""
    from monitor.spiders.probe import ProbeSpider

    scenario = load_scenario("defects")
    engine = db.engine_for(sqlite_url)
    upgrade(engine)
    import_files(engine, [scenario.write_registry(tmp_path / "targets.yaml")])
    with SimWeb(scenario) as web:
        crawler = await crawl(ProbeSpider, {"SPIDER_MODULES": [], "MONITOR_DATABASE_URL": sqlite_url,
                                            "MONITOR_HOST_MAP": web.host_map, "MONITOR_RUN_DIR": str(tmp_path / "runs")},
                              at="2021-03-02T00:00:00")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(db.probes)).scalar_one() == 6  # it did visit them
    ext = outcomes(crawler)
    assert ext.summary is None and not ext.sites
    assert not any(k.startswith("outcomes/") for k in crawler.stats.get_stats())
    assert not (tmp_path / "runs").exists()


def test_home_text_words_every_outcome() -> None:
    assert home_text("ok", 200) == "可读"
    assert home_text(None, None) == "未抓取"
    assert home_text("http", 503) == "无法读取(HTTP 503)"
    assert home_text("dns", None) == "无法读取(域名无法解析)"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, MONITOR_LOCK_URL="", MONITOR_RUN_DIR=str(tmp_path / "runs"),
               PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "monitor.cli", "crawl", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=180)


def test_cli_exits_non_zero_when_no_homepage_can_be_read(tmp_path: Path) -> None:
    """A registry whose every homepage fails (unknown host, refused connection): exit 3, and it says why."""
    database = tmp_path / "govmon.sqlite"
    registry = {"websites": [
        {"site_code": "5325030011", "name": "示例甲县人民政府", "homepage": "http://www.sljx.gov.cn/",
         "region_code": "532503", "region_name": "示例甲县", "level": "county", "kind": "portal", "sponsor": "甲县"},
        {"site_code": "5325040011", "name": "示例乙县人民政府", "homepage": "http://www.gone.invalid/",
         "region_code": "532504", "region_name": "示例乙县", "level": "county", "kind": "portal", "sponsor": "乙县"},
    ]}
    path = tmp_path / "targets.yaml"
    path.write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    engine = db.engine_for(str(database))
    upgrade(engine)
    import_files(engine, [path])
    done = run_cli(tmp_path, "--database", str(database), "--run-id", "dead", "--host-map",
                   f"www.sljx.gov.cn=127.0.0.1:{closed_port()}", "-s", "RETRY_TIMES=0", "-s", "DOWNLOAD_TIMEOUT=5")
    assert done.returncode == EXIT_NOTHING_READ, done.stdout + done.stderr
    assert "没有一个网站的首页能够读取(共 2 个网站)" in done.stderr
    assert "首页无法读取(连接被拒绝)" in done.stdout and "首页无法读取(域名无法解析)" in done.stdout
    assert "抓取结果: 2 个网站,首页可读 0,首页无法读取 2" in done.stdout
    assert " ERROR: " not in done.stderr  # Scrapy's log lines go to stderr: the failures are not crawler errors
    assert (tmp_path / "runs" / "dead" / "抓取结果.csv").is_file()


def test_cli_exits_non_zero_when_there_is_nothing_to_crawl(tmp_path: Path) -> None:
    database = tmp_path / "govmon.sqlite"
    upgrade(db.engine_for(str(database)))
    done = run_cli(tmp_path, "--database", str(database), "--sites", "9999999999")
    assert done.returncode == EXIT_NO_SITES, done.stdout + done.stderr
    assert "没有抓取任何网站" in done.stderr
    help_text = subprocess.run([sys.executable, "-m", "monitor.cli", "crawl", "--help"], capture_output=True,
                               text=True, env=dict(os.environ, PYTHONPATH=str(REPO)), timeout=60).stdout
    assert f"  {EXIT_NOTHING_READ}   no site could be read at all" in help_text


# ------------------------------------------------------------------ too_large: decompression bombs and huge headers


def bomb_failure(url: str, encoding: str, body: bytes, maxsize: int) -> Failure:
    """What Scrapy's HttpCompressionMiddleware raises for a body that inflates past maxsize, as the errback gets it."""
    from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
    from scrapy.exceptions import IgnoreRequest
    from scrapy.http import HtmlResponse, Request
    from scrapy.utils.test import get_crawler

    middleware = HttpCompressionMiddleware.from_crawler(get_crawler(settings_dict={"DOWNLOAD_MAXSIZE": maxsize}))
    request = Request(url)
    response = HtmlResponse(url, body=body, headers={"Content-Encoding": encoding}, request=request)
    try:
        middleware.process_response(request, response)
    except IgnoreRequest:
        return Failure()
    raise AssertionError("the bomb was not refused")


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
def test_a_decompression_bomb_is_too_large_with_its_reason(encoding: str) -> None:
    import gzip
    import zlib

    import brotli

    inflated = b" " * (4 * 1024 * 1024)
    body = {"gzip": gzip.compress, "deflate": zlib.compress, "br": brotli.compress}[encoding](inflated)
    # "redirect" in the URL: the IgnoreRequest readings by text (redirect_loop) must not catch it first.
    failure = bomb_failure("http://www.hh.gov.cn/redirect/page.html", encoding, body, 1024 * 1024)
    assert classify_failure(failure) == "too_large"
    assert describe(failure).startswith(DECOMPRESSED_TOO_LARGE)


def test_other_ignored_requests_keep_their_outcomes() -> None:
    from scrapy.exceptions import IgnoreRequest

    assert classify_exception(IgnoreRequest("max redirections reached")) == "redirect_loop"
    assert classify_exception(IgnoreRequest("body exceeded DOWNLOAD_MAXSIZE during decompression")) == "error"


def test_headers_too_large_is_too_large_with_its_reason() -> None:
    exc = HeadersTooLargeError(262144, "http://www.hh.gov.cn/")
    assert classify_exception(exc) == "too_large"
    assert describe(Failure(exc)) == f"HeadersTooLargeError: {HEADERS_TOO_LARGE_REASON}(262144 字节),已中止下载: " \
                                     "http://www.hh.gov.cn/"
    assert link_state("too_large", None) == "ok"  # the link leads somewhere: never a broken link
