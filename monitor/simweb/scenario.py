"""Scenario files of the simulated government web: regions, sites, columns, articles relative to the monitoring
point, and defects. The scenario is the ground truth that tests compare findings with (see expected.py).

YAML layout (see scenarios/honghe_2021q1.yaml):

    name: honghe_2021q1
    as_of: 2021-03-03                    # monitoring point; article dates are "days before" it
    column_defaults: [ {column}, ... ]    # columns every site has unless it lists its own
    sites:
      - site_code: "5325010002"           # 网站标识码
        name: 个旧市人民政府
        host: www.gejiu.gov.cn
        region_code: "532501"
        region_name: 个旧市
        level: county                     # province / city / county
        kind: portal                      # portal / department
        sponsor: 个旧市人民政府办公室
        template: trs                     # trs / table / portal (CMS-like markup, see templates.py)
        encoding: utf-8                   # utf-8 / gbk (gbk is served without a charset header)
        registry_columns: false           # true: the registry lists the columns; false: discovered
        blank_columns: 5                  # adds that many columns that never had content
        columns: [ {column}, ... ]         # extra columns (or all of them with own_columns: true)
        defects: {...}                    # see Defects
    accounts: [ {account}, ... ]          # new-media accounts served by the simulated platforms
    account_pool: {微信公众号: 164, 微博: 38, 今日头条: 13, 抖音: 13, region_codes: [...], seed: 1}

A column: {name, slug, category, unit, path, level, articles: {count, newest_days_ago, every_days} | [days_ago, ...],
page} (`newest`/`every` are accepted as short forms; `count: 0` or no articles = a blank column, 空白栏目). `page` says
how the column page is served, modelled on real government CMSs and WAFs (default `list`, the template's own list):
readable lists the crawler must read — `xhr` (list.json fetched by XMLHttpRequest), `json_script` (集约化/UCAP: the
records as a JS literal in a script, rendered through a template), `commented` (the list inside an HTML comment that a
script writes out), `spa` (a Vue-like shell built by /static/app.js), `trs_search` (TRS 海云: a POST to
/irs/front/search with a JSON body; a GET is refused) — and pages that are not the column, judged 待定 —
`challenge` (瑞数-like: HTTP 412 with a script that sets a cookie and reloads), `waf` (a WAF block page), `stub` (a
GBK redirect stub that keeps answering itself), `login` (a redirect to a login wall), `moved` (a 域名变更 notice that
redirects to another host), `broken_script` (a script-built list whose data endpoint fails: unreadable even
rendered). A site's `home_page` (challenge / waf / login / moved) serves its homepage that way.

Site options beyond the above: `meta_charset: true|false` puts a <meta charset> in the pages or not (default: only
for utf-8; a gbk page without it declares nothing anywhere, the client must sniff); `footer: static | document_write | footer_js` says how the footer reaches the page
(default: footer_js for the table template, static otherwise); `icp`, `police` override the generated numbers.

An account (served by platforms.py under the platforms' real host names; ages count back from the platform clock,
the monitoring point at 10:00 China time): {platform (label or alias), account (the registry id or URL: WeChat
`__biz`/`gh_…`, Weibo uid, Toutiao token, Douyin sec_uid), name, owner_unit, region_code} and, all optional:
`newest_days_ago` (default 1) or `newest_hours_ago`, `posts` (default 10; 0 = an account that never posted),
`every_days` (default 3), `original` (default true), `pinned_days_ago` (an old pinned post; not WeChat),
`verified_subject` (default owner_unit; null = not verified), `display_name` (default name), `comments` (default
true), `menu` (WeChat only, default true: 网上办事 and 互动留言), `followable` (default true; not Weibo),
`weibo_times: relative` (Weibo's older relative created_at texts), and `wall`: login / captcha / deleted / expired /
blocked, where the platform has it (WALLS). `account_pool` adds that many healthy accounts per platform, for units
of the listed regions (the sites' region names), deterministically from its seed.

A site's `channels:` (letters channels and 办事指南 lists, served by channels.py on the site's own host; the registry
lists them only when asked, `registry(channels=True)`):

    channels:
      - kind: consult                     # consult (领导信箱, 咨询投诉) / petition (网上信访) / guides (办事指南)
        name: 州长信箱
        slug: zzxx                        # default <kind><n>; the address is /hdjl/<slug>/ (table lists) or
                                          #   /jact/front/mailpublist.do?sysid=<slug> (<ul> lists), /bsfw/<slug>/
        unit: 建水县                      # 责任单位 in the registry (overdue letters are listed under it); optional
        state: working                    # working / form / login / closed / "500" / "404" / empty /
                                          #   challenge (瑞数-like 412) / waf (a WAF block page)
        layout: table                     # table / ul (default: ul for the portal template, else table)
        times: minute                     # minute (2021-03-02 10:21) / date (2021年3月2日); default by template
        letters:                          # consult and petition channels, working ones only
          - {received: "2021-02-05 09:30", answered_workdays: 4, unit: 州交通运输局, category: 投诉, title: …}
          - {received_days_ago: 40, at: "10:21", answered: "2021-01-25 16:00"}
          - {received_days_ago: 12, answered_workdays: never}
          - {count: 12, newest_days_ago: 2, every_days: 9, answered_workdays: 2, unit: …, category: 咨询}
        guides:                           # guides channels, working ones only
          - {count: 3}                                        # complete guides, address inside the region
          - {item: 个体工商户设立登记, missing: [设定依据], empty: [收费标准], link: dead, layout: sections,
             address: 咸阳市秦都区人民路12号}

A letter is received at a datetime (`received`) or `received_days_ago` at `at` (default a time from the letter's
hash); it is answered `answered_workdays` working days after the receipt day (monitor.workdays, the receipt day not
counted; 0 = the same day), at `answered` (a datetime), or never (`answered_workdays: never`); default 1 working day.
An answer later than the platform clock (the monitoring point at 10:00) is not shown yet: the letter is 办理中.
`unit` is the 答复单位 shown (default the channel's unit, else the site's sponsor), `category` one of LETTER_CATEGORIES
(default 咨询). A guide has the nine elements (GUIDE_ELEMENTS) unless `missing` leaves some out or `empty` shows them
without a value; `address` replaces the generated 办理地点 inside the region; `link` is its 在线办理 link to the
province's 政务服务网 item page (alive, dead = 404, nowhere = href javascript:void(0), none = no link).

`rulebook:` names a local rulebook (a YAML file beside the scenario) the scenario is judged with (Scenario.rulebook).

Errors name the file and the field (ScenarioError).
"""

