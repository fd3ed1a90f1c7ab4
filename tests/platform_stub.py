"""A test adapter for the accounts spider, reading the pages tests/test_accounts_spider.py serves.

It follows the adapter contract of monitor/platforms/base.py on a made-up platform host (`stub.test`, sent to the
test server through the host map): a profile page names the account and lists posts with their Unix time; for the
newest post it asks for the article page (a `follow` fetch), whose `var ct` holds the only time it trusts. Accounts
whose id starts with "r" are rendered in Chromium (the profile is built by script); ids starting with "slow" or
"refused" reach a server that does not answer in time or a closed port; "bad…" ids are refused by `start`.
The tests register it for the wechat and douyin platforms by monkeypatching ADAPTER_MODULES.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from monitor.platforms import BY_CODE
from monitor.platforms.base import Fetch, Post, Reading

HOST = "stub.test"
REFUSED_HOST = "refused.test"
WAIT_FOR = "#posts, .login-wall"
CHINA = timezone(timedelta(hours=8))


def china(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, CHINA).replace(tzinfo=None)


class StubAdapter:
    platform = BY_CODE["wechat"]

    def start(self, account: str) -> list[Fetch]:
        if account.startswith("bad"):
            raise ValueError(f"无法识别的账号标识: {account}")
        if account.startswith("refused"):
            return [Fetch(f"http://{REFUSED_HOST}/profile/{account}", "profile")]
        if account.startswith("r"):
            return [Fetch(f"http://{HOST}/shell/{account}", "profile", render=True, wait_for=WAIT_FOR)]
        return [Fetch(f"http://{HOST}/profile/{account}", "profile")]

    def parse(self, fetch: Fetch, status: int, body: str, url: str, fetched_at: datetime) -> Reading:
        if 'class="login-wall"' in body:
            return Reading(outcome="login", error="需要登录")
        if fetch.page == "article":
            ct = re.search(r'var ct = "(\d+)"', body)
            key = url.rstrip("/").rsplit("/", 1)[-1]  # the profile's key for the post: combine merges the two
            if not ct:
                return Reading(outcome="unparsable", error="no ct")
            return Reading(posts=[Post(key, china(int(ct.group(1))), ct.group(1), "script")],
                           interaction={"comments": 'comment_enabled = "1"' in body})
        name = re.search(r"<h1>([^<]+)</h1>", body)
        if not name:
            return Reading(outcome="unparsable", error="no name")
        subject = re.search(r'<p class="verify">认证：([^<]+)</p>', body)
        # A post without data-ts has its time only on its article page (like a WeChat profile's newest post).
        posts = [Post(m.group(1), china(int(m.group(2))) if m.group(2) else None, m.group(2) or None,
                      "api" if m.group(2) else None, title=m.group(3))
                 for m in re.finditer(r'<li data-key="([^"]+)" data-ts="(\d*)">([^<]*)</li>', body)]
        follow = [Fetch(f"http://{HOST}/article/{posts[0].key}", "article")] if posts and not fetch.render else []
        return Reading(display_name=name.group(1), verified_subject=subject.group(1) if subject else None,
                       followable="follow-button" in body, posts=posts, follow=follow)


ADAPTER = StubAdapter()
