"""链接可用性: what is broken and what may be our own blocking, each URL once (on the homepage first), the status
boundary, reviewers' false positives, the per-place deduction a rulebook sets."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from monitor.checks.model import FAIL, INCONCLUSIVE, PASS
from monitor.checks.rulebook import load_rulebook
from monitor.checks.rules import broken_links
from tests.rule_facts import AS_OF, BOOK, HOME, facts, link, page, site_level, sweep_run


def judge(links, book=BOOK):
    return broken_links.check(facts(links=links), book[broken_links.CODE], AS_OF)


def test_broken_links_counted_per_place_and_blocking_answers_are_inconclusive() -> None:
    links = [link(HOME + "a", "http", 404), link(HOME + "b", "http", 500, on_home=False),
             link(HOME + "c", "dns", None, on_home=False), link(HOME + "d", "http", 403),
             link(HOME + "e", "http", 429), link(HOME + "f", "timeout", None), link(HOME + "g", "ok", 200)]
    findings = judge(links)
    by = {f.subject: f.outcome for f in findings}
    assert by == {HOME + "a": FAIL, HOME + "b": FAIL, HOME + "c": FAIL, HOME + "d": INCONCLUSIVE,
                  HOME + "e": INCONCLUSIVE, HOME + "f": INCONCLUSIVE, "": FAIL}
    assert site_level(findings).evidence == {"home": 1, "other": 2, "as_of": str(AS_OF)}
    assert next(f for f in findings if f.subject == HOME + "a").evidence["parent_url"] == HOME


def test_a_broken_url_linked_from_several_pages_counts_once_on_the_homepage() -> None:
    links = [link(HOME + "gone", "http", 404, on_home=False), link(HOME + "gone", "http", 404, on_home=True),
             link(HOME + "x", "http", 410, on_home=False), link(HOME + "y", None, None)]
    findings = judge(links)
    assert [(f.subject, f.reason) for f in findings if not f.site_level] == [
        (HOME + "gone", "首页存在不可用链接"), (HOME + "x", "其他页面存在不可用链接")]
    assert site_level(findings).observed == "首页不可用链接1个,其他页面1个"  # the unchecked link is not judged


def test_links_that_open_are_never_broken() -> None:
    links = [link(HOME + "a", "ok", 200), link(HOME + "b", "http", 301), link(HOME + "c", "not_html", 200),
             link(HOME + "d", "too_large", 200)]
    assert [f.outcome for f in judge(links)] == [PASS]


@pytest.mark.parametrize(("status", "outcome"), [(399, None), (400, FAIL), (407, INCONCLUSIVE), (408, INCONCLUSIVE),
                                                 (409, FAIL), (None, None)])
def test_status_boundary(status: int | None, outcome: str | None) -> None:
    found = [f.outcome for f in judge([link(HOME + "s", "http", status)]) if not f.site_level]
    assert found == ([] if outcome is None else [outcome])


def test_an_only_inconclusive_link_leaves_the_indicator_passing() -> None:
    findings = judge([link(HOME + "slow", "timeout", None, error="20s")])
    assert (site_level(findings).outcome, site_level(findings).observed) == (PASS, "首页不可用链接0个,其他页面0个")
    (slow,) = [f for f in findings if not f.site_level]
    assert (slow.reason, slow.evidence["error"]) == ("链接暂时无法访问,待复核", "20s")


def test_false_positive_links_are_not_counted() -> None:
    site = replace(facts(links=[link(HOME + "a", "http", 404)]), suppressed=frozenset({("broken_links", HOME + "a")}))
    assert site_level(broken_links.check(site, BOOK[broken_links.CODE], AS_OF)).outcome == PASS


def test_deduction_per_place_from_the_rulebook(tmp_path: Path) -> None:
    local = tmp_path / "city.yaml"
    local.write_text("indicators:\n  broken_links: {points: 4, params: {home_points_each: 1, other_points_each: 0.5}}\n",
                     encoding="utf-8")
    book = load_rulebook(local)
    findings = judge([link(HOME + "a", "http", 404), link(HOME + "b", "http", 404, on_home=False),
                      link(HOME + "c", "timeout", None)], book)
    assert broken_links.deduction(findings, book[broken_links.CODE]) == 1.5  # the inconclusive one costs nothing
    assert broken_links.deduction(findings, BOOK[broken_links.CODE]) == 0  # national points unknown


def test_links_left_unchecked_past_the_per_page_cap_leave_the_indicator_inconclusive() -> None:
    """A page of 100,000 links had 97,000 never checked (pages.cut): none broken among the checked ones is not
    合格; a broken one found still fails, the unchecked ones noted."""
    crowded = [page(), page(HOME + "map.html", role="article", cut={"links": 97000, "entries": 3})]
    f = site_level(broken_links.check(facts(links=[link(HOME + "a", "ok", 200)], pages=crowded),
                                      BOOK[broken_links.CODE], AS_OF))
    assert (f.outcome, f.reason) == (INCONCLUSIVE, "部分链接超出每页上限未检查,待复核")
    assert f.observed == "首页不可用链接0个,其他页面0个,另有97000个链接超出每页上限未检查"
    assert f.evidence == {"home": 0, "other": 0, "as_of": str(AS_OF), "unchecked": 97000}
    broken = site_level(broken_links.check(facts(links=[link(HOME + "a", "http", 404)], pages=crowded),
                                           BOOK[broken_links.CODE], AS_OF))
    assert (broken.outcome, broken.evidence["unchecked"]) == (FAIL, 97000)
    other_cuts = [page(cut={"xhr_lists": 5})]  # nothing of the links was left out
    assert site_level(broken_links.check(facts(links=[], pages=other_cuts), BOOK[broken_links.CODE],
                                         AS_OF)).outcome == PASS


SWEPT = {"source": "sweep", "run_id": "sw1", "sweep_as_of": "2021-03-01", "pages": 500}


def judge_sweep(sweep, links=(), pages=None):
    return broken_links.check(facts(links=links, pages=pages, sweep=sweep), BOOK[broken_links.CODE], AS_OF)


def test_the_sweep_replaces_the_sampled_crawl_and_says_so() -> None:
    """The crawl's own links and page cuts no longer count: the sweep saw every page; findings name the sweep."""
    deep = HOME + "zt/d9/p1.html"
    crowded = [page(cut={"links": 50})]
    findings = judge_sweep(sweep_run([link(HOME + "gone", "http", 404, on_home=False, source_url=deep,
                                           anchor="旧专题")]), [link(HOME + "crawl-only", "http", 404)], crowded)
    assert [f.subject for f in findings if not f.site_level] == [HOME + "gone"]
    (gone,) = [f for f in findings if not f.site_level]
    assert (gone.evidence["parent_url"], gone.evidence["anchor"], gone.evidence["run_id"]) == (deep, "旧专题", "sw1")
    f = site_level(findings)
    assert (f.outcome, f.observed) == (FAIL, "全站扫描500个页面,首页不可用链接0个,其他页面1个")
    assert f.evidence == {"home": 0, "other": 1, "as_of": str(AS_OF)} | SWEPT
    clean = site_level(judge_sweep(sweep_run(), [link(HOME + "crawl-only", "http", 404)], crowded))
    assert (clean.outcome, clean.observed) == (PASS, "全站扫描500个页面,首页不可用链接0个,其他页面0个")