from __future__ import annotations

import base64
import random
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml

from monitor.platforms import platform_for

SCENARIOS = Path(__file__).with_name("scenarios")
TEMPLATES = ("trs", "table", "portal")
LEVELS = ("province", "city", "county")
KINDS = ("portal", "department")
ENCODINGS = ("utf-8", "gbk")
FOOTER_MODES = ("static", "document_write", "footer_js")
FOOTER_MARKS = ("site_code", "icp", "police", "conac", "zhaocuo")
BROKEN_KINDS = ("404", "500", "hang", "dns", "refused", "tls")
CATEGORIES = ("dynamic", "notice", "policy", "personnel", "plan", "interaction", "service", "other")
# How a column page is served (see the docstring); the readable ones carry their list, the others are not the column.
READABLE_PAGES = ("list", "xhr", "json_script", "commented", "spa", "trs_search")
UNREADABLE_PAGES = {"challenge": "challenge", "waf": "blocked", "stub": "challenge", "login": "login",
                    "moved": "moved", "broken_script": "unrendered"}  # page kind → the outcome the crawler records
PAGE_KINDS = READABLE_PAGES + tuple(UNREADABLE_PAGES)
HOME_PAGES = ("normal", "challenge", "waf", "login", "moved")
# Channels (see the docstring).
CHANNEL_KINDS = ("consult", "petition", "guides")
CHANNEL_STATES = ("working", "form", "login", "closed", "500", "404", "empty", "challenge", "waf")
CHANNEL_LAYOUTS = ("table", "ul")
LETTER_TIMES = ("minute", "date")
LETTER_CATEGORIES = ("咨询", "投诉", "建议", "求助", "举报")
GUIDE_ELEMENTS = ("事项名称", "设定依据", "申请条件", "办理材料", "办理地点", "办理时间", "联系电话", "办理流程", "收费标准")
GUIDE_LINKS = ("alive", "dead", "nowhere", "none")
GUIDE_LAYOUTS = ("table", "sections")
# Province prefixes of ICP and police record numbers (GB/T 2260 first two digits).
PROVINCE_ABBR = {"11": "京", "12": "津", "13": "冀", "14": "晋", "15": "蒙", "21": "辽", "22": "吉", "23": "黑",
                 "31": "沪", "32": "苏", "33": "浙", "34": "皖", "35": "闽", "36": "赣", "37": "鲁", "41": "豫",
                 "42": "鄂", "43": "湘", "44": "粤", "45": "桂", "46": "琼", "50": "渝", "51": "川", "52": "贵",
                 "53": "滇", "54": "藏", "61": "陕", "62": "甘", "63": "青", "64": "宁", "65": "新"}
BLANK_NAMES = ("专题专栏", "政府信息公开年报", "重大建设项目", "公共资源配置", "社会公益事业", "财政预决算",
               "审计信息", "应急管理", "扶贫开发", "环境保护")


class ScenarioError(ValueError):
    pass


@dataclass
class Column:
    name: str
    slug: str
    category: str
    days_ago: list[int]  # one per article, newest first; [] = a blank column (空白栏目)
    unit: str | None = None
    path: str | None = None
    level: int = 1
    page: str = "list"  # how the column page is served (PAGE_KINDS)

    @property
    def blank(self) -> bool:
        return not self.days_ago

    @property
    def readable(self) -> bool:
        return self.page in READABLE_PAGES


@dataclass
class Defects:
    """What is wrong with a site, on purpose. Every field maps to an expectation in expected.py."""

    # {kind: 404|500|hang|dns|refused|tls, where: home|article}
    broken_links: list[dict[str, str]] = field(default_factory=list)
    missing_footer: list[str] = field(default_factory=list)  # site_code / icp / police / conac / zhaocuo
    wrong_site_code: str | None = None
    typos: list[str] = field(default_factory=list)  # wrong words planted in the first article
    ads: bool = False  # an ad-network script and a shop link on the homepage
    hidden_links: bool = False  # a hidden gambling link on the homepage
    personal_data: bool = False  # an ID card number and a mobile number in the first article
    missing_attachment: bool = False  # an attachment link on the first article that 404s
    slow_seconds: float = 0.0  # every response of the site waits that long
    unreachable: bool = False  # the host map sends the host to a closed port
    tls_broken: bool = False  # the homepage is https and its port speaks no TLS
    robustness: bool = False  # registry columns pointing at the server's bad responses


@dataclass
class LetterSpec:
    """One letter of a channel as the scenario gives it; channels.py turns it into times (see the docstring)."""

    received: datetime | None = None  # an explicit receipt time, else:
    days_ago: int = 0  # days before the monitoring point, at `at`
    at: time | None = None  # None: a time from the letter's hash
    answered_workdays: int | None = 1  # None with answered None: never answered
    answered: datetime | None = None  # an explicit answer time
    unit: str | None = None  # 答复单位 shown; None: the channel's unit, else the site's sponsor
    category: str = "咨询"
    title: str | None = None  # None: a title from the category's topics


@dataclass
class GuideSpec:
    item: str | None = None  # 事项名称; None: one of channels.GUIDE_ITEMS
    missing: list[str] = field(default_factory=list)  # elements not shown at all
    empty: list[str] = field(default_factory=list)  # elements shown without a value
    address: str | None = None  # 办理地点; None: the region's own 政务服务中心
    link: str = "alive"  # GUIDE_LINKS
    layout: str | None = None  # table / sections; None: by position (alternating)


