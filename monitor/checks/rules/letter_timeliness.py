"""信件办理超期 — What: letters answered after their working-day limit, or still unanswered past it.

Why: the national indicators give no reply limit in working days (indicators.md 咨询答复时限: "针对简单常见咨询问题,
仍有个别网站的答复时间超过5个工作日" is one province's, 湖南 2022 Q2, not confirmed nationally), but notices list
overdue letters per responsible unit: 红河州 2021 Q1 "存在超期办理网民信件的情况 … 附件4 信件办理超期名单",
"对简单咨询、留言,3个工作日内答复"; 蓬江区: 5个工作日内, 简单常见问题1个工作日内. So the national book leaves
`reply_workdays` null — one skipped finding "国家指标未规定答复时限,未设定本地时限", no letter judged — and a local
rulebook sets it (红河 3, 蓬江 5). `simple_reply_workdays`, when set, is the limit for letters whose category is
咨询 (the pages do not say which questions are "simple"; an office that does not want this reading leaves it null).

Letters of consult and petition channels alike (a petition's reply time matters too). The deadline is the end of
the N-th working day after the receipt day (monitor.workdays: the receipt day never counts; statutory holidays and
调休 working Saturdays/Sundays from chinesecalendar, or from the rulebook's `holiday_files`, each replacing the
library's table for the years it gives — rules never read settings, so MONITOR_HOLIDAYS is not read here). Judged
are the letters whose deadline falls in the `window_months` (3) calendar months before the monitoring point, both
ends included:
- answered at or before the deadline → pass (exactly its last second is in time); after it → fail;
- unanswered when read after the deadline, or answered only after the monitoring point → fail;
- unanswered when read before the deadline (the answer may have come in time), answered without an answer time
  and read after the deadline, answer state unknown, no readable 来信时间, or a deadline in a year whose holidays
  are unknown (the item names the year: give a holiday file) → 待定, counted neither way.

Each judged letter is one finding (subject: letter URL) whose evidence the report reads — 附件4 groups the failing
ones by evidence["unit"] (the channel's 责任单位, else the letter's 答复单位, else the site's 主办单位) and 按时办结率
is pass / (pass + fail). Channels not read or unreadable are inconclusive items (subject: channel URL); one
whole-site finding sums up (fail when any counted letter is overdue).
Example: 红河 (3 working days), letter received Thursday 2021-09-30 → deadline 2021-10-11 23:59:59 (10-08 Fri,
10-09 调休 Sat, 10-11 Mon): answered 2021-10-11 → pass, answered 2021-10-12 → fail.
"""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta
from functools import lru_cache

from monitor.checks.channel_reading import (
    NOT_READ,
    UNSURE,
    answered_by,
    channel_reading,
    channel_row,
    channels_of,
    letter_evidence,
    not_registered,
    received_unknown,
)
from monitor.checks.facts import ChannelFacts, SiteFacts
from monitor.checks.model import FAIL, INCONCLUSIVE, NO_DATA, PASS, SKIPPED, Finding
from monitor.checks.rule import WINDOW, Rule
from monitor.checks.rulebook import Indicator
from monitor.items import LetterItem
from monitor.workdays import HolidayFileError, WorkCalendar, add_months

CODE = "letter_timeliness"
KINDS = ("consult", "petition")
NO_LIMIT = "国家指标未规定答复时限,未设定本地时限"
SIMPLE_CATEGORY = "咨询"


def _mtime(path: str) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return -1  # WorkCalendar refuses it, naming the file


@lru_cache(maxsize=8)
def _calendar(files: tuple[tuple[str, int], ...]) -> WorkCalendar:
    return WorkCalendar([path for path, _ in files])


def work_calendar(holiday_files: list[str]) -> WorkCalendar:
    """The library's calendar with the rulebook's holiday files, read once per file version (evaluation judges
    every site with the same book)."""
    return _calendar(tuple((str(p), _mtime(str(p))) for p in holiday_files))


def unknown_year(cal: WorkCalendar, received: datetime) -> int:
    """The year a refused deadline ran into: the receipt's own, else the first after the known years."""
    if cal.is_workday(received.date()) is None:
        return received.year
    return cal.known_until().year + 1


def unit_of(ch: ChannelFacts, letter: LetterItem, facts: SiteFacts) -> str:
    return ch.channel.unit or letter.unit or facts.site.sponsor or facts.site.name


