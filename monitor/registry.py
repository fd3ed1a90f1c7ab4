"""The target registry: websites, their columns and new-media accounts, maintained by users as CSV or YAML.

CSV files (UTF-8 with or without BOM, as Excel writes them) hold one kind of row each, recognised by the header;
headers may be the English field names below or the Chinese ones users know (网站标识码, 网站名称, …). A YAML file
may hold all kinds under the keys `websites`, `columns` and `accounts`.

A file is validated completely before anything is written: one bad row refuses the whole file with every problem
listed as "file:line: field: message". Re-importing updates rows in place (natural keys).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from sqlalchemy import select
from sqlalchemy.engine import Engine

from monitor import db

SITE_CODE = re.compile(r"^(\d{10}|bm\d{8})$")
REGION_CODE = re.compile(r"^\d{6}$")

LEVELS = {"province": "province", "省级": "province", "省": "province",
          "city": "city", "市级": "city", "市": "city", "州": "city",
          "county": "county", "县级": "county", "县": "county", "区县": "county"}
KINDS = {"portal": "portal", "门户": "portal", "门户网站": "portal", "政府门户网站": "portal",
         "department": "department", "部门": "department", "部门网站": "department"}
CATEGORIES = {
    "dynamic": "dynamic", "动态": "dynamic", "要闻": "dynamic", "动态要闻": "dynamic", "动态/要闻": "dynamic",
    "notice": "notice", "通知公告": "notice", "通知": "notice", "公告": "notice",
    "policy": "policy", "政策文件": "policy", "政策": "policy",
    "personnel": "personnel", "人事": "personnel",
    "plan": "plan", "规划计划": "plan", "规划": "plan",
    "interaction": "interaction", "互动": "interaction", "互动交流": "interaction",
    "service": "service", "服务": "service", "办事服务": "service",
    "other": "other", "其他": "other",
}

# English field name → accepted header spellings (Chinese as users write them).
ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "websites": {
        "site_code": ("网站标识码",), "name": ("网站名称",), "homepage": ("首页地址", "首页网址", "网址"),
        "region_code": ("行政区划代码", "区划代码"), "region_name": ("行政区划名称", "地区", "区划名称"),
        "level": ("层级", "级别"), "kind": ("类型", "网站类型"), "sponsor": ("主办单位",),
        "parent_site_code": ("上级门户标识码", "所属门户标识码"),
    },
    "columns": {
        "site_code": ("网站标识码",), "name": ("栏目名称",), "url": ("栏目地址", "栏目网址"),
        "category": ("栏目类别", "类别"), "unit": ("责任部门", "责任单位"), "path": ("栏目路径",),
        "level": ("栏目层级",), "item_selector": ("条目选择器",), "date_selector": ("日期选择器",),
    },
    "accounts": {
        "platform": ("平台", "新媒体平台"), "account": ("账号地址", "账号ID", "账号"),
        "name": ("账号名称",), "owner_unit": ("开设主体", "主办单位", "部门"),
        "region_code": ("行政区划代码", "区划代码"),
    },
}
REQUIRED = {
    "websites": ("site_code", "name", "homepage", "region_code", "region_name", "level", "kind"),
    "columns": ("site_code", "name", "url", "category"),
    "accounts": ("platform", "account", "name", "owner_unit", "region_code"),
}


class RegistryError(ValueError):
    """A registry file was refused; `problems` lists every "file:line: field: message"."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("registry refused, nothing imported:\n  " + "\n  ".join(problems))
        self.problems = problems


@dataclass
class RawRow:
    kind: str
    line: int
    values: dict[str, Any]


@dataclass
class Registry:
    source: str
    websites: list[dict[str, Any]] = field(default_factory=list)
    columns: list[dict[str, Any]] = field(default_factory=list)
    accounts: list[dict[str, Any]] = field(default_factory=list)


# ------------------------------------------------------------------ reading


def _header_map(kind: str, headers: Iterable[str]) -> dict[str, str]:
    """Header as written → English field name, for the headers this kind knows."""
    mapping: dict[str, str] = {}
    for header in headers:
        h = (header or "").strip()
        for name, spellings in ALIASES[kind].items():
            if h == name or h in spellings:
                mapping[header] = name
    return mapping


