"""信件办理超期: working-day deadlines across National Day and Spring Festival 2021 with their 调休 weekend working days,
exactly the deadline, the window's ends, years without a holiday table with and without a holiday file, and the
evidence the report's 附件4 and 按时办结率 read."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import chinese_calendar
import pytest

from monitor.checks.model import FAIL, INCONCLUSIVE, NO_DATA, PASS, SKIPPED
from monitor.checks.rulebook import load_rulebook
from monitor.checks.rules import letter_timeliness
from tests.channel_facts import AS_OF, BOOK, channel, day, facts, indicator, items, letter, site_level

CODE = letter_timeliness.CODE
HONGHE = indicator(CODE, reply_workdays=3)  # 红河州: 3 working days
LIB_LAST = max(chinese_calendar.holidays).year  # the last year the library knows


def judge(*channels, ind=HONGHE, as_of=AS_OF, **site):
    return letter_timeliness.check(facts(*channels, **site), ind, as_of)


def one(found) -> object:
    [item] = [f for f in items(found) if "/letter" in f.subject]
    return item


def test_national_book_sets_no_limit_so_nothing_is_judged() -> None:
    found = judge(channel(letters=[letter(day("2021-02-01"))]), ind=BOOK[CODE])
    assert [(f.subject, f.outcome, f.reason) for f in found] == [("", SKIPPED, "国家指标未规定答复时限,未设定本地时限")]


def test_no_letters_channel_registered_is_skipped() -> None:
    found = judge(channel("guides"))
    assert [(f.outcome, f.reason) for f in found] == [(SKIPPED, "未登记咨询建言或网上信访渠道,未开展监测")]


# -- National Day 2021: Oct 1–7 off, Saturday Oct 9 a working day (调休) -------------------------------------------
NATIONAL_DAY_AS_OF = date(2021, 12, 1)


@pytest.mark.parametrize(("answered", "outcome"), [
    (datetime(2021, 10, 11, 23, 59, 59), PASS),  # exactly the deadline: 10-08 Fri, 10-09 Sat (调休), 10-11 Mon
    (datetime(2021, 10, 9, 11, 0), PASS),        # answered on the working Saturday
    (datetime(2021, 10, 12, 0, 0), FAIL),        # the next day
])
def test_national_day_2021(answered: datetime, outcome: str) -> None:
    found = judge(channel(letters=[letter(datetime(2021, 9, 30, 16, 0), answered)]), as_of=NATIONAL_DAY_AS_OF)
    item = one(found)
    assert item.outcome == outcome and item.evidence["deadline"] == "2021-10-11 23:59:59"
    assert site_level(found).outcome == outcome
    if outcome == FAIL:
        assert item.reason == "超过答复期限答复" and item.evidence["workdays_taken"] == 4


def test_national_day_2021_five_working_days_and_a_letter_on_the_working_saturday() -> None:
    jiangmen = indicator(CODE, reply_workdays=5)  # 蓬江区: 5 working days
    found = judge(channel(letters=[letter(datetime(2021, 9, 30, 9, 0), datetime(2021, 10, 13, 17, 0))]), ind=jiangmen,
                  as_of=NATIONAL_DAY_AS_OF)
    assert (one(found).outcome, one(found).evidence["deadline"]) == (PASS, "2021-10-13 23:59:59")
    # received on the working Saturday: the receipt day never counts, Oct 11, 12, 13 are days 1–3
    found = judge(channel(letters=[letter(datetime(2021, 10, 9, 10, 0), datetime(2021, 10, 14, 9, 0))]),
                  as_of=NATIONAL_DAY_AS_OF)
    assert (one(found).outcome, one(found).evidence["deadline"]) == (FAIL, "2021-10-13 23:59:59")


# -- Spring Festival 2021: Feb 11–17 off, Sunday Feb 7 and Saturday Feb 20 working days ------------------------------


@pytest.mark.parametrize(("answered", "outcome"), [
    (datetime(2021, 2, 20, 15, 0), PASS),  # Feb 18, 19, then the working Saturday Feb 20 is day 3
    (datetime(2021, 2, 22, 9, 0), FAIL),
])
def test_spring_festival_2021(answered: datetime, outcome: str) -> None:
    found = judge(channel(letters=[letter(datetime(2021, 2, 10, 10, 0), answered)]))
    assert (one(found).outcome, one(found).evidence["deadline"]) == (outcome, "2021-02-20 23:59:59")


def test_spring_festival_2021_working_sunday_counts() -> None:
    # received Friday Feb 5, 5 working days: Feb 7 (Sunday, 调休), 8, 9, 10, then Feb 18 after the holiday
    found = judge(channel(letters=[letter(datetime(2021, 2, 5, 10, 0), datetime(2021, 2, 18, 17, 0))]),
                  ind=indicator(CODE, reply_workdays=5))
    assert (one(found).outcome, one(found).evidence["deadline"]) == (PASS, "2021-02-18 23:59:59")


def test_unanswered_letters() -> None:
    # deadline 2021-02-20, read on the monitoring day still pending: overdue
    found = judge(channel(letters=[letter(datetime(2021, 2, 10, 10, 0), status="办理中")]))
    assert (one(found).outcome, one(found).reason) == (FAIL, "超过答复期限未答复")
    assert one(found).evidence["answered"] is None
    # read before its deadline ran out, still pending: it may have been answered in time
    early = letter(datetime(2021, 2, 10, 10, 0), read_at=datetime(2021, 2, 19, 9, 0))
    assert (one(judge(channel(letters=[early]))).outcome, one(judge(channel(letters=[early]))).reason) == (
        INCONCLUSIVE, "读取时未到答复期限,待复核")
    # shown answered without a time: in time when read before the deadline, else unknown
    assert one(judge(channel(letters=[letter(datetime(2021, 2, 10, 10, 0), done=True,
                                             read_at=datetime(2021, 2, 19))]))).outcome == PASS
    assert one(judge(channel(letters=[letter(datetime(2021, 2, 10, 10, 0), done=True)]))).reason \
        == "留言未注明答复时间,无法判定"
    assert one(judge(channel(letters=[letter(datetime(2021, 2, 10, 10, 0), done=None)]))).outcome == INCONCLUSIVE
    # answered after the monitoring point (read later): unanswered at the monitoring point, past its deadline
    later = letter(datetime(2021, 2, 10, 10, 0), datetime(2021, 3, 5, 9, 0), read_at=datetime(2021, 3, 6))
    assert one(judge(channel(letters=[later]))).outcome == FAIL


@pytest.mark.parametrize(("received", "judged"), [
    (datetime(2020, 11, 30, 10), True),   # Mon: deadline 2020-12-03, the window's first day (2021-03-03 − 3 months)
    (datetime(2020, 11, 27, 10), False),  # Fri: deadline 2020-12-02, before the window
    (datetime(2021, 2, 26, 10), True),    # Fri: deadline 2021-03-03, the monitoring day
    (datetime(2021, 3, 1, 10), False),    # deadline 2021-03-04: not yet due at the monitoring point
    (datetime(2021, 3, 5, 10), False),    # written after the monitoring point
])
def test_only_letters_whose_deadline_falls_in_the_window(received: datetime, judged: bool) -> None:
    found = judge(channel(letters=[letter(received, received.replace(hour=11))]))
    assert len(items(found)) == judged
    assert site_level(found).outcome == PASS


def test_year_beyond_the_library_is_pending_naming_it_then_judged_with_a_holiday_file(tmp_path: Path) -> None:
    year = LIB_LAST + 1
    as_of = date(year, 3, 3)
    received = datetime(year, 2, 1, 10, 0)
    ch = channel(letters=[letter(received, datetime(year, 2, 3, 10, 0))])
    found = judge(ch, as_of=as_of)
    item = one(found)
    assert (item.outcome, item.reason) == (INCONCLUSIVE, f"{year}年节假日安排未知,答复期限无法判定,待复核")
    assert item.evidence["unknown_year"] == year and site_level(found).evidence["unknown_years"] == [year]
    assert site_level(found).outcome == INCONCLUSIVE  # never guessed as Monday–Friday
    holidays = tmp_path / f"{year}.yaml"
    holidays.write_text(f"year: {year}\nholidays:\n  - {year}-01-01\n  - {year}-02-02\n", encoding="utf-8")
    found = judge(ch, as_of=as_of, ind=indicator(CODE, reply_workdays=3, holiday_files=[str(holidays)]))
    # Feb 2 off by the file: Feb 3 is day 1 of 3 → answered in time
    assert one(found).outcome == PASS and one(found).evidence["deadline"].startswith(f"{year}-02-0")
    assert site_level(found).evidence["calendar_known_until"] == f"{year}-12-31"


def test_a_deadline_running_into_an_unknown_year_names_that_year() -> None:
    received = datetime(LIB_LAST, 12, 30, 10, 0)
    found = judge(channel(letters=[letter(received, status="办理中")]), as_of=date(LIB_LAST + 1, 1, 20))
    assert one(found).evidence["unknown_year"] == LIB_LAST + 1
    # a letter received long before the window is no candidate even when the calendar is refused
    old = letter(datetime(LIB_LAST + 1, 1, 2, 10, 0))
    assert items(judge(channel(letters=[old]), as_of=date(LIB_LAST + 1, 12, 20))) == []


def test_a_local_rulebook_sets_the_limit_and_holiday_files(tmp_path: Path) -> None:
    year = LIB_LAST + 1
    holidays = tmp_path / "holidays.csv"
    holidays.write_text(f"year,date,kind\n{year},{year}-01-01,holiday\n", encoding="utf-8")
    local = tmp_path / "honghe.yaml"
    local.write_text(f"indicators:\n  letter_timeliness:\n    params: {{reply_workdays: 3, holiday_files: ['{holidays}']}}\n",
                     encoding="utf-8")
    ind = load_rulebook(local)[CODE]
    pending = letter(datetime(year, 2, 1, 10), status="处理中", read_at=datetime(year, 3, 3, 9))
    found = letter_timeliness.check(facts(channel(letters=[pending])), ind, date(year, 3, 3))
    assert one(found).outcome == FAIL and one(found).evidence["workdays"] == 3


def test_a_broken_holiday_file_leaves_the_indicator_pending(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("year: 2099\nholidays: [2099-13-01]\n", encoding="utf-8")
    found = judge(channel(letters=[letter(day("2021-02-01"))]), ind=indicator(CODE, reply_workdays=3,
                                                                              holiday_files=[str(bad)]))
    [whole] = found
    assert (whole.outcome, whole.reason) == (INCONCLUSIVE, "节假日文件无法使用,待复核") and "2099-13-01" in whole.observed


def test_simple_questions_have_their_own_limit() -> None:
    ind = indicator(CODE, reply_workdays=5, simple_reply_workdays=1)
    simple = letter(datetime(2021, 2, 22, 10), datetime(2021, 2, 24, 10), category="咨询")  # 2 days > 1
    other = letter(datetime(2021, 2, 22, 10), datetime(2021, 2, 24, 10), category="投诉")  # within 5
    found = judge(channel(letters=[simple, other]), ind=ind)
    assert {f.subject: (f.outcome, f.evidence["workdays"]) for f in items(found)} == {
        simple.url: (FAIL, 1), other.url: (PASS, 5)}


def test_evidence_names_the_unit_the_overdue_list_groups_by() -> None:
    late = datetime(2021, 2, 22, 10), datetime(2021, 3, 2, 10)
    by_channel = channel(unit="州交通运输局", letters=[letter(*late, unit="州住房城乡建设局")])
    by_letter = channel(letters=[letter(*late, unit="州住房城乡建设局")])
    by_site = channel("petition", letters=[letter(*late)])  # petition channels count too
    found = judge(by_channel, by_letter, by_site)
    assert [f.evidence["unit"] for f in items(found)] == ["州交通运输局", "州住房城乡建设局", "红河州人民政府办公室"]
    item = items(found)[0]
    assert {"unit", "received", "deadline", "answered", "workdays", "workdays_taken", "url", "channel"} \
        <= set(item.evidence)
    assert (item.evidence["received"], item.evidence["answered"], item.evidence["deadline"]) == (
        "2021-02-22 10:00:00", "2021-03-02 10:00:00", "2021-02-25 23:59:59")
    whole = site_level(found)
    assert (whole.outcome, whole.reason, whole.evidence["overdue"], whole.evidence["on_time"]) == (
        FAIL, "信件办理超期", 3, 0)
    assert whole.evidence["units"] == ["州交通运输局", "州住房城乡建设局", "红河州人民政府办公室"]


def test_unread_channels_are_pending_items_never_letters() -> None:
    found = judge(channel(read=False), channel(state="login"))
    assert [(f.outcome, f.reason) for f in items(found)] == [(INCONCLUSIVE, NO_DATA),
                                                            (INCONCLUSIVE, "咨询建言渠道需要登录,待复核")]
    assert (site_level(found).outcome, site_level(found).reason) == (INCONCLUSIVE, "部分渠道无法读取,待复核")
    assert site_level(judge(channel(read=False))).reason == NO_DATA


def test_a_letter_without_a_receipt_time_cannot_be_judged() -> None:
    found = judge(channel(letters=[letter(None, day("2021-02-20"))]))
    assert (one(found).outcome, one(found).reason) == (INCONCLUSIVE, "留言未注明来信时间,无法判定")
    assert (site_level(found).outcome, site_level(found).reason) == (INCONCLUSIVE, "部分信件无法判定,待复核")


def test_from_the_stored_channels_run_to_the_overdue_list(db_url: str, tmp_path: Path) -> None:
    """The real chain: registry channels and a channels run in the database, `govmon evaluate` with a local rulebook,
    stored findings and violations, and the report's 附件4 reading of them (evidence kept as JSON)."""
    from monitor import db
    from monitor.evaluate import evaluate
    from monitor.migrate import upgrade
    from monitor.report.letters import letter_outcomes, overdue_units
    from tests.test_website_spider import rows

    def uniform(records: list[dict]) -> list[dict]:  # one INSERT … VALUES for all: every row with every key
        keys = {k for r in records for k in r}
        return [{k: r.get(k) for k in keys} for r in records]

    engine = db.engine_for(db_url)
    upgrade(engine)
    site = "5325000001"
    mailbox, petition, guides = (f"http://www.hh.gov.cn/{p}/" for p in ("zzxx", "wsxf", "bszn"))
    read = datetime(2021, 3, 3, 9, 0)
    with engine.begin() as conn:
        conn.execute(db.websites.insert(), [{
            "site_code": site, "name": "红河州人民政府", "homepage": "http://www.hh.gov.cn/", "region_code": "532500",
            "region_name": "红河哈尼族彝族自治州", "level": "city", "kind": "portal", "sponsor": "红河州人民政府办公室",
            "active": True}])
        conn.execute(db.channels.insert(), uniform([
            {"site_code": site, "url": mailbox, "name": "州长信箱", "kind": "consult", "unit": "州交通运输局",
             "active": True},
            {"site_code": site, "url": petition, "name": "网上信访", "kind": "petition", "active": True},
            {"site_code": site, "url": guides, "name": "办事指南", "kind": "guides", "active": True}]))
        conn.execute(db.runs.insert(), [{"run_id": "ch1", "spider": "channels", "as_of": date(2021, 3, 3),
                                         "started_at": read, "finished_at": read, "status": "finished"}])
        conn.execute(db.channel_checks.insert(), [
            {"run_id": "ch1", "site_code": site, "channel_url": url, "fetched_at": read, "outcome": "ok",
             "state": "ok", "status": 200} for url in (mailbox, petition, guides)])
        conn.execute(db.letters.insert(), uniform([
            {"run_id": "ch1", "site_code": site, "channel_url": mailbox, "url": f"{mailbox}1.html", "fetched_at": read,
             "received_at": datetime(2021, 2, 10, 10), "answered_at": datetime(2021, 2, 22, 9), "answered": True},
            {"run_id": "ch1", "site_code": site, "channel_url": mailbox, "url": f"{mailbox}2.html", "fetched_at": read,
             "received_at": datetime(2020, 11, 2, 10), "status": "办理中", "answered": False},
            {"run_id": "ch1", "site_code": site, "channel_url": petition, "url": f"{petition}1.html",
             "fetched_at": read, "unit": "绿春县信访局", "received_at": datetime(2021, 2, 10, 10),
             "answered_at": datetime(2021, 2, 20, 15), "answered": True}]))
        conn.execute(db.guides.insert(), [{
            "run_id": "ch1", "site_code": site, "channel_url": guides, "url": f"{guides}1.html", "fetched_at": read,
            "outcome": "ok", "elements": {"事项名称": "present", "办理地点": "present"},
            "address": "昆明市五华区人民中路", "service_links": []}])
    local = tmp_path / "honghe.yaml"
    local.write_text("indicators:\n  letter_timeliness: {params: {reply_workdays: 3}}\n", encoding="utf-8")
    evaluate(engine, "2021Q1", datetime(2021, 3, 3), book=load_rulebook(local), not_monitored=("site_unreachable",))
    letters = {r["subject"]: r for r in rows(engine, db.findings, indicator=CODE) if r["subject"]}
    late, on_time = letters[f"{mailbox}1.html"], letters[f"{petition}1.html"]
    assert (late["outcome"], late["evidence"]["unit"], late["evidence"]["deadline"]) == (
        "fail", "州交通运输局", "2021-02-20 23:59:59")
    assert (on_time["outcome"], on_time["evidence"]["unit"]) == ("pass", "绿春县信访局")
    assert f"{mailbox}2.html" not in letters  # its deadline (2020-11-05) is before the window
    whole = {r["indicator"]: r for r in rows(engine, db.findings, target_id=site) if not r["subject"]}
    assert whole["interaction_response"]["outcome"] == "fail"  # letter 2: more than 3 months unanswered
    assert whole["service_practical"]["reason"] == "办事指南要素不准确"
    assert whole["guide_elements"]["outcome"] == "fail" and whole["letters_published"]["outcome"] == "pass"
    [verdict] = rows(engine, db.verdicts, target_id=site)
    assert verdict["result"] == "不合格" and set(verdict["reasons"].split("；")) == {"互动回应差", "服务不实用"}
    opened = {(v["indicator"], v["subject"]) for v in rows(engine, db.violations, target_id=site)}
    assert (CODE, f"{mailbox}1.html") in opened and ("interaction_response", f"{mailbox}2.html") in opened
    with engine.connect() as conn:
        outcomes = letter_outcomes(conn, "2021Q1")
    assert overdue_units(outcomes) == [("州交通运输局", 1)]


def test_the_monitor_holidays_setting_reaches_the_rule(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rules never read settings: MONITOR_HOLIDAYS becomes the rule's holiday_files when the rulebook is loaded."""
    files = [tmp_path / "a.yaml", tmp_path / "b.csv"]
    monkeypatch.setenv("MONITOR_HOLIDAYS", ";".join(map(str, files)))
    assert load_rulebook("")[CODE].params["holiday_files"] == [str(f) for f in files]
    monkeypatch.delenv("MONITOR_HOLIDAYS")
    assert load_rulebook("")[CODE].params["holiday_files"] == []
