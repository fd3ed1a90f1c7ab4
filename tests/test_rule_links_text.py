"""链接可用性, 商业广告 and 错别字: each item once, reviewers' false positives not counted, what is never broken."""

from __future__ import annotations

from dataclasses import replace

from monitor.checks.model import FAIL, PASS
from monitor.checks.rules import broken_links, commercial_ads, typos
from tests.test_rules import AS_OF, BOOK, HOME, facts, link, page, site_level


def test_a_broken_url_linked_from_several_pages_counts_once_on_the_homepage() -> None:
    links = [link(HOME + "gone", "http", 404, on_home=False), link(HOME + "gone", "http", 404, on_home=True),
             link(HOME + "x", "http", 410, on_home=False), link(HOME + "y", None, None)]
    findings = broken_links.check(facts(links=links), BOOK[broken_links.CODE], AS_OF)
    assert [(f.subject, f.reason) for f in findings if not f.site_level] == [
        (HOME + "gone", "首页存在不可用链接"), (HOME + "x", "其他页面存在不可用链接")]
    assert site_level(findings).observed == "首页不可用链接1个,其他页面1个"  # the unchecked link is not judged


def test_links_that_open_are_never_broken() -> None:
    links = [link(HOME + "a", "ok", 200), link(HOME + "b", "http", 301), link(HOME + "c", "not_html", 200),
             link(HOME + "d", "too_large", 200)]
    assert [f.outcome for f in broken_links.check(facts(links=links), BOOK[broken_links.CODE], AS_OF)] == [PASS]


def test_false_positive_links_and_ads_are_not_counted() -> None:
    links = [link(HOME + "a", "http", 404)]
    site = replace(facts(links=links), suppressed=frozenset({("broken_links", HOME + "a")}))
    assert site_level(broken_links.check(site, BOOK[broken_links.CODE], AS_OF)).outcome == PASS
    ads = [link("https://item.taobao.com/x", "ok", 200, external=True)]
    assert site_level(commercial_ads.check(facts(links=ads), BOOK[commercial_ads.CODE], AS_OF)).outcome == FAIL
    site = replace(facts(links=ads), suppressed=frozenset({("commercial_ads", "https://item.taobao.com/x")}))
    assert site_level(commercial_ads.check(site, BOOK[commercial_ads.CODE], AS_OF)).outcome == PASS
    assert commercial_ads.is_ad_host("ads.example.com", ["ads."])
    assert not commercial_ads.is_ad_host("notjd.com", ["jd.com"]) and commercial_ads.is_ad_host("www.jd.com", ["jd.com"])


def test_a_typo_repeated_on_a_page_is_one_finding_with_its_first_context() -> None:
    text = "第一个案列说明问题。第二个案列也是。"
    found = typos.check(facts(pages=[page(text_sample=text)]), BOOK[typos.CODE], AS_OF)
    (one,) = [f for f in found if not f.site_level]
    assert one.subject == HOME + "#案列" and one.evidence["context"].startswith("第一个案列")
    assert site_level(found).observed == "1处"
