"""Letters channels and 办事指南 lists of the simulated web over real HTTP: every page read with the extractors the
channels spider uses (monitor/extract/letters.py, guides.py) gives back exactly the scenario's letters (times,
units, states) and guides (elements, addresses, 政务服务网 links); the rules run on what was read conclude what
expected_letters says — for 红河州 2021 Q1 the notice's 附件4 — and the registry carries the channels."""

from __future__ import annotations

import dataclasses
import http.client
import json
import ssl
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from parsel import Selector
from sqlalchemy import select

from monitor import db
from monitor.checks.facts import ChannelFacts, SiteFacts
from monitor.checks.model import FAIL
from monitor.checks.rulebook import load_rulebook
from monitor.checks.rules import RULES
from monitor.extract.guides import ELEMENTS, read_guide
from monitor.extract.letters import TimeFact, channel_state, read_letter_detail, read_letter_list, status_kind
from monitor.extract.lists import list_entries
from monitor.items import Channel, ChannelCheckItem, GuideItem, LetterItem, Website
from monitor.migrate import upgrade
from monitor.registry import import_files
from monitor.simweb import channels
from monitor.simweb.expected import LettersTruth, expected_letters
from monitor.simweb.scenario import (
    CHANNEL_STATES,
    GUIDE_ELEMENTS,
    GUIDE_LINKS,
    Scenario,
    ScenarioError,
    Site,
    load_scenario,
)
from monitor.simweb.server import SimWeb
from monitor.spiders.channels import MONITOR_GUIDES_PER_CHANNEL, MONITOR_MAX_LETTER_PAGES, MONITOR_MAX_LETTERS
from monitor.workdays import WorkCalendar

SCENARIOS = ("honghe_2021q1", "guides_elsewhere", "defects", "unreadable")
SCENARIO_DIR = Path(__file__).resolve().parent.parent / "monitor" / "simweb" / "scenarios"
LATER = datetime(2026, 1, 5, 9, 0)  # a channels crawl long after the monitoring point sees the same pages
NOTICE_ANNEX_4 = {"州交通运输局": 3, "州住房城乡建设局": 1, "建水县": 1, "绿春县": 4}  # 001_7a7dd7166977da26.txt
INSECURE = ssl.create_default_context()
INSECURE.check_hostname = False
INSECURE.verify_mode = ssl.CERT_NONE  # the 政务服务网 hosts answer with the simulated web's self-signed certificate


def get(web: SimWeb, url: str) -> tuple[int, bytes]:
    return fetch(web, url)[:2]


def fetch(web: SimWeb, url: str) -> tuple[int, bytes, str]:
    """GET url as the crawler does through the host map: connect to 127.0.0.1, keep the URL's Host header."""
    parts = urlsplit(url)
    port = dict(e.split("=") for e in web.host_map.split(";"))[parts.hostname].rsplit(":", 1)[1]
    conn = (http.client.HTTPSConnection("127.0.0.1", int(port), timeout=5, context=INSECURE)
            if parts.scheme == "https" else http.client.HTTPConnection("127.0.0.1", int(port), timeout=5))
    try:
        conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers={"Host": parts.netloc})
        resp = conn.getresponse()
        return resp.status, resp.read(), resp.getheader("Content-Type") or ""
    finally:
        conn.close()


def text_of(site: Site, body: bytes, ctype: str = "") -> str:
    """A page as the crawler decodes it: the charset of the header, else the site's (GBK pages declare none)."""
    if "charset=" in ctype:
        return body.decode(ctype.split("charset=")[1])
    return body.decode("gb18030" if site.encoding == "gbk" else "utf-8")


def moment(fact: TimeFact | None) -> datetime | None:
    """A time as LetterItem stores it: a date without a time of day is 00:00 of that day."""
    if fact is None:
        return None
    return fact.value if isinstance(fact.value, datetime) else datetime.combine(fact.value, time())


# ---------------------------------------------------------------------------------------------- reading


@dataclass
class Reading:
    """What reading one channel over HTTP gave: its check, letters (list row merged with the letter page, the page
    winning), the letter pages' 受理时间, and guides."""

    check: ChannelCheckItem
    pages: int = 0
    letters: list[LetterItem] = field(default_factory=list)
    accepted: dict[str, datetime | None] = field(default_factory=dict)
    guides: list[GuideItem] = field(default_factory=list)
    guide_titles: dict[str, str | None] = field(default_factory=dict)


