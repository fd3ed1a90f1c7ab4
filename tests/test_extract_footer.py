"""Footer marks: 网站标识码, ICP and 公安 numbers as printed, 党政机关标识, 找错 entrance, 主办单位, script-built footers.
Whole pages with a complete footer: tests/fixtures/pages/footer_*; footers of the simulated templates: sim_*."""

from __future__ import annotations

import pytest
from parsel import Selector

from monitor.extract.footer import footer_facts
from monitor.extract.model import FooterFacts


def _facts(html: str) -> FooterFacts:
    return footer_facts(Selector(text=html), html)


@pytest.mark.parametrize(("printed", "site_code"), [
    ("网站标识码：5325000001", "5325000001"), ("网站标识码:bm01000001", "bm01000001"), ("政府网站标识码 3300000020", "3300000020"),
    ("网站标识码5325000001", "5325000001"), ("网站标识码：532500001123", "532500001123"),  # the 12-digit typo, as printed
    ("网站标识码：53250001", None), ("标识码：5325000001", None)])
def test_site_code_as_printed(printed: str, site_code: str | None) -> None:
    assert _facts(f"<div class='footer'>{printed}</div>").site_code == site_code


@pytest.mark.parametrize(("printed", "icp"), [
    ("滇ICP备05000002号", "滇ICP备05000002号"), ("京ICP备05070218", "京ICP备05070218"), ("京ICP备 10028400号-1", "京ICP备10028400号-1"),
    ("粤ICP备2022092331号 -1", "粤ICP备2022092331号-1"), ("蜀ICP备13001288号", "蜀ICP备13001288号"), ("ICP备05000002号", None),
    ("京ICP证000001号", None)])
def test_icp_number_as_printed(printed: str, icp: str | None) -> None:
    assert _facts(f"<div class='footer'>{printed}</div>").icp == icp


def test_police_number_with_or_without_hao_and_too_short() -> None:
    assert _facts("<p>京公网安备 11010202000001号</p>").police == "京公网安备11010202000001号"
    assert _facts("<p>川公网安备51010402000507</p>").police == "川公网安备51010402000507"
    assert _facts("<p>川公网安备5101040200050</p>").police is None


@pytest.mark.parametrize("element", [
    '<a href="http://bszs.conac.cn/sitename?id=1">x</a>', '<img src="http://dzjg.conac.cn/images/red.png">',
    '<script src="//dcs.conac.cn/js/27/000/0000/40705256/CA27.js"></script>', '<img src="/dzjg.png" alt="党政机关">',
    '<a href="/x">党政机关</a>',
    # the official embed code, written by document.write of an escaped script tag
    """<script>document.write(unescape("%3Cspan id='_ideConac' %3E%3C/span%3E%3Cscript
    src='//dcs.conac.cn/js/27/000/0000/40705256/CA27.js'%3E%3C/script%3E"));</script>"""])
def test_conac_mark(element: str) -> None:
    assert _facts(f"<div class='footer'>{element}</div>").conac


@pytest.mark.parametrize("element", [
    '<a href="/jc">我为政府网站找错</a>', '<a href="https://pucha.kaipuyun.cn/exposure/jiucuo.html?site_code=1">x</a>',
    '<script id="_jiucuo_" sitecode="6100000017" src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js"></script>'])
def test_zhaocuo_entrance(element: str) -> None:
    assert _facts(f"<div class='footer'>{element}</div>").zhaocuo


def test_sponsor_forms() -> None:
    assert _facts("<div class='footer'>主办：某某县人民政府办公室 承办：信息中心</div>").sponsor == "某某县人民政府办公室"
    assert _facts("<div class='footer'>主办单位:红河州人民政府|技术支持：某公司</div>").sponsor == "红河州人民政府"


def test_absent_marks_stay_absent() -> None:
    f = _facts("<html><body><div class='footer'>版权所有 红河州 联系电话：0873-3051234</div></body></html>")
    assert f.empty and not f.written_by_script and not f.conac and not f.zhaocuo


@pytest.mark.parametrize("html", [
    '<div id="footer"></div><script>document.write("网站标识码：5325000001")</script>',
    '<p>正文</p><script src="/js/footer.js"></script>', '<p>正文</p><div class="footer"><script>f()</script></div>'])
def test_footer_built_by_script_is_flagged_not_read(html: str) -> None:
    f = _facts(f"<html><body>{html}</body></html>")
    assert f.written_by_script and f.site_code is None and f.icp is None


def test_empty_page() -> None:
    assert _facts("").empty
