"""extract_page on what no fixture folder can hold: a body the spider never extracts (an empty one is recorded as
`empty` before extraction, see tests/fixtures/pages/sim_empty_body). Every field of whole pages, read as the spider
reads them, is tested by the fixture folders in tests/fixtures/pages (tests/test_page_fixtures.py). Also: <base href>
for the lists a page holds outside its markup (comments, script JSON) and for redirect stubs."""

from __future__ import annotations

from monitor.extract.page import extract_page


def test_empty_page_has_no_facts() -> None:
    empty = extract_page("", "http://www.hh.gov.cn/")
    assert (empty.title, empty.published, empty.entries, empty.links, empty.text) == (None, None, [], [], "")
    assert empty.footer.empty


PAGE = "http://www.hh.gov.cn/gzdt/index.html"
BASE_HREF = '<head><base href="/zwgk/"><title>政务公开</title></head>'


def test_commented_list_resolves_against_base_href() -> None:
    html = f"""<html>{BASE_HREF}<body><ul id="list"></ul><!--
    <li><a href="202103/t1.html">州政府召开常务会议</a><span>2021-03-02</span></li>
    <li><a href="/xxgk/t2.html">全州春耕工作推进会</a><span>2021-02-25</span></li> --></body></html>"""
    facts = extract_page(html, PAGE)
    assert facts.list_source == "comment"
    assert [e.url for e in facts.entries] == ["http://www.hh.gov.cn/zwgk/202103/t1.html",
                                              "http://www.hh.gov.cn/xxgk/t2.html"]


def test_script_json_list_resolves_against_base_href() -> None:
    html = f"""<html>{BASE_HREF}<body><div id="list"></div><script>var listData = {{"articleList": [
    {{"title": "州政府召开常务会议", "url": "202103/t1.html", "publishTime": "2021-03-02"}},
    {{"title": "全州春耕工作推进会", "url": "https://www.yn.gov.cn/t2.html", "publishTime": "2021-02-25"}}]}};
    </script></body></html>"""
    facts = extract_page(html, PAGE)
    assert facts.list_source == "script_json"
    assert [e.url for e in facts.entries] == ["http://www.hh.gov.cn/zwgk/202103/t1.html", "https://www.yn.gov.cn/t2.html"]


def test_redirect_stub_resolves_against_base_href() -> None:
    html = '<html><head><base href="/new/"><meta http-equiv="refresh" content="0;url=index.html"></head></html>'
    facts = extract_page(html, PAGE)
    assert (facts.interstitial, facts.redirect_to) == ("challenge", "http://www.hh.gov.cn/new/index.html")


def _datastore(records: str, head: str = "") -> str:
    return (f"<html><head>{head}<title>工作动态</title></head><body><div class='default_pgContainer'>"
            f"<script type='text/xml'><datastore><recordset>{records}</recordset></datastore></script></div>"
            "<script>new jpage({columnid: 3342, perpage: 15});</script></body></html>")


def test_hanweb_datastore_records_in_cdata_table_rows_and_escaped() -> None:
    cdata = ("<record><![CDATA[<table><tr><td><a href='/art/2021/3/2/art_1.html'>州政府召开常务会议</a></td>"
             "<td>2021-03-02</td></tr></table>]]></record>"
             "<record><![CDATA[<table><tr><td><a href='/art/2021/2/25/art_2.html'>全州春耕工作推进会</a></td>"
             "<td>2021-02-25</td></tr></table>]]></record>")
    facts = extract_page(_datastore(cdata), PAGE)
    assert facts.list_source == "script_xml" and facts.script_signs is None
    assert [(e.url, e.date.value.isoformat() if e.date else None) for e in facts.entries] == [
        ("http://www.hh.gov.cn/art/2021/3/2/art_1.html", "2021-03-02"),
        ("http://www.hh.gov.cn/art/2021/2/25/art_2.html", "2021-02-25")]
    bare_rows = "<record><![CDATA[<tr><td><a href='a.html'>通知</a></td><td>2021-03-01</td></tr>]]></record>"
    assert [e.url for e in extract_page(_datastore(bare_rows), PAGE).entries] == ["http://www.hh.gov.cn/gzdt/a.html"]
    escaped = "<record>&lt;li&gt;&lt;a href=&quot;a.html&quot;&gt;通知&lt;/a&gt;&lt;span&gt;2021-03-01&lt;/span&gt;&lt;/li&gt;</record>"
    facts = extract_page(_datastore(escaped, head='<base href="/zwgk/">'), PAGE)
    assert [e.url for e in facts.entries] == ["http://www.hh.gov.cn/zwgk/a.html"]  # and the <base href> is honoured


def test_hanweb_datastore_without_dated_records_is_not_read_as_a_list() -> None:
    # Precision first: undated rows may be anything (a menu a script writes); the page stays one to render.
    undated = "<record><![CDATA[<li><a href='a.html'>机构职能</a></li>]]></record>" * 2
    facts = extract_page(_datastore(undated), PAGE)
    assert (facts.entries, facts.list_source) == ([], "html") and facts.script_signs is not None
