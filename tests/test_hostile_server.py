"""Hostile servers (monitor/simweb/hostile.py) in one real crawl process, beside two normal simulated sites.

The crawl must end in bounded time and memory, record every hostile page with its classified outcome, request
nothing from internal addresses, and crawl the normal sites as it would alone. The availability probe and
`govmon inspect` meet the same hostile headers. (External links are not checked here, see SETTINGS.)
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import yaml
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import select

from monitor import db
from monitor.hostmap import HEADERS_TOO_LARGE_REASON
from monitor.inspect import add_arguments, run
from monitor.migrate import upgrade
from monitor.outcome import DECOMPRESSED_TOO_LARGE
from monitor.registry import import_files
from monitor.simweb.expected import expected
from monitor.simweb.hostile import HEAD_SITE, LINKED_SITE, PAGES, HostileWeb
from monitor.simweb.scenario import load_scenario
from monitor.simweb.server import SimWeb
from tests.crawling import crawl

REPO = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
# The timeout outlasts the seconds the 100,000-link page holds the reactor thread (extraction runs there: ~10 s on
# a busy 2-core machine; every download in flight waits meanwhile); no retries, so the drip costs one timeout.
# External links are not checked: the 100,000-link page links to another site, and its 3,000 link checks would be
# most of this test's time (the per-page cap itself is tested in test_extract_scale).
SETTINGS = {"DOWNLOAD_TIMEOUT": 15, "RETRY_TIMES": 0, "MONITOR_RETRY_BACKOFF": 0.05, "AUTOTHROTTLE_ENABLED": False,
            "MONITOR_RENDER_SCRIPT_FOOTERS": False, "MONITOR_RENDER_SCRIPT_LISTS": False,
            "MONITOR_CHECK_EXTERNAL_LINKS": False}
TIME_LIMIT = 120  # seconds; the crawl takes ~25 s here
RSS_LIMIT_MB = 600  # the crawl peaks near 300 MB (the 100,000-link page); 2 GiB of headers took 2.7 GB


def rows(engine: Any, table: Any, **where: Any) -> list[dict]:
    query = select(table)
    for name, value in where.items():
        query = query.where(table.c[name] == value)
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def crawl_process(tmp_path: Path, database: Path, host_map: str) -> tuple[int, float, int, str]:
    """`govmon crawl` as a process of its own: (exit status, seconds, peak RSS in MB, stderr)."""
    args = [sys.executable, "-m", "monitor.cli", "crawl", "--database", str(database), "--run-id", "hostile",
            "--as-of", "2021-03-03", "--host-map", host_map]
    for name, value in SETTINGS.items():
        args += ["-s", f"{name}={value}"]
    env = dict(os.environ, MONITOR_LOCK_URL="", MONITOR_RUN_DIR=str(tmp_path / "runs"), PYTHONPATH=str(REPO))
    started = time.monotonic()
    process = subprocess.Popen(args, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True)
    stderr: list[str] = []
    reader = threading.Thread(target=lambda: stderr.append(process.stderr.read()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    killer = threading.Timer(TIME_LIMIT, process.kill)  # a frozen crawl fails the test instead of hanging it
    killer.start()
    try:
        _, status, usage = os.wait4(process.pid, 0)  # the child's own peak RSS (ru_maxrss, KiB on Linux)
    finally:
        killer.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)
    reader.join(10)
    return process.returncode, time.monotonic() - started, usage.ru_maxrss // 1024, "".join(stderr)


def test_one_crawl_over_hostile_and_normal_sites(tmp_path: Path) -> None:
    scenario = load_scenario("honghe_2021q1")
    scenario.sites = scenario.sites[:2]
    database = tmp_path / "govmon.sqlite"
    engine = db.engine_for(str(database))
    upgrade(engine)
    with SimWeb(scenario) as normal, HostileWeb(stream_ceiling=256 * MIB, bomb_bytes=64 * MIB) as hostile:
        registry = scenario.registry()
        for key, entries in hostile.registry().items():
            registry[key] = registry.get(key, []) + entries
        path = tmp_path / "targets.yaml"
        path.write_text(yaml.safe_dump(registry, allow_unicode=True, sort_keys=False), encoding="utf-8")
        import_files(engine, [path])
        status, seconds, rss_mb, stderr = crawl_process(tmp_path, database, f"{normal.host_map};{hostile.host_map}")
        internal = hostile.internal_hits
    print(f"hostile crawl: {seconds:.1f} s, peak RSS {rss_mb} MB")  # shown with pytest -s
    assert status == 0, stderr[-3000:]
    assert seconds < TIME_LIMIT and rss_mb < RSS_LIMIT_MB, (seconds, rss_mb)
    assert internal == []  # nothing reached 127.0.0.1, [::1] or localhost (169.254.169.254 is refused unresolved)

    # Every hostile page recorded, with its outcome and, for the limits, the reason in Chinese.
    pages = {r["url"]: r for r in rows(engine, db.pages, run_id="hostile")}
    for name, outcome in PAGES.items():
        page = pages[hostile.url(name)]
        # A body without end stops at DOWNLOAD_MAXSIZE or at the timeout, whichever comes first: extraction of the
        # 100,000-link page holds the reactor thread for seconds, and the download's timer keeps running meanwhile.
        allowed = {outcome, "timeout"} if name == "endless-body" else {outcome}
        assert page["outcome"] in allowed, (name, page["outcome"], page["error"])
    for name in ("headers-endless", "header-line"):
        assert HEADERS_TOO_LARGE_REASON in pages[hostile.url(name)]["error"], name
    for name in ("bomb-gzip", "bomb-deflate", "bomb-br"):
        assert pages[hostile.url(name)]["error"].startswith(DECOMPRESSED_TOO_LARGE), name
    head_site = pages[f"http://{HEAD_SITE}/"]  # a homepage of endless headers: the site is unreadable that way
    assert head_site["outcome"] == "too_large" and HEADERS_TOO_LARGE_REASON in head_site["error"]
    links_page = pages[hostile.url("links")]
    assert links_page["cut"] == {"links": hostile.links - 3000}
    linked = [r for r in rows(engine, db.links, run_id="hostile") if LINKED_SITE in r["url"]]
    assert len(linked) == 3000  # what is kept of the 100,000 (MAX_LINKS_PER_PAGE)
    checks = {r["url"]: r for r in rows(engine, db.link_checks, run_id="hostile")}
    too_long = [url for url, check in checks.items() if check["outcome"] == "url_too_long"]
    assert len(too_long) == len(hostile.long_urls()) and all("/search?q=" in url for url in too_long)
    requested = {path for _, _, path in hostile.hits}
    assert not any(path.startswith("/search") for path in requested)

    # The normal sites: read whole, their lists and dates as the scenario says.
    truth = expected(scenario, scenario.as_of)
    entries = rows(engine, db.list_entries, run_id="hostile")
    for site in scenario.sites:
        home = pages[site.homepage]
        assert home["outcome"] == "ok", site.site_code
        if site.footer_mode == "static":  # a footer written by a script needs Chromium, off in this test
            assert home["footer_site_code"] == site.site_code, site.site_code
        site_pages = [p for p in pages.values() if p["site_code"] == site.site_code]
        assert all(p["outcome"] == "ok" for p in site_pages), [(p["url"], p["outcome"]) for p in site_pages
                                                                if p["outcome"] != "ok"]
        for column in truth.sites[site.site_code].columns:
            dated = [e["published"] for e in entries if e["column_url"] == column.url and e["published"]]
            assert max(dated, default=None) == column.newest, column.url
    # Their own links checked as the scenario planted them: broken where it broke them, ok everywhere else.
    broken = {url: (outcome, status) for site in truth.sites.values() for url, outcome, status, _ in site.broken_links}
    normal_hosts = {site.host for site in scenario.sites}
    normal_checks = [c for c in checks.values() if any(f"//{h}/" in c["url"] for h in normal_hosts)]
    assert normal_checks
    wrong = [(c["url"], c["outcome"], c["status"]) for c in normal_checks
             if (c["outcome"], c["status"]) != broken.get(c["url"], ("ok", c["status"]))]
    assert wrong == []


@deferred_f_from_coro_f
async def test_the_probe_meets_endless_headers_as_too_large(sqlite_url: str, tmp_path: Path) -> None:
    engine = db.engine_for(sqlite_url)
    upgrade(engine)
    with HostileWeb(stream_ceiling=256 * MIB) as hostile:
        path = tmp_path / "targets.yaml"
        path.write_text(yaml.safe_dump(hostile.registry() | {"columns": []}, allow_unicode=True), encoding="utf-8")
        import_files(engine, [path])
        await crawl("probe", {"MONITOR_DATABASE_URL": sqlite_url, "MONITOR_HOST_MAP": hostile.host_map,
                              "MONITOR_PROBE_TIMEOUT": 5}, round_id="hostile")
    probes = {r["site_code"]: r for r in rows(engine, db.probes)}
    assert probes["5325009901"]["outcome"] == "ok"
    assert probes["5325009902"]["outcome"] == "too_large"
    assert HEADERS_TOO_LARGE_REASON in probes["5325009902"]["error"]


def test_inspect_refuses_endless_headers_with_a_message(capsys: Any) -> None:
    import argparse

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    with HostileWeb(stream_ceiling=256 * MIB) as hostile:
        for url in (f"http://{HEAD_SITE}/", hostile.url("header-line")):
            assert run(parser.parse_args([url, "--host-map", hostile.host_map])) == 1
            assert f"cannot inspect {url}:" in capsys.readouterr().err
