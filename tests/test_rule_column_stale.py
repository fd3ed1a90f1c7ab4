"""栏目不更新: calendar-month windows per category, their exact first days, what counts toward each veto, unreadable
columns, reviewers' false positives and local overrides."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from monitor.checks.model import FAIL, INCONCLUSIVE, PASS
from monitor.checks.outcomes import months_before
from monitor.checks.rulebook import load_rulebook
from monitor.checks.rules import column_stale
from tests.rule_facts import AS_OF, BOOK, column, entry, facts, page, site_level

OLD = AS_OF - timedelta(days=40)


def judge(cols, book=BOOK):
    return column_stale.check(facts(cols), book[column_stale.CODE], AS_OF)


@pytest.mark.parametrize(("day", "months", "start"), [
    (date(2021, 3, 3), 6, date(2020, 9, 3)), (date(2021, 8, 31), 6, date(2021, 2, 28)),
    (date(2020, 8, 31), 6, date(2020, 2, 29)), (date(2021, 1, 15), 12, date(2020, 1, 15))])
def test_months_before_is_calendar_months_clamped_to_the_month_end(day: date, months: int, start: date) -> None:
    assert months_before(day, months) == start


def test_column_windows_by_category_with_exact_boundaries() -> None:
    cols = [column("dt14", "dynamic", AS_OF - timedelta(days=14)), column("dt15", "dynamic", AS_OF - timedelta(days=15)),
            column("tz", "notice", date(2020, 9, 3)), column("tz_old", "notice", date(2020, 9, 2)),
            column("rs", "personnel", date(2020, 3, 3)), column("rs_old", "plan", date(2020, 3, 2)),
            column("other", "other", date(2010, 1, 1))]
    got = {f.subject.split("/")[-2]: f for f in judge(cols) if not f.site_level}
    assert {k: f.outcome for k, f in got.items()} == {"dt14": PASS, "dt15": FAIL, "tz": PASS, "tz_old": FAIL,
                                                       "rs": PASS, "rs_old": FAIL}
    assert got["dt15"].reason == "监测点前2周内,栏目无信息更新"
    assert got["tz_old"].reason == "监测点前6个月内,栏目无信息更新"
    assert got["rs_old"].reason == "监测点前1年内,栏目无信息更新"


def test_stale_column_finding_carries_the_notice_wording_and_evidence() -> None:
    f = next(f for f in judge([column("gzdt", "dynamic", date(2021, 2, 11))]) if not f.site_level)
    assert (f.outcome, f.reason, f.observed) == (FAIL, "监测点前2周内,栏目无信息更新", "最新信息日期 2021-02-11")
    assert f.threshold == "监测点前2周内(2021-02-17至2021-03-03)有更新"
    assert f.evidence | {"url": "", "as_of": ""} == {"url": "", "column": "首页>gzdt", "unit": "州政府办公室",
                                                       "as_of": "", "window_start": "2021-02-17",
                                                       "newest": "2021-02-11"}


def test_column_veto_at_exactly_five_stale_and_second_level_notices_do_not_count() -> None:
    four = [column(f"d{i}", "dynamic", OLD) for i in range(4)]
    assert site_level(judge(four)).outcome == PASS
    assert site_level(judge([*four, column("d4", "dynamic", OLD)])).outcome == FAIL
    second_level = column("tz2", "notice", date(2020, 1, 1), level=2)
    assert site_level(judge([*four, second_level])).outcome == PASS


def test_long_stale_veto_counts_blank_and_personnel_columns() -> None:
    cols = [column(f"rs{i}", "personnel", date(2019, 1, 1)) for i in range(7)]
    cols += [column(f"blank{i}", "dynamic", None, entries=0) for i in range(3)]
    f = site_level(judge(cols))
    assert (f.outcome, f.evidence["long_stale"]) == (FAIL, 10)
    assert site_level(judge(cols[:-1])).outcome == PASS


def test_blank_columns_of_any_category_count_as_long_stale_but_not_as_stale() -> None:
    cols = [column(f"rs{i}", "personnel", date(2019, 1, 1)) for i in range(6)]
    cols += [column(f"blank{i}", "other", None, entries=0) for i in range(4)]
    f = site_level(judge(cols))
    assert (f.outcome, f.evidence["stale"], f.evidence["long_stale"]) == (FAIL, 0, 10)
    assert f.reason == "多个栏目长期不更新"
    assert [x.subject for x in judge(cols) if "blank" in x.subject] == []


def test_undated_and_future_dated_columns() -> None:
    undated = column("undated", "dynamic", None, entries=2)
    future = replace(column("future", "dynamic", OLD), entries=[entry(OLD), entry(date(2021, 6, 1))])
    got = {f.subject.split("/")[-2]: f for f in judge([undated, future]) if not f.site_level}
    assert (got["undated"].outcome, got["undated"].observed) == (FAIL, "栏目信息均未注明日期")
    assert (got["future"].outcome, got["future"].evidence["newest"]) == (FAIL, str(OLD))


def test_other_columns_never_go_stale() -> None:
    cols = [column(f"o{i}", "other", date(2010, 1, 1)) for i in range(12)]
    assert [f.outcome for f in judge(cols)] == [PASS]


def test_column_404_is_not_stale_and_timeout_is_inconclusive() -> None:
    cols = [column(f"d{i}", "dynamic", OLD) for i in range(4)] + [column("gone", "dynamic", None, outcome="http",
                                                                        status=404, entries=0)]
    findings = judge(cols)
    assert not [f for f in findings if "gone" in f.subject]
    cols[-1] = column("slow", "dynamic", None, outcome="timeout", status=None, entries=0)
    findings = judge(cols)
    assert [f.outcome for f in findings if "slow" in f.subject] == [INCONCLUSIVE]
    assert site_level(findings).outcome == INCONCLUSIVE  # 4 stale + 1 unknown could reach the veto


def test_unreadable_columns_leave_the_veto_alone_when_they_could_not_reach_it() -> None:
    cols = [column(f"d{i}", "dynamic", OLD) for i in range(3)]
    cols.append(column("slow", "dynamic", None, outcome="timeout", status=None, entries=0))
    assert site_level(judge(cols)).outcome == PASS  # 3 stale + 1 unknown < 5


def test_challenge_column_and_unread_script_list_are_inconclusive_with_their_reason() -> None:
    waf = column("waf", "dynamic", None, outcome="blocked", status=200, entries=0)
    spa = column("spa", "dynamic", None, entries=0)
    xhr = page(f"{spa.url}list.json", outcome="not_json", status=200, role="list", column_url=spa.url)
    findings = column_stale.check(facts([waf, spa], pages=[page(), xhr]), BOOK[column_stale.CODE], AS_OF)
    by = {f.subject: f for f in findings if not f.site_level}
    assert (by[waf.url].outcome, by[waf.url].reason, by[waf.url].observed) == (
        INCONCLUSIVE, "栏目页面被网站防火墙拦截,待复核", "blocked 200")
    assert (by[spa.url].outcome, by[spa.url].reason, by[spa.url].observed) == (
        INCONCLUSIVE, "列表由脚本加载,未能读取,待复核", "not_json 200")
    assert site_level(findings).evidence["unsure"] == 2


def test_column_not_fetched_in_the_run_is_inconclusive_not_stale() -> None:
    missing = replace(column("never", "dynamic", None, entries=0), page=None)
    found = [f for f in judge([missing]) if not f.site_level]
    assert [f.observed for f in found] == ["未抓取"]
    assert {f.outcome for f in found} == {INCONCLUSIVE}


def test_false_positive_columns_are_reported_but_not_counted() -> None:
    stale = [column(f"d{i}", "dynamic", OLD) for i in range(5)]
    site = facts(stale)
    assert site_level(column_stale.check(site, BOOK[column_stale.CODE], AS_OF)).outcome == FAIL
    reviewed = replace(site, suppressed=frozenset({("column_stale", stale[0].url)}))
    findings = column_stale.check(reviewed, BOOK[column_stale.CODE], AS_OF)
    assert [f.outcome for f in findings if f.subject == stale[0].url] == [FAIL]
    assert (site_level(findings).outcome, site_level(findings).evidence["stale"]) == (PASS, 4)


def test_override_changes_only_its_keys(tmp_path: Path) -> None:
    path = tmp_path / "city.yaml"
    path.write_text("indicators:\n  column_stale: {params: {dynamic_days: 10}}\n", encoding="utf-8")
    book = load_rulebook(path)
    assert book["column_stale"].params["dynamic_days"] == 10
    assert book["column_stale"].params["veto_stale"] == 5 and book["column_blank"].params["veto_blank"] == 5
    stale = column("d", "dynamic", AS_OF - timedelta(days=11))
    assert [f.outcome for f in judge([stale], book) if not f.site_level] == [FAIL]
