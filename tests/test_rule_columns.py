"""栏目不更新 and 空白栏目: calendar-month windows, what counts toward each veto, reviewers' false positives."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from monitor.checks.model import FAIL, INCONCLUSIVE, PASS
from monitor.checks.outcomes import months_before
from monitor.checks.rules import column_blank, column_stale
from tests.test_rules import AS_OF, BOOK, column, entry, facts, site_level

OLD = AS_OF - timedelta(days=40)


@pytest.mark.parametrize(("day", "months", "start"), [
    (date(2021, 3, 3), 6, date(2020, 9, 3)), (date(2021, 8, 31), 6, date(2021, 2, 28)),
    (date(2020, 8, 31), 6, date(2020, 2, 29)), (date(2021, 1, 15), 12, date(2020, 1, 15))])
def test_months_before_is_calendar_months_clamped_to_the_month_end(day: date, months: int, start: date) -> None:
    assert months_before(day, months) == start


def test_stale_column_finding_carries_the_notice_wording_and_evidence() -> None:
    f = next(f for f in column_stale.check(facts([column("gzdt", "dynamic", date(2021, 2, 11))]), BOOK[column_stale.CODE], AS_OF)
             if not f.site_level)
    assert (f.outcome, f.reason, f.observed) == (FAIL, "监测点前2周内,栏目无信息更新", "最新信息日期 2021-02-11")
    assert f.threshold == "监测点前2周内(2021-02-17至2021-03-03)有更新"
    assert f.evidence | {"url": "", "as_of": ""} == {"url": "", "column": "首页>gzdt", "unit": "州政府办公室",
                                                       "as_of": "", "window_start": "2021-02-17",
                                                       "newest": "2021-02-11"}


def test_undated_and_future_dated_columns() -> None:
    undated = column("undated", "dynamic", None, entries=2)
    future = replace(column("future", "dynamic", OLD), entries=[entry(OLD), entry(date(2021, 6, 1))])
    got = {f.subject.split("/")[-2]: f for f in column_stale.check(facts([undated, future]), BOOK[column_stale.CODE], AS_OF)
           if not f.site_level}
    assert (got["undated"].outcome, got["undated"].observed) == (FAIL, "栏目信息均未注明日期")
    assert (got["future"].outcome, got["future"].evidence["newest"]) == (FAIL, str(OLD))


def test_blank_columns_of_any_category_count_as_long_stale_but_not_as_stale() -> None:
    cols = [column(f"rs{i}", "personnel", date(2019, 1, 1)) for i in range(6)]
    cols += [column(f"blank{i}", "other", None, entries=0) for i in range(4)]
    f = site_level(column_stale.check(facts(cols), BOOK[column_stale.CODE], AS_OF))
    assert (f.outcome, f.evidence["stale"], f.evidence["long_stale"]) == (FAIL, 0, 10)
    assert f.reason == "多个栏目长期不更新"
    assert [x.subject for x in column_stale.check(facts(cols), BOOK[column_stale.CODE], AS_OF) if "blank" in x.subject] == []


def test_other_columns_never_go_stale() -> None:
    cols = [column(f"o{i}", "other", date(2010, 1, 1)) for i in range(12)]
    assert [f.outcome for f in column_stale.check(facts(cols), BOOK[column_stale.CODE], AS_OF)] == [PASS]


def test_false_positive_columns_are_reported_but_not_counted() -> None:
    stale = [column(f"d{i}", "dynamic", OLD) for i in range(5)]
    site = facts(stale)
    assert site_level(column_stale.check(site, BOOK[column_stale.CODE], AS_OF)).outcome == FAIL
    reviewed = replace(site, suppressed=frozenset({("column_stale", stale[0].url)}))
    findings = column_stale.check(reviewed, BOOK[column_stale.CODE], AS_OF)
    assert [f.outcome for f in findings if f.subject == stale[0].url] == [FAIL]
    assert (site_level(findings).outcome, site_level(findings).evidence["stale"]) == (PASS, 4)

    blank = [column(f"b{i}", "other", None, entries=0) for i in range(5)]
    site = facts(blank)
    assert site_level(column_blank.check(site, BOOK[column_blank.CODE], AS_OF)).outcome == FAIL
    reviewed = replace(site, suppressed=frozenset({("column_blank", blank[2].url)}))
    f = site_level(column_blank.check(reviewed, BOOK[column_blank.CODE], AS_OF))
    assert (f.outcome, f.observed) == (PASS, "空白栏目4个")


@pytest.mark.parametrize(("blank", "unsure", "outcome"), [(4, 1, INCONCLUSIVE), (3, 1, PASS), (5, 1, FAIL)])
def test_unreadable_columns_make_the_veto_inconclusive_only_when_they_could_reach_it(
        blank: int, unsure: int, outcome: str) -> None:
    cols = [column(f"b{i}", "other", None, entries=0) for i in range(blank)]
    cols += [column(f"t{i}", "other", None, outcome="http", status=429, entries=0) for i in range(unsure)]
    assert site_level(column_blank.check(facts(cols), BOOK[column_blank.CODE], AS_OF)).outcome == outcome


def test_column_not_fetched_in_the_run_is_inconclusive_not_blank() -> None:
    missing = replace(column("never", "dynamic", None, entries=0), page=None)
    blank = column_blank.check(facts([missing]), BOOK[column_blank.CODE], AS_OF)
    stale = column_stale.check(facts([missing]), BOOK[column_stale.CODE], AS_OF)
    assert [f.observed for f in blank + stale if not f.site_level] == ["未抓取", "未抓取"]
    assert {f.outcome for f in blank + stale if not f.site_level} == {INCONCLUSIVE}
