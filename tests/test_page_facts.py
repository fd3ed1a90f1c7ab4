"""Page-fact extraction on HTML written like real government CMS pages: dates, lists, footers, links, encodings."""

from __future__ import annotations

import codecs
from datetime import date

import pytest
from parsel import Selector

from monitor.extract.dates import article_date, find_dates, parse_date
from monitor.extract.encoding import decode, looks_binary
from monitor.extract.footer import footer_facts
from monitor.extract.lists import classify_column, json_list_entries, list_entries, next_pages, xhr_list_urls
from monitor.extract.page import extract_page

AS_OF = date(2021, 3, 3)


@pytest.mark.parametrize(("text", "expected"), [
    ("2021-03-02", date(2021, 3, 2)), ("2021/3/2", date(2021, 3, 2)), ("2020.09.03", date(2020, 9, 3)),
    ("2021年3月2日", date(2021, 3, 2)), ("2018年12月19日 19时26分", date(2018, 12, 19)),
    ("2021/04/23 20:23", date(2021, 4, 23)), ("[03-02]", date(2021, 3, 2)), ("03-02", date(2021, 3, 2)),
    ("3月2日", date(2021, 3, 2)), ("[12-30]", date(2020, 12, 30)),  # a year-less date after the point is last year's
    ("发布日期：20210302", date(2021, 3, 2)),
    ("2021-02-30", None), ("1985-01-01", None), ("2031-01-01", None), ("第12-3期", None), ("", None),
])
def test_date_formats(text: str, expected: date | None) -> None:
    fact = parse_date(text, ref=AS_OF)
    assert (fact.value if fact else None) == expected


def test_year_less_date_needs_a_reference() -> None:
    assert parse_date("[03-02]") is None


def test_find_dates_keeps_source_text_and_order() -> None:
    facts = find_dates("自2021年3月1日起至2021-03-31止", ref=AS_OF)
    assert [(f.value, f.text) for f in facts] == [(date(2021, 3, 1), "2021年3月1日"), (date(2021, 3, 31), "2021-03-31")]


ARTICLE = """<html><head><meta name="PubDate" content="2020-01-01 10:00"></head><body>
<div class="nav"><span class="site-date">今天：2021年3月3日 星期三</span></div>
<h1>关于召开全州政务公开工作会议的通知</h1>
<div class="info">来源：州政府办公室 发布时间：2018年12月19日 19时26分</div>
<div class="content"><p>会议时间：2021年3月5日上午9时。报名截止时间：2021年3月4日。</p></div>
</body></html>"""


def test_visible_labelled_date_wins_over_meta_clock_and_schedule_dates() -> None:
    fact = article_date(Selector(text=ARTICLE), ref=AS_OF)
    assert fact is not None
    assert (fact.value, fact.source) == (date(2018, 12, 19), "visible")
    assert fact.text == "发布时间：2018年12月19日 19时26分"


def test_meta_then_attribute_when_nothing_visible() -> None:
    meta_only = '<html><head><meta name="PubDate" content="2020-09-03"></head><body><p>会议时间：2021年3月5日</p></body></html>'
    fact = article_date(Selector(text=meta_only), ref=AS_OF)
    assert (fact.value, fact.source) == (date(2020, 9, 3), "meta")
    attr_only = '<html><body><div data-date="2017-01-01"><p>正文</p></div></body></html>'
    fact = article_date(Selector(text=attr_only), ref=AS_OF)
    assert (fact.value, fact.source) == (date(2017, 1, 1), "attr")
    assert article_date(Selector(text="<html><body><p>会议时间：2021年3月5日</p></body></html>"), ref=AS_OF) is None


UL_LIST = """<html><body><div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/gzdt/">工作动态</a></li></ul></div>
<div class="list"><ul>
<li><a href="./202103/t20210302_1.html">州政府召开常务会议</a><span>2021-03-02</span></li>
<li><a href="./202102/t20210225_2.html" title="2019年度工作总结">2019年度工作总结</a><span>[02-25]</span></li>
<li><a href="./202102/t20210201_3.html">无日期条目</a></li>
</ul></div>
<div class="page"><a href="index_1.html">下一页</a></div>
<script>createPageHTML(4, 0, "index", "html");</script>
<div class="footer">网站标识码：5325000001</div></body></html>"""

