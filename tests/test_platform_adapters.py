"""The four platform adapters on real pages (../shared/corpus/realpages, skipped when absent) and on small pages in
the shapes of the platform contract: where each reads a post's time, the walls (login, captcha, deleted, expired),
and what an account page says about its name, verified subject, follow button and interaction."""

from __future__ import annotations

import html
import json
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

import pytest

from monitor.platforms.base import OK, Fetch, Reading, adapter_for, combine
from monitor.platforms.douyin import ADAPTER as DOUYIN
from monitor.platforms.toutiao import ADAPTER as TOUTIAO
from monitor.platforms.wechat import ADAPTER as WECHAT
from monitor.platforms.weibo import ADAPTER as WEIBO

REPO = Path(__file__).resolve().parent.parent
REALPAGES = REPO.parent / "shared" / "corpus" / "realpages"
FETCHED = datetime(2021, 3, 2, 10, 0)
BIZ = "MzA3NjY4NjQ1Mw=="  # base64 of 3076686453


def real(name: str) -> str:
    path = REALPAGES / name
    if not path.exists():
        pytest.skip(f"real page {name} is absent")
    return path.read_text(encoding="utf-8")


def test_each_platform_has_its_adapter() -> None:
    for label, adapter in (("微信公众号", WECHAT), ("公众号", WECHAT), ("新浪微博", WEIBO), ("头条号", TOUTIAO),
                           ("抖音", DOUYIN)):
        assert adapter_for(label) is adapter
    assert [a.platform.code for a in (WECHAT, WEIBO, TOUTIAO, DOUYIN)] == ["wechat", "weibo", "toutiao", "douyin"]
    assert adapter_for("快手") is None


# -- WeChat: real article pages -----------------------------------------------------------------------------------

ARTICLE = Fetch("https://mp.weixin.qq.com/s?__biz=MjM5NzE1NTMyNg==&mid=1&idx=1&sn=x", "article")


def read_article(name: str, fetched_at: datetime = FETCHED) -> Reading:
    return WECHAT.parse(ARTICLE, 200, real(name), ARTICLE.url, fetched_at)


def test_wechat_article_time_is_var_ct_never_the_visible_word_nor_the_fetch() -> None:
    body = real("wechat_aifou_relative-date.html")
    assert '<em id="publish_time" class="rich_media_meta rich_media_meta_text">昨天</em>' in body
    assert 'var svr_time = "1581604666"' in body  # the page's own server time: never a post time
    for fetched_at in (datetime(2020, 2, 14, 9, 0), datetime(2024, 7, 1, 12, 0), FETCHED):
        reading = read_article("wechat_aifou_relative-date.html", fetched_at)
        assert reading.outcome == OK
        [post] = reading.posts
        assert (post.published_at, post.time_text, post.time_source) == (
            datetime(2020, 2, 12, 22, 17, 54), "1581517074", "script")
    assert reading.display_name == "爱否科技"
    assert post.title == "三星 Galaxy S20 系列手机正式发布" and post.key == ARTICLE.url
    assert post.original is False  # copyright_stat "0": not marked 原创
    assert reading.interaction == {"comments": False}  # comment_enabled "" * 1


@pytest.mark.parametrize(("name", "nickname", "ct", "expected", "title"), [
    # ct agrees with the date the page states in `var publish_time` and with the file's name.
    ("wechat_gongchandangyuan_2018-03-20.html", "共产党员", "1521515999", datetime(2018, 3, 20, 11, 19, 59),
     "【视频】石榴花开"),
    ("wechat_changjiangribao_voice_2018-03-19.html", "长江日报", "1521408600", datetime(2018, 3, 19, 5, 30),
     "语音 | 早安武汉〔2018.3.19 周一〕"),
    ("wechat_zhangshangsuide_2022-07-31.html", "掌上绥德", "1659274471", datetime(2022, 7, 31, 21, 34, 31),
     "绥德：33名退役军人被表彰"),
])
def test_wechat_real_articles(name: str, nickname: str, ct: str, expected: datetime, title: str) -> None:
    body = real(name)
    assert f'var ct = "{ct}"' in body
    reading = read_article(name)
    assert reading.outcome == OK and reading.display_name == nickname
    [post] = reading.posts
    assert (post.published_at, post.time_text, post.time_source, post.title) == (expected, ct, "script", title)
    assert expected.date().isoformat() in name