def read_channel(web: SimWeb, site: Site, spec, read_at: datetime) -> Reading:
    url = site.channel_url(spec)
    status, body, ctype = fetch(web, url)
    html = text_of(site, body, ctype)
    state = channel_state(html, url, status=status)
    outcome = "challenge" if status == 412 else "http" if status >= 400 else "ok"
    reading = Reading(ChannelCheckItem(run_id="sim", site_code=site.site_code, channel_url=url, fetched_at=read_at,
                                       outcome=outcome, state=state, status=status))
    if state != "ok":
        return reading
    queue, seen, rows = [url], set(), []
    while queue:  # every list page, following the pagination the page shows
        page_url = queue.pop(0)
        seen.add(page_url)
        page_status, page_body = get(web, page_url)
        assert page_status == 200, page_url
        page_html = text_of(site, page_body)
        reading.pages += 1
        if spec.kind == "guides":
            rows += [e.url for e in list_entries(Selector(text=page_html), page_url)]
            found = read_letter_list(page_html, page_url)
        else:
            found = read_letter_list(page_html, page_url)
            rows += found.entries
        queue += [p for p in found.next_pages if p not in seen and p not in queue]
    for entry in rows if spec.kind != "guides" else []:
        detail_status, detail_body = get(web, entry.url)
        assert detail_status == 200, entry.url
        detail = read_letter_detail(text_of(site, detail_body), entry.url)
        received, answered = detail.received_at or entry.received, detail.answered_at or entry.answered
        status_text = detail.status or entry.status
        reading.letters.append(LetterItem(
            run_id="sim", site_code=site.site_code, channel_url=url, url=entry.url, fetched_at=read_at,
            title=entry.title, category=detail.category or entry.category, unit=detail.answer_unit or entry.unit,
            received_at=moment(received), received_text=received.text if received else None,
            answered_at=moment(answered), answered_text=answered.text if answered else None, status=status_text,
            answered=detail.has_answer if detail.has_answer is not None else status_kind(status_text) == "answered"))
        reading.accepted[entry.url] = moment(detail.accepted_at)
    for guide_url in rows if spec.kind == "guides" else []:
        guide_status, guide_body = get(web, guide_url)
        assert guide_status == 200, guide_url
        guide = read_guide(text_of(site, guide_body), guide_url)
        links = []
        for link in guide.service_links:
            checked = get(web, link.url)[0] if link.url else None
            links.append({"url": link.url, "anchor": link.anchor, "outcome": None if checked is None else
                          "ok" if checked < 400 else "http", "status": checked})
        address = guide.elements.get("办理地点")
        reading.guides.append(GuideItem(
            run_id="sim", site_code=site.site_code, channel_url=url, url=guide_url, fetched_at=read_at, outcome="ok",
            title=guide.title, elements={k: "empty" if e.placeholder else "present" for k, e in guide.elements.items()},
            address=address.value if address and not address.placeholder else None, service_links=links))
        reading.guide_titles[guide_url] = guide.elements["事项名称"].value if "事项名称" in guide.elements else None
    reading.check.pages_read = reading.pages
    reading.check.entries_seen = len(rows)
    return reading


@dataclass
class Served:
    scenario: Scenario
    truth: LettersTruth
    readings: dict[str, Reading]  # channel URL → reading


@pytest.fixture(scope="module")
def served() -> dict[str, Served]:
    """Every channel of every bundled scenario, read over HTTP at the platform clock."""
    out = {}
    for name in SCENARIOS:
        scenario = load_scenario(name)
        with SimWeb(scenario) as web:
            readings = {site.channel_url(spec): read_channel(web, site, spec, scenario.clock)
                        for site in scenario.sites for spec in site.channels}
        out[name] = Served(scenario, expected_letters(scenario), readings)
    return out


