"""extract_page: every PageFacts field from one page, on a homepage-like, a list and an article page."""

from __future__ import annotations

from datetime import date

from monitor.extract.page import extract_page

REF = date(2021, 3, 3)

LIST_PAGE = """<html><head><title>工作动态_红河州人民政府</title><style>.x{color:red}</style>
<script>var countPage = 3; createPageHTML(countPage, 0, "index", "html");</script></head><body>
<div class="nav"><a href="/">首页</a><a href="/gzdt/">工作动态</a><a href="/tzgg/">通知公告</a></div>
<div class="list"><ul><li><a href="./202103/t20210302_1.html">州政府召开常务会议</a><span>2021-03-02</span></li>
<li><a href="./202102/t20210225_2.html">全州春耕工作推进会</a><span>[02-25]</span></li></ul></div>
<div id="more" data-url="/gzdt/more.json"></div>
<div class="footer">主办单位：红河州人民政府办公室 网站标识码：5325000001 滇ICP备05000002号</div>
<script>document.title = "不可见";</script></body></html>"""


def test_list_page_fills_every_field() -> None:
    f = extract_page(LIST_PAGE, "http://www.hh.gov.cn/gzdt/", encoding="gb18030", ref=REF)
    assert (f.url, f.encoding, f.title) == ("http://www.hh.gov.cn/gzdt/", "gb18030", "工作动态_红河州人民政府")
    assert [(e.title, e.date.value) for e in f.entries] == [
        ("州政府召开常务会议", date(2021, 3, 2)), ("全州春耕工作推进会", date(2021, 2, 25))]
    assert f.next_pages == ["http://www.hh.gov.cn/gzdt/index_1.html", "http://www.hh.gov.cn/gzdt/index_2.html"]
    assert [(c.name, c.category) for c in f.columns] == [("通知公告", "notice")]  # its own link is no new column
    assert f.xhr_lists == ["http://www.hh.gov.cn/gzdt/more.json"]
    assert (f.footer.site_code, f.footer.icp, f.footer.sponsor) == ("5325000001", "滇ICP备05000002号", "红河州人民政府办公室")
    assert len(f.links) == 5 and f.published is None
    assert "州政府召开常务会议" in f.text and "color" not in f.text and "不可见" not in f.text and "  " not in f.text
    assert f.to_dict()["entries"][0]["date"]["value"] == date(2021, 3, 2)


def test_article_title_from_h1_when_no_title_element() -> None:
    html = "<body><h1> 关于开展  检查的通知 </h1><div class='info'>发布时间：2021-03-01</div><p>正文</p></body>"
    f = extract_page(html, "http://www.hh.gov.cn/a.html", ref=REF)
    assert f.title == "关于开展 检查的通知" and f.published.value == date(2021, 3, 1) and f.entries == []


def test_empty_and_broken_pages() -> None:
    empty = extract_page("", "http://www.hh.gov.cn/")
    assert (empty.title, empty.published, empty.entries, empty.links, empty.text) == (None, None, [], [], "")
    assert empty.footer.empty
    broken = extract_page("<html><body><div><ul><li><a href='a.html'>标题</a><span>2021-03-01", "http://a.gov.cn/",
                          ref=REF)
    assert [e.date.value for e in broken.entries] == [date(2021, 3, 1)]
