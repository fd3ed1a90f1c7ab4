"""One module per indicator. Each has CODE and `check(facts, book, as_of) -> list[Finding]`, a pure function."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from monitor.checks.facts import SiteFacts
from monitor.checks.model import Finding
from monitor.checks.rulebook import Rulebook
from monitor.checks.rules import (
    broken_links,
    column_blank,
    column_stale,
    commercial_ads,
    domain,
    footer_marks,
    hidden_links,
    homepage_stale,
    ipv6,
    personal_data,
    site_unreachable,
    tls,
    typos,
    zhaocuo_entrance,
)

Rule = Callable[[SiteFacts, Rulebook, date], list[Finding]]
# Rules that judge probes only: the ones that apply to a site that was probed but not crawled.
PROBE_RULES = (site_unreachable.CODE, ipv6.CODE)
RULES: dict[str, Rule] = {m.CODE: m.check for m in (
    site_unreachable, ipv6, homepage_stale, column_stale, column_blank, broken_links, footer_marks, zhaocuo_entrance,
    domain, typos, commercial_ads, personal_data, hidden_links, tls)}
