"""链接可用性 judged from the full link sweep: `govmon crawl`, `govmon sweep` and `govmon evaluate` run for real on a
generated site (monitor/simweb/sweepsite.py) whose only dead links lie deeper than the daily crawl goes; then the
choice of the sweep (monitor/checks/facts.py sweep_for) on stored runs, on both back ends: only a finished sweep of
the period, never a killed one, and what its bounds left out is 待定, never 合格."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from monitor import db
from monitor.checks.rules.broken_links import CUT_REASON, UNKNOWN_CUT_REASON
from monitor.evaluate import evaluate
from monitor.migrate import upgrade
from monitor.registry import import_files
from monitor.simweb.sweepsite import DEAD_KINDS, SITE_CODE, SweepSite, SweepWeb, generate_sweep_site
from monitor.spiders.sweep import bad_links
from tests import test_evaluate as _evaluate
from tests.test_evaluate import BOOK, NO_PROBES
from tests.test_website_spider import rows

GOVMON = str(Path(sys.executable).with_name("govmon"))
QUIET = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=WARNING", "-s", "DOWNLOAD_TIMEOUT=5"]
AS_OF = datetime(2021, 3, 3)


def deep_only_site() -> SweepSite:
    """71 pages, 6 dead links on a list page three steps down, an article it lists and nested 专题 pages at depth 7
    and 8; the one the generator puts on the homepage is taken off, so the daily crawl (homepage, first list pages)
    meets none of them."""
    site = generate_sweep_site(64, 6, nested_depth=8, leaves=1)
    title, links = site.pages["/"]
    site.pages["/"] = (title, [link for link in links if link.kind not in DEAD_KINDS])
    return site


def govmon(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run([GOVMON, *args], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-2000:])
    return done.stdout


def site_finding(engine, period: str = "2021Q1") -> dict[str, Any]:
    (row,) = rows(engine, db.findings, period=period, target_id=SITE_CODE, indicator="broken_links", subject="")
    return dict(row)


def link_findings(engine) -> dict[str, dict[str, Any]]:
    return {r["subject"]: dict(r) for r in rows(engine, db.findings, target_id=SITE_CODE, indicator="broken_links")
            if r["subject"]}


def test_deep_dead_links_only_the_sweep_reaches_fail_the_indicator(db_url: str, tmp_path: Path) -> None:
    """The daily crawl sees no dead link: 合格 on 链接可用性. The sweep of the same site finds the deep ones: the next
    evaluation fails the indicator with every dead link, its page and anchor, and says it read a sweep (run id, date,
    pages). A sweep cut by its page bound that found none is 待定 with the reason, never 合格."""
    engine = db.engine_for(db_url)
    upgrade(engine)
    with SweepWeb(deep_only_site()) as web:
        import_files(engine, [web.write_registry(tmp_path / "targets.yaml")])
        env = dict(os.environ, MONITOR_ALLOWED_NETWORKS="127.0.0.1", MONITOR_RUN_DIR=str(tmp_path / "runs"),
                   MONITOR_DATABASE_URL=db_url)
        env.pop("MONITOR_TARGETS", None)  # the registry is the database's
        govmon("crawl", "--run-id", "daily", "--as-of", "2021-03-03", *QUIET, env=env)
        evaluate_args = ("evaluate", "--period", "2021Q1", "--as-of", "2021-03-03", "--not-monitored",
                         ",".join(NO_PROBES))
        govmon(*evaluate_args, env=env)
        assert bad_links(db_url, "daily") == []  # the sample met no dead link …
        sampled = site_finding(engine)
        assert (sampled["outcome"], sampled["observed"]) == ("pass", "首页不可用链接0个,其他页面0个")
        assert "source" not in sampled["evidence"]

        govmon("sweep", "--run-id", "full", "--as-of", "2021-03-02", "--out", str(tmp_path / "dead.csv"), *QUIET,
               env=env)
        govmon(*evaluate_args, env=env)
        truth = web.dead_links()
    assert truth and all(page != web.homepage for page, *_ in truth)
    swept = site_finding(engine)
    pages = len(rows(engine, db.pages, run_id="full"))
    dead_urls = {url for _, url, _, _ in truth}
    assert swept["outcome"] == "fail" and swept["reason"] == "存在不可用链接"
    assert swept["observed"] == f"全站扫描{pages}个页面,首页不可用链接0个,其他页面{len(dead_urls)}个"
    assert swept["evidence"] == {"home": 0, "other": len(dead_urls), "as_of": "2021-03-03", "source": "sweep",
                                 "run_id": "full", "sweep_as_of": "2021-03-02", "pages": pages}
    found = link_findings(engine)
    assert set(found) == dead_urls
    occurrences = {(page, url, anchor) for page, url, anchor, _ in truth}
    for url, f in found.items():  # one finding per dead URL, at one of the pages it is on, with its anchor
        assert (f["evidence"]["parent_url"], url, f["evidence"]["anchor"]) in occurrences
        assert (f["outcome"], f["reason"], f["evidence"]["run_id"]) == ("fail", "其他页面存在不可用链接", "full")
    opened = {r["subject"] for r in rows(engine, db.violations, indicator="broken_links") if r["resolved_at"] is None}
    assert opened == dead_urls | {""}

    # A later sweep of the period, cut by its page bound before any dead link: 待定 (the open violations stay open).
    with SweepWeb(deep_only_site()) as web:
        with engine.begin() as conn:  # the new server's port
            conn.execute(db.websites.update().where(db.websites.c.site_code == SITE_CODE)
                         .values(homepage=web.homepage))
        govmon("sweep", "--run-id", "cut", "--as-of", "2021-03-03", "--max-pages", "10",
               "--out", str(tmp_path / "cut.csv"), *QUIET, env=env)
        govmon(*evaluate_args, env=env)
    stats = rows(engine, db.runs, run_id="cut")[0]["stats"]
    assert stats["sweep/pages"] == 10 and stats["sweep/cut_by_pages"] > 0 and bad_links(db_url, "cut") == []
    cut = site_finding(engine)
    assert (cut["outcome"], cut["reason"]) == ("inconclusive", CUT_REASON)
    assert cut["observed"] == f"全站扫描10个页面,首页不可用链接0个,其他页面0个,另有{stats['sweep/cut_by_pages']}个页面因页面数上限未访问"
    assert (cut["evidence"]["run_id"], cut["evidence"]["cut_pages"]) == ("cut", stats["sweep/cut_by_pages"])
    still = {r["subject"] for r in rows(engine, db.violations, indicator="broken_links") if r["resolved_at"] is None}
    assert still == opened  # an inconclusive indicator resolves nothing


# ---------------------------------------------------------------- stored runs (fast, both back ends)

PORTAL, DEPT, P_HOME, D_HOME = _evaluate.PORTAL, _evaluate.DEPT, _evaluate.P_HOME, _evaluate.D_HOME
DEEP = P_HOME + "zt/d7/p0.html"  # a page three 专题 levels below anything the daily crawl reads
GONE = P_HOME + "gone/1.html"
FULL_STATS = {"sweep/pages": 3, "sweep/cut_by_pages": 0, "sweep/cut_by_depth": 0}


def sweep_run(engine, run_id: str, as_of: date, status: str = "finished", stats: dict | None = None,
              dead: tuple[tuple[str, str, str], ...] = ((DEEP, GONE, "相关链接1"),), site: str = PORTAL,
              home: str = P_HOME, home_outcome: str = "ok") -> None:
    """The rows a sweep of `site` stores: its run, a pages row per visited page, and for each dead link a link_checks
    row and a links row (page, link, anchor) — the sweep stores no row for a link that works."""
    at = datetime.combine(as_of, datetime.min.time())
    with engine.begin() as conn:
        if not conn.execute(select(db.runs.c.run_id).where(db.runs.c.run_id == run_id)).scalar():
            conn.execute(db.runs.insert().values(run_id=run_id, spider="sweep", as_of=as_of, started_at=at,
                                                 finished_at=at, status=status,
                                                 stats=FULL_STATS if stats is None else stats))
        visited = [(home, "home", home_outcome)] + [(u, "page", "ok") for u in (home + "zt/", DEEP if site == PORTAL
                                                                                else home + "a.html")]
        conn.execute(db.pages.insert(), [{"run_id": run_id, "site_code": site, "url": u, "role": role, "outcome": o,
                                          "status": 200 if o == "ok" else None, "fetched_at": at}
                                         for u, role, o in visited])
        for page, url, anchor in dead:
            conn.execute(db.link_checks.insert().values(run_id=run_id, url=url, checked_at=at, method="HEAD",
                                                        status=404, outcome="http"))
            conn.execute(db.links.insert().values(run_id=run_id, site_code=site, source_url=page, url=url, tag="a",
                                                  anchor=anchor, on_homepage=page == home))


@pytest.fixture
def crawled(db_url: str):
    """Both sites of test_evaluate's registry crawled on 2021-03-03 (every column filled, no dead link)."""
    engine = db.engine_for(db_url)
    upgrade(engine)
    columns = _evaluate.registry(engine)
    _evaluate.crawl_run(engine, "daily", AS_OF, blank=0, columns=columns)
    yield engine
    engine.dispose()


