"""合格率 per region and quarter, rolled up county → city → province through the GB/T 2260 codes.

合格率 = 合格数 / (合格数 + 不合格数): over the judged targets only. A 待定 verdict (a target the product could not read
or judge, re-checked later) is counted as checked and shown apart (`pending`), never as 合格 or 不合格; a region with
no judged target has no rate (NaN, printed "—"), never 100 %. 抽查比例 = 检查数 / 在运行数 (running = active targets
of the registry).
Counting is pushed down to the database (one GROUP BY over verdicts joined to the registry) so that only one row
per region × period × target kind × level × kind travels; pandas rolls the counts up the region tree and shapes the
table. `rates_pandas` does the same from raw verdict rows, for comparison (see bench/report_bench.py) and as a check.

Dimensions of a row: `target_kind` website / account; `level` of the target (websites: their registry level;
accounts: the level of their region code) and `kind` (websites: portal / department; accounts: the platform), each
also summed as "all" — the notices report 市级政府门户网站, 县级部门网站… (level × kind) and totals per kind.
An account's key in verdicts is "platform:account".
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import case, func, literal, select, union_all
from sqlalchemy.engine import Connection

from monitor import db
from monitor import regions as gb2260
from monitor.periods import next_quarter, previous_quarter
from monitor.registry import parent_region

KEYS = ["period", "target_kind", "level", "kind", "region_code"]
ALL = "all"
RUN_KEYS = ["target_kind", "level", "kind", "region_code"]
COUNTS = ["checked", "failed", "pending"]


def ancestors(code: str) -> list[str]:
    """The code and every region above it: 532501 → [532501, 532500, 530000]."""
    chain = [code]
    while (parent := parent_region(chain[-1])) is not None:
        chain.append(parent)
    return chain


def region_level(code: str) -> str:
    return "province" if code.endswith("0000") else "city" if code.endswith("00") else "county"


def region_prefix(code: str) -> str:
    """The code prefix every region below it shares: 530000 → 53, 532500 → 5325, 532501 → 532501."""
    return code[:2] if code.endswith("0000") else code[:4] if code.endswith("00") else code


def within(code: str, region: str | None) -> bool:
    """Whether a region code lies in a region (itself included); no region means the whole country."""
    return not region or code.startswith(region_prefix(region))


def _code_level(code):
    """region_level() in SQL (portable: substr exists in SQLite and PostgreSQL)."""
    return case((func.substr(code, 3, 4) == "0000", "province"), (func.substr(code, 5, 2) == "00", "city"),
                else_="county")


def _targets():
    """Websites and accounts as one registry: (target_kind, target_id, level, kind, region_code, active)."""
    w, a = db.websites, db.accounts
    return union_all(
        select(literal("website").label("target_kind"), w.c.site_code.label("target_id"), w.c.level.label("level"),
               w.c.kind.label("kind"), w.c.region_code, w.c.active),
        select(literal("account").label("target_kind"), (a.c.platform + literal(":") + a.c.account).label("target_id"),
               _code_level(a.c.region_code).label("level"), a.c.platform.label("kind"), a.c.region_code, a.c.active),
    ).subquery("targets")


def verdict_counts(conn: Connection, periods: list[str]) -> pd.DataFrame:
    """checked / failed per period × target kind × kind × region, counted by the database."""
    v, t = db.verdicts, _targets()
    failed = func.sum(case((v.c.result == "不合格", 1), else_=0))
    pending = func.sum(case((v.c.result == "待定", 1), else_=0))
    query = (select(v.c.period, v.c.target_kind, t.c.level, t.c.kind, v.c.region_code, func.count().label("checked"),
                    failed.label("failed"), pending.label("pending"))
             .join(t, (t.c.target_kind == v.c.target_kind) & (t.c.target_id == v.c.target_id))
             .where(v.c.period.in_(periods))
             .group_by(v.c.period, v.c.target_kind, t.c.level, t.c.kind, v.c.region_code))
    return pd.DataFrame(conn.execute(query).all(), columns=[*KEYS, *COUNTS])


def verdict_rows(conn: Connection, periods: list[str]) -> pd.DataFrame:
    """One row per verdict (the pandas-only path)."""
    v, t = db.verdicts, _targets()
    query = (select(v.c.period, v.c.target_kind, t.c.level, t.c.kind, v.c.region_code, v.c.result)
             .join(t, (t.c.target_kind == v.c.target_kind) & (t.c.target_id == v.c.target_id))
             .where(v.c.period.in_(periods)))
    return pd.DataFrame(conn.execute(query).all(), columns=[*KEYS, "result"])


def running_counts(conn: Connection) -> pd.DataFrame:
    t = _targets()
    query = (select(t.c.target_kind, t.c.level, t.c.kind, t.c.region_code, func.count().label("running"))
             .where(t.c.active.is_(True)).group_by(t.c.target_kind, t.c.level, t.c.kind, t.c.region_code))
    return pd.DataFrame(conn.execute(query).all(), columns=RUN_KEYS + ["running"])


def region_names(conn: Connection) -> dict[str, str]:
    """Names of every region a report can show: the registry's, else GB/T 2260's (monitor/regions) — for the regions
    the rates roll up to and the accounts' regions, which the registry may not name — so no output shows a bare
    code where a name is known."""
    names = {r.region_code: r.region_name for r in conn.execute(select(db.websites.c.region_code,
                                                                       db.websites.c.region_name))
             if r.region_name}
    names.update({r.code: r.name for r in conn.execute(select(db.regions.c.code, db.regions.c.name)) if r.name})
    codes = set(names) | set(conn.execute(select(db.accounts.c.region_code).distinct()).scalars())
    for code in {up for c in codes if c for up in ancestors(c)} - set(names):
        if known := gb2260.name(code):
            names[code] = known
    return names


def _rollup(df: pd.DataFrame, value_cols: list[str]) -> pd.DataFrame:
    """Counts of each region added to every region above it, per level × kind and summed over either or both
    ("all")."""
    if df.empty:
        return df.assign(region_code=pd.Series(dtype=str))
    # The ancestors of a code are computed once per distinct code, not once per row.
    chains = {code: ancestors(code) for code in df["region_code"].unique()}
    exploded = df.assign(region_code=df["region_code"].map(chains)).explode("region_code")
    keys = [c for c in df.columns if c not in value_cols]
    parts = [exploded.assign(**fixed).groupby(keys, as_index=False)[value_cols].sum()
             for fixed in ({}, {"kind": ALL}, {"level": ALL}, {"level": ALL, "kind": ALL})]
    return pd.concat(parts, ignore_index=True)


def percent(rate: float, decimals: int = 2) -> str:
    """78.57% — the notices print two decimals, or one (78.6%); "—" where there is no rate (nothing judged)."""
    return "—" if pd.isna(rate) else f"{rate * 100:.{decimals}f}%"


def totals(table: pd.DataFrame, target_kind: str = "website") -> pd.DataFrame:
    """The rows of one target kind summed over levels and kinds: one row per region and period."""
    return table[(table["target_kind"] == target_kind) & (table["level"] == ALL) & (table["kind"] == ALL)]


def shape(counts: pd.DataFrame, running: pd.DataFrame, names: dict[str, str], periods: list[str]) -> pd.DataFrame:
    """The rates table: one row per period × target kind × level × kind (portal/department/platform/all) × region."""
    columns = [*KEYS, "region_name", "region_level", "checked", "qualified", "failed", "pending", "judged", "rate",
               "rate_pct", "running", "sampling", "prev_rate", "change"]
    if counts.empty:
        return pd.DataFrame(columns=columns)
    rolled = _rollup(counts.astype({c: "int64" for c in COUNTS}), COUNTS)
    run = _rollup(running, ["running"])
    table = rolled.merge(run, on=RUN_KEYS, how="left")
    table["running"] = table["running"].fillna(0).astype(int)
    table["judged"] = table["checked"] - table["pending"]
    table["qualified"] = table["judged"] - table["failed"]
    table["rate"] = table["qualified"] / table["judged"].where(table["judged"] > 0)
    table["rate_pct"] = table["rate"].map(percent)
    table["sampling"] = (table["checked"] / table["running"].where(table["running"] > 0)).round(4)
    table["region_name"] = table["region_code"].map(lambda c: names.get(c, c))
    table["region_level"] = table["region_code"].map(region_level)
    prev = table[[*KEYS, "rate"]].copy()
    prev["period"] = prev["period"].map(next_quarter)
    table = table.merge(prev.rename(columns={"rate": "prev_rate"}), on=KEYS, how="left")
    table["change"] = table["rate"] - table["prev_rate"]
    table = table[table["period"].isin(periods)]
    return table[columns].sort_values(KEYS).reset_index(drop=True)


def rates(conn: Connection, period: str, with_previous: bool = True) -> pd.DataFrame:
    """Rates for a period (and the quarter before it, for the change), counted by the database."""
    periods = [period, previous_quarter(period)] if with_previous else [period]
    return shape(verdict_counts(conn, periods), running_counts(conn), region_names(conn), [period])


def rates_pandas(conn: Connection, period: str) -> pd.DataFrame:
    """The same table computed in pandas from every verdict row."""
    periods = [period, previous_quarter(period)]
    raw = verdict_rows(conn, periods)
    counts = (raw.assign(failed=(raw["result"] == "不合格").astype(int), pending=(raw["result"] == "待定").astype(int))
              .groupby(KEYS, as_index=False).agg(checked=("result", "size"), failed=("failed", "sum"),
                                                 pending=("pending", "sum")))
    return shape(counts, running_counts(conn), region_names(conn), [period])