def test_wechat_expired_notice() -> None:
    reading = read_article("wechat_expired-notice.html")
    assert reading.outcome == "expired" and "链接已过期" in reading.error
    assert reading.posts == []


def test_wechat_short_link_reads_the_article_then_its_profile() -> None:
    [fetch] = WECHAT.start("https://mp.weixin.qq.com/s/AbCdEf-12_x")
    assert fetch.page == "entry"
    reading = WECHAT.parse(fetch, 200, real("wechat_aifou_relative-date.html"), fetch.url, FETCHED)
    assert reading.posts[0].published_at == datetime(2020, 2, 12, 22, 17, 54)
    assert [f.url for f in reading.follow] == [
        "https://mp.weixin.qq.com/mp/profile_ext?action=home&__biz=MjM5NzE1NTMyNg%3D%3D&scene=124"]


# -- WeChat: profile page in the contract's shape -----------------------------------------------------------------

def message(mid: int, stamp: int, title: str, copyright_stat: int | None = None, extra: list | None = None) -> dict:
    art = {"title": title, "content_url": f"http://mp.weixin.qq.com/s?__biz={BIZ}&amp;mid={mid}&amp;idx=1&amp;sn=ab",
           "is_multi": 1 if extra else 0, "multi_app_msg_item_list": extra or []}
    if copyright_stat is not None:
        art["copyright_stat"] = copyright_stat
    return {"comm_msg_info": {"id": mid, "type": 49, "datetime": stamp, "content": ""}, "app_msg_ext_info": art}


def wechat_profile(messages: list[dict], *, subject: str | None = "河口县人民政府办公室", follow: bool = True,
                   menu: tuple[str, ...] = ("网上办事", "互动留言")) -> str:
    # As the client serves it: JSON inside a JS string, HTML-escaped, slashes escaped.
    escaped = html.escape(json.dumps({"list": messages}, ensure_ascii=False)).replace("/", "\\/")
    items = "".join(f'<li><a href="https://example.org/{i}">{m}</a></li>' for i, m in enumerate(menu))
    return f"""<html><head><title>河口发布</title></head><body>
<div class="profile_info"><strong class="profile_nickname">河口发布</strong>
{f'<p>账号主体：{subject}</p>' if subject else ''}
{'<a id="js_follow" href="javascript:;">关注公众号</a>' if follow else ''}</div>
{f'<ul class="profile_menu">{items}</ul>' if menu else ''}
<script>var nickname = "河口发布" || "";
var msgList = '{escaped}';
</script></body></html>"""


PROFILE_FETCH = WECHAT.start(BIZ)[0]


def test_wechat_start_forms() -> None:
    expected = "https://mp.weixin.qq.com/mp/profile_ext?action=home&__biz=MzA3NjY4NjQ1Mw%3D%3D&scene=124"
    for account in (BIZ, f" {BIZ} ", f"http://mp.weixin.qq.com/s?__biz={BIZ}&mid=2651&idx=1",
                    f"https://mp.weixin.qq.com/mp/profile_ext?action=home&amp;__biz={BIZ}#wechat_redirect",
                    "MzA3NjY4NjQ1Mw"):
        assert [(f.url, f.page, f.render) for f in WECHAT.start(account)] == [(expected, "profile", False)]
    assert WECHAT.start("gh_3fb3f07c5c4a")[0].url.endswith("__biz=gh_3fb3f07c5c4a&scene=124")
    for account in ("hkfb2019", "河口发布", "", "https://example.org/x"):  # a 微信号 alias names no page
        with pytest.raises(ValueError, match="公众号主页"):
            WECHAT.start(account)


def test_wechat_profile_reads_messages_and_follows_the_newest_article() -> None:
    older = message(101, 1614400000, "旧消息", copyright_stat=100)
    newest = message(102, 1614650460, "河口县召开会议", copyright_stat=11,
                     extra=[{"title": "次条", "content_url": f"http://mp.weixin.qq.com/s?__biz={BIZ}&amp;mid=102&amp;idx=2"}])
    text = {"comm_msg_info": {"id": 103, "type": 1, "datetime": 1614300000, "content": "文字消息"}}
    reading = WECHAT.parse(PROFILE_FETCH, 200, wechat_profile([older, newest, text]), PROFILE_FETCH.url, FETCHED)
    assert reading.outcome == OK and reading.display_name == "河口发布"
    assert reading.verified_subject == "河口县人民政府办公室" and reading.followable is True
    assert reading.interaction == {"menu": True, "message": True}
    times = {p.title: (p.published_at, p.time_source, p.original) for p in reading.posts}
    assert times == {"旧消息": (datetime(2021, 2, 27, 12, 26, 40), "api", False),
                     "河口县召开会议": (datetime(2021, 3, 2, 10, 1), "api", True),
                     "次条": (datetime(2021, 3, 2, 10, 1), "api", False),
                     "文字消息": (datetime(2021, 2, 26, 8, 40), "api", None)}
    url = f"http://mp.weixin.qq.com/s?__biz={BIZ}&mid=102&idx=1&sn=ab"
    assert [(f.url, f.page) for f in reading.follow] == [(url, "article")]  # one article per account
    assert url in {p.key for p in reading.posts}


