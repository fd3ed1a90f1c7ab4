"""Extraction at scale: linear work, bounded output with what was cut counted, truncated trees, over-long links.

No timings: the work is counted (XPath evaluations and serialisations through parsel, date readings and the text
they read), with the real functions doing it; speed is measured by bench/extraction_scale.py.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from parsel import Selector
from scrapy import Request, Spider
from scrapy.spidermiddlewares.urllength import UrlLengthMiddleware
from scrapy.utils.test import get_crawler

from monitor.extract import lists
from monitor.extract.links import (
    MAX_LINKS_PER_PAGE,
    URLLENGTH_LIMIT,
    absolute,
    canonicalize,
    page_links,
    url_too_long,
)
from monitor.extract.lists import (
    MAX_LIST_ENTRIES,
    MAX_XHR_LISTS,
    MAX_XHR_LISTS_PER_COLUMN,
    list_entries,
    nav_columns,
    next_pages,
    xhr_list_urls,
)
from monitor.extract.page import TOO_DEEP, extract_page, parse_limit

REF = date(2021, 3, 3)
BASE = "http://www.hh.gov.cn/gzdt/"
FOOTER = '<div class="footer">网站标识码5325000001 滇ICP备05000002号</div>'


def dated_rows(n: int) -> str:
    rows = "".join(f'<li><a href="t{i}.html">第{i}条通知</a><span>2021-03-{i % 28 + 1:02d}</span></li>' for i in range(n))
    return f"<html><body><div class='list'><ul>{rows}</ul></div>{FOOTER}</body></html>"


def one_block(n: int) -> str:
    """n undated links in one paragraph: the row of every link is the whole block."""
    links = "".join(f'<a href="/x/t{i}.html">第{i}条</a> 说明文字 ' for i in range(n))
    return f"<html><body><p>{links}</p>{FOOTER}</body></html>"


def dates_in_links(n: int) -> str:
    """n links in one paragraph, each with its date inside: the date is read from the link, not the block."""
    links = "".join(f'<a href="/x/t{i}.html"><span>第{i}条</span><span>2021-02-{i % 28 + 1:02d}</span></a><br>'
                    for i in range(n))
    return f"<html><body><p>{links}</p>{FOOTER}</body></html>"


class Work:
    """Counts what extraction does through parsel and the date parser (the real functions still do it)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.counts: Counter[str] = Counter()
        xpath, get, parse_date = Selector.xpath, Selector.get, lists.parse_date

        def counted_xpath(sel: Selector, *args: Any, **kwargs: Any) -> Any:
            self.counts["xpath"] += 1
            return xpath(sel, *args, **kwargs)

        def counted_get(sel: Selector) -> Any:
            self.counts["serialised"] += 1
            return get(sel)

        def counted_parse_date(text: str, **kwargs: Any) -> Any:
            self.counts["dates read"] += 1
            self.counts["date chars"] += len(text)
            return parse_date(text, **kwargs)

        monkeypatch.setattr(Selector, "xpath", counted_xpath)
        monkeypatch.setattr(Selector, "get", counted_get)
        monkeypatch.setattr(lists, "parse_date", counted_parse_date)

    def of(self, run: Callable[[], object]) -> Counter[str]:
        self.counts.clear()
        run()
        return Counter(self.counts)


@pytest.mark.parametrize("page", [dated_rows, one_block, dates_in_links])
def test_list_entries_work_grows_with_the_page_not_its_square(monkeypatch: pytest.MonkeyPatch,
                                                              page: Callable[[int], str]) -> None:
    small, large = Selector(text=page(100)), Selector(text=page(1000))
    work = Work(monkeypatch)
    w_small = work.of(lambda: list_entries(small, BASE, ref=REF))
    w_large = work.of(lambda: list_entries(large, BASE, ref=REF))
    # No XPath and no serialisation per link: ten times the links, the same number of each.
    assert w_large["xpath"] == w_small["xpath"] <= 3
    assert w_large["serialised"] == w_small["serialised"] == 0
    # Each link's row is read once: dates read and the text they read grow tenfold, not a hundredfold.
    assert w_large["dates read"] <= 10 * w_small["dates read"] + 10
    assert w_large["date chars"] <= 3 * len(page(1000))


