"""Verdicts: 合格 / 不合格 / 待定 per target and period, from its findings and the rulebook.

"如网站出现单项否决指标中的任意一种情形,即判定为不合格网站,不再对其他指标进行评分" — any veto → 不合格, no score.
Otherwise the deduction score is 100 minus each indicator's deductions, each capped at the indicator's points;
"评分结果低于60分,判定为不合格网站" (60 passes); the bonus part is scored only for portals above 80. Indicators
whose points the national text does not give deduct nothing until a rulebook sets them. A veto indicator that is
inconclusive (a page or the probes could not give evidence, nothing was observed in its window: 无监测数据, or the
rule itself failed: error) makes the verdict 待定 — pending a re-check — unless the site already fails.
New-media accounts are judged on the veto items only ("对政务新媒体检查时,如出现单项否决指标中的任意一种情形,即判定为
不合格"; no national score threshold): their other indicators are reported as problems, never scored. Findings of violations marked false positive are left out.
A target none of whose veto indicators was monitored (an office declared them all 未开展监测) is never 合格: nothing
said it passes them — it is 待定 with that reason (a score below 60 still makes it 不合格).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from monitor.checks.model import ERROR, FAIL, INCONCLUSIVE, NO_DATA, Finding
from monitor.checks.rulebook import Rulebook
from monitor.checks.rules import RULES

QUALIFIED, UNQUALIFIED, PENDING = "合格", "不合格", "待定"
NO_VETO_MONITORED = "单项否决指标均未开展监测"
ACCOUNT = "account"  # the `kind` of a new-media account (websites pass their kind: portal / department)


@dataclass
class Verdict:
    result: str
    veto: bool
    score: float | None
    bonus: float | None
    reasons: list[str] = field(default_factory=list)


def deduction(code: str, findings: list[Finding], book: Rulebook) -> float:
    """What an indicator's findings cost: the rule's declared deduction, capped at the indicator's points."""
    ind = book[code]
    if ind.points is None:
        return 0.0  # unknown nationally: reported, not deducted
    return min(RULES[code].deduction(findings, ind), ind.points)


def verdict(kind: str, findings: list[Finding], book: Rulebook,
            suppressed: set[tuple[str, str]] = frozenset(), *, vetoes_monitored: bool = True) -> Verdict:
    """`vetoes_monitored`: at least one veto indicator of the target's kind was run (not all declared 未开展监测)."""
    result = _verdict(kind, findings, book, suppressed)
    if result.result == QUALIFIED and not vetoes_monitored:
        return Verdict(PENDING, False, result.score, result.bonus, [NO_VETO_MONITORED])
    return result


def _verdict(kind: str, findings: list[Finding], book: Rulebook, suppressed: set[tuple[str, str]]) -> Verdict:
    live = [f for f in findings if (f.indicator, f.subject) not in suppressed]
    vetoes = [book[f.indicator].reason for f in live
              if f.site_level and f.outcome == FAIL and book[f.indicator].kind == "veto"]
    pending = [NO_DATA if f.reason == NO_DATA else f"{book[f.indicator].name}待复核" for f in live
               if f.site_level and f.outcome in (INCONCLUSIVE, ERROR) and book[f.indicator].kind == "veto"]
    if vetoes:
        return Verdict(UNQUALIFIED, True, None, None, list(dict.fromkeys(vetoes)))
    if kind == ACCOUNT:  # new media are judged on the veto items only: no score
        if pending:
            return Verdict(PENDING, False, None, None, list(dict.fromkeys(pending)))
        return Verdict(QUALIFIED, False, None, None, [])
    scoring = book.scoring
    by_indicator: dict[str, list[Finding]] = {}
    for f in live:
        by_indicator.setdefault(f.indicator, []).append(f)
    lost = {code: deduction(code, fs, book) for code, fs in by_indicator.items() if book[code].kind == "deduction"}
    score = round(scoring["deduction_total"] - sum(lost.values()), 2)
    bonus = 0.0 if kind == "portal" and score > scoring["bonus_above"] else None
    if score < scoring["fail_below"]:
        reasons = [f"评分低于{scoring['fail_below']:g}分"] + [book[c].reason for c, v in lost.items() if v]
        return Verdict(UNQUALIFIED, False, score, bonus, reasons)
    if pending:
        return Verdict(PENDING, False, score, bonus, list(dict.fromkeys(pending)))
    return Verdict(QUALIFIED, False, score, bonus, [])
