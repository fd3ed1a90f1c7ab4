"""Chinese working days for the letters (互动交流) deadlines: reply within N working days, none unanswered > 3 months.

Working days come from the chinesecalendar library (statutory holidays and make-up working days, 调休), which knows
the years the State Council has published. A year it does not know is never guessed as Monday–Friday: `is_workday`
answers None, `deadline` and `workdays_between` answer None when their span reaches such a year, and `warnings`
lists the refused years for the caller to print loudly and mark the results 待定. Users supply a year the library
does not know yet (or correct one it does) in a holiday file, named by the setting MONITOR_HOLIDAYS (paths separated
by ';'; `calendar_from_setting`).

Holiday file formats (UTF-8). A year given in a file replaces the library's table for that year entirely.

YAML — one year, or a list of them::

    year: 2027
    holidays:            # every statutory day off of the year (weekend days inside a holiday may be listed too)
      - 2027-01-01
      - 2027-02-06..2027-02-12   # an inclusive range
    workdays:            # 调休: the Saturdays and Sundays that are working days
      - 2027-02-14

CSV — one row per date, header ``year,date,kind``; kind is ``holiday`` (or 休, 假) or ``workday`` (or 班)::

    year,date,kind
    2027,2027-01-01,holiday
    2027,2027-02-14,workday

A malformed file is refused whole (HolidayFileError) naming the file, the line or key and the value: a date outside
its year, a 调休 day that is not a Saturday or Sunday, a date both off and working, a year without holidays, a year
given twice.

Deadline convention (`deadline`): the national indicators (政府网站与政务新媒体检查指标, 国办秘函〔2019〕19号) and the
notices state reply limits as "N个工作日内答复" (蓬江区: 5个工作日内, 简单常见问题1个工作日内; 红河州: 3). As for any
period counted in days (民法典 第二百零一条: 开始的当日不计入), the day a letter is received does not count, whatever
the hour: the first working day AFTER the receipt day is day 1, and the letter is in time when answered by the end
(23:59:59.999999) of the N-th working day. `workdays_between(received, answered)` counts the same way, so
``answered <= deadline(received, n)`` exactly when ``workdays_between(received, answered) <= n``.
"More than 3 months" (超过3个月未回应) is calendar months: `add_months` (2020-11-30 + 3 months = 2021-02-28).
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

try:
    import chinese_calendar
except ImportError as exc:  # a declared dependency; say so rather than fail later with a bare traceback
    raise ImportError("monitor.workdays needs the chinesecalendar package (pip install 'chinesecalendar>=1.10')") \
        from exc

__all__ = ["HolidayFileError", "WorkCalendar", "add_months", "calendar_from_setting"]

_HOLIDAY_KINDS = {"holiday": "holiday", "休": "holiday", "假": "holiday", "workday": "workday", "班": "workday"}
# One scan never needs more than this many days (a working-day limit of a few weeks at most); beyond it the input is
# nonsense and we refuse rather than loop for years.
_MAX_SPAN_DAYS = 3660


class _Loader(yaml.SafeLoader):
    """Dates stay text, parsed here: PyYAML's own parse of 2099-13-01 fails without naming the key."""


_Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


class HolidayFileError(ValueError):
    """A user holiday file that cannot be used; the message names the file, line or key, and value."""


@dataclass
class _Year:
    holidays: set[dt.date] = field(default_factory=set)
    workdays: set[dt.date] = field(default_factory=set)
    source: str = ""


def _library_years() -> tuple[int, int]:
    days = chinese_calendar.holidays.keys()
    return min(days).year, max(days).year


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def add_months(value: dt.date | dt.datetime, months: int) -> dt.date | dt.datetime:
    """The same day `months` calendar months later (earlier when negative), clamped to the month's last day:
    2020-11-30 + 3 → 2021-02-28, 2021-01-31 + 1 → 2021-02-28. A datetime keeps its time and tzinfo."""
    index = value.year * 12 + value.month - 1 + months
    year, month = divmod(index, 12)
    day = min(value.day, calendar.monthrange(year, month + 1)[1])
    return value.replace(year=year, month=month + 1, day=day)


