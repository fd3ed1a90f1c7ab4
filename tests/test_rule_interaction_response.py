"""互动回应差: no working consult channel, letters unanswered more than 3 months (exactly 3 is not more), answers more
than 3 months late, unreadable channels and letters as 待定, petition channels outside the veto."""

from __future__ import annotations

from datetime import datetime

import pytest

from monitor.checks.model import FAIL, INCONCLUSIVE, NO_DATA, PASS, SKIPPED
from monitor.checks.rules import interaction_response
from monitor.checks.scoring import PENDING, QUALIFIED, UNQUALIFIED, verdict
from tests.channel_facts import AS_OF, BOOK, channel, day, facts, items, letter, site_level

CODE = interaction_response.CODE


def judge(*channels, as_of=AS_OF):
    return interaction_response.check(facts(*channels), BOOK[CODE], as_of)


def test_no_consult_channel_registered_is_skipped_never_pass_or_fail() -> None:
    for found in (judge(), judge(channel("petition"), channel("guides"))):
        assert [(f.subject, f.outcome, f.reason) for f in found] == [
            ("", SKIPPED, "未登记咨询建言渠道,未开展监测")]
        assert verdict("portal", found, BOOK).result == QUALIFIED


def test_a_working_channel_with_letters_answered_in_time_passes() -> None:
    found = judge(channel(letters=[letter(day("2021-01-05"), day("2021-01-08")), letter(day("2021-02-20"))]))
    whole = site_level(found)
    assert whole.outcome == PASS and items(found) == []
    assert (whole.evidence["letters"], whole.evidence["overdue"]) == (2, 0)


@pytest.mark.parametrize(("state", "outcome", "status"), [("closed", "ok", 200), ("error", "ok", 200),
                                                           ("error", "http", 404), (None, "dns", None)])
def test_every_consult_channel_not_working_fails_clause_1(state, outcome, status) -> None:
    found = judge(channel(state=state, outcome=outcome, status=status), channel(state="closed"))
    whole = site_level(found)
    assert (whole.outcome, whole.reason, whole.evidence["clauses"]) == (FAIL, "未提供网上有效咨询建言渠道", ["1"])
    assert [f.outcome for f in items(found)] == [FAIL, FAIL]
    v = verdict("portal", found, BOOK)
    assert (v.result, v.reasons) == (UNQUALIFIED, ["互动回应差"])


@pytest.mark.parametrize(("state", "outcome", "status", "reason"), [
    ("login", "ok", 200, "咨询建言渠道需要登录,待复核"),
    ("unreadable", "ok", 200, "咨询建言渠道页面无法识别,待复核"),
    (None, "challenge", 202, "咨询建言渠道页面为反爬虫验证页,待复核"),
    (None, "login", 200, "咨询建言渠道需要登录,待复核"),
    (None, "timeout", None, "咨询建言渠道页面无法读取,待复核"),
    ("error", "http", 403, "咨询建言渠道页面无法读取,待复核"),
    ("error", "http", 503, "咨询建言渠道页面服务器错误(503),待复核"),
])
def test_a_channel_that_errors_or_needs_a_login_is_pending_not_interaction_failure(state, outcome, status,
                                                                                  reason) -> None:
    found = judge(channel(state=state, outcome=outcome, status=status), channel(state="closed"))
    whole = site_level(found)
    assert (whole.outcome, whole.reason) == (INCONCLUSIVE, "咨询建言渠道无法读取,待复核")
    assert [(f.outcome, f.reason) for f in items(found)] == [(INCONCLUSIVE, reason), (FAIL, "咨询建言渠道已关闭或暂停受理")]
    v = verdict("portal", found, BOOK)
    assert (v.result, v.reasons) == (PENDING, ["互动回应差待复核"])  # 待定, never 互动回应差


def test_a_channel_not_read_in_the_window_is_no_data() -> None:
    found = judge(channel(read=False))
    assert (site_level(found).outcome, site_level(found).reason) == (INCONCLUSIVE, NO_DATA)
    assert verdict("portal", found, BOOK).reasons == [NO_DATA]


def test_one_working_channel_is_enough_for_clause_1_and_forms_and_empty_lists_work() -> None:
    for working in ("ok", "form", "empty"):
        found = judge(channel(state=working), channel(state="closed"))
        assert site_level(found).outcome == PASS, working
        assert [f.outcome for f in items(found)] == [FAIL]  # the closed one is still reported


def test_a_timed_out_channel_beside_a_working_one_is_pending_but_a_login_wall_is_not() -> None:
    found = judge(channel(), channel(state=None, outcome="timeout", status=None))
    assert (site_level(found).outcome, site_level(found).reason) == (INCONCLUSIVE, "部分咨询建言渠道无法读取,待复核")
    assert site_level(judge(channel(), channel(state="login"))).outcome == PASS


# -- clause 2: more than 3 months unanswered (monitoring point 2021-03-03: 3 months before is 2020-12-03) --------


