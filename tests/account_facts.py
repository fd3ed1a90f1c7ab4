"""Builders of AccountFacts for the account rule tests: 红河州 accounts read at the monitoring point 2021-03-03.

Like tests/rule_facts.py: every builder returns the observation classes rules receive from `load_account_facts`
(monitor/items.py, monitor/checks/account_facts.py), never table rows.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from monitor.checks.account_facts import AccountFacts
from monitor.checks.model import Finding
from monitor.checks.rulebook import load_rulebook
from monitor.items import Account, AccountCheckItem, PostItem

AS_OF = date(2021, 3, 3)
BOOK = load_rulebook("")
RUN = "a1"
PLATFORM = "微信公众号"
BIZ = "MzA3NjY4NjQ1Mw=="
FETCHED = datetime.combine(AS_OF, time(10, 0))  # the reading: the monitoring day, 10:00 China time


def account(account_id: str = BIZ, name: str = "凤翔农业", owner_unit: str = "凤翔县农业农村局",
            platform: str = PLATFORM, **extra: Any) -> Account:
    fields: dict[str, Any] = {"region_code": "610322", "active": True, "source": "registry.csv"}
    return Account(platform=platform, account=account_id, name=name, owner_unit=owner_unit, **(fields | extra))


def reading(outcome: str = "ok", fetched_at: datetime = FETCHED, **extra: Any) -> AccountCheckItem:
    """A reading that showed the registry's name and unit, a follow button and open comments unless told."""
    fields: dict[str, Any] = {"url": f"https://mp.weixin.qq.com/mp/profile_ext?action=home&__biz={BIZ}",
                              "status": 200, "display_name": "凤翔农业", "verified_subject": "凤翔县农业农村局",
                              "followable": True, "interaction": {"comments": True}, "post_count": None}
    return AccountCheckItem(run_id=RUN, platform=PLATFORM, account=BIZ, fetched_at=fetched_at, outcome=outcome,
                            **(fields | extra))


def post(published_at: datetime | None, position: int = 0, key: str | None = None, **extra: Any) -> PostItem:
    fields: dict[str, Any] = {"time_text": str(int(published_at.timestamp())) if published_at else "昨天",
                              "time_source": "api" if published_at else "unknown", "title": "春耕备耕工作动态",
                              "original": True, "pinned": False}
    return PostItem(run_id=RUN, platform=PLATFORM, account=BIZ, post_key=key or f"https://mp.weixin.qq.com/s/{position}",
                    fetched_at=FETCHED, published_at=published_at, position=position, **(fields | extra))


def days_before(days: int, at: time = time(9, 30)) -> datetime:
    return datetime.combine(AS_OF - timedelta(days=days), at)


def facts(posts: list[PostItem] | None = None, check: AccountCheckItem | None = None, siblings: list[Account] = (),
          no_reading: bool = False, **account_fields: Any) -> AccountFacts:
    """One account's facts; by default a readable account whose newest post is the day before."""
    who = account(**account_fields)
    got = None if no_reading else (check if check is not None else reading())
    listed = [post(days_before(1))] if posts is None else posts
    return AccountFacts(who, None if no_reading else RUN, got, [] if no_reading else listed, list(siblings))


def whole(findings: list[Finding]) -> Finding:
    """The one whole-account finding of a rule."""
    assert len(findings) == 1 and findings[0].site_level, findings
    return findings[0]
