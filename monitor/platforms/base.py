"""The contract between the accounts spider and the per-platform adapters (one module per platform).

An adapter knows one platform: which requests read an account (`start`), what a response says (`parse`), and which
further requests it needs (a timeline after a profile, the newest article for its time). It never fetches anything
itself and never sees settings or the database, so it is tested on stored pages; the spider
(monitor/spiders/accounts.py) does the fetching, politely, rendering through Chromium only the requests marked
`render`, and combines the readings of one account with `combine`.

Outcomes of a reading: `ok`, or why the account could not be read — those make its verdict 待定, never "not updated":
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from monitor.platforms import Platform, platform_for

OK = "ok"
# Why an account could not be read (stored in account_checks.outcome; the reason words go into 待定 findings).
UNREADABLE: dict[str, str] = {
    "login": "需要登录或在客户端内打开,无法读取",
    "captcha": "平台要求验证码,无法读取",
    "blocked": "平台拒绝访问(反爬虫拦截)",
    "deleted": "账号已注销、迁移或被封禁",
    "expired": "页面已过期或内容已删除",
    "not_found": "账号页面不存在",
    "unparsable": "页面结构无法识别",
    "unsupported": "平台暂不支持自动检查",
}


@dataclass(frozen=True)
class Fetch:
    """A request an adapter needs."""

    url: str
    page: str  # the adapter's name for the kind of page: profile / timeline / article …
    render: bool = False  # through Chromium (scrapy-playwright): only where the platform builds the page by script
    wait_for: str | None = None  # CSS selector the rendered page must show before it is read
    headers: tuple[tuple[str, str], ...] = ()


@dataclass
class Post:
    key: str  # URL or platform id
    published_at: datetime | None  # China time, naive; None when no time could be read
    time_text: str | None = None  # the text or value the time came from
    time_source: str | None = None  # absolute / relative / script / api
    title: str | None = None
    original: bool | None = None
    pinned: bool | None = None


@dataclass
class Reading:
    """What one response told about an account. None / empty means "not seen here", never "absent"."""

    outcome: str = OK
    error: str | None = None
    display_name: str | None = None
    verified_subject: str | None = None
    followable: bool | None = None
    interaction: dict[str, bool] = field(default_factory=dict)
    posts: list[Post] = field(default_factory=list)
    follow: list[Fetch] = field(default_factory=list)  # further requests this response calls for


class Adapter(Protocol):
    platform: Platform

    def start(self, account: str) -> list[Fetch]:
        """The first requests for an account (its id or URL as the registry gives it)."""
        ...

    def parse(self, fetch: Fetch, status: int, body: str, url: str, fetched_at: datetime) -> Reading:
        """Read one response (`body` decoded text; `url` the final URL after redirects; `fetched_at` the fetch time,
        China time, which relative times resolve against)."""
        ...


ADAPTER_MODULES = {"wechat": "monitor.platforms.wechat", "weibo": "monitor.platforms.weibo",
                   "douyin": "monitor.platforms.douyin", "toutiao": "monitor.platforms.toutiao"}


def adapter_for(platform: str) -> Adapter | None:
    """The adapter of a platform label or alias (each module exposes ADAPTER), None when the platform has none."""
    found = platform_for(platform)
    if found is None or found.code not in ADAPTER_MODULES:
        return None
    return importlib.import_module(ADAPTER_MODULES[found.code]).ADAPTER


def combine(readings: list[Reading]) -> Reading:
    """One account's readings as one: the first non-ok outcome wins (an account that showed a login wall on any
    page is not judged from the rest); facts are taken from the first reading that saw them; posts are merged by
    key, a post with a time winning over the same post without one."""
    out = Reading()
    for r in readings:
        if r.outcome != OK and out.outcome == OK:
            out.outcome, out.error = r.outcome, r.error
        out.display_name = out.display_name or r.display_name
        out.verified_subject = out.verified_subject or r.verified_subject
        if out.followable is None:
            out.followable = r.followable
        for k, v in r.interaction.items():
            out.interaction[k] = out.interaction.get(k, False) or v
    posts: dict[str, Post] = {}
    for r in readings:
        for p in r.posts:
            if p.key not in posts or (posts[p.key].published_at is None and p.published_at is not None):
                posts[p.key] = p
    out.posts = list(posts.values())
    return out
