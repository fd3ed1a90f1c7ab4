"""The rule contract: what every indicator module declares, so that the core never names an indicator.

A rule module in monitor/checks/rules/ holds one indicator: a pure `check(facts, indicator, as_of)` and a `RULE`
that declares it —

- code: the indicator's key in the rulebook (its clause, parameters, points and kind live there);
- target_kind: the kind of target it judges: website (SiteFacts, its letters channels and guide lists included) or
  account (AccountFacts);
- scope: CRAWL when one crawl's facts are enough (the checks pipeline runs it when the crawl of a target ends, and
  evaluation runs it again on the period's crawl), WINDOW when it needs observations beyond one website crawl: probes
  over a week, the channels run (letters and guides): only evaluation runs those, also for a site whose website crawl
  is missing;
- needs: the facts it reads (documentation, and a check in tests that the facts exist);
- params: the rulebook parameters it reads (a test checks each exists in the national rulebook);
- deduction: how many points its failing findings cost when the rulebook gives points (default: `points_each` per
  failing item, or the indicator's points for a failing whole-target finding), always capped at the points.

Rules receive typed facts and their own indicator, never settings, rows or the database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from monitor.checks.model import FAIL, Finding
from monitor.checks.rulebook import Indicator

CRAWL, WINDOW = "crawl", "window"
FACT_NAMES = ("site", "homepage", "home_entries", "columns", "pages", "links", "probes", "parent_homepage",  # website
              "channels",  # website: letters channels and guide lists
              "account", "check", "posts", "siblings")  # account (monitor/checks/account_facts.py)


def default_deduction(findings: list[Finding], ind: Indicator) -> float:
    """`points_each` per failing item; without it a failing whole-target finding costs the indicator's points."""
    each = ind.params.get("points_each")
    raw = (each or 0.0) * sum(1 for f in findings if f.outcome == FAIL and not f.site_level)
    if each is None and any(f.outcome == FAIL and f.site_level for f in findings):
        raw = ind.points or 0.0
    return raw


@dataclass(frozen=True)
class Rule:
    code: str
    check: Callable[[Any, Indicator, date], list[Finding]]
    target_kind: str = "website"
    scope: str = CRAWL
    needs: tuple[str, ...] = ()
    params: tuple[str, ...] = ()
    deduction: Callable[[list[Finding], Indicator], float] = default_deduction

    def __post_init__(self) -> None:
        if self.scope not in (CRAWL, WINDOW):
            raise ValueError(f"rule {self.code}: scope must be {CRAWL!r} or {WINDOW!r}, got {self.scope!r}")
        unknown = [n for n in self.needs if n not in FACT_NAMES]
        if unknown:
            raise ValueError(f"rule {self.code}: unknown facts {unknown}; known: {', '.join(FACT_NAMES)}")
