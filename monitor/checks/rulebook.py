"""The rulebook: every indicator's parameters as data, national default plus an optional local override.

MONITOR_RULEBOOK (setting or environment) names a YAML file holding only the keys a province or city changes, e.g.

    indicators:
      column_stale: {params: {dynamic_days: 10}}
      broken_links: {points: 10, params: {home_points_each: 1, other_points_each: 0.5}}

A book is checked on load: unknown indicators or keys, values of the wrong type and negative windows or counts
are refused with the file and the key path named.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

NATIONAL = Path(__file__).with_name("rulebooks") / "national-2019.yaml"
KINDS = ("veto", "deduction", "bonus", "review")
INDICATOR_KEYS = {"name", "family", "kind", "reason", "clause", "confidence", "params", "points"}


class RulebookError(ValueError):
    pass


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    family: str
    kind: str
    reason: str
    clause: str
    confidence: str
    params: dict[str, Any] = field(default_factory=dict)
    points: float | None = None  # the indicator's share of the 100 deduction points; None = unknown

    def param(self, name: str) -> Any:
        return self.params[name]


@dataclass(frozen=True)
class Rulebook:
    name: str
    scoring: dict[str, float]
    indicators: dict[str, Indicator]
    sources: tuple[str, ...]

    def __getitem__(self, code: str) -> Indicator:
        return self.indicators[code]


def _merge(base: dict, override: dict, path: str, source: str) -> dict:
    out = copy.deepcopy(base)
    for key, value in override.items():
        where = f"{path}.{key}" if path else str(key)
        if key not in base and path not in ("", "indicators") and not path.endswith(".params"):
            raise RulebookError(f"{source}: {where}: unknown key")
        if path == "indicators" and key not in base:
            raise RulebookError(f"{source}: {where}: unknown indicator (known: {', '.join(sorted(base))})")
        old = base.get(key)
        if isinstance(value, dict) and isinstance(old, dict):
            out[key] = _merge(old, value, where, source)
            continue
        if old is not None and value is not None and _kind(old) != _kind(value):
            raise RulebookError(f"{source}: {where}: expected a {_kind(old)}, got {value!r}")
        out[key] = value
    return out


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return {list: "list", dict: "mapping"}.get(type(value), "text")


def _check_number(value: Any, where: str, source: str, allow_none: bool = True) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RulebookError(f"{source}: {where}: expected a number, got {value!r}")
    if value < 0:
        raise RulebookError(f"{source}: {where}: must not be negative, got {value!r}")


def _validate(data: dict, source: str) -> Rulebook:
    if not isinstance(data, dict) or not isinstance(data.get("indicators"), dict):
        raise RulebookError(f"{source}: a rulebook needs a mapping 'indicators'")
    scoring = data.get("scoring") or {}
    for key in ("deduction_total", "fail_below", "bonus_above", "bonus_total"):
        if key not in scoring:
            raise RulebookError(f"{source}: scoring.{key}: missing")
        _check_number(scoring[key], f"scoring.{key}", source, allow_none=False)
    indicators = {}
    for code, raw in data["indicators"].items():
        where = f"indicators.{code}"
        if not isinstance(raw, dict):
            raise RulebookError(f"{source}: {where}: expected a mapping")
        unknown = set(raw) - INDICATOR_KEYS
        if unknown:
            raise RulebookError(f"{source}: {where}.{sorted(unknown)[0]}: unknown key")
        for key in ("name", "kind", "reason"):
            if not raw.get(key):
                raise RulebookError(f"{source}: {where}.{key}: missing")
        if raw["kind"] not in KINDS:
            raise RulebookError(f"{source}: {where}.kind: {raw['kind']!r} is not one of {KINDS}")
        params = raw.get("params") or {}
        if not isinstance(params, dict):
            raise RulebookError(f"{source}: {where}.params: expected a mapping")
        for name, value in params.items():
            if not isinstance(value, list | str):
                _check_number(value, f"{where}.params.{name}", source)
        _check_number(raw.get("points"), f"{where}.points", source)
        indicators[code] = Indicator(code=code, name=raw["name"], family=raw.get("family", ""), kind=raw["kind"],
                                     reason=raw["reason"], clause=raw.get("clause", ""),
                                     confidence=str(raw.get("confidence", "?")), params=params,
                                     points=raw.get("points"))
    return Rulebook(name=data.get("name", source), scoring=scoring, indicators=indicators, sources=(source,))


def _read(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RulebookError(f"{path}: no such rulebook") from None
    except yaml.YAMLError as exc:
        raise RulebookError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise RulebookError(f"{path}: a rulebook must be a mapping")
    return data


def load_rulebook(override: str | Path | None = None) -> Rulebook:
    """The national book, with the override file (if any) merged over it."""
    if override is None:
        from monitor.config import setting

        override = setting("MONITOR_RULEBOOK", "") or None
    data = _read(NATIONAL)
    book = _validate(data, str(NATIONAL))
    if not override:
        return book
    merged = _merge(data, _read(Path(override)), "", str(override))
    book = _validate(merged, str(override))
    return Rulebook(book.name, book.scoring, book.indicators, (str(NATIONAL), str(override)))