@dataclass
class ChannelSpec:
    kind: str  # CHANNEL_KINDS
    name: str
    slug: str
    unit: str | None = None  # 责任单位 in the registry
    state: str = "working"  # CHANNEL_STATES
    layout: str = "table"  # table / ul
    times: str = "minute"  # minute / date
    letters: list[LetterSpec] = field(default_factory=list)
    guides: list[GuideSpec] = field(default_factory=list)


@dataclass
class Site:
    site_code: str
    name: str
    host: str
    region_code: str
    region_name: str
    level: str
    kind: str
    sponsor: str
    template: str
    encoding: str
    registry_columns: bool
    columns: list[Column]
    defects: Defects
    parent_site_code: str | None = None
    icp: str = ""
    police: str = ""
    meta_charset: bool = True
    footer_mode: str = "static"
    home_page: str = "normal"  # HOME_PAGES: the homepage served as an interstitial
    channels: list[ChannelSpec] = field(default_factory=list)  # letters channels and 办事指南 lists (channels.py)

    @property
    def scheme(self) -> str:
        return "https" if self.defects.tls_broken else "http"

    @property
    def homepage(self) -> str:
        return f"{self.scheme}://{self.host}/"

    def column_url(self, column: Column) -> str:
        return f"{self.scheme}://{self.host}/{column.slug}/"

    def channel_url(self, channel: ChannelSpec) -> str:
        """The channel's list page (what the registry lists)."""
        if channel.kind == "guides":
            return f"{self.scheme}://{self.host}/bsfw/{channel.slug}/"
        if channel.layout == "ul":  # 大汉 jact mailbox lists
            return f"{self.scheme}://{self.host}/jact/front/mailpublist.do?sysid={channel.slug}"
        return f"{self.scheme}://{self.host}/hdjl/{channel.slug}/"

    def channel(self, slug: str) -> ChannelSpec:
        return next(c for c in self.channels if c.slug == slug)


# Walls each platform can show instead of an account (platform code → walls), as the page contract describes them.
WALLS = {"wechat": ("login", "captcha", "deleted", "expired"), "weibo": ("login", "deleted", "blocked"),
         "toutiao": ("captcha", "deleted"), "douyin": ("login", "captcha", "deleted")}
ACCOUNT_REGISTRY_FIELDS = ("platform", "account", "name", "owner_unit", "region_code")
ACCOUNT_OPTIONS = ("newest_days_ago", "newest_hours_ago", "posts", "every_days", "original", "pinned_days_ago",
                   "verified_subject", "display_name", "comments", "menu", "followable", "weibo_times", "wall")
# The platform's own id of an account, once taken out of a URL.
ACCOUNT_IDS = {"wechat": re.compile(r"Mz[A-Za-z0-9+/]+={0,2}|gh_[0-9a-z_]{4,}"), "weibo": re.compile(r"\d{5,12}"),
               "toutiao": re.compile(r"MS4wLjABAAAA[A-Za-z0-9_-]{16,}"),
               "douyin": re.compile(r"MS4wLjABAAAA[A-Za-z0-9_-]{16,}")}
PLATFORM_CLOCK = time(10, 0)  # the platforms' "now" on the monitoring day, China time


def platform_id(code: str, account: str) -> str:
    """The id a platform page is addressed by, from a registry value that may be a URL."""
    account = account.strip()
    if "://" not in account:
        return account
    parts = urlsplit(account)
    segments = [p for p in parts.path.split("/") if p]
    if code == "wechat":
        return parse_qs(parts.query).get("__biz", [""])[0]
    if code == "weibo":
        return next((p for p in reversed(segments) if p.isdigit()), "")
    if code == "toutiao":
        return segments[segments.index("token") + 1] if "token" in segments[:-1] else ""
    return segments[segments.index("user") + 1] if "user" in segments[:-1] else ""


@dataclass
class Account:
    """A new-media account and how its platform shows it (defaults: a healthy, verified, interactive account)."""

    platform: str  # canonical label: 微信公众号 / 微博 / 今日头条 / 抖音
    account: str  # as the registry gives it (id or URL)
    name: str
    owner_unit: str
    region_code: str
    newest_hours: int = 24  # the newest (unpinned) post, hours before the platform clock
    posts: int = 10  # 0: the account never posted
    every_days: int = 3
    original: bool = True
    pinned_days_ago: int | None = None  # an old post pinned on top
    verified: bool = True
    verified_subject: str | None = None  # None with verified: the owner unit
    display_name: str | None = None  # None: the registry name
    comments: bool = True
    menu: bool = True  # WeChat's profile menu (网上办事, 互动留言)
    followable: bool = True
    weibo_times: str = "absolute"  # or "relative": Weibo's older created_at texts (5小时前, 昨天 10:00, 03-02)
    wall: str | None = None  # login / captcha / deleted / expired / blocked (WALLS)

    @property
    def code(self) -> str:
        found = platform_for(self.platform)
        assert found is not None, self.platform
        return found.code

    @property
    def uid(self) -> str:
        """The id the platform's pages are addressed by."""
        return platform_id(self.code, self.account)

    @property
    def subject(self) -> str | None:
        """The verified subject (认证主体) the platform shows, None when the account is not verified."""
        return (self.verified_subject or self.owner_unit) if self.verified else None

    @property
    def shown_name(self) -> str:
        return self.display_name or self.name

    def row(self) -> dict[str, str]:
        """The account as a registry row (what monitor.registry imports)."""
        return {k: getattr(self, k) for k in ACCOUNT_REGISTRY_FIELDS}

    def __getitem__(self, key: str) -> str:  # read like the registry row it stands for (a["name"])
        return self.row()[key]

    def options(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k not in ACCOUNT_REGISTRY_FIELDS}


