"""The analyst views of monitor/report/views.sql, created and dropped by migrations (0002, 0003, 0006, 0008).

A migration creates only the views whose tables exist at its revision (`only`): views.sql always holds today's
definitions, and the views over the new-media and letters tables would fail on a fresh database at revision 0002.
"""

from __future__ import annotations

from importlib.resources import files

from sqlalchemy.engine import Connection

# Package data read through importlib.resources: the same call works from a checkout, an installed wheel and a
# zipped egg (what Scrapyd runs), where the file has no path on disk.
VIEWS_SQL = files("monitor.report") / "views.sql"
FIRST_VIEWS = ("v_open_violations", "v_verdicts_quarter", "v_rates_region_quarter")  # over the 0001 tables
# In dependency order: a view comes after those it reads (dropped in reverse).
VIEWS = (*FIRST_VIEWS, "v_account_readings", "v_letters", "v_responsible_units", "v_pending_counts",
         "v_unit_problems", "v_rates_trend", "v_violation_states")


def statements() -> list[str]:
    text = VIEWS_SQL.read_text(encoding="utf-8")
    return [s[s.index("CREATE VIEW"):].strip() for s in text.split("\n-- end") if "CREATE VIEW" in s]


def _name(sql: str) -> str:
    return sql.split()[2]  # CREATE VIEW <name> AS


def create_views(conn: Connection, only: tuple[str, ...] = VIEWS) -> None:
    for sql in statements():
        if _name(sql) in only:
            conn.exec_driver_sql(for_dialect(sql, conn.dialect.name))


def for_dialect(sql: str, dialect: str) -> str:
    """views.sql is written for psql; SQLite before 3.44 has no string_agg, only group_concat (same arguments)."""
    return sql.replace("string_agg(", "group_concat(") if dialect == "sqlite" else sql


def drop_views(conn: Connection) -> None:
    for name in reversed(VIEWS):
        conn.exec_driver_sql(f"DROP VIEW IF EXISTS {name}")
