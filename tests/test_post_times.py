"""Post times of the new-media platforms: every relative form against a fixed fetch time, year-less dates across
the new year, Weibo's English form, Unix seconds and milliseconds, and what stays unknown."""

from __future__ import annotations

from datetime import datetime

import pytest

from monitor.extract.post_times import from_unix, parse_post_time, suspicious

FETCHED = datetime(2021, 3, 2, 10, 0, 0)


@pytest.mark.parametrize(("text", "expected", "source"), [
    ("刚刚", datetime(2021, 3, 2, 10, 0), "relative"),
    ("30秒前", datetime(2021, 3, 2, 9, 59, 30), "relative"),
    ("3分钟前", datetime(2021, 3, 2, 9, 57), "relative"),
    ("21分钟前发布", datetime(2021, 3, 2, 9, 39), "relative"),
    ("5小时前", datetime(2021, 3, 2, 5, 0), "relative"),
    ("1个小时前", datetime(2021, 3, 2, 9, 0), "relative"),
    ("今天 08:15", datetime(2021, 3, 2, 8, 15), "relative"),
    ("昨天 10:00", datetime(2021, 3, 1, 10, 0), "relative"),
    ("昨天10:00", datetime(2021, 3, 1, 10, 0), "relative"),
    ("前天 23:59", datetime(2021, 2, 28, 23, 59), "relative"),
    ("昨天", datetime(2021, 3, 1, 0, 0), "relative"),  # a day without a clock: that day's start
    ("3天前", datetime(2021, 2, 27, 10, 0), "relative"),
    ("2周前", datetime(2021, 2, 16, 10, 0), "relative"),
    ("1星期前", datetime(2021, 2, 23, 10, 0), "relative"),
    ("03-02", datetime(2021, 3, 2, 0, 0), "relative"),
    ("02-27 18:30", datetime(2021, 2, 27, 18, 30), "relative"),
    ("3月1日", datetime(2021, 3, 1, 0, 0), "relative"),
    ("03-03", datetime(2021, 3, 3, 0, 0), "relative"),  # within a day after the fetch: still this year's
    ("03-04", datetime(2020, 3, 4, 0, 0), "relative"),  # later in the year: last year's
    ("12-31", datetime(2020, 12, 31, 0, 0), "relative"),
    ("2020-12-31", datetime(2020, 12, 31, 0, 0), "absolute"),
    ("2021-03-01 17:07", datetime(2021, 3, 1, 17, 7), "absolute"),
    ("2021-03-01 17:07:09", datetime(2021, 3, 1, 17, 7, 9), "absolute"),
    ("2021/3/1 7:07", datetime(2021, 3, 1, 7, 7), "absolute"),
    ("2021年3月1日", datetime(2021, 3, 1, 0, 0), "absolute"),
    ("2021年3月1日 17:07", datetime(2021, 3, 1, 17, 7), "absolute"),
    ("２０２１－０３－０１　１７：０７", datetime(2021, 3, 1, 17, 7), "absolute"),  # full-width
    ("21-3-2 17:07", datetime(2021, 3, 2, 17, 7), "absolute"),
    ("21-3-2", datetime(2021, 3, 2, 0, 0), "absolute"),
    ("Tue Mar 02 09:21:00 +0800 2021", datetime(2021, 3, 2, 9, 21), "absolute"),
    ("Mon Mar 01 18:00:00 +0000 2021", datetime(2021, 3, 2, 2, 0), "absolute"),  # converted to China time
    ("2021-03-01T18:00:00Z", datetime(2021, 3, 2, 2, 0), "absolute"),
    ("2021-03-02T09:21:00+08:00", datetime(2021, 3, 2, 9, 21), "absolute"),
    ("1614650460", datetime(2021, 3, 2, 10, 1), "api"),
    ("1614650460000", datetime(2021, 3, 2, 10, 1), "api"),
    (1614650460, datetime(2021, 3, 2, 10, 1), "api"),
    (1614650460123, datetime(2021, 3, 2, 10, 1, 0, 123000), "api"),
])
def test_every_form_against_a_fixed_fetch_time(text: object, expected: datetime, source: str) -> None:
    assert parse_post_time(text, FETCHED) == (expected, source)


