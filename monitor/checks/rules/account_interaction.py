"""互动回应差 (政务新媒体) — What: the account offers no working interaction feature (comments, 留言, menu, auto-reply).

Why: listed among the new-media veto cases as "未提供有效互动功能" (连云港 2023) and "互动回应差,未提供有效互动功能"
(常德 2020); 陕西 2020 Q1 names a 公众号 that "未提供有效互动功能" (indicators.md §5, confidence C; no national
wording or reply-time rule found).
The platform adapters record each feature they saw as true (offered) or false (seen switched off); a feature not
seen is absent from the mapping, never false. So: any feature offered → pass; every observed feature switched off
→ fail; nothing observed (a page that does not show its features) → inconclusive (未能识别互动功能), never a fail.
An account that could not be read is inconclusive with the reason why.
Example: a 公众号 whose newest article has comments closed and no menu → {"comments": false, "menu": false} → fail.
"""

from __future__ import annotations

from datetime import date

from monitor.checks.account_facts import AccountFacts, unread
from monitor.checks.model import FAIL, INCONCLUSIVE, PASS, Finding
from monitor.checks.rule import CRAWL, Rule
from monitor.checks.rulebook import Indicator

CODE = "account_interaction"
THRESHOLD = "提供至少一种有效互动功能(留言、评论、菜单、自动回复等)"
# How features are named in evidence and reasons (the adapters' keys; `export`: an activity export's 互动功能 column).
FEATURES = {"comments": "评论", "message": "留言", "menu": "菜单", "auto_reply": "自动回复", "export": "互动功能"}


def check(facts: AccountFacts, ind: Indicator, as_of: date) -> list[Finding]:
    if (nothing := unread(facts, CODE, THRESHOLD)) is not None:
        return nothing
    reading = facts.check
    assert reading is not None
    seen = {k: v for k, v in (reading.interaction or {}).items() if v is not None}
    evidence = {"url": reading.url, "interaction": seen, "fetched_at": str(reading.fetched_at),
                "source": reading.source, "as_of": str(as_of)}
    if not seen:
        return [Finding(CODE, "", INCONCLUSIVE, "未能识别互动功能", "未识别到互动功能信息", THRESHOLD, evidence)]
    offered = [FEATURES.get(k, k) for k, v in seen.items() if v]
    if offered:
        return [Finding(CODE, "", PASS, "", "提供" + "、".join(offered), THRESHOLD, evidence)]
    off = "、".join(FEATURES.get(k, k) for k in seen)
    return [Finding(CODE, "", FAIL, ind.reason, f"{off}均未开放", THRESHOLD, evidence)]


RULE = Rule(CODE, check, target_kind="account", scope=CRAWL, needs=("check",))
