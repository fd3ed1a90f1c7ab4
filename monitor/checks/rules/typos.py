"""错别字 — What: known wrong words in page text, from a high-precision confusion list with context guards.

Why: notices criticise 错字漏字 (e.g. 四川 2018 Q4: 案列, 拔给, 海拨). Only exact list entries are findings: a guard
(本案列入 for 案列) suppresses a hit whose surrounding text makes the string correct. The list lives in
rulebooks/typos.yaml; the parameter user_list (filled from MONITOR_TYPO_LIST when the rulebook is loaded) adds a user file (leader names and titles, institution names) in the same
format. Each finding carries the context snippet for a person to confirm.
Example: "本次检查通报了三起典型案列。" → fail 案列→案例; "该问题本案列入重点督办事项" → nothing.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import yaml

from monitor.checks.facts import SiteFacts
from monitor.checks.model import FAIL, PASS, Finding
from monitor.checks.rule import CRAWL, Rule
from monitor.checks.rulebook import Indicator

CODE = "typos"
BUILTIN = files("monitor.checks") / "rulebooks" / "typos.yaml"  # package data: also read from a zipped egg
CONTEXT = 20


@lru_cache(maxsize=8)
def confusion_list(extra: str = "") -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    entries = yaml.safe_load(BUILTIN.read_text(encoding="utf-8"))["typos"]
    if extra:
        entries += (yaml.safe_load(Path(extra).read_text(encoding="utf-8")) or {}).get("typos", [])
    return tuple((e["wrong"], e["right"], tuple(e.get("guards") or ())) for e in entries)


def find_typos(text: str, pairs: tuple[tuple[str, str, tuple[str, ...]], ...]) -> list[tuple[str, str, str]]:
    """(wrong, right, context) for every unguarded occurrence."""
    hits = []
    for wrong, right, guards in pairs:
        start = text.find(wrong)
        while start != -1:
            window = text[max(0, start - 8):start + len(wrong) + 8]
            if not any(g in window and _covers(window, g, wrong, start - max(0, start - 8)) for g in guards):
                hits.append((wrong, right, text[max(0, start - CONTEXT):start + len(wrong) + CONTEXT]))
            start = text.find(wrong, start + 1)
    return hits


def _covers(window: str, guard: str, wrong: str, offset: int) -> bool:
    """Does an occurrence of guard in window contain the hit at offset?"""
    i = window.find(guard)
    while i != -1:
        if i <= offset and offset + len(wrong) <= i + len(guard):
            return True
        i = window.find(guard, i + 1)
    return False


def check(facts: SiteFacts, ind: Indicator, as_of: date) -> list[Finding]:
    pairs = confusion_list(ind.params.get("user_list") or "")
    by_subject: dict[str, Finding] = {}
    for page in facts.pages:
        for wrong, right, context in find_typos(page.text_sample or "", pairs):
            # One finding per wrong word and page (its first context), as a person would list it.
            by_subject.setdefault(f"{page.url}#{wrong}", Finding(
                CODE, f"{page.url}#{wrong}", FAIL, f"错别字:{wrong}→{right}", wrong, right,
                {"url": page.url, "title": page.title, "context": context, "as_of": str(as_of)}))
    findings = list(by_subject.values())
    n = sum(facts.counts(CODE, f.subject) for f in findings)
    findings.append(Finding(CODE, "", FAIL if n else PASS, ind.reason if n else "", f"{n}处", "0处", {}))
    return findings


RULE = Rule(CODE, check, scope=CRAWL, needs=("pages",), params=("points_each", "user_list"))
