"""`govmon evaluate`: judge a period at an explicit monitoring point; `govmon review`: the reviewer's word.

Websites and new-media accounts are judged the same way, each from its own kind of readings. For every active
account: the latest reading (a crawl of the accounts spider or an imported activity export) made inside the period up
to the monitoring point; an account without one is 待定 (无监测数据); the account rules run and the verdict counts
the veto items only (monitor/checks/scoring.py). For every active website: load the facts of its latest crawl run
inside the period up to the monitoring point (or the given run) and the probes of the rule's window — never evidence
observed later, so re-judging a past quarter after new crawls gives the same verdicts; a site without a crawl in the
window is 待定 (无监测数据) — run every rule of monitor/checks/rules (链接可用性 from the site's latest finished full link sweep
in the same window when there is one — every page of the site, monitor/checks/facts.py sweep_for — else from the
crawl; a sweep run is never judged as the crawl, not even when named with --run), store the findings (re-running a
period replaces them), one verdict per site and period, and keep the violations' life cycle: a failing finding opens
a violation or refreshes its last_seen (first_seen is kept); one no longer seen is resolved — only when its
indicator was judged this time (a site that was only probed, a homepage that did not load or an indicator without
data leaves its violations as they are); one seen again is re-opened; one a reviewer marked false_positive stays
suppressed — it is recorded but counts neither toward the verdict nor toward its indicator's totals (five blank
columns, one of them a false positive, are four).
All times are the monitoring point, so a re-run gives the same rows. One evaluation is one transaction: killed
half-way, it leaves nothing of itself (the previous evaluation's rows stay as they were). Only finished runs are
judged: a run still running, killed (monitor/runs.py) or cut short never is, also when named with --run.

    govmon evaluate --period 2021Q1 --as-of 2021-03-03 [--run RUN_ID] [--rulebook FILE] [--not-monitored CODES]
    govmon review --violation 17 --state false_positive --note "栏目已于2021-02-20撤并"
"""

from __future__ import annotations

import argparse
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import select, text, update
from sqlalchemy.engine import Connection, Engine

from monitor import db
from monitor.checks.account_facts import active_accounts, latest_account_run, load_account_facts
from monitor.checks.facts import (
    latest_channel_run,
    latest_run,
    load_channel_facts,
    load_site_facts,
    run_date,
    sweep_for,
)
from monitor.checks.model import INCONCLUSIVE, NO_DATA, NOT_MONITORED, SKIPPED, Finding
from monitor.checks.record import store_findings, update_violations
from monitor.checks.rulebook import Rulebook, load_rulebook
from monitor.checks.rules import WINDOW, rules_for
from monitor.checks.runner import run_rules
from monitor.checks.scoring import ACCOUNT, PENDING, QUALIFIED, UNQUALIFIED, verdict
from monitor.config import add_database_argument, database_url, setting
from monitor.periods import (
    check_monitoring_point,
    default_monitoring_point,
    quarter_bounds,
    resolve_period,
)
from monitor.runs import mark_killed, status_label

REVIEW_STATES = ("pending", "confirmed", "false_positive", "doubtful")


def rate_text(qualified: int, failed: int) -> str:
    """合格率 over the judged targets; with none judged there is no rate to print (never 100 %)."""
    judged = qualified + failed
    return f"{qualified / judged:.2%}" if judged else "—(无已判定网站)"


NOUNS = {"website": "网站", "account": "政务新媒体"}


