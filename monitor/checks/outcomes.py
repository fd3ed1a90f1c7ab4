"""Shared readings of stored facts: which fetch outcomes are evidence of a fault, and date windows."""

from __future__ import annotations

import calendar
from datetime import date

# Outcomes that may be our side's problem (a WAF, a rate limit, a slow network): re-check, never a violation.
UNSURE_STATUS = {401, 403, 407, 408, 429}
UNSURE_OUTCOMES = {"timeout", "connection", "error", "tls", "unparsable"}
BROKEN_OUTCOMES = {"dns", "refused", "redirect_loop"}


def link_state(outcome: str | None, status: int | None) -> str:
    """ok / broken / unsure / unchecked for a link check or a page fetch."""
    if outcome is None:
        return "unchecked"
    if outcome in BROKEN_OUTCOMES:
        return "broken"
    if outcome in UNSURE_OUTCOMES:
        return "unsure"
    if outcome == "http":
        if status in UNSURE_STATUS:
            return "unsure"
        return "broken" if status is not None and status >= 400 else "ok"
    return "ok"  # ok, empty, not_html, too_large: the link leads somewhere


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (clamped to the month's end: 08-31 − 6 months = 02-28)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
