"""服务不实用: no service offered, a guide addressed in another city (陕西 2020 Q1: 略阳县, 受理地点 in 咸阳市秦都区),
missing elements only when a rulebook makes them a veto, and what cannot be read as 待定."""

from __future__ import annotations

import pytest

from monitor.checks.model import FAIL, INCONCLUSIVE, NO_DATA, PASS, SKIPPED
from monitor.checks.rules import service_practical
from monitor.checks.scoring import PENDING, QUALIFIED, UNQUALIFIED, verdict
from tests.channel_facts import AS_OF, BOOK, channel, facts, guide, indicator, items, link, site_level

CODE = service_practical.CODE


def judge(*channels, ind=None, **site):
    return service_practical.check(facts(*channels, **site), ind or BOOK[CODE], AS_OF)


def test_no_guides_channel_registered_is_skipped() -> None:
    found = judge(channel("consult"))
    assert [(f.outcome, f.reason) for f in found] == [(SKIPPED, "未登记办事指南渠道,未开展监测")]
    assert verdict("portal", found, BOOK).result == QUALIFIED


def test_guides_with_local_addresses_pass() -> None:
    found = judge(channel("guides", guides=[guide(), guide(address="蒙自市政务服务中心3号窗口"),
                                            guide(address="云南省红河州个旧市金湖东路")]))
    assert site_level(found).outcome == PASS and items(found) == []


def test_a_guide_addressed_in_another_city_fails_the_veto() -> None:
    away = guide(address="咸阳市秦都区人民路1号政务大厅")
    found = judge(channel("guides", guides=[away]), region_code="610727", name="略阳县人民政府")
    [item] = items(found)
    assert (item.subject, item.outcome, item.reason) == (away.url, FAIL, "办事指南要素不准确")
    assert (item.evidence["outside"], item.evidence["outside_names"]) == (["610400", "610402"], ["咸阳市", "秦都区"])
    assert item.observed == "办理地点“咸阳市秦都区人民路1号政务大厅”含本地区以外的咸阳市、秦都区"
    whole = site_level(found)
    assert (whole.outcome, whole.reason, whole.evidence["inaccurate"]) == (FAIL, "办事指南要素不准确", 1)
    v = verdict("portal", found, BOOK)
    assert (v.result, v.veto, v.reasons) == (UNQUALIFIED, True, ["服务不实用"])


def test_an_address_in_the_city_above_a_county_is_not_outside() -> None:
    found = judge(channel("guides", guides=[guide(address="汉中市行政审批服务局一楼")]), region_code="610727")
    assert site_level(found).outcome == PASS


def test_the_veto_threshold_follows_the_rulebook() -> None:
    two = indicator(CODE, veto_inaccurate_guides=2)
    one_away = [guide(address="昆明市五华区人民中路"), guide()]
    found = judge(channel("guides", guides=one_away), ind=two)
    assert site_level(found).outcome == PASS and [f.outcome for f in items(found)] == [FAIL]
    assert site_level(judge(channel("guides", guides=[*one_away, guide(address="昆明市盘龙区")]),
                            ind=two)).outcome == FAIL


@pytest.mark.parametrize("ch", [
    channel("guides", state="empty", entries_seen=0),       # a list that says it has nothing
    channel("guides", guides=[], entries_seen=0),           # read, no guide, no link
    channel("guides", state="closed"),
    channel("guides", state="error", outcome="http", status=404),
], ids=["empty", "nothing", "closed", "404"])
def test_no_service_offered(ch) -> None:
    found = judge(ch)
    assert (site_level(found).outcome, site_level(found).reason) == (FAIL, "未提供办事服务")
    assert verdict("portal", found, BOOK).reasons == ["服务不实用"]


def test_a_working_link_alone_is_a_service_and_one_offering_channel_is_enough() -> None:
    only_link = guide(outcome="timeout", links=[link()])  # the guide page timed out, its 在线办理 link works
    found = judge(channel("guides", guides=[only_link]))
    assert items(found) == []  # the channel offers a service: clause 1 holds
    # … but the unread guide could be the inaccurate one (clause 2)
    assert (site_level(found).outcome, site_level(found).reason) == (INCONCLUSIVE, "部分办事指南无法读取,待复核")
    found = judge(channel("guides", guides=[guide()]), channel("guides", state="closed"))
    assert site_level(found).outcome == PASS
    assert [f.reason for f in items(found)] == ["办事指南栏目已关闭或暂停受理"]


@pytest.mark.parametrize(("kwargs", "reason"), [
    ({"state": "login"}, "办事指南栏目无法读取,待复核"),
    ({"state": None, "outcome": "challenge", "status": 412}, "办事指南栏目无法读取,待复核"),
    ({"read": False}, NO_DATA),
    ({"guides": [guide(outcome="timeout", links=[])]}, "办事指南栏目无法读取,待复核"),  # listed, none readable
])
def test_channels_that_cannot_be_read_are_pending(kwargs, reason) -> None:
    found = judge(channel("guides", **kwargs))
    assert (site_level(found).outcome, site_level(found).reason) == (INCONCLUSIVE, reason)
    v = verdict("portal", found, BOOK)
    assert v.result == PENDING and v.reasons == [NO_DATA if reason == NO_DATA else "服务不实用待复核"]


def test_an_unreadable_guide_could_be_the_inaccurate_one() -> None:
    found = judge(channel("guides", guides=[guide(), guide(outcome="timeout")]))
    assert (site_level(found).outcome, site_level(found).reason) == (INCONCLUSIVE, "部分办事指南无法读取,待复核")
    # a channel timing out beside one that works: its guides are unknown
    found = judge(channel("guides", guides=[guide()]), channel("guides", state=None, outcome="timeout", status=None))
    assert site_level(found).outcome == INCONCLUSIVE
    # … while a login wall is lasting: its guides are not offered to the public
    assert site_level(judge(channel("guides", guides=[guide()]), channel("guides", state="login"))).outcome == PASS


def test_missing_elements_count_toward_the_veto_only_when_a_rulebook_says_so() -> None:
    incomplete = [guide(without=("设定依据",)), guide(empty=("办理流程",))]
    found = judge(channel("guides", guides=incomplete))
    assert site_level(found).outcome == PASS and items(found) == []  # reported by guide_elements
    local = indicator(CODE, veto_missing_guides=2)
    found = judge(channel("guides", guides=incomplete), ind=local)
    assert (site_level(found).outcome, site_level(found).reason) == (FAIL, "办事指南要素缺失")
    assert [f.evidence["missing"] + f.evidence["empty"] for f in items(found)] == [["设定依据"], ["办理流程"]]
    # 收费标准 is no key element of the veto (the eight classes of 19号/2015)
    assert site_level(judge(channel("guides", guides=[guide(without=("收费标准",))] * 2), ind=local)).outcome == PASS


def test_a_reviewers_false_positive_does_not_count() -> None:
    away = guide(address="昆明市五华区人民中路")
    built = facts(channel("guides", guides=[away]))
    built.suppressed = frozenset({(CODE, away.url)})
    found = service_practical.check(built, BOOK[CODE], AS_OF)
    assert items(found)[0].outcome == FAIL and site_level(found).outcome == PASS