def _judge(ch: ChannelFacts, letter: LetterItem, facts: SiteFacts, cal: WorkCalendar, limits: tuple[int, int | None],
           as_of: date, window_start: date) -> Finding | None:
    """A letter's finding; None when its deadline is outside the window or it was written after the monitoring point."""
    simple = limits[1] is not None and letter.category == SIMPLE_CATEGORY
    workdays = limits[1] if simple else limits[0]
    evidence = letter_evidence(ch, letter) | {"unit": unit_of(ch, letter, facts), "workdays": workdays,
                                              "deadline": None, "category": letter.category, "channel_kind": ch.kind}
    threshold = f"{workdays}个工作日内答复" + ("(简单咨询)" if simple else "")
    if letter.received_at is None:
        reason, observed = received_unknown(letter)
        return Finding(CODE, letter.url, INCONCLUSIVE, reason, observed, threshold, evidence)
    received = letter.received_at
    if received.date() > as_of:
        return None
    deadline = cal.deadline(received, workdays)
    if deadline is None:
        # Could the deadline fall in the window? It lies after the receipt, within a few weeks of it.
        if received.date() < window_start - timedelta(days=2 * workdays + 30):
            return None
        year = unknown_year(cal, received)
        evidence["unknown_year"] = year
        return Finding(CODE, letter.url, INCONCLUSIVE, f"{year}年节假日安排未知,答复期限无法判定,待复核",
                       f"来信{received:%Y-%m-%d %H:%M}", threshold, evidence)
    if not window_start <= deadline.date() <= as_of:
        return None
    evidence["deadline"] = deadline.isoformat(sep=" ", timespec="seconds")
    answered, when = answered_by(letter, as_of)
    read = letter.fetched_at
    if when is not None:
        evidence["workdays_taken"] = cal.workdays_between(received, when)
        if when < received:
            return Finding(CODE, letter.url, INCONCLUSIVE, "答复时间早于来信时间,待复核",
                           f"来信{received:%Y-%m-%d %H:%M},答复{when:%Y-%m-%d %H:%M}", threshold, evidence)
        observed = f"来信{received:%Y-%m-%d},答复{when:%Y-%m-%d},期限{deadline:%Y-%m-%d}"
        if when <= deadline:
            return Finding(CODE, letter.url, PASS, "", observed, threshold, evidence)
        return Finding(CODE, letter.url, FAIL, "超过答复期限答复", observed, threshold, evidence)
    if answered is True:  # shown answered, without a time: in time when read before the deadline ran out
        if read <= deadline:
            return Finding(CODE, letter.url, PASS, "", f"来信{received:%Y-%m-%d},{read:%Y-%m-%d}读取时已答复",
                           threshold, evidence)
        return Finding(CODE, letter.url, INCONCLUSIVE, "留言未注明答复时间,无法判定",
                       f"来信{received:%Y-%m-%d},已答复但未注明答复时间", threshold, evidence)
    if answered is None:
        return Finding(CODE, letter.url, INCONCLUSIVE, "无法判断信件是否已答复,待复核",
                       f"来信{received:%Y-%m-%d},答复状态未知", threshold, evidence)
    if read > deadline or letter.answered_at is not None:  # unanswered past the deadline (or answered after as_of)
        observed = f"来信{received:%Y-%m-%d},期限{deadline:%Y-%m-%d},截至{min(read.date(), as_of)}未答复"
        return Finding(CODE, letter.url, FAIL, "超过答复期限未答复", observed, threshold, evidence)
    return Finding(CODE, letter.url, INCONCLUSIVE, "读取时未到答复期限,待复核",
                   f"来信{received:%Y-%m-%d},{read:%Y-%m-%d}读取时未答复,期限{deadline:%Y-%m-%d}", threshold,
                   evidence)


def check(facts: SiteFacts, ind: Indicator, as_of: date) -> list[Finding]:
    workdays, simple = ind.param("reply_workdays"), ind.param("simple_reply_workdays")
    if workdays is None:
        return [Finding(CODE, "", SKIPPED, NO_LIMIT, "", "", {})]
    channels = channels_of(facts, *KINDS)
    if not channels:
        return [not_registered(CODE, *KINDS)]
    months = ind.param("window_months")
    window_start = add_months(as_of, -months)
    threshold = f"{workdays}个工作日内答复" + (f",简单咨询{simple}个工作日内" if simple is not None else "")
    try:
        cal = work_calendar(list(ind.param("holiday_files") or []))
    except HolidayFileError as exc:
        return [Finding(CODE, "", INCONCLUSIVE, "节假日文件无法使用,待复核", str(exc)[:300], threshold,
                        {"error": str(exc)})]
    findings: list[Finding] = []
    rows = []
    for ch in channels:
        reading = channel_reading(ch, f"{'网上信访' if ch.kind == 'petition' else '咨询建言'}渠道")
        rows.append(channel_row(ch, reading))
        if reading.state in (UNSURE, NOT_READ):
            findings.append(Finding(CODE, ch.channel.url, INCONCLUSIVE, reading.why, reading.observed, threshold,
                                    {"url": ch.channel.url, "name": ch.channel.name}))
        for letter in ch.letters:
            item = _judge(ch, letter, facts, cal, (int(workdays), None if simple is None else int(simple)), as_of,
                          window_start)
            if item is not None:
                findings.append(item)
    letters = [f for f in findings if f.subject not in {r["url"] for r in rows}]
    late = [f for f in letters if f.outcome == FAIL and facts.counts(CODE, f.subject)]
    on_time = sum(f.outcome == PASS for f in letters)
    unsure = sum(f.outcome == INCONCLUSIVE for f in letters)
    observed = f"期限在窗口内的信件{on_time + len(late)}件,按时办结{on_time}件,超期{len(late)}件,无法判定{unsure}件"
    evidence = {"channels": rows, "on_time": on_time, "overdue": len(late), "unsure": unsure,
                "window": [str(window_start), str(as_of)], "workdays": workdays, "simple_workdays": simple,
                "unknown_years": sorted({f.evidence["unknown_year"] for f in letters if "unknown_year" in f.evidence}),
                "calendar_known_until": str(cal.known_until())}
    if late:
        units = sorted({str(f.evidence["unit"]) for f in late})
        evidence["units"] = units
        return findings + [Finding(CODE, "", FAIL, ind.reason, observed, threshold, evidence)]
    states = [r["state"] for r in rows]
    if all(s == NOT_READ for s in states):
        return findings + [Finding(CODE, "", INCONCLUSIVE, NO_DATA, observed, threshold, evidence)]
    if any(s in (UNSURE, NOT_READ) for s in states) or unsure:
        why = "部分渠道无法读取,待复核" if any(s in (UNSURE, NOT_READ) for s in states) else "部分信件无法判定,待复核"
        return findings + [Finding(CODE, "", INCONCLUSIVE, why, observed, threshold, evidence)]
    return findings + [Finding(CODE, "", PASS, "", observed, threshold, evidence)]


RULE = Rule(CODE, check, scope=WINDOW, needs=("site", "channels"),
            params=("reply_workdays", "simple_reply_workdays", "window_months", "holiday_files"))
