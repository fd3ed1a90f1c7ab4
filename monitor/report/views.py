"""The analyst views of sql/views.sql, created and dropped by migration 0002_analyst_views."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Connection

VIEWS_SQL = Path(__file__).resolve().parents[2] / "sql" / "views.sql"
VIEWS = ("v_open_violations", "v_verdicts_quarter", "v_rates_region_quarter")


def statements() -> list[str]:
    text = VIEWS_SQL.read_text(encoding="utf-8")  # the project runs from its checkout (pip install -e)
    return [s[s.index("CREATE VIEW"):].strip() for s in text.split("\n-- end") if "CREATE VIEW" in s]


def create_views(conn: Connection) -> None:
    for sql in statements():
        conn.exec_driver_sql(sql)


def drop_views(conn: Connection) -> None:
    for name in reversed(VIEWS):
        conn.exec_driver_sql(f"DROP VIEW IF EXISTS {name}")
