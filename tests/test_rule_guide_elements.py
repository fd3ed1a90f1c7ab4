"""办事指南要素缺失: each element missing in turn, empty elements, the link to the 政务服务网, unreadable guides, and the
2015 deduction (per distinct missing class, counted once over guides)."""

from __future__ import annotations

import pytest

from monitor.checks.model import FAIL, INCONCLUSIVE, NO_DATA, PASS, SKIPPED
from monitor.checks.rules import RULES, guide_elements
from monitor.checks.scoring import deduction
from tests.channel_facts import (
    AS_OF,
    BOOK,
    ELEMENTS,
    channel,
    facts,
    guide,
    indicator,
    items,
    link,
    site_level,
)

CODE = guide_elements.CODE


def judge(*channels, ind=None):
    return guide_elements.check(facts(*channels), ind or BOOK[CODE], AS_OF)


def test_the_rulebook_names_the_elements_as_the_extractor_reports_them() -> None:
    from monitor.extract.guides import ELEMENTS as EXTRACTED

    assert BOOK[CODE].params["elements"] == list(EXTRACTED) == list(ELEMENTS)


def test_no_guides_channel_registered_is_skipped() -> None:
    assert [(f.outcome, f.reason) for f in judge(channel("consult"))] == [(SKIPPED, "未登记办事指南渠道,未开展监测")]


def test_a_complete_guide_with_a_working_link_passes() -> None:
    found = judge(channel("guides", guides=[guide(), guide()]))
    assert site_level(found).outcome == PASS and items(found) == []
    assert site_level(found).evidence["guides"] == 2


@pytest.mark.parametrize("element", ELEMENTS)
def test_a_guide_missing_each_element_in_turn(element: str) -> None:
    g = guide(without=(element,))
    found = judge(channel("guides", guides=[g, guide()]))
    [item] = items(found)
    assert (item.subject, item.outcome, item.reason) == (g.url, FAIL, "办事指南要素缺失")
    assert (item.evidence["missing"], item.evidence["empty"], item.evidence["classes"]) == ([element], [], [element])
    assert item.observed == f"缺少{element}"
    assert (site_level(found).outcome, site_level(found).evidence["classes"]) == (FAIL, [element])


def test_empty_elements_count_as_missing_and_are_named_so() -> None:
    found = judge(channel("guides", guides=[guide(without=("设定依据",), empty=("收费标准", "办理流程"))]))
    [item] = items(found)
    assert (item.evidence["missing"], item.evidence["empty"]) == (["设定依据"], ["办理流程", "收费标准"])
    assert item.observed == "缺少设定依据;办理流程、收费标准为空"


@pytest.mark.parametrize(("links", "outcome", "state"), [
    ([], FAIL, "missing"),
    ([link(url=None)], FAIL, "broken"),                               # 在线办理 href="#"
    ([link(outcome="http", status=404)], FAIL, "broken"),
    ([link(outcome="dns", status=None)], FAIL, "broken"),
    ([link(outcome="timeout", status=None)], INCONCLUSIVE, "unsure"),  # may be our side
    ([link(outcome=None, status=None)], INCONCLUSIVE, "unsure"),       # not checked
    ([link(outcome="http", status=404), link()], PASS, "ok"),          # one works
])
def test_link_to_the_service_network(links, outcome, state) -> None:
    g = guide(links=links)
    found = judge(channel("guides", guides=[g]))
    assert site_level(found).outcome == outcome
    if outcome != PASS:
        [item] = items(found)
        assert (item.outcome, item.evidence["link"]) == (outcome, state)
    if outcome == FAIL:
        assert items(found)[0].reason == "办事指南与政务服务网未建立准确链接"
        assert items(found)[0].evidence["classes"] == ["政务服务网链接"]


def test_a_guide_served_by_the_service_network_itself_needs_no_link() -> None:
    found = judge(channel("guides", guides=[guide(url="https://zwfw.yn.gov.cn/guide/123", links=[])]))
    assert site_level(found).outcome == PASS


def test_both_problems_on_one_guide_make_one_item() -> None:
    found = judge(channel("guides", guides=[guide(without=("办理时间",), links=[])]))
    [item] = items(found)
    assert item.reason == "办事指南要素缺失；办事指南与政务服务网未建立准确链接"
    assert site_level(found).reason == "办事指南要素缺失；办事指南与政务服务网未建立准确链接"


def test_unreadable_guides_and_channels_are_pending() -> None:
    found = judge(channel("guides", guides=[guide(outcome="timeout"), guide(elements={})]))
    assert [(f.outcome, f.reason) for f in items(found)] == [
        (INCONCLUSIVE, "办事指南页面无法读取(timeout),待复核"), (INCONCLUSIVE, "未识别到办事指南要素,待复核")]
    assert (site_level(found).outcome, site_level(found).reason) == (INCONCLUSIVE, "部分办事指南无法读取,待复核")
    assert site_level(judge(channel("guides", read=False))).reason == NO_DATA


def test_deduction_2015_counts_each_missing_class_once() -> None:
    guides = [guide(without=("设定依据",)), guide(without=("设定依据", "办理时间")), guide(links=[])]
    found = judge(channel("guides", guides=guides))
    assert site_level(found).evidence["classes"] == ["设定依据", "办理时间", "政务服务网链接"]
    local = indicator(CODE, points=16, points_each=2)
    assert RULES[CODE].deduction(found, local) == 6  # 3 classes × 2, not 4 missing elements × 2
    many = judge(channel("guides", guides=[guide(without=ELEMENTS[1:], links=[])]))
    book = type(BOOK)(BOOK.name, BOOK.scoring, {**BOOK.indicators, CODE: local}, BOOK.sources)
    assert RULES[CODE].deduction(many, local) == 18  # 8 elements and the link
    assert deduction(CODE, many, book) == 16  # capped at the indicator's points
    assert deduction(CODE, found, BOOK) == 0  # national: points unknown, nothing deducted
