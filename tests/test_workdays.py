"""Working days for letter deadlines: the real chinesecalendar data (holidays and 调休), user holiday files for years
it does not know, the deadline convention, calendar months, and refused files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import chinese_calendar
import pytest

from monitor.workdays import HolidayFileError, WorkCalendar, add_months, calendar_from_setting

LIB_LAST = max(chinese_calendar.holidays).year
END = dt.time(23, 59, 59, 999999)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


# -- National Day 2021: Oct 1–7 off, Sunday Sep 26 and Saturday Oct 9 are 调休 working days ---------------------------
def test_national_day_2021_days() -> None:
    cal = WorkCalendar()
    assert [cal.is_workday(dt.date(2021, 10, d)) for d in range(1, 11)] == [False] * 7 + [True, True, False]
    assert cal.is_workday(dt.date(2021, 9, 26)) is True  # Sunday, 调休
    assert cal.is_workday(at("2021-09-25T10:00")) is False  # an ordinary Saturday
    assert cal.warnings == []


def test_deadline_across_national_day_counts_the_make_up_saturday() -> None:
    cal = WorkCalendar()
    # Received Thursday Sep 30: Oct 8 (Fri) is day 1, Oct 9 (Sat, 调休) day 2, Oct 11 (Mon) day 3.
    assert cal.deadline(at("2021-09-30T10:00"), 3) == dt.datetime.combine(dt.date(2021, 10, 11), END)
    assert cal.deadline(at("2021-09-30T10:00"), 2) == dt.datetime.combine(dt.date(2021, 10, 9), END)
    # Monday–Friday counting would have said Oct 5, in the middle of the holiday.
    assert cal.deadline(at("2021-09-30T10:00"), 3).date() != dt.date(2021, 10, 5)


def test_receipt_day_never_counts_whatever_the_hour_or_day() -> None:
    cal = WorkCalendar()
    early, late = cal.deadline(at("2021-09-29T00:01"), 1), cal.deadline(at("2021-09-29T23:59"), 1)
    assert early == late == dt.datetime.combine(dt.date(2021, 9, 30), END)
    # Received during the holiday: the first working day after it is day 1.
    assert cal.deadline(at("2021-10-03T15:00"), 1).date() == dt.date(2021, 10, 8)
    with pytest.raises(ValueError):
        cal.deadline(at("2021-10-03T15:00"), 0)


# -- Spring Festival 2021: Feb 11–17 off, Sunday Feb 7 and Saturday Feb 20 working ------------------------------------
def test_spring_festival_2021() -> None:
    cal = WorkCalendar()
    assert [cal.is_workday(dt.date(2021, 2, d)) for d in range(11, 18)] == [False] * 7
    assert cal.is_workday(dt.date(2021, 2, 7)) is True and cal.is_workday(dt.date(2021, 2, 20)) is True
    # 蓬江区: 5 working days. Received Friday Feb 5: Feb 7 (Sun, 调休), 8, 9, 10, then after the holiday Feb 18.
    assert cal.deadline(at("2021-02-05T16:30"), 5) == dt.datetime.combine(dt.date(2021, 2, 18), END)
    # 红河州: 3 working days. Received Feb 10: Feb 18, 19, and Saturday Feb 20.
    assert cal.deadline(at("2021-02-10T09:00"), 3) == dt.datetime.combine(dt.date(2021, 2, 20), END)
    assert cal.workdays_between(at("2021-02-05T16:30"), at("2021-02-18T12:00")) == 5


def test_exactly_the_deadline() -> None:
    cal = WorkCalendar()
    received = at("2021-09-30T10:00")
    limit = cal.deadline(received, 3)
    in_time, late = at("2021-10-11T23:59"), at("2021-10-12T08:30")
    assert in_time <= limit < late
    # workdays_between counts the same way: in time exactly when it is at most N.
    assert cal.workdays_between(received, in_time) == 3
    assert cal.workdays_between(received, late) == 4
    assert cal.workdays_between(received, at("2021-09-30T18:00")) == 0
    assert cal.workdays_between(late, received) == 0


def test_deadline_keeps_the_time_zone() -> None:
    tz = dt.timezone(dt.timedelta(hours=8))
    limit = WorkCalendar().deadline(dt.datetime(2021, 2, 10, 9, tzinfo=tz), 3)
    assert limit == dt.datetime(2021, 2, 20, 23, 59, 59, 999999, tzinfo=tz)


# -- more than 3 months: calendar months --------------------------------------------------------------------------
def test_add_months_clamps_to_month_end() -> None:
    assert add_months(dt.date(2020, 11, 30), 3) == dt.date(2021, 2, 28)
    assert add_months(dt.date(2019, 11, 30), 3) == dt.date(2020, 2, 29)  # leap year
    assert add_months(dt.date(2021, 1, 31), 1) == dt.date(2021, 2, 28)
    assert add_months(dt.date(2021, 10, 15), 3) == dt.date(2022, 1, 15)  # across the year
    assert add_months(dt.date(2021, 3, 31), -1) == dt.date(2021, 2, 28)
    assert add_months(at("2021-01-31T10:15"), 1) == at("2021-02-28T10:15")
    assert WorkCalendar.add_months(dt.date(2020, 11, 30), 3) == dt.date(2021, 2, 28)


def test_exactly_three_months_is_not_more_than_three_months() -> None:
    received = at("2021-01-15T10:00")
    limit = add_months(received, 3)
    assert limit == at("2021-04-15T10:00")
    assert not at("2021-04-15T10:00") > limit  # exactly 3 months: not yet 超过3个月
    assert at("2021-04-15T10:01") > limit
    # Nov 30 + 3 months is Feb 28: on Mar 1 the letter is more than 3 months old.
    assert dt.date(2021, 3, 1) > add_months(dt.date(2020, 11, 30), 3) >= dt.date(2021, 2, 28)


# -- years the library does not know ------------------------------------------------------------------------------
def test_unknown_year_is_none_with_a_warning_never_monday_to_friday() -> None:
    cal = WorkCalendar()
    assert cal.known_until() == dt.date(LIB_LAST, 12, 31)
    assert cal.is_workday(dt.date(LIB_LAST + 1, 3, 2)) is None
    assert cal.is_workday(dt.date(1990, 1, 1)) is None  # before the data: no crash either
    # A deadline that runs into the unknown year is None, not a Monday–Friday guess.
    assert cal.deadline(dt.datetime(LIB_LAST, 12, 30, 9), 5) is None
    assert cal.workdays_between(dt.datetime(LIB_LAST, 12, 1), dt.datetime(LIB_LAST + 1, 1, 20)) is None
    assert cal.refused_years == [1990, LIB_LAST + 1]
    assert any(f"{LIB_LAST + 1}年" in message and "MONITOR_HOLIDAYS" in message for message in cal.warnings)
    assert len(cal.warnings) == 2


def test_user_holiday_file_for_an_unknown_year(tmp_path: Path) -> None:
    path = tmp_path / "2099.yaml"
    # 2099-01-01 is a Thursday: Jan 1–3 off, Sunday Jan 4 a 调休 working day.
    path.write_text("year: 2099\nholidays:\n  - 2099-01-01..2099-01-03\n  - 2099-10-01\nworkdays:\n  - 2099-01-04\n",
                    encoding="utf-8")
    without = WorkCalendar()
    assert without.deadline(at("2098-12-31T09:00"), 2) is None
    assert without.refused_years == [2099]

    cal = WorkCalendar([path])
    assert [cal.is_workday(dt.date(2099, 1, d)) for d in range(1, 6)] == [False, False, False, True, True]
    assert cal.is_workday(dt.date(2099, 1, 10)) is False  # an ordinary Saturday
    assert cal.deadline(at("2098-12-31T09:00"), 2) == dt.datetime.combine(dt.date(2099, 1, 5), END)
    assert cal.warnings == []
    assert cal.known_until() == dt.date(LIB_LAST, 12, 31)  # 2099 is not contiguous with the library's years


def test_user_file_right_after_the_library_extends_known_until(tmp_path: Path) -> None:
    year = LIB_LAST + 1
    path = tmp_path / "next.csv"
    path.write_text(f"year,date,kind\n{year},{year}-01-01,holiday\n{year},{year}-01-02,休\n", encoding="utf-8")
    cal = calendar_from_setting(f" ; {path} ;")
    assert cal.known_until() == dt.date(year, 12, 31)
    limit = cal.deadline(dt.datetime(LIB_LAST, 12, 31, 9), 1)
    assert limit is not None and limit.date() >= dt.date(year, 1, 3)
    assert cal.is_workday(limit) is True
    assert cal.workdays_between(dt.datetime(LIB_LAST, 12, 31, 9), limit) == 1
    assert cal.warnings == []


def test_user_file_replaces_a_library_year(tmp_path: Path) -> None:
    path = tmp_path / "2021.yaml"
    path.write_text("- year: 2021\n  holidays: [2021-10-01]\n", encoding="utf-8")
    cal = WorkCalendar([path])
    assert cal.is_workday(dt.date(2021, 10, 4)) is True  # the library says off; the user's table says working
    assert cal.is_workday(dt.date(2021, 10, 9)) is False  # no 调休 in the user's table: an ordinary Saturday
    assert WorkCalendar().is_workday(dt.date(2021, 10, 4)) is False


def test_empty_setting_is_the_library_alone() -> None:
    cal = calendar_from_setting("")
    assert cal.is_workday(dt.date(2021, 10, 9)) is True
    assert cal.known_until() == dt.date(LIB_LAST, 12, 31)


# -- malformed holiday files ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "content", "where", "value"), [
    ("bad_date.yaml", "year: 2099\nholidays:\n  - 2099-01-01\n  - 2099-13-01\n", "holidays[1]", "2099-13-01"),
    ("other_year.yaml", "year: 2099\nholidays: [2098-12-31]\n", "holidays[0]", "2098-12-31"),
    ("weekday_workday.yaml", "year: 2099\nholidays: [2099-01-01]\nworkdays: [2099-01-05]\n", "workdays[0]",
     "2099-01-05"),
    ("range.yaml", "year: 2099\nholidays: ['2099-10-07..2099-10-01']\n", "holidays[0]", "2099-10-07..2099-10-01"),
    ("unknown_key.yaml", "year: 2099\nholiday: [2099-01-01]\n", "holiday", "未知的键"),
    ("no_holidays.yaml", "year: 2099\nworkdays: [2099-01-04]\n", "holidays", "2099"),
    ("bad_year.yaml", "year: twenty\nholidays: [2099-01-01]\n", "year", "twenty"),
    ("syntax.yaml", "year: 2099\nholidays: [2099-01-01\n", "line", "YAML"),
    ("bad_kind.csv", "year,date,kind\n2099,2099-01-01,holiday\n2099,2099-01-04,maybe\n", "line 3", "maybe"),
    ("bad_header.csv", "date,kind\n2099-01-01,holiday\n", "line 1", "year,date,kind"),
    ("csv_date.csv", "year,date,kind\n2099,01/01/2099,holiday\n", "line 2", "01/01/2099"),
    ("extension.json", "{}", "", ".json"),
])
def test_malformed_file_is_refused_naming_file_place_and_value(tmp_path: Path, name: str, content: str, where: str,
                                                              value: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(HolidayFileError) as info:
        WorkCalendar([path])
    message = str(info.value)
    assert str(path) in message and where in message and value in message


def test_date_both_off_and_working_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "both.csv"
    path.write_text("year,date,kind\n2099,2099-01-03,holiday\n2099,2099-01-03,班\n", encoding="utf-8")
    with pytest.raises(HolidayFileError, match="2099-01-03.*既是节假日又是调休工作日"):
        WorkCalendar([path])


def test_same_year_in_two_files_is_refused(tmp_path: Path) -> None:
    first, second = tmp_path / "a.yaml", tmp_path / "b.csv"
    first.write_text("year: 2099\nholidays: [2099-01-01]\n", encoding="utf-8")
    second.write_text("year,date,kind\n2099,2099-01-01,holiday\n", encoding="utf-8")
    with pytest.raises(HolidayFileError, match=r"b\.csv: year 2099: 已在 .*a\.yaml"):
        calendar_from_setting(f"{first};{second}")


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(HolidayFileError, match="missing.yaml"):
        WorkCalendar([tmp_path / "missing.yaml"])
