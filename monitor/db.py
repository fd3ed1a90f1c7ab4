"""Database tables (SQLAlchemy Core) and the few helpers every writer shares.

Three groups of tables:
- the registry (what is monitored): regions, websites, site_columns, accounts, channels (letters and guides);
- observed facts, one row per thing seen in a run: runs, pages, list_entries, links, link_checks, probes, and for
  new-media accounts account_checks (one per account and run) and account_posts, for letters channels and guides
  channel_checks, letters and guides;
- judgements (written by the checks): findings, verdicts, violations.

Natural keys carry unique constraints so that re-playing a run or re-importing a registry updates rows in place
(see `upsert`). The schema is created by the Alembic migrations in `monitor/migrations`; `metadata` here is their
single source.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import lru_cache
from operator import attrgetter, itemgetter
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
)
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import IntegrityError

from monitor.dbwatch import watch

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# ---------------------------------------------------------------- registry

regions = Table(
    "regions",
    metadata,
    Column("code", String(6), primary_key=True, comment="GB/T 2260 6-digit code"),
    Column("name", String(100), nullable=False),
    Column("parent_code", String(6), comment="derived from the code: county → city → province"),
    Column("level", String(10), nullable=False, comment="province / city / county"),
)

websites = Table(
    "websites",
    metadata,
    Column("site_code", String(12), primary_key=True, comment="网站标识码"),
    Column("name", String(200), nullable=False),
    Column("homepage", Text, nullable=False),
    Column("region_code", String(6), nullable=False),
    Column("region_name", String(100), nullable=False),
    Column("level", String(10), nullable=False, comment="province / city / county"),
    Column("kind", String(12), nullable=False, comment="portal / department"),
    Column("sponsor", String(200), comment="主办单位"),
    Column("parent_site_code", String(12), comment="portal of a department site"),
    Column("active", Boolean, nullable=False, default=True),
    Column("source", Text, comment="registry file the row came from"),
)

site_columns = Table(
    "site_columns",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("site_code", String(12), nullable=False),
    Column("url", Text, nullable=False),
    Column("name", String(200), nullable=False),
    Column("path", Text, comment="首页>政府信息公开>…>工作动态"),
    Column("category", String(16), nullable=False, comment="dynamic/notice/policy/personnel/plan/..."),
    Column("level", Integer, comment="1 = first-level column"),
    Column("unit", String(200), comment="责任部门"),
    Column("item_selector", Text),
    Column("date_selector", Text),
    Column("source", String(12), nullable=False, comment="registry / discovered"),
    UniqueConstraint("site_code", "url"),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("platform", String(20), nullable=False, comment="微信公众号 / 微博 / 抖音 / 今日头条 / ..."),
    Column("account", String(200), nullable=False, comment="account URL or platform id"),
    Column("name", String(200), nullable=False),
    Column("owner_unit", String(200), nullable=False),
    Column("region_code", String(6), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("source", Text),
    UniqueConstraint("platform", "account"),
)

channels = Table(
    "channels",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("site_code", String(12), nullable=False),
    Column("url", Text, nullable=False, comment="the channel's list page (letters) or guide list / guide page"),
    Column("name", String(200), nullable=False, comment="领导信箱 / 咨询投诉 / 12345留言 / 办事指南 …"),
    Column("kind", String(10), nullable=False,
           comment="consult (咨询建言) / petition (网上信访, 纪检举报: outside the 3-month rule) / guides (办事指南)"),
    Column("unit", String(200), comment="责任单位 the overdue letters are listed under (default: 答复单位)"),
    Column("item_selector", Text),
    Column("date_selector", Text),
    Column("active", Boolean, nullable=False, default=True),
    Column("source", Text),
    UniqueConstraint("site_code", "url"),
)

# ---------------------------------------------------------------- observed facts

runs = Table(
    "runs",
    metadata,
    Column("run_id", String(64), primary_key=True),
    Column("spider", String(40), nullable=False),
    Column("as_of", Date, comment="monitoring point the crawl reads year-less dates against"),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    Column("status", String(20), nullable=False, comment="running / finished / <close reason>"),
    Column("stats", JSON),
    Column("host", String(255), comment="machine the run's process ran on (a run left `running` by a dead process)"),
    Column("pid", Integer, comment="process id of the run on its host"),
)

pages = Table(
    "pages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(64), nullable=False),
    Column("site_code", String(12), nullable=False),
    Column("url", Text, nullable=False),
    Column("final_url", Text),
    Column("role", String(10), nullable=False, comment="home / column / list / article"),
    Column("column_url", Text, comment="column the page belongs to"),
    Column("fetched_at", DateTime, nullable=False),
    Column("status", Integer, comment="HTTP status, NULL when no response"),
    Column("outcome", String(16), nullable=False, comment="ok/http/timeout/dns/tls/refused/too_large/not_html/..."),
    Column("error", Text),
    Column("elapsed_ms", Integer),
    Column("encoding", String(32)),
    Column("rendered", Boolean, nullable=False, default=False, comment="read from a browser-rendered DOM"),
    Column("title", Text),
    Column("published", Date, comment="article publication date"),
    Column("published_text", Text, comment="the text the date came from"),
    Column("entry_count", Integer, comment="list entries seen on a list page"),
    Column("footer_site_code", String(12), comment="网站标识码 in the footer"),
    Column("footer_icp", String(64), comment="ICP备案号"),
    Column("footer_police", String(64), comment="公安备案号"),
    Column("footer_conac", Boolean, comment="党政机关标识 present"),
    Column("footer_zhaocuo", Boolean, comment="我为政府网站找错 entrance present"),
    Column("footer_sponsor", String(200), comment="主办单位 in the footer"),
    Column("text_sample", Text, comment="visible body text (bounded) for text checks"),
    Column("cut", JSON, comment="what extraction left out past its per-page caps, e.g. {\"links\": 97000}"),
    UniqueConstraint("run_id", "url"),
)

list_entries = Table(
    "list_entries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(64), nullable=False),
    Column("site_code", String(12), nullable=False),
    Column("column_url", Text, nullable=False),
    Column("page_url", Text, nullable=False, comment="the list page (pagination included)"),
    Column("position", Integer, nullable=False),
    Column("title", Text),
    Column("url", Text),
    Column("published", Date),
    Column("date_text", Text, comment="the text the date came from"),
    UniqueConstraint("run_id", "page_url", "position"),
)

links = Table(
    "links",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(64), nullable=False),
    Column("site_code", String(12), nullable=False),
    Column("source_url", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("tag", String(10), nullable=False, comment="a / img / script / iframe / link"),
    Column("anchor", Text),
    Column("attachment", Boolean, nullable=False, default=False),
    Column("external", Boolean, nullable=False, default=False),
    Column("on_homepage", Boolean, nullable=False, default=False),
    Column("hidden", Boolean, nullable=False, default=False, comment="display:none / off-screen / tiny"),
    UniqueConstraint("run_id", "source_url", "url", "tag"),
)

link_checks = Table(
    "link_checks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(64), nullable=False),
    Column("url", Text, nullable=False),
    Column("checked_at", DateTime, nullable=False),
    Column("method", String(6), nullable=False),
    Column("status", Integer),
    Column("outcome", String(16), nullable=False),
    Column("final_url", Text),
    Column("error", Text),
    Column("elapsed_ms", Integer),
    UniqueConstraint("run_id", "url"),
)

probes = Table(
    "probes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("round_id", String(64), nullable=False, comment="one probe round over the registry"),
    Column("site_code", String(12), nullable=False),
    Column("family", String(4), nullable=False, comment="any (as resolved) / ipv6 (forced over IPv6)"),
    Column("url", Text, nullable=False),
    Column("probed_at", DateTime, nullable=False, comment="when the visit started (UTC)"),
    Column("outcome", String(16), nullable=False, comment="ok/http/timeout/dns/refused/tls/no_aaaa/no_route/..."),
    Column("status", Integer),
    Column("latency_ms", Integer, comment="until the page had fully arrived"),
    Column("address", String(64), comment="address actually connected to, when forced"),
    Column("error", Text),
    UniqueConstraint("round_id", "site_code", "family"),
)

account_checks = Table(
    "account_checks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(64), nullable=False, comment="crawl run, or the import of an activity export"),
    Column("platform", String(20), nullable=False, comment="platform label as in accounts"),
    Column("account", String(200), nullable=False),
    Column("url", Text, comment="the page or API read (the export file:line for imports)"),
    Column("fetched_at", DateTime, nullable=False, comment="when it was read: relative post times resolve against it"),
    Column("outcome", String(16), nullable=False,
           comment="ok / login / captcha / deleted / expired / blocked / unsupported / http / timeout / ..."),
    Column("status", Integer, comment="HTTP status, NULL when no response"),
    Column("error", Text),
    Column("rendered", Boolean, nullable=False, default=False, comment="read from a browser-rendered DOM"),
    Column("display_name", String(200), comment="账号名称 as the platform shows it"),
    Column("verified_subject", String(200), comment="认证主体 / 认证信息 as the platform shows it"),
    Column("followable", Boolean, comment="can be followed (or its app downloaded); NULL: not seen"),
    Column("interaction", JSON, comment="feature → true/false (comments, message, menu, auto_reply); absent: not seen"),
    Column("post_count", Integer, comment="posts read (the account_posts rows of this check)"),
    Column("source", String(10), nullable=False, default="crawl", comment="crawl / import"),
    UniqueConstraint("run_id", "platform", "account"),
)

account_posts = Table(
    "account_posts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(64), nullable=False),
    Column("platform", String(20), nullable=False),
    Column("account", String(200), nullable=False),
    Column("post_key", Text, nullable=False, comment="the post's URL or platform id"),
    Column("position", Integer, comment="place in the timeline as read, 0 = first"),
    Column("title", Text),
    Column("published_at", DateTime, comment="publication time (China time, naive); NULL: not readable"),
    Column("time_text", Text, comment="the text or value the time came from"),
    Column("time_source", String(10), comment="absolute / relative / script / api / export"),
    Column("original", Boolean, comment="原创 as the platform marks it; NULL: not shown"),
    Column("pinned", Boolean, comment="置顶: an old pinned post is not the newest"),
    Column("fetched_at", DateTime, nullable=False),
    UniqueConstraint("run_id", "platform", "account", "post_key"),
)

channel_checks = Table(
    "channel_checks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(64), nullable=False),
    Column("site_code", String(12), nullable=False),
    Column("channel_url", Text, nullable=False),
    Column("fetched_at", DateTime, nullable=False),
    Column("outcome", String(16), nullable=False, comment="transport outcome of the channel page: ok / http / timeout …"),
    Column("state", String(10), comment="ok / form / login / closed / empty / error, as the page shows it"),
    Column("status", Integer),
    Column("error", Text),
    Column("pages_read", Integer, comment="list pages read (pagination included)"),
    Column("entries_seen", Integer, comment="letters or guides listed"),
    UniqueConstraint("run_id", "channel_url"),
)

letters = Table(
    "letters",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(64), nullable=False),
    Column("site_code", String(12), nullable=False),
    Column("channel_url", Text, nullable=False),
    Column("url", Text, nullable=False, comment="detail page, or the list page#position when there is none"),
    Column("title", Text),
    Column("category", String(20), comment="咨询 / 投诉 / 建议 / 求助 …"),
    Column("unit", String(200), comment="答复单位 as the letter shows it"),
    Column("received_at", DateTime, comment="来信时间 (China time)"),
    Column("received_text", Text),
    Column("answered_at", DateTime, comment="答复时间; NULL: not answered or not shown"),
    Column("answered_text", Text),
    Column("status", String(40), comment="办理状态 as shown"),
    Column("answered", Boolean, comment="an answer is shown; NULL: not readable"),
    Column("fetched_at", DateTime, nullable=False),
    UniqueConstraint("run_id", "url"),
)

guides = Table(
    "guides",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(64), nullable=False),
    Column("site_code", String(12), nullable=False),
    Column("channel_url", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("title", Text),
    Column("fetched_at", DateTime, nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("elements", JSON, comment="element → present / empty (missing elements are absent)"),
    Column("address", Text, comment="办理地点 as written"),
    Column("service_links", JSON, comment="links to a 政务服务网: [{url, anchor}]"),
    UniqueConstraint("run_id", "url"),
)

# ---------------------------------------------------------------- judgements

findings = Table(
    "findings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("period", String(8), nullable=False, comment="2021Q1"),
    Column("as_of", DateTime, nullable=False, comment="monitoring point"),
    Column("target_kind", String(10), nullable=False, comment="website / account"),
    Column("target_id", String(200), nullable=False, comment="site_code or platform:account"),
    Column("indicator", String(40), nullable=False),
    Column("subject", Text, nullable=False, comment="what inside the target: column URL, link URL, '' for the site"),
    Column("outcome", String(14), nullable=False, comment="pass / fail / inconclusive / review"),
    Column("observed", Text),
    Column("threshold", Text),
    Column("reason", Text, comment="as the notices word it"),
    Column("evidence", JSON),
    UniqueConstraint("period", "target_kind", "target_id", "indicator", "subject"),
)

verdicts = Table(
    "verdicts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("period", String(8), nullable=False),
    Column("as_of", DateTime, nullable=False),
    Column("target_kind", String(10), nullable=False),
    Column("target_id", String(200), nullable=False),
    Column("region_code", String(6), nullable=False),
    Column("result", String(8), nullable=False, comment="合格 / 不合格 / 待定"),
    Column("veto", Boolean, nullable=False),
    Column("score", Float),
    Column("bonus", Float),
    Column("reasons", Text, comment="存在问题, '；'-separated"),
    Column("evaluated_at", DateTime, nullable=False),
    UniqueConstraint("period", "target_kind", "target_id"),
)

violations = Table(
    "violations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("target_kind", String(10), nullable=False),
    Column("target_id", String(200), nullable=False),
    Column("indicator", String(40), nullable=False),
    Column("subject", Text, nullable=False),
    Column("first_seen", DateTime, nullable=False),
    Column("last_seen", DateTime, nullable=False),
    Column("resolved_at", DateTime),
    Column("review", String(16), nullable=False, default="pending",
           comment="pending / confirmed / false_positive / doubtful"),
    Column("reason", Text),
    Column("evidence", JSON),
    UniqueConstraint("target_kind", "target_id", "indicator", "subject"),
)

# ---------------------------------------------------------------- helpers


def normalise_url(url: str) -> str:
    """SQLAlchemy URL from a user setting: a bare path means an SQLite file."""
    if "://" not in url:
        return f"sqlite:///{url}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def engine_for(url: str, *, timeout: float | None = None) -> Engine:
    """An engine for a user's database URL. PostgreSQL statements get `timeout` seconds (default:
    MONITOR_DB_TIMEOUT) before the connection is given up (monitor/dbwatch.py)."""
    url = normalise_url(url)
    kwargs: dict[str, Any] = {"future": True}
    if url.startswith("sqlite"):
        # The crawl writes from one thread at a time, but reports may read while it writes.
        kwargs["connect_args"] = {"timeout": 30}
    elif url.startswith("postgresql"):
        if timeout is None:
            from monitor.config import setting  # late: config reads settings through the add-on

            timeout = float(setting("MONITOR_DB_TIMEOUT"))
        # A server that does not answer is an error after 10 s (or the statement deadline if shorter), never a
        # crawl that waits without limit to connect.
        kwargs["connect_args"] = {"connect_timeout": max(2, min(10, int(timeout) or 10))}
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "postgresql":
        event.listen(engine, "before_cursor_execute", _drop_nul, retval=True)
        watch(engine, timeout or 0)
    return engine


def _no_nul(value: Any) -> Any:
    return value.replace("\x00", "") if isinstance(value, str) and "\x00" in value else value


def _drop_nul(conn, cursor, statement, parameters, context, executemany):
    """PostgreSQL text cannot hold NUL: one crawled title carrying it would make the whole batch fail and lose every
    row of it. NUL never means anything in page text, so it is dropped from every bound text value."""
    def clean(params: Any) -> Any:
        if isinstance(params, dict):
            return {k: _no_nul(v) for k, v in params.items()}
        if isinstance(params, list | tuple):
            return type(params)(_no_nul(v) for v in params)
        return params
    if executemany and isinstance(parameters, list | tuple):
        parameters = [clean(p) for p in parameters]
    else:
        parameters = clean(parameters)
    return statement, parameters


def masked(url: str) -> str:
    """The URL with its password hidden, for logs."""
    try:
        return make_url(normalise_url(url)).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is still shown, without its credentials part
        return url.split("@")[-1]


# ---------------------------------------------------------------- writing rows

# PostgreSQL batches of at least this many rows go in through COPY; smaller ones (a run's record, a few registry
# rows) through one executemany, which needs fewer round trips (bench/storage_bench.py --sizes measures both).
COPY_MIN_ROWS = 100


def upsert(conn: Connection, table: Table, rows: Sequence[dict[str, Any]], keys: Iterable[str],
           *, update_existing: bool = True) -> None:
    """Insert rows, updating the non-key columns of rows whose natural key already exists
    (or leaving such rows alone with update_existing=False). Rows of one batch sharing a key: the last one wins.

    Rows share the first row's columns (a column it lacks gets its Python-side default). SQLite: one executemany
    of INSERT … ON CONFLICT. PostgreSQL, batches of COPY_MIN_ROWS rows or more whose values are of their columns'
    own Python types: binary COPY straight into the table when none of the keys is there yet (a new run's facts),
    else COPY into a staging table and one INSERT … SELECT … ON CONFLICT (see `_pg_copy_upsert`); other batches
    (an int for a text column, a datetime with a time zone) by executemany, the server converting as it always did.
    """
    if not rows:
        return
    keys = list(keys)
    cols, columns, records = _columns(conn, table, rows)
    update_cols = [c for c in rows[0] if c not in keys and c != "id"] if update_existing else []
    # One row per key, the last winning: ON CONFLICT cannot touch a row twice in one statement.
    unique = dict(zip(zip(*(columns[cols.index(k)] for k in keys), strict=True), records, strict=True))
    if len(unique) < len(records):
        records = list(unique.values())
    if conn.dialect.name == "postgresql" and len(records) >= COPY_MIN_ROWS \
            and (types := _binary_types(table, cols, columns)) is not None:
        _pg_copy_upsert(conn, table, cols, types, records, keys, update_cols)
    else:
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        values = f"VALUES ({', '.join([mark] * len(cols))})"
        conn.exec_driver_sql(_insert_sql(conn, table, cols, keys, update_cols, values), records)


def insert_ignore(conn: Connection, table: Table, rows: Sequence[dict[str, Any]], keys: Iterable[str]) -> None:
    """Insert rows whose natural key is new; existing rows stay as they are."""
    upsert(conn, table, rows, keys, update_existing=False)


def _columns(conn: Connection, table: Table,
             rows: Sequence[dict[str, Any]]) -> tuple[list[str], list[Sequence[Any]], list[tuple[Any, ...]]]:
    """Column names, the values SQLAlchemy would bind (its type processing: JSON for psycopg, SQLite dates as
    text; NUL dropped from PostgreSQL text as `_drop_nul` does) column by column, and the rows as tuples of them.
    Worked by column, so that the per-value steps run at C speed and cost little next to the COPY itself."""
    dialect = conn.dialect
    names = list(rows[0])
    defaults = [c for c in table.columns if c.name not in rows[0] and c.default is not None]
    if any(not c.default.is_scalar for c in defaults):  # type: ignore[union-attr]
        raise NotImplementedError(f"{table.name}: only scalar Python-side defaults are filled in")
    cols = names + [c.name for c in defaults]
    try:
        get = itemgetter(*names)
        records = list(map(get, rows)) if len(names) > 1 else [(v,) for v in map(get, rows)]
    except KeyError:  # a row lacking a column of the first one: NULL there
        records = [tuple(row.get(name) for name in names) for row in rows]
    if defaults:
        fill = tuple(c.default.arg for c in defaults)  # type: ignore[union-attr]
        records = [record + fill for record in records]
    columns: list[Sequence[Any]] = list(zip(*records, strict=True))
    changed = False
    for i, name in enumerate(cols):
        type_ = table.c[name].type
        process = type_.dialect_impl(dialect).bind_processor(dialect)
        # Booleans only need their processor (a check, and int on SQLite) for values other than bool and None.
        if process is not None and not (isinstance(type_, Boolean) and set(map(type, columns[i])) <= {bool, _NONE}):
            columns[i], changed = list(map(process, columns[i])), True
        if dialect.name == "postgresql" and isinstance(type_, String) and _has_nul(columns[i]):
            columns[i], changed = [_no_nul(v) for v in columns[i]], True
    return cols, columns, list(zip(*columns, strict=True)) if changed else records


_NONE = type(None)
_tzinfo = attrgetter("tzinfo")


@lru_cache(maxsize=1)
def _binary() -> dict[type, tuple[str, set[type]]]:
    """Column type → (PostgreSQL type its binary COPY is written as, the Python types of values it takes as they are).
    JSON arrives wrapped for psycopg by SQLAlchemy's processor, serialised by SQLAlchemy's serializer. Built on the
    first COPY: psycopg is imported by PostgreSQL's connections, and an SQLite crawl need not import it."""
    from psycopg.types.json import Json

    return {String: ("text", {str}), Text: ("text", {str}), JSON: ("json", {Json}), Integer: ("int4", {int}),
            Float: ("float8", {float, int}), Boolean: ("bool", {bool}), Date: ("date", {date}),
            DateTime: ("timestamp", {datetime})}


def _binary_types(table: Table, cols: list[str], columns: list[Sequence[Any]]) -> list[str] | None:
    """The types to COPY the columns as in binary, or None when a value is not of its column's own Python type
    (binary COPY would refuse it where an INSERT has the server convert it) or a datetime carries a time zone."""
    types = []
    for name, values in zip(cols, columns, strict=True):
        pg_type, python = _binary().get(type(table.c[name].type), ("", set()))
        found = set(map(type, values)) - {_NONE}
        if not found <= python or (found and pg_type == "timestamp"
                                   and set(map(_tzinfo, filter(None, values))) != {None}):
            return None
        types.append(pg_type)
    return types


def _has_nul(column: Sequence[Any]) -> bool:
    try:
        return "\x00" in "".join(filter(None, column))  # one search over the whole column
    except TypeError:  # a value that is no text
        return any(isinstance(v, str) and "\x00" in v for v in column)


def _insert_sql(conn: Connection, table: Table, cols: list[str], keys: list[str], update_cols: list[str],
                source: str) -> str:
    """INSERT INTO table (cols) <source> ON CONFLICT (keys) DO UPDATE SET … / DO NOTHING, for both back ends."""
    quote = conn.dialect.identifier_preparer.quote
    target = conn.dialect.identifier_preparer.format_table(table)
    on_conflict = f"ON CONFLICT ({', '.join(map(quote, keys))}) "
    if update_cols:
        on_conflict += "DO UPDATE SET " + ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in update_cols)
    else:
        on_conflict += "DO NOTHING"
    return f"INSERT INTO {target} ({', '.join(map(quote, cols))}) {source} {on_conflict}"


