"""互动回应差 — What: no working online consultation channel, or a letter left unanswered for more than 3 months.

Why: "1.未提供网上有效咨询建言渠道(网上信访、纪检举报等专门渠道除外)。2.监测时间点前1年内,对网民留言应及时答复
处理的政务咨询类栏目(在线访谈、调查征集、网上信访、纪检举报类栏目除外)存在超过3个月未回应有效留言的现象。上述情况
出现任意一种,即单项否决。" (19号 veto table, indicators.md §2, V). Only the registry's consult channels (咨询建言:
领导信箱, 咨询投诉, 12345 留言 …) are read here; petition channels (网上信访, 纪检举报) are outside this veto.

Clause 1, per channel from the channels run's reading: a page that shows letters, a writable form or an empty
list works; a closed channel (栏目已关闭, 暂停受理), an error page, a 404/410 or a host that does not resolve does
not. A login wall, an anti-bot or WAF page, a timeout, a 403/429 or a 5xx is 待定 (our side may be refused, a
server error may pass), never a failure. The site fails only when every consult channel was read and none works;
none working and one unread → inconclusive. A channel not read in the window is inconclusive (无监测数据).

Clause 2, per letter of a consult channel, at day granularity in calendar months (monitor.workdays.add_months):
- unanswered at the monitoring point and received before add_months(as_of, -3) → fail; received exactly 3 months
  before (the same day) is not "more than" 3 months. The page is the evidence at the time it was read: a letter
  still unanswered when read but not yet 3 months old then, and 3 months old by the monitoring point, is 待定 (it
  may have been answered in between);
- answered more than 3 months after receipt (answer day after add_months(received, 3)) → fail as well: it stayed
  unanswered for more than 3 months, the phenomenon the clause names, provided the answer came inside the
  look-back year (answer day on or after add_months(as_of, -12));
- an answer dated after the monitoring point counts as no answer at the monitoring point;
- a letter without a readable 来信时间 cannot be judged (待定), nor one whose answer state is unknown and that
  would be overdue if unanswered, nor an answered one without 答复时间 read more than 3 months after its receipt;
- letters marked invalid (不予受理, 无效留言, 重复件, 已撤回) are not 有效留言 and are left out. Letters received
  before the look-back year count only when still unanswered or when their answer time is shown.

The site fails when clause 1 fails or any letter fails (a reviewer's false positive does not count); otherwise an
unread channel (none working; or not read, timed out, challenged while another works) or a letter that could not
be judged makes it 待定. A login wall beside a working channel does not: its letters are not public, and a wall
does not go away on a re-check. Findings: one per channel that does not work or could not be read (subject:
channel URL), one per failing or unjudged letter (subject: letter URL), one whole-site.
Example: 领导信箱 letter received 2020-11-20, still 办理中 on 2021-03-03 → fail (more than 3 months unanswered).

This module also holds what the letters and guides rules share: channels of a kind, the skipped finding for a site
that registered none, and how a channel reading is classed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from monitor.checks.facts import ChannelFacts, SiteFacts
from monitor.checks.model import FAIL, INCONCLUSIVE, NO_DATA, PASS, SKIPPED, Finding
from monitor.checks.outcomes import link_state, unreadable_reason
from monitor.checks.rule import WINDOW, Rule
from monitor.checks.rulebook import Indicator
from monitor.items import LetterItem
from monitor.workdays import add_months

CODE = "interaction_response"
KIND_NAMES = {"consult": "咨询建言", "petition": "网上信访", "guides": "办事指南"}
WORKING, BROKEN, UNSURE, NOT_READ = "working", "broken", "unsure", "not_read"
# Statuses saying a letter is not a valid one (有效留言): not accepted, a duplicate, withdrawn.
INVALID = re.compile(r"不予受理|无效(?:留言|信件|件)|重复(?:留言|信件|件|来信)|已撤回|撤销")
NO_CHANNEL = "未提供网上有效咨询建言渠道"
OVERDUE = "超过3个月未回应有效留言"


# ------------------------------------------------------------------ shared by the letters and guides rules


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


# ------------------------------------------------------------------ the rule


def _judge_letter(ch: ChannelFacts, letter: LetterItem, as_of: date, months: int,
                  year_start: date) -> Finding | None:
    """A failing or unjudged letter's finding; None for a letter in time or outside the look-back."""
    evidence = letter_evidence(ch, letter)
    threshold = f"监测点前1年内无超过{months}个月未回应的有效留言"
    if letter.received_at is None:
        reason, observed = received_unknown(letter)
        return Finding(CODE, letter.url, INCONCLUSIVE, reason, observed, threshold, evidence)
    received = letter.received_at.date()
    if received > as_of:
        return None  # written after the monitoring point
    due = add_months(received, months)  # the last day that is still "within 3 months"
    evidence["due"] = str(due)
    seen = min(as_of, letter.fetched_at.date())
    answered, when = answered_by(letter, as_of)
    if when is not None:
        if when.date() > due and when.date() >= year_start:
            observed = f"来信{received},答复{when.date()},超过{months}个月"
            return Finding(CODE, letter.url, FAIL, f"留言超过{months}个月未回应", observed, threshold, evidence)
        return None
    if answered is True:  # answered by the time it was read, at an unknown time
        if letter.fetched_at.date() <= due or received < year_start:
            return None
        return Finding(CODE, letter.url, INCONCLUSIVE, "留言未注明答复时间,无法判定",
                       f"来信{received},已答复但未注明答复时间", threshold, evidence)
    if not received < add_months(as_of, -months):
        return None  # not yet more than 3 months old at the monitoring point
    if answered is None:
        return Finding(CODE, letter.url, INCONCLUSIVE, "无法判断留言是否已答复,待复核",
                       f"来信{received},答复状态未知", threshold, evidence)
    if received < add_months(seen, -months):
        observed = f"来信{received},截至{seen}未答复,超过{months}个月"
        return Finding(CODE, letter.url, FAIL, f"留言超过{months}个月未回应", observed, threshold, evidence)
    return Finding(CODE, letter.url, INCONCLUSIVE, "读取时未满3个月,监测时间点答复情况未知,待复核",
                   f"来信{received},{seen}读取时未答复", threshold, evidence)


