"""空白栏目 — What: columns that never had any content; veto at 5 or more.

Why: "空白栏目数量超过(含)5个" (2019 veto); 空白栏目 = "网站自栏目开设之日起就没有提供过任何信息资源" (2015).
A column page fetched as HTML whose list pages (XHR lists included) hold no item is blank. A column link that
fails (404, refused…) is a broken link, not a blank column; one that timed out (or a 403/429 answer) is
inconclusive, and the site-level result is inconclusive only when the unreadable columns could reach the veto.
A page that arrived but is not the column (an anti-bot challenge, a WAF block page, a login wall, a 域名变更 notice)
or whose list is built by script and could not be read, not even rendered, is inconclusive with that reason
("栏目页面为反爬虫验证页,待复核", "列表由脚本加载,未能读取,待复核"), and so is a column without entries one of whose
list pages or XHR lists failed, or one of whose pages had XHR lists left out past the caps (pages.cut["xhr_lists"]:
the column's list may be among them): the product says blank only of a list it read.
Example: five columns answer "暂无信息" → 空白栏目超过5 (the notices print it so; the clause counts 5 itself).
"""

from __future__ import annotations

from datetime import date

from monitor.checks.column_reading import unread_list_page, xhr_lists_cut
from monitor.checks.facts import SiteFacts
from monitor.checks.model import FAIL, INCONCLUSIVE, PASS, Finding
from monitor.checks.outcomes import link_state, unreadable_reason
from monitor.checks.rule import CRAWL, Rule
from monitor.checks.rulebook import Indicator

CODE = "column_blank"


def check(facts: SiteFacts, ind: Indicator, as_of: date) -> list[Finding]:
    veto = ind.param("veto_blank")
    findings: list[Finding] = []
    blank = unsure = 0
    for column in facts.columns:
        page = column.page
        evidence = {"url": column.url, "column": column.display, "unit": column.unit, "as_of": str(as_of)}
        if page is None or page.outcome != "ok":
            if page is None or link_state(page.outcome, page.status) != "broken":
                unsure += 1
                if page is not None and page.error:
                    evidence["error"] = page.error
                findings.append(Finding(CODE, column.url, INCONCLUSIVE,
                                        unreadable_reason(page and page.outcome) or "栏目页面无法读取,待复核",
                                        "未抓取" if page is None else page.outcome, "栏目有信息", evidence))
            continue
        if column.entries:
            continue
        failed = unread_list_page(facts, column)
        if failed is not None:
            unsure += 1
            evidence |= {"list_url": failed.url, "list_outcome": failed.outcome, "error": failed.error}
            if failed.outcome == "ok":  # read, but XHR lists of it were left out
                evidence["xhr_lists_cut"] = xhr_lists_cut(failed)
                reason, observed = "列表接口过多,部分未读取,待复核", f"列表接口{xhr_lists_cut(failed)}个未读取"
            else:
                reason, observed = "列表由脚本加载,未能读取,待复核", f"列表页面 {failed.outcome} {failed.status or ''}".strip()
            findings.append(Finding(CODE, column.url, INCONCLUSIVE, reason, observed, "栏目有信息", evidence))
            continue
        findings.append(Finding(CODE, column.url, FAIL, "空白栏目", "栏目无任何信息", "栏目有信息", evidence))
        blank += facts.counts(CODE, column.url)  # a reviewer's false positive is reported, not counted
    observed, threshold = f"空白栏目{blank}个", f"≥{veto}个"
    if blank >= veto:
        outcome, reason = FAIL, ind.reason
    elif unsure and blank + unsure >= veto:
        outcome, reason = INCONCLUSIVE, "部分栏目无法读取,待复核"
    else:
        outcome, reason = PASS, ""
    findings.append(Finding(CODE, "", outcome, reason, observed, threshold,
                            {"blank": blank, "unsure": unsure, "as_of": str(as_of)}))
    return findings


RULE = Rule(CODE, check, scope=CRAWL, needs=("columns", "pages"), params=("veto_blank",))