def test_wechat_profile_and_article_combine_into_one_post() -> None:
    profile = WECHAT.parse(PROFILE_FETCH, 200, wechat_profile([message(102, 1614650460, "会议")]),
                           PROFILE_FETCH.url, FETCHED)
    follow = profile.follow[0]
    article_page = """<html><body><h1 id="activity-name">会议</h1><em id="publish_time">昨天</em>
<span id="copyright_logo" class="rich_media_meta meta_original_tag">原创</span><div id="js_content">正文</div>
<script>var nickname = htmlDecode("河口发布");
var ct = "1614650460";
var comment_enabled = "1";</script></body></html>"""
    article = WECHAT.parse(follow, 200, article_page, follow.url, FETCHED)
    assert article.interaction == {"comments": True}
    assert article.posts[0].time_source == "script" and article.posts[0].original is True
    both = combine([profile, article])
    assert [p.key for p in both.posts] == [follow.url]
    assert both.posts[0].published_at == datetime(2021, 3, 2, 10, 1)
    assert both.interaction == {"menu": True, "message": True, "comments": True}


def test_wechat_article_without_ct_falls_back_to_the_page_without_inventing() -> None:
    page = '<html><body><h1 id="activity-name">标题</h1><em id="publish_time">3天前</em><div id="js_content">正文</div>'
    post = WECHAT.parse(ARTICLE, 200, page, ARTICLE.url, FETCHED).posts[0]
    assert (post.published_at, post.time_source) == (datetime(2021, 2, 27, 10, 0), "relative")
    empty = page.replace("3天前", "")
    post = WECHAT.parse(ARTICLE, 200, empty, ARTICLE.url, FETCHED).posts[0]
    assert (post.published_at, post.time_source) == (None, "unknown")


def test_wechat_profile_with_no_messages_is_read_not_inconclusive() -> None:
    reading = WECHAT.parse(PROFILE_FETCH, 200, wechat_profile([], subject=None, follow=False, menu=()),
                           PROFILE_FETCH.url, FETCHED)
    assert reading.outcome == OK and reading.posts == [] and reading.follow == []
    assert reading.followable is False and reading.verified_subject is None
    assert reading.interaction == {"menu": False, "message": False}


def test_wechat_menu_without_message_item() -> None:
    reading = WECHAT.parse(PROFILE_FETCH, 200, wechat_profile([], menu=("网上办事", "政务公开")), PROFILE_FETCH.url,
                           FETCHED)
    assert reading.interaction == {"menu": True, "message": False}


@pytest.mark.parametrize(("words", "outcome"), [
    ("请在微信客户端打开链接", "login"), ("该公众号已迁移", "deleted"), ("此帐号已被屏蔽", "deleted"),
    ("该帐号已注销", "deleted"), ("此帐号已自主注销", "deleted"), ("链接已过期", "expired"),
    ("该内容已被发布者删除", "expired"), ("此内容因违规无法查看", "expired"), ("环境异常", "captcha"),
    ("完成验证后即可继续访问", "captcha"),
])
def test_wechat_walls(words: str, outcome: str) -> None:
    page = f'<html><body><div class="weui-msg"><h2 class="weui-msg__title">{words}</h2></div></body></html>'
    for fetch in (PROFILE_FETCH, ARTICLE):
        reading = WECHAT.parse(fetch, 200, page, fetch.url, FETCHED)
        assert (reading.outcome, reading.posts) == (outcome, [])
        assert words in reading.error


