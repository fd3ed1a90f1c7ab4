"""留言办理公开 — What: no answered letter published in the 2 months before the monitoring point, or published
letters that do not show when they were written or answered.

Why: "在监测时间点前2个月内未更新留言答复,扣3分" (a 2019 self-check applying the deduction table, indicators.md §3
留言办理, C); 北京 2019 Q4 criticises "留言信件未公开留言时间和答复时间、超过2个月未公开网民留言及答复情况".
Points are null nationally (reported, not deducted) until a local rulebook sets them.

Per site, over its consult channels (咨询建言; petition channels publish nothing by design):
- a letter with an answer dated inside the `window_months` (2) calendar months before the monitoring point, both
  ends included, or answered without an answer time but received inside the window (so answered inside it too)
  → the site publishes its letters' handling; none → fail "监测时间点前2个月内未公开留言办理情况". Channels that
  publish no letters (a form, a closed or failing channel, a login wall) count as publishing none; an answered
  letter without an answer time that may fall in the window, or a channel not read, timed out or challenged, makes
  the site 待定 instead;
- a published letter without 来信时间, or an answered one without 答复时间 → fail item "留言未标注来信时间或答复时间"
  (subject: letter URL). A time shown but not readable (a year-less 03-02) is the reader's limit, not the site's:
  待定.

One whole-site finding: fail when either holds (its reason says which), else pass or 待定.
Example: newest answer 2020-12-20, monitoring point 2021-03-03 (window from 2021-01-03) → fail.
"""

from __future__ import annotations

from datetime import date

from monitor.checks.channel_reading import (
    NOT_READ,
    UNSURE,
    answered_by,
    channel_reading,
    channel_row,
    channels_of,
    letter_evidence,
    not_registered,
)
from monitor.checks.facts import ChannelFacts, SiteFacts
from monitor.checks.model import FAIL, INCONCLUSIVE, NO_DATA, PASS, Finding
from monitor.checks.rule import WINDOW, Rule
from monitor.checks.rulebook import Indicator
from monitor.items import LetterItem
from monitor.workdays import add_months

CODE = "letters_published"
NO_TIMES = "留言未标注来信时间或答复时间"


def _times_item(ch: ChannelFacts, letter: LetterItem) -> Finding | None:
    """The finding of a letter that does not show its times; None when it shows what it should."""
    answered = letter.answered is True or letter.answered_at is not None
    lacking, unread = [], []
    for name, value, text, needed in (("来信时间", letter.received_at, letter.received_text, True),
                                      ("答复时间", letter.answered_at, letter.answered_text, answered)):
        if needed and value is None:
            (unread if text else lacking).append(name)
    if not lacking and not unread:
        return None
    evidence = letter_evidence(ch, letter) | {"missing": lacking, "unreadable": unread}
    threshold = "公开留言注明来信时间和答复时间"
    if lacking:
        return Finding(CODE, letter.url, FAIL, NO_TIMES, f"未标注{'、'.join(lacking)}", threshold, evidence)
    return Finding(CODE, letter.url, INCONCLUSIVE, f"{'、'.join(unread)}无法识别,待复核",
                   "；".join(filter(None, (letter.received_text, letter.answered_text))), threshold, evidence)


def check(facts: SiteFacts, ind: Indicator, as_of: date) -> list[Finding]:
    channels = channels_of(facts, "consult")
    if not channels:
        return [not_registered(CODE, "consult")]
    months = ind.param("window_months")
    start = add_months(as_of, -months)
    findings: list[Finding] = []
    rows = []
    newest: date | None = None  # the newest answer day up to the monitoring point
    in_window = 0
    maybe = 0  # answered letters whose answer day is unknown and may fall in the window
    for ch in channels:
        reading = channel_reading(ch, "咨询建言渠道")
        rows.append(channel_row(ch, reading))
        for letter in ch.letters:
            item = _times_item(ch, letter)
            if item is not None:
                findings.append(item)
            answered, when = answered_by(letter, as_of)
            received = letter.received_at.date() if letter.received_at else None
            if when is not None:
                newest = max(newest or when.date(), when.date())
                in_window += when.date() >= start
            elif answered is True and received is not None and start <= received <= as_of:
                in_window += 1  # answered after it was received, so inside the window
            elif answered is True and (received is None or received <= as_of) \
                    and letter.fetched_at.date() >= start:
                maybe += 1  # answered by the time read, at an unknown day that may be inside the window
    states = [r["state"] for r in rows]
    missing = [f for f in findings if f.outcome == FAIL and facts.counts(CODE, f.subject)]
    threshold = f"监测点前{months}个月内({start}至{as_of})公开留言办理情况,留言注明来信时间和答复时间"
    observed = (f"窗口内公开答复的留言{in_window}条,最新答复日期{newest or '无'};"
                f"未标注来信时间或答复时间的留言{len(missing)}条")
    evidence = {"channels": rows, "answered_in_window": in_window, "newest_answer": str(newest) if newest else None,
                "without_times": len(missing), "window": [str(start), str(as_of)]}
    unread = any(r["state"] == NOT_READ or r["state"] == UNSURE and not r["login"] for r in rows)
    none_published = not in_window and not maybe and not unread
    if none_published or missing:
        reasons = [f"监测时间点前{months}个月内未公开留言办理情况"] if none_published else []
        reasons += [NO_TIMES] if missing else []
        return findings + [Finding(CODE, "", FAIL, "；".join(reasons), observed, threshold, evidence)]
    if in_window:
        return findings + [Finding(CODE, "", PASS, "", observed, threshold, evidence)]
    if all(s == NOT_READ for s in states):
        return findings + [Finding(CODE, "", INCONCLUSIVE, NO_DATA, observed, threshold, evidence)]
    why = "部分咨询建言渠道无法读取,待复核" if unread else "留言未标注答复时间,无法判定是否在窗口内公开"
    return findings + [Finding(CODE, "", INCONCLUSIVE, why, observed, threshold, evidence)]


RULE = Rule(CODE, check, scope=WINDOW, needs=("site", "channels"), params=("window_months",))