def judge(scenario: Scenario, readings: dict[str, Reading], read_at: datetime | None = None) -> dict[str, dict]:
    """The letters and guides rules on what was read, per site: {rule code: findings}."""
    book = load_rulebook(scenario.rulebook)
    out = {}
    for site in scenario.sites:
        row = Website(site_code=site.site_code, name=site.name, homepage=site.homepage, region_code=site.region_code,
                      region_name=site.region_name, level=site.level, kind=site.kind, sponsor=site.sponsor,
                      parent_site_code=site.parent_site_code)
        facts = SiteFacts(row, "sim", None, [], [], [], [], channel_run="sim")
        for spec in site.channels:
            r = readings[site.channel_url(spec)]
            letters = r.letters if read_at is None else [
                dataclasses.replace(x, fetched_at=read_at) for x in r.letters]
            facts.channels.append(ChannelFacts(Channel(site_code=site.site_code, url=site.channel_url(spec),
                                                       name=spec.name, kind=spec.kind, unit=spec.unit),
                                               r.check, letters, r.guides))
        out[site.site_code] = {code: RULES[code].check(facts, book[code], scenario.as_of)
                               for code in ("interaction_response", "letter_timeliness", "service_practical",
                                            "guide_elements")}
    return out


def whole(findings: list) -> str:
    [site_level] = [f for f in findings if f.site_level]
    return site_level.outcome


# ---------------------------------------------------------------------------------------------- scenario files


def test_channels_load_with_the_scenario_and_its_rulebook() -> None:
    honghe = load_scenario("honghe_2021q1")
    assert honghe.rulebook == SCENARIO_DIR / "honghe_rulebook.yaml"
    assert load_rulebook(honghe.rulebook)["letter_timeliness"].param("reply_workdays") == 3
    assert load_scenario("guides_elsewhere").rulebook is None
    for site in honghe.sites:  # one working consult channel and one guides list per site
        assert [(c.kind, c.state) for c in site.channels] == [("consult", "working"), ("guides", "working")]
        assert site.channels[0].name in ("州长信箱", "市长信箱", "县长信箱")
        assert site.channels[0].name[0] == {"city": "州"}.get(site.level, site.region_name[-1])
        assert len(site.channels[1].guides) == 4
    assert tuple(ELEMENTS) == GUIDE_ELEMENTS  # the nine elements as the extraction names them
    # Every channel state and every guide link kind is exercised somewhere.
    used = [load_scenario(n) for n in SCENARIOS]
    assert {c.state for s in used for site in s.sites for c in site.channels} == set(CHANNEL_STATES)
    assert {g.link for s in used for site in s.sites for c in site.channels for g in c.guides} == set(GUIDE_LINKS)
    assert {c.layout for s in used for site in s.sites for c in site.channels if c.kind != "guides"} == {"table", "ul"}
    assert {c.times for s in used for site in s.sites for c in site.channels} == {"minute", "date"}


def bad_data() -> dict:
    """The 红河州 scenario as data, its YAML anchors unshared (a change touches one site only)."""
    data = yaml.safe_load((SCENARIO_DIR / "honghe_2021q1.yaml").read_text(encoding="utf-8"))
    return json.loads(json.dumps(data, default=str, ensure_ascii=False))