@dataclass
class Scenario:
    name: str
    as_of: date
    sites: list[Site]
    accounts: list[Account] = field(default_factory=list)
    rulebook: Path | None = None  # the local rulebook the scenario is judged with (None: the national book)

    def site(self, code: str) -> Site:
        return next(s for s in self.sites if s.site_code == code)

    @property
    def clock(self) -> datetime:
        """The platforms' "now": the monitoring point at 10:00 China time (naive)."""
        return datetime.combine(self.as_of, PLATFORM_CLOCK)

    def day(self, days_ago: int) -> date:
        return self.as_of - timedelta(days=days_ago)

    def registry(self, channels: bool = False) -> dict[str, list[dict[str, Any]]]:
        """The target registry of the scenario, in the format monitor.registry imports. `channels` adds the sites'
        letters channels and guide lists (section `channels`): opt-in, because a registered channel that no
        channels crawl read makes 互动回应差 and 服务不实用 待定 (无监测数据) at evaluation."""
        websites = [{"site_code": s.site_code, "name": s.name, "homepage": s.homepage, "region_code": s.region_code,
                     "region_name": s.region_name, "level": s.level, "kind": s.kind, "sponsor": s.sponsor,
                     "parent_site_code": s.parent_site_code} for s in self.sites]
        columns = []
        for s in self.sites:
            if not s.registry_columns:
                continue
            for c in s.columns:
                columns.append({"site_code": s.site_code, "name": c.name, "url": s.column_url(c),
                                "category": c.category, "unit": c.unit, "path": c.path, "level": c.level})
            if s.defects.robustness:
                for slug in ROBUSTNESS_PATHS:
                    columns.append({"site_code": s.site_code, "name": f"测试-{slug}", "url": f"{s.homepage}robust/{slug}",
                                    "category": "other", "unit": None, "path": None, "level": 1})
        out: dict[str, list[dict[str, Any]]] = {"websites": websites, "columns": columns,
                                                "accounts": [a.row() for a in self.accounts]}
        if channels:
            out["channels"] = [{"site_code": s.site_code, "name": c.name, "url": s.channel_url(c), "kind": c.kind,
                                "unit": c.unit} for s in self.sites for c in s.channels]
        return out

    def write_registry(self, path: str | Path, channels: bool = False) -> Path:
        """Write registry(channels) as a YAML registry file."""
        path = Path(path)
        path.write_text(yaml.safe_dump(self.registry(channels), allow_unicode=True, sort_keys=False),
                        encoding="utf-8")
        return path


# Bad responses the server gives under /robust/<name> (see server.py).
ROBUSTNESS_PATHS = ("redirect-loop", "empty", "binary", "giant", "utf16", "calendar?date=2021-03-02", "broken-html",
                    "retry-after")


def _int(value: Any, where: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).lstrip("-").isdigit():
        raise ScenarioError(f"{where}: expected an integer, got {value!r}")
    if int(value) < minimum:
        raise ScenarioError(f"{where}: must be at least {minimum}, got {value!r}")
    return int(value)


def _articles(spec: Any, where: str) -> list[int]:
    """Days before the monitoring point, newest first."""
    if spec is None:
        return []
    if isinstance(spec, list):
        return sorted(_int(d, f"{where}[{i}]") for i, d in enumerate(spec))
    if isinstance(spec, dict):
        unknown = set(spec) - {"count", "newest", "newest_days_ago", "every", "every_days"}
        if unknown:
            raise ScenarioError(f"{where}: unknown field(s) {sorted(unknown)}")
        count = _int(spec.get("count", 0), f"{where}.count")
        newest = _int(spec.get("newest_days_ago", spec.get("newest", 1)), f"{where}.newest_days_ago")
        every = _int(spec.get("every_days", spec.get("every", 7)), f"{where}.every_days", minimum=1)
        return [newest + i * every for i in range(count)]
    raise ScenarioError(f"{where}: must be a list of days_ago or {{count, newest_days_ago, every_days}}")


def _column(raw: Any, where: str) -> Column:
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where}: a column must be a mapping")
    for key in ("name", "slug", "category"):
        if not raw.get(key):
            raise ScenarioError(f"{where}.{key}: missing")
    if raw["category"] not in CATEGORIES:
        raise ScenarioError(f"{where}.category: {raw['category']!r} is not one of {CATEGORIES}")
    slug = str(raw["slug"]).strip("/")
    if not re.fullmatch(r"[A-Za-z0-9_-]+", slug):
        raise ScenarioError(f"{where}.slug: {raw['slug']!r} must be ASCII letters, digits, - and _")
    return Column(name=raw["name"], slug=slug, category=raw["category"],
                  days_ago=_articles(raw.get("articles"), f"{where}.articles"), unit=raw.get("unit"),
                  path=raw.get("path"), level=_int(raw.get("level", 1), f"{where}.level", minimum=1),
                  page=_choice(raw, "page", PAGE_KINDS, "list", where))


def _choice(raw: dict[str, Any], key: str, choices: tuple[str, ...], default: str | None, where: str) -> str:
    value = raw.get(key, default)
    if value not in choices:
        raise ScenarioError(f"{where}.{key}: {value!r} is not one of {choices}")
    return str(value)


def _defects(raw: Any, where: str) -> Defects:
    raw = raw or {}
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where}: must be a mapping")
    unknown = set(raw) - set(Defects.__dataclass_fields__)
    if unknown:
        raise ScenarioError(f"{where}: unknown defect(s) {sorted(unknown)}")
    for i, link in enumerate(raw.get("broken_links") or []):
        if not isinstance(link, dict) or str(link.get("kind")) not in BROKEN_KINDS:
            raise ScenarioError(f"{where}.broken_links[{i}].kind: must be one of {BROKEN_KINDS}")
        if link.get("where", "article") not in ("home", "article"):
            raise ScenarioError(f"{where}.broken_links[{i}].where: must be home or article")
    bad = set(raw.get("missing_footer") or []) - set(FOOTER_MARKS)
    if bad:
        raise ScenarioError(f"{where}.missing_footer: {sorted(bad)} not among {FOOTER_MARKS}")
    defects = Defects(**raw)
    defects.broken_links = [{"kind": str(b["kind"]), "where": b.get("where", "article")} for b in defects.broken_links]
    return defects


