"""抖音: the account page as Chromium rendered it (the page builds its DOM by script; the spider renders it).

Read from the DOM: the name and 认证 line of `[data-e2e=user-info]`, its follow button, and the post list
`[data-e2e=user-post-list]` with each post's visible time (3天前, 昨天 10:00, 03-02 …, resolved against the fetch
time), its 置顶 mark (pinned posts can be old; the rules take the newest unpinned one) and its comment count
(comments open). An empty list is "no posts" only when the page says 暂无作品.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urljoin

from monitor.platforms import BY_CODE
from monitor.platforms.base import OK, Fetch, Reading
from monitor.platforms.common import clean_subject, find_wall, make_post, page_text, wall_reading

PAGE = "https://www.douyin.com/user/{sec_uid}"
WAIT_FOR = '[data-e2e="user-post-list"], [data-e2e="user-info"], #captcha_container, .login-guide'
SEC_UID = re.compile(r"^[A-Za-z0-9_-]{20,}$")
USER_URL = re.compile(r"douyin\.com/user/([A-Za-z0-9_-]+)")
SHORT_URL = re.compile(r"^https?://v\.douyin\.com/[\w-]+/?$")
DELETED = ("账号已注销", "该账号已被封禁")
LOGIN = ("登录后即可查看",)
NO_POSTS = "暂无作品"


class DouyinAdapter:
    platform = BY_CODE["douyin"]

    def start(self, account: str) -> list[Fetch]:
        value = (account or "").strip()
        m = USER_URL.search(value)
        if m or SEC_UID.match(value):
            url = PAGE.format(sec_uid=m.group(1) if m else value)
        elif SHORT_URL.match(value):
            url = value  # a share link redirects to the account page
        else:
            raise ValueError(f"无法由“{account}”得到抖音主页地址：需要 sec_uid(MS4wLjABAAAA…)或 douyin.com/user/… 链接")
        return [Fetch(url, "profile", render=True, wait_for=WAIT_FOR)]

    def parse(self, fetch: Fetch, status: int, body: str, url: str, fetched_at: datetime) -> Reading:
        sel, text = page_text(body)
        info = sel.css('[data-e2e="user-info"]')
        post_list = sel.css('[data-e2e="user-post-list"]')
        items = post_list.css("li")
        # Wall words are looked for outside the post list: a post title may quote them.
        outside = text
        for title in post_list.xpath(".//text()").getall():
            if title.strip():
                outside = outside.replace(title.strip(), " ")
        deleted = find_wall(outside, (("deleted", DELETED),))
        if deleted:
            return wall_reading("deleted", f"页面提示“{deleted[1]}”")
        if not items:
            if sel.css("#captcha_container") or "验证码" in outside:
                return wall_reading("captcha", "页面要求验证码")
            if sel.css(".login-guide") or find_wall(outside, (("login", LOGIN),)):
                return wall_reading("login", "页面要求登录后查看")
            if not info and not post_list:
                return Reading(outcome="unparsable", error="页面没有账号信息和作品列表")
            if NO_POSTS not in outside:
                return Reading(outcome="unparsable", error="作品列表为空，且页面未提示“暂无作品”")
        reading = Reading(outcome=OK)
        if info:
            name = info.css("h1").xpath("normalize-space()").get()
            reading.display_name = name or None
            reading.verified_subject = clean_subject(info.css(".verify").xpath("normalize-space()").get())
            reading.followable = bool(info.css('[data-e2e="follow-button"]'))
        for li in items:
            href = li.css("a::attr(href)").get()
            if not href:
                continue
            time_text = li.css(".time").xpath("normalize-space()").get()
            pinned = bool(li.css(".pinned") or li.xpath(".//*[normalize-space()='置顶']"))
            key = urljoin(url or fetch.url, href).split("?")[0].split("#")[0]
            reading.posts.append(make_post(key, time_text, fetched_at,
                                           title=li.css(".title").xpath("normalize-space()").get() or None,
                                           pinned=pinned))
        if reading.posts:
            reading.interaction["comments"] = bool(post_list.css('[data-e2e="comment-count"]'))
        return reading


ADAPTER = DouyinAdapter()