@pytest.mark.parametrize(("change", "field_name"), [
    (lambda d: d["sites"][0]["channels"][0]["letters"][0].update(answered_workdays="soon"),
     "sites[0].channels[0].letters[0].answered_workdays"),
    (lambda d: d["sites"][0]["channels"][0]["letters"][0].update(received="2021-02-30 10:00"),
     "sites[0].channels[0].letters[0].received"),
    (lambda d: d["sites"][0]["channels"][0]["letters"][1].update(received="2021-03-04 09:00"),
     "sites[0].channels[0].letters[1].received"),
    (lambda d: d["sites"][0]["channels"][0]["letters"][3].update(category="表扬信"),
     "sites[0].channels[0].letters[3].category"),
    (lambda d: d["sites"][0]["channels"][0]["letters"][6].update(every_days=0),
     "sites[0].channels[0].letters[6].every_days"),
    (lambda d: d["sites"][0]["channels"][0]["letters"][6].update(received="2021-01-01 10:00"),
     "sites[0].channels[0].letters[6]"),
    (lambda d: d["sites"][0]["channels"][0]["letters"][4].update(answered="2021-02-01 10:00", answered_workdays=2),
     "sites[0].channels[0].letters[4].answered"),
    (lambda d: d["sites"][0]["channels"][0]["letters"][0].update(at="25:00", received_days_ago=3),
     "sites[0].channels[0].letters[0]"),
    (lambda d: d["sites"][0]["channels"][0].update(state="broken"), "sites[0].channels[0].state"),
    (lambda d: d["sites"][0]["channels"][0].update(state="404"), "sites[0].channels[0].state"),
    (lambda d: d["sites"][0]["channels"][0].update(kind="mailbox"), "sites[0].channels[0].kind"),
    (lambda d: d["sites"][0]["channels"][0].pop("name"), "sites[0].channels[0].name"),
    (lambda d: d["sites"][0]["channels"][1].update(slug="zzxx"), "sites[0].channels: duplicate slugs"),
    (lambda d: d["sites"][3]["channels"][1].update(guides=[{"missing": ["办理地址"]}]),
     "sites[3].channels[1].guides[0].missing"),
    (lambda d: d["sites"][3]["channels"][1].update(guides=[{"link": "broken"}]),
     "sites[3].channels[1].guides[0].link"),
    (lambda d: d["sites"][3]["channels"][1].update(guides=[{"empty": ["办理地点"], "address": "蒙自市"}]),
     "sites[3].channels[1].guides[0].address"),
    (lambda d: d["sites"][3]["channels"][0].update(guides=[{"count": 2}]), "sites[3].channels[0].guides"),
    (lambda d: d["sites"][3]["channels"][1].update(letters=[{"count": 2}]), "sites[3].channels[1].letters"),
    (lambda d: d.update(rulebook="no_such_rulebook.yaml"), "rulebook"),
])
def test_invalid_channels_are_refused_naming_the_entry(tmp_path: Path, change, field_name: str) -> None:
    data = bad_data()
    data["rulebook"] = str(SCENARIO_DIR / "honghe_rulebook.yaml")  # the copy lives elsewhere
    change(data)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(str(path))
    assert str(path) in str(err.value) and field_name in str(err.value), str(err.value)


def test_registry_with_channels_imports(db_url: str, tmp_path: Path) -> None:
    scenario = load_scenario("guides_elsewhere")
    assert "channels" not in scenario.registry()  # opt-in: a registered channel nobody crawled is 无监测数据
    path = scenario.write_registry(tmp_path / "targets.yaml", channels=True)
    reg = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert reg == scenario.registry(channels=True)
    assert reg["channels"][0] == {"site_code": "6107270001", "name": "县长信箱",
                                  "url": "http://www.lueyang.gov.cn/hdjl/xzxx/", "kind": "consult", "unit": "略阳县"}
    engine = db.engine_for(db_url)
    upgrade(engine)
    counts = import_files(engine, [path])
    assert counts["channels"] == sum(len(s.channels) for s in scenario.sites) == 10
    with engine.connect() as conn:
        rows = {(r.site_code, r.url): r for r in conn.execute(select(db.channels))}
    assert {(r["site_code"], r["url"], r["name"], r["kind"], r["unit"]) for r in reg["channels"]} == {
        (r.site_code, r.url, r.name, r.kind, r.unit) for r in rows.values()}
    assert rows[("6107000001", "http://www.hanzhong.gov.cn/jact/front/mailpublist.do?sysid=szxx")].kind == "consult"
    assert rows[("6109240001", "http://www.zyx.gov.cn/bsfw/sjgk/")].name == "三级公开"
    engine.dispose()


# ---------------------------------------------------------------------------------------------- what is served


@pytest.mark.parametrize("name", SCENARIOS)
def test_channel_states_read_as_the_scenario_says(served: dict[str, Served], name: str) -> None:
    s = served[name]
    for truth in s.truth.channels:
        check = s.readings[truth.url].check
        assert (check.state, check.status) == (truth.extract_state, truth.status), truth.url
        if truth.state == "working":
            assert s.readings[truth.url].pages == truth.pages
            assert truth.pages <= MONITOR_MAX_LETTER_PAGES  # the spider reaches every letter
            assert len(truth.letters) <= MONITOR_MAX_LETTERS and len(truth.guides) <= MONITOR_GUIDES_PER_CHANNEL


