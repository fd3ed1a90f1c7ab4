"""必要栏目 — What: the columns every government website must offer (概况信息, 机构职能, 领导信息, 动态要闻, 政策文件,
政策解读), looked for among the site's columns and the anchors of every link on the pages crawled.

Why: 2019 发布解读 asks for these columns (applied so in 国管局's 2019 Q2 self-check, S6: "概况信息、机构职能、领导信息、
动态要闻、政策文件、政策解读" checked as required); a city rewrite deducts 1 point per missing 概况信息 or 机构职能 column
(L). National points are not known, and a column can sit deeper than the pages a crawl samples, so a column not
seen is a review item for a person (疑似未开设), never a failure by itself. Nothing is judged when the homepage's
links were not read.
Example: no column or link named 解读 on the homepage, the column pages or the sampled articles → review
"疑似未开设政策解读栏目".
"""

from __future__ import annotations

from datetime import date

from monitor.checks.facts import SiteFacts
from monitor.checks.model import INCONCLUSIVE, PASS, REVIEW, Finding
from monitor.checks.rule import CRAWL, Rule
from monitor.checks.rulebook import Indicator

CODE = "required_columns"


def check(facts: SiteFacts, ind: Indicator, as_of: date) -> list[Finding]:
    required = dict(_entry(text) for text in ind.param("required"))
    threshold = "、".join(required)
    if not any(link.on_homepage for link in facts.links):
        return [Finding(CODE, "", INCONCLUSIVE, "首页链接未能读取,待复核", "", threshold, {"as_of": str(as_of)})]
    names = [c.name for c in facts.columns] + [c.path or "" for c in facts.columns]
    names += [link.anchor or "" for link in facts.links]
    # One string to search instead of thousands of anchors per word; NUL is in no name, so no word spans two.
    haystack = "\0".join(names)
    findings = []
    for column, words in required.items():
        if any(word in haystack for word in words if "\0" not in word):
            continue
        findings.append(Finding(CODE, column, REVIEW, f"疑似未开设{column}栏目", "首页及已抓取页面未见入口",
                                f"开设{column}栏目", {"looked_for": words, "as_of": str(as_of)}))
    missing = [f.subject for f in findings]
    observed = f"未见{'、'.join(missing)}" if missing else "均已开设"
    findings.append(Finding(CODE, "", REVIEW if missing else PASS, ind.reason if missing else "", observed, threshold,
                            {"missing": missing, "as_of": str(as_of)}))
    return findings


def _entry(text: str) -> tuple[str, list[str]]:
    """"政策解读=解读|政策图解" → ("政策解读", ["解读", "政策图解"]); a bare name is its own word."""
    column, _, words = text.partition("=")
    return column.strip(), [w.strip() for w in (words or column).split("|") if w.strip()]


RULE = Rule(CODE, check, scope=CRAWL, needs=("links", "columns"), params=("required",))