TABLE_LIST = """<html><body><table class="tb"><tr><td><a href="a1.html">关于印发实施方案的通知</a></td><td>2021年3月2日</td></tr>
<tr><td><a href="a2.html">关于公示的公告</a></td><td>2021年2月8日</td></tr></table></body></html>"""


def test_ul_list_entries_dates_and_pagination() -> None:
    sel = Selector(text=UL_LIST)
    entries = list_entries(sel, "http://www.hh.gov.cn/gzdt/", ref=AS_OF)
    assert [(e.title, e.date.value if e.date else None) for e in entries] == [
        ("州政府召开常务会议", date(2021, 3, 2)), ("2019年度工作总结", date(2021, 2, 25)), ("无日期条目", None)]
    assert entries[0].url == "http://www.hh.gov.cn/gzdt/202103/t20210302_1.html"
    assert entries[1].date.text == "[02-25]"  # the date beside the link, not the year inside its title
    assert next_pages(sel, "http://www.hh.gov.cn/gzdt/") == [
        "http://www.hh.gov.cn/gzdt/index_1.html", "http://www.hh.gov.cn/gzdt/index_2.html",
        "http://www.hh.gov.cn/gzdt/index_3.html"]


def test_table_list_and_blank_list() -> None:
    entries = list_entries(Selector(text=TABLE_LIST), "http://www.gejiu.gov.cn/tzgg/", ref=AS_OF)
    assert [e.date.value for e in entries] == [date(2021, 3, 2), date(2021, 2, 8)]
    blank = '<html><body><div class="nav"><a href="/a/">通知公告</a></div><div class="list">暂无信息</div></body></html>'
    assert list_entries(Selector(text=blank), "http://www.gejiu.gov.cn/tzgg/", ref=AS_OF) == []


def test_item_selector_from_registry_reads_undated_lists() -> None:
    html = '<div class="lb"><div class="it"><a href="x.html">条目</a></div></div>'
    entries = list_entries(Selector(text=html), "http://a.gov.cn/", item_selector="div.lb div.it", ref=AS_OF)
    assert [(e.title, e.url, e.date) for e in entries] == [("条目", "http://a.gov.cn/x.html", None)]


def test_xhr_list_and_json_entries() -> None:
    html = '<div id="list" data-url="/gzdt/list.json"></div><script>fetch("/gzdt/more.json?page=1")</script>'
    assert xhr_list_urls(Selector(text=html), "http://www.mengzi.gov.cn/gzdt/") == [
        "http://www.mengzi.gov.cn/gzdt/list.json", "http://www.mengzi.gov.cn/gzdt/more.json?page=1"]
    data = {"code": 0, "data": {"list": [{"title": "甲", "url": "/a.html", "pubDate": "2021/3/1"},
                                         {"name": "乙", "link": "b.html", "publishTime": 1614556800000}]}}
    entries = json_list_entries(data, "http://www.mengzi.gov.cn/gzdt/", ref=AS_OF)
    assert [(e.title, e.url, e.date.value) for e in entries] == [
        ("甲", "http://www.mengzi.gov.cn/a.html", date(2021, 3, 1)),
        ("乙", "http://www.mengzi.gov.cn/gzdt/b.html", date(2021, 3, 1))]


FOOTER = """<html><body><div class="footer">主办单位：红河州人民政府办公室 网站标识码：5325000001
<a href="https://beian.miit.gov.cn">滇ICP备05000002号-1</a> <span>滇公网安备 5325</span><span>0102000123号</span>
<a href="http://bszs.conac.cn/sitename?id=1"><img src="/red.png"></a>
<a href="https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=5325000001">我为政府网站找错</a></div></body></html>"""


def test_footer_marks_including_split_police_number() -> None:
    facts = footer_facts(Selector(text=FOOTER), FOOTER)
    assert (facts.site_code, facts.icp, facts.police) == ("5325000001", "滇ICP备05000002号-1", "滇公网安备53250102000123号")
    assert facts.conac and facts.zhaocuo and facts.sponsor == "红河州人民政府办公室"
    assert not facts.written_by_script


def test_footer_written_by_script_is_flagged_not_invented() -> None:
    html = '<html><body><div id="footer"></div><script>document.write("网站标识码：5325000001")</script></body></html>'
    facts = footer_facts(Selector(text=html), html)
    assert facts.site_code is None and facts.written_by_script


def test_footer_absent_marks_stay_absent() -> None:
    html = "<html><body><div class='footer'>版权所有 红河州</div></body></html>"
    facts = footer_facts(Selector(text=html), html)
    assert facts.empty and not facts.written_by_script