@dataclass
class EvaluationSummary:
    """What `govmon evaluate` prints: targets checked, results and the reasons of the 不合格/待定 verdicts, for the
    websites (this object) and the new-media accounts (`accounts`). 合格率 is 合格 / (合格 + 不合格): a 待定 target
    was not judged and counts on neither side."""
    period: str
    as_of: datetime
    checked: int = 0
    results: Counter = field(default_factory=Counter)
    reasons: Counter = field(default_factory=Counter)
    no_data: list[str] = field(default_factory=list)  # targets with no reading in the window (无监测数据)
    not_monitored: tuple[str, ...] = ()  # indicators the office declared it does not monitor
    kind: str = "website"
    accounts: EvaluationSummary | None = None
    channels_unread: list[str] = field(default_factory=list)  # sites whose registered channels were not read

    def add(self, target: str, result) -> None:
        self.checked += 1
        self.results[result.result] += 1
        self.reasons.update(result.reasons)

    def lines(self) -> list[str]:
        noun = NOUNS[self.kind]
        good, bad, pending = self.results[QUALIFIED], self.results[UNQUALIFIED], self.results[PENDING]
        lines = [f"检查{noun}{self.checked}个, 合格{good}个, 不合格{bad}个, 待定{pending}个, 合格率{rate_text(good, bad)}"]
        if pending:
            lines.append(f"  (合格率按已判定的{good + bad}个{noun}计算; 待定{pending}个不计入合格或不合格)")
        lines += [f"  {reason}: {n}个" for reason, n in self.reasons.most_common()]
        if self.no_data:
            shown = ", ".join(self.no_data[:10]) + (" …" if len(self.no_data) > 10 else "")
            what = "抓取记录" if self.kind == "website" else "读取或导入记录"
            lines.append(f"警告: {len(self.no_data)}个{noun}在监测窗口内没有{what}, 判为待定(无监测数据): {shown}")
        if self.channels_unread:
            shown = ", ".join(self.channels_unread[:10]) + (" …" if len(self.channels_unread) > 10 else "")
            lines.append(f"警告: {len(self.channels_unread)}个网站登记了互动交流或办事指南渠道, 但监测窗口内没有读取记录"
                         f"(scrapy crawl channels), 相关指标判为待定: {shown}")
        return lines

    def __str__(self) -> str:
        lines = self.lines()
        lines[0] = f"{self.period} 监测时间点 {self.as_of:%Y-%m-%d %H:%M}: {lines[0]}"
        if self.accounts is not None and self.accounts.checked:
            lines += self.accounts.lines()
        if self.not_monitored:
            lines.append(f"注意: 按配置未开展监测的指标: {', '.join(self.not_monitored)}")
        return "\n".join(lines)


Summary = EvaluationSummary  # the earlier name


def _store_verdict(conn: Connection, period: str, as_of: datetime, target: tuple[str, str], region_code: str,
                   result) -> None:
    db.upsert(conn, db.verdicts, [{
        "period": period, "as_of": as_of, "target_kind": target[0], "target_id": target[1],
        "region_code": region_code, "result": result.result, "veto": result.veto, "score": result.score,
        "bonus": result.bonus, "reasons": "；".join(result.reasons),
        "evaluated_at": datetime.now(UTC).replace(tzinfo=None)}], ["period", "target_kind", "target_id"])


def no_data_findings(rules: list[str], since: date, as_of: datetime) -> list[Finding]:
    """Site-level inconclusive findings for indicators that had nothing to judge in their window."""
    window = f"{since}至{as_of:%Y-%m-%d}"
    return [Finding(code, "", INCONCLUSIVE, NO_DATA, "监测窗口内无抓取记录", window, {"window": window})
            for code in rules]


def evaluate(engine: Engine, period: str, as_of: datetime, run_id: str | None = None,
             book: Rulebook | None = None, sites: list[str] | None = None,
             not_monitored: tuple[str, ...] | None = None, account_run: str | None = None,
             channel_run: str | None = None) -> EvaluationSummary:
    """Judge every active website (or the given site codes) for `period` at the monitoring point `as_of`, from
    `run_id` or else each site's latest website run made inside the period up to the monitoring point, and the
    probes of the rule's window; then every active new-media account (unless sites were named) from `account_run`
    or else its latest reading in the window; store findings, verdicts and violations.

    Only evidence observed at or before the monitoring point and inside the period is read. A site without such a
    crawl is 待定 (无监测数据), never skipped or passed. Indicators in `not_monitored` (default: the setting
    MONITOR_NOT_MONITORED) are not run and recorded as skipped (未开展监测)."""
    book = book or load_rulebook()
    period = resolve_period(period, as_of.date())
    check_monitoring_point(period, as_of)
    since = quarter_bounds(period)[0].date()
    if not_monitored is None:
        not_monitored = tuple(c for c in str(setting("MONITOR_NOT_MONITORED", "")).split(",") if c.strip())
    rules = rules_for("website")
    known = [r.code for r in rules + rules_for("account")]
    unknown = [c for c in not_monitored if c not in known]
    if unknown:
        raise ValueError(f"MONITOR_NOT_MONITORED: unknown indicator(s) {', '.join(unknown)}; "
                         f"known: {', '.join(known)}")
    monitored = [r for r in rules if r.code not in not_monitored]
    summary = EvaluationSummary(period, as_of, not_monitored=tuple(not_monitored))
    # One transaction for the whole evaluation: a process killed half-way leaves none of its findings, verdicts or
    # violations (the database rolls it back), never some sites judged and others not.
    with engine.begin() as conn:
        for given in (run_id, account_run, channel_run):
            refuse_unfinished(conn, given)
        if run_id is not None:
            refuse_sweep(conn, run_id)
            observed = run_date(conn, run_id)
            if observed is not None and not since <= observed <= as_of.date():
                raise ValueError(f"run {run_id} was made for {observed}, outside {period} up to the monitoring "
                                 f"point {as_of:%Y-%m-%d}")
        query = select(db.websites).where(db.websites.c.active.is_(True)).order_by(db.websites.c.site_code)
        targets = [dict(r._mapping) for r in conn.execute(query) if not sites or r.site_code in sites]
        skipped = [Finding(code, "", SKIPPED, NOT_MONITORED, "", "", {}) for code in not_monitored
                   if code in {r.code for r in rules}]
        for site in targets:
            code = site["site_code"]
            run = run_id or latest_run(conn, code, as_of.date(), since)
            facts = load_site_facts(conn, code, run, as_of, book["site_unreachable"].param("window_days"))
            facts.sweep = sweep_for(conn, code, as_of.date(), since)  # 链接可用性 over the whole site, if swept
            facts.channel_run = channel_run or latest_channel_run(conn, code, as_of.date(), since)
            facts.channels = load_channel_facts(conn, code, facts.channel_run)
            if facts.channels and facts.channel_run is None:
                summary.channels_unread.append(code)
            to_run = monitored
            findings: list[Finding] = []
            if run is None:  # not crawled in the window: only the rules over a window of probes can judge
                summary.no_data.append(code)
                findings = no_data_findings([r.code for r in monitored if r.scope != WINDOW], since, as_of)
                to_run = [r for r in monitored if r.scope == WINDOW]
            findings += run_rules(to_run, facts, book, as_of.date(), code) + skipped
            result = verdict(site["kind"], findings, book, facts.suppressed,
                             vetoes_monitored=any(book[r.code].kind == "veto" for r in monitored))
            store_findings(conn, period, as_of, ("website", code), findings)
            _store_verdict(conn, period, as_of, ("website", code), site["region_code"], result)
            update_violations(conn, as_of, ("website", code), findings)
            summary.add(code, result)
        if not sites:
            summary.accounts = evaluate_accounts(conn, period, as_of, since, book, not_monitored, account_run)
    return summary


