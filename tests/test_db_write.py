"""The write path every stored fact takes (monitor.db.upsert / insert_ignore), on SQLite and the real PostgreSQL:
small batches by executemany, large ones on PostgreSQL by COPY (straight into the table, or through a staging
table when keys are already there). Whatever the path, a row reads back as SQLAlchemy's own INSERT stores it,
re-writing updates (or, for insert_ignore, leaves) rows in place, and rows of one batch sharing a key: the last
wins."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from monitor import db
from monitor.migrate import upgrade

LARGE = db.COPY_MIN_ROWS + 20  # goes through COPY on PostgreSQL
TRICKY = ["tab\there", "new\nline\r\nCRLF", "back\\slash \\N \\t", "\\", "", "引号\"'", "表情😀", " lead & trail ",
          "NUL\x00inside", "\x00", "a\x00\x00b"]


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = db.engine_for(db_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def statements(engine: Engine) -> list[str]:
    """Statements the engine runs from now on, as its cursor events see them (the COPY included)."""
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda conn, cur, stmt, *args: seen.append(stmt))
    return seen


def pages(n: int, run_id: str = "r1", **over: Any) -> list[dict[str, Any]]:
    """Page rows covering every column type, tricky text and NULLs in turn."""
    rows = []
    for i in range(n):
        tricky = TRICKY[i % len(TRICKY)]
        rows.append({
            "run_id": run_id, "site_code": "5325000001", "url": f"http://x.gov.cn/{i}.html", "role": "article",
            "column_url": None if i % 3 else "http://x.gov.cn/col/", "fetched_at": datetime(2021, 3, 1, 8, 0, i % 60, i),
            "outcome": "ok", "status": None if i % 5 == 0 else 200, "final_url": None, "error": tricky,
            "elapsed_ms": i, "encoding": "utf-8", "rendered": i % 2 == 0, "title": f"标题{i}{tricky}",
            "published": None if i % 4 == 0 else date(2021, 1, 1 + i % 28), "published_text": tricky,
            "entry_count": None, "footer_site_code": None, "footer_icp": "滇ICP备00000001号", "footer_police": None,
            "footer_conac": None if i % 3 == 0 else i % 3 == 1, "footer_zhaocuo": False, "footer_sponsor": tricky,
            "text_sample": f"正文\t{tricky}\n" * (i % 4), "cut": None if i % 2 else {"links": i, "note": tricky},
        } | over)
    return rows


def stored(engine: Engine, run_id: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(select(db.pages).where(db.pages.c.run_id == run_id).order_by(db.pages.c.url)).mappings()
        return [{k: v for k, v in row.items() if k not in ("id", "run_id")} for row in rows]


def expected(rows: list[dict[str, Any]], engine: Engine) -> list[dict[str, Any]]:
    """What PostgreSQL can hold of the rows: NUL dropped from text (not from JSON, which escapes it)."""
    def clean(value: Any) -> Any:
        return value.replace("\x00", "") if engine.dialect.name == "postgresql" and isinstance(value, str) else value
    return sorted(({k: clean(v) for k, v in row.items() if k != "run_id"} for row in rows), key=lambda r: r["url"])


@pytest.mark.parametrize("n", [5, LARGE])
def test_every_column_type_round_trips_as_sqlalchemy_stores_it(engine: Engine, n: int) -> None:
    rows = pages(n)
    with engine.begin() as conn:
        db.upsert(conn, db.pages, rows, db.natural_key(db.pages))
        conn.execute(db.pages.insert(), pages(n, run_id="oracle"))  # SQLAlchemy's own INSERT of the same rows
    assert stored(engine, "r1") == stored(engine, "oracle") == expected(rows, engine)
    with engine.connect() as conn:  # JSON null (as SQLAlchemy stores None), not SQL NULL, and the same JSON text
        raw = conn.execute(text("SELECT run_id, url, CAST(cut AS TEXT) FROM pages ORDER BY url")).all()
    assert {(u, c) for r, u, c in raw if r == "r1"} == {(u, c) for r, u, c in raw if r == "oracle"}
    assert all(c == "null" for r, u, c in raw if int(u.rsplit("/", 1)[1].split(".")[0]) % 2)


def test_a_large_batch_goes_through_copy_and_a_small_one_does_not(engine: Engine) -> None:
    seen = statements(engine)
    with engine.begin() as conn:
        db.upsert(conn, db.pages, pages(3), db.natural_key(db.pages))
    assert not [s for s in seen if s.startswith("COPY")]
    with engine.begin() as conn:
        db.upsert(conn, db.pages, pages(LARGE, run_id="r2"), db.natural_key(db.pages))
    copies = [s for s in seen if s.startswith("COPY")]
    if engine.dialect.name != "postgresql":
        assert copies == []
        return
    assert len(copies) == 1 and copies[0].startswith("COPY pages (run_id, site_code, url,")  # into the table
    with engine.begin() as conn:  # the same keys again: through a staging table
        db.upsert(conn, db.pages, pages(LARGE, run_id="r2"), db.natural_key(db.pages))
    assert len(seen) > 1 and seen[-3].startswith("COPY pg_temp._stage_pages_")
    assert seen[-2].startswith("INSERT INTO pages") and seen[-2].endswith("cut = excluded.cut")


@pytest.mark.parametrize("n", [4, LARGE])
def test_rows_sharing_a_key_in_one_batch_the_last_wins(engine: Engine, n: int) -> None:
    rows = pages(n)
    rows += [rows[0] | {"title": "第二次"}, rows[1] | {"title": "第二次"}, rows[0] | {"title": "最后一次"}]
    with engine.begin() as conn:
        db.upsert(conn, db.pages, rows, db.natural_key(db.pages))
    titles = {r["url"]: r["title"] for r in stored(engine, "r1")}
    assert len(titles) == n
    assert titles["http://x.gov.cn/0.html"] == "最后一次" and titles["http://x.gov.cn/1.html"] == "第二次"


@pytest.mark.parametrize("n", [4, LARGE])
def test_keys_differing_only_by_nul_are_one_row_on_postgresql(engine: Engine, n: int) -> None:
    rows = pages(n)
    rows.append(rows[2] | {"url": rows[2]["url"] + "\x00", "title": "NUL 键"})
    with engine.begin() as conn:
        db.upsert(conn, db.pages, rows, db.natural_key(db.pages))
    got = stored(engine, "r1")
    if engine.dialect.name == "postgresql":  # the same key once NUL is dropped: one row, the last one
        assert len(got) == n and {r["url"]: r["title"] for r in got}["http://x.gov.cn/2.html"] == "NUL 键"
    else:
        assert len(got) == n + 1


@pytest.mark.parametrize("first_key_new", [True, False])
@pytest.mark.parametrize("n", [6, LARGE])
def test_upsert_updates_in_place_and_a_rerun_adds_no_row(engine: Engine, n: int, first_key_new: bool) -> None:
    """Keys already stored, the batch's first one new (a COPY straight into the table fails whole and the batch
    goes through the staging table) or not (straight to the staging table)."""
    old = pages(n)
    with engine.begin() as conn:
        db.upsert(conn, db.pages, old[1:] if first_key_new else old, db.natural_key(db.pages))
    with engine.connect() as conn:
        ids = dict(conn.execute(select(db.pages.c.url, db.pages.c.id)).all())
    new = pages(n, title="改过", cut={"links": 1}, rendered=True, published=None)
    for _ in range(2):
        with engine.begin() as conn:
            db.upsert(conn, db.pages, new, db.natural_key(db.pages))
        assert stored(engine, "r1") == expected(new, engine)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(db.pages)).scalar() == n
        after = dict(conn.execute(select(db.pages.c.url, db.pages.c.id)).all())
    assert {u: after[u] for u in ids} == ids  # updated in place, not deleted and added


@pytest.mark.parametrize("first_key_new", [True, False])
@pytest.mark.parametrize("n", [6, LARGE])
def test_insert_ignore_leaves_existing_rows_and_adds_new_ones(engine: Engine, n: int, first_key_new: bool) -> None:
    old = pages(n)
    kept = old[1::2] if first_key_new else old[::2]
    with engine.begin() as conn:
        db.insert_ignore(conn, db.pages, kept, db.natural_key(db.pages))
    with engine.begin() as conn:
        db.insert_ignore(conn, db.pages, pages(n, title="不该写入"), db.natural_key(db.pages))
    got = {r["url"]: r["title"] for r in stored(engine, "r1")}
    assert len(got) == n
    kept_urls = {r["url"] for r in kept}
    assert all((title == "不该写入") == (url not in kept_urls) for url, title in got.items())


def test_several_large_batches_in_one_transaction(engine: Engine) -> None:
    """Staged batches in one transaction (an import writing chunk after chunk) each start from an empty staging
    table, and a batch with other columns (a default filled in) gets its own."""
    with engine.begin() as conn:
        db.upsert(conn, db.pages, pages(LARGE), db.natural_key(db.pages))
    with engine.begin() as conn:
        db.upsert(conn, db.pages, pages(LARGE, title="一"), db.natural_key(db.pages))
        db.upsert(conn, db.pages, pages(LARGE, title="二"), db.natural_key(db.pages))
        partial = [{k: v for k, v in row.items() if k != "rendered"} for row in pages(LARGE + 5, title="三")]
        db.upsert(conn, db.pages, partial, db.natural_key(db.pages))
    got = {int(r["url"].rsplit("/", 1)[1].split(".")[0]): r for r in stored(engine, "r1")}
    assert len(got) == LARGE + 5 and {r["title"] for r in got.values()} == {"三"}
    # A column the rows lack: kept by rows updated, its default (as SQLAlchemy fills it in) in rows added.
    assert all(r["rendered"] == (i % 2 == 0 and i < LARGE) for i, r in got.items())


def test_links_with_their_defaults(engine: Engine) -> None:
    links = [{"run_id": "r1", "site_code": "5325000001", "source_url": "http://x.gov.cn/", "url": f"http://x/{i}",
              "tag": "a", "anchor": TRICKY[i % len(TRICKY)]} for i in range(LARGE)]
    with engine.begin() as conn:
        db.insert_ignore(conn, db.links, links, db.natural_key(db.links))
        db.insert_ignore(conn, db.links, links, db.natural_key(db.links))
    with engine.connect() as conn:
        got = conn.execute(select(db.links.c.anchor, db.links.c.attachment, db.links.c.hidden)).all()
    assert len(got) == LARGE and {(a, h) for _, a, h in got} == {(False, False)}


@pytest.mark.postgres
def test_copy_errors_are_sqlalchemy_errors(pg_url: str) -> None:
    """What callers catch (the storage pipeline keeps a refused batch on SQLAlchemyError): a row the table refuses,
    and a connection lost under the COPY — invalidated, so the pool does not hand it out again."""
    engine = db.engine_for(pg_url)
    upgrade(engine)
    with pytest.raises(IntegrityError), engine.begin() as conn:  # role NOT NULL; no unique-key fallback for it
        db.upsert(conn, db.pages, pages(LARGE, role=None), db.natural_key(db.pages))
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(db.pages)).scalar() == 0

    def cut_off(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith("COPY"):  # the server goes away just as the COPY starts
            with engine.connect() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": conn.info["pid"]})

    with engine.connect() as conn:
        conn.info["pid"] = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        event.listen(engine, "before_cursor_execute", cut_off)
        with pytest.raises(OperationalError):
            db.upsert(conn, db.pages, pages(LARGE), db.natural_key(db.pages))
        assert conn.invalidated
    engine.dispose()


def test_floats_and_large_batches_of_other_tables(engine: Engine) -> None:
    rows = [{"period": "2021Q1", "as_of": datetime(2021, 3, 31), "target_kind": "website", "target_id": f"s{i}",
             "region_code": "532500", "result": "合格" if i % 3 else "待定", "veto": i % 7 == 0,
             "score": None if i % 3 == 0 else 100 - i / 7, "bonus": i % 4, "reasons": TRICKY[i % len(TRICKY)],
             "evaluated_at": datetime(2021, 4, 1, 9, 30, 0, i)} for i in range(LARGE)]
    seen = statements(engine)
    with engine.begin() as conn:
        db.upsert(conn, db.verdicts, rows, db.natural_key(db.verdicts))
        conn.execute(db.verdicts.insert(), [r | {"period": "oracle"} for r in rows])
    assert any(s.startswith("COPY verdicts") for s in seen) == (engine.dialect.name == "postgresql")
    with engine.connect() as conn:
        got = conn.execute(select(db.verdicts).order_by(db.verdicts.c.target_id)).mappings().all()
    mine = [{k: v for k, v in r.items() if k not in ("id", "period")} for r in got if r["period"] == "2021Q1"]
    oracle = [{k: v for k, v in r.items() if k not in ("id", "period")} for r in got if r["period"] == "oracle"]
    assert mine == oracle and len(mine) == LARGE and mine[1]["score"] == 100 - 1 / 7 and mine[1]["bonus"] == 1


def test_values_not_of_their_columns_type_are_converted_as_before(engine: Engine) -> None:
    """An int for a text column, a datetime with a time zone: binary COPY would refuse them (or misread the zone),
    so such a batch goes by executemany and the server converts them exactly as for SQLAlchemy's INSERT."""
    china = timezone(timedelta(hours=8))
    odd = pages(LARGE, footer_icp=12345, fetched_at=datetime(2021, 3, 1, 8, 0, tzinfo=china))
    seen = statements(engine)
    with engine.begin() as conn:
        db.upsert(conn, db.pages, odd, db.natural_key(db.pages))
        conn.execute(db.pages.insert(), pages(LARGE, run_id="oracle", footer_icp=12345,
                                              fetched_at=datetime(2021, 3, 1, 8, 0, tzinfo=china)))
    assert not [s for s in seen if s.startswith("COPY")]
    assert stored(engine, "r1") == stored(engine, "oracle")
    assert {r["footer_icp"] for r in stored(engine, "r1")} == {"12345"}
