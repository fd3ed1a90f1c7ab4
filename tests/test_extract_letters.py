"""Letters channels (领导信箱, 网民留言): list pages as tables, <ul> lists under a header of spans and rows that label
their values; letter pages as tables, <p><span>label：</span>value</p> with headed sections, and <dl>; the state of
a channel (ok, form, login, closed, empty, error, unreadable). Pages: tests/fixtures/letters/, written in the
styles of TRS (hdjl/xzxx tables, createPageHTML), 大汉 jact (mailpublist.do) and 开普云 templates."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from monitor.extract.letters import (
    TimeFact,
    channel_state,
    parse_time,
    read_letter_detail,
    read_letter_list,
)

LETTERS = Path(__file__).resolve().parent / "fixtures" / "letters"


def page(name: str) -> str:
    return (LETTERS / name).read_text(encoding="utf-8")


def rows(html: str, url: str, **kwargs) -> list[tuple]:
    letters = read_letter_list(html, url, **kwargs)
    return [(e.title, e.url, e.received, e.answered, e.status, e.unit) for e in letters.entries]


@pytest.mark.parametrize(("text", "value", "written"), [
    ("2021-03-02 10:21", datetime(2021, 3, 2, 10, 21), "2021-03-02 10:21"),
    ("2021-03-02", date(2021, 3, 2), "2021-03-02"),
    ("2021/3/2", date(2021, 3, 2), "2021/3/2"),
    ("2021年3月2日", date(2021, 3, 2), "2021年3月2日"),
    ("2021年03月02日 10时21分", datetime(2021, 3, 2, 10, 21), "2021年03月02日 10时21分"),
    ("来信时间：2021-03-02 10:21:33 来源：网站", datetime(2021, 3, 2, 10, 21, 33), "2021-03-02 10:21:33"),
    ("2021-03-02T08:05:00", datetime(2021, 3, 2, 8, 5), "2021-03-02T08:05:00"),
])
def test_times(text: str, value: date | datetime, written: str) -> None:
    assert parse_time(text) == TimeFact(value, written)


@pytest.mark.parametrize("text", ["", "暂无", "03-02", "[03-02]", "2021-02-30", "1985-03-02"])
def test_no_time(text: str) -> None:
    # Year-less dates are not guessed, even with a monitoring point to guess from.
    assert parse_time(text, ref=date(2021, 3, 3)) is None


def test_impossible_time_of_day_leaves_the_date() -> None:
    assert parse_time("2021-03-02 25:61") == TimeFact(date(2021, 3, 2), "2021-03-02")


def test_trs_table_list_with_header_and_createpagehtml() -> None:
    url = "http://wtx.sxxz.gov.cn/hdjl/xzxx/xjlb/"
    letters = read_letter_list(page("list_table_trs.html"), url)
    assert letters.layout == "table" and letters.header
    assert rows(page("list_table_trs.html"), url) == [
        ("关于城区集中供暖收费标准的咨询", url + "202103/t20210302_3912871.html",
         TimeFact(datetime(2021, 3, 2, 10, 21), "2021-03-02 10:21"),
         TimeFact(datetime(2021, 3, 4, 16, 5), "2021-03-04 16:05"), "已办结", "县住建局"),
        ("东冶镇至县城班车停运问题", url + "202102/t20210226_3911020.html",
         TimeFact(datetime(2021, 2, 26, 8, 47), "2021-02-26 08:47"), None, "办理中", "县交通运输局"),
        ("建议增设台城镇公交站点", url + "202012/t20201130_3890012.html", TimeFact(date(2020, 11, 30), "2020/11/30"),
         TimeFact(date(2021, 3, 1), "2021/3/1"), "已回复", "县交通运输局"),
    ]
    assert [e.status_kind for e in letters.entries] == ["answered", "pending", "answered"]
    # The pager row spanning the table is no letter; 下一页 and createPageHTML(3, 0) give index_1 and index_2.
    assert letters.next_pages == [url + "index_1.html", url + "index_2.html"]


def test_hanweb_ul_list_under_a_header_of_spans() -> None:
    url = "http://www.anding.gov.cn/jact/front/mailpublist.do?sysid=7"
    view = "http://www.anding.gov.cn/jact/front/mailview.do?objectid={}&sysid=7"
    letters = read_letter_list(page("list_ul_spans_hanweb.html"), url)
    assert letters.layout == "list"
    assert rows(page("list_ul_spans_hanweb.html"), url) == [
        ("反映永定路路灯长期不亮的问题", view.format("20210302101"), TimeFact(date(2021, 3, 2), "2021年3月2日"),
         TimeFact(date(2021, 3, 5), "2021年3月5日"), "已回复", None),
        ("咨询2021年城乡居民医保缴费时间", view.format("20210227088"), TimeFact(date(2021, 2, 27), "2021年2月27日"),
         None, "待回复", None),
        ("关于小区物业乱收费的投诉", view.format("20210219045"), TimeFact(date(2021, 2, 19), "2021年2月19日"),
         TimeFact(date(2021, 2, 24), "2021年2月24日"), "已回复", None),
    ]
    assert [e.status_kind for e in letters.entries] == ["answered", "pending", "answered"]
    assert letters.next_pages == ["http://www.anding.gov.cn/jact/front/mailpublist.do?pageNo=2&sysid=7"]


def test_rows_that_label_their_values() -> None:
    url = "http://www.mengzi.gov.cn/hdjl/wmly/"
    letters = read_letter_list(page("list_labelled_rows.html"), url)
    assert letters.layout == "labelled"
    assert rows(page("list_labelled_rows.html"), url) == [
        ("文澜镇农贸市场周边交通拥堵", url + "content_88213.html", TimeFact(date(2021, 3, 1), "2021-03-01"),
         TimeFact(date(2021, 3, 3), "2021-03-03"), "已办结", "市公安局交警大队"),
        ("申请公租房需要哪些材料", url + "content_88190.html", TimeFact(date(2021, 2, 25), "2021-02-25"), None, "处理中",
         "市住房和城乡建设局"),
    ]
    assert letters.next_pages == [url + "?page=2"]


def test_hanweb_jpage_rows_held_in_an_xml_datastore() -> None:
    # jpage.js writes the records under the header; the static HTML holds them in a <script type="text/xml">.
    url = "http://www.hhx.gov.cn/col/col4321/index.html"
    letters = read_letter_list(page("list_hanweb_jpage_datastore.html"), url)
    assert letters.layout == "list"
    assert rows(page("list_hanweb_jpage_datastore.html"), url) == [
        ("迤萨镇自来水停水时间咨询", "http://www.hhx.gov.cn/art/2021/3/1/art_4321_100562.html",
         TimeFact(date(2021, 3, 1), "2021-03-01"), TimeFact(date(2021, 3, 2), "2021-03-02"), "已办结", None),
        ("反映宝华镇道路塌方", "http://www.hhx.gov.cn/art/2021/2/22/art_4321_100498.html",
         TimeFact(date(2021, 2, 22), "2021-02-22"), None, "办理中", None),
    ]
    assert channel_state(page("list_hanweb_jpage_datastore.html"), url) == "ok"


def test_rows_that_do_not_line_up_with_their_header() -> None:
    # The header has a 答复单位 column the rows leave out: dates go to the header's date columns in order, and
    # the status is the cell that says one.
    html = """<div class="hd"><span>标题</span><span>来信时间</span><span>答复单位</span><span>答复时间</span>
    <span>状态</span></div><ul>
    <li><a href="1.html">咨询医保报销比例</a><span>2021-03-01</span><span>2021-03-04</span><span>已答复</span></li>
    <li><a href="2.html">投诉噪音扰民</a><span>2021-02-27</span><span>未答复</span></li></ul>"""
    url = "http://www.x.gov.cn/hdjl/"
    assert rows(html, url) == [
        ("咨询医保报销比例", url + "1.html", TimeFact(date(2021, 3, 1), "2021-03-01"),
         TimeFact(date(2021, 3, 4), "2021-03-04"), "已答复", None),
        # One date for two date columns: which one it is is not guessed.
        ("投诉噪音扰民", url + "2.html", None, None, "未答复", None),
    ]


def test_header_without_rows_is_an_empty_list() -> None:
    letters = read_letter_list(page("list_empty.html"), "http://www.pingbian.gov.cn/hdjl/sjxx/")
    assert (letters.entries, letters.header, letters.empty_marker) == ([], True, True)


UNLABELLED = """<div class="xlist">
<div class="it"><a href="view?id=11">关于老旧小区改造的建议</a><i>2021-03-02</i><b>2021-03-05</b><em>已答复</em></div>
<div class="it"><a href="view?id=10">公积金贷款额度咨询</a><i>2021-02-20</i><b></b><em>未答复</em></div>
</div><div class="pg"><a class="nextp" href="list?p=2">&gt;&gt;</a></div>"""


def test_registry_selectors_name_the_columns() -> None:
    url = "http://zmhd.example.gov.cn/mail/list"
    selectors = {"item_selector": "div.xlist div.it", "received": "i", "answered": "b", "status": "em",
                 "next": "a.nextp"}
    letters = read_letter_list(UNLABELLED, url, selectors)
    assert letters.layout == "selectors"
    assert rows(UNLABELLED, url, selectors=selectors) == [
        ("关于老旧小区改造的建议", "http://zmhd.example.gov.cn/mail/view?id=11", TimeFact(date(2021, 3, 2), "2021-03-02"),
         TimeFact(date(2021, 3, 5), "2021-03-05"), "已答复", None),
        ("公积金贷款额度咨询", "http://zmhd.example.gov.cn/mail/view?id=10", TimeFact(date(2021, 2, 20), "2021-02-20"),
         None, "未答复", None),
    ]
    assert [e.status_kind for e in letters.entries] == ["answered", "pending"]
    assert letters.next_pages == ["http://zmhd.example.gov.cn/mail/list?p=2"]


def test_dates_without_labels_are_not_taken_for_letter_times() -> None:
    letters = read_letter_list(UNLABELLED, "http://zmhd.example.gov.cn/mail/list")
    assert letters.layout == "dated"
    assert [(e.title, e.received, e.answered, e.dates) for e in letters.entries] == [
        ("关于老旧小区改造的建议", None, None, (TimeFact(date(2021, 3, 2), "2021-03-02"),)),
        ("公积金贷款额度咨询", None, None, (TimeFact(date(2021, 2, 20), "2021-02-20"),)),
    ]


def test_header_columns_and_a_bare_time_column() -> None:
    # 时间 does not say whose time it is: kept among the row's dates only.
    html = """<table><tr><th>标题</th><th>时间</th><th>状态</th></tr>
    <tr><td><a href="a.html">咨询落户政策</a></td><td>2021-03-01</td><td>已回复</td></tr></table>"""
    [entry] = read_letter_list(html, "http://www.x.gov.cn/hdjl/").entries
    assert (entry.title, entry.received, entry.status, entry.dates) == (
        "咨询落户政策", None, "已回复", (TimeFact(date(2021, 3, 1), "2021-03-01"),))


def test_letter_page_as_a_table() -> None:
    url = "http://wtx.sxxz.gov.cn/hdjl/xzxx/xjlb/202103/t20210302_3912871.html"
    letter = read_letter_detail(page("detail_table.html"), url)
    assert letter.title == "关于城区集中供暖收费标准的咨询"
    assert letter.received_at == TimeFact(datetime(2021, 3, 2, 10, 21), "2021-03-02 10:21")
    assert letter.answered_at == TimeFact(datetime(2021, 3, 4, 16, 5), "2021年03月04日 16时05分")
    assert letter.accepted_at is None
    assert (letter.answer_unit, letter.status, letter.status_kind, letter.category) == (
        "县住建局", "已办结", "answered", "咨询")
    assert letter.question == ("县长您好：\n我家住在台城镇新区，去年冬天的供暖费按建筑面积每平方米5.8元收取，"
                               "今年是否调整？非供暖季入住的怎么计算？")
    assert letter.answer is not None and letter.answer.startswith("李先生您好：\n根据县发改局核定")
    assert letter.answer.endswith("感谢您对我县工作的关心！")
    assert letter.has_answer is True
    # The writer's name is no field the monitor keeps.
    assert "来信人" not in letter.fields and letter.fields["信件类型"] == "咨询"


def test_letter_page_with_span_labels_and_headed_texts() -> None:
    letter = read_letter_detail(page("detail_p_labels.html"), "http://www.mengzi.gov.cn/hdjl/wmly/content_88213.html")
    assert letter.title == "文澜镇农贸市场周边交通拥堵"
    assert letter.category == "建议"
    assert letter.received_at == TimeFact(datetime(2021, 3, 1, 9, 12, 45), "2021-03-01 09:12:45")
    assert letter.accepted_at == TimeFact(date(2021, 3, 1), "2021年3月1日")
    assert letter.answered_at == TimeFact(date(2021, 3, 3), "2021/3/3")
    assert (letter.answer_unit, letter.status) == ("市公安局交警大队", "已办结")
    # The 留言内容 section ends at the reply's first label; the 回复内容 section at the end of the reply block (the
    # sidebar's 热点留言 is not part of it).
    assert letter.question == ("每天早上七点到九点，文澜镇农贸市场门口车辆乱停，天马路几乎无法通行。\n"
                               "建议在高峰时段安排交警疏导，并划定临时停车位。")
    assert letter.answer == ("您好！您反映的问题已收悉。我大队已于3月2日起在早高峰时段安排警力在农贸市场路口疏导，"
                             "并会同市场监管部门规划临时停车区域。\n感谢您的建议。")
    assert letter.has_answer is True


def test_pending_letter_as_a_definition_list() -> None:
    letter = read_letter_detail(page("detail_dl_pending.html"),
                                "http://www.anding.gov.cn/jact/front/mailview.do?objectid=20210227088&sysid=7")
    assert letter.title == "咨询2021年城乡居民医保缴费时间"
    assert letter.received_at == TimeFact(datetime(2021, 2, 27, 20, 3), "2021/2/27 20:03")
    assert (letter.category, letter.status, letter.status_kind) == ("咨询", "待回复", "pending")
    # 受理单位 is the unit that received the letter, not the one that answered.
    assert letter.answer_unit is None and letter.fields["受理单位"] == "区医疗保障局"
    assert letter.question == "请问2021年度城乡居民医保什么时候截止缴费？可以在手机上缴吗？"
    assert (letter.answer, letter.has_answer, letter.answered_at) == ("暂无答复", False, None)


@pytest.mark.parametrize("answer", ["", "暂无回复", "正在办理中", "待答复。"])
def test_placeholder_answers_are_no_answer(answer: str) -> None:
    html = (f"<table><tr><td>来信时间</td><td>2021-03-01</td></tr><tr><td>回复内容</td><td>{answer}</td></tr>"
            "</table>")
    assert read_letter_detail(html, "http://www.x.gov.cn/hdjl/1.html").has_answer is False


def test_a_page_without_letter_fields_has_no_answer_state() -> None:
    letter = read_letter_detail("<html><body><h1>机构概况</h1><p>本局内设6个科室。</p></body></html>",
                                "http://www.x.gov.cn/jggk/")
    assert (letter.has_answer, letter.received_at, letter.fields) == (None, None, {})


def test_bracketed_category_in_the_title() -> None:
    html = "<h1>【投诉】小区噪音扰民</h1><p>留言时间：2021-03-01</p>"
    assert read_letter_detail(html, "http://www.x.gov.cn/hdjl/2.html").category == "投诉"


@pytest.mark.parametrize(("name", "url", "state"), [
    ("list_table_trs.html", "http://wtx.sxxz.gov.cn/hdjl/xzxx/xjlb/", "ok"),
    # A 用户登录 link in the page header does not make a list with letters a login wall.
    ("list_ul_spans_hanweb.html", "http://www.anding.gov.cn/jact/front/mailpublist.do?sysid=7", "ok"),
    ("list_labelled_rows.html", "http://www.mengzi.gov.cn/hdjl/wmly/", "ok"),
    ("list_empty.html", "http://www.pingbian.gov.cn/hdjl/sjxx/", "empty"),
    # 【关闭窗口】 closes a window, not the channel.
    ("detail_table.html", "http://wtx.sxxz.gov.cn/hdjl/xzxx/xjlb/202103/t20210302_3912871.html", "ok"),
    ("detail_p_labels.html", "http://www.mengzi.gov.cn/hdjl/wmly/content_88213.html", "ok"),
    ("detail_dl_pending.html", "http://www.anding.gov.cn/jact/front/mailview.do?objectid=1&sysid=7", "ok"),
    ("channel_login.html", "http://hudong.hanzhong.gov.cn/appeal/write.jsp?model_id=30", "login"),
    # The notice also says 请登录县人民政府门户网站: the channel is closed, it does not ask for a login.
    ("channel_closed.html", "http://zrzyj.jianshui.gov.cn/hdjl/jzxx/", "closed"),
    ("channel_form.html", "http://www.hh.gov.cn/hdjl/zzxx/write.html", "form"),
])
def test_channel_state_of_the_fixture_pages(name: str, url: str, state: str) -> None:
    assert channel_state(page(name), url) == state


FORM = """<form action="/mail/submit" method="post"><p>标题：<input name="title"></p>
<p>内容：<textarea name="content"{attrs}></textarea></p>{notice}<p><input type="submit" value="提交"></p></form>"""


@pytest.mark.parametrize(("html", "url", "status", "state"), [
    # A form that asks for a log-in before writing.
    (FORM.format(attrs=" disabled", notice="<p>请先登录后再留言</p>"), "http://www.x.gov.cn/hdjl/write/", 200, "login"),
    (FORM.format(attrs="", notice="<p>登录后才能提交信件</p>"), "http://www.x.gov.cn/hdjl/write/", 200, "login"),
    # A login page the channel URL ended on.
    ("<form><p>用户名<input name='u'></p><p>密码<input type='password' name='p'></p><button>登录</button></form>",
     "http://sso.x.gov.cn/login?service=hdjl", 200, "login"),
    # A page that offers nothing but a way to log in.
    ("<div class='box'><h3>市长信箱</h3><p><a href='https://sso.x.gov.cn/login'>统一身份认证登录</a></p></div>",
     "http://www.x.gov.cn/hdjl/szxx/", 200, "login"),
    # A 用户登录 link in the header of a page with other things to read is no login wall.
    ("<div class='top'><a href='/login.html'>用户登录</a></div><div class='intro'>" + "市长信箱受理群众咨询、投诉和建议。" * 30
     + "</div>", "http://www.x.gov.cn/hdjl/szxx/", 200, "unreadable"),
    # A disabled textarea without a notice is no writable form; nothing else is shown.
    (FORM.format(attrs=" disabled", notice=""), "http://www.x.gov.cn/hdjl/write/", 200, "unreadable"),
    # A search box is not a letter form.
    ("<div class='search'><form><input name='q'><input type='submit' value='搜索'></form></div><p>留言查询</p>",
     "http://www.x.gov.cn/hdjl/", 200, "unreadable"),
    ("<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1><hr><center>nginx</center>"
     "</body></html>", "http://www.x.gov.cn/hdjl/", 404, "error"),
    ("<html><body><p>系统错误，请与管理员联系。</p></body></html>", "http://www.x.gov.cn/hdjl/", 200, "error"),
    ("", "http://www.x.gov.cn/hdjl/", 502, "error"),
    # An anti-bot challenge and a single-page shell cannot be judged from their HTML.
    ("<html><head><meta r='m'><script>$_ts=window['$_ts'];if(!$_ts)$_ts={};</script></head><body></body></html>",
     "http://www.x.gov.cn/hdjl/", 412, "unreadable"),
    ("<html><body><div id='app'></div><script src='/js/app.3f2a1b9c.js'></script></body></html>",
     "http://www.x.gov.cn/hdjl/", 200, "unreadable"),
    # A letter titled 关于暂停受理… closes nothing.
    ("<table><tr><th>信件标题</th><th>来信时间</th><th>状态</th></tr><tr><td><a href='1.html'>关于暂停受理公积金提取业务"
     "的咨询</a></td><td>2021-03-01</td><td>已回复</td></tr></table>", "http://www.x.gov.cn/hdjl/", 200, "ok"),
    ("<div class='box'><p>因系统升级维护中，领导信箱暂停使用，给您带来不便敬请谅解。</p></div>",
     "http://www.x.gov.cn/hdjl/", 200, "closed"),
    ("<div class='list'><ul></ul><p>共0条记录</p></div>", "http://www.x.gov.cn/hdjl/", 200, "empty"),
])
def test_channel_states(html: str, url: str, status: int, state: str) -> None:
    assert channel_state(html, url, status=status) == state
