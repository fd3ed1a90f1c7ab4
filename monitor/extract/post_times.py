"""Post times on the new-media platforms: relative words, year-less dates, Weibo's English form, Unix stamps.

Every time comes out as a naive China-time (UTC+8) datetime with the form it was read from (`time_source`):
"relative" (刚刚, 3分钟前, 昨天 10:00, 3天前, 2周前, year-less 03-02 — resolved against the fetch time handed in, never
now() and never a time the page claims for itself), "absolute" (2021-03-02 10:21, 2021年3月2日, 21-3-2 17:07, Weibo's
`Tue Mar 02 10:21:00 +0800 2021`), or whatever the caller names for values that are not relative (an API's
Unix stamp is "api", an article script's `var ct` is "script"). Unreadable text gives (None, "unknown").

Year-less dates (03-02, 3月2日) take the fetch year, or the year before when they would lie more than a day after
the fetch. A day word without a clock (昨天) gives that day's 00:00. Times after the fetch are kept as read (the
rules ignore them; see `suspicious`), never moved.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone

CHINA = timezone(timedelta(hours=8))
# A time this far after the fetch cannot be a real post time (clock skew stays well under it).
FUTURE_SLACK = timedelta(days=1)
# Unix values above this are milliseconds (1e11 seconds is the year 5138).
MS_THRESHOLD = 100_000_000_000
FIRST_YEAR = 1990

_NOISE_PREFIX = re.compile(r"^(?:发布于|发布时间|发表于|更新于|时间)\s*[:：]?\s*")
_NOISE_SUFFIX = re.compile(r"\s*(?:发布|发表|更新|编辑)$")
_CLOCK = r"(\d{1,2})\s*[:：]\s*(\d{2})(?:\s*:\s*(\d{2}))?"

JUST_NOW = re.compile(r"^刚刚$")
AGO = re.compile(r"^(\d+)\s*(秒钟?|分钟|分|个?小时|天|个?星期|周)\s*(?:以)?前$")
DAY_WORD = re.compile(rf"^(今天|昨天|前天)(?:\s*{_CLOCK})?$")
YEARLESS = re.compile(rf"^(\d{{1,2}})\s*(?:-|/|月)\s*(\d{{1,2}})\s*日?(?:\s*{_CLOCK})?$")
SHORT_YEAR = re.compile(rf"^(\d{{2}})-(\d{{1,2}})-(\d{{1,2}})(?:\s+{_CLOCK})?$")
FULL = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:(?:\s*|T)(\d{1,2})\s*[:时]\s*(\d{2})\s*分?(?:\s*:\s*(\d{2})(?:\.\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$")
# Weibo: "Tue Mar 02 10:21:00 +0800 2021" (read by hand: strptime's %a/%b follow the process locale).
WEIBO = re.compile(r"^(?i:mon|tue|wed|thu|fri|sat|sun)\s+([A-Za-z]{3})\s+(\d{1,2})\s+"
                   r"(\d{1,2}):(\d{2}):(\d{2})\s+([+-]\d{4})\s+(\d{4})$")
MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
UNIX = re.compile(r"^\d{9,13}(?:\.\d+)?$")
AGO_UNITS = {"秒": "seconds", "分": "minutes", "小": "hours", "天": "days", "周": "weeks", "星": "weeks"}


def _plausible(value: datetime, fetched_at: datetime | None) -> datetime | None:
    """value when its year can be a post's (1990 … the year after the fetch), else None."""
    last = (fetched_at.year if fetched_at else 2100) + 1
    return value if FIRST_YEAR <= value.year <= last else None


def _china(value: datetime) -> datetime:
    """An aware datetime as naive China time; a naive one is taken as China time already."""
    return value.astimezone(CHINA).replace(tzinfo=None) if value.tzinfo else value


