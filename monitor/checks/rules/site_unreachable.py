"""站点无法访问 — What: the share of failed homepage visits over the week before the monitoring point.

Why: "监测1周,每天间隔性访问20次以上,超过(含)15秒网站仍打不开的次数累计占比超过(含)5%,即单项否决。"
A visit fails when the page has not fully arrived within 15 s (15 s itself fails), or the site answers with no page
(DNS, refused, TLS, 404/410/5xx, reset). 401/403/407/408/429 answers may be our own blocking: such visits are left
out of both counts. Every one of the 7 days needs at least 20 counted visits; otherwise the evidence is
insufficient and the result is inconclusive — never a pass. Without any probe in the window the result is
inconclusive too (无监测数据), unless the office declared that it does not monitor availability
(MONITOR_NOT_MONITORED), in which case evaluation does not run this rule at all. IPv6 visits are reported, not counted here.
Example: 7 failures in 140 visits = 5.00 % → veto 无法访问; 6 in 140 = 4.29 % → pass.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

from monitor.checks.facts import SiteFacts
from monitor.checks.model import FAIL, INCONCLUSIVE, NO_DATA, PASS, Finding
from monitor.checks.outcomes import UNSURE_STATUS
from monitor.checks.rule import WINDOW, Rule
from monitor.checks.rulebook import Indicator

CODE = "site_unreachable"


def visit_failed(outcome: str, status: int | None, latency_ms: int | None, timeout_s: float) -> bool | None:
    """True failed, False opened in time, None not evidence (our side was refused, or our own address policy
    refused the visit: a fault of the monitor's configuration, never of the site)."""
    if status in UNSURE_STATUS or outcome == "forbidden":
        return None
    if outcome == "ok":  # a page without a measured time is no evidence either way
        return None if latency_ms is None else latency_ms >= timeout_s * 1000
    if outcome == "http":
        return status is None or status >= 400
    return True  # no page at all: timeout, DNS, refused, TLS, reset …


def check(facts: SiteFacts, ind: Indicator, as_of: date) -> list[Finding]:
    days, per_day = ind.param("window_days"), ind.param("min_visits_per_day")
    timeout_s, share_limit = ind.param("timeout_seconds"), ind.param("veto_share")
    end = datetime.combine(as_of, datetime.min.time())
    start = end - timedelta(days=days)
    visits = [p for p in facts.probes if p.family == "any" and start <= p.probed_at < end]
    threshold = f"失败占比<{share_limit:.0%}(每天≥{per_day}次,{days}天,超过(含){timeout_s:g}秒为失败)"
    if not visits:
        return [Finding(CODE, "", INCONCLUSIVE, NO_DATA, "监测窗口内无访问记录", threshold,
                        {"window": [str(start), str(end)]})]
    counted: Counter[date] = Counter()
    failed = 0
    failures = []
    for v in visits:
        verdict = visit_failed(v.outcome, v.status, v.latency_ms, timeout_s)
        if verdict is None:
            continue
        counted[v.probed_at.date()] += 1
        if verdict:
            failed += 1
            failures.append(f"{v.probed_at:%Y-%m-%d %H:%M} {v.outcome} {v.status or ''}".strip())
    total = sum(counted.values())
    short = {str(start.date() + timedelta(days=i)): counted.get(start.date() + timedelta(days=i), 0)
             for i in range(days) if counted.get(start.date() + timedelta(days=i), 0) < per_day}
    share = failed / total if total else 0.0
    observed = f"访问{total}次,失败{failed}次,占比{share:.2%}"
    evidence = {"url": facts.site.homepage, "visits": total, "failed": failed, "share": round(share, 4),
                "failures": failures[:50], "days_short": short, "window": [str(start), str(end)]}
    ipv6 = [p for p in facts.probes if p.family == "ipv6" and start <= p.probed_at < end]
    if ipv6:
        evidence["ipv6"] = dict(Counter(p.outcome for p in ipv6))
    if short:  # the protocol's evidence is incomplete: neither a veto nor a pass
        return [Finding(CODE, "", INCONCLUSIVE, "监测次数不足,待复核", observed, threshold, evidence)]
    if share >= share_limit:
        return [Finding(CODE, "", FAIL, ind.reason, observed, threshold, evidence)]
    return [Finding(CODE, "", PASS, "", observed, threshold, evidence)]


RULE = Rule(CODE, check, scope=WINDOW, needs=("site", "probes"), params=("window_days", "min_visits_per_day", "timeout_seconds", "veto_share"))
