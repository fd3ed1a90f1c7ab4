"""微信公众号: the profile page (profile_ext, its msgList of recent messages) and the newest article's page.

The profile gives the nickname, 账号主体, the follow button, the menu and each message's Unix time ("api"). The
newest post's article page is followed (one per account) for its `var ct` (Unix seconds, "script": the only
reliable time; the visible 昨天/3天前 beside the title and `var svr_time`, the page's own server time, are never
used), `comment_enabled` and the 原创 mark. A registry account given as a short article link (mp.weixin.qq.com/s/…)
starts from that article, whose `biz` leads to the profile.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
from datetime import datetime
from urllib.parse import parse_qs, quote, urlsplit

from monitor.platforms import BY_CODE
from monitor.platforms.base import OK, Fetch, Post, Reading
from monitor.platforms.common import (
    clean_subject,
    find_wall,
    js_string,
    label_value,
    load_json,
    make_post,
    page_text,
    strip_tags,
    unescape_all,
    wall_reading,
)

PROFILE = "https://mp.weixin.qq.com/mp/profile_ext?action=home&__biz={biz}&scene=124"
WALLS = (
    ("login", ("请在微信客户端打开链接",)),
    ("deleted", ("该公众号已迁移", "此帐号已被屏蔽", "此账号已被屏蔽", "该帐号已注销", "该账号已注销", "此帐号已自主注销",
                 "此账号已自主注销")),
    ("expired", ("链接已过期", "该内容已被发布者删除", "此内容因违规无法查看")),
    ("captcha", ("环境异常", "完成验证后即可继续访问")),
)
SUBJECT_LABELS = ("账号主体", "帐号主体", "认证主体")
MESSAGE_WORDS = ("留言", "互动", "咨询")
ORIGINAL = 11  # copyright_stat of a message marked 原创
GH_ID = re.compile(r"^gh_[0-9A-Za-z]{6,}$")


def _is_biz(value: str) -> bool:
    """A __biz value is the base64 of the account's decimal number (a 微信号 alias is not)."""
    try:
        decoded = base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
    except (binascii.Error, ValueError):
        return False
    return decoded.isdigit()


