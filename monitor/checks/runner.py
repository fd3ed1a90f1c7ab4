"""Running rules: each rule isolated, so one failing rule never stops the others or the evaluation.

An exception inside a rule becomes one whole-target finding with the outcome `error` (its traceback is logged and its
last line kept as evidence); scoring treats an `error` of a veto indicator like an inconclusive one (待定), never as
a pass or a fail.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterable
from datetime import date
from typing import Any

from monitor.checks.model import ERROR, Finding
from monitor.checks.rule import Rule
from monitor.checks.rulebook import Rulebook

log = logging.getLogger(__name__)
ERROR_REASON = "规则执行出错,待复核"


def run_rules(rules: Iterable[Rule], facts: Any, book: Rulebook, as_of: date, target: str = "") -> list[Finding]:
    findings: list[Finding] = []
    for rule in rules:
        try:
            findings += rule.check(facts, book[rule.code], as_of)
        except Exception as exc:  # a defect in one rule must not decide, or stop, the others
            log.exception("rule %s failed on %s", rule.code, target or "a target")
            last = traceback.format_exception_only(exc)[-1].strip()
            findings.append(Finding(rule.code, "", ERROR, ERROR_REASON, last[:300], "", {"error": last[:1000]}))
    return findings
