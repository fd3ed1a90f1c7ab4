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

How a channel reading is classed, and the helpers the letters and guides rules share, are in
monitor/checks/channel_reading.py.
"""

from __future__ import annotations

import re
from datetime import date

from monitor.checks.channel_reading import (
    BROKEN,
    NOT_READ,
    UNSURE,
    WORKING,
    answered_by,
    channel_reading,
    channel_row,
    channels_of,
    letter_evidence,
    not_registered,
    received_unknown,
)
from monitor.checks.facts import ChannelFacts, SiteFacts
from monitor.checks.model import FAIL, INCONCLUSIVE, NO_DATA, PASS, Finding
from monitor.checks.rule import WINDOW, Rule
from monitor.checks.rulebook import Indicator
from monitor.items import LetterItem
from monitor.workdays import add_months

CODE = "interaction_response"
# Statuses saying a letter is not a valid one (有效留言): not accepted, a duplicate, withdrawn.
INVALID = re.compile(r"不予受理|无效(?:留言|信件|件)|重复(?:留言|信件|件|来信)|已撤回|撤销")
NO_CHANNEL = "未提供网上有效咨询建言渠道"
OVERDUE = "超过3个月未回应有效留言"


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
