"""IPv6支持 — What: the homepage resolves to an IPv6 address and answers over IPv6.

Why: 2019 checks "已完成IPv6改造" under 功能设计 (points not found). Judged on the newest IPv6 visit of the probe in
the week before the monitoring point: no AAAA record → fail; the page over IPv6 → pass; no IPv6 route from the
monitoring machine → inconclusive (our network, not the site); no IPv6 visit at all → skipped.
Example: www.kaiyuan.gov.cn answers over IPv4 only (no AAAA) → fail 未支持IPv6访问.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from monitor.checks.facts import SiteFacts
from monitor.checks.model import FAIL, INCONCLUSIVE, PASS, SKIPPED, Finding
from monitor.checks.rule import WINDOW, Rule
from monitor.checks.rulebook import Indicator
from monitor.guard import FORBIDDEN_REASON

CODE = "ipv6"


def check(facts: SiteFacts, ind: Indicator, as_of: date) -> list[Finding]:
    end = datetime.combine(as_of, datetime.min.time())
    visits = sorted((p for p in facts.probes if p.family == "ipv6" and end - timedelta(days=7) <= p.probed_at < end),
                    key=lambda p: p.probed_at)
    if not visits:
        return [Finding(CODE, "", SKIPPED, "未开展IPv6监测", "", "IPv6可访问", {})]
    last = visits[-1]
    evidence = {"url": last.url, "probed_at": str(last.probed_at), "address": last.address, "error": last.error}
    observed = f"{last.outcome} {last.status or ''}".strip()
    if last.outcome == "ok":
        return [Finding(CODE, "", PASS, "", observed, "IPv6可访问", evidence)]
    if last.outcome == "no_route":
        return [Finding(CODE, "", INCONCLUSIVE, "监测网络无IPv6路由,待复核", observed, "IPv6可访问", evidence)]
    if last.outcome == "forbidden":  # the address is internal: our policy refused it, the site is not judged
        return [Finding(CODE, "", INCONCLUSIVE, f"{FORBIDDEN_REASON},待复核", observed, "IPv6可访问", evidence)]
    return [Finding(CODE, "", FAIL, ind.reason, observed, "IPv6可访问", evidence)]


RULE = Rule(CODE, check, scope=WINDOW, needs=("probes",), params=())