def check(facts: SiteFacts, ind: Indicator, as_of: date) -> list[Finding]:
    channels = channels_of(facts, "consult")
    if not channels:
        return [not_registered(CODE, "consult")]
    months, lookback = ind.param("unanswered_months"), ind.param("lookback_months")
    year_start = add_months(as_of, -lookback)
    findings: list[Finding] = []
    rows, letter_items = [], []
    for ch in channels:
        reading = channel_reading(ch, "咨询建言渠道")
        rows.append(channel_row(ch, reading))
        if reading.state == BROKEN:
            findings.append(Finding(CODE, ch.channel.url, FAIL, reading.why, reading.observed, "渠道可正常使用",
                                    {"url": ch.channel.url, "name": ch.channel.name, "error": ch.check.error}))
        elif reading.state in (UNSURE, NOT_READ):
            evidence = {"url": ch.channel.url, "name": ch.channel.name}
            if ch.check is not None and ch.check.error:
                evidence["error"] = ch.check.error
            findings.append(Finding(CODE, ch.channel.url, INCONCLUSIVE, reading.why, reading.observed,
                                    "渠道可正常使用", evidence))
        for letter in ch.letters:
            if letter.status and INVALID.search(letter.status):
                continue
            item = _judge_letter(ch, letter, as_of, months, year_start)
            if item is not None:
                letter_items.append(item)
    findings += letter_items
    states = [r["state"] for r in rows]
    overdue = [f for f in letter_items if f.outcome == FAIL and facts.counts(CODE, f.subject)]
    unsure_letters = sum(f.outcome == INCONCLUSIVE for f in letter_items)
    judged = sum(len(ch.letters) for ch in channels)
    evidence = {"channels": rows, "letters": judged, "overdue": len(overdue), "unsure_letters": unsure_letters,
                "as_of": str(as_of), "lookback_start": str(year_start)}
    threshold = f"提供有效咨询建言渠道;监测点前{lookback}个月内无超过{months}个月未回应的有效留言"
    observed = (f"咨询建言渠道{len(rows)}个,可用{states.count(WORKING)}个;留言{judged}条,"
                f"超过{months}个月未回应{len(overdue)}条,无法判定{unsure_letters}条")
    no_channel = WORKING not in states and all(s == BROKEN for s in states)
    if no_channel or overdue:
        evidence["clauses"] = [n for n, hit in (("1", no_channel), ("2", bool(overdue))) if hit]
        reason = "；".join(r for r, hit in ((NO_CHANNEL, no_channel), (OVERDUE, bool(overdue))) if hit)
        return findings + [Finding(CODE, "", FAIL, reason, observed, threshold, evidence)]
    if all(s == NOT_READ for s in states):
        return findings + [Finding(CODE, "", INCONCLUSIVE, NO_DATA, observed, threshold, evidence)]
    if WORKING not in states:
        return findings + [Finding(CODE, "", INCONCLUSIVE, "咨询建言渠道无法读取,待复核", observed, threshold,
                                   evidence)]
    if any(r["state"] == NOT_READ or r["state"] == UNSURE and not r["login"] for r in rows):
        return findings + [Finding(CODE, "", INCONCLUSIVE, "部分咨询建言渠道无法读取,待复核", observed, threshold,
                                   evidence)]
    if unsure_letters:
        return findings + [Finding(CODE, "", INCONCLUSIVE, "部分留言无法判定,待复核", observed, threshold, evidence)]
    return findings + [Finding(CODE, "", PASS, "", observed, threshold, evidence)]


RULE = Rule(CODE, check, scope=WINDOW, needs=("site", "channels"), params=("lookback_months", "unanswered_months"))
