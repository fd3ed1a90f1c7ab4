"""The shortcuts extraction takes for speed give what the plain reading they replace gives.

Each shortcut (monitor/extract/fold.py, the link resolution shortcuts of links.py, lxml's own text iteration in
tree.py, literal-anchored regex searches in footer.py, dates.py and unreadable.py) is compared with the slow
reference on crafted and random texts, the awkward characters included (ſ, K, İ and ı, which re.IGNORECASE folds
otherwise than str.lower(); entities; second roots; scripts inside links).
"""

from __future__ import annotations

import itertools
import random
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from lxml import etree
from parsel import Selector

from monitor.extract import dates, fold, footer, lists, unreadable
from monitor.extract.footer import footer_facts
from monitor.extract.links import absolute, canonicalize, host_and_path
from monitor.extract.page import parse
from monitor.extract.tree import NOT_SCRIPT, NOT_SCRIPT_STYLE, PageTree, iter_text_nodes

ODD = ["ſ", "K", "İ", "ı", "中", "\n", " "]


def shuffled(parts: list[str], n: int, seed: int, longest: int = 10) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(parts) for _ in range(rng.randint(0, longest))) for _ in range(n)]


def spans(matches: Any) -> list[tuple[tuple[int, int], tuple]]:
    return [(m.span(), m.groups()) for m in matches]


@pytest.mark.parametrize(("pattern", "starts", "parts"), [
    (lists.XHR_CALL, lists.XHR_CALL_STARTS, ["fetch", "FETCH", "(", "'a.json'", '"/api/x"', "$.get", "$.getJSON", "$.post", ".open",
                                             "('GET', ", "url", "URL", ":", " ", "x", "re"]),
    (unreadable.XHR_USE, unreadable.XHR_STARTS, ["$.ajax", ".AJAX", "(", "{", "fetch", "XMLHttpRequest", "axios", ".", ".load",
                                                 "'", "getList", "/API/", ".do", "c", "x", " "]),
    (unreadable.WRITES_LIST, unreadable.WRITES_STARTS, ["document.write", "ln", ".innerHTML", "+=", ".append", "(", "<li>",
                                                        "<TR", "<a ", ";", "x", "<b"]),
    (unreadable.META_REFRESH, ("<meta",), ["<meta", "<META", " http-equiv=", "refresh", "'", " content=", "0;", "url=",
                                           "/x", ">"]),
])
def test_fold_finds_what_the_case_insensitive_pattern_finds(pattern: re.Pattern[str], starts: tuple[str, ...],
                                                          parts: list[str]) -> None:
    for text in shuffled(parts + ODD, 20_000, seed=len(parts)):
        assert spans(fold.finditer(pattern, text, starts)) == spans(pattern.finditer(text)), text
        assert fold.search(pattern, text, starts) == (pattern.search(text) is not None), text


def test_script_texts_are_what_the_script_patterns_find() -> None:
    parts = ["<script", "<SCRIPT", " src=", " type='x'", ">", "</script>", "</Script>", "</script", "x", "中", "ſ", "\n"]
    for html in shuffled(parts, 20_000, seed=3, longest=12):
        low = fold.page_lowered(html)
        for opener, pattern in ((unreadable.SCRIPT_OPEN, unreadable.SCRIPT_BLOCK),
                                (unreadable.INLINE_SCRIPT_OPEN, unreadable.INLINE_SCRIPT)):
            assert list(unreadable._script_texts(html, opener, low)) == pattern.findall(html), html


def test_spa_marks_and_app_ids_as_the_lower_cased_page_says() -> None:
    parts = ["v", "-", "cloak", "for=", "if=", "ng", "app", "controller", "data", "reactroot", "<router", "view",
             "<app", "root", "x", "V-CLOAK", "NG-App", "id=", '"app"', "'app'", '"root"', "?", *ODD]
    for html in shuffled(parts, 50_000, seed=4, longest=8):
        lowered = fold.page_lowered(html)
        if lowered is None:
            assert not fold.folds(html)
            continue
        lower = html.lower()
        assert unreadable._spa_mark(lowered) == any(mark in lower for mark in unreadable.SPA_MARKS), html
        assert (unreadable.APP_IDS_BYTES.search(lowered) is not None) == any(p in lower for p in unreadable.APP_IDS)
    # A page with a character re.I folds otherwise is read the slow way, with the same answer.
    assert unreadable.script_list_signs('<div v-cloak>ſ</div>', "ſ") == "单页应用外壳"
    assert unreadable.script_list_signs('<div v-cloaK>x</div>', "x") == "单页应用外壳"  # K: Kelvin sign


