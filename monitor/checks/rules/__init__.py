"""The rule registry: every module of this package that declares a `RULE` (see monitor/checks/rule.py).

Adding an indicator means adding a module here, its entry in the rulebook and its tests; nothing in the core
names an indicator. Modules are found by name, in alphabetical order, so the order of findings is stable.
"""

from __future__ import annotations

import importlib
import pkgutil

from monitor.checks.rule import CRAWL, WINDOW, Rule


def _discover() -> dict[str, Rule]:
    found: dict[str, Rule] = {}
    for module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
        rule = getattr(importlib.import_module(f"{__name__}.{module}"), "RULE", None)
        if isinstance(rule, Rule):
            if rule.code in found:
                raise ValueError(f"indicator {rule.code} declared twice (monitor/checks/rules/{module}.py)")
            found[rule.code] = rule
    return found


RULES: dict[str, Rule] = _discover()


def rules_for(target_kind: str, scope: str | None = None) -> list[Rule]:
    """The rules judging one kind of target; only those of one scope (CRAWL or WINDOW) when given."""
    return [r for r in RULES.values() if r.target_kind == target_kind and scope in (None, r.scope)]


__all__ = ["CRAWL", "RULES", "WINDOW", "Rule", "rules_for"]
