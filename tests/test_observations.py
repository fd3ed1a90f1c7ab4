"""One typed model per observation: each class of monitor/items.py against its table in monitor/db.py and in the
database the migrations build (same facts, compatible types, same nullability, the natural key), the dataclasses
rules read against the tables they come from, and a stored crawl read back by `load_site_facts` as those classes.

A fact added to a class and not to its table (or to a table and not to its class) fails here.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar, Union

import pytest
from sqlalchemy import JSON, Table, inspect

from monitor import db
from monitor.checks.facts import ColumnFacts, LinkFacts, SiteFacts, load_site_facts
from monitor.items import (
    OBSERVATIONS,
    Account,
    Channel,
    ColumnItem,
    LinkCheckItem,
    LinkItem,
    ListEntryItem,
    Observation,
    PageItem,
    ProbeItem,
    Website,
)
from monitor.migrate import upgrade

SURROGATE = "id"
MODELS: tuple[type[Observation], ...] = (*OBSERVATIONS, Website, Account, Channel)


def field_type(cls: type, name: str) -> tuple[type, bool]:
    """(python type, optional) of a dataclass field: `int | None` → (int, True); `list[X]` → (list, False)."""
    hint = typing.get_type_hints(cls)[name]
    args = typing.get_args(hint)
    if typing.get_origin(hint) in (Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        assert len(rest) == 1, f"{cls.__name__}.{name}: one type or None, got {hint}"
        return typing.get_origin(rest[0]) or rest[0], True
    return typing.get_origin(hint) or hint, False


def column_problems(cls: type, table: Table, names: list[str], joined: frozenset[str] = frozenset()) -> list[str]:
    """What differs between the fields `names` of a dataclass and the columns of the same names: a missing column, a
    type that would not round-trip, a nullability that differs (`joined` fields come from an outer join: a non-null
    column may arrive as None)."""
    problems = []
    for name in names:
        if name not in table.c:
            problems.append(f"{cls.__name__}.{name}: no column {table.name}.{name}")
            continue
        col = table.c[name]
        base, optional = field_type(cls, name)
        json_ok = isinstance(col.type, JSON) and base in (dict, list)  # JSON's python_type is `object`
        if base is not col.type.python_type and not json_ok:
            problems.append(f"{cls.__name__}.{name}: {base.__name__} but {table.name}.{name} holds "
                            f"{col.type.python_type.__name__}")
        nullable = bool(col.nullable) and not col.primary_key
        if optional != nullable and not (optional and name in joined):
            problems.append(f"{cls.__name__}.{name}: {'Optional' if optional else 'required'} but "
                            f"{table.name}.{name} is {'nullable' if nullable else 'NOT NULL'}")
    return problems


def model_problems(cls: type[Observation]) -> list[str]:
    """Everything that differs between an observation class and its table, natural key included."""
    table = db.metadata.tables[cls.table]
    fields = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    problems = column_problems(cls, table, fields)
    problems += [f"{cls.__name__}: column {table.name}.{c.name} is no field" for c in table.columns
                 if c.name != SURROGATE and c.name not in fields]
    if tuple(db.natural_key(table)) != cls.key:
        problems.append(f"{cls.__name__}.key {cls.key} but {table.name}'s natural key is {db.natural_key(table)}")
    problems += [f"{cls.__name__}.key: {k} may be None" for k in cls.key if k in fields and field_type(cls, k)[1]]
    return problems


@pytest.mark.parametrize("cls", MODELS, ids=lambda c: c.__name__)
def test_each_observation_matches_its_table(cls: type[Observation]) -> None:
    assert model_problems(cls) == []


def test_every_table_of_observed_facts_has_its_model() -> None:
    assert {c.table for c in OBSERVATIONS} == {"pages", "list_entries", "links", "link_checks", "site_columns",
                                               "probes", "account_checks", "account_posts", "channel_checks",
                                               "letters", "guides"}
    assert len({c.table for c in MODELS}) == len(MODELS)


def test_a_fact_added_in_one_place_only_is_caught() -> None:
    """The checker itself can fail: a new fact without its column, a column without its fact, a wrong type, a wrong
    nullability and a wrong key are each reported."""

    @dataclass
    class Drifted(Observation):
        table: ClassVar[str] = "probes"
        key: ClassVar[tuple[str, ...]] = ("round_id", "site_code")
        round_id: str
        site_code: str
        family: str
        url: str
        probed_at: date  # the column is a DateTime
        outcome: str | None  # the column is NOT NULL
        status: int | None = None
        latency_ms: int | None = None
        address: str | None = None
        # error: the column exists, the fact is gone
        dns_ms: int | None = None  # a new fact, no column yet

    assert sorted(model_problems(Drifted)) == sorted([
        "Drifted.probed_at: date but probes.probed_at holds datetime",
        "Drifted.outcome: Optional but probes.outcome is NOT NULL",
        "Drifted.dns_ms: no column probes.dns_ms",
        "Drifted: column probes.error is no field",
        "Drifted.key ('round_id', 'site_code') but probes's natural key is ['round_id', 'site_code', 'family']"])


@pytest.mark.parametrize("cls", MODELS, ids=lambda c: c.__name__)
def test_the_migrated_database_has_the_same_columns_and_nullability(cls: type[Observation], db_url: str) -> None:
    """The schema the Alembic migrations build (not only db.metadata) holds exactly each model's facts."""
    engine = db.engine_for(db_url)
    upgrade(engine)
    try:
        with engine.connect() as conn:
            found = {c["name"]: c for c in inspect(conn).get_columns(cls.table)}
            uniques = [tuple(u["column_names"]) for u in inspect(conn).get_unique_constraints(cls.table)]
            pk = tuple(inspect(conn).get_pk_constraint(cls.table)["constrained_columns"])
    finally:
        engine.dispose()
    fields = {f.name: field_type(cls, f.name)[1] for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    assert set(found) - {SURROGATE} == set(fields)
    assert {n: bool(found[n]["nullable"]) and (n,) != pk for n in fields} == fields
    assert cls.key in uniques or cls.key == pk


def test_rule_facts_are_typed_observations_never_rows() -> None:
    hints = typing.get_type_hints(SiteFacts)
    assert hints["site"] is Website
    assert hints["homepage"] == PageItem | None and hints["pages"] == list[PageItem]
    assert hints["home_entries"] == list[ListEntryItem] and hints["probes"] == list[ProbeItem]
    assert hints["columns"] == list[ColumnFacts] and hints["links"] == list[LinkFacts]
    column_hints = typing.get_type_hints(ColumnFacts)
    assert column_hints["page"] == PageItem | None and column_hints["entries"] == list[ListEntryItem]
    for cls in (SiteFacts, ColumnFacts, LinkFacts):
        assert not [n for n, h in typing.get_type_hints(cls).items() if "dict" in str(h) or h is Any], cls


def test_the_dataclasses_rules_read_match_the_tables_they_come_from() -> None:
    column_fields = [f.name for f in dataclasses.fields(ColumnFacts) if f.name not in ("page", "entries")]
    assert column_problems(ColumnFacts, db.site_columns, column_fields) == []
    assert set(column_fields) <= {f.name for f in dataclasses.fields(ColumnItem)}  # the registry's or discovered
    link_fields = [f.name for f in dataclasses.fields(LinkFacts)]
    checked = ["outcome", "status", "error"]  # from the link's check, outer-joined: None when not checked
    assert column_problems(LinkFacts, db.links, [n for n in link_fields if n not in checked]) == []
    assert column_problems(LinkFacts, db.link_checks, checked, joined=frozenset(checked)) == []
    item_fields = {f.name for f in dataclasses.fields(LinkItem)} | {f.name for f in dataclasses.fields(LinkCheckItem)}
    assert set(link_fields) <= item_fields


# ---------------------------------------------------------------- stored and read back

AT = datetime(2021, 3, 3, 9, 30)
SITE = Website(site_code="5325000001", name="红河州人民政府", homepage="http://www.hh.gov.cn/", region_code="532500",
               region_name="红河哈尼族彝族自治州", level="city", kind="portal", sponsor="红河州人民政府办公室",
               source="websites.csv")
DEPT = Website(site_code="5325000002", name="红河州教育局", homepage="http://jyj.hh.gov.cn/", region_code="532500",
               region_name="红河哈尼族彝族自治州", level="city", kind="department", parent_site_code="5325000001")
HOME = SITE.homepage
COLUMN = HOME + "gzdt/"


def stored_crawl() -> list[Observation]:
    """One of each observation a crawl and a probe round emit, every optional fact set."""
    return [
        SITE, DEPT,
        PageItem("r1", SITE.site_code, HOME, "home", None, AT, "ok", 200, HOME, None, 120, "utf-8", True, "红河州",
                 None, None, 12, "5325000001", "滇ICP备05000002号", "滇公网安备53250002000001号", True, True,
                 "红河州人民政府办公室", "首页正文"),
        PageItem("r1", SITE.site_code, COLUMN, "column", COLUMN, AT, "ok", 200, entry_count=1),
        PageItem("r1", SITE.site_code, HOME + "art/1.html", "article", COLUMN, AT, "tls", error="wrong version",
                 published=date(2021, 3, 1), published_text="2021-03-01"),
        ListEntryItem("r1", SITE.site_code, HOME, HOME, 0, "要闻", HOME + "art/1.html", date(2021, 3, 1), "03-01"),
        ListEntryItem("r1", SITE.site_code, COLUMN, COLUMN, 0, "动态", HOME + "art/1.html", date(2021, 2, 1), None),
        ColumnItem(SITE.site_code, COLUMN, "工作动态", "dynamic", 2, "registry", "首页>工作动态", "办公室", "li", "span"),
        LinkItem("r1", SITE.site_code, HOME, HOME + "gone.html", "a", "失效", False, False, True, False),
        LinkItem("r1", SITE.site_code, COLUMN, "http://www.bet365-vip.com/", "a", None, False, True, False, True),
        LinkCheckItem("r1", HOME + "gone.html", AT, "HEAD", "http", 404, None, None, 30),
        ProbeItem("p1", SITE.site_code, "any", HOME, datetime(2021, 3, 2, 8), "ok", 200, 350, None, None),
        ProbeItem("p1", SITE.site_code, "ipv6", HOME, datetime(2021, 3, 2, 8), "no_aaaa", None, None, "[::1]:80",
                  "no AAAA record"),
    ]


def store(engine, items: list[Observation]) -> None:
    """As the storage pipeline writes items: every field into the column of the same name, upserted on the key."""
    with engine.begin() as conn:
        for item in items:
            table = db.metadata.tables[item.table]
            row = {f.name: getattr(item, f.name) for f in dataclasses.fields(item)}  # type: ignore[arg-type]
            db.upsert(conn, table, [row], item.key)


def test_stored_observations_are_read_back_as_the_same_typed_facts(db_url: str) -> None:
    engine = db.engine_for(db_url)
    upgrade(engine)
    items = stored_crawl()
    store(engine, items)
    try:
        with engine.connect() as conn:
            facts = load_site_facts(conn, SITE.site_code, "r1", datetime(2021, 3, 3))
            dept = load_site_facts(conn, DEPT.site_code, None, datetime(2021, 3, 3))
    finally:
        engine.dispose()
    pages = [i for i in items if isinstance(i, PageItem)]
    entries = [i for i in items if isinstance(i, ListEntryItem)]
    assert facts.site == SITE and facts.code == SITE.site_code
    assert facts.homepage == pages[0] and sorted(facts.pages, key=lambda p: p.url) == sorted(pages, key=lambda p: p.url)
    assert facts.home_entries == [entries[0]]
    assert sorted(facts.probes, key=lambda p: p.family) == [i for i in items if isinstance(i, ProbeItem)]
    (column,) = facts.columns
    assert (column.url, column.name, column.category, column.level, column.unit, column.path) == (
        COLUMN, "工作动态", "dynamic", 2, "办公室", "首页>工作动态")
    assert column.page == pages[1] and column.entries == [entries[1]] and column.newest == date(2021, 2, 1)
    links = {lk.url: lk for lk in facts.links}
    assert links[HOME + "gone.html"] == LinkFacts(HOME + "gone.html", HOME, "失效", "a", True, False, False, "http",
                                                  404, None)
    assert links["http://www.bet365-vip.com/"].outcome is None  # not checked: None, never a guessed outcome
    assert (dept.site, dept.parent_homepage, dept.homepage, dept.pages) == (DEPT, HOME, None, [])
    typed = [facts.site, facts.homepage, *facts.pages, *facts.home_entries, *facts.probes, *column.entries]
    assert not [x for x in typed if isinstance(x, dict)]


def test_a_registry_record_from_another_target_source_becomes_a_website() -> None:
    """A crawl that took its targets from a registry file hands load_site_facts that file's row (with its columns and
    an unset status): the rules still receive a Website."""
    row = {**dataclasses.asdict(DEPT), "active": None, "columns": [{"url": COLUMN}], "_line": 3}
    assert Website.from_row(row) == DEPT
    assert Website.from_row({**row, "region_name": None}).region_name == ""
    with pytest.raises(TypeError):
        Website.from_row({"site_code": "5325000003"})  # a record without its required facts is refused
