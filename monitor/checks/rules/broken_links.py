"""链接可用性 — What: links that do not open, counted separately for the homepage and for other pages.

Why: the 2015 and 2019 checks count "首页及其他页面不能正常访问的链接数量"; points per link are not in the national
text, so nothing is deducted until a rulebook sets home_points_each / other_points_each and points (the cap).
404/410/5xx, unknown hosts, refused connections and redirect loops are broken; 401/403/407/408/429, timeouts and
resets may be our own blocking and are inconclusive (re-checked later), never broken. Links a page held past the
per-page cap (pages.cut["links"]) were never checked: with none found broken the indicator is inconclusive, not 合格
(none broken among the links checked is not none broken); broken ones found still fail, as a lower bound.
Where: the period's full link sweep of the site (every page: monitor/spiders/sweep.py) when evaluation found one,
else the sampled crawl (SiteFacts.link_source decides). Pages a sweep's bounds left unvisited (page or depth limit)
had their links never checked: likewise inconclusive, never 合格. The summary says which run it read (全站扫描N个页面,
the sweep's run id and date in its evidence) so a reader can re-check it.
Example: 相关链接1 on the homepage → http://www.slz.gov.cn/broken/404-0.html answers 404 → fail, home count 1.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from monitor.checks.facts import LinkSource, SiteFacts
from monitor.checks.model import FAIL, INCONCLUSIVE, PASS, Finding
from monitor.checks.outcomes import link_state
from monitor.checks.rule import CRAWL, Rule
from monitor.checks.rulebook import Indicator

CODE = "broken_links"
CUT_REASON = "全站扫描受页面数或深度上限所限,部分页面未访问,待复核"
CAP_REASON = "部分链接超出每页上限未检查,待复核"
UNKNOWN_CUT_REASON = "全站扫描未记录未访问的页面数,待复核"


def provenance(source: LinkSource) -> dict[str, Any]:
    """Evidence naming the sweep the links come from (the sampled crawl is the default and adds nothing)."""
    if not source.is_sweep:
        return {}
    return {"source": "sweep", "run_id": source.run_id, "sweep_as_of": str(source.as_of), "pages": source.pages}


def left_out(source: LinkSource, unchecked: int) -> tuple[str, dict[str, Any]]:
    """What was never checked, in words and as evidence: pages a bound left unvisited, links past the page cap."""
    words, evidence = "", {}
    for key, count, text in (("cut_pages", source.cut_pages, "个页面因页面数上限未访问"),
                             ("cut_depth", source.cut_depth, "个页面因深度上限未访问"),
                             ("unchecked", unchecked, "个链接超出每页上限未检查")):
        if count:
            words += f",另有{count}{text}"
            evidence[key] = count
    if evidence and source.sites > 1:  # the sweep counts its cuts per run, not per site
        words += f"(为本次扫描{source.sites}个网站合计)"
        evidence["sites_in_run"] = source.sites
    if not source.cut_known:
        words += ",未访问的页面数未记录"
        evidence["cut_unknown"] = True
    return words, evidence


def check(facts: SiteFacts, ind: Indicator, as_of: date) -> list[Finding]:
    source = facts.link_source
    origin = provenance(source)
    findings: list[Finding] = []
    seen: set[str] = set()
    home = other = 0
    for link in sorted(source.links, key=lambda lk: (not lk.on_homepage, lk.url)):
        state = link_state(link.outcome, link.status)
        if state in ("ok", "unchecked") or link.url in seen:
            continue
        seen.add(link.url)
        observed = f"{link.outcome} {link.status}" if link.status else str(link.outcome)
        evidence = {"url": link.url, "parent_url": link.source_url, "anchor": link.anchor, "tag": link.tag,
                    "error": link.error, "on_homepage": link.on_homepage, "as_of": str(as_of)} | origin
        if state == "unsure":
            findings.append(Finding(CODE, link.url, INCONCLUSIVE, "链接暂时无法访问,待复核", observed, "链接可访问", evidence))
            continue
        where = "首页" if link.on_homepage else "其他页面"
        if facts.counts(CODE, link.url):  # a reviewer's false positive is reported, not counted
            home += link.on_homepage
            other += not link.on_homepage
        findings.append(Finding(CODE, link.url, FAIL, f"{where}存在不可用链接", observed, "链接可访问", evidence))
    gaps, gap_evidence = left_out(source, source.unchecked)
    scanned = f"全站扫描{source.pages}个页面," if source.is_sweep else ""
    observed = f"{scanned}首页不可用链接{home}个,其他页面{other}个{gaps}"
    evidence = {"home": home, "other": other, "as_of": str(as_of)} | origin | gap_evidence
    if home or other:  # a lower bound when something was left unchecked
        outcome, reason = FAIL, ind.reason
    elif source.cut:
        outcome, reason = INCONCLUSIVE, CUT_REASON
    elif not source.cut_known:
        outcome, reason = INCONCLUSIVE, UNKNOWN_CUT_REASON
    elif source.unchecked:
        outcome, reason = INCONCLUSIVE, CAP_REASON
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