HREFS = ["/", "./", "../", "../../", "?x=1", "./?x=1", "../?b=2&a=1", "a.jsp?b=2&a=1&b=1", "a?jsessionid=1&x=2", "a?UTM_x=1",
         "a?sid=1", "a?x", "a?x=", "a?=1", "a?x=1&", "a?&x=1", "a?x=1#f", "a?x=a=b", "a?x=%20", "a?x=+", "/?x=1", "//?x",
         "//h.cn", "//h.cn/a?x=1", "///x", "//\th.cn/", "a.html?", "?", "./a?x=中", "a?X=1&x=0&_=2", "//H.CN/x#y",
         "//user@h.cn/", "/a//b?x=1", "http://a.b", "http://A.B/x/", "https://a.b/x?b=1&a=2", "http://a.b?x=1",
         "http://a..b/x", "http://a.b/x?utm_s=1", "http://a.b//x", "http://a.b/./x", "https://a.b:443/", "HTTP://a.b/",
         "http://a.b/x y", "http:///x", "http://[::1]/a"]
BASES = ["http://www.hh.gov.cn/gzdt/", "http://WWW.HH.gov.cn:80/gzdt/index.html?x=1#f", "https://h.cn", "ftp://h.cn/a/",
         "http://h.cn/a;jsessionid=12/b/c.html", "http://h.cn/a//b/", "http://h.cn:8080/x?y", "http://h.cn/a/b;p=1/c"]


def test_query_host_and_directory_shortcuts_resolve_as_urljoin() -> None:
    for base, href in itertools.product(BASES, HREFS):
        url = urljoin(base, href.strip())
        expected = canonicalize(url) if urlsplit(url).scheme in ("http", "https") else None
        assert absolute(href, base) == expected, (base, href)


def test_host_and_path_as_urlsplit_reads_them() -> None:
    urls = ["http://a.b/x", "https://a.b:8080/x?y#z", "http://A.b/x", "HTTP://a.b/x", "http://a.b", "http:///x",
            "http://a.b:/x", "http://[::1]/x", "http://a.b/x\ty", "http://a.b/x\n", "http://u@a.b/x", "http://a_b.c/x",
            "http://中.cn/x", "http://a.b/x;p?q", "http://a.b:99999999/x", " http://a.b/x"]
    urls += ["http://" + u for u in shuffled(list("ab.:/?#\t\n-1[]@%"), 20_000, seed=5)]
    for url in urls:
        try:
            parts = urlsplit(url)
            expected: Any = (parts.hostname, parts.path)
        except ValueError:
            expected = ValueError
        host_and_path.cache_clear()
        try:
            got: Any = host_and_path(url)
        except ValueError:
            got = ValueError
        assert got == expected, url


def reference_texts(root: Any, descend: Any, own: bool) -> list[str]:
    """iter_text_nodes as the definition says, recursively (small trees only)."""
    out: list[str] = []

    def visit(el: Any, depth: int) -> None:
        for child in el:
            if isinstance(child.tag, str) and (descend is None or descend(child)):
                if child.text:
                    out.append(child.text)
                visit(child, depth + 1)
            if child.tail and (own or depth > 0):
                out.append(child.tail)

    if own and root.text:
        out.append(root.text)
    visit(root, 0)
    return out


def test_text_nodes_read_by_lxml_are_the_walks() -> None:
    html = ("<html><head><title>t</title><script>x</script></head><body><div>a<!--c-->b<?pi x?>c<p>d<script>q</script>"
            "r</p>e<script>s</script>f<style>y</style>g<a href=x>h<script>z</script></a><div><span>1<style>2</style>3"
            "</span>4</div></div><p>p<b>b</b>t</p></body></html>")
    root = parse(html).root
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for descend, own in itertools.product((None, NOT_SCRIPT, NOT_SCRIPT_STYLE, lambda e: e.tag != "a"), (True, False)):
            assert list(iter_text_nodes(el, descend, own=own)) == reference_texts(el, descend, own), (el.tag, own)