@pytest.mark.parametrize("name", SCENARIOS)
def test_letters_read_back_exactly(served: dict[str, Served], name: str) -> None:
    s = served[name]
    for truth in s.truth.channels:
        r = s.readings[truth.url]
        got = [(x.url, x.title, x.category, x.unit, x.received_at, x.received_text, x.answered_at, x.answered_text,
                x.status, x.answered) for x in r.letters]
        want = [(x.url, x.title, x.category, x.unit, x.received, x.received_text, x.answered, x.answered_text,
                 x.status, x.answered is not None) for x in truth.letters]
        assert got == want, truth.url
        assert [r.accepted[x.url] for x in truth.letters] == [x.accepted for x in truth.letters]


def test_letter_times_in_both_forms(served: dict[str, Served]) -> None:
    honghe = served["honghe_2021q1"]
    zz = honghe.readings["http://www.hh.gov.cn/hdjl/zzxx/"].letters
    late = next(x for x in zz if x.received_text == "2021-02-09 09:05")
    assert (late.answered_text, late.unit, late.status) == ("2021-02-22 11:00", "州交通运输局", "已办结")
    gejiu = honghe.readings["http://www.gejiu.gov.cn/hdjl/szxx/"].letters  # GBK table site: 2021年3月2日
    assert all(x.received_text.endswith("日") and x.received_at.time() == time() for x in gejiu)
    pending = next(x for x in honghe.readings["http://www.lvchun.gov.cn/hdjl/xzxx/"].letters
                   if x.received_text == "2021-02-19 09:10")
    assert (pending.answered_at, pending.status, pending.answered) == (None, "办理中", False)


@pytest.mark.parametrize("name", SCENARIOS)
def test_guides_read_back_exactly(served: dict[str, Served], name: str) -> None:
    s = served[name]
    for truth in s.truth.channels:
        r = s.readings[truth.url]
        assert [g.url for g in r.guides] == [g.url for g in truth.guides], truth.url
        for got, want in zip(r.guides, truth.guides, strict=True):
            assert got.elements == want.elements, want.url
            assert got.address == want.address, want.url
            if want.title:  # a guide without 事项名称 has no heading either
                assert got.title == want.title, want.url
            assert r.guide_titles[got.url] == (want.item if "事项名称" in want.values else None)
            links = [(x["url"], x["status"]) for x in got.service_links]
            if want.link == "none":
                assert links == [], want.url
            elif want.link == "nowhere":
                assert links == [(None, None)], want.url
            else:
                assert links == [(want.service_url, want.link_status)], want.url


def test_guides_of_shaanxi_as_the_notice_found_them(served: dict[str, Served]) -> None:
    s = served["guides_elsewhere"]
    lueyang = [g for c in s.truth.channels if c.site_code == "6107270001" for g in c.guides]
    assert [g.outside for g in lueyang if g.outside] == [["610400", "610402"]] * 2  # 咸阳市, 秦都区
    assert all(not g.outside for c in s.truth.channels if c.site_code != "6107270001" for g in c.guides)
    mian = [g.address for c in s.truth.channels if c.site_code == "6107250001" for g in c.guides]
    assert "汉中市政务服务中心一楼勉县事项窗口" in mian  # its city's hall: inside
    ziyang = [g for c in s.truth.channels if c.site_code == "6109240001" for g in c.guides]
    assert [g.link for g in ziyang] == ["none", "none", "dead", "nowhere"]
    assert all("办事指南与政务服务网未建立准确链接" in g.failing for g in ziyang)
    assert s.truth.interaction == {"6107270001": "pass", "6107250001": "pass", "6109240001": "pass",
                                   "6103020001": "fail", "6107000001": "inconclusive"}
    assert s.truth.service == {"6107270001": "fail", "6107250001": "pass", "6109240001": "pass",
                               "6103020001": "pass", "6107000001": "pass"}
    assert s.truth.guide_problems["6109240001"] == "fail"
    assert [c.url for c in s.truth.broken_channels] == ["http://www.weibin.gov.cn/hdjl/qzxx/"]


