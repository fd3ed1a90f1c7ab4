"""Text PostgreSQL cannot hold: a NUL in one crawled title must not lose the batch it travels in."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from monitor import db
from monitor.migrate import upgrade


def test_a_nul_in_crawled_text_loses_nothing(db_url: str) -> None:
    engine = db.engine_for(db_url)
    upgrade(engine)
    rows = [{"run_id": "r1", "site_code": "5325000001", "column_url": "http://x/", "page_url": "http://x/",
             "position": i, "title": f"标题{i}" + ("\x00坏" if i == 1 else ""), "url": f"http://x/{i}.html",
             "published": date(2021, 3, 1), "date_text": "2021-03-01"} for i in range(3)]
    with engine.begin() as conn:
        db.upsert(conn, db.list_entries, rows, db.natural_key(db.list_entries))
        conn.execute(db.findings.insert().values(
            period="2021Q1", as_of=datetime(2021, 3, 3), target_kind="website", target_id="5325000001",
            indicator="typos", subject="http://x/#坏", outcome="fail", reason="错别字:坏\x00", observed="坏\x00",
            threshold="", evidence={"context": "上下文\x00"}))
    with engine.connect() as conn:
        titles = sorted(conn.execute(select(db.list_entries.c.title)).scalars())
        finding = conn.execute(select(db.findings)).one()
    assert titles == (["标题0", "标题1坏", "标题2"] if engine.dialect.name == "postgresql"
                      else ["标题0", "标题1\x00坏", "标题2"])  # SQLite keeps it; PostgreSQL cannot
    assert finding.reason.startswith("错别字:坏") and finding.evidence["context"].startswith("上下文")
