"""The target registry: websites, their columns, new-media accounts and the letters channels and service-guide lists
of the websites (channels), maintained by users as CSV or YAML.

CSV files hold one kind of row each, recognised by the header; headers may be the English field names below or the
Chinese ones users know (网站标识码, 网站名称, …). A YAML file may hold all kinds under the keys `websites`, `columns`,
`accounts` and `channels` (the channel list offices keep: one row per site and channel, 渠道类型 领导信箱 / 咨询投诉 /
12345留言 → consult, 网上信访 / 纪检举报 → petition, 办事指南 → guides). Files are decoded strictly, in this order: UTF-16 with BOM (Excel's "Unicode 文本", tab-separated),
UTF-8 with or without BOM, then GB18030 (a superset of GBK, what Excel's plain "CSV" writes on Chinese Windows);
the encoding read is reported per file, and a file that is none of them is refused naming it.

Values are taken as users write them: levels 省级 / 市级 / 州级 / 县级 / 区级 / 旗级 / 县级市 / 市（州）… map to
province / city / county, kinds 门户网站 / 部门网站 … to portal / department. An optional `active` / 状态 column
(是/否, 1/0, 运行/正常 vs 关停/停用/下线/注销/整合/迁移 …) retires websites and accounts; retired targets are neither
crawled nor evaluated and leave the rates (在运行数 counts active targets only).

All files of one import are validated completely before anything is written, and written in one transaction: one
bad row refuses the import with every problem listed as "file:line: field: message". Re-importing updates rows in
place (natural keys). With retire_missing, active websites and accounts absent from the files are marked inactive
in the same transaction.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from sqlalchemy import select, update
from sqlalchemy.engine import Connection, Engine

from monitor import db
from monitor.platforms import canonical_label

SITE_CODE = re.compile(r"^(\d{10}|bm\d{8})$")
REGION_CODE = re.compile(r"^\d{6}$")
# What Excel saves when a long number sat in a narrow "常规" column: 5.33E+09 (the digits are lost).
EXCEL_SCIENTIFIC = re.compile(r"^\d+(\.\d+)?[eE]\+?\d+$")


def normalise(value: str) -> str:
    """A user-written value reduced for lookup: full-width forms folded (NFKC: （）， → (),), case and spaces
    dropped, list separators unified (县（市，区） and 县(市、区) are the same spelling)."""
    folded = unicodedata.normalize("NFKC", value).lower()
    return re.sub(r"\s+", "", folded).replace(",", "、")


def _table(groups: dict[str, Iterable[str]]) -> dict[str, str]:
    return {normalise(spelling): value for value, spellings in groups.items() for spelling in spellings}


# Levels as registries and notices write them. A trailing 级 is optional (市级 = 市), see _lookup_level.
# 副省级 cities and 计划单列市 are judged with the cities; 县级市, 市辖区, 旗 with the counties.
LEVELS = _table({
    "province": ("province", "provincial", "province-level", "省", "省份", "自治区", "直辖市", "省(区、市)",
                 "省(自治区、直辖市)", "省区市"),
    "city": ("city", "prefecture", "prefectural", "prefecture-level", "city-level", "市", "地", "地市", "地级市",
             "地区", "州", "自治州", "盟", "副省", "副省级城市", "计划单列市", "市(州)", "州(市)", "市州", "州市",
             "市(地、州、盟)", "市(州、盟)", "地(市、州、盟)"),
    "county": ("county", "county-level", "district", "区县", "县区", "县", "区", "旗", "县级市", "自治县", "自治旗",
               "市辖区", "县(市、区)", "县(区)", "县(市)", "区(县)", "县(市、区、旗)", "县市区", "县(区、市)"),
})
KINDS = _table({
    "portal": ("portal", "government portal", "门户", "门户网站", "政府门户", "政府门户网站", "人民政府门户网站",
               "政府网站门户"),
    "department": ("department", "dept", "departmental", "部门", "部门网站", "部门门户", "部门门户网站",
                   "政府部门网站", "政府部门"),
})
# The status column: running targets vs retired ones (关停, merged into an intensive platform 整合, moved 迁移 …).
STATUS = _table({
    "true": ("1", "true", "yes", "y", "active", "running", "是", "运行", "在用", "正常", "启用", "开通", "有效",
             "在运行", "正常运行", "运行中", "在线"),
    "false": ("0", "false", "no", "n", "inactive", "retired", "closed", "否", "关停", "停用", "下线", "注销", "关闭",
              "已关闭", "整合", "迁移", "暂停", "停运", "已关停", "已停用", "已下线", "已注销", "已整合", "已迁移",
              "已暂停", "已停运", "关停整合", "整合迁移", "无效"),
})
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
        "level": ("层级", "级别", "网站层级", "行政级别"), "kind": ("类型", "网站类型"), "sponsor": ("主办单位",),
        "parent_site_code": ("上级门户标识码", "所属门户标识码"),
        "active": ("状态", "网站状态", "运行状态", "是否运行", "是否在用"),
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
        "active": ("状态", "账号状态", "运行状态", "是否运行", "是否在用"),
    },
    "channels": {
        "site_code": ("网站标识码",), "url": ("渠道地址", "渠道网址", "信箱地址", "指南地址"),
        "name": ("渠道名称", "信箱名称"), "kind": ("渠道类型",), "unit": ("责任单位", "责任部门", "办理单位"),
        "item_selector": ("条目选择器",), "date_selector": ("日期选择器",),
        "active": ("状态", "渠道状态", "是否在用"),
    },
}
REQUIRED = {
    "websites": ("site_code", "name", "homepage", "region_code", "region_name", "level", "kind"),
    "columns": ("site_code", "name", "url", "category"),
    "accounts": ("platform", "account", "name", "owner_unit", "region_code"),
    "channels": ("site_code", "url", "name", "kind"),
}
DELIMITED = (".csv", ".tsv", ".txt")  # Excel saves "Unicode 文本" as .txt


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
    channels: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ImportResult:
    """What one import did: rows per kind, the encoding read per file, targets its status column marks
    inactive, and (with retire_missing) the active targets retired because the files no longer list them."""

    counts: dict[str, int]
    encodings: dict[str, str] = field(default_factory=dict)
    inactive: dict[str, list[str]] = field(default_factory=lambda: {"websites": [], "accounts": []})
    # kind → codes retired by retire_missing; only the kinds the files list are considered at all
    retired: dict[str, list[str]] = field(default_factory=dict)


# ------------------------------------------------------------------ reading


def decode(path: Path, data: bytes) -> tuple[str, str]:
    """The file's text and the name of the encoding read. Strict: no replacement characters, no guessing
    between encodings that both decode (UTF-8 is tried before GB18030, which accepts far more byte strings)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not data.startswith(codecs.BOM_UTF32_LE):
        name = "UTF-16 LE" if data.startswith(codecs.BOM_UTF16_LE) else "UTF-16 BE"
        try:
            return _no_nul(path, data.decode("utf-16"), name), name
        except UnicodeDecodeError as exc:
            raise RegistryError([f"{path}: starts with a UTF-16 byte-order mark but is not UTF-16 "
                                 f"(byte {exc.start}: {exc.reason})"]) from None
    if data.startswith(codecs.BOM_UTF8):
        try:
            return _no_nul(path, data[3:].decode("utf-8"), "UTF-8"), "UTF-8 (BOM)"
        except UnicodeDecodeError as exc:
            raise RegistryError([f"{path}:{_line_of(data, exc.start)}: starts with a UTF-8 byte-order mark but "
                                 f"is not UTF-8 ({exc.reason}); save it again as \"CSV UTF-8\""]) from None
    if b"\x00" in data:
        raise RegistryError([f"{path}: contains NUL bytes: UTF-16 without a byte-order mark, UTF-32 or not a text "
                             "file; save it as \"CSV UTF-8\" or \"CSV\" from Excel"])
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as exc:
        utf8_error = f"not UTF-8 (line {_line_of(data, exc.start)}: {exc.reason})"
    try:
        return data.decode("gb18030"), "GB18030"
    except UnicodeDecodeError as exc:
        gb_error = f"not GB18030/GBK (line {_line_of(data, exc.start)}: {exc.reason})"
    raise RegistryError([f"{path}: cannot read the text: {utf8_error}, {gb_error}, no UTF-16 byte-order mark; "
                         "save it as \"CSV UTF-8\" from Excel"])


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _no_nul(path: Path, text: str, encoding: str) -> str:
    if "\x00" in text:
        raise RegistryError([f"{path}: NUL characters in {encoding} text: not a text file"])
    return text