@pytest.mark.parametrize("text", [
    "", "   ", None, "发布", "很久以前", "2021-02-30", "2021-13-01", "02-30", "昨天 25:00", "1985-01-01",
    "Xyz Mar 02 09:21:00 +0800 2021", "Tue Xyz 02 09:21:00 +0800 2021", "0", "12345", True, "共 3 页",
])
def test_unreadable_values_stay_unknown(text: object) -> None:
    assert parse_post_time(text, FETCHED) == (None, "unknown")


def test_year_less_dates_roll_over_the_new_year() -> None:
    new_year = datetime(2021, 1, 2, 8, 0)
    assert parse_post_time("12-31", new_year) == (datetime(2020, 12, 31), "relative")
    assert parse_post_time("12-31 22:10", new_year) == (datetime(2020, 12, 31, 22, 10), "relative")
    assert parse_post_time("01-02", new_year) == (datetime(2021, 1, 2), "relative")


def test_yesterday_across_midnight() -> None:
    just_after = datetime(2021, 1, 1, 0, 5)
    assert parse_post_time("昨天 23:59", just_after) == (datetime(2020, 12, 31, 23, 59), "relative")
    assert parse_post_time("10分钟前", just_after) == (datetime(2020, 12, 31, 23, 55), "relative")
    assert parse_post_time("前天 00:00", datetime(2021, 3, 1, 9, 0)) == (datetime(2021, 2, 27, 0, 0), "relative")


def test_relative_times_follow_the_fetch_time_not_the_clock() -> None:
    # The same words fetched a year apart give times a year apart: the fetch time is the only reference.
    early, late = datetime(2019, 6, 1, 12, 0), datetime(2020, 6, 1, 12, 0)
    for text in ("刚刚", "3天前", "昨天 08:00", "05-20"):
        first, second = parse_post_time(text, early)[0], parse_post_time(text, late)[0]
        assert first is not None and second is not None
        assert (second - first).days == 366  # 2020 is a leap year


def test_caller_names_the_source_of_non_relative_values() -> None:
    assert parse_post_time("1581517074", FETCHED, source="script") == (datetime(2020, 2, 12, 22, 17, 54), "script")
    assert parse_post_time("Tue Mar 02 09:21:00 +0800 2021", FETCHED, source="api")[1] == "api"
    assert parse_post_time("3分钟前", FETCHED, source="api")[1] == "relative"


def test_future_times_are_kept_as_read_and_flagged() -> None:
    value, source = parse_post_time("2021-03-05 08:00", FETCHED)
    assert (value, source) == (datetime(2021, 3, 5, 8, 0), "absolute")
    assert suspicious(value, FETCHED)
    assert not suspicious(datetime(2021, 3, 2, 23, 0), FETCHED)  # within a day: clock skew, not suspicious
    assert not suspicious(None, FETCHED)
    # A year too far is refused rather than kept.
    assert parse_post_time("2023-01-01", FETCHED) == (None, "unknown")


@pytest.mark.parametrize(("value", "expected"), [
    (1581517074, datetime(2020, 2, 12, 22, 17, 54)),
    ("1581517074", datetime(2020, 2, 12, 22, 17, 54)),
    (1581517074000, datetime(2020, 2, 12, 22, 17, 54)),
    (" 1521515999 ", datetime(2018, 3, 20, 11, 19, 59)),
    (1521515999.5, datetime(2018, 3, 20, 11, 19, 59, 500000)),
    (0, None), (-5, None), ("", None), ("abc", None), (None, None), (True, None), ("2021-03-02", None),
    (99999999999999999, None),
])
def test_from_unix_seconds_and_milliseconds(value: object, expected: datetime | None) -> None:
    assert from_unix(value) == expected
