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

A column: {name, slug, category, unit, path, level, articles: {count, newest, every} | [days_ago, ...]}.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

SCENARIOS = Path(__file__).with_name("scenarios")
TEMPLATES = ("trs", "table", "portal")
CATEGORIES = ("dynamic", "notice", "policy", "personnel", "plan", "interaction", "service", "other")
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

    @property
    def blank(self) -> bool:
        return not self.days_ago


@dataclass
class Defects:
    """What is wrong with a site, on purpose. Every field maps to an expectation in expected.py."""

    broken_links: list[dict[str, str]] = field(default_factory=list)  # {kind: 404|500|hang|dns|refused, where: home|article}
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


def _articles(spec: Any, where: str) -> list[int]:
    if spec is None:
        return []
    if isinstance(spec, list):
        return sorted(int(d) for d in spec)
    if isinstance(spec, dict):
        count = int(spec.get("count", 0))
        newest, every = int(spec.get("newest", 1)), max(1, int(spec.get("every", 7)))
        return [newest + i * every for i in range(count)]
    raise ScenarioError(f"{where}: articles must be a list of days or {{count, newest, every}}")


def _column(raw: dict[str, Any], where: str) -> Column:
    for key in ("name", "slug", "category"):
        if not raw.get(key):
            raise ScenarioError(f"{where}: column field {key!r} is missing")
    if raw["category"] not in CATEGORIES:
        raise ScenarioError(f"{where}: column category {raw['category']!r} is not one of {CATEGORIES}")
    return Column(name=raw["name"], slug=str(raw["slug"]), category=raw["category"],
                  days_ago=_articles(raw.get("articles"), where), unit=raw.get("unit"), path=raw.get("path"),
                  level=int(raw.get("level", 1)))


def parse_scenario(data: dict[str, Any], source: str = "<scenario>") -> Scenario:
    if not isinstance(data, dict) or "sites" not in data:
        raise ScenarioError(f"{source}: a scenario needs 'sites'")
    as_of = data.get("as_of")
    as_of = as_of if isinstance(as_of, date) else date.fromisoformat(str(as_of))
    defaults = [_column(c, f"{source}: column_defaults") for c in data.get("column_defaults") or []]
    sites = []
    for i, raw in enumerate(data["sites"]):
        where = f"{source}: sites[{i}]"
        for key in ("site_code", "name", "host", "region_code", "region_name", "level", "kind"):
            if not raw.get(key):
                raise ScenarioError(f"{where}: field {key!r} is missing")
        template = raw.get("template", "trs")
        if template not in TEMPLATES:
            raise ScenarioError(f"{where}: template {template!r} is not one of {TEMPLATES}")
        own = [_column(c, f"{where}.columns") for c in raw.get("columns") or []]
        columns = own if raw.get("own_columns") else [c for c in defaults if c.slug not in {o.slug for o in own}] + own
        for n in range(int(raw.get("blank_columns", 0))):
            columns.append(Column(BLANK_NAMES[n % len(BLANK_NAMES)], f"blank{n + 1}", "other", []))
        unknown = set(raw.get("defects") or {}) - set(Defects.__dataclass_fields__)
        if unknown:
            raise ScenarioError(f"{where}: unknown defects {sorted(unknown)}")
        code = str(raw["site_code"])
        sites.append(Site(
            site_code=code, name=raw["name"], host=raw["host"], region_code=str(raw["region_code"]),
            region_name=raw["region_name"], level=raw["level"], kind=raw["kind"],
            sponsor=raw.get("sponsor", f"{raw['name']}办公室"), template=template,
            encoding=raw.get("encoding", "utf-8"), registry_columns=bool(raw.get("registry_columns", False)),
            columns=columns, defects=Defects(**(raw.get("defects") or {})),
            parent_site_code=str(raw["parent_site_code"]) if raw.get("parent_site_code") else None,
            icp=raw.get("icp", f"滇ICP备{int(code[-6:]) + 5000000:08d}号"),
            police=raw.get("police", f"滇公网安备{code[:6]}02{int(code[-4:]):06d}号"),
        ))
    return Scenario(name=data.get("name", Path(source).stem), as_of=as_of, sites=sites,
                    accounts=list(data.get("accounts") or []))


def load_scenario(name_or_path: str | Path) -> Scenario:
    """A bundled scenario by name (honghe_2021q1, defects) or a YAML file by path."""
    path = Path(name_or_path)
    if not path.exists():
        path = SCENARIOS / f"{name_or_path}.yaml"
    if not path.exists():
        raise ScenarioError(f"no scenario {name_or_path!r} (bundled: "
                            f"{', '.join(p.stem for p in SCENARIOS.glob('*.yaml'))})")
    return parse_scenario(yaml.safe_load(path.read_text(encoding="utf-8")), str(path))
