"""`govmon evaluate`: judge a period at an explicit monitoring point; `govmon review`: the reviewer's word.

For every active website: load the facts of its latest crawl run (or the given run) and its probes, run every rule
of monitor/checks/rules, store the findings (re-running a period replaces them), one verdict per site and period,
and keep the violations' life cycle: a failing finding opens a violation or refreshes its last_seen (first_seen is
kept); one no longer seen is resolved — only when its indicator was judged this time (a site that was only
probed, a homepage that did not load or an indicator without data leaves its violations as they are); one seen
again is re-opened; one a reviewer marked false_positive stays suppressed — it is recorded but counts neither
toward the verdict nor toward its indicator's totals (five blank columns, one of them a false positive, are four).
All times are the monitoring point, so a re-run gives the same rows.

    govmon evaluate --period 2021Q1 --as-of 2021-03-03 [--run RUN_ID] [--rulebook FILE]
    govmon review --violation 17 --state false_positive --note "栏目已于2021-02-20撤并"
"""

from __future__ import annotations

import argparse
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection, Engine

from monitor import db
from monitor.checks.facts import latest_run, load_site_facts
from monitor.checks.model import FAIL, INCONCLUSIVE, SKIPPED, Finding
from monitor.checks.rulebook import Rulebook, load_rulebook
from monitor.checks.rules import PROBE_RULES, RULES
from monitor.checks.scoring import PENDING, UNQUALIFIED, verdict
from monitor.config import add_database_argument, database_url

REVIEW_STATES = ("pending", "confirmed", "false_positive", "doubtful")