def read_text(path: Path) -> tuple[str, str]:
    return decode(path, path.read_bytes())


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
    for kind in ("columns", "websites", "accounts", "channels"):
        known = set(_header_map(kind, headers).values())
        if set(REQUIRED[kind]) <= known and len(known) > best_score:
            best, best_score = kind, len(known)
    return best


def read_csv(path: Path, text: str | None = None) -> list[RawRow]:
    """Rows of a delimited file: comma-separated, or tab-separated as Excel's "Unicode 文本" is. Line numbers
    count records, as Excel numbers its rows (a cell may hold a line break)."""
    if text is None:
        text, _ = read_text(path)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers = next(reader)
        kind = _csv_kind(headers)
        if kind is None:
            raise RegistryError([f"{path}:1: header {headers!r} matches no known row kind "
                                 "(websites, columns, accounts or channels); see README for the field names"])
        mapping = _header_map(kind, headers)
        rows = []
        for line, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            values = {mapping[h]: c.strip() for h, c in zip(headers, cells, strict=False) if h in mapping}
            rows.append(RawRow(kind, line, values))
    except StopIteration:
        raise RegistryError([f"{path}:1: the file is empty"]) from None
    except csv.Error as exc:
        raise RegistryError([f"{path}:{reader.line_num}: not readable as CSV: {exc}"]) from None
    return rows


