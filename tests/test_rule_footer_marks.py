"""页面底部标识: homepage marks, the registry's code and region, sampled pages (a wrong code fails, a mark not found
is only reviewed), an unreadable homepage, reviewers' false positives."""

from __future__ import annotations

from dataclasses import replace

import pytest

from monitor.checks.model import FAIL, INCONCLUSIVE, PASS, REVIEW
from monitor.checks.rules import footer_marks
from tests.rule_facts import AS_OF, BOOK, HOME, facts, page, site_level


def article(n: int, **extra):
    return page(f"{HOME}art/{n}.html", role="article", **extra)


def test_footer_marks_presence_equality_and_region() -> None:
    assert site_level(footer_marks.check(facts(), BOOK[footer_marks.CODE], AS_OF)).outcome == PASS
    wrong = footer_marks.check(facts(homepage=page(footer_site_code="5325999999", footer_police=None)), BOOK[footer_marks.CODE], AS_OF)
    failed = {f.subject for f in wrong if f.outcome == FAIL}
    assert failed == {"公安机关备案号", "网站标识码一致性", "网站标识码区划", ""}
    other_region = footer_marks.check(facts(homepage=page(footer_site_code="5325010002")), BOOK[footer_marks.CODE], AS_OF)
    assert {f.subject for f in other_region if f.outcome == FAIL} == {"网站标识码一致性", "网站标识码区划", ""}


@pytest.mark.parametrize("column", ["footer_conac", "footer_site_code", "footer_icp", "footer_police"])
def test_each_missing_homepage_mark_fails_by_name(column: str) -> None:
    findings = footer_marks.check(facts(homepage=page(**{column: None})), BOOK[footer_marks.CODE], AS_OF)
    failed = [f for f in findings if f.outcome == FAIL]
    label = dict(footer_marks.MARKS)[column]
    assert [f.subject for f in failed] == [label, ""]
    assert failed[0].reason == f"页面底部未标注{label}" and failed[1].reason == "页面底部标识不规范"
    assert failed[0].evidence["url"] == HOME


def test_region_boundary_is_the_first_six_digits() -> None:
    """Same region, other site: only the equality fails; the region compares the code's first 6 digits exactly."""
    same_region = footer_marks.check(facts(homepage=page(footer_site_code="5325000002")), BOOK[footer_marks.CODE], AS_OF)
    assert {f.subject for f in same_region if f.outcome == FAIL} == {"网站标识码一致性", ""}
    f = next(f for f in footer_marks.check(facts(homepage=page(footer_site_code="5325010002")), BOOK[footer_marks.CODE],
                                           AS_OF) if f.subject == "网站标识码区划")
    assert (f.observed, f.threshold) == ("532501", "532500")


def test_central_code_has_no_region_to_compare() -> None:
    site = facts(homepage=page(footer_site_code="bm01000001"))
    site = replace(site, site=replace(site.site, site_code="bm01000001", region_code="100000"))
    assert site_level(footer_marks.check(site, BOOK[footer_marks.CODE], AS_OF)).outcome == PASS


def test_sampled_pages_wrong_code_fails_missing_mark_is_only_reviewed() -> None:
    pages = [page(), article(1), article(2, footer_icp=None), article(3, footer_icp=None, footer_site_code=None),
             article(4, footer_site_code="5325010002"), article(5, outcome="timeout", footer_icp=None)]
    findings = footer_marks.check(facts(pages=pages), BOOK[footer_marks.CODE], AS_OF)
    by = {f.subject: f for f in findings}
    wrong = by["网站标识码一致性@其他页面"]
    assert (wrong.outcome, wrong.observed, wrong.threshold) == (FAIL, "5325010002", "5325000001")
    assert wrong.evidence["examples"] == [f"{HOME}art/4.html"] and wrong.evidence["parent_url"] == HOME
    icp = by["ICP备案号@其他页面"]
    assert (icp.outcome, icp.observed, icp.evidence["pages"]) == (REVIEW, "2/4个页面", 2)  # the timeout is not judged
    assert by["网站标识码@其他页面"].outcome == REVIEW and "党政机关标识@其他页面" not in by
    assert site_level(findings).outcome == FAIL and site_level(findings).observed == "网站标识码一致性@其他页面"
    clean = [page(), article(1), article(2, footer_icp=None)]
    assert site_level(footer_marks.check(facts(pages=clean), BOOK[footer_marks.CODE], AS_OF)).outcome == PASS  # review ≠ failure


def test_false_positive_mark_does_not_fail_the_indicator() -> None:
    site = replace(facts(homepage=page(footer_conac=False)), suppressed=frozenset({("footer_marks", "党政机关标识")}))
    findings = footer_marks.check(site, BOOK[footer_marks.CODE], AS_OF)
    assert [f.outcome for f in findings if f.subject == "党政机关标识"] == [FAIL]
    assert site_level(findings).outcome == PASS


@pytest.mark.parametrize("home", [page(outcome="timeout", status=None), page(outcome="challenge", status=412), None])
def test_unreadable_homepage_is_inconclusive(home) -> None:
    site = facts(homepage=home) if home is not None else replace(facts(), homepage=None)
    findings = footer_marks.check(site, BOOK[footer_marks.CODE], AS_OF)
    assert [(f.outcome, f.reason) for f in findings] == [(INCONCLUSIVE, "首页无法读取,待复核")]
