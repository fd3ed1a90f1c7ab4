"""Quarters, the periods the notices report on: names, bounds and the default monitoring point.

A period is written like 2021Q1; `current` and `previous` are read against a given day. A monitoring point
(监测时间点) must lie inside the period it judges; a past period's default monitoring point is its last day, so
re-judging it later never reads evidence gathered after it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta


def quarter_of(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def resolve_period(period: str, today: date) -> str:
    """'2021Q1' as is; 'current' / 'previous' relative to `today`."""
    if period == "current":
        return quarter_of(today)
    if period == "previous":
        return previous_quarter(quarter_of(today))
    if len(period) != 6 or period[4] != "Q" or not period[:4].isdigit() or period[5] not in "1234":
        raise ValueError(f"period {period!r}: expected like 2021Q1, or current / previous")
    return period


def quarter_bounds(period: str) -> tuple[datetime, datetime]:
    """First instant of the quarter and of the next one: 2021Q1 → 2021-01-01, 2021-04-01."""
    year, q = int(period[:4]), int(period[5])
    return datetime(year, 3 * q - 2, 1), datetime(year + (q == 4), (3 * q) % 12 + 1, 1)


def previous_quarter(period: str) -> str:
    year, q = int(period[:4]), int(period[5])
    return f"{year - 1}Q4" if q == 1 else f"{year}Q{q - 1}"


def next_quarter(period: str) -> str:
    year, q = int(period[:4]), int(period[5])
    return f"{year + 1}Q1" if q == 4 else f"{year}Q{q + 1}"


def last_quarters(period: str, n: int) -> list[str]:
    """The n quarters ending with `period`, oldest first."""
    out = [period]
    while len(out) < n:
        out.append(previous_quarter(out[-1]))
    return out[::-1]


def default_monitoring_point(period: str, now: datetime) -> datetime:
    """Now for the running quarter, the last day (00:00) of a past one; a future quarter has none."""
    start, end = quarter_bounds(period)
    if now < start:
        raise ValueError(f"period {period} has not begun: no monitoring point before {start:%Y-%m-%d}")
    return now if now < end else end - timedelta(days=1)


def check_monitoring_point(period: str, as_of: datetime) -> None:
    """A monitoring point outside its period would judge the period with another period's evidence."""
    start, end = quarter_bounds(period)
    if not start <= as_of < end:
        raise ValueError(f"monitoring point {as_of:%Y-%m-%d} lies outside {period} "
                         f"({start:%Y-%m-%d} to {end - timedelta(days=1):%Y-%m-%d})")
