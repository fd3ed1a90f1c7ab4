"""Column list pages: entries and their dates in ul/table/dl/div lists, navigation and pagination left out, blank
columns, pagination links (TRS createPageHTML), lists loaded by XHR and their JSON, column names.
Whole list pages and homepages (navigation columns): tests/fixtures/pages/list_*, home_*, sim_*."""

from __future__ import annotations

from datetime import date

import pytest
from parsel import Selector

from monitor.extract.lists import (
    classify_column,
    json_list_entries,
    list_entries,
    nav_columns,
    next_pages,
    xhr_list_urls,
)

REF = date(2021, 3, 3)
BASE = "http://www.hh.gov.cn/gzdt/"


def _entries(html: str, **kwargs) -> list[tuple[str, str | None, date | None, str | None]]:
    return [(e.title, e.url, e.date.value if e.date else None, e.date.text if e.date else None)
            for e in list_entries(Selector(text=html), BASE, ref=REF, **kwargs)]


def test_table_list() -> None:
    html = """<table class="tb"><tr><th>标题</th><th>日期</th></tr>
    <tr><td><a href="a1.html">关于印发实施方案的通知</a></td><td>2021年3月2日</td></tr>
    <tr><td><a href="a2.html">关于公示的公告</a></td><td>2021年2月8日</td></tr></table>"""
    assert [(t, d) for t, _, d, _ in _entries(html)] == [
        ("关于印发实施方案的通知", date(2021, 3, 2)), ("关于公示的公告", date(2021, 2, 8))]


def test_bracketed_year_less_dates_in_text_after_the_link() -> None:
    html = '<ul><li><a href="a.html">第一条</a> [03-02]</li><li><a href="b.html">第二条</a> [12-28]</li></ul>'
    assert [(d, t) for _, _, d, t in _entries(html)] == [(date(2021, 3, 2), "[03-02]"), (date(2020, 12, 28), "[12-28]")]


def test_dl_and_div_lists() -> None:
    html = """<dl><dd><a href="a.html">一</a><em>2021-03-02</em></dd><dd><a href="b.html">二</a><em>2021-03-01</em></dd></dl>
    <div class="lb"><div class="item"><a href="c.html">三</a><span>2021/2/1</span></div>
    <div class="item"><a href="d.html">四</a><span>2021/1/30</span></div></div>"""
    assert [(t, d) for t, _, d, _ in _entries(html)] == [
        ("一", date(2021, 3, 2)), ("二", date(2021, 3, 1)), ("三", date(2021, 2, 1)), ("四", date(2021, 1, 30))]


def test_date_inside_the_link_element() -> None:
    html = '<ul><li><a href="a.html"><span>关于开展检查的通知</span><span>2021-03-01</span></a></li></ul>'
    assert _entries(html) == [("关于开展检查的通知 2021-03-01", "http://www.hh.gov.cn/gzdt/a.html", date(2021, 3, 1),
                               "2021-03-01")]


def test_undated_navigation_is_not_a_list() -> None:
    html = '<div class="box"><a href="/a/">机构概况</a><a href="/b/">领导之窗</a><a href="/c/">政务公开</a></div>'
    assert _entries(html) == []


@pytest.mark.parametrize("marker", ["暂无信息", "暂无数据", "暂无内容"])
def test_blank_column(marker: str) -> None:
    html = f'<div class="nav"><a href="/a/">通知公告</a></div><div class="list"><ul></ul><p>{marker}</p></div>'
    assert _entries(html) == []


def test_item_selector_and_date_selector_from_the_registry() -> None:
    html = """<div class="lb"><div class="it"><a href="x.html">条目一</a><i>2021-03-01</i><b>2020-01-01</b></div>
    <div class="it"><a href="y.html">条目二</a></div></div>"""
    assert _entries(html, item_selector="div.lb div.it", date_selector="b") == [
        ("条目一", "http://www.hh.gov.cn/gzdt/x.html", date(2020, 1, 1), "2020-01-01"),
        ("条目二", "http://www.hh.gov.cn/gzdt/y.html", None, None)]


def test_broken_and_empty_html() -> None:
    assert [d for _, _, d, _ in _entries("<div><ul><li><a href='a.html'>标题</a><span>2021-03-01")] == [date(2021, 3, 1)]
    assert _entries("") == [] and _entries("<html></html>") == []


def test_numbered_pagination_links_in_order() -> None:
    numbered = '<div class="page"><a href="index_2.html">3</a><a href="index_1.html">2</a><a href="index.html">1</a></div>'
    assert next_pages(Selector(text=numbered), BASE + "index.html") == [BASE + "index_1.html", BASE + "index_2.html"]


def test_trs_create_page_script_with_numbers_and_variables() -> None:
    literal = '<script>createPageHTML(4, 0, "index", "html");</script>'
    assert next_pages(Selector(text=literal), BASE) == [BASE + f"index_{n}.html" for n in (1, 2, 3)]
    variables = """<script>var countPage = 3//共多少页
    var currentPage = 1;//当前页
    createPageHTML(countPage, currentPage, "index", "shtml");</script>"""
    assert next_pages(Selector(text=variables), BASE + "index_1.shtml") == [BASE + "index_2.shtml"]
    assert next_pages(Selector(text='<script>createPageHTML(1, 0, "index", "html");</script>'), BASE) == []


