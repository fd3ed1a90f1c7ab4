"""Verdicts from findings: veto, the 60-point line, caps, unknown points, bonus gate, 待定, false positives."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.checks.model import FAIL, INCONCLUSIVE, PASS, REVIEW, Finding
from monitor.checks.rulebook import RulebookError, load_rulebook
from monitor.checks.scoring import PENDING, QUALIFIED, UNQUALIFIED, verdict

BOOK = load_rulebook("")


def book_with(tmp_path: Path, text: str):
    path = tmp_path / "local.yaml"
    path.write_text(text, encoding="utf-8")
    return load_rulebook(path)


def typos(n: int) -> list[Finding]:
    return [Finding("typos", f"u#{i}", FAIL, "错别字") for i in range(n)] + [Finding("typos", "", FAIL, "存在错别字")]


def test_unknown_points_never_fail_a_site() -> None:
    findings = typos(500) + [Finding("domain", "", FAIL, "域名不符合规范"), Finding("footer_marks", "ICP备案号", FAIL, "")]
    v = verdict("portal", findings, BOOK)
    assert (v.result, v.score, v.veto) == (QUALIFIED, 100, False)


@pytest.mark.parametrize(("count", "score", "result"), [(40, 60, QUALIFIED), (41, 59, UNQUALIFIED)])
def test_exactly_sixty_points_pass(tmp_path: Path, count: int, score: float, result: str) -> None:
    book = book_with(tmp_path, "indicators:\n  typos: {points: 50, params: {points_each: 1}}\n")
    v = verdict("department", typos(count), book)
    assert (v.result, v.score) == (result, score)
    if result == UNQUALIFIED:
        assert v.reasons == ["评分低于60分", "存在错别字"]


def test_deductions_are_capped_per_indicator_and_whole_failures_cost_the_points(tmp_path: Path) -> None:
    book = book_with(tmp_path, "indicators:\n  typos: {points: 10, params: {points_each: 1}}\n"
                               "  domain: {points: 5}\n")
    v = verdict("portal", typos(30) + [Finding("domain", "", FAIL, "域名不符合规范")], book)
    assert (v.result, v.score) == (QUALIFIED, 85)


def test_bonus_gate_portals_above_eighty_only(tmp_path: Path) -> None:
    book = book_with(tmp_path, "indicators:\n  typos: {points: 50, params: {points_each: 1}}\n")
    assert verdict("portal", typos(19), book).bonus == 0.0  # 81: the bonus part is scored (its items are unknown)
    assert verdict("portal", typos(20), book).bonus is None  # exactly 80: no bonus
    assert verdict("department", [], book).bonus is None


def test_veto_fails_without_a_score_and_review_never_counts() -> None:
    veto = Finding("column_blank", "", FAIL, "空白栏目超过5")
    review = [Finding("personal_data", "", REVIEW, "疑似泄露个人信息"), Finding("hidden_links", "", REVIEW, "")]
    v = verdict("portal", [veto, Finding("homepage_stale", "", PASS, "")], BOOK)
    assert (v.result, v.veto, v.score, v.reasons) == (UNQUALIFIED, True, None, ["空白栏目超过5"])
    assert verdict("portal", review, BOOK).result == QUALIFIED
    # A failing column alone is not the veto: only the site-level finding is.
    assert verdict("portal", [Finding("column_blank", "http://x/", FAIL, "空白栏目")], BOOK).result == QUALIFIED
    two = verdict("portal", [veto, Finding("site_unreachable", "", FAIL, "无法访问")], BOOK)
    assert two.reasons == ["空白栏目超过5", "无法访问"]


def test_inconclusive_veto_is_pending_never_unqualified() -> None:
    unsure = Finding("homepage_stale", "", INCONCLUSIVE, "首页无法读取,待复核")
    v = verdict("portal", [unsure], BOOK)
    assert (v.result, v.reasons) == (PENDING, ["首页不更新待复核"])
    veto = Finding("column_blank", "", FAIL, "空白栏目超过5")
    assert verdict("portal", [unsure, veto], BOOK).result == UNQUALIFIED
    deduction_unsure = Finding("footer_marks", "", INCONCLUSIVE, "首页无法读取,待复核")
    assert verdict("portal", [deduction_unsure], BOOK).result == QUALIFIED


def test_false_positives_do_not_count(tmp_path: Path) -> None:
    veto = Finding("column_blank", "", FAIL, "空白栏目超过5")
    assert verdict("portal", [veto], BOOK, {("column_blank", "")}).result == QUALIFIED
    book = book_with(tmp_path, "indicators:\n  typos: {points: 50, params: {points_each: 1}}\n")
    suppressed = {("typos", "u#0")}
    assert verdict("portal", typos(41), book, suppressed).score == 60


# Moved from tests/test_rules.py when the rule tests were split one module per indicator.

def test_scoring_veto_score_threshold_and_pending(tmp_path: Path) -> None:
    veto = Finding("column_blank", "", FAIL, "空白栏目超过5")
    assert verdict("portal", [veto], BOOK).result == UNQUALIFIED
    assert verdict("portal", [veto], BOOK, {("column_blank", "")}).result == QUALIFIED  # false positive
    pending = Finding("homepage_stale", "", INCONCLUSIVE, "首页无法读取,待复核")
    assert verdict("portal", [pending], BOOK).result == PENDING
    local = tmp_path / "local.yaml"
    local.write_text("indicators:\n  broken_links: {points: 40, params: {home_points_each: 40, other_points_each: 1}}\n",
                     encoding="utf-8")
    book = load_rulebook(local)
    home_broken = [Finding("broken_links", "u", FAIL, "", evidence={"on_homepage": True})]
    assert verdict("portal", home_broken, book).score == 60 and verdict("portal", home_broken, book).result == QUALIFIED
    two = home_broken + [Finding("broken_links", "v", FAIL, "", evidence={"on_homepage": False})]
    v = verdict("portal", two, book)
    assert (v.result, v.score) == (QUALIFIED, 60)  # capped at the indicator's 40 points: exactly 60 passes
    local.write_text("indicators:\n  broken_links: {points: 41, params: {home_points_each: 41}}\n", encoding="utf-8")
    assert verdict("portal", home_broken, load_rulebook(local)).result == UNQUALIFIED  # 59 < 60


@pytest.mark.parametrize(("text", "message"), [
    ("indicators:\n  nonsense: {points: 1}\n", "indicators.nonsense: unknown indicator"),
    ("indicators:\n  column_stale: {params: {dynamic_days: -1}}\n", "indicators.column_stale.params.dynamic_days: must not be negative"),
    ("indicators:\n  column_blank: {params: {veto_blank: five}}\n", "indicators.column_blank.params.veto_blank: expected a number"),
    ("indicators:\n  column_blank: {colour: red}\n", "indicators.column_blank.colour: unknown key"),
    ("indicators: [1, 2\n", "not valid YAML"),
])
def test_malformed_rulebook_is_refused_with_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulebookError, match=message) as err:
        load_rulebook(path)
    assert str(path) in str(err.value)
