"""商业广告 — What: advertising scripts or links to commercial sites on government pages.

Why: the 2017 national notice lists "刊登商业广告" among website problems (no 2019 clause with points was found).
The ad and shop hosts are rulebook data (params.ad_hosts); a host matches when it is, or ends with, a listed one
(an entry ending with '.' matches a host prefix, e.g. "ads.").
Example: <script src="http://cpro.baidustatic.com/cpro/ui/c.js"> on the homepage → fail.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from monitor.checks.facts import SiteFacts
from monitor.checks.model import FAIL, PASS, Finding
from monitor.checks.rule import CRAWL, Rule
from monitor.checks.rulebook import Indicator

CODE = "commercial_ads"


def is_ad_host(host: str, ad_hosts: list[str]) -> bool:
    return any(host.startswith(a) if a.endswith(".") else host == a or host.endswith("." + a) for a in ad_hosts)


def check(facts: SiteFacts, ind: Indicator, as_of: date) -> list[Finding]:
    ad_hosts = ind.param("ad_hosts")
    findings, seen = [], set()
    for link in facts.links:
        host = (urlsplit(link.url).hostname or "").lower()
        if link.url in seen or not is_ad_host(host, ad_hosts):
            continue
        seen.add(link.url)
        findings.append(Finding(CODE, link.url, FAIL, "存在商业广告或商业链接", host, "无商业广告",
                                {"url": link.url, "parent_url": link.source_url, "anchor": link.anchor,
                                 "tag": link.tag, "as_of": str(as_of)}))
    n = sum(facts.counts(CODE, f.subject) for f in findings)
    findings.append(Finding(CODE, "", FAIL if n else PASS, ind.reason if n else "", f"{n}处", "0处", {}))
    return findings


RULE = Rule(CODE, check, scope=CRAWL, needs=("links",), params=("ad_hosts", "points_each"))
