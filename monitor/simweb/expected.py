"""The ground truth of a scenario, derived from it by code: what a correct crawl must see and a correct check
must conclude. Tests compare stored facts and verdicts with this, never with numbers written next to them.

`expected` covers the websites, `expected_accounts` the new-media accounts, `expected_letters` the letters channels
and service guides (deadlines counted in working days with monitor.workdays, never Monday–Friday).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from monitor import regions
from monitor.checks.outcomes import unreadable_reason
from monitor.checks.rulebook import Rulebook, load_rulebook
from monitor.platforms import account_key
from monitor.platforms.base import UNREADABLE
from monitor.simweb import channels, templates
from monitor.simweb.platforms import newest_post
from monitor.simweb.scenario import UNREADABLE_PAGES, Account, Scenario, Site
from monitor.workdays import WorkCalendar, add_months

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


# ------------------------------------------------------------------ letters channels and guides (issue 11)

# How the channels crawl must see a channel in each scenario state: (channel_state of monitor/extract/letters.py,
# HTTP status, how the letters and guides rules class the reading: working / broken / unsure).
CHANNEL_READING = {"working": ("ok", 200, "working"), "form": ("form", 200, "working"),
                   "login": ("login", 200, "unsure"), "closed": ("closed", 200, "broken"),
                   "500": ("error", 500, "unsure"), "404": ("error", 404, "broken"),
                   "empty": ("empty", 200, "working"), "challenge": ("unreadable", 412, "unsure"),
                   "waf": ("unreadable", 200, "unsure")}
NO_LINK = "办事指南与政务服务网未建立准确链接"
MISSING = "办事指南要素缺失"
INACCURATE = "办事指南要素不准确"


@dataclass
class LetterTruth:
    url: str  # the letter page, as the crawler canonicalises it
    title: str
    category: str
    unit: str  # 答复单位 shown
    responsible: str  # the unit 附件4 lists it under: the channel's 责任单位, else the 答复单位
    received: datetime  # as a reader of the page gets it (a date-only text: 00:00 of the day)
    received_text: str
    accepted: datetime
    answered: datetime | None  # shown at the monitoring point (same convention as received)
    answered_text: str | None
    status: str  # 已办结 / 办理中
    answer_due: datetime | None  # when the scenario has it answered, shown or not (None: never)
    deadline: datetime | None = None  # end of the reply limit's last working day (None: no limit set)
    judged: bool = False  # its deadline falls in letter_timeliness' window
    timeliness: str | None = None  # pass / fail / inconclusive when judged
    unanswered_months: str | None = None  # interaction_response: fail / inconclusive, None when in order


@dataclass
class GuideTruth:
    url: str
    title: str  # the page heading (事项名称 + 办事指南), "" without one
    item: str
    layout: str
    elements: dict[str, str]  # element → present / empty (missing ones absent)
    values: dict[str, str]
    address: str | None  # 办理地点
    outside: list[str]  # region codes of the address outside the site's region (monitor.regions)
    service_url: str | None  # the 在线办理 link as written
    link: str  # alive / dead / nowhere / none
    link_status: int | None  # what the link answers (200, 404), None for no link or one leading nowhere
    failing: list[str]  # reasons of guide_elements (要素缺失, 未建立准确链接) and service_practical (要素不准确)


@dataclass
class ChannelTruth:
    site_code: str
    url: str
    name: str
    kind: str
    unit: str | None
    state: str  # the scenario state
    extract_state: str  # channel_state's word
    status: int
    reading: str  # working / broken / unsure
    pages: int  # list pages a working channel serves
    offer: str | None = None  # guides channels: does it offer a service (service_practical): working / broken / unsure
    letters: list[LetterTruth] = field(default_factory=list)
    guides: list[GuideTruth] = field(default_factory=list)


@dataclass
class LettersTruth:
    as_of: date
    workdays: int | None  # reply limit of the rulebook (None: not set, letter_timeliness skipped)
    window: tuple[date, date]  # deadlines judged by letter_timeliness
    channels: list[ChannelTruth]
    overdue: dict[str, int]  # 附件4: responsible unit → overdue letters
    interaction: dict[str, str]  # site → interaction_response outcome (pass / fail / inconclusive / skipped)
    service: dict[str, str]  # site → service_practical outcome
    guide_problems: dict[str, str]  # site → guide_elements outcome

    def channel(self, url: str) -> ChannelTruth:
        return next(c for c in self.channels if c.url == url)

    @property
    def letters(self) -> list[LetterTruth]:
        return [x for c in self.channels for x in c.letters]

    @property
    def unanswered(self) -> dict[str, list[str]]:
        """site → letters unanswered for more than 3 months (互动回应差)."""
        out: dict[str, list[str]] = {}
        for c in self.channels:
            for x in c.letters:
                if x.unanswered_months == "fail":
                    out.setdefault(c.site_code, []).append(x.url)
        return out

    @property
    def broken_channels(self) -> list[ChannelTruth]:
        return [c for c in self.channels if c.reading == "broken"]


def _timeliness(x: LetterTruth, limit: int, window: tuple[date, date], as_of: date, read_at: datetime,
                cal: WorkCalendar) -> None:
    """letter_timeliness on one letter, by its definition (monitor/checks/rules/letter_timeliness.py docstring)."""
    if x.received.date() > as_of:
        return
    x.deadline = cal.deadline(x.received, limit)
    if x.deadline is None:
        x.judged, x.timeliness = True, "inconclusive"  # a year of unknown holidays
        return
    if not window[0] <= x.deadline.date() <= window[1]:
        return
    x.judged = True
    if x.answered is not None:
        x.timeliness = ("inconclusive" if x.answered < x.received
                        else "pass" if x.answered <= x.deadline else "fail")
    else:
        x.timeliness = "fail" if read_at > x.deadline else "inconclusive"


def _unanswered(x: LetterTruth, months: int, lookback: int, as_of: date, read_at: datetime) -> None:
    """interaction_response clause 2 on one letter of a consult channel."""
    received = x.received.date()
    if received > as_of:
        return
    due = add_months(received, months)
    if x.answered is not None:
        if x.answered.date() > due and x.answered.date() >= add_months(as_of, -lookback):
            x.unanswered_months = "fail"
        return
    if not received < add_months(as_of, -months):
        return
    seen = min(as_of, read_at.date())
    x.unanswered_months = "fail" if received < add_months(seen, -months) else "inconclusive"


def _guide_truth(site: Site, guide: channels.Guide, elements: list[str]) -> GuideTruth:
    away = regions.outside(guide.address, site.region_code) if guide.address else []
    absent = [e for e in elements if e not in guide.values]
    empty = [e for e in elements if e in guide.values and not guide.values[e]]
    link_status = {"alive": 200, "dead": 404}.get(guide.link)
    failing = ([MISSING] if absent or empty else []) + ([NO_LINK] if guide.link != "alive" else []) + \
        ([INACCURATE] if away else [])
    return GuideTruth(
        url=f"{site.scheme}://{site.host}{guide.path}", title=f"{guide.item}办事指南" if "事项名称" in guide.values else "",
        item=guide.item, layout=guide.layout, elements=guide.elements, values=dict(guide.values),
        address=guide.address, outside=away, service_url=guide.service_url, link=guide.link,
        link_status=link_status, failing=failing)


def _site_outcomes(rows: list[ChannelTruth], kinds: tuple[str, ...], broken_fails: bool,
                   problems: bool, unsure: bool) -> str:
    """A whole-site outcome: skipped without channels of the kinds; fail when `problems` or (when `broken_fails`)
    every channel is broken; inconclusive when none works, or `unsure`; else pass. Guides channels count by
    whether they offer a service."""
    mine = [r for r in rows if r.kind in kinds]
    if not mine:
        return "skipped"
    readings = [r.offer or r.reading for r in mine]
    if problems or (broken_fails and all(r == "broken" for r in readings)):
        return "fail"
    if "working" not in readings or unsure:
        return "inconclusive"
    return "pass"


def expected_letters(scenario: Scenario, rulebook: Rulebook | None = None,
                     read_at: datetime | None = None) -> LettersTruth:
    """What the letters and guides rules must find in the scenario's channels, read at `read_at` (default: the
    platform clock, the monitoring point at 10:00): per letter its deadline (the rulebook's reply_workdays, counted
    with monitor.workdays), whether letter_timeliness judges it and how, whether it stayed unanswered more than 3
    months; per unit the overdue letters (附件4); per channel how it reads; per guide its elements, address and link;
    per site the outcomes of interaction_response, service_practical and guide_elements.
    `rulebook` defaults to the scenario's own (Scenario.rulebook) over the national book."""
    book = rulebook or load_rulebook(scenario.rulebook)
    timely, response = book["letter_timeliness"], book["interaction_response"]
    limit, simple = timely.param("reply_workdays"), timely.param("simple_reply_workdays")
    as_of = scenario.as_of
    read_at = read_at or scenario.clock
    window = (add_months(as_of, -int(timely.param("window_months"))), as_of)
    months, lookback = int(response.param("unanswered_months")), int(response.param("lookback_months"))
    elements = list(book["guide_elements"].param("elements"))
    cal = channels.calendar()
    rows: list[ChannelTruth] = []
    interaction, service, guide_problems = {}, {}, {}
    for site in scenario.sites:
        site_rows = []
        for spec in site.channels:
            state, status, reading = CHANNEL_READING[spec.state]
            row = ChannelTruth(site.site_code, site.channel_url(spec), spec.name, spec.kind, spec.unit, spec.state,
                               state, status, reading, 0)
            if spec.state == "working" and spec.kind != "guides":
                shown = channels.letters(scenario, site, spec)
                row.pages = max(1, -(-len(shown) // channels.PAGE_SIZE))
                if not shown:
                    row.extract_state = "empty"
                for letter in shown:
                    x = LetterTruth(
                        url=f"{site.scheme}://{site.host}{letter.path}", title=letter.title,
                        category=letter.category, unit=letter.unit, responsible=spec.unit or letter.unit,
                        received=channels.shown_time(letter.received, spec.times),
                        received_text=channels.time_text(letter.received, spec.times),
                        accepted=channels.shown_time(letter.accepted, spec.times),
                        answered=channels.shown_time(letter.answered, spec.times),
                        answered_text=channels.time_text(letter.answered, spec.times) or None, status=letter.status,
                        answer_due=letter.answer_due)
                    if limit is not None:
                        own = simple if simple is not None and x.category == "咨询" else limit
                        _timeliness(x, int(own), window, as_of, read_at, cal)
                    if spec.kind == "consult":
                        _unanswered(x, months, lookback, as_of, read_at)
                    row.letters.append(x)
            if spec.state == "working" and spec.kind == "guides":
                shown_guides = channels.guides(scenario, site, spec)
                row.pages = max(1, -(-len(shown_guides) // channels.PAGE_SIZE))
                if not shown_guides:
                    row.extract_state = "empty"
                row.guides = [_guide_truth(site, g, elements) for g in shown_guides]
            if spec.kind == "guides":  # a working list of no guide offers no service
                row.offer = row.reading if row.reading != "working" else "working" if row.guides else "broken"
            site_rows.append(row)
        rows += site_rows
        code = site.site_code
        consult_letters = [x for r in site_rows if r.kind == "consult" for x in r.letters]
        interaction[code] = _site_outcomes(
            site_rows, ("consult",), True, any(x.unanswered_months == "fail" for x in consult_letters),
            any(x.unanswered_months == "inconclusive" for x in consult_letters)
            or any(r.reading == "unsure" and r.state != "login" for r in site_rows if r.kind == "consult"))
        guides_all = [g for r in site_rows if r.kind == "guides" for g in r.guides]
        veto = int(book["service_practical"].param("veto_inaccurate_guides"))
        service[code] = _site_outcomes(
            site_rows, ("guides",), True, sum(bool(g.outside) for g in guides_all) >= veto,
            any(r.offer == "unsure" and r.state != "login" for r in site_rows if r.kind == "guides"))
        guide_rows = [r for r in site_rows if r.kind == "guides"]
        guide_problems[code] = "skipped" if not guide_rows else (
            "fail" if any(set(g.failing) - {INACCURATE} for g in guides_all)
            else "inconclusive" if any(r.reading == "unsure" for r in guide_rows) or not guides_all else "pass")
    overdue = Counter(x.responsible for r in rows for x in r.letters if x.timeliness == "fail")
    return LettersTruth(as_of, limit, window, rows, dict(overdue), interaction, service, guide_problems)
