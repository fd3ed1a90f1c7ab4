"""栏目不更新 — What: columns whose newest item is older than their category's window.

Why: "1.监测时间点前2周内的动态、要闻类栏目,以及监测时间点前6个月内的通知公告、政策文件类一级栏目,累计超过(含)5个未更新。
2.应更新但长期未更新的栏目数量超过(含)10个。" Windows: dynamic 14 days; notice/policy 6 calendar months; personnel/plan
1 year (2015 definition). A column updated exactly on the window's first day is up to date (the window includes it).
Clause 1 counts dynamic columns and first-level notice/policy columns (2019: 一级栏目); clause 2 counts every stale
column of those categories at any level, personnel/plan ones and blank columns of any category (2015 definition:
"应更新但长期不更新的栏目" includes blank columns). A column whose page is not the column (challenge, WAF, login,
域名变更) or whose script-built list could not be read is inconclusive, never stale. A column whose list items carry
no date counts as not updated
(2015 note "未注明信息发布时间的视为不更新"). A column a reviewer marked false positive is reported but not counted. Each stale column is its own finding
(the notice's column list); the site-level finding is the veto.
Example: 工作动态, newest item 2021-02-11, monitoring point 2021-03-03 → "监测点前2周内,栏目无信息更新".
"""

from __future__ import annotations

from datetime import date, timedelta

from monitor.checks.column_reading import unread_list_page
from monitor.checks.facts import ColumnFacts, SiteFacts
from monitor.checks.model import FAIL, INCONCLUSIVE, PASS, Finding
from monitor.checks.outcomes import link_state, months_before, unreadable_reason
from monitor.checks.rule import CRAWL, Rule
from monitor.checks.rulebook import Indicator

CODE = "column_stale"
BLANK = "column_blank"  # the 空白栏目 indicator, whose false positives do not count here either


def window(column: ColumnFacts, ind: Indicator, as_of: date) -> tuple[date, str] | None:
    """(first day of the window, wording) for a column that must be updated; None for other categories."""
    if column.category == "dynamic":
        days = ind.param("dynamic_days")
        return as_of - timedelta(days=days), f"监测点前{days // 7}周内" if days % 7 == 0 else f"监测点前{days}天内"
    if column.category in ("notice", "policy"):
        months = ind.param("notice_policy_months")
        return months_before(as_of, months), f"监测点前{months}个月内"
    if column.category in ("personnel", "plan"):
        months = ind.param("personnel_plan_months")
        return months_before(as_of, months), f"监测点前{'1年' if months == 12 else f'{months}个月'}内"
    return None


def check(facts: SiteFacts, ind: Indicator, as_of: date) -> list[Finding]:
    findings: list[Finding] = []
    stale_core = stale_all = 0
    unsure = 0
    for column in facts.columns:
        win = window(column, ind, as_of)
        page = column.page
        failed_list = unread_list_page(facts, column) if page is not None and page.outcome == "ok" else None
        readable = page is not None and page.outcome == "ok" and failed_list is None
        if readable and not column.entries:
            # Blank (judged by 空白栏目), but "应更新但长期不更新的栏目" includes blank columns of any category.
            stale_all += facts.counts(CODE, column.url) and facts.counts(BLANK, column.url)
            continue
        if win is None:
            continue
        start, wording = win
        evidence = {"url": column.url, "column": column.display, "unit": column.unit, "as_of": str(as_of),
                    "window_start": str(start)}
        if not readable:
            shown = failed_list or page
            state = "未抓取" if shown is None else f"{shown.outcome} {shown.status or ''}".strip()
            if failed_list is None and page is not None and link_state(page.outcome, page.status) == "broken":
                continue  # a column link that fails is a broken link (链接可用性), not a stale column
            reason = "列表由脚本加载,未能读取,待复核" if failed_list else unreadable_reason(page and page.outcome) or "栏目页面无法读取,待复核"
            if shown is not None and shown.error:
                evidence["error"] = shown.error
            findings.append(Finding(CODE, column.url, INCONCLUSIVE, reason, state, wording, evidence))
            unsure += 1
            continue
        newest = column.newest_until(as_of + timedelta(days=1))
        evidence["newest"] = str(newest) if newest else None
        observed = f"最新信息日期 {newest}" if newest else "栏目信息均未注明日期"
        threshold = f"{wording}({start}至{as_of})有更新"
        if newest is not None and newest >= start:
            findings.append(Finding(CODE, column.url, PASS, "", observed, threshold, evidence))
            continue
        findings.append(Finding(CODE, column.url, FAIL, f"{wording},栏目无信息更新", observed, threshold, evidence))
        if not facts.counts(CODE, column.url):
            continue  # a reviewer's false positive: reported, not counted
        stale_all += 1
        first_level = column.level in (None, 1)
        if column.category == "dynamic" or (column.category in ("notice", "policy") and first_level):
            stale_core += 1
    veto_stale, veto_long = ind.param("veto_stale"), ind.param("veto_long_stale")
    observed = f"动态要闻及一级通知公告、政策文件栏目未更新{stale_core}个;应更新但长期未更新栏目{stale_all}个"
    threshold = f"≥{veto_stale}个 或 ≥{veto_long}个"
    site_evidence = {"stale": stale_core, "long_stale": stale_all, "unsure": unsure, "as_of": str(as_of)}
    if stale_core >= veto_stale or stale_all >= veto_long:
        findings.append(Finding(CODE, "", FAIL, ind.reason, observed, threshold, site_evidence))
    elif unsure and (stale_core + unsure >= veto_stale or stale_all + unsure >= veto_long):
        findings.append(Finding(CODE, "", INCONCLUSIVE, "部分栏目无法读取,待复核", observed, threshold, site_evidence))
    else:
        findings.append(Finding(CODE, "", PASS, "", observed, threshold, site_evidence))
    return findings


RULE = Rule(CODE, check, scope=CRAWL, needs=("columns",), params=("dynamic_days", "notice_policy_months", "personnel_plan_months", "veto_stale", "veto_long_stale"))
