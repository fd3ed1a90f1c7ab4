"""暗链及违规内容 (review) — What: hidden links (display:none, off-screen, zero font) and gambling/pornography
keywords in page text.

Why: "发布或链接反动、暴力、色情等内容" and "页面被挂马、内容被篡改" are serious problems; injected links are hidden on
purpose. A person reviews every candidate: templates also hide harmless menus.
Example: <div style="display:none"><a href="http://www.bet365-vip.com/">澳门博彩娱乐</a></div> → review.
"""

from __future__ import annotations

from datetime import date

from monitor.checks.facts import SiteFacts
from monitor.checks.model import PASS, REVIEW, Finding
from monitor.checks.rule import CRAWL, Rule
from monitor.checks.rulebook import Indicator

CODE = "hidden_links"


def check(facts: SiteFacts, ind: Indicator, as_of: date) -> list[Finding]:
    keywords = ind.param("keywords")
    findings, seen = [], set()
    for link in facts.links:
        if link.hidden and link.external and link.url not in seen:
            seen.add(link.url)
            findings.append(Finding(CODE, link.url, REVIEW, "疑似暗链", link.anchor or "", "无隐藏外链",
                                    {"url": link.url, "parent_url": link.source_url, "anchor": link.anchor}))
    for page in facts.pages:
        text = page.text_sample or ""
        for word in keywords:
            i = text.find(word)
            if i != -1:
                findings.append(Finding(CODE, f"{page.url}#{word}", REVIEW, "疑似违规内容", word, "无",
                                        {"url": page.url, "context": text[max(0, i - 20):i + 20]}))
    findings.append(Finding(CODE, "", REVIEW if findings else PASS, ind.reason if findings else "",
                            f"{len(findings)}处", "0处", {}))
    return findings


RULE = Rule(CODE, check, scope=CRAWL, needs=("links", "pages"), params=("keywords",))
