"""The simulated government web over real HTTP: routing by Host, the three CMS templates, defects and bad responses,
and the ground truth derived by expected() agreeing with what the server actually serves."""

from __future__ import annotations

import http.client
import json
import re
import signal
import socket
import ssl
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import yaml

from monitor.simweb.expected import expected
from monitor.simweb.generate import generate_region, page_count
from monitor.simweb.scenario import CATEGORIES, ScenarioError, load_scenario
from monitor.simweb.server import SimWeb

AS_OF = date(2021, 3, 3)


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def text(self, encoding: str = "utf-8") -> str:
        return self.body.decode(encoding)


def resolve(web: SimWeb) -> dict[str, int]:
    """The host map as the crawler reads it: host → port on 127.0.0.1."""
    out = {}
    for entry in web.host_map.split(";"):
        host, address = entry.split("=")
        ip, port = address.rsplit(":", 1)
        assert ip == "127.0.0.1"
        out[host] = int(port)
    return out


def fetch(web: SimWeb, url: str, timeout: float = 5.0, host_header: str | None = None) -> Reply:
    """GET url the way the crawler does: connect to the mapped address, keep the URL's Host header."""
    parts = urlsplit(url)
    port = resolve(web).get(parts.hostname or "")
    if port is None:
        raise LookupError(f"{parts.hostname} is not in the host map")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request("GET", path or "/", headers={"Host": host_header or parts.netloc})
        resp = conn.getresponse()
        return Reply(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
    finally:
        conn.close()


@pytest.fixture(scope="module")
def honghe():
    scenario = load_scenario("honghe_2021q1")
    with SimWeb(scenario) as web:
        yield scenario, web


@pytest.fixture(scope="module")
def defects():
    scenario = load_scenario("defects")
    with SimWeb(scenario, hang_seconds=1.5, giant_bytes=300_000) as web:
        yield scenario, web


# ---------------------------------------------------------------------------------------------- scenario files


def test_bundled_scenarios_load_by_name_and_by_path() -> None:
    by_name = load_scenario("honghe_2021q1")
    path = Path(__file__).resolve().parent.parent / "monitor" / "simweb" / "scenarios" / "honghe_2021q1.yaml"
    by_path = load_scenario(str(path))
    assert by_name.registry() == by_path.registry()
    assert by_name.as_of == AS_OF and len(by_name.sites) == 14
    with pytest.raises(ScenarioError, match="no scenario"):
        load_scenario("no_such_scenario")


@pytest.mark.parametrize(("change", "field"), [
    (lambda d: d["sites"][0].update(template="wordpress"), "sites[0].template"),
    (lambda d: d["sites"][1].pop("host"), "sites[1].host"),
    (lambda d: d["sites"][0]["columns"][0].update(category="news"), "sites[0].columns[0].category"),
    (lambda d: d["sites"][0]["columns"][0].update(articles={"count": 3, "newest_days": 2}), "articles"),
    (lambda d: d["sites"][0]["columns"][0].update(articles={"count": "many"}), "articles.count"),
    (lambda d: d["sites"][0].update(defects={"broken_links": [{"kind": "418"}]}), "broken_links[0].kind"),
    (lambda d: d["sites"][0].update(defects={"leaks": True}), "sites[0].defects"),
    (lambda d: d["sites"][2].update(site_code="53252"), "sites[2].site_code"),
    (lambda d: d["sites"][2].update(host=d["sites"][3]["host"]), "sites.host"),
    (lambda d: d.update(as_of="2021-02-30"), "as_of"),
    (lambda d: d["column_defaults"][1].pop("slug"), "column_defaults[1].slug"),
])
def test_invalid_scenarios_are_refused_naming_file_and_field(tmp_path: Path, change, field: str) -> None:
    data = yaml.safe_load((Path(__file__).resolve().parent.parent / "monitor/simweb/scenarios/honghe_2021q1.yaml")
                          .read_text(encoding="utf-8"))
    load_scenario_data = tmp_path / "bad.yaml"
    change(data)
    load_scenario_data.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(str(load_scenario_data))
    assert str(load_scenario_data) in str(err.value) and field in str(err.value)


def test_compact_and_explicit_article_forms() -> None:
    scenario = load_scenario("honghe_2021q1")
    hh = scenario.site("5325000001")
    edu = next(c for c in hh.columns if c.unit == "州教育体育局")
    assert edu.days_ago == [20 + 6 * i for i in range(12)]  # {count: 12, newest_days_ago: 20, every_days: 6}
    blank = [c for c in scenario.site("5325240001").columns if c.blank]
    assert len(blank) == 7 and all(c.days_ago == [] for c in blank)


def test_registry_in_the_import_format(tmp_path: Path) -> None:
    scenario = load_scenario("honghe_2021q1")
    reg = yaml.safe_load(scenario.write_registry(tmp_path / "targets.yaml").read_text(encoding="utf-8"))
    assert reg == scenario.registry()
    assert [w["site_code"] for w in reg["websites"]] == [s.site_code for s in scenario.sites]
    assert set(reg["websites"][0]) == {"site_code", "name", "homepage", "region_code", "region_name", "level", "kind",
                                       "sponsor", "parent_site_code"}
    # Only the 州 portal lists its columns; the county portals are left to discovery from the navigation.
    listed = {c["site_code"] for c in reg["columns"]}
    assert listed == {s.site_code for s in scenario.sites if s.registry_columns} == {"5325000001"}
    assert len(reg["columns"]) == len(scenario.site("5325000001").columns)
    edu = [c for c in reg["columns"] if c["unit"] == "州教育体育局"]
    assert edu == [{"site_code": "5325000001", "name": "工作动态", "url": "http://www.hh.gov.cn/jyxxgk-gzdt/",
                    "category": "dynamic", "unit": "州教育体育局",
                    "path": "首页>政府信息公开>法定主动公开内容>重点领域信息公开>红河州教育信息公开>工作动态", "level": 5}]
    assert all(c["category"] in CATEGORIES for c in reg["columns"])
    assert all({"platform", "account", "name", "owner_unit", "region_code"} <= set(a) for a in reg["accounts"])


# ---------------------------------------------------------------------------------------------- the demo region


def test_demo_region_matches_the_notice() -> None:
    scenario = load_scenario("honghe_2021q1")
    truth = expected(scenario)
    assert truth.as_of == AS_OF
    codes = {s.site_code: s for s in scenario.sites}
    assert codes["5325010002"].name == "个旧市人民政府" and codes["5325020004"].name == "开远市人民政府"
    assert codes["5325240001"].name == "建水县人民政府"
    assert {s.region_code for s in scenario.sites} == {"532500", "532501", "532502", "532503", "532504", "532523",
                                                       "532524", "532525", "532527", "532528", "532529", "532530",
                                                       "532531", "532532"}
    assert [(s.level, s.kind) for s in scenario.sites if s.region_code == "532500"] == [("city", "portal")]
    assert all(s.level == "county" and s.kind == "portal" for s in scenario.sites if s.region_code != "532500")
    assert all(s.site_code.startswith(s.region_code) and len(s.site_code) == 10 for s in scenario.sites)
    assert all(re.fullmatch(r"www\.[a-z]+\.gov\.cn", s.host) for s in scenario.sites)
    blank = {code: len(t.blank_columns) for code, t in truth.sites.items()}
    assert {code: n for code, n in blank.items() if n >= 5} == {"5325010002": 5, "5325020004": 6, "5325240001": 7}
    assert all(n <= 2 for code, n in blank.items() if code not in ("5325010002", "5325020004", "5325240001"))
    # Exactly one stale dynamic column, the 州教育体育局 one, 20 days old; everything else within its period.
    limits = {"dynamic": 7, "notice": 183, "policy": 183, "personnel": 365, "plan": 365}
    late = [(code, c.path, (AS_OF - c.newest).days) for code, t in truth.sites.items() for c in t.columns
            if c.newest is not None and (AS_OF - c.newest).days > limits.get(c.category, 10**6)]
    assert late == [("5325000001", "首页>政府信息公开>法定主动公开内容>重点领域信息公开>红河州教育信息公开>工作动态", 20)]
    for t in truth.sites.values():
        assert t.reachable and t.homepage_newest is not None and (AS_OF - t.homepage_newest).days <= 14
        assert t.footer["site_code"] == t.site_code and t.footer["icp"] and t.footer["police"]
        assert t.footer["conac"] and t.footer["zhaocuo"]
        assert not (t.typos or t.ads or t.hidden_links or t.personal_data)
        assert all(outcome == "http" and status == 404 and not on_home
                   for _url, outcome, status, on_home in t.broken_links)
    assert 1 <= sum(len(t.broken_links) for t in truth.sites.values()) <= 2
    assert {s.template for s in scenario.sites} == {"trs", "table", "portal"}
    assert any(s.encoding == "gbk" for s in scenario.sites)
    failing = {"个旧市财政局", "个旧脱贫攻坚", "红河哈尼梯田", "蔓耗蛮好", "美丽河口无线WIFI", "蒙自招商", "弥勒市河长制",
               "河口文化和旅游", "个旧市政务公开", "边境小警", "弥勒市文旅官抖", "石屏警方"}
    names = [a["name"] for a in scenario.accounts]
    assert failing < set(names) and len(names) > len(failing)


# ---------------------------------------------------------------------------------------------- serving


def test_routing_by_host_header(honghe) -> None:
    scenario, web = honghe
    hosts = resolve(web)
    for site in scenario.sites:
        assert hosts[site.host] == web.port
        reply = fetch(web, web.url(site.site_code))
        assert reply.status == 200, site.host
        assert site.name in reply.body.decode(site.encoding if site.encoding != "gbk" else "gb18030")
    # The port in the Host header is ignored; an unknown host gets a 404 page.
    site = scenario.sites[3]
    assert fetch(web, web.url(site.site_code), host_header=f"{site.host}:{web.port}").body == \
        fetch(web, web.url(site.site_code)).body
    assert fetch(web, web.url(site.site_code), host_header="www.unknown.gov.cn").status == 404
    assert fetch(web, web.url(site.site_code, "/no/such/page.html")).status == 404


def test_gbk_pages_carry_no_charset_in_the_header(honghe) -> None:
    scenario, web = honghe
    gbk = [s for s in scenario.sites if s.encoding == "gbk"]
    assert gbk
    for site in gbk:
        reply = fetch(web, web.url(site.site_code))
        assert reply.headers["content-type"] == "text/html"
        with pytest.raises(UnicodeDecodeError):
            reply.body.decode("utf-8")
        text = reply.body.decode("gb18030")
        assert site.name in text
        assert ("charset" in text.lower()) == site.meta_charset
        # The footer comes from a script: the static page has no mark, footer.js has them all.
        assert site.site_code not in text
        js = fetch(web, web.url(site.site_code, "/footer.js")).body.decode("gb18030")
        assert site.site_code in js and site.icp in js and "我为政府网站找错" in js


def list_rows(web: SimWeb, site, column_url: str) -> tuple[list[date], int]:
    """Dates of a column's list as served (following 下一页 or reading list.json), and the pages fetched."""
    if site.template == "portal":
        page = fetch(web, column_url).text()
        assert '<div class="list" id="list" data-url="list.json"></div>' in page
        data = json.loads(fetch(web, urljoin(column_url, "list.json")).body)
        return [date(*map(int, x["pubDate"].split("/"))) for x in data["data"]["list"]], 2
    dates, url, pages = [], column_url, 0
    encoding = "gb18030" if site.encoding == "gbk" else "utf-8"
    while url:
        reply = fetch(web, url)
        assert reply.status == 200, url
        page, pages = reply.body.decode(encoding), pages + 1
        if site.template == "table":
            dates += [date(int(y), int(m), int(d)) for y, m, d in re.findall(r"<td>(\d{4})年(\d{1,2})月(\d{1,2})日</td>", page)]
        else:
            dates += [date.fromisoformat(d) for d in re.findall(r"<span>(\d{4}-\d{2}-\d{2})</span>", page)]
        nxt = re.search(r'<a href="([^"]+)">下一页</a>', page)
        url = urljoin(url, nxt.group(1)) if nxt else None
    return dates, pages


def test_trs_pagination(honghe) -> None:
    scenario, web = honghe
    site = scenario.site("5325000001")
    column = next(c for c in site.columns if c.slug == "znyw")  # 40 articles: two list pages
    first = fetch(web, site.column_url(column)).text()
    assert 'createPageHTML(2, 0, "index", "html")' in first and '<a href="index_1.html">下一页</a>' in first
    second = fetch(web, site.column_url(column) + "index_1.html").text()
    assert 'createPageHTML(2, 1, "index", "html")' in second and "下一页" not in second
    assert fetch(web, site.column_url(column) + "index_2.html").status == 404
    dates, pages = list_rows(web, site, site.column_url(column))
    assert pages == 2 and dates == [scenario.day(d) for d in column.days_ago]


def test_portal_lists_by_xhr_and_article_dates(honghe) -> None:
    scenario, web = honghe
    site = next(s for s in scenario.sites if s.template == "portal")
    column = next(c for c in site.columns if c.slug == "gzdt")
    reply = fetch(web, site.column_url(column) + "list.json")
    assert reply.headers["content-type"].startswith("application/json")
    data = json.loads(reply.body)
    assert data["data"]["total"] == len(column.days_ago)
    newest = scenario.day(column.days_ago[0])
    assert data["data"]["list"][0]["pubDate"] == f"{newest.year}/{newest.month}/{newest.day}"
    home = fetch(web, web.url(site.site_code)).text()
    assert f"<span>[{newest:%m-%d}]</span>" in home
    article = fetch(web, web.url(site.site_code, data["data"]["list"][0]["url"])).text()
    assert f"发布时间:{newest.year}年{newest.month}月{newest.day}日 09时30分" in article
    pubdate = re.search(r'<meta name="PubDate" content="([^"]+)">', article).group(1)
    assert not pubdate.startswith(newest.isoformat())  # the meta disagrees with the visible date


def test_table_lists_use_chinese_dates(honghe) -> None:
    scenario, web = honghe
    site = next(s for s in scenario.sites if s.template == "table")
    column = next(c for c in site.columns if c.slug == "tzgg")
    dates, _ = list_rows(web, site, site.column_url(column))
    assert dates == [scenario.day(d) for d in column.days_ago]


def crawl_site(web: SimWeb, scenario, site) -> tuple[dict[str, tuple[date | None, int]], date | None, int]:
    """Discover the columns from the homepage navigation and read their lists: {column url: (newest, count)}."""
    encoding = "gb18030" if site.encoding == "gbk" else "utf-8"
    home = fetch(web, site.homepage).body.decode(encoding)
    nav = re.search(r'<div class="nav">(.*?)</div>', home).group(1)
    found, fetched = {}, 1
    for href in re.findall(r'<a href="(/[^"]+/)">', nav):
        url = urljoin(site.homepage, href)
        dates, pages = list_rows(web, site, url)
        fetched += pages
        for d in dates:  # every listed article is served
            assert d <= scenario.as_of
        found[url] = (max(dates, default=None), len(dates))
    if site.template == "portal":
        news = [date(scenario.as_of.year, int(m), int(d)) for m, d in re.findall(r"<span>\[(\d\d)-(\d\d)\]</span>", home)]
    elif site.template == "table":
        news = [date(int(y), int(m), int(d)) for y, m, d in re.findall(r"(\d{4})年(\d{1,2})月(\d{1,2})日</td>", home)]
    else:
        news = [date.fromisoformat(d) for d in re.findall(r"<span>(\d{4}-\d{2}-\d{2})</span>", home)]
    return found, max(news, default=None), fetched


def test_expected_agrees_with_what_is_served(honghe) -> None:
    scenario, web = honghe
    truth = expected(scenario)
    for site in scenario.sites:
        t = truth.sites[site.site_code]
        found, home_newest, _ = crawl_site(web, scenario, site)
        assert found == {c.url: (c.newest, c.count) for c in t.columns}, site.host
        assert home_newest == t.homepage_newest
        for url, _outcome, status, on_home in t.broken_links:
            assert fetch(web, url).status == status
            page = fetch(web, site.homepage if on_home else article_linking(web, scenario, site, url)).body
            assert url.split(site.host)[1].encode() in page
        encoding = "gb18030" if site.encoding == "gbk" else "utf-8"
        assert served_footer(web, site, encoding) == t.footer


def article_linking(web: SimWeb, scenario, site, url: str) -> str:
    from monitor.simweb import templates

    column, i = templates.first_article(site)
    return site.homepage.rstrip("/") + templates.article_path(scenario, column, i)


def served_footer(web: SimWeb, site, encoding: str) -> dict:
    """The footer marks as a reader of the (rendered) page sees them."""
    page = fetch(web, site.homepage).body.decode(encoding)
    if "/footer.js" in page:
        page = json.loads(fetch(web, site.homepage + "footer.js").body.decode(encoding).split(" = ", 1)[1].rstrip(";"))
    elif "document.write(" in page:
        page = json.loads(re.search(r"document\.write\((.*?)\);</script>", page).group(1))
    code = re.search(r"网站标识码：(\d+)", page)
    icp = re.search(r"[\u4e00-\u9fff]ICP备\d+号", page)
    police = re.search(r"<span>(\S+公网安备)</span> <span>(\d+号)</span>", page)
    return {"site_code": code.group(1) if code else None, "icp": icp.group(0) if icp else None,
            "police": "".join(police.groups()) if police else None,
            "conac": "bszs.conac.cn" in page, "zhaocuo": "我为政府网站找错" in page}


def test_determinism_and_the_monitoring_point() -> None:
    paths = ["/", "/gzdt/", "/tzgg/index.html", "/footer.js"]
    served = []
    for _ in range(2):
        scenario = load_scenario("honghe_2021q1")
        with SimWeb(scenario) as web:
            served.append([fetch(web, web.url(s.site_code, p)).body for s in scenario.sites for p in paths])
    assert served[0] == served[1]
    later = load_scenario("honghe_2021q1")
    with SimWeb(later, AS_OF + timedelta(days=30)) as web:
        moved = [fetch(web, web.url(s.site_code, p)).body for s in later.sites for p in paths]
        site = later.site("5325000001")
        dates, _ = list_rows(web, site, site.homepage + "znyw/")
    assert moved != served[0]
    assert dates[0] == AS_OF + timedelta(days=29)  # the newest article stays 1 day before the monitoring point
    assert expected(later).sites["5325000001"].columns[-1].newest == AS_OF + timedelta(days=29)


# ---------------------------------------------------------------------------------------------- defects


def test_broken_links_fail_the_way_expected_says(defects) -> None:
    scenario, web = defects
    truth = expected(scenario)
    hosts = resolve(web)
    kinds = set()
    for t in truth.sites.values():
        for url, outcome, status, _on_home in t.broken_links:
            kinds.add(outcome)
            host = urlsplit(url).hostname
            if outcome == "http":
                assert fetch(web, url).status == status, url
            elif outcome == "timeout":
                with pytest.raises(TimeoutError):
                    fetch(web, url, timeout=0.3)
            elif outcome == "dns":
                assert host.endswith(".invalid") and host not in hosts
                with pytest.raises(socket.gaierror):
                    socket.getaddrinfo(host, 80)
            elif outcome == "refused":
                with pytest.raises(ConnectionRefusedError):
                    fetch(web, url)
            elif outcome == "tls":
                with pytest.raises(ssl.SSLError):
                    tls_connect(hosts[host], host)
            else:
                pytest.fail(f"unknown outcome {outcome}")
    assert kinds == {"http", "timeout", "dns", "refused", "tls"}


def tls_connect(port: int, host: str) -> None:
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=3) as raw, \
            context.wrap_socket(raw, server_hostname=host):
        pass


