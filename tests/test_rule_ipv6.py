"""IPv6支持: the newest IPv6 visit of the week decides; no route from our network is inconclusive; no IPv6 visit at
all is skipped, not a failure."""

from __future__ import annotations

from datetime import datetime

from monitor.checks.model import FAIL, INCONCLUSIVE, PASS, SKIPPED
from monitor.checks.rules import ipv6
from tests.rule_facts import AS_OF, BOOK, facts, probe


def v6(outcome: str, at: datetime = datetime(2021, 3, 2)):
    return probe(at, outcome=outcome, status=None, latency_ms=5, family="ipv6", address="[::1]:80")


def judge(rows):
    (f,) = ipv6.check(facts(probes=rows), BOOK[ipv6.CODE], AS_OF)
    return f


def test_ipv6_outcomes() -> None:
    assert ipv6.check(facts(probes=[v6("ok")]), BOOK[ipv6.CODE], AS_OF)[0].outcome == PASS
    assert ipv6.check(facts(probes=[v6("no_aaaa")]), BOOK[ipv6.CODE], AS_OF)[0].outcome == FAIL
    assert ipv6.check(facts(probes=[v6("no_route")]), BOOK[ipv6.CODE], AS_OF)[0].outcome == INCONCLUSIVE


def test_a_failure_carries_the_reason_and_the_visit() -> None:
    f = judge([v6("refused")])
    assert (f.outcome, f.reason, f.observed) == (FAIL, BOOK[ipv6.CODE].reason, "refused")
    assert (f.evidence["address"], f.evidence["probed_at"]) == ("[::1]:80", "2021-03-02 00:00:00")


def test_no_ipv6_visit_is_skipped_and_ipv4_visits_do_not_count() -> None:
    assert judge([]).outcome == SKIPPED
    assert (judge([probe(datetime(2021, 3, 2))]).outcome, judge([]).reason) == (SKIPPED, "未开展IPv6监测")


def test_the_newest_visit_inside_the_week_decides() -> None:
    assert judge([v6("ok", datetime(2021, 3, 1)), v6("no_aaaa", datetime(2021, 3, 2, 12))]).outcome == FAIL
    assert judge([v6("no_aaaa", datetime(2021, 3, 1)), v6("ok", datetime(2021, 3, 2, 12))]).outcome == PASS
    # Boundary: a visit exactly 7 days before the monitoring point is inside, one second earlier and the
    # monitoring day itself are not.
    assert judge([v6("ok", datetime(2021, 2, 24))]).outcome == PASS
    assert judge([v6("ok", datetime(2021, 2, 23, 23, 59, 59))]).outcome == SKIPPED
    assert judge([v6("ok", datetime(2021, 2, 24)), v6("no_aaaa", datetime(2021, 3, 3))]).outcome == PASS


def test_an_address_our_policy_refused_is_never_the_sites_failure() -> None:
    f = judge([v6("forbidden")])
    assert f.outcome == INCONCLUSIVE and "内网或保留地址" in f.reason
