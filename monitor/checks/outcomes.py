"""Shared readings of stored facts: which fetch outcomes are evidence of a fault, and date windows."""

from __future__ import annotations

import calendar
from datetime import date

# Outcomes that may be our side's problem (a WAF, a rate limit, a slow network): re-check, never a violation.
UNSURE_STATUS = {401, 403, 407, 408, 429}
UNSURE_OUTCOMES = {"timeout", "connection", "error", "tls", "unparsable",
                   "forbidden",  # our address policy refused it (an internal address): never the site's failure
                   "url_too_long",  # longer than URLLENGTH_LIMIT: never requested, so never checked
                   # a page that arrived but is not the page asked for (monitor/outcome.py): never blank, never ok
                   "challenge", "blocked", "login", "moved", "unrendered", "not_json"}
BROKEN_OUTCOMES = {"dns", "refused", "redirect_loop"}
# Why a page that arrived could not be judged, as a person reads it: "栏目页面为反爬虫验证页,待复核".
UNREADABLE_WORDING = {
    "challenge": "为反爬虫验证页", "blocked": "被网站防火墙拦截", "login": "需要登录", "moved": "为域名变更或跳转公告页",
    "unrendered": "的列表由脚本加载,未能读取", "not_json": "的列表接口返回内容无法识别",
    "too_deep": "结构嵌套过深,未能完整读取",
}


def link_state(outcome: str | None, status: int | None) -> str:
    """ok / broken / unsure / unchecked for a link check or a page fetch."""
    if outcome is None:
        return "unchecked"
    if outcome in BROKEN_OUTCOMES:
        return "broken"
    if outcome in UNSURE_OUTCOMES:
        return "unsure"
    if outcome == "http":
        if status in UNSURE_STATUS:
            return "unsure"
        return "broken" if status is not None and status >= 400 else "ok"
    return "ok"  # ok, empty, not_html, too_large: the link leads somewhere


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (clamped to the month's end: 08-31 − 6 months = 02-28)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def unreadable_reason(outcome: str | None, subject: str = "栏目页面") -> str | None:
    """The Chinese reason for a page that arrived but is not the page asked for ("栏目页面为反爬虫验证页,待复核",
    "列表由脚本加载,未能读取,待复核"); None for other outcomes (or no page), which keep their rule's wording."""
    if outcome not in UNREADABLE_WORDING:
        return None
    if outcome == "unrendered" and subject == "栏目页面":
        return "列表由脚本加载,未能读取,待复核"
    return f"{subject}{UNREADABLE_WORDING[outcome]},待复核"
