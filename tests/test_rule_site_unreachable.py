"""站点无法访问: the 5 % veto exactly, the 15 s latency exactly, visits that are not evidence, days short of 20 visits
and no probes at all (待定, never a pass), the window's ends."""

from __future__ import annotations

from datetime import datetime

import pytest

from monitor.checks.model import FAIL, INCONCLUSIVE, PASS
from monitor.checks.rules import site_unreachable
from tests.rule_facts import AS_OF, BOOK, facts, probe, probes


def judge(rows):
    (f,) = site_unreachable.check(facts(probes=rows), BOOK[site_unreachable.CODE], AS_OF)
    return f


@pytest.mark.parametrize(("failures", "outcome"), [(7, FAIL), (6, PASS)])
def test_unreachable_at_exactly_five_percent(failures: int, outcome: str) -> None:
    f = site_unreachable.check(facts(probes=probes([20] * 7, failures)), BOOK[site_unreachable.CODE], AS_OF)[0]
    assert f.outcome == outcome and f.evidence["visits"] == 140 and f.evidence["failed"] == failures


def test_a_failure_names_the_failed_visits_and_the_notice_reason() -> None:
    f = judge(probes([20] * 7, 7))
    assert (f.reason, f.observed) == ("无法访问", "访问140次,失败7次,占比5.00%")
    assert f.evidence["failures"][0] == "2021-02-24 00:00 ok 200" and len(f.evidence["failures"]) == 7


def test_unreachable_latency_boundary_and_blocked_visits() -> None:
    assert site_unreachable.check(facts(probes=probes([20] * 7, 7, fail_ms=14999)), BOOK[site_unreachable.CODE], AS_OF)[0].outcome == PASS
    rows = probes([27] * 7, 0)
    for row in rows[:7]:
        row.outcome, row.status = "http", 403  # our side refused: not evidence, not a failure
    assert site_unreachable.check(facts(probes=rows), BOOK[site_unreachable.CODE], AS_OF)[0].outcome == PASS


@pytest.mark.parametrize(("outcome", "status", "latency_ms", "failed"), [
    ("ok", 200, 14999, False), ("ok", 200, 15000, True), ("ok", 200, None, None), ("http", 404, 30, True),
    ("http", 500, 30, True), ("http", 301, 30, False), ("http", 429, 30, None), ("http", 408, None, None),
    ("timeout", None, None, True), ("dns", None, None, True), ("refused", None, None, True),
    ("forbidden", None, None, None)])  # our address policy refused the visit: never evidence against the site
def test_what_a_visit_is_evidence_of(outcome: str, status: int | None, latency_ms: int | None,
                                     failed: bool | None) -> None:
    assert site_unreachable.visit_failed(outcome, status, latency_ms, 15) is failed


def test_unreachable_short_day_and_no_probes_are_inconclusive() -> None:
    f = site_unreachable.check(facts(probes=probes([20] * 6 + [10], 0)), BOOK[site_unreachable.CODE], AS_OF)[0]
    assert f.outcome == INCONCLUSIVE and f.evidence["days_short"] == {"2021-03-02": 10}
    none = site_unreachable.check(facts(), BOOK[site_unreachable.CODE], AS_OF)[0]  # not monitored in the window: 待定, never a pass
    assert (none.outcome, none.reason) == (INCONCLUSIVE, "无监测数据")


def test_a_short_day_is_inconclusive_even_when_the_share_would_fail() -> None:
    f = judge(probes([20] * 6 + [19], 100))
    assert (f.outcome, f.reason) == (INCONCLUSIVE, "监测次数不足,待复核")


def test_the_window_is_the_seven_days_before_the_monitoring_point() -> None:
    rows = probes([20] * 7, 0)
    # Visits on the monitoring day itself and before the window are not read: they cannot fill or fail it.
    late = [probe(datetime(2021, 3, 3, h), outcome="timeout", status=None, latency_ms=None) for h in range(10)]
    early = [probe(datetime(2021, 2, 23, 23, 59), outcome="timeout", status=None, latency_ms=None)]
    f = judge(rows + late + early)
    assert (f.outcome, f.evidence["visits"], f.evidence["window"]) == (
        PASS, 140, ["2021-02-24 00:00:00", "2021-03-03 00:00:00"])


def test_ipv6_visits_are_reported_not_counted() -> None:
    v6 = [probe(datetime(2021, 3, 1, h), family="ipv6", outcome="no_aaaa", status=None, latency_ms=None)
          for h in range(3)]
    f = judge(probes([20] * 7, 0) + v6)
    assert (f.outcome, f.evidence["visits"], f.evidence["ipv6"]) == (PASS, 140, {"no_aaaa": 3})
    assert judge(v6).reason == "无监测数据"  # IPv6 visits alone are no availability evidence
