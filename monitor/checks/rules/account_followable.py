"""无法关注或下载 (政务新媒体) — What: the account cannot be followed (or its app downloaded).

Why: an account the public cannot follow reaches no one. No national clause or notice wording was found
(indicators.md §5 lists none; confidence ?): reported as a problem, never scored (points null) unless a local
rulebook decides otherwise.
The adapters record followable true (a follow button or a followable profile was seen), false (seen refused) or
nothing (not shown): false → fail, not shown → inconclusive, never a fail. An account that could not be read is
inconclusive with the reason why.
Example: a 抖音 profile whose follow button is missing and marked unavailable → followable false → fail.
"""

from __future__ import annotations

from datetime import date

from monitor.checks.account_facts import AccountFacts, unread
from monitor.checks.model import FAIL, INCONCLUSIVE, PASS, Finding
from monitor.checks.rule import CRAWL, Rule
from monitor.checks.rulebook import Indicator

CODE = "account_followable"
THRESHOLD = "账号可被关注"


def check(facts: AccountFacts, ind: Indicator, as_of: date) -> list[Finding]:
    if (nothing := unread(facts, CODE, THRESHOLD)) is not None:
        return nothing
    reading = facts.check
    assert reading is not None
    evidence = {"url": reading.url, "followable": reading.followable, "fetched_at": str(reading.fetched_at),
                "source": reading.source, "as_of": str(as_of)}
    if reading.followable is None:
        return [Finding(CODE, "", INCONCLUSIVE, "未能识别关注功能", "未识别到关注按钮", THRESHOLD, evidence)]
    if reading.followable:
        return [Finding(CODE, "", PASS, "", "可关注", THRESHOLD, evidence)]
    return [Finding(CODE, "", FAIL, ind.reason, "无法关注", THRESHOLD, evidence)]


RULE = Rule(CODE, check, target_kind="account", scope=CRAWL, needs=("check",))