def test_wechat_unknown_page_is_unparsable() -> None:
    for fetch in (PROFILE_FETCH, ARTICLE):
        reading = WECHAT.parse(fetch, 200, "<html><body><p>别的内容</p></body></html>", fetch.url, FETCHED)
        assert reading.outcome == "unparsable" and reading.error
    broken = "<script>var msgList = '{&quot;list&quot;:[';</script>"
    assert WECHAT.parse(PROFILE_FETCH, 200, broken, PROFILE_FETCH.url, FETCHED).outcome == "unparsable"


# -- Weibo ------------------------------------------------------------------------------------------------------

UID = "2803301701"


def weibo_profile(**user: object) -> str:
    info = {"id": int(UID), "screen_name": "河口文旅", "verified": True, "verified_type": 1,
            "verified_reason": "河口县文化和旅游局官方微博", "following": False, "follow_me": False, "statuses_count": 12}
    info.update(user)
    return json.dumps({"ok": 1, "data": {"userInfo": info, "tabsInfo": {"tabs": [
        {"tab_type": "profile", "containerid": f"230283{UID}"}, {"tab_type": "weibo", "containerid": f"107603{UID}"}]}}},
        ensure_ascii=False)


def mblog(mid: str, created_at: str, **extra: object) -> dict:
    return {"card_type": 9, "mblog": {"id": mid, "created_at": created_at, "text": f"<a href='/n/x'>@x</a> 微博{mid}",
                                      "comments_count": 1, **extra}}


def test_weibo_start_forms() -> None:
    expected = f"https://m.weibo.cn/api/container/getIndex?type=uid&value={UID}"
    for account in (UID, f"https://weibo.com/u/{UID}", f"https://m.weibo.cn/u/{UID}?uid={UID}",
                    f"https://m.weibo.cn/profile/{UID}", f"https://weibo.com/{UID}", f"weibo.com/{UID}/"):
        [fetch] = WEIBO.start(account)
        assert (fetch.url, fetch.page, fetch.render) == (expected, "profile", False)
    for account in ("https://weibo.com/hekouwenlv", "河口文旅", ""):
        with pytest.raises(ValueError, match="微博"):
            WEIBO.start(account)


def test_weibo_profile_then_timeline() -> None:
    [start] = WEIBO.start(UID)
    profile = WEIBO.parse(start, 200, weibo_profile(), start.url, FETCHED)
    assert (profile.outcome, profile.display_name, profile.verified_subject, profile.followable) == (
        OK, "河口文旅", "河口县文化和旅游局", True)
    [timeline] = profile.follow
    assert timeline.url == f"https://m.weibo.cn/api/container/getIndex?type=uid&value={UID}&containerid=107603{UID}"
    assert timeline.page == "timeline"
    body = json.dumps({"ok": 1, "data": {"cards": [
        mblog("1", "Mon Nov 02 09:00:00 +0800 2020", isTop=1),
        mblog("2", "Tue Mar 02 09:21:00 +0800 2021", comment_manage_info={"comment_permission_type": 2}),
        mblog("3", "刚刚"), mblog("4", "3分钟前"), mblog("5", "5小时前"), mblog("6", "昨天 10:00"),
        mblog("7", "03-01"), mblog("8", "2020-12-31"), mblog("9", "21-3-1 17:07", retweeted_status={"id": "0"}),
        {"card_type": 11, "card_group": [mblog("10", "2周前")]},
        {"card_type": 9, "mblog": {"id": "11", "created_at": "不知何时", "text": "x"}},
    ]}}, ensure_ascii=False)
    reading = WEIBO.parse(timeline, 200, body, timeline.url, FETCHED)
    assert reading.outcome == OK
    got = {p.key.rsplit("/", 1)[1]: (p.published_at, p.time_source) for p in reading.posts}
    assert got == {
        "1": (datetime(2020, 11, 2, 9, 0), "api"), "2": (datetime(2021, 3, 2, 9, 21), "api"),
        "3": (FETCHED, "relative"), "4": (datetime(2021, 3, 2, 9, 57), "relative"),
        "5": (datetime(2021, 3, 2, 5, 0), "relative"), "6": (datetime(2021, 3, 1, 10, 0), "relative"),
        "7": (datetime(2021, 3, 1), "relative"), "8": (datetime(2020, 12, 31), "api"),
        "9": (datetime(2021, 3, 1, 17, 7), "api"), "10": (datetime(2021, 2, 16, 10, 0), "relative"),
        "11": (None, "unknown"),
    }
    by_key = {p.key.rsplit("/", 1)[1]: p for p in reading.posts}
    assert [k for k, p in by_key.items() if p.pinned] == ["1"]
    assert [k for k, p in by_key.items() if not p.original] == ["9"]
    assert by_key["2"].title == "@x 微博2" and by_key["11"].time_text == "不知何时"
    assert reading.interaction == {"comments": True}


