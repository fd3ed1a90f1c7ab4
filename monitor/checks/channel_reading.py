"""How the channels run's readings of a site's channels and their letters are read by the rules judging them:
the channels of a kind, the skipped finding for a site that registered none, how a channel reading is classed,
and a letter's answer state, unknown receipt time and evidence.

Shared by 互动回应差, 信件办理超期, 留言办理公开 (letters) and 办事指南要素缺失, 服务不实用 (guides), so that no rule
module imports another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from monitor.checks.facts import ChannelFacts, SiteFacts
from monitor.checks.model import NO_DATA, SKIPPED, Finding
from monitor.checks.outcomes import link_state, unreadable_reason
from monitor.items import LetterItem

KIND_NAMES = {"consult": "咨询建言", "petition": "网上信访", "guides": "办事指南"}
WORKING, BROKEN, UNSURE, NOT_READ = "working", "broken", "unsure", "not_read"


def channels_of(facts: SiteFacts, *kinds: str) -> list[ChannelFacts]:
    return [c for c in facts.channels if c.kind in kinds and c.channel.active]


def not_registered(code: str, *kinds: str) -> Finding:
    """The one finding of a site whose registry lists no channel of these kinds: not monitored, never pass or fail."""
    label = "或".join(KIND_NAMES.get(k, k) for k in kinds)
    return Finding(code, "", SKIPPED, f"未登记{label}渠道,未开展监测", "", "", {"kinds": list(kinds)})


@dataclass(frozen=True)
class Reading:
    state: str  # working / broken / unsure / not_read
    why: str  # the reason a person reads ("" for a working channel)
    observed: str  # what was seen: "closed", "http 404", "未读取"
    login: bool = False  # a login wall: lasting, unlike a timeout or a challenge


def channel_reading(ch: ChannelFacts, label: str = "渠道") -> Reading:
    """How the channels run saw a channel. Precision first: what might be our side's problem (login, challenge,
    WAF, timeout, 403/429) or a passing server fault (5xx) is unsure, never broken."""
    check = ch.check
    if check is None:
        return Reading(NOT_READ, NO_DATA, "监测窗口内未读取")
    seen = " ".join(str(x) for x in (check.outcome, check.status, check.state) if x not in (None, "")) or "?"
    transport = link_state(check.outcome, check.status)
    if check.state == "login" or check.outcome == "login":
        return Reading(UNSURE, f"{label}需要登录,待复核", seen, login=True)
    if transport == "unsure":
        return Reading(UNSURE, unreadable_reason(check.outcome, f"{label}页面") or f"{label}页面无法读取,待复核", seen)
    if check.status is not None and check.status >= 500:
        return Reading(UNSURE, f"{label}页面服务器错误({check.status}),待复核", seen)
    if check.state == "closed":
        return Reading(BROKEN, f"{label}已关闭或暂停受理", seen)
    if check.state == "error" or transport == "broken":
        return Reading(BROKEN, f"{label}无法正常访问", seen)
    if check.state in ("ok", "form", "empty"):
        return Reading(WORKING, "", seen)
    return Reading(UNSURE, f"{label}页面无法识别,待复核", seen)  # unreadable, or a state never recorded


def channel_row(ch: ChannelFacts, reading: Reading) -> dict[str, str]:
    return {"url": ch.channel.url, "name": ch.channel.name, "kind": ch.kind, "state": reading.state,
            "seen": reading.observed, "login": reading.login}


def answered_by(letter: LetterItem, day: date) -> tuple[bool | None, datetime | None]:
    """(answered at the end of `day`?, answer time). An answer dated after `day` is no answer at `day`; a letter
    shown answered without a time was answered by the time it was read."""
    when = letter.answered_at
    if when is not None:
        return (True, when) if when.date() <= day else (False, None)
    if letter.answered is None:
        return None, None
    return letter.answered, None


def received_unknown(letter: LetterItem) -> tuple[str, str]:
    """(reason, observed) for a letter whose 来信时间 is not known."""
    if letter.received_text:
        return "来信时间无法识别,待复核", f"来信时间“{letter.received_text}”"
    return "留言未注明来信时间,无法判定", "未注明来信时间"


def letter_evidence(ch: ChannelFacts, letter: LetterItem) -> dict[str, object]:
    return {"url": letter.url, "channel": ch.channel.url, "channel_name": ch.channel.name, "title": letter.title,
            "received": letter.received_at.isoformat(sep=" ") if letter.received_at else letter.received_text,
            "answered": letter.answered_at.isoformat(sep=" ") if letter.answered_at else letter.answered_text,
            "status": letter.status, "fetched_at": letter.fetched_at.isoformat(sep=" ")}
