"""The rulebook: every indicator's parameters as data, national default plus an optional local override.

The national book is rulebooks/national-2019.yaml. The setting MONITOR_RULEBOOK (monitor/settings.py, or the
environment variable of that name; `govmon evaluate --rulebook FILE` wins over both) names a YAML file holding only
the keys a province or city changes; it is deep-merged over the national book, e.g.

    indicators:
      column_stale: {params: {dynamic_days: 10}}
      broken_links: {points: 10, params: {home_points_each: 1, other_points_each: 0.5}}

A book is checked on load and refused with the file and the key path named (``city.yaml: indicators.column_stale.
params.dynamic_days: must not be negative, got -1``) when it has an unknown indicator or key, a value of the wrong
type (a null in the national book stands for a number the national text does not give), a negative window, count
or point value, or misses a required key.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

# Package data through importlib.resources: also readable from a zipped egg, where it has no path on disk.
NATIONAL = files("monitor.checks") / "rulebooks" / "national-2019.yaml"
KINDS = ("veto", "deduction", "bonus", "review")
CONFIDENCE = ("V", "C", "L", "2015", "?")
TOP_KEYS = ("name", "scoring", "indicators")
SCORING_KEYS = ("deduction_total", "fail_below", "bonus_above", "bonus_total")
REQUIRED = ("name", "family", "kind", "reason", "clause", "confidence")
INDICATOR_KEYS = {*REQUIRED, "params", "points"}


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


def _kind(value: Any) -> str:
    if value is None:
        return "number"  # the national book's null: a number the national text does not give
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return {list: "list", dict: "mapping"}.get(type(value), "text")


def _merge(base: dict, override: dict, path: str, source: str) -> dict:
    """`override` deep-merged over `base`; every key of the override must exist in the base (or be a known key of
    an indicator), with a value of the same kind."""
    if not isinstance(override, dict):
        raise RulebookError(f"{source}: {path or 'top level'}: expected a mapping, got {override!r}")
    out = copy.deepcopy(base)
    for key, value in override.items():
        where = f"{path}.{key}" if path else str(key)
        if key not in base:
            if path == "indicators":
                raise RulebookError(f"{source}: {where}: unknown indicator (known: {', '.join(sorted(base))})")
            if not (path.startswith("indicators.") and path.count(".") == 1 and key in INDICATOR_KEYS):
                raise RulebookError(f"{source}: {where}: unknown key")
        old = base.get(key)
        if isinstance(old, dict):
            out[key] = _merge(old, value, where, source)
            continue
        if value is not None and key in base and _kind(old) != _kind(value):
            raise RulebookError(f"{source}: {where}: expected a {_kind(old)}, got {value!r}")
        out[key] = value
    return out


def _check_number(value: Any, where: str, source: str, allow_none: bool = True) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RulebookError(f"{source}: {where}: expected a number, got {value!r}")
    if value < 0:
        raise RulebookError(f"{source}: {where}: must not be negative, got {value!r}")


def _check_param(value: Any, where: str, source: str) -> None:
    if isinstance(value, str):
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item:
                raise RulebookError(f"{source}: {where}[{i}]: expected a non-empty text, got {item!r}")
        return
    _check_number(value, where, source)


def _validate(data: dict, source: str) -> Rulebook:
    if not isinstance(data, dict) or not isinstance(data.get("indicators"), dict):
        raise RulebookError(f"{source}: indicators: missing (a rulebook needs a mapping 'indicators')")
    for key in data:
        if key not in TOP_KEYS:
            raise RulebookError(f"{source}: {key}: unknown key")
    scoring = data.get("scoring")
    if not isinstance(scoring, dict):
        raise RulebookError(f"{source}: scoring: missing")
    for key in SCORING_KEYS:
        if key not in scoring:
            raise RulebookError(f"{source}: scoring.{key}: missing")
        _check_number(scoring[key], f"scoring.{key}", source, allow_none=False)
    for key in scoring:
        if key not in SCORING_KEYS:
            raise RulebookError(f"{source}: scoring.{key}: unknown key")
    indicators = {}
    for code, raw in data["indicators"].items():
        where = f"indicators.{code}"
        if not isinstance(raw, dict):
            raise RulebookError(f"{source}: {where}: expected a mapping")
        unknown = set(raw) - INDICATOR_KEYS
        if unknown:
            raise RulebookError(f"{source}: {where}.{sorted(unknown)[0]}: unknown key")
        for key in REQUIRED:
            if raw.get(key) in (None, ""):
                raise RulebookError(f"{source}: {where}.{key}: missing")
            if not isinstance(raw[key], str):
                raise RulebookError(f"{source}: {where}.{key}: expected a text, got {raw[key]!r}")
        if raw["kind"] not in KINDS:
            raise RulebookError(f"{source}: {where}.kind: {raw['kind']!r} is not one of {', '.join(KINDS)}")
        if raw["confidence"] not in CONFIDENCE:
            raise RulebookError(f"{source}: {where}.confidence: {raw['confidence']!r} is not one of "
                                f"{', '.join(CONFIDENCE)}")
        params = raw.get("params") or {}
        if not isinstance(params, dict):
            raise RulebookError(f"{source}: {where}.params: expected a mapping")
        for name, value in params.items():
            _check_param(value, f"{where}.params.{name}", source)
        _check_number(raw.get("points"), f"{where}.points", source)
        indicators[code] = Indicator(code=code, name=raw["name"], family=raw["family"], kind=raw["kind"],
                                     reason=raw["reason"], clause=raw["clause"], confidence=raw["confidence"],
                                     params=params, points=raw.get("points"))
    return Rulebook(name=str(data.get("name") or source), scoring=scoring, indicators=indicators, sources=(source,))


def _read(path: Path | Traversable) -> dict:
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
    """The national book, with the override file merged over it: `override` if given, else MONITOR_RULEBOOK
    (an empty string: the national book alone)."""
    if override is None:
        from monitor.config import setting

        override = setting("MONITOR_RULEBOOK", "") or None
    data = _user_holidays(_user_typos(_read(NATIONAL)))
    book = _validate(data, str(NATIONAL))
    if not override:
        return book
    merged = _merge(data, _read(Path(override)), "", str(override))
    book = _validate(merged, str(override))
    return Rulebook(book.name, book.scoring, book.indicators, (str(NATIONAL), str(override)))


def _user_holidays(data: dict) -> dict:
    """The office's holiday tables (MONITOR_HOLIDAYS) become letter_timeliness's `holiday_files`, for the same reason."""
    from monitor.config import setting

    files = [f.strip() for f in str(setting("MONITOR_HOLIDAYS", "") or "").split(";") if f.strip()]
    if files:
        data["indicators"]["letter_timeliness"].setdefault("params", {})["holiday_files"] = files
    return data


def _user_typos(data: dict) -> dict:
    """The office's own typo list (MONITOR_TYPO_LIST) becomes the typos rule's `user_list` parameter, so the rule
    reads its parameters only, never settings."""
    from monitor.config import setting

    extra = str(setting("MONITOR_TYPO_LIST", "") or "")
    if extra:
        data["indicators"]["typos"].setdefault("params", {})["user_list"] = extra
    return data
