"""The ground truth of a scenario, derived from it by code: what a correct crawl must see and a correct check
must conclude. Tests compare stored facts and verdicts with this, never with numbers written next to them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from monitor.checks.outcomes import unreadable_reason
from monitor.platforms import account_key
from monitor.platforms.base import UNREADABLE
from monitor.simweb import templates
from monitor.simweb.platforms import newest_post
from monitor.simweb.scenario import UNREADABLE_PAGES, Account, Scenario, Site

# How the crawler must classify each kind of planted broken link.
BROKEN_OUTCOME = {"404": ("http", 404), "500": ("http", 500), "hang": ("timeout", None), "dns": ("dns", None),
                  "refused": ("refused", None), "tls": ("tls", None)}
# How the crawler must classify a homepage served as an interstitial (scenario HOME_PAGES).
HOME_OUTCOME = {"normal": "ok", "challenge": "challenge", "waf": "blocked", "login": "login", "moved": "moved"}


@dataclass
class ColumnTruth:
    name: str
    url: str
    category: str
    unit: str | None
    path: str | None
    level: int
    newest: date | None  # None = blank column (空白栏目)
    count: int
    page: str = "list"  # how the column page is served (scenario PAGE_KINDS)
    # How the crawler must end on the column: "ok" (its list read, from the markup, a script, an XHR or Chromium) or
    # the outcome class of a page that is not the column (challenge / blocked / login / moved / unrendered): 待定.
    outcome: str = "ok"
    reason: str | None = None  # the Chinese reason of the inconclusive column finding

    @property
    def readable(self) -> bool:
        return self.outcome == "ok"


@dataclass
class SiteTruth:
    site_code: str
    homepage: str
    reachable: bool
    script_footer: bool
    columns: list[ColumnTruth]
    homepage_newest: date | None
    broken_links: list[tuple[str, str, int | None, bool]]  # (url, outcome, status, on homepage)
    footer: dict[str, str | bool | None]
    typos: list[str] = field(default_factory=list)
    ads: list[str] = field(default_factory=list)
    hidden_links: list[str] = field(default_factory=list)
    personal_data: bool = False
    personal_data_values: list[str] = field(default_factory=list)  # the ID and mobile numbers planted
    home_outcome: str = "ok"  # how fetching the homepage ends: ok / refused / tls
    encoding: str = "utf-8"
    slow_seconds: float = 0.0

    @property
    def availability(self) -> str:
        return "reachable" if self.reachable else "unreachable"

    home_reason: str | None = None  # the Chinese reason of an inconclusive homepage

    @property
    def blank_columns(self) -> list[ColumnTruth]:
        return [c for c in self.columns if c.newest is None and c.readable]

    @property
    def unreadable_columns(self) -> list[ColumnTruth]:
        return [c for c in self.columns if not c.readable]


@dataclass
class Expected:
    as_of: date
    sites: dict[str, SiteTruth]


def _site_truth(scenario: Scenario, site: Site) -> SiteTruth:
    d = site.defects
    columns = []
    for c in site.columns:
        outcome = UNREADABLE_PAGES.get(c.page, "ok")
        columns.append(ColumnTruth(c.name, site.column_url(c), c.category, c.unit, c.path, c.level,
                                   scenario.day(min(c.days_ago)) if c.days_ago else None, len(c.days_ago), c.page,
                                   outcome, None if outcome == "ok" else unreadable_reason(outcome)))
    news = templates.home_news(scenario, site)
    broken = []
    for i, link in enumerate(d.broken_links):
        outcome, status = BROKEN_OUTCOME[str(link["kind"])]
        broken.append((templates.broken_url(site, i, str(link["kind"])), outcome, status,
                       link.get("where", "article") == "home"))
    if d.missing_attachment:
        broken.append((f"{site.homepage}files/missing.doc", "http", 404, False))
    missing = set(d.missing_footer)
    footer = {"site_code": None if "site_code" in missing else (d.wrong_site_code or site.site_code),
              "icp": None if "icp" in missing else site.icp,
              "police": None if "police" in missing else site.police,
              "conac": "conac" not in missing, "zhaocuo": "zhaocuo" not in missing}
    return SiteTruth(
        site_code=site.site_code, homepage=site.homepage, reachable=not (d.unreachable or d.tls_broken),
        script_footer=site.footer_mode != "static", columns=columns,
        homepage_newest=max((r[2] for r in news), default=None), broken_links=broken, footer=footer,
        typos=list(d.typos), ads=[templates.AD_SCRIPT, templates.AD_LINK] if d.ads else [],
        hidden_links=[templates.HIDDEN_LINK] if d.hidden_links else [], personal_data=d.personal_data,
        personal_data_values=list(templates.personal_data(site)) if d.personal_data else [],
        home_outcome="refused" if d.unreachable else "tls" if d.tls_broken else HOME_OUTCOME[site.home_page],
        encoding=site.encoding, slow_seconds=d.slow_seconds,
        home_reason=unreadable_reason(HOME_OUTCOME[site.home_page], "首页"))


def expected(scenario: Scenario, as_of: date | None = None) -> Expected:
    if as_of is not None:
        scenario.as_of = as_of
    return Expected(scenario.as_of, {s.site_code: _site_truth(scenario, s) for s in scenario.sites})


# 内容不更新: no post in the 2 weeks before the monitoring point (national notices: 监测时间点前2周内无更新).
STALE_DAYS = 14
VETOES = ("account_stale", "account_interaction")  # new media are judged on these only; the rest are reported


@dataclass
class AccountTruth:
    platform: str
    account: str
    verdict: str  # 合格 / 不合格 / 待定
    failing: list[str]  # indicator codes (account_stale, account_interaction, account_identity, …)
    outcome: str = "ok"  # how reading the account ends: ok or the wall's outcome (login, captcha, …)
    reason: str | None = None  # the Chinese reason of a 待定 account
    newest: datetime | None = None  # the newest post, China time; None: no post (or not readable)


def _wall_outcome(account: Account) -> str:
    return account.wall or "ok"


def account_truth(scenario: Scenario, account: Account, duplicated: bool) -> AccountTruth:
    """What a correct read of one account must conclude."""
    outcome = _wall_outcome(account)
    if outcome != "ok":
        return AccountTruth(account.platform, account.account, "待定", [], outcome, UNREADABLE[outcome])
    newest = newest_post(scenario, account)
    failing = []
    if newest is None or newest < scenario.clock - timedelta(days=STALE_DAYS):
        failing.append("account_stale")
    # Effective interaction: comments open, or (WeChat) a profile menu with its 互动留言 item. Comment settings
    # show on posts, so an account without posts is not judged on it (it fails 内容不更新 anyway).
    if account.posts and not account.comments and not (account.code == "wechat" and account.menu):
        failing.append("account_interaction")
    if account.shown_name != account.name or account.subject != account.owner_unit:
        failing.append("account_identity")
    if duplicated:
        failing.append("account_duplicates")
    if not account.followable:
        failing.append("account_followable")
    verdict = "不合格" if any(code in VETOES for code in failing) else "合格"
    return AccountTruth(account.platform, account.account, verdict, failing, newest=newest)


def expected_accounts(scenario: Scenario) -> dict[str, AccountTruth]:
    """Per account ("<platform>:<account>" as verdicts name it): verdict and failing indicator codes."""
    units = Counter((a.platform, a.owner_unit) for a in scenario.accounts)
    return {account_key(a.platform, a.account): account_truth(scenario, a, units[(a.platform, a.owner_unit)] > 1)
            for a in scenario.accounts}
