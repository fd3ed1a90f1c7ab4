"""链接可用性 — What: links that do not open, counted separately for the homepage and for other pages.

Why: the 2015 and 2019 checks count "首页及其他页面不能正常访问的链接数量"; points per link are not in the national
text, so nothing is deducted until a rulebook sets home_points_each / other_points_each and points (the cap).
404/410/5xx, unknown hosts, refused connections and redirect loops are broken; 401/403/407/408/429, timeouts and
resets may be our own blocking and are inconclusive (re-checked later), never broken. Links a page held past the
per-page cap (pages.cut["links"]) were never checked: with none found broken the indicator is inconclusive, not 合格
(none broken among the links checked is not none broken); broken ones found still fail, as a lower bound.
Example: 相关链接1 on the homepage → http://www.slz.gov.cn/broken/404-0.html answers 404 → fail, home count 1.
"""

from __future__ import annotations

from datetime import date

from monitor.checks.facts import SiteFacts
from monitor.checks.model import FAIL, INCONCLUSIVE, PASS, Finding
from monitor.checks.outcomes import link_state
from monitor.checks.rule import CRAWL, Rule
from monitor.checks.rulebook import Indicator

CODE = "broken_links"


def check(facts: SiteFacts, ind: Indicator, as_of: date) -> list[Finding]:
    findings: list[Finding] = []
    seen: set[str] = set()
    home = other = 0
    unchecked = sum((page.cut or {}).get("links", 0) for page in facts.pages)
    for link in sorted(facts.links, key=lambda lk: (not lk.on_homepage, lk.url)):
        state = link_state(link.outcome, link.status)
        if state in ("ok", "unchecked") or link.url in seen:
            continue
        seen.add(link.url)
        observed = f"{link.outcome} {link.status}" if link.status else str(link.outcome)
        evidence = {"url": link.url, "parent_url": link.source_url, "anchor": link.anchor, "tag": link.tag,
                    "error": link.error, "on_homepage": link.on_homepage, "as_of": str(as_of)}
        if state == "unsure":
            findings.append(Finding(CODE, link.url, INCONCLUSIVE, "链接暂时无法访问,待复核", observed, "链接可访问", evidence))
            continue
        where = "首页" if link.on_homepage else "其他页面"
        if facts.counts(CODE, link.url):  # a reviewer's false positive is reported, not counted
            home += link.on_homepage
            other += not link.on_homepage
        findings.append(Finding(CODE, link.url, FAIL, f"{where}存在不可用链接", observed, "链接可访问", evidence))
    observed = f"首页不可用链接{home}个,其他页面{other}个" + (f",另有{unchecked}个链接超出每页上限未检查" if unchecked else "")
    evidence = {"home": home, "other": other, "as_of": str(as_of)} | ({"unchecked": unchecked} if unchecked else {})
    if home or other:
        outcome, reason = FAIL, ind.reason
    elif unchecked:
        outcome, reason = INCONCLUSIVE, "部分链接超出每页上限未检查,待复核"
    else:
        outcome, reason = PASS, ""
    findings.append(Finding(CODE, "", outcome, reason, observed, "0个", evidence))
    return findings


def deduction(findings: list[Finding], ind: Indicator) -> float:
    """Points deducted: per broken link as the rulebook says (unknown nationally: 0)."""
    each_home, each_other = ind.params.get("home_points_each"), ind.params.get("other_points_each")
    total = 0.0
    for f in findings:
        if f.outcome == FAIL and not f.site_level:
            each = each_home if f.evidence.get("on_homepage") else each_other
            total += each or 0.0
    return total


RULE = Rule(CODE, check, scope=CRAWL, needs=("links", "pages"), params=("home_points_each", "other_points_each"), deduction=deduction)
