"""The rulebook as data: the national book's content, the local override merge and the refusal of malformed books."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from monitor.checks.rulebook import CONFIDENCE, KINDS, NATIONAL, RulebookError, load_rulebook
from monitor.checks.rules import RULES

BOOK = load_rulebook("")


def test_national_book_lists_every_website_indicator_with_its_clause() -> None:
    assert set(BOOK.indicators) == set(RULES)  # one rule module per indicator, and no rule without an entry
    for code, ind in BOOK.indicators.items():
        assert ind.name and ind.family and ind.reason and ind.clause, code
        assert ind.kind in KINDS and ind.confidence in CONFIDENCE, code
    assert BOOK.scoring == {"deduction_total": 100, "fail_below": 60, "bonus_above": 80, "bonus_total": 30}
    unreachable = BOOK["site_unreachable"]
    assert (unreachable.kind, unreachable.params) == ("veto", {"window_days": 7, "min_visits_per_day": 20,
                                                              "timeout_seconds": 15, "veto_share": 0.05})
    assert BOOK["column_blank"].reason == "空白栏目超过5" and BOOK["column_stale"].reason == "多个栏目长期不更新"


def test_points_the_national_text_does_not_give_are_unknown_not_invented() -> None:
    raw = yaml.safe_load(NATIONAL.read_text(encoding="utf-8"))["indicators"]
    for code, ind in BOOK.indicators.items():
        if ind.kind == "deduction":
            assert "points" in raw[code] and ind.points is None, code  # present, and null
            each = {k: v for k, v in ind.params.items() if k.endswith("points_each")}
            assert set(each.values()) <= {None}, code  # per-item values, where the rule has items, unknown too
        else:
            assert ind.points is None, code


def test_override_is_deep_merged_and_named_by_the_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    city = tmp_path / "city.yaml"
    city.write_text("indicators:\n"
                    "  column_stale: {params: {dynamic_days: 10}}\n"
                    "  broken_links: {points: 10, params: {home_points_each: 1}}\n"
                    "  commercial_ads: {params: {ad_hosts: [ads.example.com]}}\n"
                    "scoring: {fail_below: 70}\n", encoding="utf-8")
    monkeypatch.setenv("MONITOR_RULEBOOK", str(city))
    book = load_rulebook()
    assert book.sources == (str(NATIONAL), str(city))
    stale = book["column_stale"]
    assert stale.params == {**BOOK["column_stale"].params, "dynamic_days": 10}
    assert stale.reason == BOOK["column_stale"].reason and stale.clause == BOOK["column_stale"].clause
    links = book["broken_links"]
    assert (links.points, links.params) == (10, {"home_points_each": 1, "other_points_each": None})
    assert book["commercial_ads"].params["ad_hosts"] == ["ads.example.com"]  # a list is replaced, not appended
    assert book.scoring == {**BOOK.scoring, "fail_below": 70}
    assert book["column_blank"] == BOOK["column_blank"]
    monkeypatch.setenv("MONITOR_RULEBOOK", "")
    assert load_rulebook().sources == (str(NATIONAL),)


@pytest.mark.parametrize(("text", "key_path", "message"), [
    ("indicators:\n  nonsense: {points: 1}\n", "indicators.nonsense", "unknown indicator"),
    ("indicators:\n  column_stale: {params: {dynamic_dayz: 10}}\n", "indicators.column_stale.params.dynamic_dayz",
     "unknown key"),
    ("indicators:\n  column_blank: {colour: red}\n", "indicators.column_blank.colour", "unknown key"),
    ("scoring: {pass_above: 60}\n", "scoring.pass_above", "unknown key"),
    ("thresholds: {}\n", "thresholds", "unknown key"),
    ("indicators:\n  column_stale: {params: {dynamic_days: -1}}\n", "indicators.column_stale.params.dynamic_days",
     "must not be negative"),
    ("indicators:\n  broken_links: {points: -5}\n", "indicators.broken_links.points", "must not be negative"),
    ("indicators:\n  column_blank: {params: {veto_blank: five}}\n", "indicators.column_blank.params.veto_blank",
     "expected a number"),
    ("indicators:\n  broken_links: {params: {home_points_each: '1'}}\n",
     "indicators.broken_links.params.home_points_each", "expected a number"),
    ("indicators:\n  typos: {points: true}\n", "indicators.typos.points", "expected a number"),
    ("indicators:\n  commercial_ads: {params: {ad_hosts: baidu.com}}\n", "indicators.commercial_ads.params.ad_hosts",
     "expected a list"),
    ("indicators:\n  commercial_ads: {params: {ad_hosts: [1]}}\n", "indicators.commercial_ads.params.ad_hosts[0]",
     "expected a non-empty text"),
    ("indicators:\n  column_stale: {params: 14}\n", "indicators.column_stale.params", "expected a mapping"),
    ("indicators:\n  column_stale: {reason: null}\n", "indicators.column_stale.reason", "missing"),
    ("indicators:\n  column_stale: {clause: ''}\n", "indicators.column_stale.clause", "missing"),
    ("indicators:\n  column_stale: {kind: fatal}\n", "indicators.column_stale.kind", "is not one of"),
    ("indicators:\n  column_stale: {confidence: high}\n", "indicators.column_stale.confidence", "is not one of"),
    ("scoring: {fail_below: null}\n", "scoring.fail_below", "expected a number"),
    ("indicators: [1, 2\n", "", "not valid YAML"),
    ("- a list\n", "", "must be a mapping"),
])
def test_malformed_book_is_refused_naming_file_and_key(tmp_path: Path, text: str, key_path: str,
                                                        message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulebookError) as err:
        load_rulebook(path)
    assert str(err.value).startswith(f"{path}: {key_path}" if key_path else f"{path}: ")
    assert message in str(err.value)


def test_missing_override_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RulebookError, match="no such rulebook"):
        load_rulebook(tmp_path / "absent.yaml")
