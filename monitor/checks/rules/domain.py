"""域名规范 — What: the homepage host follows the government-domain rules.

Why: 47号: "政府网站要使用以.gov.cn为后缀的英文域名"; portals use "www.□□□.gov.cn"; department sites use a
sub-domain of their level's portal ("○○○.□□□.gov.cn").
Example: 示例州教育局 at jyj.slz-edu.com → fail (not .gov.cn; not under the portal slz.gov.cn).
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from monitor.checks.facts import SiteFacts
from monitor.checks.model import FAIL, PASS, Finding
from monitor.checks.rule import CRAWL, Rule
from monitor.checks.rulebook import Indicator

CODE = "domain"


def problems(host: str, kind: str, parent_host: str | None) -> list[str]:
    out = []
    if not host.endswith(".gov.cn"):
        out.append("未使用.gov.cn域名")
    if kind == "portal" and not (host.startswith("www.") and host.count(".") == 3 and host.endswith(".gov.cn")):
        out.append("门户网站域名不是www.□□□.gov.cn结构")
    if kind == "department" and parent_host:
        portal = parent_host.removeprefix("www.")
        if not host.endswith("." + portal):
            out.append(f"部门网站域名不是门户网站{portal}的下级域名")
    return out


def check(facts: SiteFacts, ind: Indicator, as_of: date) -> list[Finding]:
    host = (urlsplit(facts.site.homepage).hostname or "").lower()
    parent = urlsplit(facts.parent_homepage).hostname if facts.parent_homepage else None
    found = problems(host, facts.site.kind, parent)
    evidence = {"url": facts.site.homepage, "host": host, "parent_host": parent}
    if found:
        return [Finding(CODE, "", FAIL, ind.reason, ";".join(found), ".gov.cn 规范域名", evidence)]
    return [Finding(CODE, "", PASS, "", host, ".gov.cn 规范域名", evidence)]


RULE = Rule(CODE, check, scope=CRAWL, needs=("site", "parent_homepage"), params=())