def test_unreachable_and_tls_broken_sites(defects) -> None:
    scenario, web = defects
    truth = expected(scenario)
    hosts = resolve(web)
    down = {s.site_code for s in scenario.sites if s.defects.unreachable}
    tls = {s.site_code for s in scenario.sites if s.defects.tls_broken}
    assert down and tls
    for code in down:
        assert truth.sites[code].availability == "unreachable" and truth.sites[code].home_outcome == "refused"
        with pytest.raises(ConnectionRefusedError):
            fetch(web, web.url(code))
    for code in tls:
        site = scenario.site(code)
        assert web.url(code).startswith("https://") and truth.sites[code].home_outcome == "tls"
        assert hosts[site.host] != web.port
        with pytest.raises(ssl.SSLError):
            tls_connect(hosts[site.host], site.host)
    for code, t in truth.sites.items():
        if code not in down | tls:
            assert t.reachable and fetch(web, web.url(code)).status == 200


def test_footer_defects_typos_ads_and_personal_data(defects) -> None:
    from monitor.simweb import templates

    scenario, web = defects
    truth = expected(scenario)
    checked = 0
    for site in scenario.sites:
        t = truth.sites[site.site_code]
        if not t.reachable:
            continue
        encoding = "gb18030" if site.encoding == "gbk" else "utf-8"
        assert served_footer(web, site, encoding) == t.footer, site.host
        home = fetch(web, site.homepage).body.decode(encoding)
        for ad in t.ads + t.hidden_links:
            assert ad in home
        column, i = templates.first_article(site)
        article = fetch(web, site.homepage.rstrip("/") + templates.article_path(scenario, column, i)).body.decode(encoding)
        for word in t.typos:
            assert word in article
        if t.typos:
            assert "本案列入" in article  # the correct phrase that a naive 案列 search would flag
        for value in t.personal_data_values:
            assert value in article
        if site.defects.missing_attachment:
            assert fetch(web, site.homepage + "files/missing.doc").status == 404
            assert fetch(web, site.homepage + "files/fujian1.pdf").status == 200
        checked += 1
    marks = {k for t in truth.sites.values() for k, v in t.footer.items() if not v}
    assert marks == {"police", "conac", "zhaocuo", "icp", "site_code"}  # every mark is missing somewhere
    assert any(t.footer["site_code"] not in (None, code) for code, t in truth.sites.items())  # a wrong code
    assert any(t.typos for t in truth.sites.values()) and any(t.ads for t in truth.sites.values())
    assert any(t.personal_data_values for t in truth.sites.values())
    assert any(not s.host.endswith(".gov.cn") for s in scenario.sites)
    assert checked >= 3


