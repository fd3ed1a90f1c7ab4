"""我为政府网站找错入口: the entrance on the homepage as read (rendered when script-written); an unreadable homepage is
inconclusive."""

from __future__ import annotations

from dataclasses import replace

import pytest

from monitor.checks.model import FAIL, INCONCLUSIVE, PASS
from monitor.checks.rules import zhaocuo_entrance
from tests.rule_facts import AS_OF, BOOK, HOME, facts, page


def judge(site):
    return zhaocuo_entrance.check(site, BOOK[zhaocuo_entrance.CODE], AS_OF)


def test_zhaocuo_entrance_on_the_homepage() -> None:
    assert judge(facts())[0].outcome == PASS
    f = judge(facts(homepage=page(footer_zhaocuo=False)))[0]
    assert (f.outcome, f.reason) == (FAIL, "首页未设置“我为政府网站找错”入口")


def test_an_entrance_on_another_page_only_does_not_count() -> None:
    """Boundary: the homepage decides; an article carrying the entrance does not make up for it."""
    home = page(footer_zhaocuo=False)
    article = page(HOME + "art/1.html", role="article", footer_zhaocuo=True)
    (f,) = judge(facts(homepage=home, pages=[home, article]))
    assert (f.outcome, f.observed, f.evidence["url"]) == (FAIL, "无", HOME)


def test_unreadable_homepage_is_inconclusive_for_zhaocuo() -> None:
    home = page(outcome="timeout", status=None)
    assert [f.outcome for f in judge(facts(homepage=home))] == [INCONCLUSIVE]


@pytest.mark.parametrize("outcome", ["blocked", "login", "http"])
def test_a_homepage_that_is_not_the_homepage_is_inconclusive(outcome: str) -> None:
    (f,) = judge(facts(homepage=page(outcome=outcome, status=403, footer_zhaocuo=False)))
    assert (f.outcome, f.reason) == (INCONCLUSIVE, "首页无法读取,待复核")
    assert judge(replace(facts(), homepage=None))[0].outcome == INCONCLUSIVE
