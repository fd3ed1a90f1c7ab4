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

    @property
    def scheme(self) -> str:
        return "https" if self.defects.tls_broken else "http"

    @property
    def homepage(self) -> str:
        return f"{self.scheme}://{self.host}/"

    def column_url(self, column: Column) -> str:
        return f"{self.scheme}://{self.host}/{column.slug}/"


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

    def site(self, code: str) -> Site:
        return next(s for s in self.sites if s.site_code == code)

    @property
    def clock(self) -> datetime:
        """The platforms' "now": the monitoring point at 10:00 China time (naive)."""
        return datetime.combine(self.as_of, PLATFORM_CLOCK)

    def day(self, days_ago: int) -> date:
        return self.as_of - timedelta(days=days_ago)

    def registry(self) -> dict[str, list[dict[str, Any]]]:
        """The target registry of the scenario, in the format monitor.registry imports."""
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
        return {"websites": websites, "columns": columns, "accounts": [a.row() for a in self.accounts]}

    def write_registry(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(yaml.safe_dump(self.registry(), allow_unicode=True, sort_keys=False), encoding="utf-8")
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
            icp=raw.get("icp", f"滇ICP备{int(code[-6:]) + 5000000:08d}号"),
            police=raw.get("police", f"滇公网安备{code[:6]}02{int(code[-4:]):06d}号"),
            # GBK pages of old CMSs often declare nothing at all: the default leaves gbk undeclared.
            meta_charset=bool(raw.get("meta_charset", raw.get("encoding", "utf-8") != "gbk")),
            footer_mode=_choice(raw, "footer", FOOTER_MODES, "footer_js" if template == "table" else "static", where),
            home_page=_choice(raw, "home_page", HOME_PAGES, "normal", where),
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
    return Scenario(name=data.get("name", Path(source).stem), as_of=as_of, sites=sites, accounts=accounts)


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