def parse_scenario(data: Any, source: str = "<scenario>") -> Scenario:
    if not isinstance(data, dict) or not isinstance(data.get("sites"), list) or not data["sites"]:
        raise ScenarioError(f"{source}: sites: a scenario needs a non-empty list of sites")
    as_of = data.get("as_of")
    try:
        as_of = as_of if isinstance(as_of, date) else date.fromisoformat(str(as_of))
    except ValueError:
        raise ScenarioError(f"{source}: as_of: {as_of!r} is not a date (YYYY-MM-DD)") from None
    defaults = [_column(c, f"{source}: column_defaults[{i}]") for i, c in enumerate(data.get("column_defaults") or [])]
    sites: list[Site] = []
    for i, raw in enumerate(data["sites"]):
        where = f"{source}: sites[{i}]"
        if not isinstance(raw, dict):
            raise ScenarioError(f"{where}: a site must be a mapping")
        for key in ("site_code", "name", "host", "region_code", "region_name", "level", "kind"):
            if not raw.get(key):
                raise ScenarioError(f"{where}.{key}: missing")
        code, region = str(raw["site_code"]), str(raw["region_code"])
        if not (code.isdigit() and len(code) == 10):
            raise ScenarioError(f"{where}.site_code: {code!r} is not a 10-digit 网站标识码")
        if not (region.isdigit() and len(region) == 6):
            raise ScenarioError(f"{where}.region_code: {region!r} is not a 6-digit region code")
        template = _choice(raw, "template", TEMPLATES, "trs", where)
        own = [_column(c, f"{where}.columns[{k}]") for k, c in enumerate(raw.get("columns") or [])]
        columns = own if raw.get("own_columns") else [c for c in defaults if c.slug not in {o.slug for o in own}] + own
        for n in range(_int(raw.get("blank_columns", 0), f"{where}.blank_columns")):
            columns.append(Column(BLANK_NAMES[n % len(BLANK_NAMES)], f"blank{n + 1}", "other", []))
        slugs = [c.slug for c in columns]
        if len(set(slugs)) != len(slugs):
            raise ScenarioError(f"{where}.columns: duplicate slugs {sorted({s for s in slugs if slugs.count(s) > 1})}")
        sites.append(Site(
            site_code=code, name=raw["name"], host=str(raw["host"]).lower(), region_code=region,
            region_name=raw["region_name"], level=_choice(raw, "level", LEVELS, None, where),
            kind=_choice(raw, "kind", KINDS, None, where),
            sponsor=raw.get("sponsor", f"{raw['name']}办公室"), template=template,
            encoding=_choice(raw, "encoding", ENCODINGS, "utf-8", where),
            registry_columns=bool(raw.get("registry_columns", False)),
            columns=columns, defects=_defects(raw.get("defects"), f"{where}.defects"),
            parent_site_code=str(raw["parent_site_code"]) if raw.get("parent_site_code") else None,
            icp=raw.get("icp", f"{PROVINCE_ABBR.get(region[:2], '滇')}ICP备{int(code[-6:]) + 5000000:08d}号"),
            police=raw.get("police", f"{PROVINCE_ABBR.get(region[:2], '滇')}公网安备{code[:6]}02{int(code[-4:]):06d}号"),
            # GBK pages of old CMSs often declare nothing at all: the default leaves gbk undeclared.
            meta_charset=bool(raw.get("meta_charset", raw.get("encoding", "utf-8") != "gbk")),
            footer_mode=_choice(raw, "footer", FOOTER_MODES, "footer_js" if template == "table" else "static", where),
            home_page=_choice(raw, "home_page", HOME_PAGES, "normal", where),
            channels=_channels(raw.get("channels"), template, as_of, f"{where}.channels"),
        ))
    for key in ("site_code", "host"):
        values = [getattr(s, key) for s in sites]
        dup = sorted({v for v in values if values.count(v) > 1})
        if dup:
            raise ScenarioError(f"{source}: sites.{key}: duplicates {dup}")
    codes = {s.site_code for s in sites}
    for i, s in enumerate(sites):
        if s.parent_site_code and s.parent_site_code not in codes:
            raise ScenarioError(f"{source}: sites[{i}].parent_site_code: {s.parent_site_code} is not a site")
    raw_accounts = data.get("accounts") or []
    if not isinstance(raw_accounts, list):
        raise ScenarioError(f"{source}: accounts: must be a list")
    accounts = [parse_account(a, f"{source}: accounts[{i}]") for i, a in enumerate(raw_accounts)]
    if data.get("account_pool"):
        regions = {s.region_code: s.region_name for s in sites}
        accounts += account_pool(data["account_pool"], regions, accounts, f"{source}: account_pool")
    check_accounts(accounts, f"{source}: accounts")
    return Scenario(name=data.get("name", Path(source).stem), as_of=as_of, sites=sites, accounts=accounts,
                    rulebook=_rulebook(data.get("rulebook"), source))


