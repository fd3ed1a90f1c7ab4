"""个人信息泄露 (review) — What: 18-digit ID card numbers with a valid check digit, and mobile numbers, in page text.

Why: leaking personal data is a serious problem (安全、泄密事故, veto) — but a number in a page may be a published
hotline or a test value, so these are candidates for a person to review, never automatic verdicts.
Example: "身份证号：532501198506123215" → review candidate with its context.
"""

from __future__ import annotations

import re
from datetime import date

from monitor.checks.facts import SiteFacts
from monitor.checks.model import PASS, REVIEW, Finding
from monitor.checks.rule import CRAWL, Rule
from monitor.checks.rulebook import Indicator

CODE = "personal_data"
ID_NUMBER = re.compile(r"(?<![\dA-Za-z])([1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx])(?![\dA-Za-z])")
MOBILE = re.compile(r"(?<!\d)(1[3-9]\d{9})(?!\d)")
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def valid_id(number: str) -> bool:
    """GB 11643 check digit."""
    total = sum(int(c) * w for c, w in zip(number[:17], WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == number[17].upper()


def check(facts: SiteFacts, ind: Indicator, as_of: date) -> list[Finding]:
    findings = []
    for page in facts.pages:
        text = page.text_sample or ""
        for kind, pattern in (("身份证号", ID_NUMBER), ("手机号", MOBILE)):
            for m in pattern.finditer(text):
                value = m.group(1)
                if kind == "身份证号" and not valid_id(value):
                    continue
                masked = value[:6] + "*" * (len(value) - 10) + value[-4:]
                findings.append(Finding(CODE, f"{page.url}#{masked}", REVIEW, f"疑似泄露{kind}", masked, "无",
                                        {"url": page.url, "kind": kind,
                                         "context": text[max(0, m.start() - 15):m.end() + 5].replace(value, masked)}))
    findings.append(Finding(CODE, "", REVIEW if findings else PASS, ind.reason if findings else "",
                            f"{len(findings)}处", "0处", {}))
    return findings


RULE = Rule(CODE, check, scope=CRAWL, needs=("pages",), params=())