def refuse_unfinished(conn: Connection, run_id: str | None) -> None:
    """Refuse to judge a given run that did not finish: still running, killed, cut short or locked out."""
    if run_id is None:
        return
    status = conn.execute(select(db.runs.c.status).where(db.runs.c.run_id == run_id)).scalar()
    if status is not None and status != "finished":
        raise ValueError(f"run {run_id} is {status} ({status_label(status)}), not finished: a run that did not "
                         f"finish is never judged; judge another run or re-run it with --run-id {run_id}")


def refuse_sweep(conn: Connection, run_id: str) -> None:
    """A full link sweep reads links only: it is not a crawl to judge every indicator from (evaluation uses the
    period's sweep for 链接可用性 by itself)."""
    spider = conn.execute(select(db.runs.c.spider).where(db.runs.c.run_id == run_id)).scalar()
    if spider == "sweep":
        raise ValueError(f"run {run_id} is a full link sweep (govmon sweep), not a website crawl: evaluation uses the "
                         f"period's latest finished sweep for 链接可用性 by itself; name a website crawl with --run")


def evaluate_accounts(conn: Connection, period: str, as_of: datetime, since: date, book: Rulebook,
                      not_monitored: tuple[str, ...], run_id: str | None = None) -> EvaluationSummary:
    """Judge every active new-media account from `run_id` (when it read the account) or its latest reading, inside
    the caller's transaction."""
    rules = rules_for("account")
    monitored = [r for r in rules if r.code not in not_monitored]
    skipped = [Finding(r.code, "", SKIPPED, NOT_MONITORED, "", "", {}) for r in rules if r.code in not_monitored]
    summary = EvaluationSummary(period, as_of, kind="account")
    registry = active_accounts(conn)
    for account in registry:
        key = ("account", account.key_text)
        facts = load_account_facts(conn, account, run_id, registry) if run_id is not None else None
        if facts is None or facts.check is None:  # not read by the given run: its latest reading, if any
            run = latest_account_run(conn, account.platform, account.account, as_of.date(), since)
            facts = load_account_facts(conn, account, run, registry)
        if facts.check is None:
            summary.no_data.append(account.key_text)
            findings = no_data_findings([r.code for r in monitored], since, as_of)
        else:
            findings = run_rules(monitored, facts, book, as_of.date(), account.key_text)
        findings += skipped
        result = verdict(ACCOUNT, findings, book, facts.suppressed,
                         vetoes_monitored=any(book[r.code].kind == "veto" for r in monitored))
        store_findings(conn, period, as_of, key, findings)
        _store_verdict(conn, period, as_of, key, account.region_code, result)
        update_violations(conn, as_of, key, findings)
        summary.add(account.key_text, result)
    return summary


