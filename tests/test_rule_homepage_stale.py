"""首页不更新: the window's exact ends, undated items, future dates, navigation-only homepages, unreadable homepages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from monitor.checks.model import FAIL, INCONCLUSIVE, PASS
from monitor.checks.rules import homepage_stale
from tests.rule_facts import AS_OF, BOOK, column, entry, facts, page, site_level


def judge(**kw):
    return site_level(homepage_stale.check(facts(**kw), BOOK[homepage_stale.CODE], AS_OF))


@pytest.mark.parametrize(("days", "outcome"), [(13, PASS), (14, PASS), (15, FAIL), (40, FAIL)])
def test_newest_item_days_before_the_monitoring_point(days: int, outcome: str) -> None:
    f = judge(home_entries=[entry(AS_OF - timedelta(days=days)), entry(None)])
    assert f.outcome == outcome
    assert f.evidence["newest"] == str(AS_OF - timedelta(days=days)) and f.evidence["judged_by"] == "首页"
    assert f.threshold == "监测点前14天内(2021-02-17至2021-03-03)有更新"
    if outcome == FAIL:
        assert f.reason == "首页长期不更新"


@pytest.mark.parametrize(("age", "outcome"), [(14, PASS), (15, FAIL), (0, PASS)])
def test_homepage_window_includes_its_first_day(age: int, outcome: str) -> None:
    f = homepage_stale.check(facts(home_entries=[entry(AS_OF - timedelta(days=age))]), BOOK[homepage_stale.CODE], AS_OF)
    assert site_level(f).outcome == outcome


def test_window_follows_the_rulebook() -> None:
    from dataclasses import replace

    book = replace(BOOK, indicators={**BOOK.indicators,
                                     "homepage_stale": replace(BOOK["homepage_stale"], params={"window_days": 7})})
    f = homepage_stale.check(facts(home_entries=[entry(AS_OF - timedelta(days=8))]), book[homepage_stale.CODE], AS_OF)
    assert site_level(f).outcome == FAIL


def test_future_dates_are_not_updates() -> None:
    # A meeting announced for next month does not make a stale homepage fresh …
    f = judge(home_entries=[entry(date(2021, 4, 10)), entry(AS_OF - timedelta(days=30))])
    assert f.outcome == FAIL and f.evidence["ignored_future_dates"] == ["2021-04-10"]
    # … nor does it hide a fresh item; the next day is still accepted (time zones).
    assert judge(home_entries=[entry(date(2029, 1, 1)), entry(AS_OF - timedelta(days=2))]).outcome == PASS
    assert judge(home_entries=[entry(AS_OF + timedelta(days=1))]).outcome == PASS


def test_homepage_undated_items_count_as_not_updated_and_navigation_only_uses_columns() -> None:
    assert site_level(homepage_stale.check(facts(home_entries=[entry(None)]), BOOK[homepage_stale.CODE], AS_OF)).outcome == FAIL
    fresh = column("gzdt", "dynamic", AS_OF - timedelta(days=3))
    nav_only = homepage_stale.check(facts([fresh], home_entries=[]), BOOK[homepage_stale.CODE], AS_OF)
    assert site_level(nav_only).outcome == PASS and site_level(nav_only).evidence["judged_by"] == "二级页面"
    stale = column("gzdt", "dynamic", AS_OF - timedelta(days=30))
    assert site_level(homepage_stale.check(facts([stale], home_entries=[]), BOOK[homepage_stale.CODE], AS_OF)).outcome == FAIL


def test_navigation_only_homepage_is_judged_by_its_second_level_pages() -> None:
    fresh, old = column("gzdt", "dynamic", AS_OF - timedelta(days=14)), column("tzgg", "notice", date(2020, 12, 1))
    f = judge(columns=[fresh, old], home_entries=[entry(None)])  # only undated items (menus): navigation
    assert (f.outcome, f.evidence["judged_by"]) == (PASS, "二级页面")
    f = judge(columns=[column("gzdt", "dynamic", AS_OF - timedelta(days=15)), old], home_entries=[])
    assert (f.outcome, f.evidence["judged_by"]) == (FAIL, "二级页面")
    # Undated items and no columns to look at: undated counts as not updated (2015 note).
    assert judge(home_entries=[entry(None)]).outcome == FAIL


def test_navigation_only_homepage_with_an_unreadable_column_is_inconclusive_not_stale() -> None:
    old = column("gzdt", "dynamic", AS_OF - timedelta(days=30))
    slow = column("tzgg", "notice", None, outcome="timeout", status=None, entries=0)
    f = judge(columns=[old, slow], home_entries=[])
    assert (f.outcome, f.reason) == (INCONCLUSIVE, "部分二级页面无法读取,待复核")
    assert f.evidence["unreadable_columns"] == [slow.url]
    gone = column("tzgg", "notice", None, outcome="http", status=404, entries=0)  # broken: nothing to wait for
    assert judge(columns=[old, gone], home_entries=[]).outcome == FAIL


def test_homepage_unreadable_is_inconclusive() -> None:
    f = homepage_stale.check(facts(homepage=page(outcome="timeout", status=None)), BOOK[homepage_stale.CODE], AS_OF)
    assert site_level(f).outcome == INCONCLUSIVE


@pytest.mark.parametrize(("outcome", "status", "state"), [("timeout", None, "unsure"), ("http", 403, "unsure"),
                                                          ("http", 404, "broken"), ("dns", None, "broken")])
def test_homepage_that_did_not_load_is_inconclusive(outcome: str, status: int | None, state: str) -> None:
    f = judge(homepage=page(outcome=outcome, status=status))
    assert f.outcome == INCONCLUSIVE and f.evidence["state"] == state  # 无法访问 is the probes' verdict


def test_challenge_homepage_is_inconclusive_with_its_reason_never_stale() -> None:
    f = judge(homepage=page(outcome="challenge", status=202, error="瑞数"), home_entries=[])
    assert (f.outcome, f.reason, f.evidence["error"]) == (INCONCLUSIVE, "首页为反爬虫验证页,待复核", "瑞数")
