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

What a file cannot say, it is refused for (never a traceback, never half an import):
- bytes that are no text: NUL bytes (a workbook, an image), or neither UTF-8 nor GB18030 with control bytes, are
  refused as "not a text file"; a value holding NUL or another control character is refused naming its field;
- YAML is read as text as written: a plain `0532501` is the string "0532501", not the YAML 1.1 octal int 177473
  (only `null`/`~`/empty mean empty); anchors and aliases (`&a`, `*a`) are refused before anything is built, so a
  few hundred bytes of nested aliases cannot expand into gigabytes; nesting deeper than a registry needs, duplicate
  keys, a section that is not a list and a value that is a list or mapping are refused naming the line;
- URLs must parse (`http://[::1/` does not), name a host and a port in 1-65535; values longer than their database
  column (monitor/db.py String(n)) are refused;
- codes (网站标识码, 行政区划代码) are ASCII digits: full-width digits and letters (５３２５００, ｂｍ, as a Chinese
  input method's full-width mode types them) are read as their ASCII forms and stored so; other digits (①, ², other
  scripts' digits) are refused;
- a CSV line number is the physical line the record starts on, as a text editor numbers it; when a quoted cell
  holds line breaks above it, Excel's row number differs and is added: "file:7: name: … (Excel row 5)".
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
from sqlalchemy.exc import DataError, IntegrityError

from monitor import db
from monitor.platforms import canonical_label

# [0-9], not \d: \d matches every script's digits (０, ٣), which must not pass for a code.
SITE_CODE = re.compile(r"^([0-9]{10}|bm[0-9]{8})$")
REGION_CODE = re.compile(r"^[0-9]{6}$")
# What Excel saves when a long number sat in a narrow "常规" column: 5.33E+09 (the digits are lost).
EXCEL_SCIENTIFIC = re.compile(r"^[0-9]+(\.[0-9]+)?[eE]\+?[0-9]+$")
# Full-width ASCII forms (U+FF01-FF5E, what a Chinese input method's full-width mode types) → ASCII; only these,
# so that ① or ² never turn into code digits the way NFKC would make them.
FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
# Control characters no registry value may hold (line breaks and tabs may: a cell can span lines).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Binary signatures worth naming: what users save by mistake under a .csv name.
BINARY_KINDS = ((b"PK\x03\x04", "an Excel .xlsx workbook (a ZIP file)"),
                (b"\xd0\xcf\x11\xe0", "an Excel .xls workbook"), (b"%PDF", "a PDF file"),
                (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"))
MAX_YAML_DEPTH = 8  # document → sections → list → entry → value is all a registry needs


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
    "true": ("1", "true", "yes", "y", "on", "active", "running", "是", "运行", "在用", "正常", "启用", "开通", "有效",
             "在运行", "正常运行", "运行中", "在线"),
    "false": ("0", "false", "no", "n", "off", "inactive", "retired", "closed", "否", "关停", "停用", "下线", "注销", "关闭",
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
    line: int  # physical line the row starts on (CSV) or the line of its entry (YAML)
    values: dict[str, Any]
    excel_row: int | None = None  # Excel's row number, when a multi-line cell above makes it differ from line


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
            raise RegistryError([f"{path}: not a text file: starts with a UTF-16 byte-order mark but is not UTF-16 "
                                 f"(byte {exc.start}: {exc.reason})"]) from None
    if data.startswith(codecs.BOM_UTF8):
        try:
            return _no_nul(path, data[3:].decode("utf-8"), "UTF-8"), "UTF-8 (BOM)"
        except UnicodeDecodeError as exc:
            raise RegistryError([f"{path}:{_line_of(data, exc.start)}: starts with a UTF-8 byte-order mark but "
                                 f"is not UTF-8 ({exc.reason}); save it again as \"CSV UTF-8\""]) from None
    if b"\x00" in data:
        raise RegistryError([f"{path}: {_nul_problem(data)}"])
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as exc:
        utf8_error = f"not UTF-8 (line {_line_of(data, exc.start)}: {exc.reason})"
    try:
        return data.decode("gb18030"), "GB18030"
    except UnicodeDecodeError as exc:
        gb_error = f"not GB18030/GBK (line {_line_of(data, exc.start)}: {exc.reason})"
    # Bytes below 0x20 are never part of a UTF-8 or GB18030 character: with them, the file is binary.
    control = re.search(rb"[\x01-\x08\x0e-\x1f]", data)
    if control:
        raise RegistryError([f"{path}: not a text file (control byte 0x{data[control.start()]:02x} on line "
                             f"{_line_of(data, control.start())}; {utf8_error}, {gb_error}); save the sheet as "
                             "\"CSV UTF-8\" from Excel"])
    raise RegistryError([f"{path}: cannot read the text: {utf8_error}, {gb_error}, no UTF-16 byte-order mark; "
                         "save it as \"CSV UTF-8\" from Excel"])


def _nul_problem(data: bytes) -> str:
    """Why a file with NUL bytes (and no byte-order mark) is refused: a known binary kind, UTF-16/32 without its
    byte-order mark (NULs only at even or only at odd offsets, as ASCII characters leave them), else binary."""
    for magic, kind in BINARY_KINDS:
        if data.startswith(magic):
            return f"not a text file: {kind}; save the sheet as \"CSV UTF-8\" from Excel"
    nuls = data.count(b"\x00")
    even = data[::2].count(b"\x00")  # Chinese characters such as 一 (U+4E00) put a few NULs on the other side
    if max(even, nuls - even) >= 0.9 * nuls and nuls * 20 >= len(data):
        return ("not a text file as it stands: looks like UTF-16 without a byte-order mark (NUL bytes between the "
                "characters); save it as \"CSV UTF-8\" or \"Unicode 文本\" from Excel")
    return (f"not a text file (NUL byte on line {_line_of(data, data.index(0))}): a workbook, image or other binary "
            "file, or UTF-32; save it as \"CSV UTF-8\" from Excel")


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
    """Rows of a delimited file: comma-separated, or tab-separated as Excel's "Unicode 文本" is. A row's line is
    the physical line its record starts on (what an editor shows); a quoted cell may hold line breaks, and then
    Excel's row number (one per record) is kept beside it."""
    if text is None:
        text, _ = read_text(path)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers = next(reader)
        kind = _csv_kind(headers)
        if kind is None:
            shown = repr(headers)
            shown = shown if len(shown) <= 300 else shown[:300] + "…"
            raise RegistryError([f"{path}:1: header {shown} matches no known row kind "
                                 "(websites, columns, accounts or channels); see README for the field names"])
        mapping = _header_map(kind, headers)
        rows = []
        start = reader.line_num + 1  # reader.line_num: physical lines consumed so far
        for excel_row, cells in enumerate(reader, start=2):
            line, start = start, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            values = {mapping[h]: c.strip() for h, c in zip(headers, cells, strict=False) if h in mapping}
            rows.append(RawRow(kind, line, values, excel_row if excel_row != line else None))
    except StopIteration:
        raise RegistryError([f"{path}:1: the file is empty"]) from None
    except csv.Error as exc:
        raise RegistryError([f"{path}:{reader.line_num}: not readable as CSV: {exc}"]) from None
    return rows


class _Entry(dict):
    """A YAML mapping with the line it starts on and the line of each key."""

    line: int
    key_lines: dict[str, int]


class _Items(list):
    """A YAML sequence with the line of each item."""

    lines: list[int]


class _TextLoader(yaml.SafeLoader):
    """A safe loader for registry files: scalars as written, lines kept, no anchors, aliases or deep nesting.

    Implicit types are off (only null remains): YAML 1.1 would read 0532501 as the octal int 177473, 532_501 as
    532501 and 5325:01 as a base-60 int, losing what users wrote. Anchors and aliases are refused at the event, before
    any node is built: nested aliases expand exponentially (a few hundred bytes become gigabytes when printed)."""

    yaml_implicit_resolvers: dict = {}

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise yaml.composer.ComposerError(
                None, None, "anchors (&name) and aliases (*name) are not allowed in a registry file; write every "
                "value out", event.start_mark)
        self.depth += 1
        try:
            if self.depth > MAX_YAML_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nested more than {MAX_YAML_DEPTH} levels deep; a registry file is sections "
                    "holding lists of field: value entries", event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


_TextLoader.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"),
                                  ["~", "n", "N", ""])


def _construct_entry(loader: _TextLoader, node: yaml.MappingNode) -> _Entry:
    entry = _Entry()
    entry.line, entry.key_lines = node.start_mark.line + 1, {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(None, None, "a field name must be plain text",
                                                    key_node.start_mark)
        key = loader.construct_object(key_node, deep=True)
        key = "" if key is None else key
        if key in entry:
            raise yaml.constructor.ConstructorError(
                None, None, f"{key!r} appears twice in one entry (line {entry.key_lines[key]})", key_node.start_mark)
        entry[key] = loader.construct_object(value_node, deep=True)
        entry.key_lines[key] = key_node.start_mark.line + 1
    return entry


def _construct_items(loader: _TextLoader, node: yaml.SequenceNode) -> _Items:
    items = _Items(loader.construct_object(child, deep=True) for child in node.value)
    items.lines = [child.start_mark.line + 1 for child in node.value]
    return items


def _construct_text(loader: _TextLoader, node: yaml.ScalarNode) -> str:
    """An explicitly typed scalar (!!int 0532501) is still taken as written."""
    return str(node.value)


def _refuse_tag(loader: _TextLoader, node: yaml.Node) -> None:
    raise yaml.constructor.ConstructorError(None, None, f"the type {node.tag} has no place in a registry file",
                                            node.start_mark)


_TextLoader.add_constructor("tag:yaml.org,2002:map", _construct_entry)
_TextLoader.add_constructor("tag:yaml.org,2002:seq", _construct_items)
for _tag in ("int", "float", "bool", "timestamp"):
    _TextLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _construct_text)
for _tag in ("binary", "set", "omap", "pairs"):
    _TextLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _refuse_tag)


def _yaml_kind(value: Any) -> str:
    return {_Entry: "a mapping (field: value)", _Items: "a list"}.get(type(value), f"the value {value!r}")


def read_yaml(path: Path, text: str | None = None) -> list[RawRow]:
    if text is None:
        text, _ = read_text(path)
    try:
        data = yaml.load(text, Loader=_TextLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow: control characters
        line = text.count("\n", 0, exc.position) + 1
        raise RegistryError([f"{path}:{line}: not a text file: control character U+{exc.character:04X}"]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise RegistryError([f"{path}{line}: not valid YAML: {exc.problem or exc.context or exc}"]) from None
    except yaml.YAMLError as exc:
        raise RegistryError([f"{path}: not valid YAML: {exc}"]) from None
    if data is None:
        raise RegistryError([f"{path}:1: the file is empty"])
    if not isinstance(data, _Entry):
        raise RegistryError([f"{path}:1: expected a mapping with sections websites / columns / accounts / channels, "
                             f"found {_yaml_kind(data)}"])
    rows = []
    problems = []
    for key, items in data.items():
        where = f"{path}:{data.key_lines[key]}"
        if key not in REQUIRED:
            problems.append(f"{where}: {key}: unknown section (websites, columns, accounts, channels)")
            continue
        if items is None:
            continue
        if not isinstance(items, _Items):
            problems.append(f"{where}: {key}: expected a list of entries (\"- field: value\" lines), found "
                            f"{_yaml_kind(items)}")
            continue
        for item, line in zip(items, items.lines, strict=True):
            if not isinstance(item, _Entry):
                problems.append(f"{path}:{line}: {key}: every entry must be a mapping (field: value), found "
                                f"{_yaml_kind(item)}")
                continue
            mapping = _header_map(key, item.keys())
            values = {}
            for name, value in item.items():
                if isinstance(value, _Entry | _Items):
                    problems.append(f"{path}:{item.key_lines[name]}: {name}: expected one value, found "
                                    f"{_yaml_kind(value)}; quote it if it is text")
                    continue
                values[mapping.get(name, name)] = "" if value is None else value.strip()
            rows.append(RawRow(key, item.line, values))
    if problems:
        raise RegistryError(problems)
    return rows


def load_file(path: str | Path) -> tuple[list[RawRow], str]:
    """The raw rows of a registry file and the encoding its text was read in."""
    path = Path(path)
    if not path.is_file():
        raise RegistryError([f"{path}: {'not a regular file' if path.exists() else 'no such file'}"])
    suffix = path.suffix.lower()
    if suffix not in (".yaml", ".yml", *DELIMITED):
        raise RegistryError([f"{path}: unknown file type (expected .csv, .txt, .tsv, .yaml or .yml)"])
    try:
        text, encoding = read_text(path)
    except OSError as exc:  # unreadable: permissions, a device, a file vanishing meanwhile
        raise RegistryError([f"{path}: cannot be read ({exc.strerror or exc})"]) from None
    rows = read_yaml(path, text) if suffix in (".yaml", ".yml") else read_csv(path, text)
    return rows, encoding


def read_file(path: str | Path) -> list[RawRow]:
    return load_file(path)[0]


# ------------------------------------------------------------------ validation


HOST_FORBIDDEN = re.compile(r"[\s\x00-\x1f\x7f\"<>\\^`{|}]")


def url_problem(value: str) -> str | None:
    """Why a registry URL cannot be crawled, else None. Everything accepted here makes a Scrapy request: a port
    out of range (99999) or a broken IPv6 literal raises only when the crawl builds the request, and that stopped
    the crawl's start list, leaving the sites after it uncrawled."""
    if re.search(r"[\x00-\x1f\x7f]", value):
        return f"{value!r} is not an http(s) URL: it holds a line break, tab or control character"
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:  # http://[::1/ (unclosed IPv6 literal), :99999, :8o
        return f"{value!r} is not a valid URL ({exc})"
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return f"{value!r} is not an http(s) URL"
    if port == 0:
        return f"{value!r} is not a valid URL (port 0)"
    host = parts.hostname
    if ":" in host:  # an IPv6 literal, already parsed by urlsplit
        return None
    labels = host[:-1].split(".") if host.endswith(".") else host.split(".")
    try:
        valid = not HOST_FORBIDDEN.search(host) and all(labels) and bool(host.encode("idna"))
    except UnicodeError:  # a label longer than 63 characters, or one IDNA cannot encode
        valid = False
    return None if valid else f"{value!r} is not a valid URL (host {host!r} is not a domain name)"


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


def ascii_code(value: str) -> str:
    """A code as typed, full-width digits and letters read as ASCII (５３２５００ → 532500, ｂｍ → bm)."""
    return value.translate(FULLWIDTH).strip()


def _code_problem(written: str, code: str, what: str) -> str:
    hint = "; write it with the digits 0-9" if any(ch.isdigit() and not ch.isascii() for ch in code) else ""
    return f"{written!r} is not {what}{hint}"


def _site_code_problem(value: str, written: str | None = None) -> str | None:
    """Why an (ASCII-folded) 网站标识码 is wrong, naming it as written; None when it is right."""
    written = value if written is None else written
    if SITE_CODE.match(value):
        return None
    if EXCEL_SCIENTIFIC.match(value):
        return (f"{written!r} is not a 网站标识码: Excel saved it as a number in scientific notation; format the "
                "column as 文本 (text), type the codes again and save")
    return _code_problem(written, value, "a 网站标识码 (10 digits, or bm + 8 digits)")


TABLES = {"websites": db.websites, "columns": db.site_columns, "accounts": db.accounts, "channels": db.channels}
CODES = ("site_code", "parent_site_code", "region_code")


def _text_problem(value: str) -> str | None:
    found = CONTROL.search(value)
    if found is None:
        return None
    if found.group() == "\x00":
        return "contains a NUL character (\\0): not text a database can hold"
    return f"contains the control character U+{ord(found.group()):04X}"


def _validate_row(row: RawRow, where: str, problems: list[str]) -> dict[str, Any] | None:
    written = row.values
    v = {k: ascii_code(x) if k in CODES and x else x for k, x in written.items()}
    before = len(problems)

    def bad(fieldname: str, message: str) -> None:
        problems.append(f"{where}:{row.line}: {fieldname}: {message}{_excel(row)}")
        refused.add(fieldname)

    refused: set[str] = set()

    def choose(fieldname: str, lookup: Any, expected: str) -> None:
        """A value users may write in English or Chinese, stored in English."""
        if v.get(fieldname):
            out[fieldname] = lookup(v[fieldname])
            if out[fieldname] is None:
                bad(fieldname, f"{v[fieldname]!r} is not {expected}")

    unknown = set(v) - set(ALIASES[row.kind])
    for name in sorted(unknown):
        bad(name, f"unknown field for {row.kind}")
    garbled = [name for name in ALIASES[row.kind] if v.get(name) and _text_problem(v[name])]
    for name in garbled:
        bad(name, _text_problem(v[name]) or "")
    if garbled:  # a value with NUL or control characters is not worth reading further
        return None
    for name in REQUIRED[row.kind]:
        if not v.get(name):
            bad(name, "missing")
    out = {name: (v.get(name) or None) for name in ALIASES[row.kind]}
    if "active" in out:
        out["active"] = lookup_active(v.get("active") or "")
        if out["active"] is None:
            bad("active", f"{v['active']!r} is not a status: 是/运行/在用/正常/1 (running) or "
                          "否/关停/停用/下线/注销/整合/迁移/0 (retired)")
    for name in ("site_code", "parent_site_code"):
        if v.get(name) and (problem := _site_code_problem(v[name], written[name])):
            bad(name, problem)
    if v.get("region_code") and not REGION_CODE.match(v["region_code"]):
        bad("region_code", _code_problem(written["region_code"], v["region_code"], "a 6-digit GB/T 2260 code"))
    for name in ("homepage", "url"):
        if v.get(name) and (problem := url_problem(v[name])):
            bad(name, problem)
    if row.kind == "websites":
        choose("level", lookup_level, "a level: province / city / county (省级 / 市级 / 县级, 州级, 区级, 县级市 …)")
        choose("kind", lookup_kind, "a kind: portal / department (门户网站 / 部门网站)")
    elif row.kind == "columns":
        choose("category", CATEGORIES.get, f"one of {sorted(set(CATEGORIES.values()))}")
        if v.get("level"):  # not int(): it takes ５, ٣ and 1_000 too, and PostgreSQL's integer has a range
            level = ascii_code(v["level"])
            out["level"] = int(level) if re.fullmatch(r"[0-9]{1,2}", level) else None
            if not out["level"]:
                bad("level", f"{v['level']!r} is not a column level (1 for a first-level column, up to 99)")
    elif row.kind == "accounts":
        if v.get("platform"):  # 微信 / 公众号 / 微信公众号 are one platform: one key per account
            out["platform"] = canonical_label(v["platform"])
    elif row.kind == "channels":
        choose("kind", lookup_channel_kind, "a channel kind: 领导信箱 / 咨询投诉 / 12345留言 (consult), 网上信访 / "
                                            "纪检举报 (petition) or 办事指南 (guides)")
    for name, value in out.items():  # PostgreSQL refuses longer values (SQLite would keep them)
        limit = getattr(TABLES[row.kind].c[name].type, "length", None)
        if isinstance(value, str) and limit and len(value) > limit and name not in refused:
            bad(name, f"{len(value)} characters, longer than the {limit} the database holds")
    return out if len(problems) == before else None


def _excel(row: RawRow) -> str:
    """Excel's row number, when a multi-line cell made it differ from the line: " (Excel row 5)"."""
    return "" if row.excel_row is None else f" (Excel row {row.excel_row})"


def validate(path: str | Path, rows: list[RawRow], known_sites: set[str]) -> Registry:
    """Check every row; raise RegistryError listing all problems, else return the clean registry."""
    where = str(path)
    problems: list[str] = []
    reg = Registry(source=where)
    seen: dict[tuple[str, tuple], RawRow] = {}
    origin: dict[int, RawRow] = {}  # id(clean row) → its raw row, for the problems found across rows
    keys = {"websites": ("site_code",), "columns": ("site_code", "url"), "accounts": ("platform", "account"),
            "channels": ("site_code", "url")}
    for row in rows:
        clean = _validate_row(row, where, problems)
        if clean is None:
            continue
        key = (row.kind, tuple(clean[k] for k in keys[row.kind]))
        if key in seen:
            problems.append(f"{where}:{row.line}: {'/'.join(keys[row.kind])}: duplicate of line {seen[key].line}"
                            + _excel(row))
            continue
        seen[key] = row
        clean["_line"] = row.line
        origin[id(clean)] = row
        getattr(reg, row.kind).append(clean)
    sites = known_sites | {w["site_code"] for w in reg.websites}
    for w in reg.websites:
        line, excel = w["_line"], _excel(origin[id(w)])
        if w["kind"] == "department" and not w["parent_site_code"]:
            problems.append(f"{where}:{line}: parent_site_code: a department site needs its parent portal{excel}")
        if w["parent_site_code"] and w["parent_site_code"] not in sites:
            problems.append(f"{where}:{line}: parent_site_code: unknown site {w['parent_site_code']!r}{excel}")
    for c in reg.columns + reg.channels:
        if c["site_code"] not in sites:
            problems.append(f"{where}:{c['_line']}: site_code: unknown site {c['site_code']!r}{_excel(origin[id(c)])}")
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
                known |= {ascii_code(r.values["site_code"]) for r in rows
                          if r.kind == "websites" and r.values.get("site_code")}
                continue
            known |= {w["site_code"] for w in reg.websites}
            regs.append(reg)
        if problems:
            raise RegistryError(problems)
        for reg in regs:
            try:
                _write(conn, reg)
            except (DataError, IntegrityError) as exc:
                # Raised inside the transaction: it is rolled back, the files before this one included.
                reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
                raise RegistryError([f"{reg.source}: the database refused a row of this file ({reason}); nothing "
                                     "of this import was written, the files before it included"]) from None
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