def quarter_of(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def resolve_period(period: str, as_of: date) -> str:
    """'2021Q1' as is; 'current' / 'previous' relative to the monitoring point."""
    if period == "current":
        return quarter_of(as_of)
    if period == "previous":
        q = (as_of.month - 1) // 3
        return f"{as_of.year - 1}Q4" if q == 0 else f"{as_of.year}Q{q}"
    if len(period) != 6 or period[4] != "Q" or not period[:4].isdigit() or period[5] not in "1234":
        raise ValueError(f"period {period!r}: expected like 2021Q1, or current / previous")
    return period


@dataclass
class EvaluationSummary:
    """What `govmon evaluate` prints: sites checked, results and the reasons of the 不合格/待定 verdicts."""
    period: str
    as_of: datetime
    checked: int = 0
    results: Counter = field(default_factory=Counter)
    reasons: Counter = field(default_factory=Counter)

    def __str__(self) -> str:
        bad = self.results[UNQUALIFIED]
        rate = (self.checked - bad) / self.checked if self.checked else 0.0
        lines = [f"{self.period} 监测时间点 {self.as_of:%Y-%m-%d %H:%M}: 检查网站{self.checked}个, "
                 f"合格{self.results['合格']}个, 不合格{bad}个, 待定{self.results[PENDING]}个, 合格率{rate:.2%}"]
        lines += [f"  {reason}: {n}个" for reason, n in self.reasons.most_common()]
        return "\n".join(lines)


Summary = EvaluationSummary  # the earlier name


def _store(conn: Connection, period: str, as_of: datetime, site: dict, findings: list[Finding], result) -> None:
    target = ("website", site["site_code"])
    conn.execute(delete(db.findings).where(db.findings.c.period == period, db.findings.c.target_kind == target[0],
                                           db.findings.c.target_id == target[1]))
    rows = {(f.indicator, f.subject): {
        "period": period, "as_of": as_of, "target_kind": target[0], "target_id": target[1],
        "indicator": f.indicator, "subject": f.subject, "outcome": f.outcome, "observed": f.observed,
        "threshold": f.threshold, "reason": f.reason, "evidence": f.evidence} for f in findings}
    if rows:
        conn.execute(db.findings.insert(), list(rows.values()))
    db.upsert(conn, db.verdicts, [{
        "period": period, "as_of": as_of, "target_kind": target[0], "target_id": target[1],
        "region_code": site["region_code"], "result": result.result, "veto": result.veto, "score": result.score,
        "bonus": result.bonus, "reasons": "；".join(result.reasons),
        "evaluated_at": datetime.now(UTC).replace(tzinfo=None)}], ["period", "target_kind", "target_id"])


def _lifecycle(conn: Connection, as_of: datetime, site_code: str, findings: list[Finding],
               existing: dict[tuple[str, str], dict]) -> None:
    failing = {(f.indicator, f.subject): f for f in findings if f.outcome == FAIL}
    unsure = {(f.indicator, f.subject) for f in findings if f.outcome == INCONCLUSIVE}
    # Indicators judged this time: a definite site-level outcome. Others (not run, skipped, inconclusive) say
    # nothing about whether an old violation went away.
    judged = {f.indicator for f in findings if f.site_level and f.outcome not in (INCONCLUSIVE, SKIPPED)}
    table = db.violations
    for key, f in failing.items():
        old = existing.get(key)
        evidence = {**f.evidence, "observed": f.observed, "threshold": f.threshold}  # re-checkable on its own
        if old is None:
            conn.execute(table.insert().values(
                target_kind="website", target_id=site_code, indicator=f.indicator, subject=f.subject,
                first_seen=as_of, last_seen=as_of, resolved_at=None, review="pending", reason=f.reason,
                evidence=evidence))
            continue
        # Seen again at or after its resolution: re-opened. Re-judging an earlier monitoring point does not undo a
        # later resolution.
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


def evaluate(engine: Engine, period: str, as_of: datetime, run_id: str | None = None,
             book: Rulebook | None = None, sites: list[str] | None = None) -> EvaluationSummary:
    """Judge every active website (or the given site codes) for `period` at the monitoring point `as_of`,
    reading `run_id` or else each site's latest website run; store findings, verdicts and violations."""
    book = book or load_rulebook()
    period = resolve_period(period, as_of.date())
    summary = EvaluationSummary(period, as_of)
    with engine.connect() as conn:
        query = select(db.websites).where(db.websites.c.active.is_(True)).order_by(db.websites.c.site_code)
        targets = [dict(r._mapping) for r in conn.execute(query) if not sites or r.site_code in sites]
    for site in targets:
        code = site["site_code"]
        with engine.begin() as conn:
            run = run_id or latest_run(conn, code)
            facts = load_site_facts(conn, code, run, as_of, book["site_unreachable"].param("window_days"))
            if run is None and not facts.probes:
                continue  # never observed: nothing to judge
            rules = RULES if run is not None else {c: RULES[c] for c in PROBE_RULES}  # probed, never crawled
            findings = [f for rule in rules.values() for f in rule(facts, book, as_of.date())]
            existing = {(r.indicator, r.subject): dict(r._mapping) for r in conn.execute(
                select(db.violations).where(db.violations.c.target_kind == "website",
                                            db.violations.c.target_id == code))}
            result = verdict(site["kind"], findings, book, facts.suppressed)
            _store(conn, period, as_of, site, findings, result)
            _lifecycle(conn, as_of, code, findings, existing)
        summary.checked += 1
        summary.results[result.result] += 1
        summary.reasons.update(result.reasons)
    return summary


# ------------------------------------------------------------------ command line


def parse_as_of(text: str | None) -> datetime:
    if not text:
        return datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    return datetime.fromisoformat(text)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--period", default="current", help="2021Q1, or current / previous (default: current)")
    parser.add_argument("--as-of", default=None, help="monitoring point, YYYY-MM-DD[THH:MM] (default: now)")
    parser.add_argument("--run", default=None, help="judge this crawl run (default: each site's latest)")
    parser.add_argument("--rulebook", default=None, help="local override rulebook (default: MONITOR_RULEBOOK)")
    parser.add_argument("--sites", default="", help="comma-separated 网站标识码 (default: all active sites)")
    add_database_argument(parser)


def run(args: argparse.Namespace) -> int:
    import sys

    from monitor.checks.rulebook import RulebookError
    from monitor.migrate import upgrade

    try:  # refuse a bad rulebook, period or date before touching the database
        book = load_rulebook(args.rulebook)
        as_of = parse_as_of(args.as_of)
        resolve_period(args.period, as_of.date())
    except (RulebookError, ValueError) as exc:
        print(f"govmon evaluate: {exc}", file=sys.stderr)
        return 2
    engine = db.engine_for(database_url(args.database))
    upgrade(engine)
    sites = [s for s in args.sites.split(",") if s] or None
    print(evaluate(engine, args.period, as_of, args.run, book, sites))
    return 0


def add_review_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--violation", type=int, help="violation id to set the review state of")
    parser.add_argument("--state", choices=REVIEW_STATES, help="the reviewer's conclusion")
    parser.add_argument("--note", default="", help="why (kept with the violation's evidence)")
    parser.add_argument("--as-of", default=None, help="when the review was made (default: now)")
    parser.add_argument("--list", action="store_true", help="list open violations")
    add_database_argument(parser)


def run_review(args: argparse.Namespace) -> int:
    engine = db.engine_for(database_url(args.database))
    v = db.violations
    if args.violation is not None:
        if not args.state:
            print("--state is required with --violation")
            return 2
        with engine.begin() as conn:
            done = review(conn, args.violation, args.state, args.note, parse_as_of(args.as_of))
        if not done:
            print(f"no violation {args.violation}")
            return 1
        print(f"violation {args.violation}: {args.state}" + (f" ({args.note})" if args.note else ""))
        return 0
    with engine.connect() as conn:
        for r in conn.execute(select(v).where(v.c.resolved_at.is_(None)).order_by(v.c.target_id, v.c.indicator)):
            print(f"{r.id}\t{r.target_id}\t{r.indicator}\t{r.review}\t{r.first_seen:%Y-%m-%d}\t{r.reason}\t{r.subject}")
    return 0


def review(conn: Connection, violation_id: int, state: str, note: str = "", at: datetime | None = None) -> bool:
    """Set a violation's review state; the note and time go into its evidence under "review" (kept when the
    violation is seen again). False when there is no such violation."""
    if state not in REVIEW_STATES:
        raise ValueError(f"review state {state!r}: expected one of {', '.join(REVIEW_STATES)}")
    v = db.violations
    row = conn.execute(select(v.c.evidence).where(v.c.id == violation_id)).one_or_none()
    if row is None:
        return False
    at = at or datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    evidence = {**(row.evidence or {}), "review": {"state": state, "note": note, "at": at.isoformat()}}
    conn.execute(update(v).where(v.c.id == violation_id).values(review=state, evidence=evidence))
    return True