class WorkCalendar:
    """Working days from chinesecalendar, extended or corrected by user holiday files (see the module docstring)."""

    def __init__(self, holiday_files: Iterable[str | Path] = ()) -> None:
        self._lib_first, self._lib_last = _library_years()
        self._user: dict[int, _Year] = {}
        for path in holiday_files:
            for year, table in _read_holiday_file(Path(path)).items():
                if year in self._user:
                    raise HolidayFileError(f"{path}: year {year}: 已在 {self._user[year].source} 中给出，一年只能给一次")
                self._user[year] = table
        self._refused: set[int] = set()

    # -- what is known -------------------------------------------------------------------------------------------
    def _knows(self, year: int) -> bool:
        return year in self._user or self._lib_first <= year <= self._lib_last

    def known_until(self) -> dt.date:
        """The last day of the contiguous run of known years (library years, then user years right after them)."""
        year = self._lib_last
        while year + 1 in self._user:
            year += 1
        return dt.date(year, 12, 31)

    @property
    def refused_years(self) -> list[int]:
        return sorted(self._refused)

    @property
    def warnings(self) -> list[str]:
        """One message per year this calendar had to refuse: print them loudly; the results they touch are 待定."""
        until = self.known_until().isoformat()
        return [f"{year}年节假日安排未知（工作日数据只到 {until}）：涉及该年的答复期限不作判定，记为待定。"
                f"请用 MONITOR_HOLIDAYS 提供该年的节假日文件（格式见 monitor/workdays.py）。"
                for year in self.refused_years]

    # -- days ----------------------------------------------------------------------------------------------------
    def is_workday(self, day: dt.date | dt.datetime) -> bool | None:
        """True for a working day (调休 weekend days included), False for a day off, None for a year nobody knows."""
        day = _as_date(day)
        table = self._user.get(day.year)
        if table is not None:
            if day in table.workdays:
                return True
            return day.weekday() < 5 and day not in table.holidays
        if not self._knows(day.year):
            self._refused.add(day.year)
            return None
        return bool(chinese_calendar.is_workday(day))

    def deadline(self, received: dt.datetime, workdays: int) -> dt.datetime | None:
        """The end of the `workdays`-th working day after the receipt day (receipt day not counted, see the module
        docstring); None when the count runs into a year the calendar does not know (then see `warnings`)."""
        if workdays < 1:
            raise ValueError(f"workdays must be at least 1, not {workdays}")
        day = _as_date(received)
        counted = 0
        for _ in range(_MAX_SPAN_DAYS):
            day += dt.timedelta(days=1)
            working = self.is_workday(day)
            if working is None:
                return None
            if working:
                counted += 1
                if counted == workdays:
                    end = dt.datetime.combine(day, dt.time.max)
                    return end.replace(tzinfo=received.tzinfo) if isinstance(received, dt.datetime) else end
        raise ValueError(f"no {workdays} working days within {_MAX_SPAN_DAYS} days after {received}")

    def workdays_between(self, start: dt.date | dt.datetime, end: dt.date | dt.datetime) -> int | None:
        """Working days after the day of `start` up to and including the day of `end` (0 when `end` is not after
        it); None when the span touches a year the calendar does not know."""
        first, last = _as_date(start), _as_date(end)
        if (last - first).days > _MAX_SPAN_DAYS * 10:
            raise ValueError(f"span {start} … {end} is too long to count day by day")
        count = 0
        unknown = False
        day = first
        while day < last:
            day += dt.timedelta(days=1)
            working = self.is_workday(day)  # keep going: every unknown year must reach `warnings`
            if working is None:
                unknown = True
            elif working:
                count += 1
        return None if unknown else count

    @staticmethod
    def add_months(value: dt.date | dt.datetime, months: int) -> dt.date | dt.datetime:
        return add_months(value, months)


def calendar_from_setting(value: str) -> WorkCalendar:
    """The calendar for a MONITOR_HOLIDAYS value: holiday file paths separated by ';' (empty: the library only)."""
    paths = [part.strip() for part in (value or "").split(";") if part.strip()]
    return WorkCalendar(paths)


