"""`govmon import-activity`: new-media activity exports (全国政务新媒体信息报送系统, vendors) as account readings.

Offices often cannot let a crawler read their accounts (WeChat shows its timelines only inside the client), but
they can export what the platforms or the 报送系统 know. An export is read as one reading per account, a run like a
crawl's (`runs.spider` "import-activity", `account_checks.source` "import", posts with time_source "export"), so
evaluation judges imported and crawled accounts alike.

Two shapes, recognised by the header (Chinese or English; columns not listed here, such as 阅读数, are ignored):

- one row per post: 平台 (platform), 账号 / 账号ID / 账号地址 (account) or 账号名称 (name), 发布时间 (published_at),
  标题 (title), 链接 (url), 是否原创 (original); account columns below may ride along (one value per account);
- one row per account: 平台, 账号 or 账号名称, 最近更新时间 / 最新发布时间 (latest_post_at), 账号状态 (status:
  正常 / 无法访问 / 已注销 / 需登录 …), 互动功能 (interaction: 有/无), 认证主体 (verified_subject), 显示名称 (display_name),
  可关注 (followable: 是/否). An empty 最近更新时间 is unknown (the account's freshness is 待定); 无 / 暂无 / 从未发布
  says the account never published.

The export time comes from a 导出时间 / 统计时间 (exported_at) column or `--exported-at`; without either the file is
refused. A date without a time is read as the end of that day. The run's `as_of` (its monitoring date) is the
export's date. Files are CSV (UTF-8, GB18030/GBK or UTF-16 with BOM, decoded by monitor/registry.py's strict
decoder; comma- or tab-separated) or JSON (a list of objects with the same keys).

Validation is the registry's: every problem of the file is listed as "file:line: field: message" and the whole file
is refused, nothing written. Rows of accounts the registry does not hold (matched by platform and account, else by
platform and 账号名称) are listed as warnings and skipped. The run id is derived from the file's content, so
importing the same file again updates the same rows and never adds a second run.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import re
import sys
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from monitor import db
from monitor.config import add_database_argument, database_url
from monitor.items import Account, AccountCheckItem, PostItem
from monitor.migrate import upgrade
from monitor.platforms import canonical_label
from monitor.registry import RegistryError, normalise, read_text

SPIDER = "import-activity"
CHINA = timezone(timedelta(hours=8))
# English field name → header spellings as exports write them.
FIELDS: dict[str, tuple[str, ...]] = {
    "platform": ("平台", "新媒体平台", "平台类型", "账号平台"),
    "account": ("账号", "账号ID", "账号id", "帐号", "帐号ID", "账号地址", "账号链接", "account_id"),
    "name": ("账号名称", "帐号名称", "名称"),
    "published_at": ("发布时间", "发文时间", "推送时间"),
    "title": ("标题", "文章标题", "内容标题"),
    "url": ("链接", "文章链接", "原文链接", "网址"),
    "original": ("是否原创", "原创"),
    "latest_post_at": ("最近更新时间", "最新发布时间", "最后更新时间", "最近发布时间"),
    "status": ("账号状态", "帐号状态", "状态"),
    "interaction": ("互动功能", "是否有互动功能"),
    "verified_subject": ("认证主体", "账号主体", "帐号主体"),
    "display_name": ("显示名称", "当前名称", "平台显示名称"),
    "followable": ("可关注", "是否可关注", "能否关注"),
    "exported_at": ("导出时间", "统计时间", "数据时间"),
}
ACCOUNT_FIELDS = ("status", "interaction", "verified_subject", "display_name", "followable")
# 账号状态 → the outcome of the reading (monitor/platforms/base.py UNREADABLE; "unreachable" is worded by the rules).
STATUS = {
    **dict.fromkeys(("正常", "运行", "在用", "正常运行", "启用", "ok", "normal", "active"), "ok"),
    **dict.fromkeys(("无法访问", "不能访问", "访问失败", "打不开", "unreachable"), "unreachable"),
    **dict.fromkeys(("已注销", "注销", "已迁移", "迁移", "已封禁", "被封禁", "封禁", "deleted"), "deleted"),
    **dict.fromkeys(("需登录", "需要登录", "登录后可见", "login"), "login"),
    **dict.fromkeys(("不存在", "账号不存在", "not_found"), "not_found"),
    **dict.fromkeys(("验证码", "需验证", "captcha"), "captcha"),
}
YES = {"是", "有", "可", "可以", "能", "开通", "开启", "已开通", "原创", "1", "true", "yes", "y"}
NO = {"否", "无", "不可", "不可以", "不能", "未开通", "关闭", "已关闭", "非原创", "转载", "0", "false", "no", "n"}
NEVER_POSTED = {"无", "暂无", "从未发布", "从未更新", "无更新", "无发布"}
DATETIME = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]+(\d{1,2})[:时](\d{1,2})"
                      r"(?:[:分](\d{1,2})(?:\.\d+)?秒?)?分?)?$")
UNIX = re.compile(r"^\d{10}(\d{3})?$")


class ActivityError(ValueError):
    """An export was refused; `problems` lists every "file:line: field: message"."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("activity export refused, nothing imported:\n  " + "\n  ".join(problems))
        self.problems = problems


