"""The stored facts a rule judges for one new-media account: the registry record, what one reading (a crawl or an
activity import) saw of it, and the other accounts its unit keeps on the same platform.

Like monitor/checks/facts.py for websites: read once, typed, and rules never touch the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.engine import Connection

from monitor import db
from monitor.checks.facts import false_positives
from monitor.items import Account, AccountCheckItem, PostItem
from monitor.registry import normalise


@dataclass
class AccountFacts:
    account: Account
    run_id: str | None
    check: AccountCheckItem | None  # the reading of the run (None: the account was not read in the window)
    posts: list[PostItem]  # posts of that reading, in timeline order
    siblings: list[Account]  # the other active accounts of the same owner unit on the same platform
    suppressed: frozenset[tuple[str, str]] = frozenset()

    @property
    def code(self) -> str:
        return self.account.key_text

    def newest_post(self, until: datetime) -> PostItem | None:
        """The newest post published at or before `until` (a later time is the platform's clock or a typo, never an
        update before the monitoring point)."""
        dated = [p for p in self.posts if p.published_at is not None and p.published_at <= until]
        return max(dated, key=lambda p: p.published_at) if dated else None  # type: ignore[arg-type, return-value]


def latest_account_run(conn: Connection, platform: str, account: str, until: date | None = None,
                       since: date | None = None) -> str | None:
    """The newest finished run (crawl or import) that read this account, dated by the run's monitoring date between
    `since` and `until` inclusive, so that a later reading never leaks into an earlier period's verdict."""
    r, c = db.runs, db.account_checks
    query = (select(r.c.run_id).join(c, c.c.run_id == r.c.run_id)
             .where(c.c.platform == platform, c.c.account == account, r.c.status == "finished")
             .order_by(r.c.as_of.desc(), r.c.started_at.desc()).limit(1))
    if until is not None:
        query = query.where(r.c.as_of <= until)
    if since is not None:
        query = query.where(r.c.as_of >= since)
    return conn.execute(query).scalar()


def load_account_facts(conn: Connection, account: Account, run_id: str | None,
                       registry: list[Account] | None = None) -> AccountFacts:
    """Everything the account rules judge. `registry` (the active accounts, when the caller already holds them)
    saves one query per account."""
    if registry is None:
        a = db.accounts
        registry = [Account.from_row(r._mapping) for r in conn.execute(
            select(a).where(a.c.active.is_(True), a.c.platform == account.platform))]
    unit = normalise(account.owner_unit)  # 个旧市财政局 and 个旧市财政局 (full-width space) are one unit
    siblings = [x for x in registry if x.platform == account.platform and normalise(x.owner_unit) == unit
                and x.account != account.account and x.active]
    suppressed = false_positives(conn, "account", account.key_text)
    if run_id is None:
        return AccountFacts(account, None, None, [], siblings, suppressed)
    c, p = db.account_checks, db.account_posts
    row = conn.execute(select(c).where(c.c.run_id == run_id, c.c.platform == account.platform,
                                       c.c.account == account.account)).one_or_none()
    check = AccountCheckItem.from_row(row._mapping) if row is not None else None
    posts = [PostItem.from_row(r._mapping) for r in conn.execute(
        select(p).where(p.c.run_id == run_id, p.c.platform == account.platform, p.c.account == account.account)
        .order_by(p.c.position, p.c.id))]
    return AccountFacts(account, run_id, check, posts, siblings, suppressed)
