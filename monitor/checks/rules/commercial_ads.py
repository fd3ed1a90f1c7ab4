"""商业广告 — What: advertising scripts or links to commercial sites on government pages.

Why: the 2017 national notice lists "刊登商业广告" among website problems (no 2019 clause with points was found).
The ad and shop hosts are rulebook data (params.ad_hosts); a host matches when it is, or ends with, a listed one
(an entry ending with '.' matches a host prefix, e.g. "ads.").
Example: <script src="http://cpro.baidustatic.com/cpro/ui/c.js"> on the homepage → fail.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from urllib.parse import urlsplit

from monitor.checks.facts import SiteFacts
from monitor.checks.model import FAIL, PASS, Finding
from monitor.checks.rule import CRAWL, Rule
from monitor.checks.rulebook import Indicator

CODE = "commercial_ads"


def ad_host_matcher(ad_hosts: list[str]) -> Callable[[str], bool]:
    """Whether a host is a listed one or under it, or starts with a listed prefix: a set look-up per label of the
    host (www.jd.com, jd.com, com), since a site's links are tens of thousands and the list is dozens."""
    exact = frozenset(a for a in ad_hosts if not a.endswith("."))
    prefixes = tuple(a for a in ad_hosts if a.endswith("."))

    def matches(host: str) -> bool:
        if prefixes and host.startswith(prefixes):
            return True
        while host not in exact:
            dot = host.find(".")
            if dot < 0:
                return False
            host = host[dot + 1:]
        return True

    return matches


def check(facts: SiteFacts, ind: Indicator, as_of: date) -> list[Finding]:
    is_ad = ad_host_matcher(ind.param("ad_hosts"))
    findings, seen = [], set()
    for link in facts.links:
        host = (urlsplit(link.url).hostname or "").lower()
        if link.url in seen or not is_ad(host):
            continue
        seen.add(link.url)
        findings.append(Finding(CODE, link.url, FAIL, "存在商业广告或商业链接", host, "无商业广告",
                                {"url": link.url, "parent_url": link.source_url, "anchor": link.anchor,
                                 "tag": link.tag, "as_of": str(as_of)}))
    n = sum(facts.counts(CODE, f.subject) for f in findings)
    findings.append(Finding(CODE, "", FAIL if n else PASS, ind.reason if n else "", f"{n}处", "0处", {}))
    return findings


RULE = Rule(CODE, check, scope=CRAWL, needs=("links",), params=("ad_hosts", "points_each"))