# ------------------------------------------------------------------ command line


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def parse_as_of(text: str | None) -> datetime:
    return datetime.fromisoformat(text) if text else now()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--period", default="current", help="2021Q1, or current / previous (default: current)")
    parser.add_argument("--as-of", default=None,
                        help="monitoring point (监测时间点), YYYY-MM-DD[THH:MM], inside the period (default: now for "
                             "the running quarter, the last day of a past one)")
    parser.add_argument("--run", default=None,
                        help="judge this crawl run (default: each site's latest run inside the period up to the "
                             "monitoring point)")
    parser.add_argument("--account-run", default=None,
                        help="judge the accounts from this reading (a crawl-accounts run or an activity import; "
                             "default: each account's latest reading inside the period up to the monitoring point)")
    parser.add_argument("--not-monitored", default=None, metavar="CODES",
                        help="comma-separated indicators this office does not monitor, e.g. site_unreachable when "
                             "no probe rounds run (default: MONITOR_NOT_MONITORED); they are reported as 未开展监测 "
                             "instead of 待定")
    parser.add_argument("--rulebook", default=None, help="local override rulebook (default: MONITOR_RULEBOOK)")
    parser.add_argument("--sites", default="", help="comma-separated 网站标识码 (default: all active sites)")
    add_database_argument(parser)


def run(args: argparse.Namespace) -> int:
    import sys

    from monitor.checks.rulebook import RulebookError
    from monitor.migrate import upgrade

    try:  # refuse a bad rulebook, period or date before touching the database
        book = load_rulebook(args.rulebook)
        period = resolve_period(args.period, parse_as_of(args.as_of).date())
        as_of = parse_as_of(args.as_of) if args.as_of else default_monitoring_point(period, now())
        check_monitoring_point(period, as_of)
    except (RulebookError, ValueError) as exc:
        print(f"govmon evaluate: {exc}", file=sys.stderr)
        return 2
    engine = db.engine_for(database_url(args.database))
    upgrade(engine)
    mark_killed(engine)  # a crawl killed outright left its run `running`: say so (it is never judged either way)
    sites = [s for s in args.sites.split(",") if s] or None
    not_monitored = None if args.not_monitored is None else tuple(c for c in args.not_monitored.split(",") if c)
    if args.run is not None:
        with engine.connect() as conn:
            if run_date(conn, args.run) is None:
                print(f"govmon evaluate: no crawl run {args.run!r} in {db.masked(database_url(args.database))}",
                      file=sys.stderr)
                return 2
    try:
        print(evaluate(engine, period, as_of, args.run, book, sites, not_monitored, args.account_run))
    except ValueError as exc:
        print(f"govmon evaluate: {exc}", file=sys.stderr)
        return 2
    return 0


REVIEW_LIST_HEADER = ("编号", "网站标识码/账号", "名称", "指标", "审核状态", "整改状态", "首次发现", "问题", "位置")


def add_review_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--violation", type=int, metavar="ID",
                        help="编号 of the violation to review, as `--list` shows it (first column)")
    parser.add_argument("--state", choices=REVIEW_STATES,
                        help="the reviewer's conclusion: confirmed (确认), false_positive (误报: no longer counted "
                             "against the site), doubtful (存疑), pending (待审核)")
    parser.add_argument("--note", default="", help="why, in words (kept with the violation's evidence)")
    parser.add_argument("--as-of", default=None, metavar="YYYY-MM-DD[THH:MM]",
                        help="when the review was made (default: now)")
    parser.add_argument("--list", action="store_true",
                        help="list the violations not yet fixed, with their site names (the default without "
                             "--violation)")
    add_database_argument(parser)


def run_review(args: argparse.Namespace) -> int:
    engine = db.engine_for(database_url(args.database))
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
    with engine.connect() as conn:  # names from the registry through the view (an account's name too)
        rows = conn.execute(text("SELECT id, target_id, site_name, indicator, review, state_label, first_seen, "
                                 "reason, subject FROM v_violation_states WHERE resolved_at IS NULL "
                                 "ORDER BY target_id, indicator, subject")).all()
    if not rows:
        print("没有未整改的问题 (no open violations)")
        return 0
    print("\t".join(REVIEW_LIST_HEADER))
    for r in rows:
        print("\t".join(str(c) for c in (r.id, r.target_id, r.site_name or "（未登记）", r.indicator, r.review,
                                          r.state_label, str(r.first_seen)[:10], r.reason or "", r.subject)))
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