def test_id_number_has_a_valid_check_digit(defects) -> None:
    scenario, _ = defects
    truth = expected(scenario)
    id_no = next(v for t in truth.sites.values() for v in t.personal_data_values if len(v) == 18)
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    assert "10X98765432"[sum(int(c) * w for c, w in zip(id_no[:17], weights, strict=True)) % 11] == id_no[17]


def test_bad_responses(defects) -> None:
    scenario, web = defects
    site = next(s for s in scenario.sites if s.defects.robustness)
    registered = {c["url"] for c in scenario.registry()["columns"] if c["site_code"] == site.site_code}
    base = site.homepage + "robust/"
    assert {base + p for p in ("redirect-loop", "empty", "binary", "giant", "utf16")} <= registered
    loop = fetch(web, base + "redirect-loop")
    assert loop.status == 302 and urljoin(base + "redirect-loop", loop.headers["location"]) == base + "redirect-loop"
    empty = fetch(web, base + "empty")
    assert empty.status == 200 and empty.body == b""
    binary = fetch(web, base + "binary")
    assert binary.headers["content-type"] == "text/html" and binary.body.startswith(b"\x89PNG")
    assert len(fetch(web, base + "giant").body) > web.giant_bytes
    utf16 = fetch(web, base + "utf16")
    assert utf16.body.startswith(b"\xff\xfe") and "charset" not in utf16.headers["content-type"]
    assert "charset=gb2312" in utf16.body[2:].decode("utf-16-le")
    day = fetch(web, base + "calendar?date=2021-03-02").text()
    assert 'href="/robust/calendar?date=2021-03-03"' in day
    assert 'href="/robust/calendar?date=2099-01-02"' in fetch(web, base + "calendar?date=2099-01-01").text()
    other = next(s for s in scenario.sites if s.site_code != site.site_code and truth_reachable(s))
    first = fetch(web, other.homepage + "robust/retry-after")
    assert first.status == 503 and first.headers["retry-after"] == "1"
    assert fetch(web, other.homepage + "robust/retry-after").status == 200