def _csv_kind(headers: list[str]) -> str | None:
    best, best_score = None, 0
    for kind in ("columns", "websites", "accounts"):
        known = set(_header_map(kind, headers).values())
        if set(REQUIRED[kind]) <= known and len(known) > best_score:
            best, best_score = kind, len(known)
    return best


def read_csv(path: Path) -> list[RawRow]:
    text = path.read_bytes().decode("utf-8-sig")  # Excel writes a BOM; plain UTF-8 works too
    reader = csv.reader(text.splitlines())
    try:
        headers = next(reader)
    except StopIteration:
        raise RegistryError([f"{path}:1: the file is empty"]) from None
    kind = _csv_kind(headers)
    if kind is None:
        raise RegistryError([f"{path}:1: header {headers!r} matches no known row kind "
                             "(websites, columns or accounts); see README for the field names"])
    mapping = _header_map(kind, headers)
    rows = []
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        values = {mapping[h]: c.strip() for h, c in zip(headers, cells, strict=False) if h in mapping}
        rows.append(RawRow(kind, line, values))
    return rows


class _LineLoader(yaml.SafeLoader):
    """Keeps the line of every mapping so that errors can name it."""


def _mapping_with_line(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)


def read_yaml(path: Path) -> list[RawRow]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=_LineLoader)  # noqa: S506 - safe loader
    except yaml.YAMLError as exc:
        raise RegistryError([f"{path}: not valid YAML: {exc}"]) from None
    if not isinstance(data, dict):
        raise RegistryError([f"{path}:1: expected a mapping with websites / columns / accounts"])
    rows = []
    problems = []
    for key, items in data.items():
        if key == "__line__":
            continue
        if key not in REQUIRED:
            problems.append(f"{path}:{data['__line__']}: unknown section {key!r} (websites, columns, accounts)")
            continue
        for item in items or []:
            if not isinstance(item, dict):
                problems.append(f"{path}: section {key}: every entry must be a mapping")
                continue
            line = item.pop("__line__", 0)
            mapping = _header_map(key, item.keys())
            values = {mapping.get(k, k): ("" if v is None else str(v).strip()) for k, v in item.items()}
            rows.append(RawRow(key, line, values))
    if problems:
        raise RegistryError(problems)
    return rows


def read_file(path: str | Path) -> list[RawRow]:
    path = Path(path)
    if not path.exists():
        raise RegistryError([f"{path}: no such file"])
    if path.suffix.lower() in (".yaml", ".yml"):
        return read_yaml(path)
    if path.suffix.lower() == ".csv":
        return read_csv(path)
    raise RegistryError([f"{path}: unknown file type (expected .csv, .yaml or .yml)"])


# ------------------------------------------------------------------ validation


