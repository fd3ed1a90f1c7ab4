"""Targets, the unit of work: a website, a new-media account, a website's letters channels and guide lists.

A target has a kind, an identity (网站标识码 for websites and their channels, "<platform>:<account>" for accounts)
and its registry facts (the websites row and, for a website, the columns the registry lists; the accounts row; for
kind "channel", the website's row with its active channels under "channels"). Spiders get their targets from a target source and never query the
registry or touch the schema themselves:

- the database (default): active targets of the registry imported with `govmon import-targets`;
- a registry file (CSV or YAML, validated like an import): `MONITOR_TARGETS=path/to/targets.yaml`, for a crawl that
  judges targets not (yet) in the database — the findings and rows still go to MONITOR_DATABASE_URL;
- a shared queue of target jobs on several machines (scrapy-redis) comes as a further source.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import inspect, select

from monitor import db
from monitor.platforms import account_key


@dataclass(frozen=True)
class Target:
    kind: str  # "website" / "account" / "channel"
    id: str  # 网站标识码 / "<platform label>:<account>"
    facts: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)  # registry row (+ "columns")


class TargetSource(Protocol):
    def targets(self, kind: str, ids: Iterable[str] = ()) -> list[Target]:
        """Active targets of one kind (only those named in `ids`, when given), in a stable order."""
        ...


class TargetSourceError(RuntimeError):
    pass


KINDS = ("website", "account", "channel")


def _pick(rows: list[dict[str, Any]], ids: Iterable[str]) -> list[dict[str, Any]]:
    wanted = {i for i in ids if i}
    return [r for r in rows if not wanted or r["site_code"] in wanted]


def _accounts(rows: list[dict[str, Any]], ids: Iterable[str]) -> list[Target]:
    wanted = {i for i in ids if i}
    out = [Target("account", account_key(r["platform"], r["account"]), r) for r in rows
           if r.get("active", True) is not False]
    return sorted((t for t in out if not wanted or t.id in wanted), key=lambda t: t.id)


def _channels(sites: list[dict[str, Any]], channels: list[dict[str, Any]], ids: Iterable[str]) -> list[Target]:
    """One target per website that has active channels: its channels are read (and judged) together."""
    by_site: dict[str, list[dict[str, Any]]] = {}
    for c in channels:
        if c.get("active", True) is not False:
            by_site.setdefault(c["site_code"], []).append(c)
    return [Target("channel", s["site_code"], {**s, "channels": by_site[s["site_code"]]})
            for s in sorted(_pick(sites, ids), key=lambda s: s["site_code"]) if s["site_code"] in by_site]


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise TargetSourceError(f"no targets of kind {kind!r}; known kinds: {', '.join(KINDS)}")


def _websites(sites: list[dict[str, Any]], columns: list[dict[str, Any]]) -> list[Target]:
    by_site: dict[str, list[dict[str, Any]]] = {}
    for c in columns:
        by_site.setdefault(c["site_code"], []).append(c)
    out = []
    for site in sorted(sites, key=lambda s: s["site_code"]):
        out.append(Target("website", site["site_code"], {**site, "columns": by_site.get(site["site_code"], [])}))
    return out


class DatabaseSource:
    """Active targets of the registry in the database (the schema must exist: `govmon migrate`, or any crawl's
    storage pipeline, creates it)."""

    def __init__(self, url: str) -> None:
        self.url = url

    def targets(self, kind: str, ids: Iterable[str] = ()) -> list[Target]:
        _check_kind(kind)
        engine = db.engine_for(self.url)
        try:
            with engine.connect() as conn:
                if not inspect(conn).has_table("websites"):
                    raise TargetSourceError(f"{db.masked(self.url)} has no registry: run `govmon migrate` and "
                                            "`govmon import-targets FILE`")
                if kind == "account":
                    return _accounts([dict(r._mapping) for r in conn.execute(
                        select(db.accounts).where(db.accounts.c.active.is_(True)))], ids)
                sites = [dict(r._mapping) for r in conn.execute(
                    select(db.websites).where(db.websites.c.active.is_(True)))]
                if kind == "channel":
                    return _channels(sites, [dict(r._mapping) for r in conn.execute(
                        select(db.channels).order_by(db.channels.c.id))], ids)
                columns = [dict(r._mapping) for r in conn.execute(
                    select(db.site_columns).where(db.site_columns.c.source == "registry")
                    .order_by(db.site_columns.c.id))]
        finally:
            engine.dispose()
        return _websites(_pick(sites, ids), columns)


class FileSource:
    """Targets read from registry files (CSV or YAML), validated exactly as an import validates them."""

    def __init__(self, paths: Iterable[str | Path]) -> None:
        self.paths = [Path(p) for p in paths]

    def targets(self, kind: str, ids: Iterable[str] = ()) -> list[Target]:
        from monitor.registry import load_file, validate

        _check_kind(kind)
        sites: list[dict[str, Any]] = []
        accounts: list[dict[str, Any]] = []
        channels: list[dict[str, Any]] = []
        columns: list[dict[str, Any]] = []
        known: set[str] = set()
        for path in self.paths:
            rows, _encoding = load_file(path)
            reg = validate(path, rows, known)
            known |= {w["site_code"] for w in reg.websites}
            sites += [w for w in reg.websites if w.get("active", True) is not False]
            columns += [{**c, "source": "registry"} for c in reg.columns]
            accounts += [{**a, "source": str(path)} for a in reg.accounts]
            channels += [{**c, "source": str(path)} for c in reg.channels]
        if kind == "account":
            return _accounts(accounts, ids)
        if kind == "channel":
            return _channels(sites, channels, ids)
        return _websites(_pick(sites, ids), columns)


def target_source(settings: Any) -> TargetSource:
    """The source named by MONITOR_TARGETS (a registry file, or several separated by ';'), else the database."""
    spec = str(settings.get("MONITOR_TARGETS") or "")
    if spec:
        return FileSource([p for p in spec.split(";") if p.strip()])
    return DatabaseSource(settings.get("MONITOR_DATABASE_URL"))
