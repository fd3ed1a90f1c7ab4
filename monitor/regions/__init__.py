"""The GB/T 2260 administrative divisions (provinces, cities, counties) and finding them in addresses.

Service guides (办事指南) are checked for an address outside the site's own region: a 略阳县 guide whose 受理地点
reads "咸阳市秦都区…" (陕西 2020Q1 notice: 办事指南要素不准确). This module holds the table and the matching; the rule
that reads guides decides what a mention outside the region means.

The table is package data (`gb2260.csv`, sources and licences in `SOURCES.md`): the current divisions, plus the former
names the 2019–2021 notices still use (凤翔县, 莱芜市, 桥东区 of 邢台…), flagged `former`, with the codes their
territory went to when it left its old city (莱芜市 → 济南市's 莱芜区 and 钢城区). It is read once, on first use.

Matching is leftmost-longest over full names and the usual short forms: 陕西 for 陕西省, 咸阳 for 咸阳市, 红河州 and
红河 for 红河哈尼族彝族自治州, 石柱县 for 石柱土家族自治县. County names are matched only as written with their suffix
(秦都区, 略阳县): without it too many are ordinary words. A short form followed by 路/街/大道… is a street (中山路, 北京东路),
not a region. Generic district names (城区, 郊区, 矿区, 东区…) count only when a city or province containing one of them
is named too. A name held by several regions (朝阳区, 桥西区) resolves to those inside a city or province the text
also names, else stays all candidates.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

__all__ = ["find_regions", "name", "outside", "parents"]

# The 56 nationalities as they appear in names of autonomous areas; longest first so 土家 wins over 土.
_ETHNIC = sorted(
    ["汉", "壮", "满", "回", "苗", "维吾尔", "土家", "彝", "蒙古", "藏", "布依", "侗", "瑶", "朝鲜", "白", "哈尼", "哈萨克",
     "黎", "傣", "畲", "傈僳", "仡佬", "东乡", "高山", "拉祜", "水", "佤", "纳西", "羌", "土", "仫佬", "锡伯", "柯尔克孜",
     "达斡尔", "景颇", "毛南", "撒拉", "布朗", "塔吉克", "阿昌", "普米", "鄂温克", "怒", "京", "基诺", "德昂", "保安",
     "俄罗斯", "裕固", "乌孜别克", "门巴", "鄂伦春", "独龙", "塔塔尔", "赫哲", "珞巴", "各"],
    key=len, reverse=True)
# Written without 族 in some names (巴音郭楞蒙古自治州, 察布查尔锡伯自治县, 鄂伦春自治旗); only these, as bare
# one-character ones (水, 白, 土) would eat the place name itself.
_ETHNIC_BARE = ("柯尔克孜", "维吾尔", "哈萨克", "塔吉克", "鄂伦春", "蒙古", "锡伯")
# District names that are also ordinary words in an address (老城区, 位于市中区): need a containing region named too.
_WEAK = frozenset({"城区", "郊区", "矿区", "东区", "西区", "南区", "北区", "中区", "市中区", "新城区", "老城区",
                   "城中区", "城东区", "城西区", "城北区", "城南区", "中西区", "离岛区", "新区"})
# What follows a short form when it names a street or a building rather than a region (中山路, 北京东路, 延安大学).
_STREET = re.compile(r"[东西南北中]?(?:路|街|大街|大道|巷|胡同|弄|桥|广场|大厦|公园|大学|学院|医院|中学|小学|宾馆|酒店|饭店|花园|小区)")


@dataclass
class _Table:
    names: dict[str, str] = field(default_factory=dict)            # code → current name (or last former name)
    current: set[str] = field(default_factory=set)                 # codes in the current table
    successors: dict[str, tuple[str, ...]] = field(default_factory=dict)  # former code → codes it went to
    forms: dict[str, list[tuple[str, bool]]] = field(default_factory=dict)  # surface → [(code, is_short)]
    longest: int = 0


def _strip_ethnic(root: str) -> str:
    """红河哈尼族彝族 → 红河; 巴音郭楞蒙古 → 巴音郭楞; 鄂伦春 → '' (the name is the people's)."""
    changed = True
    while changed and root:
        changed = False
        for people in _ETHNIC:
            for tail in (people + "族",) + ((people,) if people in _ETHNIC_BARE else ()):
                if root.endswith(tail):
                    root = root[: -len(tail)]
                    changed = True
                    break
            if changed:
                break
    return root


def _short_forms(code: str, full: str) -> list[str]:
    """The usual short forms of a division's name (never the bare root of a county: 秦都 or 东方 would be words)."""
    forms: list[str] = []
    if code[2:] == "0000":  # province level
        root = full
        for suffix in ("特别行政区", "自治区", "省", "市"):
            if root.endswith(suffix):
                root = root[: -len(suffix)]
                stripped = _strip_ethnic(root)
                root = stripped if len(stripped) >= 2 else root  # 内蒙古 stays 内蒙古, not 内
                break
        if len(root) >= 2:
            forms.append(root)
    elif code[4:] == "00":  # city level
        if full.endswith("自治州"):
            root = _strip_ethnic(full[:-3])
            if len(root) >= 2:
                forms += [root + "州", root]
        else:
            for suffix in ("地区", "市", "盟"):
                if full.endswith(suffix) and len(full) - len(suffix) >= 2:
                    forms.append(full[: -len(suffix)])
                    break
    else:  # county level: only autonomous counties and banners get a short form
        for suffix, short in (("自治县", "县"), ("自治旗", "旗")):
            if full.endswith(suffix):
                root = _strip_ethnic(full[: -len(suffix)])
                if not root:  # 鄂伦春自治旗 → 鄂伦春旗
                    root = full[: -len(suffix)].removesuffix("族")
                if len(root) >= 2:
                    forms.append(root + short)
    return [form for form in forms if form != full]


@cache
def _table() -> _Table:
    raw = resources.files(__package__).joinpath("gb2260.csv").read_text(encoding="utf-8")
    table = _Table()
    for row in csv.DictReader(io.StringIO(raw)):
        code, full = row["code"], row["name"]
        former = row.get("former") == "1"
        if not former:
            table.current.add(code)
            table.names[code] = full
        else:
            table.names.setdefault(code, full)
            if row.get("successors"):
                table.successors[code] = tuple(row["successors"].split())
        entries = [(full, False)] + [(form, True) for form in _short_forms(code, full)]
        for surface, short in entries:
            bucket = table.forms.setdefault(surface, [])
            if (code, short) not in bucket:
                bucket.append((code, short))
    table.longest = max(map(len, table.forms))
    return table


def _norm(code: str) -> str | None:
    """'610727', '610727000000', '61' or '6107' → a 6-digit code; None for anything else."""
    digits = str(code).strip()
    if not digits.isdigit() or len(digits) not in (2, 4, 6, 9, 12):
        return None
    return (digits + "0000")[:6]


def name(code: str) -> str | None:
    """The name of a division (its current one; a former division's last), None for an unknown code."""
    norm = _norm(code)
    return _table().names.get(norm) if norm else None


def _is_ancestor(upper: str, lower: str) -> bool:
    if upper == lower:
        return False
    if upper[2:] == "0000":
        return lower[:2] == upper[:2]
    if upper[4:] == "00":
        return lower[:4] == upper[:4]
    return False


def _related(a: str, b: str) -> bool:
    return a == b or _is_ancestor(a, b) or _is_ancestor(b, a)


def parents(code: str) -> list[str]:
    """The province and city codes above a division, province first; [] for a province or an unknown code.

    Direct-administered counties (469001 五指山市, 500229 城口县) have only their province: the table has no city
    between them."""
    norm = _norm(code)
    names = _table().names
    if not norm or norm not in names:
        return []
    return [up for up in (norm[:2] + "0000", norm[:4] + "00") if up != norm and up in names]


@dataclass
class _Mention:
    start: int
    text: str
    candidates: list[str]
    weak: bool


def _scan(text: str) -> list[_Mention]:
    table = _table()
    mentions: list[_Mention] = []
    i = 0
    while i < len(text):
        found = None
        for length in range(min(table.longest, len(text) - i), 1, -1):
            surface = text[i:i + length]
            entries = table.forms.get(surface)
            if not entries:
                continue
            if all(short for _, short in entries) and _STREET.match(text, i + length):
                continue  # 中山路, 北京东路: a street named after the place
            codes = list(dict.fromkeys(code for code, _ in entries))
            found = _Mention(i, surface, codes, surface in _WEAK)
            break
        if found:
            mentions.append(found)
            i += len(found.text)
        else:
            i += 1
    return _resolve(mentions)


def _resolve(mentions: list[_Mention]) -> list[_Mention]:
    """Narrow each ambiguous mention to the candidates inside (or above) a region the text names otherwise: first
    by the unambiguous mentions, then by any candidate of the others. Weak ones need such a region or are dropped."""
    strong_unique = [m.candidates[0] for m in mentions if len(m.candidates) == 1 and not m.weak]
    resolved: list[_Mention] = []
    for m in mentions:
        others_all = [c for o in mentions if o is not m and not o.weak for c in o.candidates]
        keep = m.candidates
        if len(keep) > 1 or m.weak:
            for context in (strong_unique, others_all):
                near = [c for c in keep if any(_related(c, k) for k in context if k not in m.candidates)]
                if near:
                    keep = near
                    break
            else:
                if m.weak:
                    continue  # 城区 with no city named: an ordinary word
        resolved.append(_Mention(m.start, m.text, keep, m.weak))
    return resolved


def find_regions(text: str) -> list[str]:
    """Codes of the divisions a text names, in order of appearance, each once.

    "咸阳市秦都区人民路1号" → ['610400', '610402']. A name held by several divisions and not settled by the rest of
    the text gives all its candidates."""
    codes: list[str] = []
    for mention in _scan(text or ""):
        codes.extend(mention.candidates)
    return list(dict.fromkeys(codes))


def outside(text: str, region_code: str) -> list[str]:
    """Codes the text names that lie outside the region and are not above it; [] when it names nothing else.

    A mention counts as outside only when none of its readings can be inside: an ambiguous name with one candidate in
    the region is taken as that one, and a former division is also read as the divisions its territory went to.
    Raises ValueError for a region code the table does not know."""
    region = _norm(region_code)
    table = _table()
    if not region or region not in table.names:
        raise ValueError(f"行政区划代码不在 GB/T 2260 表中: {region_code!r}")
    table_regions = {region, *table.successors.get(region, ())}
    out: list[str] = []
    for mention in _scan(text or ""):
        readings = {r for c in mention.candidates for r in (c, *table.successors.get(c, ()))}
        if any(_related(r, own) for r in readings for own in table_regions):
            continue
        out.extend(mention.candidates)
    return list(dict.fromkeys(out))