def test_service_items_on_the_provincial_zwfw_hosts() -> None:
    scenario = load_scenario("guides_elsewhere")
    with SimWeb(scenario) as web:
        mapped = dict(e.split("=") for e in web.host_map.split(";"))
        assert {"zwfw.yn.gov.cn", "zwfw.shaanxi.gov.cn", "www.gjzwfw.gov.cn"} <= set(mapped)
        site = scenario.site("6107270001")
        [g0, *_] = channels.guides(scenario, site, site.channel("bszn"))
        status, body = get(web, g0.service_url)
        assert g0.service_url.startswith("https://zwfw.shaanxi.gov.cn/portal/itemDetail?itemCode=610727")
        assert status == 200 and "个体工商户设立登记" in body.decode() and "陕西政务服务网" in body.decode()
        assert get(web, "https://zwfw.shaanxi.gov.cn/portal/itemDetail?itemCode=000")[0] == 404
        assert get(web, g0.service_url.replace("shaanxi", "yn"))[0] == 404  # another province's network
        # Pages past the last, and letters of a channel that does not work, do not exist.
        assert get(web, "http://www.lueyang.gov.cn/hdjl/xzxx/index_9.html")[0] == 404
        assert get(web, "http://www.weibin.gov.cn/hdjl/qzxx/")[0] == 404
        assert get(web, "http://www.hanzhong.gov.cn/jact/front/mailpublist.do?sysid=szxx&pageNo=2")[0] == 404
        assert get(web, "http://www.lueyang.gov.cn/hdjl/nosuch/")[0] == 404


def test_pages_are_deterministic_and_follow_the_monitoring_point() -> None:
    urls = ["http://www.hh.gov.cn/hdjl/zzxx/", "http://www.hh.gov.cn/hdjl/zzxx/index_1.html",
            "http://www.kaiyuan.gov.cn/jact/front/mailpublist.do?sysid=szxx", "http://www.hh.gov.cn/bsfw/bszn/"]
    bodies = []
    for _ in range(2):
        scenario = load_scenario("honghe_2021q1")
        with SimWeb(scenario) as web:
            bodies.append([get(web, u)[1] for u in urls])
    assert bodies[0] == bodies[1]
    later = load_scenario("honghe_2021q1")
    with SimWeb(later, later.as_of + timedelta(days=10)):
        site = later.site("5325240001")
        shown = channels.letters(later, site, site.channels[0])
    # days-ago letters move with the monitoring point; dated ones stay where they are
    assert shown[0].received.date() == date(2021, 3, 12)
    assert any(x.received == datetime(2021, 1, 11, 9, 20) for x in shown)


# ---------------------------------------------------------------------------------------------- what the rules find


def test_honghe_letters_give_the_notice_annex_4(served: dict[str, Served]) -> None:
    s = served["honghe_2021q1"]
    assert s.truth.workdays == 3 and s.truth.window == (date(2020, 12, 3), date(2021, 3, 3))
    assert s.truth.overdue == NOTICE_ANNEX_4
    assert s.truth.unanswered == {} and s.truth.broken_channels == []
    assert not [x.url for x in s.truth.letters if x.timeliness == "inconclusive"]
    # 附件4 from the pages as read, counted here with the working-day calendar: the same units and counts.
    cal, overdue = WorkCalendar(), Counter()
    for site in s.scenario.sites:
        for spec in site.channels:
            for x in s.readings[site.channel_url(spec)].letters:
                deadline = cal.deadline(x.received_at, 3)
                if date(2020, 12, 3) <= deadline.date() <= date(2021, 3, 3) and (
                        x.answered_at is None or x.answered_at > deadline):
                    overdue[spec.unit or x.unit] += 1
    assert overdue == NOTICE_ANNEX_4
    # The same crawl read years later sees the same pages and gives the same list.
    assert expected_letters(s.scenario, read_at=LATER).overdue == NOTICE_ANNEX_4


