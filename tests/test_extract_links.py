"""Links: canonical URLs, and pages without or with broken links. The elements read, anchors, attachments,
external and hidden links of a whole page: tests/fixtures/pages/links_every_kind (every link listed)."""

from __future__ import annotations

import pytest
from parsel import Selector

from monitor.extract.links import canonicalize, document_base, page_links


@pytest.mark.parametrize(("url", "canonical"), [
    ("HTTP://WWW.Hh.GOV.cn:80/a/b.html#top", "http://www.hh.gov.cn/a/b.html"),
    ("https://www.hh.gov.cn:443/?z=1&a=2", "https://www.hh.gov.cn/?a=2&z=1"),
    ("http://www.hh.gov.cn:8080/a;jsessionid=ABC123?id=5", "http://www.hh.gov.cn:8080/a?id=5"),
    ("http://www.hh.gov.cn/a?PHPSESSID=9&sid=1&utm_source=wx&utm_medium=x&id=5", "http://www.hh.gov.cn/a?id=5"),
    ("http://www.hh.gov.cn", "http://www.hh.gov.cn/"),
    ("http://www.hh.gov.cn/A/Index.HTML?Col=X", "http://www.hh.gov.cn/A/Index.HTML?Col=X"),  # path and query kept
])
def test_canonicalize(url: str, canonical: str) -> None:
    assert canonicalize(url) == canonical


def test_empty_and_broken_pages() -> None:
    assert page_links(Selector(text="<html></html>"), "http://a.gov.cn/") == []
    assert [link.url for link in page_links(Selector(text="<div><a href='x.html'>x"), "http://a.gov.cn/")] == [
        "http://a.gov.cn/x.html"]


PAGE = "http://www.hh.gov.cn/gzdt/index.html"


@pytest.mark.parametrize(("head", "base"), [
    ('<base href="http://www.hh.gov.cn/zwgk/">', "http://www.hh.gov.cn/zwgk/"),  # absolute
    ('<base href="/zwgk/sub/">', "http://www.hh.gov.cn/zwgk/sub/"),  # root-relative: against the page URL
    ('<base href="../zwgk/">', "http://www.hh.gov.cn/zwgk/"),  # relative: against the page URL
    ('<base href=" https://cdn.hh.gov.cn/a/ "><base href="/second/">', "https://cdn.hh.gov.cn/a/"),  # the first
    ('<base target="_blank"><base href="/zwgk/">', "http://www.hh.gov.cn/zwgk/"),  # the first with an href
    ('<base href="javascript:void(0)">', PAGE), ('<base href="">', PAGE), ('<base href="ftp://x.cn/">', PAGE),
    ('<base href="http://[bad">', PAGE), ("", PAGE),
])
def test_document_base(head: str, base: str) -> None:
    assert document_base(Selector(text=f"<html><head>{head}</head><body></body></html>"), PAGE) == base


def test_links_resolve_against_base_href() -> None:
    html = """<html><head><base href="http://www.hh.gov.cn/zwgk/"><link rel="stylesheet" href="css/a.css"></head>
    <body><a href="202103/t1.html">相对</a><a href="/gzdt/t2.html">根相对</a><a href="https://www.yn.gov.cn/x.html">绝对</a>
    <a href="files/a.pdf">附件</a><img src="../img/logo.png"><a href="#top">顶部</a></body></html>"""
    links = {(link.tag, link.url, link.attachment, link.external) for link in page_links(Selector(text=html), PAGE)}
    assert links == {
        ("link", "http://www.hh.gov.cn/zwgk/css/a.css", False, False),
        ("a", "http://www.hh.gov.cn/zwgk/202103/t1.html", False, False),
        ("a", "http://www.hh.gov.cn/gzdt/t2.html", False, False),
        ("a", "https://www.yn.gov.cn/x.html", False, True),
        ("a", "http://www.hh.gov.cn/zwgk/files/a.pdf", True, False),
        ("img", "http://www.hh.gov.cn/img/logo.png", False, False),
    }


def test_external_is_judged_against_the_page_not_the_base() -> None:
    # A base on another site (a CDN, a former domain): links go there, and are external to the page's site.
    html = '<base href="http://www.old-hh.gov.cn/"><a href="a.html">旧</a><a href="http://www.hh.gov.cn/b.html">本站</a>'
    assert [(link.url, link.external) for link in page_links(Selector(text=html), PAGE)] == [
        ("http://www.old-hh.gov.cn/a.html", True), ("http://www.hh.gov.cn/b.html", False)]
