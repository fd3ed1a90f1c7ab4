"""今日头条: the account page's RENDER_DATA (URL-encoded JSON in a script) and its visible list of posts.

RENDER_DATA's `publishTime` ("script") wins over the list's relative `aria-label` times (…，94阅读，21分钟前发布),
which are only a fallback for posts the JSON does not hold. An article page (RENDER_DATA with `itemId` and
`mediaInfo`, like realpages/toutiao_xinhua-quanmei.html) is read too: its own post, its author, and the author's
other posts listed beside it.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import unquote, urljoin

from monitor.platforms import BY_CODE
from monitor.platforms.base import OK, Fetch, Post, Reading
from monitor.platforms.common import clean_subject, find_wall, load_json, make_post, page_text, wall_reading

PAGE = "https://www.toutiao.com/c/user/token/{token}/"
BASE = "https://www.toutiao.com/"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,}$")
TOKEN_URL = re.compile(r"toutiao\.com/c/user/token/([A-Za-z0-9_-]+)")
ARTICLE_ID = re.compile(r"/(?:article|group)/(\d+)")
USER_URL = re.compile(r"^https?://(?:www\.|m\.)?toutiao\.com/c/user/\d+/?")
WALLS = (
    ("captcha", ("验证码", "滑块验证")),
    ("deleted", ("账号已注销", "该用户不存在")),
)
# aria-label of a listed post: "<title>，94阅读，21分钟前发布" (the reads part may be missing).
LISTED = re.compile(r"^(?P<title>.+?)[，,]\s*(?:[\d.]+万?阅读[，,]\s*)?(?P<time>[^，,]+?)发布$")


def _key(item_id: object) -> str:
    return f"{BASE}article/{item_id}/"


def _render_data(sel) -> dict | None:
    raw = sel.css("script#RENDER_DATA::text").get()
    if raw is None:
        return None
    data = load_json(unquote(raw.strip())) or load_json(raw.strip())
    return data.get("data") if isinstance(data, dict) and isinstance(data.get("data"), dict) else None


class ToutiaoAdapter:
    platform = BY_CODE["toutiao"]

    def start(self, account: str) -> list[Fetch]:
        value = (account or "").strip()
        m = TOKEN_URL.search(value)
        if m:
            return [Fetch(PAGE.format(token=m.group(1)), "profile")]
        if TOKEN.match(value):
            return [Fetch(PAGE.format(token=value), "profile")]
        if USER_URL.match(value):
            return [Fetch(value, "profile")]
        raise ValueError(f"无法由“{account}”得到头条号主页地址：需要用户 token(MS4wLjABAAAA…)或 toutiao.com/c/user/token/… 链接")

    def parse(self, fetch: Fetch, status: int, body: str, url: str, fetched_at: datetime) -> Reading:
        sel, text = page_text(body)
        data = _render_data(sel)
        listed = self._listed(sel, url or fetch.url, fetched_at)
        profile = data.get("profileUserInfo") if data else None
        article = data if data and data.get("itemId") and isinstance(data.get("mediaInfo"), dict) else None
        if not isinstance(profile, dict) and article is None:
            wall = find_wall(text, WALLS)
            if wall:
                return wall_reading(wall[0], f"页面提示“{wall[1]}”")
            if not listed:
                detail = "页面没有 RENDER_DATA" if data is None else "RENDER_DATA 中没有账号信息"
                return Reading(outcome="unparsable", error=detail)
        reading = Reading(outcome=OK)
        if isinstance(profile, dict):
            reading.display_name = (profile.get("name") or "").strip() or None
            reading.verified_subject = clean_subject(profile.get("authInfo"))
            if isinstance(profile.get("canFollow"), bool):
                reading.followable = profile["canFollow"]
            feed = data.get("feed") if isinstance(data.get("feed"), list) else []
            items = [i for i in feed if isinstance(i, dict) and i.get("itemId")]
            reading.posts = [self._item(i, fetched_at) for i in items]
            flags = [i["commentEnabled"] for i in items if isinstance(i.get("commentEnabled"), bool)]
            if flags:
                reading.interaction["comments"] = any(flags)
        elif article is not None:
            media = article["mediaInfo"]
            reading.display_name = (media.get("name") or "").strip() or None
            auth = media.get("userAuthInfo")
            reading.verified_subject = clean_subject(auth.get("auth_info") if isinstance(auth, dict) else None)
            reading.posts = [self._item(article, fetched_at)]
            if isinstance(article.get("banComment"), bool):
                reading.interaction["comments"] = not article["banComment"]
        seen = {p.key for p in reading.posts}
        reading.posts += [p for p in listed if p.key not in seen]
        return reading

    @staticmethod
    def _item(item: dict, fetched_at: datetime) -> Post:
        value = item.get("publishTime")
        if value in (None, ""):
            value = (item.get("seoTDK") or {}).get("publishTimestamp") if isinstance(item.get("seoTDK"), dict) else None
        original = item.get("isOriginal")
        return make_post(_key(item["itemId"]), value, fetched_at, source="script",
                         title=(item.get("title") or "").strip() or None,
                         original=original if isinstance(original, bool) else None,
                         pinned=bool(item.get("isTop")) if "isTop" in item else None)

    @staticmethod
    def _listed(sel, page_url: str, fetched_at: datetime) -> list[Post]:
        """Posts of the visible list, timed by their aria-label's relative words."""
        posts = []
        for a in sel.xpath("//a[@href][@aria-label]"):
            m = LISTED.match(" ".join(a.attrib["aria-label"].split()))
            href = a.attrib["href"]
            if not m or "/article/" not in href and "/video/" not in href and "/w/" not in href:
                continue
            article = ARTICLE_ID.search(href)
            key = _key(article.group(1)) if article else urljoin(page_url, href).split("?")[0].split("#")[0]
            posts.append(make_post(key, m.group("time"), fetched_at,
                                   title=m.group("title").strip()))
        return posts


ADAPTER = ToutiaoAdapter()