def _rulebook(value: Any, source: str) -> Path | None:
    """The scenario's local rulebook: a path relative to the scenario file (bundled scenarios: this folder)."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ScenarioError(f"{source}: rulebook: expected a file name, got {value!r}")
    base = Path(source).parent if Path(source).is_file() else SCENARIOS
    path = (base / value).resolve()
    if not path.is_file():
        raise ScenarioError(f"{source}: rulebook: no file {path}")
    return path


# ------------------------------------------------------------------ channels


def _text(raw: dict[str, Any], key: str, where: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
        raise ScenarioError(f"{where}.{key}: expected a text, got {value!r}")
    return str(value).strip()


def _clock(value: Any, where: str) -> time:
    """A time of day written HH:MM (YAML may have read 10:21 as a sexagesimal integer, 621)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        return time(value // 60, value % 60)
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", str(value).strip())
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise ScenarioError(f"{where}: {value!r} is not a time of day (HH:MM)")
    return time(int(m.group(1)), int(m.group(2)))


def _moment(value: Any, where: str) -> datetime:
    """A datetime written 'YYYY-MM-DD HH:MM' (a bare date is 00:00)."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None, second=0, microsecond=0)
    if isinstance(value, date):
        return datetime.combine(value, time())
    try:
        parsed = datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise ScenarioError(f"{where}: {value!r} is not a date and time (YYYY-MM-DD HH:MM)") from None
    return parsed.replace(tzinfo=None, second=0, microsecond=0)


LETTER_FIELDS = {"received", "received_days_ago", "at", "answered_workdays", "answered", "unit", "category", "title"}
GENERATOR_FIELDS = {"count", "newest_days_ago", "every_days"}


def _letter(raw: dict[str, Any], where: str, as_of: date, days_ago: int | None = None) -> LetterSpec:
    category = raw.get("category", "咨询")
    if category not in LETTER_CATEGORIES:
        raise ScenarioError(f"{where}.category: {category!r} is not one of {LETTER_CATEGORIES}")
    received = None
    if days_ago is None:
        if ("received" in raw) == ("received_days_ago" in raw):
            raise ScenarioError(f"{where}.received: give received (YYYY-MM-DD HH:MM) or received_days_ago, one of them")
        if "received" in raw:
            received = _moment(raw["received"], f"{where}.received")
            if "at" in raw:
                raise ScenarioError(f"{where}.at: only with received_days_ago")
        else:
            days_ago = _int(raw["received_days_ago"], f"{where}.received_days_ago")
    at = _clock(raw["at"], f"{where}.at") if "at" in raw else None
    clock = datetime.combine(as_of, PLATFORM_CLOCK)
    if received is not None and received > clock or days_ago == 0 and at is not None and at > PLATFORM_CLOCK:
        raise ScenarioError(f"{where}.received: after the monitoring point ({clock:%Y-%m-%d %H:%M})")
    workdays: int | None = 1
    answered = None
    if "answered" in raw and "answered_workdays" in raw:
        raise ScenarioError(f"{where}.answered: give answered or answered_workdays, not both")
    if "answered" in raw:
        workdays = None
        if raw["answered"] not in (None, "never"):
            answered = _moment(raw["answered"], f"{where}.answered")
            if received is not None and answered < received:
                raise ScenarioError(f"{where}.answered: before the letter was received")
    elif "answered_workdays" in raw:
        value = raw["answered_workdays"]
        workdays = None if value in (None, "never") else _int(value, f"{where}.answered_workdays")
    return LetterSpec(received=received, days_ago=days_ago or 0, at=at, answered_workdays=workdays,
                      answered=answered, unit=_text(raw, "unit", where), category=category,
                      title=_text(raw, "title", where))


def _letters(spec: Any, where: str, as_of: date) -> list[LetterSpec]:
    if spec is None:
        return []
    if not isinstance(spec, list):
        raise ScenarioError(f"{where}: must be a list of letters or generators ({{count, newest_days_ago, …}})")
    out: list[LetterSpec] = []
    for i, raw in enumerate(spec):
        here = f"{where}[{i}]"
        if not isinstance(raw, dict):
            raise ScenarioError(f"{here}: a letter must be a mapping")
        generator = "count" in raw
        unknown = set(raw) - LETTER_FIELDS - (GENERATOR_FIELDS if generator else set())
        if generator:
            unknown |= set(raw) & {"received", "received_days_ago"}
        if unknown:
            raise ScenarioError(f"{here}: unknown field(s) {sorted(unknown)}")
        if not generator:
            out.append(_letter(raw, here, as_of))
            continue
        count = _int(raw["count"], f"{here}.count")
        newest = _int(raw.get("newest_days_ago", 1), f"{here}.newest_days_ago")
        every = _int(raw.get("every_days", 7), f"{here}.every_days", minimum=1)
        out += [_letter(raw, here, as_of, days_ago=newest + k * every) for k in range(count)]
    return out


GUIDE_FIELDS = {"item", "count", "missing", "empty", "address", "link", "layout"}


def _guides(spec: Any, where: str) -> list[GuideSpec]:
    if spec is None:
        return []
    if not isinstance(spec, list):
        raise ScenarioError(f"{where}: must be a list of guides")
    out: list[GuideSpec] = []
    for i, raw in enumerate(spec):
        here = f"{where}[{i}]"
        if not isinstance(raw, dict):
            raise ScenarioError(f"{here}: a guide must be a mapping")
        unknown = set(raw) - GUIDE_FIELDS
        if unknown:
            raise ScenarioError(f"{here}: unknown field(s) {sorted(unknown)}")
        lists = {}
        for key in ("missing", "empty"):
            value = raw.get(key) or []
            if not isinstance(value, list) or set(value) - set(GUIDE_ELEMENTS):
                raise ScenarioError(f"{here}.{key}: must be a list of elements among {GUIDE_ELEMENTS}")
            lists[key] = [str(v) for v in value]
        both = set(lists["missing"]) & set(lists["empty"])
        if both:
            raise ScenarioError(f"{here}.empty: {sorted(both)} cannot be both missing and empty")
        address = _text(raw, "address", here)
        if address and "办理地点" in lists["missing"] + lists["empty"]:
            raise ScenarioError(f"{here}.address: the guide shows no 办理地点 (missing or empty)")
        count = _int(raw.get("count", 1), f"{here}.count", minimum=1)
        if count > 1 and "item" in raw:
            raise ScenarioError(f"{here}.item: one item name cannot name {count} guides")
        layout = raw.get("layout")
        if layout is not None and layout not in GUIDE_LAYOUTS:
            raise ScenarioError(f"{here}.layout: {layout!r} is not one of {GUIDE_LAYOUTS}")
        for _ in range(count):
            out.append(GuideSpec(item=_text(raw, "item", here), missing=list(lists["missing"]),
                                 empty=list(lists["empty"]), address=address,
                                 link=_choice(raw, "link", GUIDE_LINKS, "alive", here), layout=layout))
    return out


CHANNEL_FIELDS = {"kind", "name", "slug", "unit", "state", "layout", "times", "letters", "guides"}


def _channels(spec: Any, template: str, as_of: date, where: str) -> list[ChannelSpec]:
    if spec is None:
        return []
    if not isinstance(spec, list):
        raise ScenarioError(f"{where}: must be a list of channels")
    out: list[ChannelSpec] = []
    for i, raw in enumerate(spec):
        here = f"{where}[{i}]"
        if not isinstance(raw, dict):
            raise ScenarioError(f"{here}: a channel must be a mapping")
        unknown = set(raw) - CHANNEL_FIELDS
        if unknown:
            raise ScenarioError(f"{here}: unknown field(s) {sorted(unknown)}")
        kind = _choice(raw, "kind", CHANNEL_KINDS, None, here)
        name = _text(raw, "name", here)
        if not name:
            raise ScenarioError(f"{here}.name: missing")
        slug = str(raw.get("slug") or f"{kind}{i + 1}").strip("/")
        if not re.fullmatch(r"[A-Za-z0-9_-]+", slug):
            raise ScenarioError(f"{here}.slug: {raw['slug']!r} must be ASCII letters, digits, - and _")
        state = str(raw.get("state", "working"))
        if state not in CHANNEL_STATES:
            raise ScenarioError(f"{here}.state: {raw.get('state')!r} is not one of {CHANNEL_STATES}")
        layout = _choice(raw, "layout", CHANNEL_LAYOUTS, "ul" if template == "portal" else "table", here)
        times = _choice(raw, "times", LETTER_TIMES, "date" if template == "table" else "minute", here)
        letters = _letters(raw.get("letters"), f"{here}.letters", as_of)
        guides = _guides(raw.get("guides"), f"{here}.guides")
        if letters and kind == "guides":
            raise ScenarioError(f"{here}.letters: a guides channel lists guides, not letters")
        if guides and kind != "guides":
            raise ScenarioError(f"{here}.guides: only a guides channel lists guides")
        if (letters or guides) and state != "working":
            raise ScenarioError(f"{here}.state: only a working channel shows its letters or guides, not {state!r}")
        if kind == "guides" and layout == "ul" and "layout" in raw:
            raise ScenarioError(f"{here}.layout: guide lists are served as the site's list, not a mailbox <ul>")
        out.append(ChannelSpec(kind=kind, name=name, slug=slug, unit=_text(raw, "unit", here), state=state,
                               layout="table" if kind == "guides" else layout, times=times, letters=letters,
                               guides=guides))
    slugs = [c.slug for c in out]
    dup = sorted({s for s in slugs if slugs.count(s) > 1})
    if dup:
        raise ScenarioError(f"{where}: duplicate slugs {dup}")
    return out


def _flag(raw: dict[str, Any], key: str, default: bool, where: str) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        raise ScenarioError(f"{where}.{key}: expected true or false, got {value!r}")
    return value


def parse_account(raw: Any, where: str) -> Account:
    """One `accounts:` entry (or a registry row of synthetic_accounts), checked field by field."""
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where}: an account must be a mapping")
    unknown = set(raw) - set(ACCOUNT_REGISTRY_FIELDS) - set(ACCOUNT_OPTIONS)
    if unknown:
        raise ScenarioError(f"{where}: unknown field(s) {sorted(unknown)}")
    for key in ACCOUNT_REGISTRY_FIELDS:
        if raw.get(key) in (None, ""):
            raise ScenarioError(f"{where}.{key}: missing")
    platform = platform_for(str(raw["platform"]))
    if platform is None:
        raise ScenarioError(f"{where}.platform: {raw['platform']!r} is not one of 微信公众号 / 微博 / 今日头条 / 抖音")
    account, region = str(raw["account"]).strip(), str(raw["region_code"])
    if not ACCOUNT_IDS[platform.code].fullmatch(platform_id(platform.code, account)):
        raise ScenarioError(f"{where}.account: {account!r} is not a {platform.label} id or address")
    if not (region.isdigit() and len(region) == 6):
        raise ScenarioError(f"{where}.region_code: {region!r} is not a 6-digit region code")
    if "newest_days_ago" in raw and "newest_hours_ago" in raw:
        raise ScenarioError(f"{where}.newest_hours_ago: give newest_days_ago or newest_hours_ago, not both")
    hours = (_int(raw["newest_hours_ago"], f"{where}.newest_hours_ago") if "newest_hours_ago" in raw
             else 24 * _int(raw.get("newest_days_ago", 1), f"{where}.newest_days_ago"))
    wall = raw.get("wall")
    if wall is not None and wall not in WALLS[platform.code]:
        raise ScenarioError(f"{where}.wall: {wall!r} is not a wall {platform.label} shows "
                            f"({', '.join(WALLS[platform.code])})")
    pinned = raw.get("pinned_days_ago")
    if pinned is not None and platform.code == "wechat":
        raise ScenarioError(f"{where}.pinned_days_ago: 微信公众号 profiles pin no posts")
    if "menu" in raw and platform.code != "wechat":
        raise ScenarioError(f"{where}.menu: only 微信公众号 profiles have a menu")
    if raw.get("followable") is False and platform.code == "weibo":
        raise ScenarioError(f"{where}.followable: every existing 微博 profile can be followed")
    if "weibo_times" in raw and platform.code != "weibo":
        raise ScenarioError(f"{where}.weibo_times: only for 微博")
    for key in ("verified_subject", "display_name"):
        if raw.get(key) is not None and not isinstance(raw[key], str):
            raise ScenarioError(f"{where}.{key}: expected a text, got {raw[key]!r}")
    return Account(
        platform=platform.label, account=account, name=str(raw["name"]), owner_unit=str(raw["owner_unit"]),
        region_code=region, newest_hours=hours, posts=_int(raw.get("posts", 10), f"{where}.posts"),
        every_days=_int(raw.get("every_days", 3), f"{where}.every_days", minimum=1),
        original=_flag(raw, "original", True, where),
        pinned_days_ago=None if pinned is None else _int(pinned, f"{where}.pinned_days_ago"),
        # verified_subject: null (written out) = not verified; absent = verified as the owner unit
        verified=not ("verified_subject" in raw and raw["verified_subject"] is None),
        verified_subject=raw.get("verified_subject"), display_name=raw.get("display_name"),
        comments=_flag(raw, "comments", True, where), menu=_flag(raw, "menu", True, where),
        followable=_flag(raw, "followable", True, where),
        weibo_times=_choice(raw, "weibo_times", ("absolute", "relative"), "absolute", where), wall=wall)


def check_accounts(accounts: list[Account], where: str) -> None:
    """One registry key per account and one page per platform id."""
    for label, key in (("accounts", lambda a: (a.platform, a.account)), ("platform ids", lambda a: (a.code, a.uid))):
        keys = [key(a) for a in accounts]
        dup = sorted({":".join(k) for k in keys if keys.count(k) > 1})
        if dup:
            raise ScenarioError(f"{where}: duplicate {label} {dup}")


# Government departments (政府系统: no courts, procuratorates or mass organisations) that run accounts: (unit after the place name, account name after the short place name).
DEPARTMENTS = (("人民政府", "发布"), ("人民政府办公室", "政务"), ("公安局", "警方"), ("财政局", "财政"),
               ("教育体育局", "教体"), ("卫生健康局", "卫健"), ("人力资源和社会保障局", "人社"),
               ("市场监督管理局", "市场监管"), ("应急管理局", "应急"), ("自然资源局", "自然资源"),
               ("住房和城乡建设局", "住建"), ("交通运输局", "交通"), ("农业农村局", "农业农村"), ("水务局", "水务"),
               ("文化和旅游局", "文旅"), ("林业和草原局", "林草"), ("民政局", "民政"), ("司法局", "司法"),
               ("退役军人事务局", "退役军人"), ("医疗保障局", "医保"), ("统计局", "统计"), ("审计局", "审计"),
               ("融媒体中心", "融媒"), ("发展和改革局", "发改"), ("科学技术局", "科技"), ("投资促进局", "招商"),
               ("政务服务管理局", "政务服务"), ("疾病预防控制中心", "疾控"), ("工业和信息化局", "工信"),
               ("商务局", "商务"), ("气象局", "气象"), ("消防救援大队", "消防"), ("城市管理局", "城管"),
               ("扶贫开发办公室", "扶贫"), ("民族宗教事务局", "民宗"))


def place_names(region_name: str) -> tuple[str, str]:
    """(name in unit names, short name in account names): 红河哈尼族彝族自治州 → (红河州, 红河州), 屏边苗族自治县 →
    (屏边苗族自治县, 屏边), 个旧市 → (个旧市, 个旧)."""
    if region_name.endswith("自治州"):
        return region_name[:2] + "州", region_name[:2] + "州"
    if "自治" in region_name:
        return region_name, region_name[:2]
    return region_name, region_name[:-1] if len(region_name) > 2 and region_name[-1] in "市县区旗" else region_name


def synthetic_id(code: str, rng: random.Random) -> str:
    """A plausible platform id: WeChat __biz (base64 of a 10-digit number), Weibo uid, Toutiao/Douyin sec_uid."""
    if code == "wechat":
        return base64.b64encode(str(rng.randrange(3_000_000_000, 3_999_999_999)).encode()).decode()
    if code == "weibo":
        return str(rng.randrange(1_000_000_000, 7_999_999_999))
    return "MS4wLjABAAAA" + base64.urlsafe_b64encode(rng.randbytes(48)).decode()


def account_pool(spec: Any, regions: dict[str, str], taken: list[Account], where: str) -> list[Account]:
    """Healthy accounts of plausible units of the regions: no unit twice on a platform, no name or id reused."""
    if not isinstance(spec, dict):
        raise ScenarioError(f"{where}: must be a mapping of platform counts, region_codes and seed")
    rng = random.Random(_int(spec.get("seed", 1), f"{where}.seed"))
    codes = [str(c) for c in spec.get("region_codes") or regions]
    for c in codes:
        if c not in regions:
            raise ScenarioError(f"{where}.region_codes: {c!r} is not the region of a site ({sorted(regions)})")
    units = {(a.platform, a.owner_unit) for a in taken}
    names = {(a.platform, a.name) for a in taken}
    ids = {(a.code, a.uid) for a in taken}
    out: list[Account] = []
    for key, value in spec.items():
        if key in ("seed", "region_codes"):
            continue
        platform = platform_for(str(key))
        if platform is None:
            raise ScenarioError(f"{where}.{key}: not a platform (微信公众号 / 微博 / 今日头条 / 抖音)")
        count = _int(value, f"{where}.{key}")
        candidates = [(code, dept) for code in codes for dept in DEPARTMENTS]
        rng.shuffle(candidates)
        made = 0
        for code, (unit_suffix, name_suffix) in candidates:
            if made == count:
                break
            place, short = place_names(regions[code])
            unit, name = place + unit_suffix, short + name_suffix
            if (platform.label, unit) in units or (platform.label, name) in names:
                continue
            uid = synthetic_id(platform.code, rng)
            while (platform.code, uid) in ids:
                uid = synthetic_id(platform.code, rng)
            units.add((platform.label, unit))
            names.add((platform.label, name))
            ids.add((platform.code, uid))
            out.append(Account(platform.label, uid, name, unit, code, newest_hours=24 * rng.randint(1, 10),
                               posts=rng.randint(5, 15), every_days=rng.randint(1, 4)))
            made += 1
        if made < count:
            raise ScenarioError(f"{where}.{key}: only {made} distinct units in the regions, {count} asked")
    return out


def load_scenario(name_or_path: str | Path) -> Scenario:
    """A bundled scenario by name (honghe_2021q1, defects) or a YAML file by path."""
    path = Path(name_or_path)
    if not path.exists():
        path = SCENARIOS / f"{name_or_path}.yaml"
    if not path.exists():
        raise ScenarioError(f"no scenario {name_or_path!r} (bundled: "
                            f"{', '.join(p.stem for p in SCENARIOS.glob('*.yaml'))})")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{path}: not valid YAML: {exc}") from None
    return parse_scenario(data, str(path))
