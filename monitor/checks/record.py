"""Recording what the rules found: findings per target and period, and the violations' life cycle.

Shared by the checks pipeline (the rules of one crawl, when the crawl ends) and `govmon evaluate` (every rule, and the
verdict): one way of writing, so a finding means the same wherever it was made.

Violations: a failing finding opens a violation or refreshes its last_seen (first_seen is kept); one no longer seen
is resolved — only when its indicator was judged this time (a definite whole-target outcome: not inconclusive,
skipped or error); one seen again is re-opened; re-judging an earlier monitoring point never undoes a later
resolution. A reviewer's note in the evidence is kept when the violation is seen again.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection

from monitor import db
from monitor.checks.model import ERROR, FAIL, INCONCLUSIVE, SKIPPED, Finding


def store_findings(conn: Connection, period: str, as_of: datetime, target: tuple[str, str],
                   findings: list[Finding], indicators: Iterable[str] | None = None) -> None:
    """Replace the target's findings of the period (of the given indicators only, when named) with `findings`."""
    f = db.findings
    query = delete(f).where(f.c.period == period, f.c.target_kind == target[0], f.c.target_id == target[1])
    if indicators is not None:
        query = query.where(f.c.indicator.in_(list(indicators)))
    conn.execute(query)
    rows = {(x.indicator, x.subject): {
        "period": period, "as_of": as_of, "target_kind": target[0], "target_id": target[1],
        "indicator": x.indicator, "subject": x.subject, "outcome": x.outcome, "observed": x.observed,
        "threshold": x.threshold, "reason": x.reason, "evidence": x.evidence} for x in findings}
    if rows:
        conn.execute(f.insert(), list(rows.values()))


def existing_violations(conn: Connection, target: tuple[str, str]) -> dict[tuple[str, str], dict]:
    v = db.violations
    query = select(v).where(v.c.target_kind == target[0], v.c.target_id == target[1])
    return {(r.indicator, r.subject): dict(r._mapping) for r in conn.execute(query)}


def update_violations(conn: Connection, as_of: datetime, target: tuple[str, str], findings: list[Finding]) -> None:
    existing = existing_violations(conn, target)
    failing = {(f.indicator, f.subject): f for f in findings if f.outcome == FAIL}
    unsure = {(f.indicator, f.subject) for f in findings if f.outcome == INCONCLUSIVE}
    judged = {f.indicator for f in findings if f.site_level and f.outcome not in (INCONCLUSIVE, SKIPPED, ERROR)}
    table = db.violations
    for key, f in failing.items():
        old = existing.get(key)
        evidence = {**f.evidence, "observed": f.observed, "threshold": f.threshold}  # re-checkable on its own
        if old is None:
            conn.execute(table.insert().values(
                target_kind=target[0], target_id=target[1], indicator=f.indicator, subject=f.subject,
                first_seen=as_of, last_seen=as_of, resolved_at=None, review="pending", reason=f.reason,
                evidence=evidence))
            continue
        resolved = old["resolved_at"] if old["resolved_at"] is not None and as_of < old["resolved_at"] else None
        values = {"first_seen": min(old["first_seen"], as_of), "resolved_at": resolved}
        if as_of >= old["last_seen"]:
            values |= {"last_seen": as_of, "reason": f.reason, "evidence": _keep_review(evidence, old["evidence"])}
        conn.execute(update(table).where(table.c.id == old["id"]).values(**values))
    for key, old in existing.items():
        if key[0] not in judged or key in failing or key in unsure:
            continue
        if old["resolved_at"] is None and old["last_seen"] <= as_of:
            conn.execute(update(table).where(table.c.id == old["id"]).values(resolved_at=as_of))


def _keep_review(evidence: dict, old: dict | None) -> dict:
    """New evidence, keeping the reviewer's note of the old one."""
    if old and "review" in old:
        return {**evidence, "review": old["review"]}
    return evidence
