"""The simulated new-media platforms: WeChat, Weibo, Toutiao and Douyin served under their real host names, in the
shapes of the platform page contract, for the accounts of a scenario.

- mp.weixin.qq.com: /mp/profile_ext?action=home&__biz=… (the profile as the WeChat client sees it: `var msgList`
  HTML-escaped JSON, 账号主体, 关注公众号, the menu) and /s?__biz=…&mid=… (articles: `var ct`, an EMPTY
  `<em id="publish_time">`, comment_enabled, 原创);
- m.weibo.cn: /api/container/getIndex (profile JSON, and the timeline with containerid=107603<uid>);
  passport.weibo.com answers the visitor wall Weibo redirects to;
- www.toutiao.com: /c/user/token/<token>/ (URL-encoded RENDER_DATA JSON and a visible feed with relative times);
- www.douyin.com: /user/<sec_uid> is an HTML shell whose inline script fetches /aweme/v1/web/aweme/post/ and builds
  the DOM, so only a browser sees the posts.

Times count back from the platform clock (Scenario.clock, the monitoring point at 10:00 China time): Unix seconds in
JSON and scripts, and visible texts (刚刚, N分钟前, N小时前, 昨天 HH:MM, N天前, MM-DD, YYYY-MM-DD) chosen from the
true time as the platforms print them. Walls (login, captcha, deleted, expired, blocked) replace what the platform
replaces. `synthetic_accounts` makes registry rows of healthy accounts for benchmarks.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from html import escape
from typing import Any
from urllib.parse import quote

from monitor.platforms import PLATFORMS
from monitor.simweb.scenario import DEPARTMENTS, Account, Scenario, place_names, synthetic_id

HOSTS = ("mp.weixin.qq.com", "m.weibo.cn", "passport.weibo.com", "www.toutiao.com", "www.douyin.com")
CHINA = timezone(timedelta(hours=8))
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
POST_TOPICS = ("召开专题会议部署近期重点工作", "开展安全生产宣传进社区活动", "发布春季森林防火提示",
               "推进乡村振兴项目建设", "开展政策宣讲进村入户", "公布便民服务热线", "开展疫情防控知识宣传",
               "召开工作推进会", "发布办事指南", "开展志愿服务活动", "推进营商环境优化", "开展普法宣传")
JSON_TYPE = "application/json; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"

Reply = tuple[int, bytes | str, str, dict[str, str]]


def unix(moment: datetime) -> int:
    """Unix seconds of a naive China-time datetime."""
    return int(moment.replace(tzinfo=CHINA).timestamp())


def relative_text(moment: datetime, now: datetime) -> str:
    """How Toutiao and Douyin print a time (the same rules as the Douyin page's script)."""
    seconds = (now - moment).total_seconds()
    if seconds < 60:
        return "刚刚"
    if seconds < 3600:
        return f"{int(seconds // 60)}分钟前"
    if seconds < 86400:
        return f"{int(seconds // 3600)}小时前"
    if (now.date() - moment.date()).days == 1:
        return f"昨天 {moment:%H:%M}"
    if seconds < 7 * 86400:
        return f"{int(seconds // 86400)}天前"
    return f"{moment:%m-%d}" if moment.year == now.year else f"{moment:%Y-%m-%d}"


def weibo_created_at(moment: datetime, now: datetime, style: str = "absolute") -> str:
    """Weibo's created_at: `Tue Mar 02 10:21:00 +0800 2021`, or the older relative texts of m.weibo.cn."""
    if style == "absolute":
        return (f"{WEEKDAYS[moment.weekday()]} {MONTHS[moment.month - 1]} {moment:%d %H:%M:%S} +0800 "
                f"{moment.year}")
    seconds = (now - moment).total_seconds()
    if seconds < 60:
        return "刚刚"
    if seconds < 3600:
        return f"{int(seconds // 60)}分钟前"
    if seconds < 86400 and moment.date() == now.date():
        return f"{int(seconds // 3600)}小时前"
    if (now.date() - moment.date()).days == 1:
        return f"昨天 {moment:%H:%M}"
    return f"{moment:%m-%d}" if moment.year == now.year else f"{moment:%Y-%m-%d}"


def _num(*parts: object, digits: int) -> str:
    """A deterministic number of that many digits (platform post ids)."""
    value = int(hashlib.sha1("/".join(map(str, parts)).encode()).hexdigest(), 16)
    return str(10 ** (digits - 1) + value % (9 * 10 ** (digits - 1)))


@dataclass
class SimPost:
    key: str  # the platform's post id
    at: datetime  # true publication time, China time
    title: str
    original: bool
    pinned: bool = False


def posts_of(scenario: Scenario, account: Account) -> list[SimPost]:
    """The account's posts as its platform lists them: the pinned one first, then newest first."""
    now = scenario.clock
    short = account.shown_name
    out = []
    if account.pinned_days_ago is not None:
        out.append(SimPost(_num(account.uid, "top", digits=19), now - timedelta(days=account.pinned_days_ago,
                                                                                 minutes=17),
                           f"{short}：关于开通政务服务咨询渠道的公告", True, pinned=True))
    for i in range(account.posts):
        # The newest post is exactly as old as the scenario says; older ones fall at other minutes of their day.
        at = now - timedelta(hours=account.newest_hours) - timedelta(days=i * account.every_days,
                                                                     minutes=(i * 37) % 300)
        topic = POST_TOPICS[int(_num(account.uid, i, digits=6)) % len(POST_TOPICS)]
        out.append(SimPost(_num(account.uid, i, digits=19), at, f"{short}{topic}", account.original))
    return out


def newest_post(scenario: Scenario, account: Account) -> datetime | None:
    """When the newest post was published (what decides 内容不更新): a pinned post counts by its own time only,
    never by its place on top (scenarios pin old posts, so the newest unpinned post decides as well)."""
    return max((p.at for p in posts_of(scenario, account)), default=None)


def _page(title: str, body: str, head: str = "") -> str:
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" '
            f'content="width=device-width,initial-scale=1"><title>{escape(title)}</title>{head}</head>'
            f"<body>{body}</body></html>")


