"""内容不更新 (政务新媒体) — What: nothing published on the account in the 2 weeks before the monitoring point.

Why: "监测时间点前2周内无更新" (广东/湖南 2022), "超过2周不更新" (北京 2019 Q4), "发布类账号2周内无更新" (国办公开办
2023); a new-media veto item (indicators.md §5, confidence C). The window is the 14 days before the monitoring
point, both ends included, as for 首页不更新: a post dated exactly 14 days before passes, 15 days fails.
The newest post whose time is at or before the end of the monitoring day decides; later times are the platform's
clock or a typo and are ignored. A pinned (置顶) post counts only by its own time, never by its place on top.
Precision first — only what was read is judged:
- an account that could not be read (login wall, captcha, deleted, blocked …) is inconclusive with the reason why;
- posts were read but no time could be read on any of them → inconclusive (发布时间无法识别), and so is a stale
  newest dated post behind which, higher in the timeline, an unpinned post without a time was read;
- a reading made before the monitoring day that shows no post inside the window → inconclusive: what was published
  between the reading and the monitoring point is unknown (a post inside the window passes as usual);
- a readable account with no post at all → fail (监测时间点前2周内无更新).
An account without any reading in the window is not judged here: evaluation records it as 无监测数据.
Example: newest post 2021-02-10 09:00, monitoring point 2021-03-03 → fail (21 days > 14).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from monitor.checks.account_facts import AccountFacts, unread
from monitor.checks.model import FAIL, INCONCLUSIVE, PASS, Finding
from monitor.checks.rule import CRAWL, Rule
from monitor.checks.rulebook import Indicator
from monitor.items import PostItem

CODE = "account_stale"
def window_words(days: int) -> str:
    return f"{days // 7}周" if days % 7 == 0 else f"{days}天"


def _post_evidence(post: PostItem) -> dict[str, object]:
    return {"newest": str(post.published_at), "time_text": post.time_text, "time_source": post.time_source,
            "post": post.post_key, "title": post.title, "pinned": post.pinned}


def check(facts: AccountFacts, ind: Indicator, as_of: date) -> list[Finding]:
    days = ind.param("window_days")
    start = as_of - timedelta(days=days)
    threshold = f"监测时间点前{window_words(days)}内({start}至{as_of})有更新"
    if (nothing := unread(facts, CODE, threshold)) is not None:
        return nothing
    reading = facts.check
    assert reading is not None
    until = datetime.combine(as_of, time.max)
    evidence: dict[str, object] = {"url": reading.url, "fetched_at": str(reading.fetched_at), "as_of": str(as_of),
                                   "posts": len(facts.posts), "source": reading.source}
    future = sorted({str(p.published_at) for p in facts.posts if p.published_at is not None and p.published_at > until})
    if future:
        evidence["ignored_future_times"] = future[:5]
    stale_words = f"监测时间点前{window_words(days)}内无更新"
    newest = facts.newest_post(until)
    observed = f"最新发布时间 {newest.published_at:%Y-%m-%d %H:%M}" if newest and newest.published_at else ""
    if newest is not None and newest.published_at is not None:
        evidence |= _post_evidence(newest)
        if newest.published_at.date() >= start:
            return [Finding(CODE, "", PASS, "", observed, threshold, evidence)]
    if reading.fetched_at.date() < as_of:  # what was published between the reading and the monitoring point is unknown
        return [Finding(CODE, "", INCONCLUSIVE, f"读取时间{reading.fetched_at:%Y-%m-%d}早于监测时间点,之后的更新未知",
                        observed or f"读取时共{len(facts.posts)}条发布内容", threshold, evidence)]
    if not facts.posts:
        return [Finding(CODE, "", FAIL, ind.reason, f"{stale_words}(账号无任何发布内容)", threshold, evidence)]
    if newest is None:
        why = "发布时间无法识别" if not future else "监测时间点前的发布内容未能读取"
        return [Finding(CODE, "", INCONCLUSIVE, why, why, threshold, evidence)]
    undated_ahead = [p.post_key for p in facts.posts if p.published_at is None and not p.pinned
                     and p.position is not None and newest.position is not None and p.position < newest.position]
    if undated_ahead:  # a newer post may hide behind an unreadable time
        evidence["undated_newer_posts"] = undated_ahead[:5]
        return [Finding(CODE, "", INCONCLUSIVE, "最新发布内容的时间无法识别", observed, threshold, evidence)]
    return [Finding(CODE, "", FAIL, ind.reason, f"{stale_words}({observed})", threshold, evidence)]


RULE = Rule(CODE, check, target_kind="account", scope=CRAWL, needs=("account", "check", "posts"),
            params=("window_days",))
