"""办事指南要素缺失 — What: service guides (办事指南) that miss key elements or leave them empty, and guides
without an accurate link to the 政务服务网.

Why: 19号 veto 服务不实用 item 2 names "办事指南重点要素类别(包括事项名称、设定依据、申请条件、办理材料、…" (the copy
is cut there, indicators.md §2); the 2015 table checks the eight classes 事项名称、设定依据、申请条件、办理材料、
办理地点、办理时间、联系电话、办理流程 as a deduction, "−2 per missing class, max −16, the same class missing on
several guides counted once" (2015); 陕西 2020 Q1 reports "办事指南要素缺失" and "办事指南与政务服务网未建立准确链接"
('紫阳县人民政府'网). The `elements` parameter holds those eight plus 收费标准, named as monitor/extract/guides.py
reports them.

Per guide read in the channels run (GuideItem.elements: element → present / empty, a missing one absent):
- elements absent or empty → fail item listing them ("办事指南要素缺失");
- no link to a 政务服务网 (or an 在线办理 button) at all, or only links that lead nowhere or are broken (404, DNS)
  → fail item "办事指南与政务服务网未建立准确链接"; links whose check was refused, timed out or not made, none
  working → 待定. A guide served by the 政务服务网 itself needs no link to it;
- both on one guide: one item (subject: the guide URL) with both reasons;
- a guide page that could not be read, or on which no element at all was recognised → 待定.

Points are null nationally. With `points_each` set by a local rulebook (2015: 2, points 16) the deduction is
points_each per distinct class missing on any guide (the link counts as one class), capped at the points.
A site whose registry lists no guides channel is not monitored (skipped).
Example: a guide showing 事项名称, 申请条件, 办理材料, 办理地点, 办理时间, 联系电话 only → fail item, missing
设定依据, 办理流程, 收费标准.

Reading a guide (whether it can be judged, the elements it lacks) is shared with 服务不实用 (service_practical)
through monitor/checks/guide_reading.py.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from monitor.checks.channel_reading import (
    NOT_READ,
    UNSURE,
    channel_reading,
    channel_row,
    channels_of,
    not_registered,
)
from monitor.checks.facts import SiteFacts
from monitor.checks.guide_reading import lacking, unreadable
from monitor.checks.model import FAIL, INCONCLUSIVE, NO_DATA, PASS, Finding
from monitor.checks.outcomes import link_state
from monitor.checks.rule import WINDOW, Rule, default_deduction
from monitor.checks.rulebook import Indicator
from monitor.extract.guides import is_zwfw_host
from monitor.items import GuideItem

CODE = "guide_elements"
MISSING = "办事指南要素缺失"
NO_LINK = "办事指南与政务服务网未建立准确链接"
LINK_CLASS = "政务服务网链接"


def link_status(guide: GuideItem) -> tuple[str, list[dict]]:
    """ok / on_zwfw / missing / broken / unsure, and the broken links."""
    if is_zwfw_host(urlsplit(guide.url).hostname):
        return "on_zwfw", []
    links = guide.service_links or []
    states = [("broken" if not link.get("url") else link_state(link.get("outcome"), link.get("status")))
              for link in links]
    broken = [link for link, state in zip(links, states, strict=True) if state == "broken"]
    if "ok" in states:
        return "ok", broken
    if not links:
        return "missing", []
    return ("broken" if broken else "unsure"), broken


def deduction(findings: list[Finding], ind: Indicator) -> float:
    """2015: points_each per distinct missing class (over all guides), else the default."""
    each = ind.params.get("points_each")
    if each is None:
        return default_deduction(findings, ind)
    classes = {c for f in findings if f.outcome == FAIL and not f.site_level for c in f.evidence.get("classes", [])}
    return each * len(classes)


def check(facts: SiteFacts, ind: Indicator, as_of: date) -> list[Finding]:
    channels = channels_of(facts, "guides")
    if not channels:
        return [not_registered(CODE, "guides")]
    elements = list(ind.param("elements"))
    threshold = f"办事指南要素齐全({'、'.join(elements)}),与政务服务网建立准确链接"
    findings: list[Finding] = []
    rows = []
    judged = 0
    for ch in channels:
        reading = channel_reading(ch, "办事指南栏目")
        rows.append(channel_row(ch, reading))
        if reading.state in (UNSURE, NOT_READ):
            findings.append(Finding(CODE, ch.channel.url, INCONCLUSIVE, reading.why, reading.observed, threshold,
                                    {"url": ch.channel.url, "name": ch.channel.name}))
        for guide in ch.guides:
            evidence: dict = {"url": guide.url, "title": guide.title, "channel": ch.channel.url}
            why = unreadable(guide)
            if why:
                findings.append(Finding(CODE, guide.url, INCONCLUSIVE, why, guide.outcome, threshold, evidence))
                continue
            judged += 1
            absent, empty = lacking(guide, elements)
            link, broken = link_status(guide)
            evidence |= {"missing": absent, "empty": empty, "link": link,
                         "broken_links": [str(b.get("url") or b.get("anchor")) for b in broken][:10],
                         "classes": absent + empty + ([LINK_CLASS] if link in ("missing", "broken") else [])}
            reasons = ([MISSING] if absent or empty else []) + ([NO_LINK] if link in ("missing", "broken") else [])
            parts = [f"缺少{'、'.join(absent)}" if absent else "", f"{'、'.join(empty)}为空" if empty else "",
                     {"missing": "无政务服务网链接", "broken": "政务服务网链接不可用",
                      "unsure": "政务服务网链接无法检查"}.get(link, "")]
            observed = ";".join(p for p in parts if p)
            if reasons:
                findings.append(Finding(CODE, guide.url, FAIL, "；".join(reasons), observed, threshold, evidence))
            elif link == "unsure":
                findings.append(Finding(CODE, guide.url, INCONCLUSIVE, "政务服务网链接无法检查,待复核", observed,
                                        threshold, evidence))
    failing = [f for f in findings if f.outcome == FAIL and facts.counts(CODE, f.subject)]
    classes = sorted({c for f in failing for c in f.evidence["classes"]},
                     key=lambda c: elements.index(c) if c in elements else len(elements))
    unsure = sum(f.outcome == INCONCLUSIVE for f in findings)
    observed = f"办事指南{judged}个,存在问题{len(failing)}个" + (f",涉及{'、'.join(classes)}" if classes else "")
    evidence = {"channels": rows, "guides": judged, "failing": len(failing), "unsure": unsure, "classes": classes}
    if failing:
        reasons = list(dict.fromkeys(r for f in failing for r in f.reason.split("；")))
        return findings + [Finding(CODE, "", FAIL, "；".join(reasons), observed, threshold, evidence)]
    if all(r["state"] == NOT_READ for r in rows):
        return findings + [Finding(CODE, "", INCONCLUSIVE, NO_DATA, observed, threshold, evidence)]
    if unsure or not judged:
        why = "部分办事指南无法读取,待复核" if unsure else "未读取到办事指南,待复核"
        return findings + [Finding(CODE, "", INCONCLUSIVE, why, observed, threshold, evidence)]
    return findings + [Finding(CODE, "", PASS, "", observed, threshold, evidence)]


RULE = Rule(CODE, check, scope=WINDOW, needs=("site", "channels"), params=("elements", "points_each"),
            deduction=deduction)