@dataclass
class ActivityResult:
    run_id: str
    shape: str  # posts / accounts
    encoding: str
    as_of: date
    accounts: int
    posts: int
    warnings: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


@dataclass
class Row:
    line: int
    values: dict[str, Any]


# ------------------------------------------------------------------ reading


def _field_of(header: str) -> str | None:
    h = normalise(str(header))
    for name, spellings in FIELDS.items():
        if h == name or h in (normalise(s) for s in spellings):
            return name
    return None


def _read_csv(path: Path, text: str) -> tuple[list[str], list[Row]]:
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers = next(reader)
        rows = [Row(line, dict(zip(headers, cells, strict=False))) for line, cells in enumerate(reader, start=2)
                if any(c.strip() for c in cells)]
    except StopIteration:
        raise ActivityError([f"{path}:1: the file is empty"]) from None
    except csv.Error as exc:
        raise ActivityError([f"{path}:{reader.line_num}: not readable as CSV: {exc}"]) from None
    return headers, rows


def _read_json(path: Path, text: str) -> tuple[list[str], list[Row]]:
    """The objects of a JSON list, each with the line it starts on."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ActivityError([f"{path}:{exc.lineno}: not valid JSON: {exc.msg}"]) from None
    if not isinstance(data, list):
        raise ActivityError([f"{path}:1: expected a JSON list of objects (one per post or per account)"])
    decoder, rows, problems, headers = json.JSONDecoder(), [], [], {}
    pos = text.index("[") + 1
    for item in data:
        while text[pos] in " \t\r\n,":
            pos += 1
        line = text.count("\n", 0, pos) + 1
        _, pos = decoder.raw_decode(text, pos)
        if not isinstance(item, dict):
            problems.append(f"{path}:{line}: every entry must be an object, got {item!r}"[:200])
            continue
        headers.update(dict.fromkeys(item))
        rows.append(Row(line, item))
    if problems:
        raise ActivityError(problems)
    return list(headers), rows


def read_export(path: str | Path) -> tuple[str, list[str], list[Row], str]:
    """(shape, ignored headers, rows with English field names, encoding) of an export file."""
    path = Path(path)
    if not path.is_file():
        raise ActivityError([f"{path}: no such file"])
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".txt", ".tsv", ".json"):
        raise ActivityError([f"{path}: unknown file type (expected .csv, .txt, .tsv or .json)"])
    try:
        text, encoding = read_text(path)
    except RegistryError as exc:
        raise ActivityError(exc.problems) from None
    headers, raw = _read_json(path, text) if suffix == ".json" else _read_csv(path, text)
    mapping = {h: f for h in headers if (f := _field_of(h)) is not None}
    known = set(mapping.values())
    if "published_at" in known:
        shape = "posts"
    elif known & {"latest_post_at", *ACCOUNT_FIELDS}:
        shape = "accounts"
    else:
        raise ActivityError([f"{path}:1: header {headers!r} is neither one row per post (平台, 账号, 发布时间 …) nor "
                             "one row per account (平台, 账号, 最近更新时间, 账号状态 …)"])
    missing = [f for f, needed in (("platform", {"platform"}), ("account", {"account", "name"})) if not known & needed]
    if missing:
        raise ActivityError([f"{path}:1: {m}: missing column ({'/'.join(FIELDS[m][:3])})" for m in missing])
    rows = [Row(r.line, {mapping[k]: v for k, v in r.values.items() if k in mapping}) for r in raw]
    return shape, [h for h in headers if h not in mapping], rows, encoding


# ------------------------------------------------------------------ values


def parse_time(value: Any) -> tuple[datetime, bool] | None:
    """(China-time naive datetime, whether a time of day was given) of a cell, None when it is not a time.
    Unix seconds or milliseconds are taken as such."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and UNIX.match(value.strip())):
        seconds = float(value) / (1000 if float(value) > 10**11 else 1)
        return datetime.fromtimestamp(seconds, UTC).astimezone(CHINA).replace(tzinfo=None), True
    m = DATETIME.match(" ".join(str(value).split()))
    if m is None:
        return None
    y, mo, d, h, mi, s = (int(g) if g else None for g in m.groups())
    try:
        return datetime(y, mo, d, h or 0, mi or 0, s or 0), h is not None  # type: ignore[arg-type]
    except ValueError:
        return None


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _flag(value: Any) -> bool | None:
    """True / False for 是/否, 有/无 …; None for an empty cell; raises ValueError for anything else."""
    if isinstance(value, bool):
        return value
    text = normalise(_text(value))
    if not text:
        return None
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueError(text)


