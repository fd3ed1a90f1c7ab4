"""The simulated new-media platforms over real HTTP (and TLS) under their real host names: the page shapes of the
platform contract, times against the platform clock, the Douyin list built only in Chromium, the walls, the 243
accounts of 红河州 2021Q1 with the 12 of 附件3 failing, and scenario validation naming the entry."""

from __future__ import annotations

import copy
import http.client
import json
import re
import socket
import ssl
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from html import unescape
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest
import yaml

from monitor.config import setting
from monitor.hostmap import chromium_rules, parse_host_map
from monitor.platforms import BY_CODE
from monitor.registry import read_file, validate
from monitor.simweb.expected import STALE_DAYS, expected_accounts
from monitor.simweb.platforms import (
    HOSTS,
    newest_post,
    posts_of,
    relative_text,
    synthetic_accounts,
    unix,
    weibo_created_at,
)
from monitor.simweb.scenario import Account, ScenarioError, load_scenario, parse_account, parse_scenario
from monitor.simweb.server import SimWeb

SCENARIOS = Path(__file__).resolve().parent.parent / "monitor" / "simweb" / "scenarios"
CLOCK = datetime(2021, 3, 3, 10, 0)
LABEL = {code: p.label for code, p in BY_CODE.items()}
SEED = "/work/shared/seeds/001_7a7dd7166977da26.txt"
# 附件3 of the notice: (部门, 账号, platform code), as printed.
NOTICE_FAILING = {
    ("个旧市财政局(个旧市国有资产监督管理局、个旧市人民政府金融办公室)", "个旧市财政局", "wechat"),
    ("个旧市人民政府扶贫开发办公室", "个旧脱贫攻坚", "wechat"),
    ("红河哈尼梯田世界文化遗产管理局", "红河哈尼梯田", "wechat"),
    ("个旧市蔓耗镇人民政府", "蔓耗蛮好", "wechat"),
    ("河口县商务工业和信息化局", "美丽河口无线WIFI", "wechat"),
    ("蒙自市投资促进局", "蒙自招商", "wechat"),
    ("弥勒市水务局", "弥勒市河长制", "wechat"),
    ("河口县文化和旅游局", "河口文化和旅游", "weibo"),
    ("个旧市人民政府办公室", "个旧市政务公开", "weibo"),
    ("红河边境管理支队", "边境小警", "douyin"),
    ("弥勒市旅游发展委员会", "弥勒市文旅官抖", "douyin"),
    ("石屏县公安局", "石屏警方", "douyin"),
}


TLS = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # the certificate is self-signed: checked apart, by its key hash
TLS.check_hostname, TLS.verify_mode = False, ssl.CERT_NONE


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    text: str


def get(web: SimWeb, url: str) -> Reply:
    """GET the way the crawler does: connect to the mapped address (TLS for https), keep the real Host."""
    parts = urlsplit(url)
    address = dict(e.split("=") for e in web.host_map.split(";"))[parts.hostname or ""]
    ip, port = address.rsplit(":", 1)
    if parts.scheme == "https":
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(ip, int(port), timeout=5, context=TLS)
    else:
        conn = http.client.HTTPConnection(ip, int(port), timeout=5)
    try:
        conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers={"Host": parts.netloc})
        resp = conn.getresponse()
        return Reply(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read().decode("utf-8"))
    finally:
        conn.close()


# Run in a child process: the test session's event loop (pytest-twisted) rules out Playwright's sync API here.
RENDER = """
import json, sys
from playwright.sync_api import sync_playwright
job = json.load(sys.stdin)
out = []
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path=job["chromium"], args=job["args"])
    page = browser.new_page()
    for url in job["urls"]:
        page.goto(url)
        page.wait_for_selector(job["wait_for"], timeout=15000)
        out.append(page.content())
    browser.close()
json.dump(out, sys.stdout)
"""


