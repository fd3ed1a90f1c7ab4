"""服务不实用 — What: no online service offered at all, or service guides whose key elements are inaccurate.

Why: "1.未提供办事服务。2.办事指南重点要素类别(包括事项名称、设定依据、申请条件、办理材料、…" (19号 veto table; the
copy is cut there, the count thresholds of item 2 were not found, indicators.md §2). 陕西 2020 Q1 judged
'略阳县人民政府'网 and '勉县人民政府'网 单项否决 for "办事指南要素不准确" — "提供的一些办事指南受理地点显示为
'咸阳市秦都区'地址" — so one such guide is taken as enough (`veto_inaccurate_guides` 1, confidence C).

Clause 1, per guides channel of the registry as the channels run read it: a readable guide, or any working link to
handle a matter online (政务服务网, 在线办理), is a service. A channel read that lists no guide and links nowhere
working, or a closed or failing channel (404, DNS), offers none; the site fails "未提供办事服务" only when every
guides channel was read and none offers a service. A channel not read (无监测数据), behind a login wall,
challenged, timed out, or listing guides none of which could be read, is 待定.

Clause 2, per readable guide: its 办理地点 naming a region outside the site's own (monitor.regions.outside: neither
the region, one inside it, nor one above it — a county guide may send visitors to its city's hall) → fail item
"办事指南要素不准确" (subject: the guide URL). The site fails when such guides ≥ `veto_inaccurate_guides`; when
fewer, but enough unreadable guides could make up the difference, or a guides channel was not read (timed out,
challenged; a login wall is lasting and does not count) while another works, it is 待定. Guides missing key
elements (`key_elements`, the eight classes of 19号/2015) count toward the veto only when a rulebook sets
`veto_missing_guides` (national: null); otherwise guide_elements reports them, as a deduction.

A site whose registry lists no guides channel is not monitored (skipped).
Example: 略阳县 (610727) guide with 受理地点 "咸阳市秦都区人民路…" → fail item; the site → 服务不实用.
"""

from __future__ import annotations

from datetime import date

from monitor import regions
from monitor.checks.channel_reading import (
    BROKEN,
    NOT_READ,
    UNSURE,
    WORKING,
    channel_reading,
    channel_row,
    channels_of,
    not_registered,
)
from monitor.checks.facts import ChannelFacts, SiteFacts
from monitor.checks.guide_reading import lacking, offers_service, unreadable
from monitor.checks.model import FAIL, INCONCLUSIVE, NO_DATA, PASS, Finding
from monitor.checks.rule import WINDOW, Rule
from monitor.checks.rulebook import Indicator

CODE = "service_practical"
NO_SERVICE = "未提供办事服务"
INACCURATE = "办事指南要素不准确"
MISSING = "办事指南要素缺失"


def _offer(ch: ChannelFacts) -> tuple[str, str]:
    """(working / broken / unsure / not_read, why) of a guides channel for clause 1."""
    reading = channel_reading(ch, "办事指南栏目")
    if reading.state != WORKING:
        return reading.state, reading.why
    if any(offers_service(g) for g in ch.guides):
        return WORKING, ""
    if ch.guides or (ch.check is not None and (ch.check.entries_seen or 0) > 0):
        return UNSURE, "办事指南均无法读取,待复核"  # guides are listed; what they offer is not known
    return BROKEN, "栏目未提供办事指南或办事链接"