def test_xhr_list_urls() -> None:
    html = """<div id="list" data-url="/gzdt/list.json"></div><div data-src="/img/a.png"></div>
    <script>fetch("/gzdt/more.json?page=1"); $.getJSON('/api/list?col=12', f); $.ajax({url: "/api/page", type: "GET"});
    var a = "/gzdt/list.json";</script>"""
    assert xhr_list_urls(Selector(text=html), BASE) == [
        "http://www.hh.gov.cn/gzdt/list.json", "http://www.hh.gov.cn/gzdt/more.json?page=1",
        "http://www.hh.gov.cn/api/list?col=12", "http://www.hh.gov.cn/api/page"]


def test_json_list_entries_shapes() -> None:
    nested = {"code": 0, "data": {"list": [{"title": "甲", "url": "/a.html", "pubDate": "2021/3/1"},
                                          {"name": "乙", "link": "b.html", "publishTime": 1614556800000}]}}
    assert [(e.title, e.url, e.date.value) for e in json_list_entries(nested, BASE, ref=REF)] == [
        ("甲", "http://www.hh.gov.cn/a.html", date(2021, 3, 1)), ("乙", BASE + "b.html", date(2021, 3, 1))]
    rows = {"rows": [{"title": "丙", "href": "c.html", "date": "03-02"}]}
    assert [(e.title, e.date.value) for e in json_list_entries(rows, BASE, ref=REF)] == [("丙", date(2021, 3, 2))]
    plain = [{"title": "丁", "url": "d.html"}]
    assert json_list_entries(plain, BASE, ref=REF)[0].date is None
    assert json_list_entries({"msg": "error"}, BASE) == [] and json_list_entries(None, BASE) == []


@pytest.mark.parametrize(("name", "category"), [
    ("工作动态", "dynamic"), ("要闻", "dynamic"), ("部门动态", "dynamic"), ("区县动态", "dynamic"), ("图片新闻", "dynamic"),
    ("通知公告", "notice"), ("公示", "notice"), ("政策文件", "policy"), ("规范性文件", "policy"), ("法规", "policy"),
    ("人事信息", "personnel"), ("干部任免", "personnel"), ("招考录用", "personnel"), ("规划计划", "plan"),
    ("工作总结", "plan"), ("领导信箱", "interaction"), ("在线访谈", "interaction"), ("意见征集", "interaction"),
    ("网上调查", "interaction"), ("办事指南", "service"), ("便民服务", "service"), ("机构概况", "other")])
def test_column_classification(name: str, category: str) -> None:
    assert classify_column(name) == category


BASE_HREF = '<head><base href="http://www.hh.gov.cn/zwgk/"></head>'


def test_entries_resolve_against_base_href() -> None:
    html = f"""<html>{BASE_HREF}<body><ul><li><a href="202103/t1.html">相对</a><span>2021-03-02</span></li>
    <li><a href="/gzdt/t2.html">根相对</a><span>2021-03-01</span></li>
    <li><a href="http://www.hh.gov.cn/xxgk/t3.html">绝对</a><span>2021-02-28</span></li></ul></body></html>"""
    urls = ["http://www.hh.gov.cn/zwgk/202103/t1.html", "http://www.hh.gov.cn/gzdt/t2.html",
            "http://www.hh.gov.cn/xxgk/t3.html"]
    assert [u for _, u, _, _ in _entries(html)] == urls
    assert [u for _, u, _, _ in _entries(html, item_selector="li")] == urls  # the registry's selectors too


def test_pagination_and_xhr_resolve_against_base_href() -> None:
    html = f"""<html>{BASE_HREF}<body><div class="page"><a href="index_1.html">下一页</a></div>
    <script>createPageHTML(3, 0, "index", "html");</script>
    <div data-url="list.json"></div><script>$.getJSON('/api/list?col=12', f);</script></body></html>"""
    assert next_pages(Selector(text=html), BASE + "index.html") == [
        "http://www.hh.gov.cn/zwgk/index_1.html", "http://www.hh.gov.cn/zwgk/index_2.html"]
    assert xhr_list_urls(Selector(text=html), BASE) == [
        "http://www.hh.gov.cn/zwgk/list.json", "http://www.hh.gov.cn/api/list?col=12"]
    # the page itself is no next page, whichever way its link is written
    own = '<base href="/zwgk/"><div class="page"><a href="../gzdt/index.html">下一页</a></div>'
    assert next_pages(Selector(text=own), BASE + "index.html") == []


def test_navigation_columns_resolve_against_base_href() -> None:
    html = f"""<html>{BASE_HREF}<body><div class="nav"><a href="tzgg/">通知公告</a><a href="/zcwj/">政策文件</a>
    <a href="http://www.hh.gov.cn/zwgk/">政务公开</a><a href="http://www.yn.gov.cn/gzdt/">省政府动态</a></div></body></html>"""
    assert [(c.name, c.url) for c in nav_columns(Selector(text=html), BASE)] == [
        ("通知公告", "http://www.hh.gov.cn/zwgk/tzgg/"), ("政策文件", "http://www.hh.gov.cn/zcwj/"),
        ("政务公开", "http://www.hh.gov.cn/zwgk/")]