def test_weibo_comments_closed_on_every_post() -> None:
    closed = {"comment_manage_info": {"comment_permission_type": 3}}
    body = json.dumps({"ok": 1, "data": {"cards": [mblog("1", "刚刚", **closed), mblog("2", "03-01", **closed)]}})
    timeline = Fetch("https://m.weibo.cn/api/container/getIndex?x", "timeline")
    assert WEIBO.parse(timeline, 200, body, timeline.url, FETCHED).interaction == {"comments": False}


def test_weibo_unverified_profile_has_no_subject() -> None:
    [start] = WEIBO.start(UID)
    reading = WEIBO.parse(start, 200, weibo_profile(verified=False, verified_reason=""), start.url, FETCHED)
    assert reading.outcome == OK and reading.verified_subject is None


def test_weibo_empty_timeline_is_read() -> None:
    timeline = Fetch("https://m.weibo.cn/api/container/getIndex?x", "timeline")
    body = json.dumps({"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}}, ensure_ascii=False)
    reading = WEIBO.parse(timeline, 200, body, timeline.url, FETCHED)
    assert (reading.outcome, reading.posts) == (OK, [])


@pytest.mark.parametrize(("status", "body", "final_url", "outcome"), [
    (418, "", None, "blocked"),
    (432, "<html></html>", None, "blocked"),
    (200, "<html><title>Sina Visitor System</title></html>",
     "https://passport.weibo.com/visitor/visitor?entry=miniblog", "login"),
    (200, "<html>登录</html>", "https://passport.weibo.com/signin/login", "login"),
    (200, json.dumps({"ok": 0, "msg": "这里还没有内容"}, ensure_ascii=False), None, "not_found"),
    (200, json.dumps({"ok": 0, "msg": "用户不存在"}, ensure_ascii=False), None, "deleted"),
    (200, "<html><body>出错了</body></html>", None, "unparsable"),
])
def test_weibo_walls(status: int, body: str, final_url: str | None, outcome: str) -> None:
    [start] = WEIBO.start(UID)
    reading = WEIBO.parse(start, status, body, final_url or start.url, FETCHED)
    assert reading.outcome == outcome and reading.error


# -- Toutiao ------------------------------------------------------------------------------------------------------

TOKEN = "MS4wLjABAAAAiAce5qhH31TeuB3UdpFMV8u-uwy2LnoiqI10uZHqAt8"


def test_toutiao_real_article_page() -> None:
    body = real("toutiao_xinhua-quanmei.html")
    fetched_at = datetime(2024, 5, 24, 10, 58, 55)  # the page's logId says when it was served
    url = "https://www.toutiao.com/article/7367007067191640576/"
    reading = TOUTIAO.parse(Fetch(url, "profile"), 200, body, url, fetched_at)
    assert (reading.outcome, reading.display_name, reading.verified_subject) == (OK, "新华社", "新华社")
    assert reading.interaction == {"comments": True}  # banComment false
    own = reading.posts[0]
    assert (own.key, own.published_at, own.time_text, own.time_source, own.original) == (
        url, datetime(2024, 5, 9, 22, 30), "2024-05-09 22:30", "script", False)
    # The author's other posts beside it: "（图表）人民币市场汇价（5月24日），94阅读，21分钟前发布".
    assert 'aria-label="（图表）人民币市场汇价（5月24日），94阅读，21分钟前发布"' in body
    listed = {p.title: (p.published_at, p.time_source) for p in reading.posts[1:]}
    assert listed["（图表）人民币市场汇价（5月24日）"] == (datetime(2024, 5, 24, 10, 37, 55), "relative")
    assert listed["一枚钢针淬炼出的工匠精神"] == (datetime(2024, 5, 24, 10, 42, 55), "relative")
    assert len(listed) == 5 and all(p.key.startswith("https://www.toutiao.com/article/") for p in reading.posts)


def toutiao_page(feed: list[dict], listed: list[tuple[str, str, str]], **profile: object) -> str:
    user = {"name": "河口发布", "authInfo": "河口县人民政府新闻办公室官方账号", "userVerified": True, "canFollow": True}
    user.update(profile)
    data = quote(json.dumps({"data": {"profileUserInfo": user, "feed": feed}}, ensure_ascii=False))
    links = "".join(f'<a href="/article/{i}/" aria-label="{t}，94阅读，{w}发布">{t}</a>' for i, t, w in listed)
    return (f'<html><body><div class="profile-feed">{links}</div>'
            f'<script id="RENDER_DATA" type="application/json">{data}</script></body></html>')


def test_toutiao_start_forms() -> None:
    expected = f"https://www.toutiao.com/c/user/token/{TOKEN}/"
    for account in (TOKEN, expected, f"https://www.toutiao.com/c/user/token/{TOKEN}/?source=tuwen_detail"):
        assert [(f.url, f.page, f.render) for f in TOUTIAO.start(account)] == [(expected, "profile", False)]
    for account in ("河口发布", "https://www.toutiao.com/article/1/", ""):
        with pytest.raises(ValueError, match="头条号"):
            TOUTIAO.start(account)


def test_toutiao_json_time_wins_over_the_relative_label() -> None:
    feed = [{"itemId": "7301", "title": "置顶旧闻", "publishTime": 1604282400, "isTop": True, "isOriginal": True,
             "commentEnabled": False},
            {"itemId": "7302", "title": "会议", "publishTime": 1614650460, "isTop": False, "isOriginal": False,
             "commentEnabled": True}]
    page = toutiao_page(feed, [("7302", "会议", "3天前"), ("7303", "只在列表里", "21分钟前")])
    [fetch] = TOUTIAO.start(TOKEN)
    # A listed link written absolute and with tracking parameters is the same post as the JSON's item.
    tracked = page.replace('href="/article/7302/"', 'href="https://www.toutiao.com/article/7302/?log_from=ab#c"')
    assert tracked != page
    assert TOUTIAO.parse(fetch, 200, tracked, fetch.url, FETCHED).posts == \
        TOUTIAO.parse(fetch, 200, page, fetch.url, FETCHED).posts
    reading = TOUTIAO.parse(fetch, 200, page, fetch.url, FETCHED)
    assert (reading.outcome, reading.display_name, reading.verified_subject, reading.followable) == (
        OK, "河口发布", "河口县人民政府新闻办公室", True)
    got = {p.key: (p.published_at, p.time_source, p.pinned, p.original) for p in reading.posts}
    base = "https://www.toutiao.com/article/"
    assert got == {f"{base}7301/": (datetime(2020, 11, 2, 10, 0), "script", True, True),
                   f"{base}7302/": (datetime(2021, 3, 2, 10, 1), "script", False, False),
                   f"{base}7303/": (datetime(2021, 3, 2, 9, 39), "relative", None, None)}
    assert reading.interaction == {"comments": True}


def test_toutiao_profile_without_comment_flags_says_nothing_about_comments() -> None:
    page = toutiao_page([{"itemId": "1", "title": "t", "publishTime": 1614650460}], [], authInfo="", canFollow=False)
    reading = TOUTIAO.parse(TOUTIAO.start(TOKEN)[0], 200, page, "", FETCHED)
    assert reading.interaction == {} and reading.verified_subject is None and reading.followable is False


@pytest.mark.parametrize(("page", "outcome"), [
    ("<html><body><div>请完成下列验证后继续：滑块验证</div></body></html>", "captcha"),
    ("<html><body><p>输入验证码</p></body></html>", "captcha"),
    ("<html><body><p>账号已注销</p></body></html>", "deleted"),
    ("<html><body><p>该用户不存在</p></body></html>", "deleted"),
    ("<html><body><p>页面改版了</p></body></html>", "unparsable"),
    ('<html><script id="RENDER_DATA" type="application/json">%7Bnot json</script></html>', "unparsable"),
])
def test_toutiao_walls(page: str, outcome: str) -> None:
    [fetch] = TOUTIAO.start(TOKEN)
    reading = TOUTIAO.parse(fetch, 200, page, fetch.url, FETCHED)
    assert reading.outcome == outcome and reading.error and reading.posts == []


# -- Douyin (rendered DOM) ----------------------------------------------------------------------------------------

SEC_UID = "MS4wLjABAAAA5wJ8dXh0c2hpcGluZ2dvbmdhbmp1"


def douyin_page(items: str, *, extra: str = "", verify: str = "认证：石屏县公安局官方账号", follow: bool = True) -> str:
    button = '<button data-e2e="follow-button">关注</button>' if follow else ""
    return f"""<html><body><div data-e2e="user-info"><h1>石屏公安</h1><p class="verify">{verify}</p>{button}</div>
<ul data-e2e="user-post-list">{items}</ul>{extra}</body></html>"""


def li(vid: str, title: str, time: str, *, pinned: bool = False, comments: bool = True) -> str:
    return (f'<li><a href="/video/{vid}"><p class="title">{title}</p><span class="time">{time}</span>'
            f'{"<span class=pinned>置顶</span>" if pinned else ""}'
            f'{"<span data-e2e=comment-count>12</span>" if comments else ""}</a></li>')


def test_douyin_start_forms_render_the_page() -> None:
    expected = f"https://www.douyin.com/user/{SEC_UID}"
    for account in (SEC_UID, expected, f"{expected}?from_tab_name=main"):
        [fetch] = DOUYIN.start(account)
        assert (fetch.url, fetch.page, fetch.render) == (expected, "profile", True)
        assert '[data-e2e="user-post-list"]' in fetch.wait_for and "#captcha_container" in fetch.wait_for
    for account in ("shipinggongan", "石屏公安", ""):
        with pytest.raises(ValueError, match="抖音"):
            DOUYIN.start(account)


def test_douyin_rendered_posts() -> None:
    items = (li("1", "置顶：防诈骗提示", "2020-12-31", pinned=True) + li("2", "巡逻", "3天前") +
             li("3", "夜查", "昨天 10:00", comments=False) + li("4", "宣传", "2周前") + li("5", "春节", "02-11"))
    [fetch] = DOUYIN.start(SEC_UID)
    reading = DOUYIN.parse(fetch, 200, douyin_page(items), fetch.url, FETCHED)
    assert (reading.outcome, reading.display_name, reading.verified_subject, reading.followable) == (
        OK, "石屏公安", "石屏县公安局", True)
    got = {p.title: (p.published_at, p.time_source, p.pinned) for p in reading.posts}
    assert got == {"置顶：防诈骗提示": (datetime(2020, 12, 31), "absolute", True),
                   "巡逻": (datetime(2021, 2, 27, 10, 0), "relative", False),
                   "夜查": (datetime(2021, 3, 1, 10, 0), "relative", False),
                   "宣传": (datetime(2021, 2, 16, 10, 0), "relative", False),
                   "春节": (datetime(2021, 2, 11), "relative", False)}
    assert reading.posts[0].key == "https://www.douyin.com/video/1"
    assert reading.interaction == {"comments": True}


def test_douyin_no_posts_is_read_only_when_the_page_says_so() -> None:
    [fetch] = DOUYIN.start(SEC_UID)
    empty = DOUYIN.parse(fetch, 200, douyin_page("", extra="<p>暂无作品</p>", follow=False), fetch.url, FETCHED)
    assert (empty.outcome, empty.posts, empty.interaction, empty.followable) == (OK, [], {}, False)
    unknown = DOUYIN.parse(fetch, 200, douyin_page(""), fetch.url, FETCHED)
    assert unknown.outcome == "unparsable" and "暂无作品" in unknown.error


@pytest.mark.parametrize(("page", "outcome"), [
    ('<html><body><div id="captcha_container"></div></body></html>', "captcha"),
    ("<html><body><p>请输入验证码</p></body></html>", "captcha"),
    ('<html><body><div class="login-guide">登录</div></body></html>', "login"),
    ("<html><body><p>登录后即可查看</p></body></html>", "login"),
    ("<html><body><p>账号已注销</p></body></html>", "deleted"),
    ("<html><body><h1>石屏公安</h1><p>该账号已被封禁</p></body></html>", "deleted"),
    ("<html><body><div id='root'></div></body></html>", "unparsable"),
])
def test_douyin_walls(page: str, outcome: str) -> None:
    [fetch] = DOUYIN.start(SEC_UID)
    reading = DOUYIN.parse(fetch, 200, page, fetch.url, FETCHED)
    assert reading.outcome == outcome and reading.error and reading.posts == []


def test_douyin_wall_words_in_a_post_title_are_not_walls() -> None:
    page = douyin_page(li("1", "提醒：账号已注销也要防诈骗 验证码勿告诉他人", "刚刚"))
    reading = DOUYIN.parse(DOUYIN.start(SEC_UID)[0], 200, page, "", FETCHED)
    assert reading.outcome == OK and reading.posts[0].published_at == FETCHED