def judged(engine, site: str = PORTAL) -> dict[str, Any]:
    evaluate(engine, "2021Q1", AS_OF, book=BOOK, not_monitored=NO_PROBES)
    (row,) = rows(engine, db.findings, period="2021Q1", target_id=site, indicator="broken_links", subject="")
    return dict(row)


def test_only_a_finished_sweep_of_the_period_is_used(crawled) -> None:
    engine = crawled
    assert judged(engine)["outcome"] == "pass"  # no sweep: the sampled crawl, as before
    others = {(r["indicator"], r["subject"], r["outcome"], r["observed"]) for r in rows(engine, db.findings)
              if r["indicator"] != "broken_links"}
    # a killed sweep (mark_killed), one a shutdown cut short, one of the previous quarter, one made after the
    # monitoring point and one that could not read the homepage: each saw the dead link, none is used
    sweep_run(engine, "killed", date(2021, 3, 2), status="killed")
    sweep_run(engine, "shutdown", date(2021, 3, 2), status="shutdown")
    sweep_run(engine, "last-quarter", date(2020, 12, 30))
    sweep_run(engine, "later", date(2021, 3, 4))
    sweep_run(engine, "no-home", date(2021, 3, 2), home_outcome="timeout")
    unchanged = judged(engine)
    assert (unchanged["outcome"], unchanged["observed"]) == ("pass", "首页不可用链接0个,其他页面0个")
    assert "source" not in unchanged["evidence"]

    sweep_run(engine, "full", date(2021, 1, 20))  # finished inside the quarter, before the monitoring point
    swept = judged(engine)
    assert (swept["outcome"], swept["observed"]) == ("fail", "全站扫描3个页面,首页不可用链接0个,其他页面1个")
    assert swept["evidence"] == {"home": 0, "other": 1, "as_of": "2021-03-03", "source": "sweep", "run_id": "full",
                                 "sweep_as_of": "2021-01-20", "pages": 3}
    (link,) = [r for r in rows(engine, db.findings, indicator="broken_links") if r["subject"]]
    assert (link["subject"], link["outcome"], link["reason"]) == (GONE, "fail", "其他页面存在不可用链接")
    assert (link["evidence"]["parent_url"], link["evidence"]["anchor"], link["observed"]) == (DEEP, "相关链接1",
                                                                                            "http 404")
    # only 链接可用性 switched: every other indicator reads the sampled crawl as before
    assert {(r["indicator"], r["subject"], r["outcome"], r["observed"]) for r in rows(engine, db.findings)
            if r["indicator"] != "broken_links"} == others
    # the department site was not swept: judged from the crawl
    assert judged(engine, DEPT)["observed"] == "首页不可用链接0个,其他页面0个"

    # a later finished sweep that found the link fixed wins: the violation is resolved
    sweep_run(engine, "again", date(2021, 3, 1), dead=())
    fixed = judged(engine)
    assert (fixed["outcome"], fixed["evidence"]["run_id"]) == ("pass", "again")
    (v,) = rows(engine, db.violations, indicator="broken_links", subject=GONE)
    assert v["resolved_at"] == AS_OF


