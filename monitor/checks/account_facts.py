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
from monitor.checks.facts import false_positives, latest_reading
from monitor.checks.model import INCONCLUSIVE, Finding
from monitor.items import Account, AccountCheckItem, PostItem
from monitor.platforms.base import OK, UNREADABLE
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


# Outcomes of a transport failure or an export's 账号状态 (monitor/outcome.py, monitor/accounts_import.py) that the
# adapters' UNREADABLE does not word.
TRANSPORT_WORDING = {
    "timeout": "访问账号页面超时", "dns": "域名解析失败,无法访问账号页面", "refused": "连接被拒绝,无法访问账号页面",
    "connection": "网络连接失败,无法访问账号页面", "tls": "HTTPS连接异常,无法访问账号页面",
    "unreachable": "账号无法访问",
}


def unreadable_reason(check: AccountCheckItem) -> str | None:
    """Why an account's reading cannot be judged (None when it was read): shared by every account rule."""
    if check.outcome == OK:
        return None
    if check.outcome in UNREADABLE:
        return UNREADABLE[check.outcome]
    if check.outcome in TRANSPORT_WORDING:
        return TRANSPORT_WORDING[check.outcome]
    if check.outcome == "http" and check.status:
        return f"账号页面返回HTTP {check.status},无法读取"
    return f"账号页面无法读取({check.outcome})"


def unreadable_finding(code: str, check: AccountCheckItem, threshold: str = "") -> Finding:
    """The inconclusive whole-account finding of an account that could not be read."""
    evidence = {"url": check.url, "outcome": check.outcome, "status": check.status, "error": check.error,
                "fetched_at": str(check.fetched_at), "source": check.source}
    return Finding(code, "", INCONCLUSIVE, unreadable_reason(check) or "", f"账号读取结果 {check.outcome}",
                   threshold, evidence)


def unread(facts: AccountFacts, code: str, threshold: str = "") -> list[Finding] | None:
    """What an account rule returns when there is nothing to judge: [] without a reading in the window (evaluation
    records 无监测数据), one inconclusive finding when the reading failed; None when the account was read."""
    if facts.check is None:
        return []
    if facts.check.outcome != OK:
        return [unreadable_finding(code, facts.check, threshold)]
    return None


def latest_account_run(conn: Connection, platform: str, account: str, until: date | None = None,
                       since: date | None = None) -> str | None:
    """The newest run (crawl or import) that read this account inside the window."""
    c = db.account_checks
    return latest_reading(conn, c, c.c.platform == platform, c.c.account == account, until=until, since=since)


def active_accounts(conn: Connection, platform: str | None = None) -> list[Account]:
    """The registry's active accounts (of one platform, when given), by platform and account."""
    a = db.accounts
    query = select(a).where(a.c.active.is_(True)).order_by(a.c.platform, a.c.account)
    if platform is not None:
        query = query.where(a.c.platform == platform)
    return [Account.from_row(r._mapping) for r in conn.execute(query)]


def load_account_facts(conn: Connection, account: Account, run_id: str | None,
                       registry: list[Account] | None = None) -> AccountFacts:
    """Everything the account rules judge. `registry` (the active accounts, when the caller already holds them)
    saves one query per account."""
    if registry is None:
        registry = active_accounts(conn, account.platform)
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
