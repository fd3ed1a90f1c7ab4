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
    accounts: [ {platform, account, name, owner_unit, region_code}, ... ]

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

Errors name the file and the field (ScenarioError).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

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


@dataclass
class Scenario:
    name: str
    as_of: date
    sites: list[Site]
    accounts: list[dict[str, Any]] = field(default_factory=list)

    def site(self, code: str) -> Site:
        return next(s for s in self.sites if s.site_code == code)

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
        return {"websites": websites, "columns": columns, "accounts": list(self.accounts)}

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
    accounts = data.get("accounts") or []
    for i, acc in enumerate(accounts):
        for key in ("platform", "account", "name"):
            if not isinstance(acc, dict) or not acc.get(key):
                raise ScenarioError(f"{source}: accounts[{i}].{key}: missing")
    return Scenario(name=data.get("name", Path(source).stem), as_of=as_of, sites=sites, accounts=list(accounts))


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