def render(web: SimWeb, urls: list[str], wait_for: str) -> list[str]:
    """The DOM of each page after its scripts ran, in Debian's Chromium, through the host map, trusting only the
    simulated platforms' certificate."""
    args = ["--no-first-run", "--disable-background-networking",
            f"--host-resolver-rules={chromium_rules(parse_host_map(web.host_map))}",
            f"--ignore-certificate-errors-spki-list={web.tls_spki}"]
    job = {"chromium": str(setting("MONITOR_CHROMIUM")), "args": args, "urls": urls, "wait_for": wait_for}
    done = subprocess.run([sys.executable, "-c", RENDER], input=json.dumps(job), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def honghe():
    scenario = load_scenario("honghe_2021q1")
    with SimWeb(scenario) as web:
        yield scenario, web


@pytest.fixture(scope="module")
def defects():
    scenario = load_scenario("defects")
    with SimWeb(scenario, hang_seconds=1.5) as web:
        yield scenario, web


@pytest.fixture(scope="module")
def unreadable():
    scenario = load_scenario("unreadable")
    with SimWeb(scenario) as web:
        yield scenario, web


# ---------------------------------------------------------------------------------------------- readers
# Minimal readers of the served shapes, written from the contract (not from the server's code).


@dataclass
class Seen:
    name: str | None
    subject: str | None
    followable: bool
    comments: bool
    times: list[tuple[datetime, bool]]  # (time, pinned)
    texts: list[str]  # visible or raw time texts as served


def china(ts: int) -> datetime:
    return datetime.utcfromtimestamp(ts) + timedelta(hours=8)


def read_wechat(web: SimWeb, account: Account, scheme: str = "https") -> Seen:
    page = get(web, f"{scheme}://mp.weixin.qq.com/mp/profile_ext?action=home&__biz={quote(account.uid, safe='')}"
                    "&scene=124")
    assert page.status == 200
    msg = json.loads(unescape(re.search(r"var msgList = '(.*?)';", page.text).group(1)))
    name = re.search(r'var nickname = "(.*?)" \|\| "";', page.text).group(1)
    subject = re.search(r"账号主体：([^<]+)", page.text)
    items = msg["list"]
    times = [(china(m["comm_msg_info"]["datetime"]), False) for m in items]
    comments = False
    if items:  # the newest article tells the comment setting and the only reliable time (var ct)
        newest = max(items, key=lambda m: m["comm_msg_info"]["datetime"])
        url = unescape(unescape(newest["app_msg_ext_info"]["content_url"]))
        article = get(web, url.replace("http://", f"{scheme}://"))
        assert re.search(r'<em id="publish_time" class="rich_media_meta rich_media_meta_text"></em>', article.text)
        ct = int(re.search(r'var ct = "(\d+)";', article.text).group(1))
        assert ct == newest["comm_msg_info"]["datetime"]
        assert (newest["app_msg_ext_info"]["copyright_stat"] == 11) == ('id="copyright_logo"' in article.text)
        comments = re.search(r'var comment_enabled = "(\d)";', article.text).group(1) == "1"
        assert f'htmlDecode("{name}")' in article.text
    menu = re.search(r'<ul class="profile_menu">(.*?)</ul>', page.text)
    comments = comments or bool(menu and re.search("留言|互动|咨询", menu.group(1)))
    return Seen(name, subject.group(1) if subject else None, 'id="js_follow"' in page.text, comments, times,
                [str(m["comm_msg_info"]["datetime"]) for m in items])


def read_weibo(web: SimWeb, account: Account) -> Seen:
    base = f"https://m.weibo.cn/api/container/getIndex?type=uid&value={account.uid}"
    profile = json.loads(get(web, base).text)
    assert profile["ok"] == 1
    info = profile["data"]["userInfo"]
    tab = next(t for t in profile["data"]["tabsInfo"]["tabs"] if t["tab_type"] == "weibo")
    assert tab["containerid"] == f"107603{account.uid}"
    timeline = json.loads(get(web, f"{base}&containerid={tab['containerid']}").text)
    mblogs = [c["mblog"] for c in timeline["data"]["cards"] if c["card_type"] == 9]
    times = []
    for m in mblogs:
        text = m["created_at"]
        if re.fullmatch(r"\w{3} \w{3} \d\d \d\d:\d\d:\d\d \+0800 \d{4}", text):
            at = datetime.strptime(text, "%a %b %d %H:%M:%S %z %Y").replace(tzinfo=None)
        else:
            at = resolve_relative(text, CLOCK)
        times.append((at, m.get("isTop") == 1))
    subject = info.get("verified_reason", "").removesuffix("官方微博") or None
    comments = any(m.get("comment_manage_info", {}).get("comment_permission_type", -1) == -1 for m in mblogs)
    return Seen(info["screen_name"], subject if info["verified"] else None, True, comments, times,
                [m["created_at"] for m in mblogs])


def read_toutiao(web: SimWeb, account: Account) -> Seen:
    page = get(web, f"https://www.toutiao.com/c/user/token/{account.uid}/").text
    data = json.loads(unquote(re.search(r'<script id="RENDER_DATA" type="application/json">(.*?)</script>',
                                        page).group(1)))["data"]
    user, feed = data["profileUserInfo"], data["feed"]
    labels = re.findall(r'<a href="/article/(\d+)/"[^>]*aria-label="([^"]+)"', page)
    assert [i for i, _ in labels] == [f["itemId"] for f in feed]
    texts = [unescape(label).rsplit("，", 1)[1].removesuffix("发布") for _, label in labels]
    return Seen(user["name"], user["authInfo"].removesuffix("官方账号") or None, user["canFollow"],
                any(f.get("commentEnabled") for f in feed), [(china(f["publishTime"]), f["isTop"]) for f in feed],
                texts)


def read_douyin_dom(dom: str) -> Seen:
    name = re.search(r'<div data-e2e="user-info"><h1>([^<]*)</h1>', dom)
    verify = re.search(r'<p class="verify">认证：([^<]*)官方账号</p>', dom)
    items = re.findall(r'<li><a href="/video/\d+">(.*?)</a></li>', dom)
    texts = [re.search(r'<span class="time">([^<]*)</span>', i).group(1) for i in items]
    times = [(resolve_relative(t, CLOCK), '<span class="pinned">置顶</span>' in i) for t, i in zip(texts, items,
                                                                                                strict=True)]
    return Seen(name.group(1) if name else None, verify.group(1) if verify else None,
                'data-e2e="follow-button"' in dom, any('data-e2e="comment-count"' in i for i in items), times, texts)


def resolve_relative(text: str, now: datetime) -> datetime:
    """The contract's visible time forms, resolved against the fetch time (minute precision at best)."""
    if text == "刚刚":
        return now
    for unit, seconds in (("分钟前", 60), ("小时前", 3600), ("天前", 86400)):
        if text.endswith(unit):
            return now - timedelta(seconds=int(text.removesuffix(unit)) * seconds)
    if m := re.fullmatch(r"昨天 (\d\d):(\d\d)", text):
        return datetime.combine(now.date() - timedelta(days=1), datetime.min.time()).replace(
            hour=int(m.group(1)), minute=int(m.group(2)))
    if re.fullmatch(r"\d\d-\d\d", text):
        return datetime.strptime(f"{now.year}-{text}", "%Y-%m-%d")
    return datetime.strptime(text, "%Y-%m-%d")


def truth_times(scenario, account: Account) -> list[tuple[datetime, bool]]:
    return [(p.at, p.pinned) for p in posts_of(scenario, account)]


def assert_agrees(scenario, account: Account, seen: Seen, exact: bool) -> None:
    """What the platform shows is what the scenario says; relative texts may round down, never past a day."""
    assert seen.name == account.shown_name
    assert seen.subject == account.subject
    assert seen.followable == account.followable
    truth = truth_times(scenario, account)
    assert [pinned for _, pinned in seen.times] == [pinned for _, pinned in truth]
    for (at, _), (true_at, _) in zip(seen.times, truth, strict=True):
        if exact:
            assert at == true_at
        else:
            assert timedelta(0) <= at - true_at < timedelta(days=1) or at.date() == true_at.date()


# ---------------------------------------------------------------------------------------------- shapes


def test_platforms_are_in_the_host_map_and_speak_http_and_tls(honghe) -> None:
    scenario, web = honghe
    mapped = dict(e.split("=") for e in web.host_map.split(";"))
    assert all(mapped[h] == f"127.0.0.1:{web.port}" for h in HOSTS)
    # The certificate names the platform hosts and its key hash is the one Chromium is told to trust.
    with socket.create_connection(("127.0.0.1", web.port)) as raw:
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        with context.wrap_socket(raw, server_hostname="www.douyin.com") as tls:
            der = tls.getpeercert(binary_form=True)
    from cryptography import x509

    cert = x509.load_der_x509_certificate(der)
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
        x509.DNSName)
    assert set(names) == set(HOSTS) and len(web.tls_spki) == 44
    assert [str(ip) for ip in cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            .get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    # Government sites on the same port still answer plain HTTP.
    assert get(web, web.url("5325000001")).status == 200
    assert get(web, "https://m.weibo.cn/api/container/getIndex?type=uid&value=1").status == 200


def test_wechat_profile_and_article(honghe) -> None:
    scenario, web = honghe
    wechat = [a for a in scenario.accounts if a.code == "wechat"]
    stale = next(a for a in wechat if a.name == "个旧市财政局")
    for account in (stale, wechat[-1]):
        for scheme in ("https", "http"):
            seen = read_wechat(web, account, scheme)
            assert_agrees(scenario, account, seen, exact=True)
            assert seen.comments
    page = get(web, f"https://mp.weixin.qq.com/mp/profile_ext?action=home&__biz={quote(stale.uid)}&scene=124").text
    assert f"<title>{stale.name}</title>" in page and "&quot;copyright_stat&quot;: 11" in page
    assert "账号主体：个旧市财政局(个旧市国有资产监督管理局、个旧市人民政府金融办公室)" in page
    assert '<ul class="profile_menu"><li><a href="https://zwfw.example.gov.cn/">网上办事</a></li>' in page
    msg = json.loads(unescape(re.search(r"var msgList = '(.*?)';", page).group(1)))
    first = msg["list"][0]
    assert first["comm_msg_info"]["type"] == 49 and first["comm_msg_info"]["datetime"] == unix(CLOCK - timedelta(
        days=47)) == 1610676000  # 2021-01-15 10:00 China time
    assert "&amp;mid=" in first["app_msg_ext_info"]["content_url"]


def test_weibo_profile_and_timeline(honghe) -> None:
    scenario, web = honghe
    account = next(a for a in scenario.accounts if a.name == "河口文化和旅游")
    profile = json.loads(get(web, f"https://m.weibo.cn/api/container/getIndex?type=uid&value={account.uid}").text)
    info = profile["data"]["userInfo"]
    assert info["id"] == int(account.uid) and info["verified"] and info["verified_type"] == 1
    assert info["verified_reason"] == "河口县文化和旅游局官方微博" and info["statuses_count"] == account.posts + 1
    seen = read_weibo(web, account)
    assert_agrees(scenario, account, seen, exact=True)
    assert seen.texts[1] == "Wed Feb 03 10:00:00 +0800 2021" and seen.times[0][1]  # pinned first, 300 days old
    assert seen.comments
    assert newest_post(scenario, account) == CLOCK - timedelta(days=28)


def test_toutiao_page(honghe) -> None:
    scenario, web = honghe
    for account in [a for a in scenario.accounts if a.code == "toutiao"][:3]:
        seen = read_toutiao(web, account)
        assert_agrees(scenario, account, seen, exact=True)
        assert seen.texts == [relative_text(at, CLOCK) for at, _ in truth_times(scenario, account)]
        assert seen.comments
    page = get(web, f"https://www.toutiao.com/c/user/token/{scenario.accounts[14].uid}/").text
    assert "%7B%22data%22%3A%7B%22profileUserInfo%22" in page and "，2天前发布" in page


def test_douyin_list_exists_only_after_rendering(honghe) -> None:
    scenario, web = honghe
    douyin = [a for a in scenario.accounts if a.code == "douyin"]
    shells = [get(web, f"https://www.douyin.com/user/{a.uid}").text for a in douyin]
    for account, shell in zip(douyin, shells, strict=True):
        assert 'data-e2e="user-post-list"' not in shell and 'data-e2e="user-info"' not in shell
        assert all(p.title not in shell for p in posts_of(scenario, account))
        data = json.loads(get(web, f"https://www.douyin.com/aweme/v1/web/aweme/post/?sec_user_id={account.uid}").text)
        assert data["status_code"] == 0 and data["extra"]["now"] == unix(CLOCK) * 1000
        assert [(china(a["create_time"]), bool(a["is_top"])) for a in data["aweme_list"]] == truth_times(scenario,
                                                                                                         account)
    doms = render(web, [f"https://www.douyin.com/user/{a.uid}" for a in douyin], '[data-e2e="user-post-list"]')
    for account, dom in zip(douyin, doms, strict=True):
        seen = read_douyin_dom(dom)
        assert_agrees(scenario, account, seen, exact=False)
        assert seen.texts == [relative_text(at, CLOCK) for at, _ in truth_times(scenario, account)]  # JS = Python
        assert seen.comments
    shiping = read_douyin_dom(doms[[a.name for a in douyin].index("石屏警方")])
    assert shiping.texts[:2] == ["2020-08-15", "02-07"] and shiping.times[0][1]  # an old pinned post on top


def test_relative_texts_follow_the_true_time() -> None:
    cases = {CLOCK - timedelta(seconds=30): ("刚刚", "刚刚"), CLOCK - timedelta(minutes=7): ("7分钟前", "7分钟前"),
             CLOCK - timedelta(hours=5, minutes=59): ("5小时前", "5小时前"),
             CLOCK - timedelta(hours=23): ("23小时前", "昨天 11:00"), CLOCK - timedelta(hours=25): ("昨天 09:00",) * 2,
             CLOCK - timedelta(days=3, hours=2): ("3天前", "02-28"), CLOCK - timedelta(days=20): ("02-11", "02-11"),
             datetime(2020, 12, 31, 17, 7): ("2020-12-31", "2020-12-31")}
    for at, (toutiao, weibo) in cases.items():
        assert relative_text(at, CLOCK) == toutiao, at
        assert weibo_created_at(at, CLOCK, "relative") == weibo, at
    assert weibo_created_at(datetime(2021, 3, 2, 10, 21), CLOCK) == "Tue Mar 02 10:21:00 +0800 2021"
    assert unix(datetime(2021, 3, 2, 10, 1)) == 1614650460


def test_rendered_relative_times_across_a_year_end() -> None:
    data = {"name": "clock", "as_of": "2021-01-05", "sites": [
        {"site_code": "5325000091", "name": "时钟州人民政府", "host": "www.clock.gov.cn", "region_code": "532500",
         "region_name": "时钟州", "level": "city", "kind": "portal"}],
            "accounts": [{"platform": "抖音", "account": "MS4wLjABAAAA" + "c" * 64, "name": "时钟州发布",
                          "owner_unit": "时钟州人民政府", "region_code": "532500", "newest_hours_ago": 0,
                          "posts": 9, "every_days": 1}]}
    scenario = parse_scenario(data)
    account = scenario.accounts[0]
    with SimWeb(scenario) as web:
        dom = render(web, [f"https://www.douyin.com/user/{account.uid}"], '[data-e2e="user-post-list"]')[0]
    texts = read_douyin_dom(dom).texts
    assert texts == [relative_text(p.at, scenario.clock) for p in posts_of(scenario, account)]
    assert texts[:3] == ["刚刚", "昨天 09:23", "2天前"] and texts[-1] == "2020-12-28"


# ---------------------------------------------------------------------------------------------- walls


def test_walls(unreadable) -> None:
    scenario, web = unreadable
    truth = expected_accounts(scenario)
    walled = {(a.code, a.wall): a for a in scenario.accounts if a.wall}
    assert set(walled) == {("wechat", "login"), ("wechat", "captcha"), ("wechat", "deleted"), ("wechat", "expired"),
                           ("weibo", "login"), ("weibo", "deleted"), ("weibo", "blocked"), ("toutiao", "captcha"),
                           ("toutiao", "deleted"), ("douyin", "login"), ("douyin", "captcha"), ("douyin", "deleted")}
    for (_code, wall), a in walled.items():
        t = truth[f"{a.platform}:{a.account}"]
        assert (t.verdict, t.outcome, t.failing) == ("待定", wall, [])

    def wechat(wall: str) -> str:
        biz = quote(walled["wechat", wall].uid)
        return get(web, f"https://mp.weixin.qq.com/mp/profile_ext?action=home&__biz={biz}&scene=124").text

    assert "请在微信客户端打开链接" in wechat("login") and "msgList" not in wechat("login")
    assert "环境异常" in wechat("captcha") and "完成验证后即可继续访问" in wechat("captcha")
    assert "此帐号已自主注销" in wechat("deleted")
    msg = json.loads(unescape(re.search(r"var msgList = '(.*?)';", wechat("expired")).group(1)))
    article = get(web, unescape(unescape(msg["list"][0]["app_msg_ext_info"]["content_url"]))).text
    assert "链接已过期" in article and "var ct" not in article

    def weibo(wall: str) -> Reply:
        return get(web, f"https://m.weibo.cn/api/container/getIndex?type=uid&value={walled['weibo', wall].uid}")

    login = weibo("login")
    assert login.status == 302 and urlsplit(login.headers["location"]).hostname == "passport.weibo.com"
    assert "visitor" in login.headers["location"] and get(web, login.headers["location"]).status == 200
    assert json.loads(weibo("deleted").text) == {"ok": 0, "msg": "用户不存在", "data": {}}
    assert weibo("blocked").status == 418

    def toutiao(wall: str) -> str:
        return get(web, f"https://www.toutiao.com/c/user/token/{walled['toutiao', wall].uid}/").text

    assert "验证码" in toutiao("captcha") and "滑块验证" in toutiao("captcha") and "RENDER_DATA" not in toutiao("captcha")
    assert "账号已注销" in toutiao("deleted") and "RENDER_DATA" not in toutiao("deleted")

    urls = {w: f"https://www.douyin.com/user/{walled['douyin', w].uid}" for w in ("login", "captcha", "deleted")}
    assert 'id="captcha_container"' in get(web, urls["captcha"]).text and "验证码" in get(web, urls["captcha"]).text
    login_dom, deleted_dom, captcha_dom = render(web, [urls["login"], urls["deleted"], urls["captcha"]],
                                                 '[data-e2e="user-info"], .user-error, #captcha_container')
    assert 'class="login-guide"' in login_dom and "登录后即可查看" in login_dom
    assert 'data-e2e="user-post-list"' not in login_dom and "账号已注销" in deleted_dom
    assert 'id="captcha_container"' in captcha_dom
    # The stale and the healthy account of the same scenario read the ordinary way.
    for a in scenario.accounts:
        if not a.wall:
            assert_agrees(scenario, a, read_wechat(web, a), exact=True)
            assert truth[f"{a.platform}:{a.account}"].verdict == ("不合格" if a.newest_hours > 24 * STALE_DAYS
                                                                  else "合格")


# ---------------------------------------------------------------------------------------------- defects


def test_defects_are_served_as_expected(defects) -> None:
    scenario, web = defects
    truth = expected_accounts(scenario)
    by_name = {a.name: truth[f"{a.platform}:{a.account}"] for a in scenario.accounts}
    assert {n: (t.verdict, t.failing) for n, t in by_name.items()} == {
        "示例州财政": ("不合格", ["account_stale"]), "示例市人社": ("不合格", ["account_interaction"]),
        "示例市农业农村": ("合格", ["account_identity"]), "示例县发布": ("合格", ["account_duplicates"]),
        "示例县政务": ("合格", ["account_duplicates"]), "示例县之窗": ("合格", ["account_duplicates"]),
        "示例州应急": ("不合格", ["account_interaction"]), "示例州气象": ("合格", []), "示例市文旅": ("合格", []),
        "示例州发布": ("不合格", ["account_interaction", "account_followable"]),
        "示例市融媒": ("合格", ["account_identity"]), "示例州警方": ("不合格", ["account_stale"]),
        "示例县文旅": ("不合格", ["account_interaction", "account_followable"]),
        "示例市消防": ("不合格", ["account_stale"])}
    douyin = [a for a in scenario.accounts if a.code == "douyin"]
    doms = render(web, [f"https://www.douyin.com/user/{a.uid}" for a in douyin], '[data-e2e="user-post-list"]')
    readers = {"wechat": lambda a: read_wechat(web, a), "weibo": lambda a: read_weibo(web, a),
               "toutiao": lambda a: read_toutiao(web, a)}
    for account in scenario.accounts:
        seen = read_douyin_dom(doms[douyin.index(account)]) if account.code == "douyin" else readers[account.code](
            account)
        assert_agrees(scenario, account, seen, exact=account.code != "douyin" and account.weibo_times == "absolute")
        if seen.times:  # comment settings show on posts: an account that never posted shows none either way
            assert seen.comments == ("account_interaction" not in by_name[account.name].failing), account.name
    assert "暂无作品" in doms[[a.name for a in douyin].index("示例州警方")]
    farm = next(a for a in scenario.accounts if a.name == "示例市农业农村")
    assert read_wechat(web, farm).subject == "示例市农业局" != farm.owner_unit
    weather = read_weibo(web, next(a for a in scenario.accounts if a.name == "示例州气象"))
    assert weather.texts[:4] == ["2020-01-28", "2小时前", "昨天 07:23", "03-01"]
    reposts = next(a for a in scenario.accounts if a.name == "示例市文旅")
    base = f"https://m.weibo.cn/api/container/getIndex?type=uid&value={reposts.uid}&containerid=107603{reposts.uid}"
    assert all("retweeted_status" in c["mblog"] for c in json.loads(get(web, base).text)["data"]["cards"])


# ---------------------------------------------------------------------------------------------- 红河州 2021Q1


def test_honghe_243_accounts_and_the_12_of_the_notice(honghe, tmp_path: Path) -> None:
    scenario, web = honghe
    assert Counter(a.code for a in scenario.accounts) == {"wechat": 172, "weibo": 41, "toutiao": 14, "douyin": 16}
    truth = expected_accounts(scenario)
    assert len(truth) == 243
    failing = {(a.owner_unit, a.name, a.code) for a in scenario.accounts
               if truth[f"{a.platform}:{a.account}"].verdict == "不合格"}
    assert failing == NOTICE_FAILING
    if Path(SEED).is_file():  # the 部门 and 账号 of 附件3 as the notice prints them (names broken over lines)
        notice = re.sub(r"\s+", "", Path(SEED).read_text(encoding="utf-8").split("附件3")[-1])
        assert all(unit in notice and name in notice for unit, name, _ in NOTICE_FAILING)
    for a in scenario.accounts:
        t = truth[f"{a.platform}:{a.account}"]
        age = CLOCK - t.newest
        if (a.owner_unit, a.name, a.code) in NOTICE_FAILING:
            assert t.failing == ["account_stale"] and timedelta(days=20) <= age <= timedelta(days=120), a.name
        else:
            assert t.verdict == "合格" and t.failing == [] and age <= timedelta(days=10), a.name
            assert a.comments and a.followable and a.subject == a.owner_unit and a.wall is None
    # What is served agrees, account by account (Douyin through its JSON; its DOM is checked above).
    for a in scenario.accounts:
        if a.code == "douyin":
            data = json.loads(get(web, f"http://www.douyin.com/aweme/v1/web/aweme/post/?sec_user_id={a.uid}").text)
            served = max(china(x["create_time"]) for x in data["aweme_list"] if not x["is_top"])
        else:
            seen = {"wechat": read_wechat, "weibo": read_weibo, "toutiao": read_toutiao}[a.code](web, a)
            served = max(at for at, pinned in seen.times if not pinned)
            assert seen.subject == a.owner_unit and seen.comments and seen.followable
        assert served == truth[f"{a.platform}:{a.account}"].newest
    # The registry carries the accounts as the import expects them (its own reader and validation accept them).
    path = scenario.write_registry(tmp_path / "targets.yaml")
    reg = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert all(set(r) == {"platform", "account", "name", "owner_unit", "region_code"} for r in reg["accounts"])
    assert Counter(r["platform"] for r in reg["accounts"]) == {LABEL["wechat"]: 172, LABEL["weibo"]: 41,
                                                               LABEL["toutiao"]: 14, LABEL["douyin"]: 16}
    imported = validate(path, read_file(path), set())
    assert sorted((a["platform"], a["account"], a["owner_unit"]) for a in imported.accounts) == sorted(
        (a.platform, a.account, a.owner_unit) for a in scenario.accounts)


def test_pool_units_are_plausible_and_distinct() -> None:
    scenario = load_scenario("honghe_2021q1")
    regions = {s.region_code: s.region_name for s in scenario.sites}
    assert {a.region_code for a in scenario.accounts} <= set(regions)
    units = Counter((a.platform, a.owner_unit) for a in scenario.accounts)
    assert max(units.values()) == 1  # no unit twice on a platform: no duplicate-account finding in the demo
    pool = scenario.accounts[15:]
    assert all(a.owner_unit.startswith(("红河州", regions[a.region_code])) for a in pool)
    assert load_scenario("honghe_2021q1").registry() == scenario.registry()  # deterministic


def test_synthetic_accounts_are_healthy_distinct_and_served() -> None:
    rows = synthetic_accounts(400, seed=3)
    assert rows == synthetic_accounts(400, seed=3) and rows != synthetic_accounts(400, seed=4)
    assert len({(r["platform"], r["account"]) for r in rows}) == 400
    assert Counter(r["platform"] for r in rows) == {p: 100 for p in LABEL.values()}
    scenario = load_scenario("defects")
    scenario.accounts = [parse_account(r, f"synthetic[{i}]") for i, r in enumerate(rows)]
    assert all(t.verdict == "合格" and not t.failing for t in expected_accounts(scenario).values())
    with SimWeb(scenario) as web:
        for a in scenario.accounts[:8]:
            if a.code == "douyin":
                data = json.loads(get(web, f"https://www.douyin.com/aweme/v1/web/aweme/post/?sec_user_id={a.uid}")
                                  .text)
                assert data["user"]["nickname"] == a.name and data["aweme_list"]
            else:
                seen = {"wechat": read_wechat, "weibo": read_weibo, "toutiao": read_toutiao}[a.code](web, a)
                assert_agrees(scenario, a, seen, exact=True)


# ---------------------------------------------------------------------------------------------- validation


@pytest.mark.parametrize(("change", "field"), [
    (lambda d: d["accounts"][3].update(wall="blocked"), "accounts[3].wall"),
    (lambda d: d["accounts"][9].update(wall="expired"), "accounts[9].wall"),
    (lambda d: d["accounts"][0].update(account="gejiucaizheng"), "accounts[0].account"),
    (lambda d: d["accounts"][7].update(account="hekouwenlv"), "accounts[7].account"),
    (lambda d: d["accounts"][2].update(newest_days_ago="long ago"), "accounts[2].newest_days_ago"),
    (lambda d: d["accounts"][2].update(newest_hours_ago=3), "accounts[2].newest_hours_ago"),
    (lambda d: d["accounts"][8].update(menu=False), "accounts[8].menu"),
    (lambda d: d["accounts"][1].update(pinned_days_ago=30), "accounts[1].pinned_days_ago"),
    (lambda d: d["accounts"][8].update(followable=False), "accounts[8].followable"),
    (lambda d: d["accounts"][4].update(comments="no"), "accounts[4].comments"),
    (lambda d: d["accounts"][5].update(platform="快手"), "accounts[5].platform"),
    (lambda d: d["accounts"][6].pop("owner_unit"), "accounts[6].owner_unit"),
    (lambda d: d["accounts"][6].update(colour="red"), "accounts[6]"),
    (lambda d: d["accounts"][11].update(region_code="5325"), "accounts[11].region_code"),
    (lambda d: d["accounts"][10].update(account=d["accounts"][9]["account"]), "duplicate"),
    (lambda d: d["account_pool"].update(快手=3), "account_pool.快手"),
    (lambda d: d["account_pool"].update(region_codes=["110101"]), "account_pool.region_codes"),
    (lambda d: d["account_pool"].update(微博=5000), "account_pool.微博"),
])
def test_invalid_accounts_are_refused_naming_the_entry(tmp_path: Path, change, field: str) -> None:
    data = yaml.safe_load((SCENARIOS / "honghe_2021q1.yaml").read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(copy.deepcopy(data), allow_unicode=True), encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(str(path))
    assert str(path) in str(err.value) and field in str(err.value)


def test_accounts_follow_the_monitoring_point(honghe) -> None:
    scenario = load_scenario("honghe_2021q1")
    with SimWeb(scenario, as_of=date(2021, 3, 10)) as web:
        account = next(a for a in scenario.accounts if a.name == "蒙自招商")
        seen = read_wechat(web, account)
        assert max(at for at, _ in seen.times) == datetime(2021, 3, 10, 10) - timedelta(days=21)
