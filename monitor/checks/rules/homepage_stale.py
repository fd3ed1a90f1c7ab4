"""首页不更新 — What: nothing new on the homepage in the 14 days before the monitoring point.

Why: "监测2周,首页无信息更新的,即单项否决。如首页仅为网站栏目导航入口,所有二级页面无信息更新的,即单项否决。"
Undated items count as not updated (2015 note). A navigation-only homepage (no dated items, only column links) is
judged by its second-level pages: it passes when any column has an item inside the window. The window is the 14
days before the monitoring point, both ends included: an item dated exactly 14 days before passes, 15 days fails.
Dates more than a day after the monitoring point (meeting schedules, typos) are not updates and are ignored.
A homepage that is a challenge, WAF block page, login wall or 域名变更 notice is inconclusive with that reason
("首页为反爬虫验证页,待复核"), never "首页长期不更新".
Example: newest homepage item 2021-02-10, monitoring point 2021-03-03 → fail (21 days > 14).
"""

from __future__ import annotations

from datetime import date, timedelta

from monitor.checks.facts import SiteFacts
from monitor.checks.model import FAIL, INCONCLUSIVE, PASS, Finding
from monitor.checks.outcomes import link_state, unreadable_reason
from monitor.checks.rule import CRAWL, Rule
from monitor.checks.rulebook import Indicator

CODE = "homepage_stale"


def check(facts: SiteFacts, ind: Indicator, as_of: date) -> list[Finding]:
    days = ind.param("window_days")
    start = as_of - timedelta(days=days)
    threshold = f"监测点前{days}天内({start}至{as_of})有更新"
    home = facts.homepage
    if home is None or home.outcome != "ok":
        why = "首页未抓取" if home is None else f"首页无法读取({home.outcome} {home.status or ''})".strip()
        state = "broken" if home is not None and link_state(home.outcome, home.status) == "broken" else "unsure"
        evidence = {"url": facts.site.homepage, "state": state}
        if home is not None and home.error:
            evidence["error"] = home.error
        return [Finding(CODE, "", INCONCLUSIVE, unreadable_reason(home and home.outcome, "首页") or f"{why},待复核", why, threshold,
                        evidence)]
    latest = as_of + timedelta(days=1)  # a day of slack for time zones; later dates are schedules or typos
    dated = [e.published for e in facts.home_entries if e.published is not None]
    source = "首页"
    if not dated and facts.columns:  # navigation-only homepage: its second-level pages decide
        dated = [e.published for c in facts.columns for e in c.entries if e.published is not None]
        source = "二级页面"
    future = [d for d in dated if d > latest]
    newest = max((d for d in dated if d <= latest), default=None)
    evidence = {"url": home.url, "newest": str(newest) if newest else None, "judged_by": source,
                "items": len(facts.home_entries), "as_of": str(as_of)}
    if future:
        evidence["ignored_future_dates"] = sorted({str(d) for d in future})[:5]
    observed = f"{source}最新信息日期 {newest}" if newest else f"{source}无注明日期的信息"
    if newest is not None and start <= newest:
        return [Finding(CODE, "", PASS, "", observed, threshold, evidence)]
    if source == "二级页面":
        unread = [c.url for c in facts.columns
                  if c.page is not None and link_state(c.page.outcome, c.page.status) == "unsure"]
        if unread:  # the pages that decide could not all be read: no veto on what was not seen
            evidence["unreadable_columns"] = unread[:10]
            return [Finding(CODE, "", INCONCLUSIVE, "部分二级页面无法读取,待复核", observed, threshold, evidence)]
    return [Finding(CODE, "", FAIL, ind.reason, observed, threshold, evidence)]


RULE = Rule(CODE, check, scope=CRAWL, needs=("site", "homepage", "home_entries", "columns"), params=("window_days",))
