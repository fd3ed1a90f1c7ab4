"""The full link sweep (monitor/spiders/sweep.py) on a generated site with known dead links (sweepsite.py):
every dead link found with its page and anchor, nothing else reported, the bounds cut what they say and say it,
and a re-run with the same run id (through `govmon sweep`) stores no second row."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections import deque
from pathlib import Path

from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import func, select

from monitor import db
from monitor.checks.outcomes import link_state
from monitor.migrate import upgrade
from monitor.simweb.sweepsite import SweepSite, SweepWeb, generate_sweep_site
from monitor.spiders.sweep import CSV_HEADERS, bad_links
from tests.crawling import crawl

FAST = {"DOWNLOAD_TIMEOUT": 5, "AUTOTHROTTLE_ENABLED": False, "MONITOR_ALLOWED_NETWORKS": "127.0.0.1"}


def small_site() -> SweepSite:
    # 71 pages, 9 deep: a column paginated over 3 list pages, nested 专题 pages down to depth 9; 6 dead links on
    # the homepage, an article of the third list page and nested pages at depth 7 and 8 (one on two pages).
    return generate_sweep_site(64, 6, nested_depth=8, leaves=1)


def depths(site: SweepSite) -> dict[str, int]:
    """Shortest link distance of every same-site page the sweep visits (404 pages included), by BFS."""
    out, queue = {"/": 0}, deque(["/"])
    while queue:
        path = queue.popleft()
        for link in site.pages.get(path, ("", []))[1]:
            if link.kind in ("site", "404") and link.tag == "a" and not link.href.endswith(".pdf") \
                    and link.href not in out:
                out[link.href] = out[path] + 1
                if link.href in site.pages:
                    queue.append(link.href)
    return out


def stored(url: str, run_id: str) -> dict[str, int]:
    engine = db.engine_for(url)
    with engine.connect() as conn:
        counts = {t.name: conn.execute(select(func.count()).select_from(t).where(t.c.run_id == run_id)).scalar_one()
                  for t in (db.pages, db.links, db.link_checks)}
    engine.dispose()
    return counts


def settings(web: SweepWeb, url: str, tmp_path: Path, **extra: object) -> dict[str, object]:
    return FAST | {"MONITOR_DATABASE_URL": url, "MONITOR_TARGETS": str(web.write_registry(tmp_path / "t.yaml"))} \
        | extra


@deferred_f_from_coro_f
async def test_sweep_finds_exactly_the_dead_links_with_page_and_anchor(sqlite_url: str, tmp_path: Path) -> None:
    site = small_site()
    upgrade(sqlite_url)
    with SweepWeb(site, latency=0.01) as web:  # answers that take a while, as a real site's do: requests overlap
        crawler = await crawl("sweep", settings(web, sqlite_url, tmp_path), run_id="full")
        truth = {(page, url, anchor) for page, url, anchor, _ in web.dead_links()}
        rows = bad_links(sqlite_url, "full")
        # politeness: the site never saw more than CONCURRENT_REQUESTS_PER_DOMAIN (2) requests at once, although
        # Scrapy 2.19's downloader alone lets a burst of links through together
        assert 0 < web.reset_peak() <= crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 2
    assert {(r["页面"], r["链接"], r["锚文本"]) for r in rows} == truth  # every occurrence, nothing else
    assert all(r["结果"].startswith("失效") for r in rows)  # no 待定 either: everything could be checked
    assert {r["结果"] for r in rows} == {"失效: HTTP 404", "失效: 连接被拒绝", "失效: 域名无法解析"}
    sweep = crawler.spider.sweeps["5300009001"]
    assert sweep.pages == len(depths(site)) and not sweep.cut_pages and not sweep.cut_depth
    # every distinct link checked once, and only the failing ones' occurrences stored
    engine = db.engine_for(sqlite_url)
    with engine.connect() as conn:
        checks = conn.execute(select(db.link_checks.c.url, db.link_checks.c.outcome, db.link_checks.c.status)
                              .where(db.link_checks.c.run_id == "full")).all()
    engine.dispose()
    dead_urls = {url for _, url, _ in truth}
    assert {c.url for c in checks if link_state(c.outcome, c.status) != "ok"} == dead_urls
    assert len(checks) == len({c.url for c in checks}) == crawler.stats.get_value("sweep/links_checked")
    assert web.hits["127.0.0.1"] < len(checks) + 5  # one request per link (HEAD refused by no server here)


@deferred_f_from_coro_f
async def test_depth_and_page_bounds_cut_what_they_say_and_report_it(sqlite_url: str, tmp_path: Path) -> None:
    site = small_site()
    depth = depths(site)
    upgrade(sqlite_url)
    with SweepWeb(site) as web:
        shallow = await crawl("sweep", settings(web, sqlite_url, tmp_path, MONITOR_SWEEP_MAX_DEPTH=5), run_id="d")
        few = await crawl("sweep", settings(web, sqlite_url, tmp_path, MONITOR_SWEEP_MAX_PAGES=20), run_id="p")
        truth = web.dead_links()
    sweep = shallow.spider.sweeps["5300009001"]
    assert sweep.pages == sum(d <= 5 for d in depth.values())
    cut = {f"{web.homepage}{p[1:]}" for p, d in depth.items() if d == 6}  # found on depth-5 pages, not visited
    assert sweep.cut_depth == cut and not sweep.cut_pages
    assert shallow.stats.get_value("sweep/cut_by_depth") == len(cut)
    assert f"超过深度上限(5), 未访问页面{len(cut)}个(链接已检查)" in shallow.spider.report_lines()[0]
    # the dead links on visited pages are all found; those only on deeper pages are not
    found = {(r["页面"], r["链接"]) for r in bad_links(sqlite_url, "d")}
    assert found == {(page, url) for page, url, _, _ in truth if depth[page.removeprefix(web.homepage[:-1])] <= 5}
    # pages past a bound are still checked as links (never left as if they worked)
    engine = db.engine_for(sqlite_url)
    with engine.connect() as conn:
        checked = set(conn.execute(select(db.link_checks.c.url).where(db.link_checks.c.run_id == "d")).scalars())
    engine.dispose()
    assert cut <= checked

    limited = few.spider.sweeps["5300009001"]
    assert limited.pages == 20 and limited.cut_pages and not limited.cut_depth
    assert few.stats.get_value("sweep/cut_by_pages") == len(limited.cut_pages)
    assert "已达页面数上限(20)" in few.spider.report_lines()[0]
    assert stored(sqlite_url, "p")["pages"] == 20


def test_govmon_sweep_writes_the_csv_and_a_rerun_stores_no_second_row(sqlite_url: str, tmp_path: Path) -> None:
    site = small_site()
    upgrade(sqlite_url)
    out = tmp_path / "dead.csv"
    with SweepWeb(site) as web:
        env = dict(os.environ, MONITOR_TARGETS=str(web.write_registry(tmp_path / "t.yaml")),
                   MONITOR_ALLOWED_NETWORKS="127.0.0.1", MONITOR_RUN_DIR=str(tmp_path / "runs"))
        command = [str(Path(sys.executable).with_name("govmon")), "sweep", "--database", sqlite_url, "--run-id", "again",
                   "--out", str(out), "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=WARNING"]
        counts = []
        for _ in range(2):
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)
            assert done.returncode == 0, done.stderr[-2000:]
            counts.append(stored(sqlite_url, "again"))
        truth = web.dead_links()
    assert counts[0] == counts[1] and all(counts[0].values())
    assert "失效链接6个, 待定链接0个" in done.stdout and f"失效链接 {len(truth)} 处, 待定链接 0 处" in done.stdout
    with out.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == CSV_HEADERS
        rows = list(reader)
    assert sorted((r["页面"], r["链接"], r["锚文本"]) for r in rows) == sorted(t[:3] for t in truth)
    assert {r["状态码"] for r in rows if r["结果"] == "失效: HTTP 404"} == {"404"}
