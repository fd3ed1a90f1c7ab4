"""Detectors of pages that are not what they seem (monitor/extract/unreadable.py), on real pages and near misses.

Real pages live in ../shared/corpus/realpages (see its SOURCES.md); the tests that read them skip when it is absent.
The near misses are hand-made: ordinary government pages that mention 验证码, 登录, 防火墙 or 域名变更 must stay
readable pages.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from monitor.checks.outcomes import link_state, unreadable_reason
from monitor.extract.encoding import decode
from monitor.extract.lists import json_list_entries, json_list_found
from monitor.extract.page import extract_page
from monitor.extract.unreadable import repair_mojibake
from monitor.simweb.scenario import ScenarioError, parse_scenario
from tests.conftest import REPO

REALPAGES = REPO.parent / "shared" / "corpus" / "realpages"
REF = date(2026, 1, 20)


@pytest.fixture
def real() -> Path:
    if not REALPAGES.is_dir():
        pytest.skip(f"real pages not present at {REALPAGES}")
    return REALPAGES


def facts_of(path: Path, url: str = "http://www.example.gov.cn/col/col1/index.html", status: int = 200):
    text, encoding = decode(path.read_bytes(), None)
    return extract_page(text, url, encoding=encoding, ref=REF, status=status)


def page(body: str, url: str = "http://www.example.gov.cn/col/index.html", status: int = 200, head: str = ""):
    html = f"<html><head><meta charset='utf-8'><title>{head}</title></head><body>{body}</body></html>"
    return extract_page(html, url, ref=date(2021, 3, 3), status=status)


# ------------------------------------------------------------------ real pages


def test_ruishu_challenge(real: Path) -> None:
    for status in (200, 202, 412):
        facts = facts_of(real / "hubei-zscqj_interstitial_ruishu.html", status=status)
        assert (facts.interstitial, facts.interstitial_reason) == ("challenge", "反爬虫验证页")


def test_panyun_browser_check_double_encoded(real: Path) -> None:
    facts = facts_of(real / "yngp_interstitial_panyun_mojibake.html")
    assert facts.interstitial == "challenge"
    assert "检查浏览器" in repair_mojibake(facts.text)  # the mojibake is read back as what it says


def test_gbk_redirect_stub_is_followed_before_being_believed(real: Path) -> None:
    facts = facts_of(real / "bjjs_waf-redirect_gbk_2019-05-24.html", "http://www.bjjs.gov.cn/bjjs/fwgl/index.shtml")
    assert facts.encoding == "gb18030"
    assert (facts.interstitial, facts.interstitial_reason) == ("challenge", "跳转页")
    assert facts.redirect_to == "http://www.bjjs.gov.cn/?adfwkey=mqo82"  # same site: the spider follows it once


def test_domain_change_notice_names_the_new_address(real: Path) -> None:
    facts = facts_of(real / "bjjs_domain-change-notice_2019-04-22.html", "http://www.bjjs.gov.cn/bjjs/fwgl/")
    assert (facts.interstitial, facts.redirect_to) == ("moved", "http://zjw.beijing.gov.cn/")


def test_ucap_list_held_as_json_in_a_script(real: Path) -> None:
    facts = facts_of(real / "jx-sthjt_list_ucap-json-in-script.html", "http://sthjt.jiangxi.gov.cn/jxssthjt/col/col42150/index.html")
    assert facts.interstitial is None and facts.list_source == "script_json"
    assert len(facts.entries) == 50 and all(e.date for e in facts.entries)
    first = facts.entries[0]
    assert first.title == "《江西省生态环境分类执法监管办法》政策解读" and first.date.value == date(2025, 7, 29)
    assert first.url == "http://sthjt.jiangxi.gov.cn/jxssthjt/col/col42150/content/content_1951206363677671424.html"


def test_list_inside_an_html_comment(real: Path) -> None:
    facts = facts_of(real / "gs-jyt_list_jiyue-commented-out.html", "http://jyt.gansu.gov.cn/jyt/c110634/zwgklist.shtml")
    assert facts.interstitial is None and facts.list_source == "comment"
    assert len(facts.entries) == 20 and max(e.date.value for e in facts.entries) == date(2025, 11, 17)
    assert facts.entries[0].url == "http://jyt.gansu.gov.cn/jyt/c110634/202511/174240943.shtml"


def test_trs_haiyun_ajax_list_is_script_built_and_its_api_named(real: Path) -> None:
    facts = facts_of(real / "jl-ggzy_list_trs-haiyun-ajax.html", "http://ggzyjy.jl.gov.cn/jyxx/index.html")
    assert facts.entries == [] and facts.interstitial is None
    assert facts.script_signs == "列表由脚本加载"  # rendered in Chromium, never judged blank from the shell
    assert "https://haiyun.jl.gov.cn/irs/front/search" in facts.xhr_lists


def test_spa_shell_is_script_built_not_a_challenge(real: Path) -> None:
    # The NMPA shell also carries 瑞数 scripts (they ride on every page once passed): its text decides.
    facts = facts_of(real / "nmpa-datasearch_spa-shell.html")
    assert facts.interstitial is None and facts.script_signs == "单页应用外壳"


def test_real_articles_and_lists_are_never_interstitials(real: Path) -> None:
    for path in sorted(real.glob("*.html")):
        if "interstitial" in path.name or "redirect" in path.name or "domain-change" in path.name:
            continue
        facts = facts_of(path)
        assert facts.interstitial is None, path.name


# ------------------------------------------------------------------ near misses and hand-made variants

ARTICLE = ("<div class='nav'><a href='/'>首页</a></div><h1>关于优化政务服务网登录方式的通知</h1>"
           "<p>发布时间：2021-03-01</p><p>" + "为方便群众办事，政务服务网启用短信验证码登录，用户登录后可查询办件进度。" * 8 + "</p>"
           "<p>本站已部署网站防火墙，域名变更等事项另行通知。</p>")


def test_an_article_about_login_captcha_firewall_and_domains_is_a_page() -> None:
    facts = page(ARTICLE, head="关于优化政务服务网登录方式的通知")
    assert facts.interstitial is None


def test_a_portal_with_a_login_box_and_a_list_is_a_page() -> None:
    body = ("<div class='login'><input type='text' name='u'><input type='password' name='p'><button>登录</button></div>"
            "<ul><li><a href='/a/1.html'>召开常务会议</a><span>2021-03-01</span></li>"
            "<li><a href='/a/2.html'>开展安全检查</a><span>2021-02-27</span></li></ul>")
    facts = page(body, head="某县人民政府 用户登录")
    assert len(facts.entries) == 2 and facts.interstitial is None


def test_a_blank_column_saying_no_information_is_a_plain_blank_page() -> None:
    facts = page("<div class='nav'><a href='/'>首页</a></div><div class='list'>暂无信息</div>", head="专题专栏")
    assert facts.entries == [] and facts.interstitial is None and facts.script_signs is None


def test_a_short_redirect_inside_the_site_and_out_of_it() -> None:
    inside = page("<script>location.href='/col/list_1.html';</script>")
    assert (inside.interstitial, inside.redirect_to) == ("challenge", "http://www.example.gov.cn/col/list_1.html")
    refresh = extract_page("<html><head><meta http-equiv='refresh' content='0;url=http://new.example.org/'></head>"
                           "<body></body></html>", "http://www.example.gov.cn/col/", ref=REF)
    assert (refresh.interstitial, refresh.redirect_to) == ("moved", "http://new.example.org/")


def test_login_wall_waf_block_and_challenge_by_status() -> None:
    wall = page("<form><input name='u'><input type='PASSWORD' name='p'><button>登录</button></form>", head="统一身份认证")
    assert wall.interstitial == "login"
    block = page("<h1>您的请求已被网站防火墙拦截</h1><p>事件ID: 1234</p>", status=403)
    assert block.interstitial == "blocked"
    script = page("<script>var a=1;</script>", status=412)
    assert script.interstitial == "challenge"
    plain_404 = page("<h1>404</h1><p>页面不存在</p>", status=404)
    assert plain_404.interstitial is None  # a missing page is a broken link, not a WAF


def test_trs_haiyun_answer_and_empty_or_listless_json() -> None:
    answer = {"data": {"middle": {"listAndBox": [{"data": {"title": "招标公告一", "url": "/t/1.html",
                                                            "time": "2021-03-01 09:00:00"}, "type": "data"}]}}}
    entries = json_list_entries(answer, "http://ggzy.example.gov.cn/")
    assert [(e.title, e.url, e.date.value) for e in entries] == [("招标公告一", "http://ggzy.example.gov.cn/t/1.html",
                                                                   date(2021, 3, 1))]
    assert json_list_found({"data": {"list": []}})  # a list API saying "nothing": an empty list, read
    assert not json_list_found({"error": "internal"})  # no list at all: not an empty column


def test_unreadable_outcomes_are_unsure_with_their_reason() -> None:
    for outcome in ("challenge", "blocked", "login", "moved", "unrendered"):
        assert link_state(outcome, 200) == "unsure"
        assert unreadable_reason(outcome).endswith(",待复核")
    assert unreadable_reason("challenge") == "栏目页面为反爬虫验证页,待复核"
    assert unreadable_reason("unrendered") == "列表由脚本加载,未能读取,待复核"
    assert unreadable_reason("timeout") is None  # keeps its rule's wording


def test_scenario_refuses_an_unknown_page_kind() -> None:
    site = {"site_code": "5326000099", "name": "某县", "host": "www.x.gov.cn", "region_code": "532600",
            "region_name": "某县", "level": "county", "kind": "portal",
            "columns": [{"name": "动态", "slug": "dt", "category": "dynamic", "page": "captcha"}]}
    with pytest.raises(ScenarioError, match=r"columns\[0\]\.page"):
        parse_scenario({"as_of": "2021-03-03", "sites": [site]}, "x.yaml")
