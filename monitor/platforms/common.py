"""Helpers shared by the platform adapters: walls, label–value lines, verified subjects, script values, posts.

Walls (login, captcha, deleted …) are looked for in a page's visible text only, and only when the page lacks the
data the adapter came for: scripts carry wall words of their own, and an article may quote them.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from datetime import datetime

from parsel import Selector

from monitor.extract.dates import visible_text
from monitor.extract.post_times import parse_post_time
from monitor.platforms.base import Post, Reading

# Decorations around the unit named in a verification line: 认证：石屏县公安局官方账号 → 石屏县公安局.
SUBJECT_PREFIX = re.compile(r"^(?:(?:微博|抖音|头条|官方)?认证(?:信息|主体)?|(?:账号|帐号)主体)\s*[:：]\s*")
SUBJECT_SUFFIX = re.compile(
    r"(?:官方(?:新浪)?(?:微博|抖音号?|头条号|账号|帐号|公众号|微信公众号|微信号|微信)|官方|政务(?:微博|抖音号?|头条号))$")
LABEL_END = re.compile(r"[\n\r]|\s{2,}|[|｜]")


def page_text(body: str) -> tuple[Selector, str]:
    """The parsed page and its visible text (scripts, styles and <title> left out)."""
    sel = Selector(text=body or "<html></html>")
    return sel, visible_text(sel)


def find_wall(text: str, walls: Iterable[tuple[str, tuple[str, ...]]]) -> tuple[str, str] | None:
    """(outcome, the words that showed it) for the first wall whose words appear in text."""
    for outcome, words in walls:
        for word in words:
            if word in text:
                return outcome, word
    return None


def wall_reading(outcome: str, detail: str) -> Reading:
    return Reading(outcome=outcome, error=detail)


def label_value(text: str, labels: Iterable[str]) -> str | None:
    """The value after the first of labels in text (`账号主体：X` → X), up to the line's end; None when absent."""
    for label in labels:
        m = re.search(rf"{re.escape(label)}\s*[:：]\s*([^\n\r]+)", text)
        if m:
            value = LABEL_END.split(m.group(1).strip())[0].strip()
            if value:
                return value
    return None


def clean_subject(text: str | None) -> str | None:
    """The unit a verification text names, without decorations (认证：, 官方微博, 官方账号 …); None when empty."""
    if not text:
        return None
    value = " ".join(html.unescape(text).split()).strip(" 。.;；")
    value = SUBJECT_PREFIX.sub("", value)
    value = SUBJECT_SUFFIX.sub("", value).strip(" 。.;；")
    return value or None


def strip_tags(fragment: str | None, limit: int = 80) -> str | None:
    """The plain text of an HTML fragment (a post's text as a title), shortened to limit characters."""
    if not fragment:
        return None
    text = " ".join(Selector(text=f"<div>{fragment}</div>").xpath("//text()").getall())
    text = " ".join(html.unescape(text).split())
    return (text[:limit] + "…" if len(text) > limit else text) or None


def unescape_all(value: str) -> str:
    """HTML entities decoded until none is left (WeChat escapes its URLs twice: &amp;amp;)."""
    for _ in range(3):
        decoded = html.unescape(value)
        if decoded == value:
            break
        value = decoded
    return value


_JS_LITERAL = re.compile(r"""\s*(?:htmlDecode\(\s*)?(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\s*\)?""", re.S)
_JS_OR = re.compile(r"\s*\|\|")


def js_string(body: str, name: str) -> str | None:
    """The string a script assigns to `var name`: `var ct = "1581517074";`, `var nickname = htmlDecode("…");`,
    `var biz = "" || "MzA…";` (the first non-empty of such alternatives), `var msgList = '…';`. Entities and
    escapes are left as written; None when the page assigns no string to name."""
    found: str | None = None
    for m in re.finditer(rf"\bvar\s+{re.escape(name)}\s*=", body):
        pos, values = m.end(), []
        while (lit := _JS_LITERAL.match(body, pos)) is not None:
            values.append(lit.group(1) if lit.group(1) is not None else lit.group(2))
            pos = lit.end()
            more = _JS_OR.match(body, pos)
            if more is None:
                break
            pos = more.end()
        value = next((v for v in values if v.strip()), "" if values else None)
        if value:
            return value
        found = found if found is not None else value
    return found


def load_json(text: str | None) -> object | None:
    """Parsed JSON, or None when text is not JSON."""
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def make_post(key: str, value: object, fetched_at: datetime, *, source: str | None = None, title: str | None = None,
              original: bool | None = None, pinned: bool | None = None) -> Post:
    """A post whose time is read from value (text or Unix number) against the fetch time."""
    published, time_source = parse_post_time(value, fetched_at, source=source)
    text = None if value is None or value == "" else str(value)
    return Post(key=key, published_at=published, time_text=text, time_source=time_source, title=title,
                original=original, pinned=pinned)
