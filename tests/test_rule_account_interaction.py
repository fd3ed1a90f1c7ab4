"""互动回应差 (new media): any feature offered passes, all seen switched off fails, nothing seen is 待定."""

from __future__ import annotations

import pytest

from monitor.checks.model import FAIL, INCONCLUSIVE, PASS
from monitor.checks.rules import account_interaction
from monitor.platforms.base import UNREADABLE
from tests.account_facts import AS_OF, BOOK, facts, reading, whole


def judge(**kw):
    return whole(account_interaction.check(facts(check=reading(**kw)), BOOK[account_interaction.CODE], AS_OF))


@pytest.mark.parametrize(("interaction", "outcome"), [
    ({"comments": True}, PASS), ({"comments": False, "menu": True}, PASS),
    ({"comments": False, "message": False, "menu": False}, FAIL), ({"comments": False}, FAIL),
    ({"export": False}, FAIL), ({"export": True}, PASS)])
def test_features_seen(interaction: dict[str, bool], outcome: str) -> None:
    f = judge(interaction=interaction)
    assert f.outcome == outcome and f.evidence["interaction"] == interaction
    if outcome == FAIL:
        assert f.reason == "未提供有效互动功能" and f.observed.endswith("均未开放")
    else:
        assert f.observed.startswith("提供")


@pytest.mark.parametrize("interaction", [None, {}])
def test_nothing_seen_is_inconclusive_never_a_fail(interaction) -> None:
    f = judge(interaction=interaction)
    assert (f.outcome, f.reason) == (INCONCLUSIVE, "未能识别互动功能")


@pytest.mark.parametrize("outcome", sorted(UNREADABLE))
def test_an_unreadable_account_is_inconclusive(outcome: str) -> None:
    f = judge(outcome=outcome, interaction={"comments": False})
    assert (f.outcome, f.reason) == (INCONCLUSIVE, UNREADABLE[outcome])


def test_no_reading_is_left_to_evaluation() -> None:
    assert account_interaction.check(facts(no_reading=True), BOOK[account_interaction.CODE], AS_OF) == []
