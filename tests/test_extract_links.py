"""Links: canonical URLs, the elements read, attachments, external and hidden links."""

from __future__ import annotations

import pytest
from parsel import Selector

from monitor.extract.links import canonicalize, page_links
from monitor.extract.model import LinkFact


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


PAGE = """<html><head><link rel="stylesheet" href="/css/a.css"><link rel="icon" href="/favicon.ico">
<script src="http://jyj.hh.gov.cn/js/a.js"></script></head><body>
<a href="/f/附件.pdf">附件一</a> <a href="doc/b.DOCX">附件二</a> <a href="x.wps">三</a> <a href="y.html">网页</a>
<a href="http://www.casino-ad.com/">广告</a> <a href="https://www.gov.cn/">中国政府网</a>
<img src="/i.png" alt="图片"><iframe src="https://map.example.com/embed"></iframe>
<a href="javascript:void(0)">js</a><a href="#top">top</a><a href="mailto:a@hh.gov.cn">mail</a><a href="tel:0873">tel</a>
<img src="data:image/png;base64,AAAA"><a href="y.html#part">网页</a>
<div style="display: none"><a href="http://bet.example.com/">博彩</a></div>
<div style="POSITION:absolute; LEFT:-9999px"><a href="/off">off</a></div><p hidden><a href="/h">h</a></p>
<span style="visibility:hidden"><a href="/v">v</a></span><span style="font-size:0px"><a href="/z">z</a></span>
<div style="margin-left:-9px;font-size:0.9em"><a href="/shown">shown</a></div></body></html>"""


@pytest.fixture(scope="module")
def links() -> dict[str, LinkFact]:
    return {f"{link.tag} {link.url}": link for link in page_links(Selector(text=PAGE), "http://www.hh.gov.cn/gzdt/a.html")}


def test_elements_read_and_skipped(links: dict[str, LinkFact]) -> None:
    assert sorted(links) == sorted([
        "link http://www.hh.gov.cn/css/a.css", "link http://www.hh.gov.cn/favicon.ico",
        "script http://jyj.hh.gov.cn/js/a.js", "a http://www.hh.gov.cn/f/附件.pdf",
        "a http://www.hh.gov.cn/gzdt/doc/b.DOCX", "a http://www.hh.gov.cn/gzdt/x.wps", "a http://www.hh.gov.cn/gzdt/y.html",
        "a http://www.casino-ad.com/", "a https://www.gov.cn/", "img http://www.hh.gov.cn/i.png",
        "iframe https://map.example.com/embed", "a http://bet.example.com/", "a http://www.hh.gov.cn/off",
        "a http://www.hh.gov.cn/h", "a http://www.hh.gov.cn/v", "a http://www.hh.gov.cn/z", "a http://www.hh.gov.cn/shown"])


def test_anchor_text_alt_and_attachments(links: dict[str, LinkFact]) -> None:
    assert links["img http://www.hh.gov.cn/i.png"].anchor == "图片"
    assert links["a http://www.hh.gov.cn/f/附件.pdf"].anchor == "附件一"
    assert {k for k, link in links.items() if link.attachment} == {
        "a http://www.hh.gov.cn/f/附件.pdf", "a http://www.hh.gov.cn/gzdt/doc/b.DOCX", "a http://www.hh.gov.cn/gzdt/x.wps"}


def test_external_by_registrable_domain(links: dict[str, LinkFact]) -> None:
    assert {k for k, link in links.items() if link.external} == {
        "a http://www.casino-ad.com/", "a https://www.gov.cn/", "iframe https://map.example.com/embed",
        "a http://bet.example.com/"}  # jyj.hh.gov.cn shares hh.gov.cn; www.gov.cn is another registrable domain


def test_hidden_links(links: dict[str, LinkFact]) -> None:
    assert {k for k, link in links.items() if link.hidden} == {
        "a http://bet.example.com/", "a http://www.hh.gov.cn/off", "a http://www.hh.gov.cn/h",
        "a http://www.hh.gov.cn/v", "a http://www.hh.gov.cn/z"}


def test_empty_and_broken_pages() -> None:
    assert page_links(Selector(text="<html></html>"), "http://a.gov.cn/") == []
    assert [link.url for link in page_links(Selector(text="<div><a href='x.html'>x"), "http://a.gov.cn/")] == [
        "http://a.gov.cn/x.html"]
