"""空白栏目: the veto at exactly five, what is never blank (a 404, a page that is not the column, a list that could not
be read), when unreadable columns make the veto inconclusive, reviewers' false positives."""

from __future__ import annotations

from dataclasses import replace

import pytest

from monitor.checks.model import FAIL, INCONCLUSIVE, PASS
from monitor.checks.rules import column_blank
from tests.rule_facts import AS_OF, BOOK, column, facts, page, site_level


def judge(cols, pages=None):
    return column_blank.check(facts(cols, pages=pages), BOOK[column_blank.CODE], AS_OF)


@pytest.mark.parametrize(("blank", "outcome"), [(4, PASS), (5, FAIL), (6, FAIL)])
def test_blank_columns_veto_at_exactly_five(blank: int, outcome: str) -> None:
    cols = [column(f"b{i}", "other", None, entries=0) for i in range(blank)] + [column("ok", "dynamic", AS_OF)]
    f = site_level(judge(cols))
    assert f.outcome == outcome and f.observed == f"空白栏目{blank}个"
    if outcome == FAIL:
        assert f.reason == "空白栏目超过5"


def test_a_blank_column_is_its_own_finding_and_a_column_with_items_is_not() -> None:
    found = [f for f in judge([column("b", "other", None, entries=0), column("ok", "other", AS_OF)]) if not f.site_level]
    assert [(f.subject.split("/")[-2], f.outcome, f.reason) for f in found] == [("b", FAIL, "空白栏目")]


def test_blank_column_link_that_404s_is_not_blank() -> None:
    cols = [column(f"b{i}", "other", None, entries=0) for i in range(4)]
    cols.append(column("gone", "other", None, outcome="http", status=404, entries=0))
    assert site_level(judge(cols)).outcome == PASS
    cols[-1] = column("wait", "other", None, outcome="timeout", status=None, entries=0)
    assert site_level(judge(cols)).outcome == INCONCLUSIVE


@pytest.mark.parametrize(("blank", "unsure", "outcome"), [(4, 1, INCONCLUSIVE), (3, 1, PASS), (5, 1, FAIL)])
def test_unreadable_columns_make_the_veto_inconclusive_only_when_they_could_reach_it(
        blank: int, unsure: int, outcome: str) -> None:
    cols = [column(f"b{i}", "other", None, entries=0) for i in range(blank)]
    cols += [column(f"t{i}", "other", None, outcome="http", status=429, entries=0) for i in range(unsure)]
    assert site_level(judge(cols)).outcome == outcome


@pytest.mark.parametrize(("outcome", "reason"), [("challenge", "栏目页面为反爬虫验证页,待复核"),
                                                 ("login", "栏目页面需要登录,待复核"),
                                                 ("unrendered", "列表由脚本加载,未能读取,待复核")])
def test_a_page_that_is_not_the_column_is_inconclusive_with_its_reason(outcome: str, reason: str) -> None:
    (f,) = [f for f in judge([column("x", "other", None, outcome=outcome, status=200, entries=0)]) if not f.site_level]
    assert (f.outcome, f.reason, f.observed) == (INCONCLUSIVE, reason, outcome)


def test_an_unread_list_page_makes_an_empty_column_inconclusive_unless_the_page_was_rendered() -> None:
    col = column("spa", "other", None, entries=0)
    xhr = page(f"{col.url}data.json", outcome="timeout", status=None, role="list", column_url=col.url, error="20s")
    (f,) = [f for f in judge([col], pages=[page(), xhr]) if not f.site_level]
    assert (f.outcome, f.reason, f.observed) == (INCONCLUSIVE, "列表由脚本加载,未能读取,待复核", "列表页面 timeout")
    assert (f.evidence["list_url"], f.evidence["list_outcome"], f.evidence["error"]) == (xhr.url, "timeout", "20s")
    rendered = replace(col, page=replace(col.page, rendered=True))  # Chromium ran the XHRs: an empty list is blank
    assert [f.outcome for f in judge([rendered], pages=[page(), xhr]) if not f.site_level] == [FAIL]
    read = replace(xhr, outcome="ok", status=200)
    assert [f.outcome for f in judge([col], pages=[page(), read]) if not f.site_level] == [FAIL]



def test_xhr_lists_left_out_past_the_caps_make_an_empty_column_inconclusive() -> None:
    """Five columns whose first XHR lists were empty but whose others were never requested (pages.cut): their
    lists may be among those left out, so 待定 — never the 空白栏目 veto."""
    cols = [column(f"x{i}", "other", None, entries=0) for i in range(5)]
    cut = [replace(c.page, cut={"xhr_lists": 1997}) for c in cols]
    found = judge([replace(c, page=p) for c, p in zip(cols, cut, strict=True)], pages=[page(), *cut])
    f = found[0]
    assert (f.outcome, f.reason, f.observed) == (INCONCLUSIVE, "列表接口过多,部分未读取,待复核", "列表接口1997个未读取")
    assert (f.evidence["list_url"], f.evidence["xhr_lists_cut"]) == (cols[0].url, 1997)
    assert (site_level(found).outcome, site_level(found).reason) == (INCONCLUSIVE, "部分栏目无法读取,待复核")
    # Other cuts (links, entries of another page) leave a list that was read whole: blank is blank.
    other = [replace(c.page, cut={"links": 97000}) for c in cols]
    assert site_level(judge(cols, pages=[page(), *other])).outcome == FAIL

def test_column_not_fetched_in_the_run_is_inconclusive_not_blank() -> None:
    missing = replace(column("never", "dynamic", None, entries=0), page=None)
    found = [f for f in judge([missing]) if not f.site_level]
    assert [f.observed for f in found] == ["未抓取"]
    assert {f.outcome for f in found} == {INCONCLUSIVE}


def test_false_positive_columns_are_reported_but_not_counted() -> None:
    blank = [column(f"b{i}", "other", None, entries=0) for i in range(5)]
    site = facts(blank)
    assert site_level(column_blank.check(site, BOOK[column_blank.CODE], AS_OF)).outcome == FAIL
    reviewed = replace(site, suppressed=frozenset({("column_blank", blank[2].url)}))
    f = site_level(column_blank.check(reviewed, BOOK[column_blank.CODE], AS_OF))
    assert (f.outcome, f.observed) == (PASS, "空白栏目4个")