class _LineLoader(yaml.SafeLoader):
    """Keeps the line of every mapping so that errors can name it."""


def _mapping_with_line(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)


def read_yaml(path: Path, text: str | None = None) -> list[RawRow]:
    if text is None:
        text, _ = read_text(path)
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - safe loader
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
            problems.append(f"{path}:{data['__line__']}: unknown section {key!r} (websites, columns, accounts, channels)")
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


def load_file(path: str | Path) -> tuple[list[RawRow], str]:
    """The raw rows of a registry file and the encoding its text was read in."""
    path = Path(path)
    if not path.is_file():
        raise RegistryError([f"{path}: no such file"])
    suffix = path.suffix.lower()
    if suffix not in (".yaml", ".yml", *DELIMITED):
        raise RegistryError([f"{path}: unknown file type (expected .csv, .txt, .tsv, .yaml or .yml)"])
    text, encoding = read_text(path)
    rows = read_yaml(path, text) if suffix in (".yaml", ".yml") else read_csv(path, text)
    return rows, encoding


def read_file(path: str | Path) -> list[RawRow]:
    return load_file(path)[0]


# ------------------------------------------------------------------ validation


def _url_ok(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def lookup_level(value: str) -> str | None:
    """province / city / county for a level as users write it (县级市, 市（州）级, County …), else None."""
    key = normalise(value)
    found = LEVELS.get(key)
    if found is None and key.endswith("级"):
        found = LEVELS.get(key[:-1])
    return found


def lookup_kind(value: str) -> str | None:
    return KINDS.get(normalise(value))


# Channel kinds: 咨询建言 channels the 互动回应差 veto reads; 网上信访 / 纪检举报 are outside it (19号: "网上信访、纪检举报
# 等专门渠道除外"); 办事指南 lists for 服务不实用.
CHANNEL_KINDS = _table({
    "consult": ("consult", "letters", "领导信箱", "书记信箱", "县长信箱", "市长信箱", "州长信箱", "局长信箱", "信箱",
                "咨询投诉", "咨询", "投诉", "建议", "咨询建言", "政务咨询", "12345", "12345留言", "网民留言", "留言",
                "互动交流", "在线咨询"),
    "petition": ("petition", "网上信访", "信访", "纪检举报", "举报"),
    "guides": ("guides", "guide", "办事指南", "办事服务", "服务指南", "政务服务"),
})


def lookup_channel_kind(value: str) -> str | None:
    return CHANNEL_KINDS.get(normalise(value))


def lookup_active(value: str) -> bool | None:
    """True (running), False (retired) or None (not a status we know) for a 状态 cell; empty means running."""
    if not value.strip():
        return True
    found = STATUS.get(normalise(value))
    return None if found is None else found == "true"


def _site_code_problem(value: str) -> str | None:
    if SITE_CODE.match(value):
        return None
    if EXCEL_SCIENTIFIC.match(value):
        return (f"{value!r} is not a 网站标识码: Excel saved it as a number in scientific notation; format the "
                "column as 文本 (text), type the codes again and save")
    return f"{value!r} is not a 网站标识码 (10 digits, or bm + 8 digits)"


def _validate_row(row: RawRow, where: str, problems: list[str]) -> dict[str, Any] | None:
    v = row.values
    before = len(problems)

    def bad(fieldname: str, message: str) -> None:
        problems.append(f"{where}:{row.line}: {fieldname}: {message}")

    def choose(fieldname: str, lookup: Any, expected: str) -> None:
        """A value users may write in English or Chinese, stored in English."""
        if v.get(fieldname):
            out[fieldname] = lookup(v[fieldname])
            if out[fieldname] is None:
                bad(fieldname, f"{v[fieldname]!r} is not {expected}")

    unknown = set(v) - set(ALIASES[row.kind])
    for name in sorted(unknown):
        bad(name, f"unknown field for {row.kind}")
    for name in REQUIRED[row.kind]:
        if not v.get(name):
            bad(name, "missing")
    out = {name: (v.get(name) or None) for name in ALIASES[row.kind]}
    if "active" in out:
        out["active"] = lookup_active(v.get("active") or "")
        if out["active"] is None:
            bad("active", f"{v['active']!r} is not a status: 是/运行/在用/正常/1 (running) or "
                          "否/关停/停用/下线/注销/整合/迁移/0 (retired)")
    if row.kind == "websites":
        if v.get("site_code") and (problem := _site_code_problem(v["site_code"])):
            bad("site_code", problem)
        if v.get("homepage") and not _url_ok(v["homepage"]):
            bad("homepage", f"{v['homepage']!r} is not an http(s) URL")
        if v.get("region_code") and not REGION_CODE.match(v["region_code"]):
            bad("region_code", f"{v['region_code']!r} is not a 6-digit GB/T 2260 code")
        choose("level", lookup_level, "a level: province / city / county (省级 / 市级 / 县级, 州级, 区级, 县级市 …)")
        choose("kind", lookup_kind, "a kind: portal / department (门户网站 / 部门网站)")
        if v.get("parent_site_code") and (problem := _site_code_problem(v["parent_site_code"])):
            bad("parent_site_code", problem)
    elif row.kind == "columns":
        if v.get("url") and not _url_ok(v["url"]):
            bad("url", f"{v['url']!r} is not an http(s) URL")
        choose("category", CATEGORIES.get, f"one of {sorted(set(CATEGORIES.values()))}")
        if v.get("level"):
            try:
                out["level"] = int(v["level"])
            except ValueError:
                bad("level", f"{v['level']!r} is not a number")
    elif row.kind == "accounts":
        if v.get("region_code") and not REGION_CODE.match(v["region_code"]):
            bad("region_code", f"{v['region_code']!r} is not a 6-digit GB/T 2260 code")
        if v.get("platform"):  # 微信 / 公众号 / 微信公众号 are one platform: one key per account
            out["platform"] = canonical_label(v["platform"])
    elif row.kind == "channels":
        if v.get("url") and not _url_ok(v["url"]):
            bad("url", f"{v['url']!r} is not an http(s) URL")
        choose("kind", lookup_channel_kind, "a channel kind: 领导信箱 / 咨询投诉 / 12345留言 (consult), 网上信访 / "
                                            "纪检举报 (petition) or 办事指南 (guides)")
    return out if len(problems) == before else None


def validate(path: str | Path, rows: list[RawRow], known_sites: set[str]) -> Registry:
    """Check every row; raise RegistryError listing all problems, else return the clean registry."""
    where = str(path)
    problems: list[str] = []
    reg = Registry(source=where)
    seen: dict[tuple[str, tuple], int] = {}
    keys = {"websites": ("site_code",), "columns": ("site_code", "url"), "accounts": ("platform", "account"),
            "channels": ("site_code", "url")}
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
    for c in reg.columns + reg.channels:
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


def _account_id(row: Any) -> str:
    return f"{row['platform']}:{row['account']}"  # as the rates and verdicts name an account


def _write(conn: Connection, reg: Registry) -> None:
    source = reg.source
    strip = lambda r: {k: v for k, v in r.items() if k != "_line"}  # noqa: E731
    regions: dict[str, dict[str, Any]] = {}
    for w in reg.websites:
        code = w["region_code"]
        regions[code] = {"code": code, "name": w["region_name"], "parent_code": parent_region(code),
                         "level": _region_level(code)}
    db.upsert(conn, db.regions, list(regions.values()), ["code"])
    db.upsert(conn, db.websites, [strip(w) | {"source": source} for w in reg.websites], ["site_code"])
    db.upsert(conn, db.site_columns, [strip(c) | {"source": "registry"} for c in reg.columns], ["site_code", "url"])
    db.upsert(conn, db.accounts, [strip(a) | {"source": source} for a in reg.accounts], ["platform", "account"])
    db.upsert(conn, db.channels, [strip(c) | {"source": source, "active": c.get("active") is not False}
                                  for c in reg.channels], ["site_code", "url"])


def _retire_missing(conn: Connection, regs: list[Registry]) -> dict[str, list[str]]:
    """Mark active targets the files do not list as inactive; only for kinds the files list at all, so that
    importing a columns file alone never retires every website."""
    retired: dict[str, list[str]] = {}
    listed_sites = {w["site_code"] for reg in regs for w in reg.websites}
    listed_accounts = {(a["platform"], a["account"]) for reg in regs for a in reg.accounts}
    if not listed_sites and not listed_accounts:
        raise RegistryError(["--retire-missing: the files list no websites and no accounts; refusing to retire "
                             "every target"])
    w, a = db.websites, db.accounts
    if listed_sites:
        active = conn.execute(select(w.c.site_code).where(w.c.active.is_(True))).scalars()
        retired["websites"] = sorted(set(active) - listed_sites)
        for chunk in _chunks(retired["websites"]):
            conn.execute(update(w).where(w.c.site_code.in_(chunk)).values(active=False))
    if listed_accounts:
        rows = conn.execute(select(a.c.id, a.c.platform, a.c.account).where(a.c.active.is_(True))).mappings()
        gone = sorted((r for r in rows if (r["platform"], r["account"]) not in listed_accounts), key=_account_id)
        retired["accounts"] = [_account_id(r) for r in gone]
        for chunk in _chunks([r["id"] for r in gone]):
            conn.execute(update(a).where(a.c.id.in_(chunk)).values(active=False))
    return retired


def _chunks(items: list[Any], size: int = 500) -> Iterable[list[Any]]:
    """Bounded IN lists (SQLite limits the number of bound parameters)."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


def import_registry(engine: Engine, paths: Iterable[str | Path], *, retire_missing: bool = False) -> ImportResult:
    """Read, validate and import registry files in one transaction: any refused file imports nothing (every
    problem of every file is listed). With retire_missing, active targets absent from the files become inactive
    in the same transaction."""
    loaded: list[tuple[Path, list[RawRow]]] = []
    result = ImportResult(counts={"websites": 0, "columns": 0, "accounts": 0, "channels": 0})
    problems: list[str] = []
    for path in map(Path, paths):
        try:
            rows, result.encodings[str(path)] = load_file(path)
        except RegistryError as exc:
            problems.extend(exc.problems)
            continue
        loaded.append((path, rows))
    if problems:
        raise RegistryError(problems)
    with engine.begin() as conn:
        known = set(conn.execute(select(db.websites.c.site_code)).scalars())
        regs = []
        for path, rows in loaded:
            try:
                reg = validate(path, rows, known)
            except RegistryError as exc:
                problems.extend(exc.problems)
                # The sites of a refused file still count as known: no second error for each of their columns.
                known |= {r.values["site_code"] for r in rows if r.kind == "websites" and r.values.get("site_code")}
                continue
            known |= {w["site_code"] for w in reg.websites}
            regs.append(reg)
        if problems:
            raise RegistryError(problems)
        for reg in regs:
            _write(conn, reg)
            for kind in result.counts:
                result.counts[kind] += len(getattr(reg, kind))
            result.inactive["websites"] += [w["site_code"] for w in reg.websites if not w["active"]]
            result.inactive["accounts"] += [_account_id(a) for a in reg.accounts if not a["active"]]
        if retire_missing:
            result.retired = _retire_missing(conn, regs)
    return result


def import_files(engine: Engine, paths: Iterable[str | Path], *, retire_missing: bool = False) -> dict[str, int]:
    """Import registry files (see import_registry); returns the number of rows per kind."""
    return import_registry(engine, paths, retire_missing=retire_missing).counts


def describe(result: ImportResult) -> list[str]:
    """The lines the import command prints after the counts: which targets are inactive, and why."""
    lines = []
    for kind in ("websites", "accounts"):
        if result.inactive[kind]:
            lines.append(f"{len(result.inactive[kind])} {kind} inactive by their 状态 column: "
                         + ", ".join(result.inactive[kind]))
    for kind, codes in result.retired.items():
        lines.append(f"retired {len(codes)} {kind} absent from the files (now inactive)"
                     + (": " + ", ".join(codes) if codes else ""))
    return lines