@pytest.mark.parametrize(("received", "outcome"), [
    ("2020-12-04", PASS),   # less than 3 months
    ("2020-12-03", PASS),   # exactly 3 months is not more than 3 months
    ("2020-12-02", FAIL),   # one day more
    ("2019-06-01", FAIL),   # received before the look-back year, still unanswered: unanswered all year
])
def test_unanswered_letter_more_than_3_months(received: str, outcome: str) -> None:
    found = judge(channel(letters=[letter(day(received, 23), status="办理中")]))
    assert site_level(found).outcome == outcome
    if outcome == FAIL:
        [item] = items(found)
        assert (item.outcome, item.reason) == (FAIL, "留言超过3个月未回应")
        assert site_level(found).reason == "超过3个月未回应有效留言"
        assert item.evidence["received"].startswith(received) and item.evidence["due"]
        assert verdict("portal", found, BOOK).reasons == ["互动回应差"]


@pytest.mark.parametrize(("received", "answered", "outcome"), [
    ("2020-06-10", "2020-09-10", PASS),  # answered exactly 3 months later
    ("2020-06-10", "2020-09-11", FAIL),  # more than 3 months later: unanswered > 3 months within the year
    ("2019-11-30", "2020-03-01", PASS),  # late, but the answer came before the look-back year (from 2020-03-03)
    ("2019-11-30", "2020-03-03", FAIL),  # late, answered on the first day of the look-back year
    ("2020-11-30", "2021-02-28", PASS),  # 11-30 + 3 months = 02-28 (month end): exactly 3 months
])
def test_answered_more_than_3_months_after_receipt(received: str, answered: str, outcome: str) -> None:
    found = judge(channel(letters=[letter(day(received), day(answered))]))
    assert site_level(found).outcome == outcome, (received, answered)


def test_an_answer_after_the_monitoring_point_is_no_answer_at_it() -> None:
    late = letter(day("2020-11-01"), day("2021-03-20"), read_at=datetime(2021, 3, 25))
    assert site_level(judge(channel(letters=[late]))).outcome == FAIL


def test_letters_that_cannot_be_judged_are_pending() -> None:
    no_time = letter(None, status="办理中")
    found = judge(channel(letters=[no_time]))
    [item] = items(found)
    assert (item.outcome, item.reason, item.subject) == (INCONCLUSIVE, "留言未注明来信时间,无法判定", no_time.url)
    assert (site_level(found).outcome, site_level(found).reason) == (INCONCLUSIVE, "部分留言无法判定,待复核")
    shown = letter(None, received_text="03-02 10:21")  # a year-less date is not read
    assert items(judge(channel(letters=[shown])))[0].reason == "来信时间无法识别,待复核"
    unknown = letter(day("2020-10-01"), done=None)  # would be overdue if unanswered, and nobody knows
    assert items(judge(channel(letters=[unknown])))[0].reason == "无法判断留言是否已答复,待复核"
    young = letter(day("2021-01-10"), done=None)  # cannot be more than 3 months old: nothing to judge
    assert site_level(judge(channel(letters=[young]))).outcome == PASS


def test_answered_without_an_answer_time() -> None:
    # read within 3 months of its receipt: answered within 3 months
    assert site_level(judge(channel(letters=[letter(day("2020-12-10"), done=True)]))).outcome == PASS
    # read more than 3 months after its receipt: when it was answered is unknown
    found = judge(channel(letters=[letter(day("2020-10-10"), done=True)]))
    assert items(found)[0].reason == "留言未注明答复时间,无法判定" and site_level(found).outcome == INCONCLUSIVE


def test_a_letter_read_before_it_was_3_months_old_is_pending_at_a_later_monitoring_point() -> None:
    # read 2021-02-01 still pending, received 2020-12-01: 3 months old only after it was read
    early = letter(day("2020-12-01"), read_at=datetime(2021, 2, 1))
    found = judge(channel(letters=[early]))
    assert items(found)[0].reason == "读取时未满3个月,监测时间点答复情况未知,待复核"
    # received 2020-10-15, read 2021-02-01 still pending: already more than 3 months when read
    assert site_level(judge(channel(letters=[letter(day("2020-10-15"), read_at=datetime(2021, 2, 1))]))).outcome \
        == FAIL


def test_invalid_letters_and_petition_channels_are_outside_the_veto() -> None:
    rejected = letter(day("2020-06-01"), status="不予受理")
    petition = channel("petition", letters=[letter(day("2020-06-01"), status="办理中")])
    found = judge(channel(letters=[rejected]), petition)
    assert site_level(found).outcome == PASS and items(found) == []


def test_a_reviewers_false_positive_does_not_count() -> None:
    old = letter(day("2020-06-01"))
    built = facts(channel(letters=[old]))
    built.suppressed = frozenset({(CODE, old.url)})
    found = interaction_response.check(built, BOOK[CODE], AS_OF)
    assert items(found)[0].outcome == FAIL and site_level(found).outcome == PASS


def test_a_later_look_back_or_limit_follows_the_rulebook() -> None:
    from tests.channel_facts import indicator

    found = interaction_response.check(facts(channel(letters=[letter(day("2020-12-10"))])),
                                       indicator(CODE, unanswered_months=2), AS_OF)
    assert site_level(found).outcome == FAIL