def test_what_the_linear_reading_finds() -> None:
    # What the one-pass reading finds on each shape: dated rows, a block of undated links (no list), and a block
    # of links with their dates inside, where each link now keeps its own date (reading the whole block per link
    # gave every link after the first the first link's date).
    entries = list_entries(Selector(text=dated_rows(30)), BASE, ref=REF)
    assert [(e.title, e.date.value) for e in entries[:2]] == [("第0条通知", date(2021, 3, 1)), ("第1条通知", date(2021, 3, 2))]
    assert len(entries) == 30 and entries[-1].url == BASE + "t29.html"
    assert list_entries(Selector(text=one_block(30)), BASE, ref=REF) == []
    in_links = list_entries(Selector(text=dates_in_links(30)), BASE, ref=REF)
    assert len(in_links) == 30 and in_links[5].date.value == date(2021, 2, 6)


@pytest.mark.parametrize("run", [
    lambda sel: nav_columns(sel, BASE), lambda sel: next_pages(sel, BASE), lambda sel: page_links(sel, BASE),
    lambda sel: xhr_list_urls(sel, BASE),
], ids=["nav_columns", "next_pages", "page_links", "xhr_list_urls"])
def test_other_readings_walk_the_page_once(monkeypatch: pytest.MonkeyPatch,
                                           run: Callable[[Selector], object]) -> None:
    small, large = Selector(text=dated_rows(100)), Selector(text=dated_rows(1000))
    work = Work(monkeypatch)
    w_small, w_large = work.of(lambda: run(small)), work.of(lambda: run(large))
    assert w_large["xpath"] == w_small["xpath"] <= 6
    assert w_large["serialised"] == w_small["serialised"]


def test_list_entries_are_bounded_and_the_rest_counted() -> None:
    cut: Counter[str] = Counter()
    entries = list_entries(Selector(text=dated_rows(MAX_LIST_ENTRIES + 250)), BASE, ref=REF, cut=cut)
    assert len(entries) == MAX_LIST_ENTRIES and cut == {"entries": 250}
    assert entries[0].url == BASE + "t0.html" and entries[-1].url == BASE + f"t{MAX_LIST_ENTRIES - 1}.html"
    # The registry's item selector is bounded alike.
    cut.clear()
    assert len(list_entries(Selector(text=dated_rows(MAX_LIST_ENTRIES + 3)), BASE, item_selector="li",
                            cut=cut)) == MAX_LIST_ENTRIES
    assert cut == {"entries": 3}
    # A page within the bound loses nothing and counts nothing.
    cut.clear()
    assert len(list_entries(Selector(text=dated_rows(40)), BASE, ref=REF, cut=cut)) == 40 and not cut


def test_page_links_are_bounded_and_the_rest_counted() -> None:
    n = MAX_LINKS_PER_PAGE + 700
    anchors = "".join(f'<a href="/p/{i}.html">{i}</a>' for i in range(n))
    repeats = "".join(f'<a href="/p/{i}.html">again</a>' for i in range(50))  # the same links: not counted twice
    html = f"<html><body>{anchors}{repeats}<img src='/logo.png'></body></html>"
    cut: Counter[str] = Counter()
    links = page_links(Selector(text=html), BASE, cut=cut)
    assert len(links) == MAX_LINKS_PER_PAGE and cut == {"links": 700 + 1}  # the image came last: cut, counted
    assert links[0].url == "http://www.hh.gov.cn/p/0.html" and links[0].anchor == "0"


def test_extract_page_reports_what_it_cut() -> None:
    html = dated_rows(MAX_LINKS_PER_PAGE + 10)
    facts = extract_page(html, BASE, ref=REF)
    assert facts.cut == {"entries": MAX_LINKS_PER_PAGE + 10 - MAX_LIST_ENTRIES, "links": 10}
    assert len(facts.links) == MAX_LINKS_PER_PAGE and len(facts.entries) == MAX_LIST_ENTRIES
    assert facts.footer.site_code == "5325000001" and facts.interstitial is None
    assert facts.to_dict()["cut"] == facts.cut
    assert extract_page(dated_rows(20), BASE, ref=REF).cut == {}