def test_what_the_bounds_left_out_is_inconclusive_and_a_found_dead_link_still_fails(crawled) -> None:
    engine = crawled
    sweep_run(engine, "cut", date(2021, 3, 1), dead=(), stats=FULL_STATS | {"sweep/cut_by_depth": 12})
    cut = judged(engine)
    assert (cut["outcome"], cut["reason"]) == ("inconclusive", CUT_REASON)
    assert cut["observed"] == "全站扫描3个页面,首页不可用链接0个,其他页面0个,另有12个页面因深度上限未访问"
    assert cut["evidence"]["cut_depth"] == 12 and "cut_pages" not in cut["evidence"]

    # the links past the per-page cap, counted by the run
    sweep_run(engine, "capped", date(2021, 3, 2), dead=(), stats=FULL_STATS | {"sweep/links_cut_on_pages": 400})
    capped = judged(engine)
    assert (capped["outcome"], capped["reason"], capped["evidence"]["unchecked"]) == (
        "inconclusive", "部分链接超出每页上限未检查,待复核", 400)

    # cut by pages but a dead link found: 不合格 as a lower bound, the cut said
    sweep_run(engine, "cut-dead", date(2021, 3, 3), stats=FULL_STATS | {"sweep/cut_by_pages": 30})
    failed = judged(engine)
    assert (failed["outcome"], failed["evidence"]["run_id"], failed["evidence"]["cut_pages"]) == ("fail", "cut-dead", 30)
    assert failed["observed"].endswith(",其他页面1个,另有30个页面因页面数上限未访问")


