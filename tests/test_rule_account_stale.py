"""内容不更新 (new media): the 14-day window's exact ends, the monitoring day's last minute, future and pinned posts,
unreadable accounts, undated posts and readings made before the monitoring point."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta

import pytest

from monitor.checks.model import FAIL, INCONCLUSIVE, PASS
from monitor.checks.rules import account_stale
from monitor.platforms.base import UNREADABLE
from tests.account_facts import AS_OF, BOOK, FETCHED, days_before, facts, post, reading, whole


def judge(book=BOOK, **kw):
    return whole(account_stale.check(facts(**kw), book[account_stale.CODE], AS_OF))


@pytest.mark.parametrize(("days", "at", "outcome"), [
    (0, time(0, 0), PASS), (13, time(9, 0), PASS), (14, time(0, 0), PASS), (14, time(23, 59), PASS),
    (15, time(23, 59, 59), FAIL), (15, time(0, 0), FAIL), (60, time(12, 0), FAIL)])
def test_newest_post_days_before_the_monitoring_point(days: int, at: time, outcome: str) -> None:
    newest = days_before(days, at)
    f = judge(posts=[post(newest, 0), post(days_before(90), 1)])
    assert f.outcome == outcome
    assert f.threshold == "监测时间点前2周内(2021-02-17至2021-03-03)有更新"
    assert f.evidence["newest"] == str(newest) and f.evidence["fetched_at"] == str(FETCHED)
    assert f.evidence["time_source"] == "api" and f.evidence["post"] == "https://mp.weixin.qq.com/s/0"
    if outcome == FAIL:
        assert f.reason == "内容更新不及时" and f.observed.startswith("监测时间点前2周内无更新")


def test_a_post_at_2359_of_the_monitoring_day_counts_and_a_later_one_is_ignored() -> None:
    last_minute = datetime.combine(AS_OF, time(23, 59))
    f = judge(posts=[post(last_minute, 0), post(days_before(30), 1)], check=reading(fetched_at=last_minute))
    assert (f.outcome, f.evidence["newest"]) == (PASS, str(last_minute))
    next_day = datetime.combine(AS_OF + timedelta(days=1), time(0, 0))
    f = judge(posts=[post(next_day, 0), post(days_before(30), 1)])
    assert (f.outcome, f.evidence["newest"]) == (FAIL, str(days_before(30)))
    assert f.evidence["ignored_future_times"] == [str(next_day)]


def test_a_future_post_never_freshens_an_account_nor_hides_a_fresh_one() -> None:
    future = datetime(2029, 1, 1, 8, 0)  # the platform's clock, or a typo
    assert judge(posts=[post(future, 0), post(days_before(20), 1)]).outcome == FAIL
    assert judge(posts=[post(future, 0), post(days_before(2), 1)]).outcome == PASS
    only_future = judge(posts=[post(future, 0)])
    assert (only_future.outcome, only_future.reason) == (INCONCLUSIVE, "监测时间点前的发布内容未能读取")


def test_pinned_posts_count_by_their_own_time_only() -> None:
    pinned_old = post(days_before(200), 0, pinned=True)  # on top of the timeline, but old
    assert judge(posts=[pinned_old, post(days_before(20), 1)]).outcome == FAIL
    assert judge(posts=[pinned_old, post(days_before(3), 1)]).outcome == PASS
    pinned_fresh = post(days_before(2), 0, pinned=True)  # a fresh pinned post is a fresh post
    assert judge(posts=[pinned_fresh, post(days_before(40), 1)]).outcome == PASS


def test_the_window_follows_the_rulebook() -> None:
    book = replace(BOOK, indicators={**BOOK.indicators, account_stale.CODE: replace(
        BOOK[account_stale.CODE], params={"window_days": 7})})
    f = judge(book=book, posts=[post(days_before(8))])
    assert (f.outcome, f.threshold) == (FAIL, "监测时间点前1周内(2021-02-24至2021-03-03)有更新")
    assert judge(book=book, posts=[post(days_before(7))]).outcome == PASS


@pytest.mark.parametrize("outcome", sorted(UNREADABLE))
def test_an_unreadable_account_is_inconclusive_with_the_platform_reason(outcome: str) -> None:
    f = judge(check=reading(outcome, error="wall"), posts=[post(days_before(40))])
    assert (f.outcome, f.reason) == (INCONCLUSIVE, UNREADABLE[outcome])
    assert f.evidence["outcome"] == outcome and f.evidence["error"] == "wall"


@pytest.mark.parametrize(("outcome", "status", "reason"), [
    ("timeout", None, "访问账号页面超时"), ("http", 503, "账号页面返回HTTP 503,无法读取"),
    ("unreachable", None, "账号无法访问"), ("weird", None, "账号页面无法读取(weird)")])
def test_a_transport_failure_is_inconclusive_never_stale(outcome: str, status: int | None, reason: str) -> None:
    f = judge(check=reading(outcome, status=status), posts=[])
    assert (f.outcome, f.reason) == (INCONCLUSIVE, reason)


def test_a_readable_account_without_any_post_is_not_updated() -> None:
    f = judge(posts=[])
    assert (f.outcome, f.reason, f.observed) == (FAIL, "内容更新不及时", "监测时间点前2周内无更新(账号无任何发布内容)")


def test_posts_without_a_readable_time_are_inconclusive() -> None:
    f = judge(posts=[post(None, 0), post(None, 1)])
    assert (f.outcome, f.reason) == (INCONCLUSIVE, "发布时间无法识别")


def test_an_undated_post_above_a_stale_one_may_be_newer() -> None:
    f = judge(posts=[post(None, 0, key="a"), post(days_before(30), 1)])
    assert (f.outcome, f.reason, f.evidence["undated_newer_posts"]) == (INCONCLUSIVE, "最新发布内容的时间无法识别",
                                                                         ["a"])
    # below the stale post, or pinned on top, an undated post is not newer: the dated one decides
    assert judge(posts=[post(days_before(30), 0), post(None, 1)]).outcome == FAIL
    assert judge(posts=[post(None, 0, pinned=True), post(days_before(30), 1)]).outcome == FAIL


def test_a_reading_made_before_the_monitoring_day_cannot_say_stale() -> None:
    early = reading(fetched_at=datetime.combine(AS_OF - timedelta(days=5), time(10, 0)))
    f = judge(check=early, posts=[post(days_before(25))])
    assert (f.outcome, f.reason) == (INCONCLUSIVE, "读取时间2021-02-26早于监测时间点,之后的更新未知")
    assert judge(check=early, posts=[]).outcome == INCONCLUSIVE
    assert judge(check=early, posts=[post(days_before(10))]).outcome == PASS  # inside the window: fresh anyway
    same_day = reading(fetched_at=datetime.combine(AS_OF, time(0, 5)))
    assert judge(check=same_day, posts=[post(days_before(25))]).outcome == FAIL


def test_no_reading_is_left_to_evaluation() -> None:
    assert account_stale.check(facts(no_reading=True), BOOK[account_stale.CODE], AS_OF) == []
