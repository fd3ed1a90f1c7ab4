"""页面底部标识 and the 找错 entrance: homepage marks, the registry's code and region, sampled pages."""

from __future__ import annotations

import pytest

from monitor.checks.model import FAIL, INCONCLUSIVE, PASS, REVIEW
from monitor.checks.rules import footer_marks, zhaocuo_entrance
from tests.test_rules import AS_OF, BOOK, HOME, facts, page, site_level


def article(n: int, **extra) -> dict:
    return page(f"{HOME}art/{n}.html", role="article", **extra)


@pytest.mark.parametrize("column", ["footer_conac", "footer_site_code", "footer_icp", "footer_police"])
def test_each_missing_homepage_mark_fails_by_name(column: str) -> None:
    findings = footer_marks.check(facts(homepage=page(**{column: None})), BOOK[footer_marks.CODE], AS_OF)
    failed = [f for f in findings if f.outcome == FAIL]
    label = dict(footer_marks.MARKS)[column]
    assert [f.subject for f in failed] == [label, ""]
    assert failed[0].reason == f"页面底部未标注{label}" and failed[1].reason == "页面底部标识不规范"
    assert failed[0].evidence["url"] == HOME


def test_central_code_has_no_region_to_compare() -> None:
    site = facts(homepage=page(footer_site_code="bm01000001"))
    site.site.update(site_code="bm01000001", region_code="100000")
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
    from dataclasses import replace

    site = replace(facts(homepage=page(footer_conac=False)), suppressed=frozenset({("footer_marks", "党政机关标识")}))
    findings = footer_marks.check(site, BOOK[footer_marks.CODE], AS_OF)
    assert [f.outcome for f in findings if f.subject == "党政机关标识"] == [FAIL]
    assert site_level(findings).outcome == PASS


def test_unreadable_homepage_is_inconclusive_for_footer_and_zhaocuo() -> None:
    home = page(outcome="timeout", status=None)
    assert [f.outcome for f in footer_marks.check(facts(homepage=home), BOOK[footer_marks.CODE], AS_OF)] == [INCONCLUSIVE]
    assert [f.outcome for f in zhaocuo_entrance.check(facts(homepage=home), BOOK[zhaocuo_entrance.CODE], AS_OF)] == [INCONCLUSIVE]


def test_zhaocuo_entrance_on_the_homepage() -> None:
    assert zhaocuo_entrance.check(facts(), BOOK[zhaocuo_entrance.CODE], AS_OF)[0].outcome == PASS
    f = zhaocuo_entrance.check(facts(homepage=page(footer_zhaocuo=False)), BOOK[zhaocuo_entrance.CODE], AS_OF)[0]
    assert (f.outcome, f.reason) == (FAIL, "首页未设置“我为政府网站找错”入口")
