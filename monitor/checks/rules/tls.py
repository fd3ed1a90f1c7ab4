"""HTTPS证书问题 (review) — What: pages or links of the site whose TLS handshake failed.

Why: a failed handshake may be an expired or wrong certificate on the site — or an old cipher our client refuses;
a person decides. Never a verdict.
Example: https://www.slyx.gov.cn/ → OpenSSL "wrong version number" → review.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from monitor.checks.facts import SiteFacts
from monitor.checks.model import PASS, REVIEW, Finding
from monitor.checks.rule import CRAWL, Rule
from monitor.checks.rulebook import Indicator

CODE = "tls"


def check(facts: SiteFacts, ind: Indicator, as_of: date) -> list[Finding]:
    site_host = urlsplit(facts.site.homepage).hostname
    failing = {p.url: p.error for p in facts.pages if p.outcome == "tls"}
    failing.update({lk.url: lk.error for lk in facts.links
                    if lk.outcome == "tls" and urlsplit(lk.url).hostname == site_host})
    findings = [Finding(CODE, url, REVIEW, "HTTPS连接异常", error or "tls", "TLS握手成功", {"url": url, "error": error})
                for url, error in sorted(failing.items())]
    findings.append(Finding(CODE, "", REVIEW if findings else PASS, ind.reason if findings else "",
                            f"{len(findings)}处", "0处", {}))
    return findings


RULE = Rule(CODE, check, scope=CRAWL, needs=("site", "pages", "links"), params=())
