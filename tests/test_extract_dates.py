"""Dates: every format of list and article pages, year-less dates, impossible dates, and the publication date of an
article against the traps of real pages (meta tags, clock widgets, schedule dates in the body, attributes).
A whole article page with all the traps at once: tests/fixtures/pages/article_publication_date_traps."""

from __future__ import annotations

from datetime import date

import pytest
from parsel import Selector

from monitor.extract.dates import article_date, find_dates, parse_date

REF = date(2021, 3, 3)


@pytest.mark.parametrize(("text", "expected"), [
    ("2021-03-02", date(2021, 3, 2)), ("2021/3/2", date(2021, 3, 2)), ("2021.09.03", date(2021, 9, 3)),
    ("2020.09.03", date(2020, 9, 3)), ("2021年3月2日", date(2021, 3, 2)), ("2021 年 3 月 2 日", date(2021, 3, 2)),
    ("2018年12月19日 19时26分", date(2018, 12, 19)), ("2021/04/23 20:23", date(2021, 4, 23)),
    ("2021-03-02 10:21:33", date(2021, 3, 2)),
    ("[03-02]", date(2021, 3, 2)), ("03-02", date(2021, 3, 2)), ("3月2日", date(2021, 3, 2)), ("（3-2）", date(2021, 3, 2)),
    ("03-04", date(2021, 3, 4)),  # the day after the reference point is still this year's (a time-zone margin)
    ("03-05", date(2020, 3, 5)), ("[12-30]", date(2020, 12, 30)),  # later in the year: last year's
    ("发布日期：20210302", date(2021, 3, 2)), ("20210302", None), ("电话 20210302", None),
    ("2021-02-30", None), ("2021-13-01", None), ("[02-30]", None), ("1985-01-01", None), ("2023-01-01", None), ("2031-01-01", None),
    ("第12-3期", None), ("", None), ("共 3 页", None),
])
def test_parse_date_formats(text: str, expected: date | None) -> None:
    fact = parse_date(text, ref=REF)
    assert (fact.value if fact else None) == expected


def test_next_year_is_allowed_and_the_year_after_is_not() -> None:
    assert parse_date("2022-12-31", ref=REF).value == date(2022, 12, 31)
    assert parse_date("2023-01-01", ref=REF) is None


def test_year_less_dates_need_a_reference_point() -> None:
    assert parse_date("[03-02]") is None and parse_date("3月2日") is None
    assert parse_date("2021-03-02").value == date(2021, 3, 2)


def test_find_dates_returns_source_text_in_order() -> None:
    facts = find_dates("自2021年3月1日起至2021-03-31止，[02-26]前报名", ref=REF)
    assert [(f.value, f.text) for f in facts] == [
        (date(2021, 3, 1), "2021年3月1日"), (date(2021, 3, 31), "2021-03-31"), (date(2021, 2, 26), "[02-26]")]


def test_numbers_that_look_like_dates_are_not_dates() -> None:
    assert find_dates("电话：0873-3051234 文号：红政发〔2021〕3号 版本 2021.1 邮编 661100", ref=REF) == []


def _date(html: str) -> tuple[date, str, str] | None:
    fact = article_date(Selector(text=html), ref=REF)
    return (fact.value, fact.text, fact.source) if fact else None


def test_unlabelled_info_line_wins_over_bare_label_in_the_body() -> None:
    html = """<h1>关于召开防汛工作会议的通知</h1><div class="xx">2021-03-01 来源：办公室</div>
    <div class="TRS_Editor"><p>时间：2021年3月5日上午9时</p><p>地点：州政府第一会议室</p></div>"""
    assert _date(html) == (date(2021, 3, 1), "2021-03-01", "visible")


def test_bare_label_in_the_header_is_the_publication_date() -> None:
    html = """<h1>全州春耕生产工作推进会召开</h1><p>日期：2021-02-26 作者：张三</p>
    <div class="content"><p>2月25日，全州春耕生产工作推进会在州府召开，会议要求各地抓好春耕备耕各项工作，确保粮食安全。</p></div>"""
    assert _date(html) == (date(2021, 2, 26), "日期：2021-02-26", "visible")


def test_publication_label_wins_over_document_dates_of_a_metadata_table() -> None:
    html = """<h1>关于印发实施方案的通知</h1><table class="xxgk"><tr><td>成文日期：</td><td>2021-02-01</td>
    <td>发布日期：</td><td>2021-02-03</td></tr></table><div class="zoom"><p>正文</p></div>"""
    assert _date(html) == (date(2021, 2, 3), "发布日期：\n2021-02-03", "visible")
    only_written = html.replace("发布日期", "索引号").replace("2021-02-03", "530000-01")
    assert _date(only_written) == (date(2021, 2, 1), "成文日期：\n2021-02-01", "visible")


def test_label_and_date_in_separate_elements() -> None:
    html = "<h1>标题标题标题</h1><span>发布时间：</span><span>2021/3/2 08:00</span>"
    assert _date(html) == (date(2021, 3, 2), "发布时间：\n2021/3/2 08:00", "visible")


def test_dated_sidebar_before_the_title_does_not_win() -> None:
    html = """<div class="side"><ul><li>发布时间：2021-01-05 其他文章</li></ul></div>
    <h1>关于做好春节期间安全生产工作的通知</h1><div class="info">发布时间：2021-02-01</div><div class="zoom"><p>正文</p></div>"""
    assert _date(html)[0] == date(2021, 2, 1)


def test_meta_when_nothing_visible() -> None:
    html = """<html><head><meta name="publishdate" content="2020-09-03"><meta name="firstpublishedtime"
    content="2019-01-01"></head><body><p>会议时间：2021年3月5日</p></body></html>"""
    assert _date(html) == (date(2020, 9, 3), '<meta name="publishdate" content="2020-09-03">', "meta")
    upper = '<html><head><META NAME="PubDate" CONTENT="2020/9/3 10:00"></head><body>正文</body></html>'
    assert _date(upper)[0::2] == (date(2020, 9, 3), "meta")


def test_attribute_dates_only_when_nothing_else() -> None:
    assert _date('<body><div data-date="2017-01-01"><p>正文</p></div></body>') == (
        date(2017, 1, 1), 'data-date="2017-01-01"', "attr")
    assert _date('<body><a title="2017-01-01">链接</a></body>') == (date(2017, 1, 1), 'title="2017-01-01"', "attr")
    both = '<head><meta name="PubDate" content="2020-09-03"></head><body><a title="2017-01-01">x</a></body>'
    assert _date(both)[2] == "meta"


def test_body_dates_without_label_are_not_publication_dates() -> None:
    assert _date("<body><p>会议时间：2021年3月5日</p><p>2020年5月1日，某县召开会议。</p></body>") is None
    assert _date('<body><div class="time">今天是2021年3月3日 星期三</div><h1>标题标题</h1><p>正文</p></body>') is None


def test_broken_and_empty_pages() -> None:
    assert _date("") is None and _date("<html><body>") is None
    assert _date("<div><h1>未闭合的标题<div class='info'>发布时间：2021-03-01<p>正文") == (
        date(2021, 3, 1), "发布时间：2021-03-01", "visible")