def from_unix(value: object, fetched_at: datetime | None = None) -> datetime | None:
    """A Unix time in seconds or milliseconds (int, float or digit string) as naive China time; None for anything
    else, for 0 and for stamps outside 1990 … the year after the fetch."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        if not UNIX.match(value):
            return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if number <= 0:
        return None
    if number >= MS_THRESHOLD:
        number /= 1000
    try:
        moment = datetime.fromtimestamp(number, CHINA).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        return None
    return _plausible(moment, fetched_at)


def suspicious(value: datetime | None, fetched_at: datetime) -> bool:
    """A time more than a day after the fetch: kept as read, but no rule should count it as an update."""
    return value is not None and value > fetched_at + FUTURE_SLACK


def _normalise(text: str) -> str:
    # NFKC folds full-width digits, colons and spaces (２０２１－０３－０２, 10：21) into ASCII.
    text = unicodedata.normalize("NFKC", text).replace("\u3000", " ")
    text = " ".join(text.split())
    text = _NOISE_PREFIX.sub("", text)
    return _NOISE_SUFFIX.sub("", text).strip()


def _at(day: date, hour: str | None, minute: str | None, second: str | None = None) -> datetime | None:
    try:
        return datetime(day.year, day.month, day.day, int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        return None


def _make(y: int, m: int, d: int, hour: str | None, minute: str | None, second: str | None = None) -> datetime | None:
    try:
        day = date(y, m, d)
    except ValueError:
        return None
    return _at(day, hour, minute, second)


def _yearless(m: int, d: int, hour: str | None, minute: str | None, fetched_at: datetime) -> datetime | None:
    for year in (fetched_at.year, fetched_at.year - 1):
        value = _make(year, m, d, hour, minute)
        if value is not None and value <= fetched_at + FUTURE_SLACK:
            return value
    return None


def _zone(offset: str) -> timezone:
    """Z, +0800 or +08:00 as a time zone."""
    if offset == "Z":
        return UTC
    digits = offset[1:].replace(":", "")
    return timezone((-1 if offset[0] == "-" else 1) * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _relative(text: str, fetched_at: datetime) -> datetime | None:
    if JUST_NOW.match(text):
        return fetched_at
    m = AGO.match(text)
    if m:
        return fetched_at - timedelta(**{AGO_UNITS[m.group(2).lstrip("个")[0]]: int(m.group(1))})
    m = DAY_WORD.match(text)
    if m:
        day = fetched_at.date() - timedelta(days=("今天", "昨天", "前天").index(m.group(1)))
        return _at(day, m.group(2), m.group(3), m.group(4))
    m = YEARLESS.match(text)
    if m:
        return _yearless(int(m.group(1)), int(m.group(2)), m.group(3), m.group(4), fetched_at)
    return None


def _absolute(text: str, fetched_at: datetime) -> datetime | None:
    m = FULL.match(text)
    if m:
        value = _make(int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(4), m.group(5), m.group(6))
        return _china(value.replace(tzinfo=_zone(m.group(7)))) if value is not None and m.group(7) else value
    m = WEIBO.match(text)
    if m and m.group(1).lower() in MONTHS:
        value = _make(int(m.group(7)), MONTHS[m.group(1).lower()], int(m.group(2)), m.group(3), m.group(4), m.group(5))
        return _china(value.replace(tzinfo=_zone(m.group(6)))) if value else None
    m = SHORT_YEAR.match(text)
    if m:
        return _make(2000 + int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(4), m.group(5), m.group(6))
    return None


def parse_post_time(value: object, fetched_at: datetime, *, source: str | None = None) -> tuple[datetime | None, str]:
    """(time, time_source) of a post time as a platform shows it.

    `value`: text (any form in the module docstring), a Unix number (seconds or milliseconds) or a datetime.
    `fetched_at`: when the page was fetched (naive China time); relative forms resolve against it.
    `source`: the time_source to report for non-relative forms (default "absolute" for text, "api" for Unix
    values). Relative forms are always "relative"; unreadable values give (None, "unknown").
    """
    if value is None or isinstance(value, bool):
        return None, "unknown"
    if isinstance(value, datetime):
        return _plausible(_china(value), fetched_at), source or "absolute"
    if isinstance(value, int | float):
        moment = from_unix(value, fetched_at)
        return (moment, source or "api") if moment else (None, "unknown")
    text = _normalise(str(value))
    if not text:
        return None, "unknown"
    if UNIX.match(text):
        moment = from_unix(text, fetched_at)
        return (moment, source or "api") if moment else (None, "unknown")
    moment = _relative(text, fetched_at)
    if moment is not None:
        return moment, "relative"
    moment = _absolute(text, fetched_at)
    if moment is not None and _plausible(moment, fetched_at):
        return moment, source or "absolute"
    return None, "unknown"
