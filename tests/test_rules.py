"""Each rule on facts built in code: pass, fail, inconclusive and the exact boundaries."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from monitor.checks.facts import ColumnFacts, LinkFacts, SiteFacts
from monitor.checks.model import FAIL, INCONCLUSIVE, PASS, REVIEW
from monitor.checks.rulebook import RulebookError, load_rulebook
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
    typos,
)
from monitor.checks.scoring import PENDING, QUALIFIED, UNQUALIFIED, verdict
from monitor.simweb.templates import id_number

AS_OF = date(2021, 3, 3)
BOOK = load_rulebook("")
HOME = "http://www.hh.gov.cn/"


def page(url: str = HOME, outcome: str = "ok", status: int | None = 200, **extra) -> dict:
    row = {"url": url, "outcome": outcome, "status": status, "role": "home", "rendered": False, "title": None,
           "footer_site_code": "5325000001", "footer_icp": "滇ICP备05000002号", "footer_police": "滇公网安备53250002000001号",
           "footer_conac": True, "footer_zhaocuo": True, "text_sample": "", "error": None}
    return row | extra


def entry(day: date | None) -> dict:
    return {"published": day, "title": "标题", "url": HOME + "a.html"}


def column(name: str, category: str, newest: date | None, level: int = 1, outcome: str = "ok",
           status: int | None = 200, entries: int = 3) -> ColumnFacts:
    url = f"{HOME}{name}/"
    rows = [] if newest is None and entries == 0 else [entry(newest)] * entries
    return ColumnFacts(url, name, category, level, "州政府办公室", f"首页>{name}", page(url, outcome, status), rows)


def facts(columns=(), home_entries=None, homepage=None, links=(), pages=None, probes=(), kind="portal",
          homepage_url=HOME, parent=None) -> SiteFacts:
    home = page() if homepage is None else homepage
    site = {"site_code": "5325000001", "name": "红河州人民政府", "homepage": homepage_url, "region_code": "532500",
            "kind": kind}
    entries = [entry(AS_OF - timedelta(days=1))] if home_entries is None else home_entries
    return SiteFacts(site, "r1", home, entries, list(columns), pages if pages is not None else [home], list(links),
                     parent, list(probes))


def site_level(findings):
    return next(f for f in findings if f.site_level)


# ---------------------------------------------------------------- 首页不更新

@pytest.mark.parametrize(("age", "outcome"), [(14, PASS), (15, FAIL), (0, PASS)])
def test_homepage_window_includes_its_first_day(age: int, outcome: str) -> None:
    f = homepage_stale.check(facts(home_entries=[entry(AS_OF - timedelta(days=age))]), BOOK[homepage_stale.CODE], AS_OF)
    assert site_level(f).outcome == outcome


def test_homepage_undated_items_count_as_not_updated_and_navigation_only_uses_columns() -> None:
    assert site_level(homepage_stale.check(facts(home_entries=[entry(None)]), BOOK[homepage_stale.CODE], AS_OF)).outcome == FAIL
    fresh = column("gzdt", "dynamic", AS_OF - timedelta(days=3))
    nav_only = homepage_stale.check(facts([fresh], home_entries=[]), BOOK[homepage_stale.CODE], AS_OF)
    assert site_level(nav_only).outcome == PASS and site_level(nav_only).evidence["judged_by"] == "二级页面"
    stale = column("gzdt", "dynamic", AS_OF - timedelta(days=30))
    assert site_level(homepage_stale.check(facts([stale], home_entries=[]), BOOK[homepage_stale.CODE], AS_OF)).outcome == FAIL


def test_homepage_unreadable_is_inconclusive() -> None:
    f = homepage_stale.check(facts(homepage=page(outcome="timeout", status=None)), BOOK[homepage_stale.CODE], AS_OF)
    assert site_level(f).outcome == INCONCLUSIVE


# ---------------------------------------------------------------- 栏目不更新

def test_column_windows_by_category_with_exact_boundaries() -> None:
    cols = [column("dt14", "dynamic", AS_OF - timedelta(days=14)), column("dt15", "dynamic", AS_OF - timedelta(days=15)),
            column("tz", "notice", date(2020, 9, 3)), column("tz_old", "notice", date(2020, 9, 2)),
            column("rs", "personnel", date(2020, 3, 3)), column("rs_old", "plan", date(2020, 3, 2)),
            column("other", "other", date(2010, 1, 1))]
    got = {f.subject.split("/")[-2]: f for f in column_stale.check(facts(cols), BOOK[column_stale.CODE], AS_OF) if not f.site_level}
    assert {k: f.outcome for k, f in got.items()} == {"dt14": PASS, "dt15": FAIL, "tz": PASS, "tz_old": FAIL,
                                                       "rs": PASS, "rs_old": FAIL}
    assert got["dt15"].reason == "监测点前2周内,栏目无信息更新"
    assert got["tz_old"].reason == "监测点前6个月内,栏目无信息更新"
    assert got["rs_old"].reason == "监测点前1年内,栏目无信息更新"


def test_column_veto_at_exactly_five_stale_and_second_level_notices_do_not_count() -> None:
    old = AS_OF - timedelta(days=40)
    four = [column(f"d{i}", "dynamic", old) for i in range(4)]
    assert site_level(column_stale.check(facts(four), BOOK[column_stale.CODE], AS_OF)).outcome == PASS
    assert site_level(column_stale.check(facts([*four, column("d4", "dynamic", old)]), BOOK[column_stale.CODE], AS_OF)).outcome == FAIL
    second_level = column("tz2", "notice", date(2020, 1, 1), level=2)
    assert site_level(column_stale.check(facts([*four, second_level]), BOOK[column_stale.CODE], AS_OF)).outcome == PASS


def test_long_stale_veto_counts_blank_and_personnel_columns() -> None:
    cols = [column(f"rs{i}", "personnel", date(2019, 1, 1)) for i in range(7)]
    cols += [column(f"blank{i}", "dynamic", None, entries=0) for i in range(3)]
    f = site_level(column_stale.check(facts(cols), BOOK[column_stale.CODE], AS_OF))
    assert (f.outcome, f.evidence["long_stale"]) == (FAIL, 10)
    assert site_level(column_stale.check(facts(cols[:-1]), BOOK[column_stale.CODE], AS_OF)).outcome == PASS


def test_column_404_is_not_stale_and_timeout_is_inconclusive() -> None:
    old = AS_OF - timedelta(days=40)
    cols = [column(f"d{i}", "dynamic", old) for i in range(4)] + [column("gone", "dynamic", None, outcome="http",
                                                                        status=404, entries=0)]
    findings = column_stale.check(facts(cols), BOOK[column_stale.CODE], AS_OF)
    assert not [f for f in findings if "gone" in f.subject]
    cols[-1] = column("slow", "dynamic", None, outcome="timeout", status=None, entries=0)
    findings = column_stale.check(facts(cols), BOOK[column_stale.CODE], AS_OF)
    assert [f.outcome for f in findings if "slow" in f.subject] == [INCONCLUSIVE]
    assert site_level(findings).outcome == INCONCLUSIVE  # 4 stale + 1 unknown could reach the veto


# ---------------------------------------------------------------- 空白栏目

@pytest.mark.parametrize(("blank", "outcome"), [(4, PASS), (5, FAIL), (6, FAIL)])
def test_blank_columns_veto_at_exactly_five(blank: int, outcome: str) -> None:
    cols = [column(f"b{i}", "other", None, entries=0) for i in range(blank)] + [column("ok", "dynamic", AS_OF)]
    f = site_level(column_blank.check(facts(cols), BOOK[column_blank.CODE], AS_OF))
    assert f.outcome == outcome and f.observed == f"空白栏目{blank}个"
    if outcome == FAIL:
        assert f.reason == "空白栏目超过5"


def test_blank_column_link_that_404s_is_not_blank() -> None:
    cols = [column(f"b{i}", "other", None, entries=0) for i in range(4)]
    cols.append(column("gone", "other", None, outcome="http", status=404, entries=0))
    assert site_level(column_blank.check(facts(cols), BOOK[column_blank.CODE], AS_OF)).outcome == PASS
    cols[-1] = column("wait", "other", None, outcome="timeout", status=None, entries=0)
    assert site_level(column_blank.check(facts(cols), BOOK[column_blank.CODE], AS_OF)).outcome == INCONCLUSIVE


# ---------------------------------------------------------------- links, footer, domain, text

def link(url, outcome, status, on_home=True, **kw) -> LinkFacts:
    return LinkFacts(url, HOME, kw.get("anchor", "链接"), kw.get("tag", "a"), on_home, kw.get("external", False),
                     kw.get("hidden", False), outcome, status, None)


def test_broken_links_counted_per_place_and_blocking_answers_are_inconclusive() -> None:
    links = [link(HOME + "a", "http", 404), link(HOME + "b", "http", 500, on_home=False),
             link(HOME + "c", "dns", None, on_home=False), link(HOME + "d", "http", 403),
             link(HOME + "e", "http", 429), link(HOME + "f", "timeout", None), link(HOME + "g", "ok", 200)]
    findings = broken_links.check(facts(links=links), BOOK[broken_links.CODE], AS_OF)
    by = {f.subject: f.outcome for f in findings}
    assert by == {HOME + "a": FAIL, HOME + "b": FAIL, HOME + "c": FAIL, HOME + "d": INCONCLUSIVE,
                  HOME + "e": INCONCLUSIVE, HOME + "f": INCONCLUSIVE, "": FAIL}
    assert site_level(findings).evidence == {"home": 1, "other": 2, "as_of": str(AS_OF)}
    assert next(f for f in findings if f.subject == HOME + "a").evidence["parent_url"] == HOME


def test_footer_marks_presence_equality_and_region() -> None:
    assert site_level(footer_marks.check(facts(), BOOK[footer_marks.CODE], AS_OF)).outcome == PASS
    wrong = footer_marks.check(facts(homepage=page(footer_site_code="5325999999", footer_police=None)), BOOK[footer_marks.CODE], AS_OF)
    failed = {f.subject for f in wrong if f.outcome == FAIL}
    assert failed == {"公安机关备案号", "网站标识码一致性", "网站标识码区划", ""}
    other_region = footer_marks.check(facts(homepage=page(footer_site_code="5325010002")), BOOK[footer_marks.CODE], AS_OF)
    assert {f.subject for f in other_region if f.outcome == FAIL} == {"网站标识码一致性", "网站标识码区划", ""}


@pytest.mark.parametrize(("host", "kind", "parent", "ok"), [
    ("www.hh.gov.cn", "portal", None, True), ("hh.gov.cn", "portal", None, False),
    ("www.hh.com.cn", "portal", None, False), ("jyj.hh.gov.cn", "department", "http://www.hh.gov.cn/", True),
    ("jyj.gejiu.gov.cn", "department", "http://www.hh.gov.cn/", False)])
def test_domain_rules(host: str, kind: str, parent: str | None, ok: bool) -> None:
    f = domain.check(facts(kind=kind, homepage_url=f"http://{host}/", parent=parent), BOOK[domain.CODE], AS_OF)
    assert f[0].outcome == (PASS if ok else FAIL)


def test_typos_with_guards_and_user_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = "本次通报三起典型案列。该镇海拨1800米。该问题本案列入督办。财政拨给资金。"
    found = typos.check(facts(pages=[page(text_sample=text)]), BOOK[typos.CODE], AS_OF)
    assert sorted(f.observed for f in found if not f.site_level) == ["案列", "海拨"]
    assert all("context" in f.evidence for f in found if not f.site_level)
    user = tmp_path / "typos.yaml"
    user.write_text("typos:\n  - {wrong: 张三省长, right: 张三副省长, guards: []}\n", encoding="utf-8")
    monkeypatch.setenv("MONITOR_TYPO_LIST", str(user))  # read once, when the rulebook is loaded
    assert [f.observed for f in typos.check(facts(pages=[page(text_sample="张三省长出席会议")]), BOOK[typos.CODE], AS_OF)
            if not f.site_level] == []
    book = load_rulebook("")
    assert book[typos.CODE].params["user_list"] == str(user)
    found = typos.check(facts(pages=[page(text_sample="张三省长出席会议")]), book[typos.CODE], AS_OF)
    assert [f.observed for f in found if not f.site_level] == ["张三省长"]


def test_ads_personal_data_hidden_links() -> None:
    links = [link("http://cpro.baidustatic.com/c.js", "ok", 200, tag="script", external=True),
             link("http://www.bet365-vip.com/", "ok", 200, hidden=True, external=True)]
    assert site_level(commercial_ads.check(facts(links=links), BOOK[commercial_ads.CODE], AS_OF)).outcome == FAIL
    valid, invalid = id_number("532501", "19850612", "321"), "532501198506123210"
    text = f"身份证号：{valid}，另一个{invalid if invalid != valid else ''}，手机：13988776655，电话 0873-1234567"
    found = personal_data.check(facts(pages=[page(text_sample=text)]), BOOK[personal_data.CODE], AS_OF)
    assert sorted(f.evidence["kind"] for f in found if not f.site_level) == ["手机号", "身份证号"]
    assert all(f.outcome == REVIEW for f in found)
    assert valid not in str([f.evidence for f in found])  # numbers are masked in what is stored
    hidden = hidden_links.check(facts(links=links, pages=[page(text_sample="正文")]), BOOK[hidden_links.CODE], AS_OF)
    assert [f.subject for f in hidden if not f.site_level] == ["http://www.bet365-vip.com/"]


# ---------------------------------------------------------------- 站点无法访问 and IPv6

def probes(per_day: list[int], failures: int, latency_ms: int = 200, fail_ms: int = 15000) -> list[dict]:
    rows, start = [], datetime(2021, 2, 24)
    for day, n in enumerate(per_day):
        for i in range(n):
            rows.append({"family": "any", "probed_at": start + timedelta(days=day, minutes=i * (1440 // n)), "outcome": "ok",
                         "status": 200, "latency_ms": latency_ms, "url": HOME, "address": None, "error": None})
    for row in rows[:failures]:
        row["latency_ms"] = fail_ms  # exactly 15 s counts as a failure
    return rows


@pytest.mark.parametrize(("failures", "outcome"), [(7, FAIL), (6, PASS)])
def test_unreachable_at_exactly_five_percent(failures: int, outcome: str) -> None:
    f = site_unreachable.check(facts(probes=probes([20] * 7, failures)), BOOK[site_unreachable.CODE], AS_OF)[0]
    assert f.outcome == outcome and f.evidence["visits"] == 140 and f.evidence["failed"] == failures


def test_unreachable_latency_boundary_and_blocked_visits() -> None:
    assert site_unreachable.check(facts(probes=probes([20] * 7, 7, fail_ms=14999)), BOOK[site_unreachable.CODE], AS_OF)[0].outcome == PASS
    rows = probes([27] * 7, 0)
    for row in rows[:7]:
        row.update(outcome="http", status=403)  # our side refused: not evidence, not a failure
    assert site_unreachable.check(facts(probes=rows), BOOK[site_unreachable.CODE], AS_OF)[0].outcome == PASS


def test_unreachable_short_day_and_no_probes_are_inconclusive() -> None:
    f = site_unreachable.check(facts(probes=probes([20] * 6 + [10], 0)), BOOK[site_unreachable.CODE], AS_OF)[0]
    assert f.outcome == INCONCLUSIVE and f.evidence["days_short"] == {"2021-03-02": 10}
    none = site_unreachable.check(facts(), BOOK[site_unreachable.CODE], AS_OF)[0]  # not monitored in the window: 待定, never a pass
    assert (none.outcome, none.reason) == (INCONCLUSIVE, "无监测数据")


def test_ipv6_outcomes() -> None:
    def v6(outcome):
        return [{"family": "ipv6", "probed_at": datetime(2021, 3, 2), "outcome": outcome, "status": None,
                 "url": HOME, "address": "[::1]:80", "error": None, "latency_ms": 5}]
    assert ipv6.check(facts(probes=v6("ok")), BOOK[ipv6.CODE], AS_OF)[0].outcome == PASS
    assert ipv6.check(facts(probes=v6("no_aaaa")), BOOK[ipv6.CODE], AS_OF)[0].outcome == FAIL
    assert ipv6.check(facts(probes=v6("no_route")), BOOK[ipv6.CODE], AS_OF)[0].outcome == INCONCLUSIVE


# ---------------------------------------------------------------- scoring and the rulebook

def test_scoring_veto_score_threshold_and_pending(tmp_path: Path) -> None:
    from monitor.checks.model import Finding

    veto = Finding("column_blank", "", FAIL, "空白栏目超过5")
    assert verdict("portal", [veto], BOOK).result == UNQUALIFIED
    assert verdict("portal", [veto], BOOK, {("column_blank", "")}).result == QUALIFIED  # false positive
    pending = Finding("homepage_stale", "", INCONCLUSIVE, "首页无法读取,待复核")
    assert verdict("portal", [pending], BOOK).result == PENDING
    local = tmp_path / "local.yaml"
    local.write_text("indicators:\n  broken_links: {points: 40, params: {home_points_each: 40, other_points_each: 1}}\n",
                     encoding="utf-8")
    book = load_rulebook(local)
    home_broken = [Finding("broken_links", "u", FAIL, "", evidence={"on_homepage": True})]
    assert verdict("portal", home_broken, book).score == 60 and verdict("portal", home_broken, book).result == QUALIFIED
    two = home_broken + [Finding("broken_links", "v", FAIL, "", evidence={"on_homepage": False})]
    v = verdict("portal", two, book)
    assert (v.result, v.score) == (QUALIFIED, 60)  # capped at the indicator's 40 points: exactly 60 passes
    local.write_text("indicators:\n  broken_links: {points: 41, params: {home_points_each: 41}}\n", encoding="utf-8")
    assert verdict("portal", home_broken, load_rulebook(local)).result == UNQUALIFIED  # 59 < 60


@pytest.mark.parametrize(("text", "message"), [
    ("indicators:\n  nonsense: {points: 1}\n", "indicators.nonsense: unknown indicator"),
    ("indicators:\n  column_stale: {params: {dynamic_days: -1}}\n", "indicators.column_stale.params.dynamic_days: must not be negative"),
    ("indicators:\n  column_blank: {params: {veto_blank: five}}\n", "indicators.column_blank.params.veto_blank: expected a number"),
    ("indicators:\n  column_blank: {colour: red}\n", "indicators.column_blank.colour: unknown key"),
    ("indicators: [1, 2\n", "not valid YAML"),
])
def test_malformed_rulebook_is_refused_with_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulebookError, match=message) as err:
        load_rulebook(path)
    assert str(path) in str(err.value)


def test_override_changes_only_its_keys(tmp_path: Path) -> None:
    path = tmp_path / "city.yaml"
    path.write_text("indicators:\n  column_stale: {params: {dynamic_days: 10}}\n", encoding="utf-8")
    book = load_rulebook(path)
    assert book["column_stale"].params["dynamic_days"] == 10
    assert book["column_stale"].params["veto_stale"] == 5 and book["column_blank"].params["veto_blank"] == 5
    stale = column("d", "dynamic", AS_OF - timedelta(days=11))
    assert [f.outcome for f in column_stale.check(facts([stale]), book[column_stale.CODE], AS_OF) if not f.site_level] == [FAIL]
