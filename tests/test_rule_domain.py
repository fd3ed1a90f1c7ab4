"""域名规范: .gov.cn, the www.□□□.gov.cn structure of portals, department sites under their portal's domain."""

from __future__ import annotations

import pytest

from monitor.checks.model import FAIL, PASS
from monitor.checks.rules import domain
from tests.rule_facts import AS_OF, BOOK, facts


def judge(host: str, kind: str = "portal", parent: str | None = None):
    return domain.check(facts(kind=kind, homepage_url=f"http://{host}/", parent=parent), BOOK[domain.CODE], AS_OF)


@pytest.mark.parametrize(("host", "kind", "parent", "ok"), [
    ("www.hh.gov.cn", "portal", None, True), ("hh.gov.cn", "portal", None, False),
    ("www.hh.com.cn", "portal", None, False), ("jyj.hh.gov.cn", "department", "http://www.hh.gov.cn/", True),
    ("jyj.gejiu.gov.cn", "department", "http://www.hh.gov.cn/", False)])
def test_domain_rules(host: str, kind: str, parent: str | None, ok: bool) -> None:
    f = domain.check(facts(kind=kind, homepage_url=f"http://{host}/", parent=parent), BOOK[domain.CODE], AS_OF)
    assert f[0].outcome == (PASS if ok else FAIL)


def test_a_failure_names_every_problem_and_the_hosts() -> None:
    (f,) = judge("jyj.slz-edu.com", "department", "http://www.slz.gov.cn/")
    assert (f.outcome, f.observed) == (FAIL, "未使用.gov.cn域名;部门网站域名不是门户网站slz.gov.cn的下级域名")
    assert f.reason == BOOK[domain.CODE].reason
    assert (f.evidence["host"], f.evidence["parent_host"]) == ("jyj.slz-edu.com", "www.slz.gov.cn")


@pytest.mark.parametrize(("host", "ok"), [("WWW.HH.GOV.CN", True), ("www.hh.gov.cn:8080", True),
                                          ("www.a.hh.gov.cn", False), ("www.gov.cn.example.com", False)])
def test_structure_boundaries(host: str, ok: bool) -> None:
    """Case and port do not matter; one label more than www.□□□.gov.cn, or .gov.cn not at the end, fails."""
    assert judge(host)[0].outcome == (PASS if ok else FAIL)


def test_department_without_a_known_portal_is_judged_on_gov_cn_only() -> None:
    assert judge("jyj.hh.gov.cn", "department")[0].outcome == PASS
    assert judge("hh.gov.cn", "department", "http://www.hh.gov.cn/")[0].outcome == FAIL  # the portal itself is not under it
