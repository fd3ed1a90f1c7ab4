"""错别字: exact list entries only, guards that make a string correct, one finding per word and page, the user list
named by MONITOR_TYPO_LIST, reviewers' false positives."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from monitor.checks.model import FAIL, PASS
from monitor.checks.rulebook import load_rulebook
from monitor.checks.rules import typos
from tests.rule_facts import AS_OF, BOOK, HOME, facts, page, site_level


def judge(*texts: str, book=BOOK):
    pages = [page(f"{HOME}art/{i}.html", role="article", text_sample=t, title=f"文章{i}") for i, t in enumerate(texts)]
    return typos.check(facts(pages=pages), book[typos.CODE], AS_OF)


def test_typos_with_guards_and_user_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = "本次通报三起典型案列。该镇海拨1800米。该问题本案列入督办。财政拨给资金。"
    found = typos.check(facts(pages=[page(text_sample=text)]), BOOK[typos.CODE], AS_OF)
    assert sorted(f.observed for f in found if not f.site_level) == ["案列", "海拨"]
    assert all("context" in f.evidence for f in found if not f.site_level)
    user = tmp_path / "typos.yaml"
    user.write_text("typos:\n  - {wrong: 张三省长, right: 张三副省长, guards: []}\n", encoding="utf-8")
    monkeypatch.setenv("MONITOR_TYPO_LIST", str(user))  # read once, when the rulebook is loaded
    assert [f.observed for f in typos.check(facts(pages=[page(text_sample="张三省长出席会议")]), BOOK[typos.CODE], AS_OF)
            if not f.site_level] == []
    book = load_rulebook("")
    assert book[typos.CODE].params["user_list"] == str(user)
    found = typos.check(facts(pages=[page(text_sample="张三省长出席会议")]), book[typos.CODE], AS_OF)
    assert [f.observed for f in found if not f.site_level] == ["张三省长"]


def test_a_typo_repeated_on_a_page_is_one_finding_with_its_first_context() -> None:
    text = "第一个案列说明问题。第二个案列也是。"
    found = typos.check(facts(pages=[page(text_sample=text)]), BOOK[typos.CODE], AS_OF)
    (one,) = [f for f in found if not f.site_level]
    assert one.subject == HOME + "#案列" and one.evidence["context"].startswith("第一个案列")
    assert site_level(found).observed == "1处"


def test_clean_text_and_pages_without_text_pass() -> None:
    found = judge("本次通报三起典型案例。", "")
    assert [(f.outcome, f.observed) for f in found] == [(PASS, "0处")]
    assert [f.outcome for f in typos.check(facts(pages=[page(text_sample=None)]), BOOK[typos.CODE], AS_OF)] == [PASS]


def test_the_same_word_on_two_pages_is_two_findings_naming_each_page() -> None:
    found = [f for f in judge("海拨1800米", "海拨2000米") if not f.site_level]
    assert [(f.outcome, f.reason, f.evidence["title"]) for f in found] == [
        (FAIL, "错别字:海拨→海拔", "文章0"), (FAIL, "错别字:海拨→海拔", "文章1")]


@pytest.mark.parametrize(("text", "found"), [("案列", ["案列"]), ("本案列入", []), ("案列入", []),
                                             ("典型案列入选", []), ("典型案列,入选", ["案列"])])
def test_guard_boundaries(text: str, found: list[str]) -> None:
    """A guard must cover the hit itself; the hit at the very start or end of the text is still read."""
    assert [f.observed for f in judge(text) if not f.site_level] == found


def test_false_positive_typos_are_not_counted() -> None:
    site = facts(pages=[page(text_sample="海拨1800米")])
    reviewed = replace(site, suppressed=frozenset({("typos", HOME + "#海拨")}))
    found = typos.check(reviewed, BOOK[typos.CODE], AS_OF)
    assert [f.outcome for f in found] == [FAIL, PASS] and site_level(found).observed == "0处"
