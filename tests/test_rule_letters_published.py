"""留言办理公开: an answer published in the 2 months before the monitoring point (both ends), letters without their
times, and what cannot be read as 待定."""

from __future__ import annotations

import pytest

from monitor.checks.model import FAIL, INCONCLUSIVE, NO_DATA, PASS, SKIPPED
from monitor.checks.rules import letters_published
from tests.channel_facts import AS_OF, BOOK, channel, day, facts, items, letter, site_level

CODE = letters_published.CODE
NONE_PUBLISHED = "监测时间点前2个月内未公开留言办理情况"


def judge(*channels):
    return letters_published.check(facts(*channels), BOOK[CODE], AS_OF)


def test_no_consult_channel_registered_is_skipped() -> None:
    assert [(f.outcome, f.reason) for f in judge(channel("petition"))] == [
        (SKIPPED, "未登记咨询建言渠道,未开展监测")]


@pytest.mark.parametrize(("answered", "outcome"), [
    ("2021-01-03", PASS),   # the window's first day (2021-03-03 − 2 months)
    ("2021-01-02", FAIL),
    ("2021-03-03", PASS),   # the monitoring day
])
def test_newest_answer_in_the_window(answered: str, outcome: str) -> None:
    found = judge(channel(letters=[letter(day("2020-12-20"), day(answered)), letter(day("2020-11-01"),
                                                                                   day("2020-11-05"))]))
    whole = site_level(found)
    assert whole.outcome == outcome and whole.evidence["window"] == ["2021-01-03", "2021-03-03"]
    if outcome == FAIL:
        assert whole.reason == NONE_PUBLISHED and items(found) == []


def test_an_answer_dated_after_the_monitoring_point_is_not_published_at_it() -> None:
    assert site_level(judge(channel(letters=[letter(day("2021-02-20"), day("2021-03-10"))]))).outcome == FAIL


def test_channels_that_publish_nothing_fail_and_pending_letters_are_no_answers() -> None:
    for ch in (channel(state="form"), channel(state="closed"), channel(state="empty"),
               channel(letters=[letter(day("2021-02-20"), status="办理中")])):
        assert (site_level(judge(ch)).outcome, site_level(judge(ch)).reason) == (FAIL, NONE_PUBLISHED)
    # a login wall beside a channel that publishes nothing: its letters are not public either
    assert site_level(judge(channel(state="form"), channel(state="login"))).outcome == FAIL


def test_answered_without_an_answer_time() -> None:
    # received inside the window: the answer came inside it too, but the letter lacks its answer time
    found = judge(channel(letters=[letter(day("2021-02-01"), done=True)]))
    [item] = items(found)
    assert (item.outcome, item.reason, item.evidence["missing"]) == (FAIL, "留言未标注来信时间或答复时间", ["答复时间"])
    assert (site_level(found).outcome, site_level(found).reason) == (FAIL, "留言未标注来信时间或答复时间")
    assert site_level(found).evidence["answered_in_window"] == 1
    # received before the window: when it was answered is unknown — not a "none published" failure
    found = judge(channel(letters=[letter(day("2020-10-01"), done=True)]))
    assert site_level(found).reason == "留言未标注来信时间或答复时间"


def test_letters_without_a_receipt_time_fail_and_unreadable_times_are_pending() -> None:
    found = judge(channel(letters=[letter(None, day("2021-02-10")), letter(day("2021-01-05"), day("2021-02-11"))]))
    assert [(f.outcome, f.observed) for f in items(found)] == [(FAIL, "未标注来信时间")]
    assert (site_level(found).outcome, site_level(found).reason) == (FAIL, "留言未标注来信时间或答复时间")
    shown = letter(None, day("2021-02-10"), received_text="02-01")  # year-less: our reader's limit
    found = judge(channel(letters=[shown]))
    assert [(f.outcome, f.reason) for f in items(found)] == [(INCONCLUSIVE, "来信时间无法识别,待复核")]
    assert site_level(found).outcome == PASS


def test_an_unread_channel_makes_none_published_pending() -> None:
    found = judge(channel(state="form"), channel(state=None, outcome="timeout", status=None))
    assert (site_level(found).outcome, site_level(found).reason) == (INCONCLUSIVE, "部分咨询建言渠道无法读取,待复核")
    assert site_level(judge(channel(read=False))).reason == NO_DATA
    # an answer in the window is enough whatever the other channels
    assert site_level(judge(channel(read=False), channel(letters=[letter(day("2021-02-01"),
                                                                         day("2021-02-02"))]))).outcome == PASS


def test_a_national_rulebook_deducts_nothing_and_a_local_one_its_points() -> None:
    from monitor.checks.rules import RULES
    from tests.channel_facts import indicator

    found = judge(channel(state="form"))
    assert BOOK[CODE].points is None
    assert RULES[CODE].deduction(found, indicator(CODE, points=3)) == 3  # S6: 2 months without an answer, −3