def test_encodings_gbk_without_header_and_utf16_bom_declaring_gb2312() -> None:
    page = "<html><head><meta charset='gb2312'></head><body>红河州人民政府 工作动态</body></html>"
    text, enc = decode(page.encode("gbk"), "text/html")
    assert enc == "gb18030" and "红河州人民政府" in text
    no_meta = "<html><body>个旧市人民政府 通知公告 政策文件</body></html>".encode("gbk")
    text, enc = decode(no_meta, None)
    assert "个旧市人民政府" in text
    utf16 = codecs.BOM_UTF16_LE + page.encode("utf-16-le")
    text, enc = decode(utf16, "text/html; charset=gb2312")
    assert enc == "utf-16" and "工作动态" in text


def test_binary_and_broken_html() -> None:
    assert looks_binary(b"%PDF-1.4 ...") and looks_binary(b"\x00\x01\x02abc")
    assert not looks_binary("<html>中文</html>".encode())
    facts = extract_page("<html><body><div><ul><li><a href='a.html'>标题</a><span>2021-03-01", "http://a.gov.cn/",
                         ref=AS_OF)
    assert [e.date.value for e in facts.entries] == [date(2021, 3, 1)]
    assert extract_page("", "http://a.gov.cn/").entries == []


def test_links_are_absolute_classified_and_hidden_ones_marked() -> None:
    html = """<body><a href="/f/附件.pdf">附件</a><a href="http://www.casino-ad.com/">x</a>
    <div style="display: none"><a href="http://bet.example.com/">博彩</a></div><img src="/i.png" alt="图">
    <script src="http://jyj.hh.gov.cn/js/a.js"></script><a href="javascript:void(0)">js</a><a href="#top">top</a></body>"""
    links = {(link.url, link.tag): link for link in extract_page(html, "http://www.hh.gov.cn/a/").links}
    assert set(links) == {("http://www.hh.gov.cn/f/附件.pdf", "a"), ("http://www.casino-ad.com/", "a"),
                          ("http://bet.example.com/", "a"), ("http://www.hh.gov.cn/i.png", "img"),
                          ("http://jyj.hh.gov.cn/js/a.js", "script")}
    by_url = {url: link for (url, _), link in links.items()}
    assert by_url["http://bet.example.com/"].hidden and by_url["http://bet.example.com/"].external
    assert not by_url["http://jyj.hh.gov.cn/js/a.js"].external  # same registrable domain hh.gov.cn
    assert any(link.attachment for link in links.values())


@pytest.mark.parametrize(("name", "category"), [
    ("工作动态", "dynamic"), ("要闻", "dynamic"), ("通知公告", "notice"), ("政策文件", "policy"), ("人事信息", "personnel"),
    ("规划计划", "plan"), ("领导信箱", "interaction"), ("办事指南", "service"), ("机构概况", "other")])
def test_column_classification(name: str, category: str) -> None:
    assert classify_column(name) == category


def test_navigation_columns_exclude_articles_and_list_entries() -> None:
    html = """<body><div class="nav"><a href="/">首页</a><a href="/gzdt/">工作动态</a><a href="/tzgg/">通知公告</a></div>
    <div class="news"><ul><li><a href="/gzdt/202103/t20210301_0.html">建水县开展政务公开专题培训</a><span>2021-03-01</span></li>
    </ul></div><a href="/ztzl/">专题专栏</a><a href="/art/2021/3/1/art_1.html">政策解读</a></body>"""
    columns = extract_page(html, "http://www.jianshui.gov.cn/", ref=AS_OF).columns
    assert [(c.name, c.url, c.category) for c in columns] == [
        ("工作动态", "http://www.jianshui.gov.cn/gzdt/", "dynamic"), ("通知公告", "http://www.jianshui.gov.cn/tzgg/", "notice"),
        ("专题专栏", "http://www.jianshui.gov.cn/ztzl/", "other")]


def test_official_embed_scripts_count_as_the_marks() -> None:
    html = """<body><div class="footer"><script>document.write(unescape("%3Cspan id='_ideConac' %3E%3C/span%3E%3Cscript
    src='//dcs.conac.cn/js/27/000/0000/40705256/CA27.js'%3E%3C/script%3E"));</script>
    <script id="_jiucuo_" sitecode="6100000017" src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js"></script></div></body>"""
    facts = footer_facts(Selector(text=html), html)
    assert facts.conac and facts.zhaocuo