def _pg_copy_upsert(conn: Connection, table: Table, cols: list[str], types: list[str],
                    records: list[tuple[Any, ...]], keys: list[str], update_cols: list[str]) -> None:
    """The batch through COPY. ON CONFLICT costs PostgreSQL about half of COPY's speed, so a batch whose first
    key is new (a run's facts arrive with new keys) is COPYed straight into the table under a savepoint; a key
    already there makes that COPY fail whole, and the batch — like one whose first key exists (a re-run) — goes
    into a staging table with COPY and from there into the table by one INSERT … SELECT … ON CONFLICT."""
    prep = conn.dialect.identifier_preparer
    target, names = prep.format_table(table), ", ".join(map(prep.quote, cols))
    where = " AND ".join(f"{prep.quote(k)} = %s" for k in keys)
    first = tuple(records[0][cols.index(k)] for k in keys)
    if conn.exec_driver_sql(f"SELECT 1 FROM {target} WHERE {where} LIMIT 1", first).first() is None:
        try:
            with conn.begin_nested():
                _pg_copy(conn, f"COPY {target} ({names}) FROM STDIN (FORMAT BINARY)", types, records)
            return
        except IntegrityError as exc:
            if getattr(exc.orig, "sqlstate", None) != "23505":  # unique_violation; anything else is an error
                raise
    # One staging table per table and column set, kept by the session and emptied at commit: creating one per
    # batch would cost more catalog work than the batch's rows.
    stage = "pg_temp." + prep.quote(f"_stage_{table.name}_{zlib.crc32(names.encode()):08x}")
    conn.exec_driver_sql(f"CREATE TEMP TABLE IF NOT EXISTS {stage} ON COMMIT DELETE ROWS AS "
                         f"SELECT {names} FROM {target} WITH NO DATA")
    _pg_copy(conn, f"COPY {stage} ({names}) FROM STDIN (FORMAT BINARY)", types, records)
    conn.exec_driver_sql(_insert_sql(conn, table, cols, keys, update_cols, f"SELECT {names} FROM {stage}"))
    conn.exec_driver_sql(f"DELETE FROM {stage}")  # a second batch in the same transaction starts empty


def _pg_copy(conn: Connection, statement: str, types: list[str], records: list[tuple[Any, ...]]) -> None:
    """COPY … FROM STDIN on the connection's psycopg cursor, as a statement like the others: the engine's cursor
    events fire (the statement deadline of monitor/dbwatch.py) and a driver error comes out as SQLAlchemy's, the
    connection invalidated when it is lost — what callers such as the storage pipeline catch."""
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        for fn in conn.dispatch.before_cursor_execute:
            statement, _ = fn(conn, cursor, statement, (), None, False)
        with cursor.copy(statement) as copy:
            copy.set_types(types)
            for record in records:
                copy.write_row(record)
        conn.dispatch.after_cursor_execute(conn, cursor, statement, (), None, False)
    except BaseException as exc:  # SQLAlchemy's own handling of a failed statement (wrap, invalidate, events)
        conn._handle_dbapi_exception(exc, statement, (), cursor, None)
    finally:
        cursor.close()


def natural_key(table: Table) -> list[str]:
    """Columns of the table's first unique constraint, else its primary key."""
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint):
            return [c.name for c in constraint.columns]
    return [c.name for c in table.primary_key.columns]