class WechatAdapter:
    platform = BY_CODE["wechat"]

    def start(self, account: str) -> list[Fetch]:
        value = html.unescape((account or "").strip())
        if "__biz=" in value:
            biz = (parse_qs(urlsplit(value).query).get("__biz") or [""])[0]
            if not biz:
                # A fragment or a broken URL: take what follows __biz= up to the next parameter.
                biz = re.split(r"[&#\s]", value.split("__biz=", 1)[1])[0]
            value = biz
        elif re.match(r"^https?://mp\.weixin\.qq\.com/s/[\w-]+", value):
            return [Fetch(value, "entry")]
        value = value.replace(" ", "+")  # parse_qs reads a base64 "+" as a space
        if value and _is_biz(value):
            value += "=" * (-len(value) % 4)
        if value and (GH_ID.match(value) or _is_biz(value)):
            return [Fetch(PROFILE.format(biz=quote(value, safe="")), "profile")]
        raise ValueError(f"无法由“{account}”得到公众号主页地址：需要 __biz 值、gh_ 开头的原始ID，或含 __biz= 的链接")

    def parse(self, fetch: Fetch, status: int, body: str, url: str, fetched_at: datetime) -> Reading:
        if fetch.page == "profile":
            return self._profile(body, fetched_at)
        return self._article(fetch, body, fetched_at)

    # -- profile ----------------------------------------------------------------------------------------------------
    def _profile(self, body: str, fetched_at: datetime) -> Reading:
        sel, text = page_text(body)
        raw = js_string(body, "msgList")
        data = load_json(unescape_all(raw).replace("\\'", "'")) if raw is not None else None
        if not isinstance(data, dict) or not isinstance(data.get("list"), list):
            wall = find_wall(text, WALLS)
            if wall:
                return wall_reading(wall[0], f"页面提示“{wall[1]}”")
            detail = "公众号主页的消息列表(msgList)无法解析" if raw is not None else "公众号主页没有消息列表(msgList)"
            return Reading(outcome="unparsable", error=detail)
        reading = Reading(outcome=OK, display_name=self._nickname(sel, body))
        reading.verified_subject = clean_subject(label_value(text, SUBJECT_LABELS))
        reading.followable = bool(sel.css("#js_follow") or sel.xpath("//a[normalize-space()='关注公众号']"))
        menu = [" ".join(t.split()) for t in sel.css("ul.profile_menu li a").xpath("normalize-space()").getall()]
        menu = [m for m in menu if m]
        reading.interaction["menu"] = bool(menu)
        reading.interaction["message"] = any(w in m for m in menu for w in MESSAGE_WORDS)
        newest: tuple[datetime, str] | None = None
        for item in data["list"]:
            for post in self._messages(item, fetched_at):
                reading.posts.append(post)
                if post.published_at and post.key.startswith("http") and (
                        newest is None or post.published_at > newest[0]):
                    newest = (post.published_at, post.key)
        if newest is not None:
            reading.follow.append(Fetch(newest[1], "article"))
        return reading

    @staticmethod
    def _messages(item: object, fetched_at: datetime) -> list[Post]:
        """The posts of one msgList entry: its article, the other articles of a multi-article message, or a text."""
        if not isinstance(item, dict):
            return []
        info = item.get("comm_msg_info") or {}
        stamp = info.get("datetime")
        ext = item.get("app_msg_ext_info")
        if not isinstance(ext, dict):
            key = f"wechat-msg:{info.get('id')}"
            return [make_post(key, stamp, fetched_at, source="api", title=strip_tags(info.get("content")))]
        posts = []
        for art in [ext, *(ext.get("multi_app_msg_item_list") or [])]:
            if not isinstance(art, dict):
                continue
            link = unescape_all(str(art.get("content_url") or "")).strip()
            key = link or f"wechat-msg:{info.get('id')}:{len(posts)}"
            posts.append(make_post(key, stamp, fetched_at, source="api", title=strip_tags(art.get("title")),
                                   original=art.get("copyright_stat") == ORIGINAL))
        return posts

    @staticmethod
    def _nickname(sel, body: str) -> str | None:
        name = js_string(body, "nickname")
        if name:
            return html.unescape(name).strip() or None
        found = sel.css("#js_name::text, .profile_nickname::text").get() or sel.xpath("//title/text()").get()
        return " ".join(found.split()) if found and found.strip() else None

    # -- article ------------------------------------------------------------------------------------------------------
    def _article(self, fetch: Fetch, body: str, fetched_at: datetime) -> Reading:
        sel, text = page_text(body)
        ct = js_string(body, "ct") or js_string(body, "create_time")
        published = None
        if ct:
            published = make_post(fetch.url, ct, fetched_at, source="script")
        title = (html.unescape(js_string(body, "msg_title") or "").strip()
                 or " ".join(sel.css("#activity-name").xpath("normalize-space()").getall()).strip() or None)
        if published is None or published.published_at is None:
            if not (title or sel.css("#js_content")):
                wall = find_wall(text, WALLS)
                if wall:
                    return wall_reading(wall[0], f"页面提示“{wall[1]}”")
                return Reading(outcome="unparsable", error="文章页面没有发布时间(var ct)")
            # No ct: the date the script states (var publish_time = "2018-03-20"), else the visible text.
            fallback = js_string(body, "publish_time")
            if fallback:
                published = make_post(fetch.url, fallback, fetched_at, source="script")
            else:
                published = make_post(fetch.url, sel.css("#publish_time").xpath("normalize-space()").get(), fetched_at)
        published.title = title
        stat = js_string(body, "copyright_stat") or js_string(body, "_copyright_stat")
        if sel.css("#copyright_logo"):
            published.original = True
        elif stat is not None:
            published.original = stat.strip() == str(ORIGINAL)
        reading = Reading(outcome=OK, display_name=self._nickname_article(sel, body), posts=[published])
        enabled = re.search(r"""\bvar\s+comment_enabled\s*=\s*["']?(\d*)["']?""", body)
        if enabled:
            reading.interaction["comments"] = enabled.group(1) == "1"
        if fetch.page == "entry":
            biz = js_string(body, "biz")
            if biz and _is_biz(biz):
                reading.follow.append(Fetch(PROFILE.format(biz=quote(biz, safe="")), "profile"))
        return reading

    @staticmethod
    def _nickname_article(sel, body: str) -> str | None:
        name = js_string(body, "nickname")
        if name:
            return html.unescape(name).strip() or None
        found = sel.css("#js_name").xpath("normalize-space()").get()
        return found or None


ADAPTER = WechatAdapter()