@dataclass
class Parsed:
    line: int
    platform: str
    account: str
    name: str
    exported_at: datetime
    post: tuple[datetime | None, str, str | None, str | None, bool | None] | None = None  # time, text, title, url
    never_posted: bool = False  # 最近更新时间 无: no post at all
    facts: dict[str, Any] = field(default_factory=dict)  # account-level values given on this row


def _parse_row(path: Path, shape: str, row: Row, default_export: datetime | None, problems: list[str]
               ) -> Parsed | None:
    v = row.values
    before = len(problems)

    def bad(name: str, message: str) -> None:
        problems.append(f"{path}:{row.line}: {name}: {message}")

    platform, account, name = _text(v.get("platform")), _text(v.get("account")), _text(v.get("name"))
    if not platform:
        bad("platform", "missing")
    if not account and not name:
        bad("account", "missing (账号 or 账号名称)")
    exported = default_export
    if _text(v.get("exported_at")):
        got = parse_time(v["exported_at"])
        if got is None:
            bad("exported_at", f"{_text(v['exported_at'])!r} is not a date or time (2021-03-03 or 2021-03-03 10:00)")
        else:
            exported = got[0] if got[1] else datetime.combine(got[0].date(), time(23, 59, 59))
    elif exported is None:
        bad("exported_at", "missing: fill the 导出时间 column or give --exported-at")
    out = Parsed(row.line, canonical_label(platform), account, name, exported or datetime.min)
    if shape == "posts":
        text = _text(v.get("published_at"))
        when = parse_time(v["published_at"]) if text else None
        if not text:
            bad("published_at", "missing")
        elif when is None:
            bad("published_at", f"{text!r} is not a date or time (2021-03-03 10:00, 2021年3月3日, Unix seconds)")
        original = None
        try:
            original = _flag(v.get("original"))
        except ValueError:
            bad("original", f"{_text(v.get('original'))!r} is not 是/否 (原创/转载)")
        out.post = (when[0] if when else None, text, _text(v.get("title")) or None, _text(v.get("url")) or None,
                    original)
    else:  # one row per account: an absent or empty 最近更新时间 is unknown, not "never published"
        text = _text(v.get("latest_post_at"))
        if normalise(text) in NEVER_POSTED:
            out.never_posted = True
        else:
            when = parse_time(v["latest_post_at"]) if text else None
            if text and when is None:
                bad("latest_post_at", f"{text!r} is not a date or time (or 无 for an account that never published)")
            out.post = (when[0] if when else None, text, None, None, None)
    if _text(v.get("status")):
        outcome = STATUS.get(normalise(_text(v["status"])))
        if outcome is None:
            bad("status", f"{_text(v['status'])!r} is not a status: 正常 / 无法访问 / 已注销 / 需登录 / 不存在 / 验证码")
        out.facts["outcome"] = outcome
    for name_, key in (("interaction", "interaction"), ("followable", "followable")):
        try:
            flag = _flag(v.get(name_))
        except ValueError:
            bad(name_, f"{_text(v.get(name_))!r} is not 有/无 (是/否)")
            continue
        if flag is not None:
            out.facts[key] = flag
    for key in ("verified_subject", "display_name"):
        if _text(v.get(key)):
            out.facts[key] = _text(v[key])
    return out if len(problems) == before else None


