"""微博: the public m.weibo.cn JSON of a profile (name, 认证信息) and of its timeline (posts, pinned, retweets, comments).

Times come from each post's `created_at` ("api" when absolute, "relative" for 刚刚/3分钟前/昨天 10:00/03-02).
HTTP 418/432 are Weibo's anti-bot answers (blocked); a redirect to passport.weibo.com or its visitor system is a
login wall.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

from monitor.platforms import BY_CODE
from monitor.platforms.base import OK, Fetch, Post, Reading
from monitor.platforms.common import clean_subject, load_json, make_post, strip_tags

API = "https://m.weibo.cn/api/container/getIndex?type=uid&value={uid}"
TIMELINE = API + "&containerid={containerid}"
ACCOUNT_URL = re.compile(r"^(?:https?://)?(?:www\.|m\.)?weibo\.(?:com|cn)/(?:u/|profile/)?(\d{5,})(?:[/?#]|$)")
BLOCKED_STATUS = (418, 432)
OPEN_COMMENTS = -1  # comment_permission_type of a post anyone may comment on
DELETED_WORDS = ("用户不存在", "已注销", "已被封", "账号异常")


def _headers(uid: str) -> tuple[tuple[str, str], ...]:
    # What m.weibo.cn's own page sends with its API calls.
    return (("Accept", "application/json, text/plain, */*"), ("Referer", f"https://m.weibo.cn/u/{uid}"),
            ("MWeibo-Pwa", "1"), ("X-Requested-With", "XMLHttpRequest"))


def _comments_open(mblog: dict) -> bool:
    info = mblog.get("comment_manage_info")
    kind = info.get("comment_permission_type") if isinstance(info, dict) else None
    return kind is None or kind == OPEN_COMMENTS


def _cards(cards: object) -> list[dict]:
    """The post cards of a timeline, including those nested in card groups."""
    out: list[dict] = []
    for card in cards if isinstance(cards, list) else []:
        if not isinstance(card, dict):
            continue
        if isinstance(card.get("mblog"), dict):
            out.append(card)
        out.extend(_cards(card.get("card_group")))
    return out


class WeiboAdapter:
    platform = BY_CODE["weibo"]

    def start(self, account: str) -> list[Fetch]:
        value = (account or "").strip()
        m = ACCOUNT_URL.match(value)
        uid = value if value.isdigit() else m.group(1) if m else None
        if not uid:
            raise ValueError(f"无法由“{account}”得到微博账号：需要数字 UID，或 weibo.com/u/<UID>、m.weibo.cn/u/<UID> 形式的链接")
        return [Fetch(API.format(uid=uid), "profile", headers=_headers(uid))]

    def parse(self, fetch: Fetch, status: int, body: str, url: str, fetched_at: datetime) -> Reading:
        if status in BLOCKED_STATUS:
            return Reading(outcome="blocked", error=f"微博返回 HTTP {status}")
        host = urlsplit(url or "").netloc.lower()
        if host.endswith("passport.weibo.com") or "/visitor/" in (url or ""):
            return Reading(outcome="login", error="跳转到微博登录/访客验证页面")
        data = load_json(body)
        if not isinstance(data, dict):
            if "Sina Visitor System" in (body or "") or "passport.weibo.com" in (body or ""):
                return Reading(outcome="login", error="跳转到微博登录/访客验证页面")
            return Reading(outcome="unparsable", error="微博接口没有返回 JSON")
        inner = data.get("data") if isinstance(data.get("data"), dict) else {}
        if fetch.page == "timeline":
            return self._timeline(data, inner, fetched_at)
        return self._profile(fetch, data, inner)

    @staticmethod
    def _refusal(data: dict) -> Reading | None:
        """The reading of an `ok` 0 answer (or None when the answer is a normal one)."""
        if data.get("ok") == 1:
            return None
        msg = str(data.get("msg") or "")
        if any(w in msg for w in DELETED_WORDS):
            return Reading(outcome="deleted", error=f"微博提示“{msg}”")
        if "登录" in msg:
            return Reading(outcome="login", error=f"微博提示“{msg}”")
        if "这里还没有内容" in msg:
            return Reading(outcome="not_found", error=f"微博提示“{msg}”")
        return Reading(outcome="unparsable", error=f"微博接口返回 ok={data.get('ok')} {msg}".strip())

    def _profile(self, fetch: Fetch, data: dict, inner: dict) -> Reading:
        user = inner.get("userInfo")
        if not isinstance(user, dict):
            return self._refusal(data) or Reading(outcome="unparsable", error="微博接口没有账号信息(userInfo)")
        uid = str(user.get("id") or "")
        reading = Reading(outcome=OK, display_name=(user.get("screen_name") or "").strip() or None)
        if user.get("verified"):
            reading.verified_subject = clean_subject(user.get("verified_reason"))
        # A profile that exists can be followed, unless the answer says it cannot.
        reading.followable = not any(user.get(k) is False for k in ("can_follow", "followable"))
        containerid = None
        tabs = (inner.get("tabsInfo") or {}).get("tabs") if isinstance(inner.get("tabsInfo"), dict) else None
        for tab in tabs if isinstance(tabs, list) else []:
            if isinstance(tab, dict) and tab.get("tab_type") == "weibo" and tab.get("containerid"):
                containerid = str(tab["containerid"])
        if uid:
            containerid = containerid or f"107603{uid}"
            reading.follow.append(Fetch(TIMELINE.format(uid=uid, containerid=containerid), "timeline",
                                        headers=fetch.headers or _headers(uid)))
        return reading

    def _timeline(self, data: dict, inner: dict, fetched_at: datetime) -> Reading:
        cards = _cards(inner.get("cards"))
        if data.get("ok") != 1 and not cards:
            if "这里还没有内容" in str(data.get("msg") or ""):
                return Reading(outcome=OK)  # a timeline without posts: read, and empty
            return self._refusal(data) or Reading(outcome="unparsable", error="微博时间线无法解析")
        reading = Reading(outcome=OK)
        for card in cards:
            reading.posts.append(self._post(card["mblog"], fetched_at))
        if cards:
            reading.interaction["comments"] = any(_comments_open(c["mblog"]) for c in cards)
        return reading

    @staticmethod
    def _post(mblog: dict, fetched_at: datetime) -> Post:
        key = f"https://m.weibo.cn/detail/{mblog.get('id') or mblog.get('mid') or mblog.get('bid')}"
        pinned = mblog.get("isTop") in (1, True) or mblog.get("mblogtype") == 2 or \
            (isinstance(mblog.get("title"), dict) and mblog["title"].get("text") == "置顶")
        return make_post(key, mblog.get("created_at"), fetched_at, source="api",
                         title=strip_tags(mblog.get("text")), original=not mblog.get("retweeted_status"),
                         pinned=bool(pinned))


ADAPTER = WeiboAdapter()