def test_xhr_list_fan_out_is_bounded() -> None:
    rows = "".join(f'<li data-url="/api/item/{i}.json">第{i}条</li>' for i in range(2000))
    cut: Counter[str] = Counter()
    urls = xhr_list_urls(Selector(text=f"<html><body><ul>{rows}</ul></body></html>"), BASE, cut=cut)
    assert urls == [f"http://www.hh.gov.cn/api/item/{i}.json" for i in range(MAX_XHR_LISTS)]
    assert cut == {"xhr_lists": 2000 - MAX_XHR_LISTS}
    assert 1 <= MAX_XHR_LISTS_PER_COLUMN <= MAX_XHR_LISTS  # what the spider fetches per column comes from these


def nested(depth: int, inner: str = '<a href="/deep.html">深处</a>') -> str:
    return f"<html><body>{'<div>' * depth}{inner}{'</div>' * depth}{FOOTER}</body></html>"


@pytest.mark.parametrize("depth", [3000, 100_000])
def test_a_tree_deeper_than_the_parser_keeps_is_too_deep_not_ok(depth: int) -> None:
    facts = extract_page(nested(depth), BASE, ref=REF)
    # libxml2 dropped the rest of the page (its footer too) without an error: recorded as such, never as a page
    # without a footer.
    assert facts.interstitial == TOO_DEEP and "2048层" in (facts.interstitial_reason or "")
    assert facts.footer.site_code is None and facts.links == [] and facts.entries == []


def test_a_deep_tree_within_the_parser_limit_is_read_whole() -> None:
    deep_anchor = '<a href="/deep.html">' + "<span>" * 1500 + "深处的链接" + "</span>" * 1500 + "</a>"
    html = nested(400, deep_anchor)
    assert parse_limit(Selector(text=html)) is None
    facts = extract_page(html, BASE, ref=REF)
    assert facts.interstitial is None and facts.footer.site_code == "5325000001"
    assert [(link.url, link.anchor) for link in facts.links] == [("http://www.hh.gov.cn/deep.html", "深处的链接")]


def test_links_after_a_second_root_are_read() -> None:
    # A broken page leaves a second <html> beside the first; XPath's // reads it, and so does the walk.
    html = '<html><body><a href="a.html">甲</a></body></html><!-- x --><html><body><a href="b.html">乙</a></body></html>'
    sel = Selector(text=html)
    assert [link.url for link in page_links(sel, BASE)] == [BASE + "a.html", BASE + "b.html"]


def scrapy_drops(url: str, limit: int) -> bool:
    crawler = get_crawler(Spider, {"URLLENGTH_LIMIT": limit})
    crawler.spider = Spider("probe")
    return UrlLengthMiddleware.from_crawler(crawler).get_processed_request(Request(url), None) is None