def _url_ok(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _validate_row(row: RawRow, where: str, problems: list[str]) -> dict[str, Any] | None:
    v = row.values
    before = len(problems)

    def bad(fieldname: str, message: str) -> None:
        problems.append(f"{where}:{row.line}: {fieldname}: {message}")

    def choose(fieldname: str, choices: dict[str, str], expected: str) -> None:
        """A value users may write in English or Chinese, stored in English."""
        if v.get(fieldname):
            out[fieldname] = choices.get(v[fieldname])
            if out[fieldname] is None:
                bad(fieldname, f"{v[fieldname]!r} is not {expected}")

    unknown = set(v) - set(ALIASES[row.kind])
    for name in sorted(unknown):
        bad(name, f"unknown field for {row.kind}")
    for name in REQUIRED[row.kind]:
        if not v.get(name):
            bad(name, "missing")
    out = {name: (v.get(name) or None) for name in ALIASES[row.kind]}
    if row.kind == "websites":
        if v.get("site_code") and not SITE_CODE.match(v["site_code"]):
            bad("site_code", f"{v['site_code']!r} is not a 网站标识码 (10 digits, or bm + 8 digits)")
        if v.get("homepage") and not _url_ok(v["homepage"]):
            bad("homepage", f"{v['homepage']!r} is not an http(s) URL")
        if v.get("region_code") and not REGION_CODE.match(v["region_code"]):
            bad("region_code", f"{v['region_code']!r} is not a 6-digit GB/T 2260 code")
        choose("level", LEVELS, "province / city / county")
        choose("kind", KINDS, "portal / department")
        if v.get("parent_site_code") and not SITE_CODE.match(v["parent_site_code"]):
            bad("parent_site_code", f"{v['parent_site_code']!r} is not a 网站标识码")
    elif row.kind == "columns":
        if v.get("url") and not _url_ok(v["url"]):
            bad("url", f"{v['url']!r} is not an http(s) URL")
        choose("category", CATEGORIES, f"one of {sorted(set(CATEGORIES.values()))}")
        if v.get("level"):
            try:
                out["level"] = int(v["level"])
            except ValueError:
                bad("level", f"{v['level']!r} is not a number")
    elif row.kind == "accounts" and v.get("region_code") and not REGION_CODE.match(v["region_code"]):
        bad("region_code", f"{v['region_code']!r} is not a 6-digit GB/T 2260 code")
    return out if len(problems) == before else None


def validate(path: str | Path, rows: list[RawRow], known_sites: set[str]) -> Registry:
    """Check every row; raise RegistryError listing all problems, else return the clean registry."""
    where = str(path)
    problems: list[str] = []
    reg = Registry(source=where)
    seen: dict[tuple[str, tuple], int] = {}
    keys = {"websites": ("site_code",), "columns": ("site_code", "url"), "accounts": ("platform", "account")}
    for row in rows:
        clean = _validate_row(row, where, problems)
        if clean is None:
            continue
        key = (row.kind, tuple(clean[k] for k in keys[row.kind]))
        if key in seen:
            problems.append(f"{where}:{row.line}: {'/'.join(keys[row.kind])}: duplicate of line {seen[key]}")
            continue
        seen[key] = row.line
        clean["_line"] = row.line
        getattr(reg, row.kind).append(clean)
    sites = known_sites | {w["site_code"] for w in reg.websites}
    for w in reg.websites:
        if w["kind"] == "department" and not w["parent_site_code"]:
            problems.append(f"{where}:{w['_line']}: parent_site_code: a department site needs its parent portal")
        if w["parent_site_code"] and w["parent_site_code"] not in sites:
            problems.append(f"{where}:{w['_line']}: parent_site_code: unknown site {w['parent_site_code']!r}")
    for c in reg.columns:
        if c["site_code"] not in sites:
            problems.append(f"{where}:{c['_line']}: site_code: unknown site {c['site_code']!r}")
    if problems:
        raise RegistryError(problems)
    return reg


# ------------------------------------------------------------------ import


def _region_level(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


def parent_region(code: str) -> str | None:
    """County 532501 → city 532500 → province 530000 → None."""
    if code.endswith("0000"):
        return None
    if code.endswith("00"):
        return code[:2] + "0000"
    return code[:4] + "00"


def import_files(engine: Engine, paths: Iterable[str | Path]) -> dict[str, int]:
    """Validate and import registry files, each in its own transaction. Returns counts per kind."""
    counts = {"websites": 0, "columns": 0, "accounts": 0}
    for path in paths:
        rows = read_file(path)
        with engine.begin() as conn:
            known = set(conn.execute(select(db.websites.c.site_code)).scalars())
            reg = validate(path, rows, known)
            source = str(path)
            strip = lambda r: {k: v for k, v in r.items() if k != "_line"}  # noqa: E731
            regions: dict[str, dict[str, Any]] = {}
            for w in reg.websites:
                code = w["region_code"]
                regions[code] = {"code": code, "name": w["region_name"], "parent_code": parent_region(code),
                                 "level": _region_level(code)}
            db.upsert(conn, db.regions, list(regions.values()), ["code"])
            db.upsert(conn, db.websites, [strip(w) | {"active": True, "source": source} for w in reg.websites],
                      ["site_code"])
            db.upsert(conn, db.site_columns,
                      [strip(c) | {"source": "registry"} for c in reg.columns], ["site_code", "url"])
            db.upsert(conn, db.accounts, [strip(a) | {"active": True, "source": source} for a in reg.accounts],
                      ["platform", "account"])
        for kind in counts:
            counts[kind] += len(getattr(reg, kind))
    return counts
