"""暗链及违规内容 (review): hidden external links and gambling/pornography keywords are candidates for a person."""

from __future__ import annotations

from monitor.checks.model import PASS, REVIEW
from monitor.checks.rules import hidden_links
from tests.rule_facts import AS_OF, BOOK, HOME, facts, link, page, site_level


def judge(links=(), text: str | None = "正文"):
    return hidden_links.check(facts(links=links, pages=[page(text_sample=text)]), BOOK[hidden_links.CODE], AS_OF)


def test_a_hidden_external_link_is_a_review_candidate() -> None:
    links = [link("http://cpro.baidustatic.com/c.js", "ok", 200, tag="script", external=True),
             link("http://www.bet365-vip.com/", "ok", 200, hidden=True, external=True)]
    hidden = judge(links)
    assert [f.subject for f in hidden if not f.site_level] == ["http://www.bet365-vip.com/"]
    assert {f.outcome for f in hidden} == {REVIEW}


def test_hidden_internal_menus_and_visible_external_links_pass() -> None:
    links = [link(HOME + "menu/", "ok", 200, hidden=True), link("http://www.gov.cn/", "ok", 200, external=True)]
    assert [(f.outcome, f.observed) for f in judge(links)] == [(PASS, "0处")]


def test_a_keyword_in_page_text_is_a_review_candidate_with_its_context() -> None:
    found = judge(text="首页公告。澳门百家乐在线,注册送彩金。")
    (hit,) = [f for f in found if not f.site_level]
    assert (hit.subject, hit.outcome, hit.reason) == (HOME + "#百家乐", REVIEW, "疑似违规内容")
    assert "澳门百家乐在线" in hit.evidence["context"]
    assert site_level(found).outcome == REVIEW


def test_the_same_hidden_link_on_two_pages_is_one_candidate_and_no_text_is_no_candidate() -> None:
    url = "http://www.bet365-vip.com/"
    links = [link(url, "ok", 200, hidden=True, external=True),
             link(url, "ok", 200, hidden=True, external=True, source_url=HOME + "b.html")]
    assert [f.subject for f in judge(links, text=None) if not f.site_level] == [url]
