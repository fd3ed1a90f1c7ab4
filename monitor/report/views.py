"""The analyst views of monitor/report/views.sql, created and dropped by migrations 0002 and 0003."""

from __future__ import annotations

from importlib.resources import files

from sqlalchemy.engine import Connection

# Package data read through importlib.resources: the same call works from a checkout, an installed wheel and a
# zipped egg (what Scrapyd runs), where the file has no path on disk.
VIEWS_SQL = files("monitor.report") / "views.sql"
VIEWS = ("v_open_violations", "v_verdicts_quarter", "v_rates_region_quarter")


def statements() -> list[str]:
    text = VIEWS_SQL.read_text(encoding="utf-8")
    return [s[s.index("CREATE VIEW"):].strip() for s in text.split("\n-- end") if "CREATE VIEW" in s]


def create_views(conn: Connection) -> None:
    for sql in statements():
        conn.exec_driver_sql(sql)


def drop_views(conn: Connection) -> None:
    for name in reversed(VIEWS):
        conn.exec_driver_sql(f"DROP VIEW IF EXISTS {name}")