# ------------------------------------------------------------------ import


def _registry(engine: Engine) -> list[Account]:
    with engine.connect() as conn:
        return [Account.from_row(r._mapping) for r in conn.execute(select(db.accounts))]


def _match(row: Parsed, by_key: dict[tuple[str, str], Account], by_name: dict[tuple[str, str], list[Account]]
           ) -> tuple[Account | None, str]:
    """The registry account a row speaks of, or None and why."""
    if row.account and (row.platform, row.account) in by_key:
        return by_key[(row.platform, row.account)], ""
    for text in dict.fromkeys(t for t in (row.name, row.account) if t):  # offices often write the name as 账号
        found = by_name.get((row.platform, normalise(text)), [])
        if len(found) == 1:
            return found[0], ""
        if len(found) > 1:
            return None, f"{text!r} names {len(found)} accounts of {row.platform} in the registry; give the 账号ID"
    return None, f"{row.platform}:{row.account or row.name} is not in the registry"


def import_activity(engine: Engine, path: str | Path, exported_at: datetime | None = None) -> ActivityResult:
    """Validate an export completely, then write its run, readings and posts in one transaction."""
    path = Path(path)
    shape, ignored, rows, encoding = read_export(path)
    if exported_at is None and not any(_text(r.values.get("exported_at")) for r in rows):
        raise ActivityError([f"{path}: no export time: add a 导出时间 (统计时间) column or give --exported-at"])
    problems: list[str] = []
    parsed = [p for r in rows if (p := _parse_row(path, shape, r, exported_at, problems)) is not None]
    if not rows:
        problems.append(f"{path}:2: no rows")
    upgrade(engine)
    registry = _registry(engine)
    by_key = {(a.platform, a.account): a for a in registry}
    by_name: dict[tuple[str, str], list[Account]] = {}
    for a in registry:
        by_name.setdefault((a.platform, normalise(a.name)), []).append(a)
    warnings: list[str] = []
    groups: dict[tuple[str, str], list[Parsed]] = {}
    for p in parsed:
        who, why = _match(p, by_key, by_name)
        if who is None:
            warnings.append(f"{path}:{p.line}: account: {why}; row skipped")
            continue
        group = groups.setdefault((who.platform, who.account), [])
        if shape == "accounts" and group:
            problems.append(f"{path}:{p.line}: account: duplicate of line {group[0].line} ({who.key_text})")
            continue
        for key, value in p.facts.items():  # one value per account, whichever row gives it
            first = next((q for q in group if key in q.facts), None)
            if first is not None and first.facts[key] != value:
                problems.append(f"{path}:{p.line}: {key}: {value!r} differs from line {first.line} "
                                f"({first.facts[key]!r}) for the same account")
        group.append(p)
    if problems:
        raise ActivityError(problems)
    if not groups:
        raise ActivityError([f"{path}: no row names an account of the registry; nothing to import", *warnings])
    data = path.read_bytes()
    run_id = "import-" + hashlib.sha256(data).hexdigest()[:16]
    checks, posts = _items(path, run_id, groups)
    as_of = max(c.fetched_at for c in checks).date()
    now = datetime.now(UTC).replace(tzinfo=None)
    stats = {"file": str(path), "encoding": encoding, "shape": shape, "rows": len(rows), "accounts": len(checks),
             "posts": len(posts), "skipped_rows": len(warnings)}
    with engine.begin() as conn:
        db.upsert(conn, db.runs, [{"run_id": run_id, "spider": SPIDER, "as_of": as_of, "started_at": now,
                                   "finished_at": now, "status": "finished", "stats": stats}], ["run_id"])
        db.upsert(conn, db.account_checks, [asdict(c) for c in checks], list(AccountCheckItem.key))
        for chunk in range(0, len(posts), 500):
            db.upsert(conn, db.account_posts, [asdict(p) for p in posts[chunk:chunk + 500]], list(PostItem.key))
    return ActivityResult(run_id, shape, encoding, as_of, len(checks), len(posts), warnings, ignored)


