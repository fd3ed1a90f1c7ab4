"""同一单位同一平台多个账号 (new media): the unit's other active accounts on the same platform, named and counted."""

from __future__ import annotations

from monitor.checks.model import FAIL, PASS
from monitor.checks.rules import account_duplicates
from tests.account_facts import AS_OF, BOOK, account, facts, whole

UNIT = "麟游县公安局"


def judge(siblings, **kw):
    kw = {"owner_unit": UNIT, "name": "麟游公安", "platform": "微博", "account_id": "100", **kw}
    return whole(account_duplicates.check(facts(siblings=siblings, **kw), BOOK[account_duplicates.CODE], AS_OF))


def sibling(uid: str, name: str, **kw):
    return account(uid, name, UNIT, "微博", **kw)


def test_one_account_per_unit_and_platform_passes() -> None:
    f = judge([])
    assert (f.outcome, f.observed, f.evidence["count"]) == (PASS, "麟游县公安局在微博开设1个账号", 1)


def test_four_weibo_accounts_of_one_unit_fail_naming_them_all() -> None:
    f = judge([sibling("101", "麟游交警"), sibling("102", "麟游刑侦"), sibling("103", "麟游网安")])
    assert (f.outcome, f.reason) == (FAIL, "同一单位在同一平台开设多个账号(4个)")
    assert f.evidence["count"] == 4 and {a["account"] for a in f.evidence["accounts"]} == {"100", "101", "102", "103"}
    assert f.observed.startswith("麟游县公安局在微博开设4个账号:") and "“麟游刑侦”" in f.observed


def test_a_retired_sibling_does_not_count_nor_does_the_account_itself() -> None:
    f = judge([sibling("101", "麟游交警", active=False), sibling("100", "麟游公安")])
    assert f.outcome == PASS


def test_judged_from_the_registry_even_without_a_reading() -> None:
    f = whole(account_duplicates.check(facts(siblings=[sibling("101", "麟游交警")], no_reading=True,
                                             owner_unit=UNIT, platform="微博", account_id="100"),
                                       BOOK[account_duplicates.CODE], AS_OF))
    assert (f.outcome, f.evidence["count"]) == (FAIL, 2)