@pytest.mark.parametrize(("cuts", "reason", "words"), [
    ({"cut_pages": 40}, broken_links.CUT_REASON, ",另有40个页面因页面数上限未访问"),
    ({"cut_depth": 3, "unchecked": 9}, broken_links.CUT_REASON,
     ",另有3个页面因深度上限未访问,另有9个链接超出每页上限未检查"),
    ({"unchecked": 9}, "部分链接超出每页上限未检查,待复核", ",另有9个链接超出每页上限未检查"),
    ({"cut_pages": 4, "sites": 3}, broken_links.CUT_REASON, ",另有4个页面因页面数上限未访问(为本次扫描3个网站合计)"),
    ({"cut_known": False}, broken_links.UNKNOWN_CUT_REASON, ",未访问的页面数未记录"),
])
def test_what_a_sweep_left_unvisited_is_inconclusive_never_a_pass(cuts: dict, reason: str, words: str) -> None:
    f = site_level(judge_sweep(sweep_run(**cuts)))
    assert (f.outcome, f.reason, f.observed) == (INCONCLUSIVE, reason, "全站扫描500个页面,首页不可用链接0个,其他页面0个" + words)
    dead = site_level(judge_sweep(sweep_run([link(HOME + "gone", "http", 410)], **cuts)))  # a lower bound
    assert (dead.outcome, dead.observed) == (FAIL, "全站扫描500个页面,首页不可用链接1个,其他页面0个" + words)
    assert (dead.evidence.get("cut_pages"), dead.evidence.get("sites_in_run")) == (cuts.get("cut_pages"),
                                                                                   cuts.get("sites"))