def check(facts: SiteFacts, ind: Indicator, as_of: date) -> list[Finding]:
    channels = channels_of(facts, "guides")
    if not channels:
        return [not_registered(CODE, "guides")]
    veto_inaccurate, veto_missing = ind.param("veto_inaccurate_guides"), ind.param("veto_missing_guides")
    key_elements = list(ind.param("key_elements"))
    region = facts.site.region_code
    try:
        regions.outside("", region)
        region_known = True
    except ValueError:
        region_known = False
    findings: list[Finding] = []
    rows, offers = [], []
    inaccurate = missing = unsure_guides = 0
    for ch in channels:
        state, why = _offer(ch)
        offers.append(state)
        rows.append(channel_row(ch, channel_reading(ch, "办事指南栏目")) | {"offer": state})
        if state != WORKING:
            outcome = FAIL if state == BROKEN else INCONCLUSIVE
            findings.append(Finding(CODE, ch.channel.url, outcome, why, f"{len(ch.guides)}个办事指南", "提供办事服务",
                                    {"url": ch.channel.url, "name": ch.channel.name}))
        for guide in ch.guides:
            if unreadable(guide):
                unsure_guides += 1
                continue
            evidence: dict = {"url": guide.url, "title": guide.title, "channel": ch.channel.url}
            reasons, observed = [], []
            if guide.address and region_known:
                away = regions.outside(guide.address, region)
                if away:
                    names = [regions.name(c) or c for c in away]
                    evidence |= {"address": guide.address[:300], "outside": away, "outside_names": names,
                                 "region": region}
                    reasons.append(INACCURATE)
                    observed.append(f"办理地点“{guide.address[:80]}”含本地区以外的{'、'.join(names)}")
            if veto_missing is not None:
                absent, empty = lacking(guide, key_elements)
                if absent or empty:
                    evidence |= {"missing": absent, "empty": empty}
                    reasons.append(MISSING)
                    observed.append("、".join(absent + empty) + "缺失或为空")
            if reasons:
                finding = Finding(CODE, guide.url, FAIL, "；".join(reasons), ";".join(observed),
                                  "办事指南要素准确、齐全", evidence)
                findings.append(finding)
                if facts.counts(CODE, guide.url):
                    inaccurate += INACCURATE in reasons
                    missing += MISSING in reasons
    no_service = WORKING not in offers and all(s == BROKEN for s in offers)
    hits = [(NO_SERVICE, no_service), (INACCURATE, inaccurate >= veto_inaccurate),
            (MISSING, veto_missing is not None and missing >= veto_missing)]
    threshold = (f"提供办事服务;要素不准确的办事指南<{veto_inaccurate}个"
                 + (f";要素缺失的办事指南<{veto_missing}个" if veto_missing is not None else ""))
    observed = (f"办事指南栏目{len(rows)}个,提供服务{offers.count(WORKING)}个;要素不准确的办事指南{inaccurate}个"
                + (f",要素缺失{missing}个" if veto_missing is not None else "") + f",无法读取{unsure_guides}个")
    evidence = {"channels": rows, "inaccurate": inaccurate, "missing": missing, "unreadable_guides": unsure_guides,
                "region": region}
    if any(hit for _, hit in hits):
        reason = "；".join(r for r, hit in hits if hit)
        return findings + [Finding(CODE, "", FAIL, reason, observed, threshold, evidence)]
    if all(s == NOT_READ for s in offers):
        return findings + [Finding(CODE, "", INCONCLUSIVE, NO_DATA, observed, threshold, evidence)]
    if WORKING not in offers:
        return findings + [Finding(CODE, "", INCONCLUSIVE, "办事指南栏目无法读取,待复核", observed, threshold, evidence)]
    could = inaccurate + unsure_guides >= veto_inaccurate or (
        veto_missing is not None and missing + unsure_guides >= veto_missing)
    unread = [r for r in rows if r["offer"] == NOT_READ or r["offer"] == UNSURE and not r["login"]]
    if (unsure_guides and could) or unread:
        return findings + [Finding(CODE, "", INCONCLUSIVE, "部分办事指南无法读取,待复核", observed, threshold, evidence)]
    if not region_known and any(g.address for ch in channels for g in ch.guides):
        return findings + [Finding(CODE, "", INCONCLUSIVE, "行政区划代码不在区划表中,办理地点无法判定", observed,
                                   threshold, evidence)]
    return findings + [Finding(CODE, "", PASS, "", observed, threshold, evidence)]


RULE = Rule(CODE, check, scope=WINDOW, needs=("site", "channels"),
            params=("veto_inaccurate_guides", "veto_missing_guides", "key_elements"))
