"""Links: canonical URLs, and pages without or with broken links. The elements read, anchors, attachments,
external and hidden links of a whole page: tests/fixtures/pages/links_every_kind (every link listed)."""

from __future__ import annotations

import pytest
from parsel import Selector

from monitor.extract.links import canonicalize, page_links


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