def test_a_run_of_several_sites_charges_its_cuts_to_each_and_a_run_without_counts_is_inconclusive(crawled) -> None:
    engine = crawled
    stats = FULL_STATS | {"sweep/cut_by_pages": 7}
    sweep_run(engine, "both", date(2021, 3, 2), dead=(), stats=stats)
    sweep_run(engine, "both", date(2021, 3, 2), dead=(), site=DEPT, home=D_HOME)
    for site in (PORTAL, DEPT):  # the run counts its cuts, not per site: neither can be 合格
        f = judged(engine, site)
        assert (f["outcome"], f["reason"]) == ("inconclusive", CUT_REASON)
        assert f["observed"].endswith("另有7个页面因页面数上限未访问(为本次扫描2个网站合计)")
        assert f["evidence"]["sites_in_run"] == 2

    # a sweep whose run record does not say what its bounds left out (a run recorded without the sweep's counts)
    sweep_run(engine, "uncounted", date(2021, 3, 3), dead=(), stats={"finish_reason": "finished"})
    f = judged(engine)
    assert (f["outcome"], f["reason"], f["evidence"]["cut_unknown"]) == ("inconclusive", UNKNOWN_CUT_REASON, True)


def test_a_sweep_is_never_judged_as_the_crawl(crawled) -> None:
    engine = crawled
    sweep_run(engine, "full", date(2021, 3, 2))
    with pytest.raises(ValueError, match="full link sweep"):
        evaluate(engine, "2021Q1", AS_OF, run_id="full", book=BOOK, not_monitored=NO_PROBES)
    # a site swept but not crawled in the window keeps 无监测数据 on every crawl indicator, 链接可用性 included
    with engine.begin() as conn:
        conn.execute(db.runs.delete().where(db.runs.c.run_id == "daily"))
    f = judged(engine)
    assert (f["outcome"], f["reason"]) == ("inconclusive", "无监测数据")
