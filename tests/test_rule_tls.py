"""HTTPS证书问题 (review): pages and the site's own links whose TLS handshake failed, for a person to decide."""

from __future__ import annotations

from monitor.checks.model import PASS, REVIEW
from monitor.checks.rules import tls
from tests.rule_facts import AS_OF, BOOK, HOME, facts, link, page, site_level

HTTPS = "https://www.hh.gov.cn/"


def judge(pages=None, links=()):
    return tls.check(facts(pages=pages, links=links, homepage_url=HTTPS), BOOK[tls.CODE], AS_OF)


def test_no_handshake_failure_passes() -> None:
    assert [(f.outcome, f.observed) for f in judge(links=[link(HTTPS + "a", "ok", 200)])] == [(PASS, "0处")]


def test_a_page_and_a_link_of_the_site_that_failed_the_handshake_are_review_items() -> None:
    err = "SSL: WRONG_VERSION_NUMBER"
    found = judge(pages=[page(HTTPS, outcome="tls", status=None, error=err)],
                  links=[link(HTTPS + "zwgk/", "tls", None, error="certificate has expired")])
    assert [(f.subject, f.outcome, f.observed) for f in found if not f.site_level] == [
        (HTTPS, REVIEW, err), (HTTPS + "zwgk/", REVIEW, "certificate has expired")]
    assert (site_level(found).outcome, site_level(found).observed) == (REVIEW, "2处")


def test_other_hosts_links_are_not_the_sites_certificate() -> None:
    """Boundary: only the homepage's host counts — an external site's bad certificate is not this site's problem,
    and a sub-domain is another host."""
    links = [link("https://www.example.com/", "tls", None, external=True), link("https://jyj.hh.gov.cn/", "tls", None)]
    assert [f.outcome for f in judge(links=links)] == [PASS]


def test_a_failure_without_an_error_text_is_still_reported() -> None:
    (item, _) = judge(pages=[page(HOME + "x", outcome="tls", status=None)])
    assert (item.observed, item.evidence) == ("tls", {"url": HOME + "x", "error": None})