def test_spring_festival_letters_need_the_working_day_calendar(served: dict[str, Served]) -> None:
    """Letters across 2021's Spring Festival: counting Monday–Friday would judge them the other way."""
    truth = served["honghe_2021q1"].truth

    def weekday_deadline(received: datetime, n: int) -> date:
        day = received.date()
        while n:
            day += timedelta(days=1)
            n -= day.weekday() < 5
        return day

    by_received = {(x.url.split("/")[2], x.received): x for x in truth.letters}
    cases = {("www.hh.gov.cn", datetime(2021, 2, 9, 11, 32)): ("pass", date(2021, 2, 19), True),  # Feb 11–17 off
             ("www.hh.gov.cn", datetime(2021, 2, 5, 16, 20)): ("fail", date(2021, 2, 9), True),  # Sunday Feb 7
             ("www.lvchun.gov.cn", datetime(2021, 2, 18, 15, 30)): ("fail", date(2021, 2, 22), True),  # Saturday
             ("www.lvchun.gov.cn", datetime(2021, 2, 5, 10, 40)): ("fail", date(2021, 2, 9), True),
             # answered on the last day, Monday Feb 22 (Saturday Feb 20 worked): in time either way
             ("www.hh.gov.cn", datetime(2021, 2, 18, 10, 5)): ("pass", date(2021, 2, 22), False)}
    for key, (outcome, deadline, opposite) in cases.items():
        x = by_received[key]
        assert (x.timeliness, x.deadline.date()) == (outcome, deadline), key
        naive = x.answered is not None and x.answered.date() <= weekday_deadline(x.received, 3)
        assert (naive != (outcome == "pass")) == opposite, key  # Monday–Friday says the opposite
    # One letter of November 2020 was late, but its deadline is outside the 3 months before the monitoring point.
    november = by_received[("www.hh.gov.cn", datetime(2020, 11, 16, 9, 48))]
    assert november.answered > november.deadline and not november.judged
    first_day = by_received[("www.hh.gov.cn", datetime(2020, 11, 30, 16, 2))]
    assert first_day.deadline.date() == date(2020, 12, 3) and first_day.timeliness == "pass"


@pytest.mark.parametrize("name", SCENARIOS)
def test_rules_on_what_was_read_agree_with_expected(served: dict[str, Served], name: str) -> None:
    s = served[name]
    findings = judge(s.scenario, s.readings)
    letter_urls = {x.url for x in s.truth.letters}
    for code, by_rule in findings.items():
        assert whole(by_rule["interaction_response"]) == s.truth.interaction[code], code
        assert whole(by_rule["service_practical"]) == s.truth.service[code], code
        assert whole(by_rule["guide_elements"]) == s.truth.guide_problems[code], code
        unanswered = sorted(f.subject for f in by_rule["interaction_response"]
                            if f.subject in letter_urls and f.outcome == FAIL)
        assert unanswered == sorted(s.truth.unanswered.get(code, [])), code
    late = Counter(f.evidence["unit"] for by_rule in findings.values() for f in by_rule["letter_timeliness"]
                   if not f.site_level and f.outcome == FAIL)
    assert late == Counter(s.truth.overdue)
    judged = {f.subject: f.outcome for by_rule in findings.values() for f in by_rule["letter_timeliness"]
              if f.subject in letter_urls}
    assert judged == {x.url: x.timeliness for x in s.truth.letters if x.judged}
    if name == "honghe_2021q1":  # read years later: the same
        later = judge(s.scenario, s.readings, LATER)
        assert Counter(f.evidence["unit"] for by_rule in later.values() for f in by_rule["letter_timeliness"]
                       if not f.site_level and f.outcome == FAIL) == Counter(NOTICE_ANNEX_4)
        assert {whole(b["interaction_response"]) for b in later.values()} == {"pass"}


def test_defects_exercise_every_outcome(served: dict[str, Served]) -> None:
    truth = served["defects"].truth
    assert truth.interaction == {"5325000011": "fail", "5325010011": "fail", "5325020011": "pass",
                                 "5325000012": "inconclusive", "5325030011": "skipped", "5325040011": "skipped"}
    assert truth.service["5325010011"] == "fail" and truth.service["5325020011"] == "fail"
    assert truth.service["5325000012"] == "inconclusive"
    assert len(truth.unanswered["5325000011"]) == 2  # never answered since October; answered after 4 months
    petition = truth.channel("http://www.slz.gov.cn/hdjl/wsxf/")
    assert petition.kind == "petition" and all(x.unanswered_months is None for x in petition.letters)
    assert truth.overdue == {"示例州交通运输局": 1}
    reasons = {g.item: g.failing for c in truth.channels for g in c.guides}
    assert reasons["建设工程规划许可证核发"] == ["办事指南要素不准确"]
    assert reasons["社会团体成立登记"] == []
    unreadable = served["unreadable"].truth
    assert unreadable.interaction["5326010021"] == "inconclusive"
    assert unreadable.service["5326010021"] == "inconclusive"