@pytest.mark.parametrize("limit", [URLLENGTH_LIMIT, 100])
def test_url_too_long_is_exactly_what_scrapy_would_drop(limit: int) -> None:
    assert get_crawler(Spider).settings.getint("URLLENGTH_LIMIT") == URLLENGTH_LIMIT  # Scrapy's default
    head = "http://www.hh.gov.cn/search?q="
    for url in (head + "a" * (limit - len(head)), head + "a" * (limit - len(head) + 1),
                head + "一" * ((limit - len(head)) // 3 + 1)):  # percent-encoded by the request: 9 characters each
        reason = url_too_long(url, limit)
        assert (reason is not None) == scrapy_drops(url, limit), url
        assert reason is None or f"超过{limit}字符" in reason
    # The link itself is still extracted: it is recorded, and its check recorded as not done.
    long_link = head + "b" * 3000
    [link] = page_links(Selector(text=f'<a href="{long_link}">长链接</a>'), BASE)
    assert link.url == long_link and url_too_long(link.url) is not None


def plain_hrefs() -> Iterator[tuple[str, str]]:
    bases = ["http://www.hh.gov.cn/gzdt/", "http://WWW.HH.gov.cn:80/gzdt/index.html?x=1#f", "https://h.cn",
             "http://h.cn/a;jsessionid=12/b/c.html", "http://h.cn/a//b/", "http://h.cn/a/./b/../c/",
             "http://h.cn:8080/x?y", "http://[::1]/a/b", "http://h.cn/%E4%B8%AD/a", "http://user@h.cn/a/"]
    hrefs = ["a.html", "/a.html", "a/b/c.html", "/a/b/", "a/", "~u/x", "x.", "-a", "a.b/c..d", " t1.html ", "a//b",
             "../a.html", "./a.html", "/", "a.html?x=1", "a.html#top", "中文.html", "a%20b.html", "//cdn.cn/a.js"]
    return itertools.product(bases, hrefs)


def test_absolute_shortcut_for_plain_paths_resolves_as_urljoin() -> None:
    for base, href in plain_hrefs():
        url = urljoin(base, href.strip())
        expected = canonicalize(url) if urlsplit(url).scheme in ("http", "https") else None
        assert absolute(href, base) == expected, (base, href)


def containers(n: int) -> str:
    """n info lines, footer boxes, hidden boxes and headings: the shapes dates.py and footer.py read per element."""
    rows = "".join(f'<div class="info-{i}"><span class="time">{i}</span></div><div class="foot-{i}" style="display:none">'
                   f'<img src="/i{i}.png" alt="图{i}"></div><h2 class="title">标题{i}</h2>' for i in range(n))
    return f"<html><head><meta name='x' content='y'></head><body>{rows}{FOOTER}</body></html>"


@pytest.mark.parametrize("page", [dated_rows, one_block, containers])
def test_extract_page_walks_the_tree_without_xpath(monkeypatch: pytest.MonkeyPatch,
                                                   page: Callable[[int], str]) -> None:
    # Every reading takes its elements from the one walk (monitor/extract/tree.py): no XPath per element, so ten
    # times the elements cost no more XPath evaluations and no serialisation.
    work = Work(monkeypatch)
    w_small = work.of(lambda: extract_page(page(100), BASE, ref=REF))
    w_large = work.of(lambda: extract_page(page(1000), BASE, ref=REF))
    assert w_large["xpath"] == w_small["xpath"] <= 2
    assert w_large["serialised"] == w_small["serialised"] == 0
    facts = extract_page(page(50), BASE, ref=REF)
    assert facts.footer.site_code == "5325000001" and facts.footer.icp == "滇ICP备05000002号"


def test_the_walk_reads_what_the_xpath_expressions_read() -> None:
    # Comment tails are text, unseen elements' tails are text, a second root is read, hidden is inherited.
    from monitor.extract.tree import PageTree

    html = ('<html><head><title>题</title>头</head><body>甲<!-- c -->乙<script>s()</script>丙<p style="display:none">'
            '<a href="/h.html">隐</a></p><textarea>t</textarea>丁</body></html><html><body>戊</body></html>')
    sel = Selector(text=html)
    tree = PageTree(sel)
    expected = sel.xpath("//text()[not(ancestor::script) and not(ancestor::style) and not(ancestor::noscript)"
                         " and not(ancestor::textarea) and not(ancestor::head) and not(ancestor::title)]").getall()
    assert tree.texts == expected and "乙" in tree.text and "戊" in tree.text
    assert [link.hidden for link in page_links(sel, BASE, tree=tree)] == [True]


def test_absolute_shortcuts_for_dot_segments_and_hosts_resolve_as_urljoin() -> None:
    bases = ["http://www.hh.gov.cn/gzdt/a/b/index.html", "https://h.cn", "http://h.cn/a//b/", "ftp://h.cn/a/",
             "http://h.cn/;jsessionid=1/a/", "http://h.cn/a/b;p=1/c"]
    hrefs = ["../../a/b.html", "./../x/", "../../../../../z", ".././a", "./", "../", "..//a", ".//a", "./a//b",
             "http://WWW.A.cn/x?b=1&a=2#f", "HTTPS://h.cn", "http:///x", "http:x", "https://h.cn:443/a/../b",
             "Http://a.cn/;jsessionid=3?utm_x=1", "http://a.cn/x y", "httpſ://a.cn/", "http://?x", "http://#x"]
    for base, href in itertools.product(bases, hrefs):
        url = urljoin(base, href.strip())
        expected = canonicalize(url) if urlsplit(url).scheme in ("http", "https") else None
        assert absolute(href, base) == expected, (base, href)