# -- holiday files ---------------------------------------------------------------------------------------------------
def _read_holiday_file(path: Path) -> dict[int, _Year]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise HolidayFileError(f"{path}: 无法读取节假日文件: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise HolidayFileError(f"{path}: 不是 UTF-8 文本 (byte {exc.start})") from exc
    if path.suffix.lower() in (".yaml", ".yml"):
        return _read_yaml(path, text)
    if path.suffix.lower() in (".csv", ".txt"):
        return _read_csv(path, text)
    raise HolidayFileError(f"{path}: 未知的文件类型 {path.suffix!r}（应为 .yaml/.yml 或 .csv）")


def _parse_day(path: Path, where: str, value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        raise HolidayFileError(f"{path}: {where}: {value!r} 应为日期，不含时间")
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise HolidayFileError(f"{path}: {where}: {value!r} 不是 YYYY-MM-DD 日期") from None


def _parse_days(path: Path, where: str, value: object) -> list[dt.date]:
    """A date or an inclusive range 'YYYY-MM-DD..YYYY-MM-DD'."""
    if isinstance(value, str) and ".." in value:
        low, high = value.split("..", 1)
        first, last = _parse_day(path, where, low), _parse_day(path, where, high)
        if last < first or (last - first).days > 31:
            raise HolidayFileError(f"{path}: {where}: {value!r} 不是 31 天以内的日期范围")
        return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    return [_parse_day(path, where, value)]


def _parse_year(path: Path, where: str, value: object) -> int:
    if isinstance(value, bool) or not str(value).strip().isdigit() or not 1949 <= int(str(value).strip()) <= 2200:
        raise HolidayFileError(f"{path}: {where}: {value!r} 不是年份")
    return int(str(value).strip())


def _check_year(path: Path, where: str, year: int, table: _Year) -> None:
    if not table.holidays:
        raise HolidayFileError(f"{path}: {where}: {year}年没有任何节假日 (holidays 为空)")
    both = sorted(table.holidays & table.workdays)
    if both:
        raise HolidayFileError(f"{path}: {where}: {both[0].isoformat()} 既是节假日又是调休工作日")


def _add_day(path: Path, where: str, year: int, table: _Year, day: dt.date, kind: str) -> None:
    if day.year != year:
        raise HolidayFileError(f"{path}: {where}: {day.isoformat()} 不在 {year} 年内")
    if kind == "workday" and day.weekday() < 5:
        raise HolidayFileError(f"{path}: {where}: {day.isoformat()} 不是周六或周日，不是调休工作日")
    (table.holidays if kind == "holiday" else table.workdays).add(day)


def _read_yaml(path: Path, text: str) -> dict[int, _Year]:
    try:
        data = yaml.load(text, Loader=_Loader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}" if mark else "?"
        raise HolidayFileError(f"{path}: {line}: 不是有效的 YAML: {getattr(exc, 'problem', exc)}") from None
    blocks = data if isinstance(data, list) else [data]
    years: dict[int, _Year] = {}
    for index, block in enumerate(blocks):
        prefix = f"[{index}]." if isinstance(data, list) else ""
        if not isinstance(block, dict):
            raise HolidayFileError(f"{path}: {prefix or 'top level'}: {block!r} 应为含 year/holidays/workdays 的映射")
        unknown = sorted(set(map(str, block)) - {"year", "holidays", "workdays"})
        if unknown:
            raise HolidayFileError(f"{path}: {prefix}{unknown[0]}: 未知的键 (应为 year, holidays, workdays)")
        if "year" not in block:
            raise HolidayFileError(f"{path}: {prefix}year: 缺少年份")
        year = _parse_year(path, f"{prefix}year", block["year"])
        if year in years:
            raise HolidayFileError(f"{path}: {prefix}year: {year} 重复")
        table = _Year(source=str(path))
        for key, kind in (("holidays", "holiday"), ("workdays", "workday")):
            values = block.get(key) or []
            if not isinstance(values, list):
                raise HolidayFileError(f"{path}: {prefix}{key}: {values!r} 应为日期列表")
            for i, value in enumerate(values):
                where = f"{prefix}{key}[{i}]"
                for day in _parse_days(path, where, value):
                    _add_day(path, where, year, table, day, kind)
        _check_year(path, f"{prefix}holidays", year, table)
        years[year] = table
    return years


def _read_csv(path: Path, text: str) -> dict[int, _Year]:
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    if header[:3] != ["year", "date", "kind"]:
        raise HolidayFileError(f"{path}: line 1: 表头 {reader.fieldnames!r} 应为 year,date,kind")
    reader.fieldnames = header
    years: dict[int, _Year] = {}
    for row in reader:
        where = f"line {reader.line_num}"
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue
        year = _parse_year(path, f"{where} year", row.get("year") or "")
        day = _parse_day(path, f"{where} date", row.get("date") or "")
        kind = _HOLIDAY_KINDS.get((row.get("kind") or "").strip().lower())
        if kind is None:
            raise HolidayFileError(f"{path}: {where} kind: {row.get('kind')!r} 应为 holiday/休/假 或 workday/班")
        _add_day(path, where, year, years.setdefault(year, _Year(source=str(path))), day, kind)
    if not years:
        raise HolidayFileError(f"{path}: 没有任何日期")
    for year, table in years.items():
        _check_year(path, f"year {year}", year, table)
    return years
