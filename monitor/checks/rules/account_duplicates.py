"""同一单位同一平台多个账号 (政务新媒体) — What: the account's unit runs other active accounts on the same platform.

Why: 国办发〔2018〕123号: "一个单位原则上在同一平台只开设一个政务新媒体账号"; 陕西 2020 Q1 names "麟游县公安局通过
微博开设的账号数量为4个" (indicators.md §5, confidence C). A management rule, not a scored item: reported, points
null. Judged from the registry alone (the other active accounts of the same 开设主体 on the same platform), so
it needs no reading of the account; each of the unit's accounts carries the finding, naming all of them.
Example: 麟游县公安局 with four 微博 accounts → each fails with "同一单位在同一平台开设4个账号".
"""

from __future__ import annotations

from datetime import date

from monitor.checks.account_facts import AccountFacts
from monitor.checks.model import FAIL, PASS, Finding
from monitor.checks.rule import CRAWL, Rule
from monitor.checks.rulebook import Indicator

CODE = "account_duplicates"
THRESHOLD = "同一单位在同一平台原则上只开设1个账号"


def check(facts: AccountFacts, ind: Indicator, as_of: date) -> list[Finding]:
    account = facts.account
    siblings = [s for s in facts.siblings if s.active and s.account != account.account]
    everyone = sorted([account, *siblings], key=lambda a: (a.name, a.account))
    evidence = {"owner_unit": account.owner_unit, "platform": account.platform, "count": len(everyone),
                "accounts": [{"account": a.account, "name": a.name} for a in everyone], "as_of": str(as_of)}
    if not siblings:
        return [Finding(CODE, "", PASS, "", f"{account.owner_unit}在{account.platform}开设1个账号", THRESHOLD, evidence)]
    names = "、".join(f"“{a.name}”" for a in everyone)
    observed = f"{account.owner_unit}在{account.platform}开设{len(everyone)}个账号:{names}"
    return [Finding(CODE, "", FAIL, f"{ind.reason}({len(everyone)}个)", observed, THRESHOLD, evidence)]


RULE = Rule(CODE, check, target_kind="account", scope=CRAWL, needs=("account", "siblings"))