def _js(text: str) -> str:
    """A text inside a double-quoted JS string within HTML."""
    return json.dumps(text, ensure_ascii=False)[1:-1].replace("<", "\\x3c")


class PlatformWeb:
    """Routes requests to the four platform hosts; accounts are looked up by their platform id."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self._index: dict[tuple[str, str], Account] = {}
        self._indexed = -1

    def account(self, code: str, uid: str) -> Account | None:
        if self._indexed != len(self.scenario.accounts):  # accounts may be added after start (benchmarks)
            self._index = {(a.code, a.uid): a for a in self.scenario.accounts}
            self._indexed = len(self.scenario.accounts)
        return self._index.get((code, uid))

    def route(self, host: str, path: str, query: dict[str, list[str]]) -> Reply | None:
        q = {k: v[0] for k, v in query.items() if v}
        if host == "mp.weixin.qq.com":
            return self.wechat(path, q)
        if host == "m.weibo.cn":
            return self.weibo(path, q)
        if host == "passport.weibo.com":
            return 200, _page("Sina Visitor System", "<p>Sina Visitor System</p><p>正在跳转，请稍候…</p>"), \
                HTML_TYPE, {}
        if host == "www.toutiao.com":
            return self.toutiao(path)
        if host == "www.douyin.com":
            return self.douyin(path, q)
        return None

    # ------------------------------------------------------------------ 微信公众号

    def wechat(self, path: str, q: dict[str, str]) -> Reply | None:
        account = self.account("wechat", q.get("__biz", ""))
        if path == "/mp/profile_ext" and q.get("action") == "home":
            if account is None:
                return 200, _page("微信公众平台", '<div class="weui-msg"><p>该公众号不存在</p></div>'), HTML_TYPE, {}
            wall = {"login": "请在微信客户端打开链接", "captcha": "环境异常，完成验证后即可继续访问",
                    "deleted": "此帐号已自主注销，内容无法查看"}.get(account.wall or "")
            if wall:
                return 200, _page("微信公众平台", f'<div class="weui-msg"><h2 class="weui-msg__title">{wall}</h2>'
                                  "</div>"), HTML_TYPE, {}
            return 200, self.wechat_profile(account), HTML_TYPE, {}
        if path == "/s" and account is not None:
            post = next((p for p in posts_of(self.scenario, account) if p.key[:10] == q.get("mid")), None)
            if post is None:
                return None
            if account.wall == "expired":
                return 200, _page("微信公众平台", '<div class="weui-msg"><h2 class="weui-msg__title">链接已过期</h2>'
                                  "</div>"), HTML_TYPE, {}
            if account.wall:
                return 200, _page("微信公众平台", "<p>请在微信客户端打开链接</p>"), HTML_TYPE, {}
            return 200, self.wechat_article(account, post), HTML_TYPE, {}
        return None

    def wechat_url(self, account: Account, post: SimPost) -> str:
        sn = hashlib.md5(post.key.encode()).hexdigest()
        return f"http://mp.weixin.qq.com/s?__biz={quote(account.uid, safe='')}&amp;mid={post.key[:10]}&amp;idx=1&amp;sn={sn}"

    def wechat_profile(self, account: Account) -> str:
        items = []
        for p in posts_of(self.scenario, account):
            items.append({"comm_msg_info": {"id": int(p.key[-10:]), "type": 49, "datetime": unix(p.at),
                                            "fakeid": _num(account.uid, digits=10), "status": 2, "content": ""},
                          "app_msg_ext_info": {"title": p.title, "digest": p.title, "content_url":
                                               self.wechat_url(account, p), "fileid": 0,
                                               "copyright_stat": 11 if p.original else 100, "is_multi": 0,
                                               "multi_app_msg_item_list": [], "author": ""}})
        msg_list = escape(json.dumps({"list": items}, ensure_ascii=False), quote=True)
        nick = escape(account.shown_name)
        parts = [f'<div class="profile_info_area"><div class="profile_info_group"><strong class="profile_nickname" '
                 f'id="nickname">{nick}</strong></div>',
                 f'<p class="profile_desc">功能介绍：发布{escape(account.owner_unit)}政务信息，提供便民服务。</p>']
        if account.subject:
            parts.append(f'<p class="profile_account">账号主体：{escape(account.subject)}</p>')
        if account.followable:
            parts.append('<a id="js_follow" class="btn_follow" href="javascript:;">关注公众号</a>')
        parts.append("</div>")
        if account.menu:
            parts.append('<ul class="profile_menu"><li><a href="https://zwfw.example.gov.cn/">网上办事</a></li>'
                         '<li><a href="https://zwfw.example.gov.cn/liuyan">互动留言</a></li></ul>')
        parts.append('<div id="js_history_list" class="history_list"></div>')
        script = (f'<script type="text/javascript">var nickname = "{_js(account.shown_name)}" || "";\n'
                  f"var msgList = '{msg_list}';\n</script>")
        return _page(account.shown_name, "".join(parts) + script)

    def wechat_article(self, account: Account, post: SimPost) -> str:
        nick = escape(account.shown_name)
        original = ('<span id="copyright_logo" class="rich_media_meta meta_original_tag">原创</span>'
                    if post.original else "")
        body = (f'<div id="img-content" class="rich_media_wrp"><h1 class="rich_media_title" id="activity-name">'
                f"{escape(post.title)}</h1>"
                f'<div id="meta_content" class="rich_media_meta_list">{original}'
                f'<span class="rich_media_meta rich_media_meta_nickname" id="profileBt">'
                f'<a href="javascript:void(0);" id="js_name">{nick}</a></span>'
                f'<em id="publish_time" class="rich_media_meta rich_media_meta_text"></em></div>'
                f'<div class="rich_media_content" id="js_content"><p>{escape(post.title)}。</p>'
                f"<p>来源：{escape(account.owner_unit)}</p></div></div>")
        script = (f'<script type="text/javascript">var nickname = htmlDecode("{_js(nick)}");\n'
                  f'var ct = "{unix(post.at)}";\nvar comment_enabled = "{1 if account.comments else 0}";\n'
                  f'var msg_title = "{_js(post.title)}";\n</script>')
        return _page(post.title, body + script)

    # ------------------------------------------------------------------ 微博

    def weibo(self, path: str, q: dict[str, str]) -> Reply | None:
        if path != "/api/container/getIndex" or q.get("type") != "uid":
            return None
        uid = q.get("value", "")
        account = self.account("weibo", uid)
        if account is not None and account.wall == "blocked":
            return 418, "", HTML_TYPE, {}
        if account is not None and account.wall == "login":
            back = quote(f"https://m.weibo.cn/api/container/getIndex?type=uid&value={uid}", safe="")
            return 302, "", HTML_TYPE, {"Location": f"https://passport.weibo.com/visitor/visitor?entry=miniblog"
                                                    f"&a=enter&url={back}"}
        if account is None or account.wall == "deleted":
            msg = "用户不存在" if account is not None else "这里还没有内容"
            return 200, json.dumps({"ok": 0, "msg": msg, "data": {}}, ensure_ascii=False), JSON_TYPE, {}
        if "containerid" in q:
            if q["containerid"] != f"107603{uid}":
                return 200, json.dumps({"ok": 0, "msg": "这里还没有内容"}, ensure_ascii=False), JSON_TYPE, {}
            return 200, json.dumps(self.weibo_timeline(account), ensure_ascii=False), JSON_TYPE, {}
        info = {"id": int(uid), "screen_name": account.shown_name, "verified": account.subject is not None,
                "verified_type": 1 if account.subject else -1, "following": False, "follow_me": False,
                "statuses_count": account.posts + (account.pinned_days_ago is not None),
                "description": f"{account.owner_unit}政务微博"}
        if account.subject:
            info["verified_reason"] = f"{account.subject}官方微博"
        data = {"ok": 1, "data": {"userInfo": info, "tabsInfo": {"tabs": [
            {"tab_type": "profile", "containerid": f"230283{uid}"},
            {"tab_type": "weibo", "containerid": f"107603{uid}"}]}}}
        return 200, json.dumps(data, ensure_ascii=False), JSON_TYPE, {}

    def weibo_timeline(self, account: Account) -> dict[str, Any]:
        now = self.scenario.clock
        cards = []
        for p in posts_of(self.scenario, account):
            mblog: dict[str, Any] = {
                "id": p.key[:16], "mid": p.key[:16], "created_at": weibo_created_at(p.at, now, account.weibo_times),
                "text": f'{escape(p.title)} <a href="/search?containerid=231522">#{escape(account.shown_name)}#</a>',
                "source": "微博 weibo.com", "comments_count": int(p.key[-2:]) % 9,
                "reposts_count": 0, "attitudes_count": int(p.key[-3:]) % 50,
                "comment_manage_info": {"comment_permission_type": -1 if account.comments else 1},
                "user": {"id": int(account.uid), "screen_name": account.shown_name}}
            if p.pinned:
                mblog["isTop"] = 1
            if not p.original:
                mblog["text"] = "转发微博"
                mblog["retweeted_status"] = {
                    "id": _num(p.key, "rt", digits=16),
                    "created_at": weibo_created_at(p.at - timedelta(days=2), now),
                    "text": escape(p.title), "user": {"id": 2803301701, "screen_name": "人民日报"}}
            cards.append({"card_type": 9, "itemid": f"1076031_{p.key[:16]}", "mblog": mblog})
        return {"ok": 1, "data": {"cardlistInfo": {"containerid": f"107603{account.uid}", "page": None},
                                  "cards": cards}}

    # ------------------------------------------------------------------ 今日头条

    def toutiao(self, path: str) -> Reply | None:
        parts = [p for p in path.split("/") if p]
        if len(parts) != 4 or parts[:3] != ["c", "user", "token"]:
            return None
        account = self.account("toutiao", parts[3])
        if account is None or account.wall == "deleted":
            text = "账号已注销" if account is not None else "该用户不存在"
            return 200, _page("今日头条", f'<div class="error-page"><p>{text}</p></div>'), HTML_TYPE, {}
        if account.wall == "captcha":
            return 200, _page("验证码中间页", '<div id="captcha-verify"><p>请完成下列验证后继续</p>'
                              '<div class="captcha-slider">滑块验证：拖动滑块完成拼图</div></div>'), HTML_TYPE, {}
        return 200, self.toutiao_page(account), HTML_TYPE, {}

    def toutiao_page(self, account: Account) -> str:
        now = self.scenario.clock
        posts = posts_of(self.scenario, account)
        feed = [{"itemId": p.key, "title": p.title, "publishTime": unix(p.at), "isTop": p.pinned,
                 "isOriginal": p.original, "commentEnabled": account.comments,
                 "readCount": int(p.key[-3:]) + 20} for p in posts]
        data = {"data": {"profileUserInfo": {"name": account.shown_name,
                                             "authInfo": f"{account.subject}官方账号" if account.subject else "",
                                             "userVerified": account.subject is not None,
                                             "canFollow": account.followable, "userId": _num(account.uid, digits=11)},
                         "feed": feed}}
        cards = []
        for p, item in zip(posts, feed, strict=True):
            top = '<span class="feed-card-top">置顶</span>' if p.pinned else ""
            label = escape(f"{p.title}，{item['readCount']}阅读，{relative_text(p.at, now)}发布")
            cards.append(f'<div class="feed-card-wrapper">{top}<a href="/article/{p.key}/" class="feed-card-title" '
                         f'aria-label="{label}">{escape(p.title)}</a></div>')
        follow = '<button class="user-subscribe">关注</button>' if account.followable else ""
        auth = f'<p class="user-auth">{escape(account.subject)}官方账号</p>' if account.subject else ""
        body = (f'<div class="profile-info"><h1 class="user-name">{escape(account.shown_name)}</h1>{auth}{follow}'
                f'</div><div class="profile-feed">{"".join(cards)}</div>'
                f'<script id="RENDER_DATA" type="application/json">'
                f"{quote(json.dumps(data, ensure_ascii=False, separators=(',', ':')), safe='')}</script>")
        return _page(f"{account.shown_name}的个人主页 - 今日头条", body)

    # ------------------------------------------------------------------ 抖音

    def douyin(self, path: str, q: dict[str, str]) -> Reply | None:
        if path == "/aweme/v1/web/aweme/post/":
            account = self.account("douyin", q.get("sec_user_id", ""))
            return 200, json.dumps(self.douyin_json(account), ensure_ascii=False), JSON_TYPE, {}
        parts = [p for p in path.split("/") if p]
        if len(parts) != 2 or parts[0] != "user":
            return None
        account = self.account("douyin", parts[1])
        if account is not None and account.wall == "captcha":
            return 200, _page("验证码中间页", '<div id="captcha_container"><p>请完成下列验证后继续</p>'
                              '<div class="captcha_verify_bar">验证码：拖动滑块完成拼图</div></div>'), HTML_TYPE, {}
        title = f"{account.shown_name}的抖音 - 抖音" if account is not None else "抖音"
        return 200, _page(title, f'<div id="root"><div class="loading">加载中…</div></div>'
                          f"<script>{DOUYIN_SCRIPT.replace('SEC_UID', _js(parts[1]))}</script>"), HTML_TYPE, {}

    def douyin_json(self, account: Account | None) -> dict[str, Any]:
        extra = {"now": unix(self.scenario.clock) * 1000, "logid": "2021030310000001"}
        if account is None:
            return {"status_code": 2053, "status_msg": "该用户不存在", "aweme_list": [], "extra": extra}
        if account.wall == "deleted":
            return {"status_code": 2053, "status_msg": "账号已注销", "aweme_list": [], "extra": extra}
        user = {"nickname": account.shown_name, "sec_uid": account.uid,
                "custom_verify": f"{account.subject}官方账号" if account.subject else "",
                "follow_status": 0, "can_follow": account.followable}
        if account.wall == "login":
            return {"status_code": 8, "status_msg": "登录后即可查看", "user": user, "aweme_list": [], "extra": extra}
        awemes = []
        for p in posts_of(self.scenario, account):
            item: dict[str, Any] = {"aweme_id": p.key, "desc": p.title, "create_time": unix(p.at),
                                    "is_top": int(p.pinned), "status": {"allow_comment": account.comments},
                                    "statistics": {"digg_count": int(p.key[-3:]), "share_count": int(p.key[-2:])}}
            if account.comments:
                item["statistics"]["comment_count"] = int(p.key[-2:]) % 20
            awemes.append(item)
        return {"status_code": 0, "user": user, "aweme_list": awemes, "has_more": 0, "max_cursor": 0,
                "extra": extra}


# The Douyin page's script: fetch the posts, then build the profile and the list with the platform's relative times
# against the server's clock (extra.now), in China time, by the rules of relative_text.
DOUYIN_SCRIPT = r"""
(function () {
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function rel(t, now) {
    var d = now - t, c = new Date((t + 28800) * 1000), n = new Date((now + 28800) * 1000);
    if (d < 60) return "刚刚";
    if (d < 3600) return Math.floor(d / 60) + "分钟前";
    if (d < 86400) return Math.floor(d / 3600) + "小时前";
    if (Math.floor((now + 28800) / 86400) - Math.floor((t + 28800) / 86400) === 1)
      return "昨天 " + pad(c.getUTCHours()) + ":" + pad(c.getUTCMinutes());
    if (d < 7 * 86400) return Math.floor(d / 86400) + "天前";
    var md = pad(c.getUTCMonth() + 1) + "-" + pad(c.getUTCDate());
    return c.getUTCFullYear() === n.getUTCFullYear() ? md : c.getUTCFullYear() + "-" + md;
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  var root = document.getElementById("root");
  var xhr = new XMLHttpRequest();
  xhr.open("GET", "/aweme/v1/web/aweme/post/?sec_user_id=" + encodeURIComponent("SEC_UID") + "&count=18&max_cursor=0");
  xhr.onload = function () {
    var d = JSON.parse(xhr.responseText), now = Math.floor(d.extra.now / 1000);
    root.innerHTML = "";
    if (d.status_code !== 0 && d.status_code !== 8) {
      root.appendChild(el("div", {"class": "user-error"}, d.status_msg));
      return;
    }
    var u = d.user, info = el("div", {"data-e2e": "user-info"});
    info.appendChild(el("h1", {}, u.nickname));
    if (u.custom_verify) info.appendChild(el("p", {"class": "verify"}, "认证：" + u.custom_verify));
    if (u.can_follow) info.appendChild(el("button", {"data-e2e": "follow-button"}, "关注"));
    root.appendChild(info);
    if (d.status_code === 8) {
      root.appendChild(el("div", {"class": "login-guide"}, "登录后即可查看更多作品"));
      return;
    }
    // The list keeps its place (and stays visible to a browser waiting for it) even when it is empty.
    var list = el("ul", {"data-e2e": "user-post-list", "style": "min-height: 120px"});
    d.aweme_list.forEach(function (a) {
      var li = el("li"), link = el("a", {"href": "/video/" + a.aweme_id});
      link.appendChild(el("p", {"class": "title"}, a.desc));
      link.appendChild(el("span", {"class": "time"}, rel(a.create_time, now)));
      if (a.is_top) link.appendChild(el("span", {"class": "pinned"}, "置顶"));
      if (a.statistics.comment_count !== undefined)
        link.appendChild(el("span", {"data-e2e": "comment-count"}, String(a.statistics.comment_count)));
      li.appendChild(link);
      list.appendChild(li);
    });
    root.appendChild(list);
    if (!d.aweme_list.length) root.appendChild(el("p", {"class": "empty"}, "暂无作品"));
  };
  xhr.send();
})();
"""


def synthetic_accounts(n: int, seed: int = 0) -> list[dict[str, str]]:
    """n registry rows of healthy accounts across the four platforms, with distinct ids and no unit twice on a
    platform (so no duplicate-account finding): for benchmarks. Serve them by adding them to a scenario:
    `scenario.accounts += [parse_account(row, "synthetic") for row in rows]`."""
    from monitor.simweb.generate import COUNTIES

    rng = random.Random(seed)
    rows, ids = [], set()
    for i in range(n):
        platform = PLATFORMS[i % len(PLATFORMS)]
        j = i // len(PLATFORMS)
        unit_suffix, name_suffix = DEPARTMENTS[j % len(DEPARTMENTS)]
        p = j // len(DEPARTMENTS)  # one place per round of departments: (platform, unit) never repeats
        place = COUNTIES[p % len(COUNTIES)] + ("县" if p < len(COUNTIES) else f"{p // len(COUNTIES)}县")
        unit_place, short = place_names(place)
        uid = synthetic_id(platform.code, rng)
        while (platform.code, uid) in ids:
            uid = synthetic_id(platform.code, rng)
        ids.add((platform.code, uid))
        rows.append({"platform": platform.label, "account": uid, "name": short + name_suffix,
                     "owner_unit": unit_place + unit_suffix,
                     "region_code": f"53{(p // 90) % 90 + 10:02d}{p % 90 + 10:02d}"})
    return rows
