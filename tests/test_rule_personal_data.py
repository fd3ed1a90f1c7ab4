"""个人信息泄露 (review): ID numbers with a valid GB 11643 check digit and mobile numbers, masked, for a person to
review; never a failure."""

from __future__ import annotations

import pytest

from monitor.checks.model import PASS, REVIEW
from monitor.checks.rules import personal_data
from monitor.simweb.templates import id_number
from tests.rule_facts import AS_OF, BOOK, HOME, facts, page, site_level


def judge(text: str | None):
    return personal_data.check(facts(pages=[page(text_sample=text)]), BOOK[personal_data.CODE], AS_OF)


def test_valid_id_and_mobile_numbers_are_masked_review_candidates() -> None:
    valid, invalid = id_number("532501", "19850612", "321"), "532501198506123210"
    text = f"身份证号：{valid}，另一个{invalid if invalid != valid else ''}，手机：13988776655，电话 0873-1234567"
    found = judge(text)
    assert sorted(f.evidence["kind"] for f in found if not f.site_level) == ["手机号", "身份证号"]
    assert all(f.outcome == REVIEW for f in found)
    assert valid not in str([f.evidence for f in found])  # numbers are masked in what is stored
    mobile = next(f for f in found if f.evidence["kind"] == "手机号")
    assert (mobile.subject, mobile.observed) == (f"{HOME}#139887*6655", "139887*6655")
    assert site_level(found).observed == "2处" and site_level(found).reason == BOOK[personal_data.CODE].reason


@pytest.mark.parametrize("text", ["", None, "咨询电话：0873-3051234", "编号 139887766551", "订单 213988776655",
                                  "证件 5325011985061232150", "证件 X532501198506123215"])
def test_text_without_personal_data_passes(text: str | None) -> None:
    """Hotlines, longer digit runs and numbers glued to letters are not personal data."""
    assert [(f.outcome, f.observed) for f in judge(text)] == [(PASS, "0处")]


def test_check_digit_boundary() -> None:
    valid = id_number("532501", "19850612", "321")
    wrong = valid[:17] + ("0" if valid[17] != "0" else "1")
    assert personal_data.valid_id(valid) and not personal_data.valid_id(wrong)
    assert [f.outcome for f in judge(f"号码{wrong}")] == [PASS]
    assert personal_data.valid_id("11010519491231002X") and personal_data.valid_id("11010519491231002x")
