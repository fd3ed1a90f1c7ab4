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

from collections.abc import Iterable, Sequence
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


def engine_for(url: str) -> Engine:
    url = normalise_url(url)
    kwargs: dict[str, Any] = {"future": True}
    if url.startswith("sqlite"):
        # The crawl writes from one thread at a time, but reports may read while it writes.
        kwargs["connect_args"] = {"timeout": 30}
    elif url.startswith("postgresql"):
        # A server that does not answer is an error after 10 s, never a crawl that waits without limit to connect.
        kwargs["connect_args"] = {"connect_timeout": 10}
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "postgresql":
        event.listen(engine, "before_cursor_execute", _drop_nul, retval=True)
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


def _insert(conn: Connection, table: Table):
    dialect = conn.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - only the two supported back ends
        raise RuntimeError(f"unsupported database dialect {dialect!r}")
    return insert(table)


def upsert(conn: Connection, table: Table, rows: Sequence[dict[str, Any]], keys: Iterable[str],
           *, update_existing: bool = True) -> None:
    """Insert rows, updating the non-key columns of rows whose natural key already exists
    (or leaving such rows alone with update_existing=False).

    Works on SQLite and PostgreSQL (both support ON CONFLICT). Rows must share the same columns.
    """
    if not rows:
        return
    keys = list(keys)
    stmt = _insert(conn, table)
    update_cols = [c for c in rows[0] if c not in keys and c != "id"] if update_existing else []
    if update_cols:
        stmt = stmt.on_conflict_do_update(
            index_elements=keys, set_={c: getattr(stmt.excluded, c) for c in update_cols}
        )
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=keys)
    # Deduplicate inside the batch: ON CONFLICT cannot touch the same row twice in one statement (PostgreSQL).
    unique: dict[tuple, dict[str, Any]] = {}
    for row in rows:
        unique[tuple(row.get(k) for k in keys)] = row
    conn.execute(stmt, list(unique.values()))


def insert_ignore(conn: Connection, table: Table, rows: Sequence[dict[str, Any]], keys: Iterable[str]) -> None:
    """Insert rows whose natural key is new; existing rows stay as they are."""
    upsert(conn, table, rows, keys, update_existing=False)


def natural_key(table: Table) -> list[str]:
    """Columns of the table's first unique constraint, else its primary key."""
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint):
            return [c.name for c in constraint.columns]
    return [c.name for c in table.primary_key.columns]