def truth_reachable(site) -> bool:
    return not (site.defects.unreachable or site.defects.tls_broken)


# ---------------------------------------------------------------------------------------------- generated regions


def test_generated_region_is_realistic_deterministic_and_served_in_full() -> None:
    big = generate_region(10, 200, seed=1)
    assert len(big.sites) >= 10 and page_count(big) >= 2000
    assert generate_region(10, 200, seed=1).registry() == big.registry()
    # Another seed, another region (names may repeat when the built-in name list stands in for the corpus's).
    assert [(s.icp, s.template) for s in generate_region(10, 200, seed=2).sites] != [(s.icp, s.template)
                                                                                    for s in big.sites]
    for site in big.sites:
        assert site.site_code.startswith(site.region_code) and len(site.site_code) == 10
        assert site.host.endswith(".gov.cn") and site.name.endswith("人民政府")
    assert len({s.host for s in big.sites}) == len(big.sites)
    assert {s.template for s in big.sites} == {"trs", "table", "portal"}
    small = generate_region(3, 60, seed=5)
    truth = expected(small)
    with SimWeb(small) as web:
        fetched = 0
        for site in small.sites:
            found, _, pages = crawl_site(web, small, site)
            fetched += pages + sum(count for _newest, count in found.values())
            assert found == {c.url: (c.newest, c.count) for c in truth.sites[site.site_code].columns}
    assert fetched == page_count(small)


# ---------------------------------------------------------------------------------------------- command line


def test_cli_serves_until_interrupted(tmp_path: Path) -> None:
    code = ("import argparse, sys; from monitor.simweb import cli; p = argparse.ArgumentParser(); "
            "cli.add_arguments(p); sys.exit(cli.run(p.parse_args(sys.argv[1:])))")
    registry = tmp_path / "targets.yaml"
    proc = subprocess.Popen([sys.executable, "-u", "-c", code, "defects", "--registry", str(registry)],
                            stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parent.parent)
    try:
        host_map = ""
        for line in proc.stdout:
            if line.startswith("MONITOR_HOST_MAP="):
                host_map = line.strip().split("=", 1)[1].strip("'")
                break
        entries = dict(e.split("=") for e in host_map.split(";"))
        port = int(entries["www.slz.gov.cn"].rsplit(":", 1)[1])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/", headers={"Host": "www.slz.gov.cn"})
        assert conn.getresponse().status == 200
        conn.close()
        assert yaml.safe_load(registry.read_text(encoding="utf-8")) == load_scenario("defects").registry()
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
