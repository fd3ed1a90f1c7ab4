"""我为政府网站找错入口 — What: the homepage links to the national 找错 platform.

Why: 2019 checks "'我为政府网站找错'入口设置符合规范" under 功能设计; since 2016 the entrance is expected on the
homepage. A link or the platform's script (zfwzgl.www.gov.cn / jiucuo) counts.
Example: no such link on the rendered homepage → fail "首页未设置“我为政府网站找错”入口".
"""

from __future__ import annotations

from datetime import date

from monitor.checks.facts import SiteFacts
from monitor.checks.model import FAIL, INCONCLUSIVE, PASS, Finding
from monitor.checks.rule import CRAWL, Rule
from monitor.checks.rulebook import Indicator

CODE = "zhaocuo_entrance"


def check(facts: SiteFacts, ind: Indicator, as_of: date) -> list[Finding]:
    home = facts.homepage
    evidence = {"url": facts.site.homepage, "as_of": str(as_of)}
    if home is None or home.outcome != "ok":
        return [Finding(CODE, "", INCONCLUSIVE, "首页无法读取,待复核", "", "首页设置找错入口", evidence)]
    if home.footer_zhaocuo:
        return [Finding(CODE, "", PASS, "", "有", "首页设置找错入口", evidence)]
    return [Finding(CODE, "", FAIL, ind.reason, "无", "首页设置找错入口", evidence)]


RULE = Rule(CODE, check, scope=CRAWL, needs=("site", "homepage"), params=())
