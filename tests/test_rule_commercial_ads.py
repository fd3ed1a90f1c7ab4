"""商业广告: ad and shop hosts from the rulebook, matched by host suffix or prefix, each URL once, false positives."""

from __future__ import annotations

from dataclasses import replace

from monitor.checks.model import FAIL, PASS
from monitor.checks.rules import commercial_ads
from tests.rule_facts import AS_OF, BOOK, HOME, facts, link, site_level


def judge(links):
    return commercial_ads.check(facts(links=links), BOOK[commercial_ads.CODE], AS_OF)


def test_an_ad_script_fails_and_a_government_link_passes() -> None:
    links = [link("http://cpro.baidustatic.com/c.js", "ok", 200, tag="script", external=True),
             link("http://www.bet365-vip.com/", "ok", 200, hidden=True, external=True)]
    assert site_level(judge(links)).outcome == FAIL
    found = [f for f in judge(links) if not f.site_level]
    assert [(f.subject, f.observed, f.evidence["tag"]) for f in found] == [
        ("http://cpro.baidustatic.com/c.js", "cpro.baidustatic.com", "script")]
    assert [f.outcome for f in judge([link("http://www.gov.cn/", "ok", 200, external=True)])] == [PASS]


def test_the_same_ad_linked_twice_is_one_finding() -> None:
    ad = "https://item.taobao.com/x"
    findings = judge([link(ad, "ok", 200, external=True), link(ad, "ok", 200, external=True, source_url=HOME + "b")])
    assert (len(findings), site_level(findings).observed) == (2, "1处")


def test_host_matching_boundaries() -> None:
    assert commercial_ads.ad_host_matcher(["ads."])("ads.example.com")
    assert not commercial_ads.ad_host_matcher(["jd.com"])("notjd.com") and commercial_ads.ad_host_matcher(["jd.com"])("www.jd.com")
    assert commercial_ads.ad_host_matcher(["jd.com"])("jd.com") and not commercial_ads.ad_host_matcher(["jd.com"])("jd.com.cn")
    assert not commercial_ads.ad_host_matcher(["ads."])("uploads.hh.gov.cn")  # a prefix entry matches the host's start only


def test_host_matching_is_the_rule_as_worded() -> None:
    """The label-by-label look-up decides as 'is a listed host, ends with "." + it, or starts with a listed prefix'."""
    import random

    rnd = random.Random(7)
    listed = ["jd.com", "ads.", "pos.baidu.com", "com.cn", "x.", "a.b.c"]
    labels = ["jd", "com", "cn", "ads", "pos", "baidu", "x", "a", "b", "c", "gov", "", "notjd"]
    is_ad = commercial_ads.ad_host_matcher(listed)
    for _ in range(5000):
        host = ".".join(rnd.choice(labels) for _ in range(rnd.randint(1, 5)))
        worded = any(host.startswith(a) if a.endswith(".") else host == a or host.endswith("." + a) for a in listed)
        assert is_ad(host) == worded, host


def test_false_positive_ads_are_not_counted() -> None:
    ads = [link("https://item.taobao.com/x", "ok", 200, external=True)]
    assert site_level(judge(ads)).outcome == FAIL
    site = replace(facts(links=ads), suppressed=frozenset({("commercial_ads", "https://item.taobao.com/x")}))
    assert site_level(commercial_ads.check(site, BOOK[commercial_ads.CODE], AS_OF)).outcome == PASS
