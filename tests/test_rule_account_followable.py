"""无法关注或下载 (new media): false fails, not shown is 待定, unreadable is 待定."""

from __future__ import annotations

import pytest

from monitor.checks.model import FAIL, INCONCLUSIVE, PASS
from monitor.checks.rules import account_followable
from monitor.platforms.base import UNREADABLE
from tests.account_facts import AS_OF, BOOK, facts, reading, whole


def judge(**kw):
    return whole(account_followable.check(facts(check=reading(**kw)), BOOK[account_followable.CODE], AS_OF))


def test_followable_passes_and_refused_fails() -> None:
    assert judge(followable=True).outcome == PASS
    f = judge(followable=False)
    assert (f.outcome, f.reason, f.evidence["followable"]) == (FAIL, "账号无法关注", False)


def test_not_shown_is_inconclusive() -> None:
    f = judge(followable=None)
    assert (f.outcome, f.reason) == (INCONCLUSIVE, "未能识别关注功能")


@pytest.mark.parametrize("outcome", sorted(UNREADABLE))
def test_an_unreadable_account_is_inconclusive(outcome: str) -> None:
    f = judge(outcome=outcome, followable=False)
    assert (f.outcome, f.reason) == (INCONCLUSIVE, UNREADABLE[outcome])


def test_no_reading_is_left_to_evaluation() -> None:
    assert account_followable.check(facts(no_reading=True), BOOK[account_followable.CODE], AS_OF) == []