def _items(path: Path, run_id: str, groups: dict[tuple[str, str], list[Parsed]]
           ) -> tuple[list[AccountCheckItem], list[PostItem]]:
    checks: list[AccountCheckItem] = []
    posts: list[PostItem] = []
    for (platform, account), rows in groups.items():
        facts: dict[str, Any] = {}
        for r in rows:
            facts.update({k: v for k, v in r.facts.items() if k not in facts})
        fetched_at = max(r.exported_at for r in rows)
        # timeline order: newest first, undated last, equal times as the file lists them (the sort is stable)
        dated = sorted((r for r in rows if r.post is not None), key=lambda r: r.post[0] or datetime.min,  # type: ignore[index]
                       reverse=True)
        own: dict[str, PostItem] = {}
        for r in dated:
            when, text, title, url, original = r.post  # type: ignore[misc]
            key = url or f"{path.name}:{r.line}"
            if key not in own:
                own[key] = PostItem(run_id=run_id, platform=platform, account=account, post_key=key,
                                    fetched_at=fetched_at, published_at=when, time_text=text or None,
                                    time_source="export", position=len(own), title=title, original=original,
                                    pinned=None)
        posts += own.values()
        checks.append(AccountCheckItem(
            run_id=run_id, platform=platform, account=account, fetched_at=fetched_at,
            outcome=facts.get("outcome", "ok"), url=f"{path}:{rows[0].line}", status=None, error=None,
            rendered=False, display_name=facts.get("display_name"), verified_subject=facts.get("verified_subject"),
            followable=facts.get("followable"),
            interaction={"export": facts["interaction"]} if "interaction" in facts else None,
            post_count=len(own), source="import"))
    return checks, posts


# ------------------------------------------------------------------ command line


def parse_exported_at(text: str) -> datetime:
    """--exported-at YYYY-MM-DD[THH:MM]: a date alone is the end of that day."""
    got = parse_time(text)
    if got is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not YYYY-MM-DD or YYYY-MM-DDTHH:MM")
    return got[0] if got[1] else datetime.combine(got[0].date(), time(23, 59, 59))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_database_argument(parser)
    parser.add_argument("--exported-at", type=parse_exported_at, default=None,
                        help="when the export was made (YYYY-MM-DD or YYYY-MM-DDTHH:MM, China time; a date alone is "
                             "the end of that day); needed unless the file has a 导出时间/统计时间 column")
    parser.add_argument("file", help="the export: .csv/.txt/.tsv (UTF-8, GB18030/GBK or UTF-16 with BOM) or .json")


def run(args: argparse.Namespace) -> int:
    url = database_url(args.database)
    engine = db.engine_for(url)
    try:
        result = import_activity(engine, args.file, args.exported_at)
    except ActivityError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"{args.file}: {result.encoding}, one row per {'post' if result.shape == 'posts' else 'account'}")
    print(f"imported into {db.masked(url)}: run {result.run_id} (as of {result.as_of}), {result.accounts} accounts, "
          f"{result.posts} posts")
    if result.ignored_columns:
        print("ignored columns: " + ", ".join(result.ignored_columns))
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0