def test_the_walk_gathers_data_urls_as_the_xpath_does() -> None:
    html = ('<html><body><div data-src="a" x=1 data-url="b" data-list="c" data-api="d"></div><p data-api="e" '
            'data-url="f"></p><span data-other="z"></span></body></html><html><body data-url="g"></body></html>')
    sel = Selector(text=html)
    assert PageTree(sel).data_urls == lists.DATA_URLS(sel.root) == list("abcdefg")


@pytest.mark.parametrize(("pattern", "literal", "before", "over_space"), [
    (footer.SITE_CODE, "网站标识码", 2, False), (footer.ICP, "ICP", 1, True), (footer.POLICE, "公网安备", 1, True),
])
def test_footer_marks_are_searched_from_their_literal(pattern: re.Pattern[str], literal: str, before: int,
                                                     over_space: bool) -> None:
    parts = ["滇", "川", " ", "\u3000", "\n", "ICP", "备", "12345678", "号", "-", "1", "公网安备", "政府", "网站标识码", ":",
             "5325000001", "x", "51010402000507"]
    for text in shuffled(parts, 50_000, seed=6, longest=14):
        got = footer._search_near(pattern, text, literal, before, over_space=over_space)
        expected = pattern.search(text)
        assert (got and (got.span(), got.groups())) == (expected and (expected.span(), expected.groups())), text


def test_publication_labels_are_found_where_the_pattern_finds_them() -> None:
    parts = ["发布", "时间", "日期", "发布于", "成文", "会议", "：", ":", " ", "\n", "2021-03-01", "x", "发", "布", "于", "时",
             "间", "公开", "更新", "报名"]
    for text in shuffled(parts, 50_000, seed=7):
        assert spans(dates._label_matches(text)) == spans(dates.PUB_LABELS.finditer(text)), text


def test_script_redirect_is_searched_near_location() -> None:
    parts = ["window", "document", "top", "self", "parent", ".", "location", "LOCATION", ".href", "=", " ", "'", '"',
             "/x", "replace", "assign", "(", "Location", "x", *ODD]
    for text in shuffled(parts, 50_000, seed=8, longest=12):
        got, expected = fold.search_near(unreadable.SCRIPT_REDIRECT, text, "location", 9), \
            unreadable.SCRIPT_REDIRECT.search(text)
        assert (got and (got.span(), got.groups())) == (expected and (expected.span(), expected.groups())), text


def test_nonblank_counts_as_the_regex() -> None:
    text = "".join(chr(c) for c in range(0x3100)) + "\u3000\u2028\u205f\ufeff\x1c\x85"
    assert unreadable._nonblank(text) == len(re.sub(r"\s+", "", text))


def test_marks_written_as_character_references_in_links_are_found() -> None:
    # The link texts are read only where the source can hold 找 or 党政机关: as characters or as references.
    html = ("<html><body><div class='footer'><a href='/a'>我为政府网站&#25214;错</a>"
            "<a href='/b'>&#x515A;&#x653F;&#x673A;&#x5173;</a></div></body></html>")
    facts = footer_facts(Selector(text=html), html)
    assert facts.zhaocuo and facts.conac
    plain = "<html><body><a href='/a'>我为政府网站找错</a><a href='/b'>党政机关</a></body></html>"
    assert footer_facts(Selector(text=plain), plain).zhaocuo and footer_facts(Selector(text=plain), plain).conac
    none = "<html><body><a href='/a'>首页</a><img src='/logo.png' alt='标识'></body></html>"
    facts = footer_facts(Selector(text=none), none)
    assert not facts.zhaocuo and not facts.conac


def test_xpath_of_link_texts_matches_the_labels() -> None:
    # SAYING_MARKS picks the links whose text nodes (scripts' included) hold 找 or 党政机关.
    html = "<html><body><a href='/a'>x<script>找</script></a><a href='/b'>y</a><a>党政<b>机关</b></a></body></html>"
    root = etree.HTML(html)
    assert [a.get("href") for a in footer.SAYING_MARKS(root)] == ["/a", None]
