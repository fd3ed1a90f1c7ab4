"""The channels spider over real HTTP and real databases: letters channels and guide lists served by a threaded
http.server from the fixtures (tests/fixtures/letters, tests/fixtures/guides, tests/fixtures/channels_spider),
reached through the host map; the spider's rows are read back from the database.

Two sites: 红河州 (5325000001) has a letters channel with three list pages (page 1 is the TRS table fixture; pages 2
and 3 are written here), a 404 petition channel and a guide list; 建水县 (5325240001) has a login channel, a closed
one, an empty one, one on a host that refuses connections and a guide channel that is itself a guide page.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import func, select

from monitor import db
from monitor.migrate import upgrade
from monitor.registry import import_files
from tests.crawling import crawl
from tests.loopback import LoopbackServer, closed_port

FIXTURES = Path(__file__).parent / "fixtures"
CHROMIUM = Path("/usr/bin/chromium-headless-shell")
AT = datetime(2021, 3, 5, 10, 0)
FAST = {"DOWNLOAD_TIMEOUT": 2, "RETRY_TIMES": 1, "MONITOR_RETRY_BACKOFF": 0.05, "AUTOTHROTTLE_ENABLED": False,
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": 15_000}
HH, JS = "5325000001", "5325240001"
MAILBOX = "http://www.hh.gov.cn/hdjl/zzxx/"
GUIDES = "http://www.hh.gov.cn/bsfw/bszn/"
GUIDE_PAGE = "http://www.jianshui.gov.cn/bsfw/gtgsh.html"
SCRIPTED = "http://www.hh.gov.cn/hdjl/script/"
NINE = {"事项名称", "设定依据", "申请条件", "办理材料", "办理地点", "办理时间", "联系电话", "办理流程", "收费标准"}
browser = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium-headless-shell")


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


HEADER = ('<tr class="xj_th"><td>序号</td><td>信件标题</td><td>来信时间</td><td>答复单位</td><td>答复时间</td>'
          '<td>办理状态</td></tr>')


def list_page(number: int, rows: str) -> bytes:
    """List page `number` (0-based) of the 州长信箱, in the TRS layout of list_table_trs.html."""
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>州长信箱_红河州人民政府</title></head><body>'
            f'<div class="xjlb"><table class="xj_table">{HEADER}{rows}</table>'
            f'<script>createPageHTML(3, {number}, "index", "html");</script></div></body></html>').encode()


PAGE_2 = list_page(1, (
    '<tr><td>4</td><td class="bt">关于夜市噪音扰民的投诉</td><td>2021-02-20</td><td>县公安局</td><td>2021-02-22</td>'
    '<td>已办结</td></tr>'
    '<tr><td>5</td><td class="bt"><a href="./202102/t20210215_1.html">咨询小学入学报名时间</a></td>'
    '<td>2021-02-15 09:00</td><td>县教育体育局</td><td></td><td>办理中</td></tr>'))
PAGE_3 = list_page(2, (
    '<tr><td>6</td><td class="bt"><a href="./202101/t20210110_1.html">反映农村公路破损</a></td>'
    '<td>2021-01-10</td><td>县交通运输局</td><td>2021-01-12</td><td>已办结</td></tr>'))
DETAIL_5 = ('<html><head><meta charset="utf-8"><title>咨询小学入学报名时间</title></head><body><dl>'
            '<dt>提交时间：</dt><dd>2021-02-15 09:00:10</dd><dt>信件状态：</dt><dd>待回复</dd>'
            '<dt>答复内容：</dt><dd>暂无答复</dd></dl></body></html>').encode()
DETAIL_6 = ('<html><head><meta charset="utf-8"><title>反映农村公路破损</title></head><body><table>'
            '<tr><td>来信时间</td><td>2021-01-10 08:00</td></tr><tr><td>答复时间</td><td>2021-01-12 17:30</td></tr>'
            '<tr><td>答复内容</td><td>已安排养护站修补。</td></tr></table></body></html>').encode()
NOT_FOUND = '<html><head><title>404</title></head><body><h1>页面不存在</h1></body></html>'.encode()
# A list whose rows a script loads (a plain fetch shows the header only); Chromium renders them.
SCRIPT_LIST = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>网民留言</title></head><body>'
               f'<table id="list">{HEADER}</table><script>'
               "fetch('/hdjl/script/data.json').then(r => r.json()).then(d => { for (const x of d) {"
               " const tr = document.createElement('tr');"
               " tr.innerHTML = `<td>${x.n}</td><td><a href=\"${x.href}\">${x.title}</a></td><td>${x.received}</td>`"
               " + `<td>县住建局</td><td>${x.answered}</td><td>${x.status}</td>`;"
               " document.getElementById('list').appendChild(tr); } });"
               '</script></body></html>').encode()
SCRIPT_DATA = ('[{"n": 1, "href": "/hdjl/script/1.html", "title": "小区供水水压不足", "received": "2021-03-01 08:00",'
               ' "answered": "2021-03-03 10:00", "status": "已回复"}]').encode()

HTML = "text/html; charset=utf-8"
ROUTES: dict[tuple[str, str], tuple[int, bytes]] = {
    ("www.hh.gov.cn", "/hdjl/zzxx/"): (200, fixture("letters/list_table_trs.html")),
    ("www.hh.gov.cn", "/hdjl/zzxx/index_1.html"): (200, PAGE_2),
    ("www.hh.gov.cn", "/hdjl/zzxx/index_2.html"): (200, PAGE_3),
    ("www.hh.gov.cn", "/hdjl/zzxx/202103/t20210302_3912871.html"): (200, fixture("letters/detail_table.html")),
    ("www.hh.gov.cn", "/hdjl/zzxx/202102/t20210226_3911020.html"): (500, b"<html>Internal Server Error</html>"),
    ("www.hh.gov.cn", "/hdjl/zzxx/202012/t20201130_3890012.html"): (200, fixture("channels_spider/detail_merge.html")),
    ("www.hh.gov.cn", "/hdjl/zzxx/202102/t20210215_1.html"): (200, DETAIL_5),
    ("www.hh.gov.cn", "/hdjl/zzxx/202101/t20210110_1.html"): (200, DETAIL_6),
    ("www.hh.gov.cn", "/hdjl/wsxf/"): (404, NOT_FOUND),
    ("www.hh.gov.cn", "/bsfw/bszn/"): (200, fixture("channels_spider/guide_list.html")),
    ("www.hh.gov.cn", "/bsfw/bszn/gtgsh.html"): (200, fixture("guides/guide_table.html")),
    ("www.hh.gov.cn", "/bsfw/bszn/ylbx.html"): (200, fixture("guides/guide_sections.html")),
    ("www.hh.gov.cn", "/bsfw/bszn/jyzm.html"): (200, fixture("channels_spider/guide_links.html")),
    ("www.hh.gov.cn", "/bsfw/bszn/tongzhi.html"): (200, fixture("channels_spider/notice.html")),
    ("www.hh.gov.cn", "/hdjl/script/"): (200, SCRIPT_LIST),
    ("www.hh.gov.cn", "/hdjl/script/data.json"): (200, SCRIPT_DATA),
    ("www.hh.gov.cn", "/hdjl/script/1.html"): (200, DETAIL_6.replace("反映农村公路破损".encode(), "小区供水水压不足".encode())),
    ("www.jianshui.gov.cn", "/hdjl/xzxx/"): (200, fixture("letters/channel_login.html")),
    ("www.jianshui.gov.cn", "/hdjl/jzxx/"): (200, fixture("letters/channel_closed.html")),
    ("www.jianshui.gov.cn", "/hdjl/sjxx/"): (200, fixture("letters/list_empty.html")),
    ("www.jianshui.gov.cn", "/bsfw/gtgsh.html"): (200, fixture("guides/guide_table.html")),
    ("zwfw.hh.gov.cn", "/item/alive"): (200, b"<html><body>ok</body></html>"),
    ("zwfw.hh.gov.cn", "/item/headless"): (200, b"<html><body>ok</body></html>"),
}


class Web(LoopbackServer):
    """The test server: what it serves, and every (method, host, path) asked of it."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str, str]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def answer(self, method: str) -> None:
                host = (self.headers.get("Host") or "").split(":")[0]
                outer.asked.append((method, host, self.path))
                status, body = ROUTES.get((host, self.path), (404, NOT_FOUND))
                if method == "HEAD" and self.path == "/item/headless":
                    status, body = 405, b""  # a server that refuses HEAD: checked again with GET
                moved = self.path == "/item/moved"
                if moved:
                    status, body = 302, b""
                ctype = "application/json" if self.path.endswith(".json") else HTML
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(body)))
                    if moved:
                        self.send_header("Location", "/item/alive")
                    self.end_headers()
                    if method == "GET":
                        self.wfile.write(body)
                except OSError:
                    pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                self.answer("GET")

            def do_HEAD(self) -> None:  # noqa: N802
                self.answer("HEAD")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True

    def host_map(self) -> str:
        closed = closed_port()
        port = self.server.server_address[1]
        return (f"www.hh.gov.cn=127.0.0.1:{port};www.jianshui.gov.cn=127.0.0.1:{port};zwfw.hh.gov.cn=127.0.0.1:{port};"
                f"zwfw.yn.gov.cn=127.0.0.1:{closed};refused.jianshui.gov.cn=127.0.0.1:{closed}")

    def count(self, path: str, method: str = "GET") -> int:
        return sum(1 for m, _, p in self.asked if p == path and m == method)


@pytest.fixture
def web() -> Iterator[Web]:
    with Web() as served:
        yield served


def registry(tmp_path: Path, channels: list[tuple[str, str, str, str]]) -> Path:
    sites = [{"site_code": HH, "name": "红河州人民政府", "homepage": "http://www.hh.gov.cn/", "region_code": "532500",
              "region_name": "红河州", "level": "市级", "kind": "门户网站", "sponsor": "红河州人民政府办公室"},
             {"site_code": JS, "name": "建水县人民政府", "homepage": "http://www.jianshui.gov.cn/",
              "region_code": "532524", "region_name": "建水县", "level": "县级", "kind": "门户网站"}]
    rows = [{"site_code": s, "url": u, "name": n, "kind": k} for s, u, n, k in channels]
    path = tmp_path / "channels.yaml"
    path.write_text(yaml.safe_dump({"websites": sites, "channels": rows}, allow_unicode=True), encoding="utf-8")
    return path


CHANNELS = [(HH, MAILBOX, "州长信箱", "州长信箱"), (HH, "http://www.hh.gov.cn/hdjl/wsxf/", "网上信访", "网上信访"),
            (HH, GUIDES, "办事指南", "办事指南"),
            (JS, "http://www.jianshui.gov.cn/hdjl/xzxx/", "县长信箱", "县长信箱"),
            (JS, "http://www.jianshui.gov.cn/hdjl/jzxx/", "局长信箱", "局长信箱"),
            (JS, "http://www.jianshui.gov.cn/hdjl/sjxx/", "书记信箱", "书记信箱"),
            (JS, "http://refused.jianshui.gov.cn/hdjl/", "12345留言", "12345留言"),
            (JS, GUIDE_PAGE, "办事指南", "办事指南")]


async def run(url: str, web: Web, run_id: str, targets: Path | None, **settings: object):
    source = {"MONITOR_TARGETS": str(targets)} if targets is not None else {}
    spider_args = {k: settings.pop(k) for k in ("sites",) if k in settings}
    return await crawl("channels", FAST | source | {"MONITOR_DATABASE_URL": url, "MONITOR_HOST_MAP": web.host_map()}
                       | settings, run_id=run_id, as_of="2021-03-05", at=AT.isoformat(), **spider_args)


def stored(url: str, run_id: str) -> tuple[dict[str, dict], dict[str, dict], dict[str, dict]]:
    """(channel checks by channel URL, letters by URL, guides by URL) of a run."""
    return ({r["channel_url"]: r for r in rows(url, db.channel_checks, run_id)},
            {r["url"]: r for r in rows(url, db.letters, run_id)}, {r["url"]: r for r in rows(url, db.guides, run_id)})


def rows(url: str, table, run_id: str) -> list[dict]:
    engine = db.engine_for(url)
    try:
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(select(table).where(table.c.run_id == run_id))]
    finally:
        engine.dispose()


def counts(url: str) -> dict[str, int]:
    engine = db.engine_for(url)
    try:
        with engine.connect() as conn:
            return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                    for t in (db.channel_checks, db.letters, db.guides, db.link_checks, db.links)}
    finally:
        engine.dispose()


@deferred_f_from_coro_f
async def test_channels_letters_and_guides_are_recorded_and_a_replay_adds_no_rows(db_url: str, web: Web,
                                                                                 tmp_path: Path) -> None:
    targets = registry(tmp_path, CHANNELS)
    crawler = await run(db_url, web, "ch1", targets)
    checks, letters, guides = stored(db_url, "ch1")
    assert set(checks) == {c[1] for c in CHANNELS}

    # The letters channel: three list pages followed, six letters, each detail page once.
    mailbox = checks[MAILBOX]
    assert (mailbox["outcome"], mailbox["state"], mailbox["status"], mailbox["pages_read"],
            mailbox["entries_seen"]) == ("ok", "ok", 200, 3, 6)
    mine = {u: v for u, v in letters.items() if v["channel_url"] == MAILBOX}
    assert len(mine) == 6 and all(v["site_code"] == HH for v in mine.values())
    base = MAILBOX
    # Row and page agree: the page's precise texts are kept.
    first = mine[base + "202103/t20210302_3912871.html"]
    assert (first["title"], first["received_at"], first["answered_at"], first["answered_text"], first["unit"],
            first["status"], first["category"], first["answered"]) == (
        "关于城区集中供暖收费标准的咨询", datetime(2021, 3, 2, 10, 21), datetime(2021, 3, 4, 16, 5),
        "2021年03月04日 16时05分", "县住建局", "已办结", "咨询", True)
    # The detail page fails (500, retried): the letter keeps what its row showed.
    failed = mine[base + "202102/t20210226_3911020.html"]
    assert (failed["title"], failed["received_at"], failed["received_text"], failed["unit"], failed["status"],
            failed["answered_at"], failed["answered"], failed["category"]) == (
        "东冶镇至县城班车停运问题", datetime(2021, 2, 26, 8, 47), "2021-02-26 08:47", "县交通运输局", "办理中", None,
        False, None)
    assert web.count("/hdjl/zzxx/202102/t20210226_3911020.html") == 2
    # Row and page differ: the page wins (a time of day the row did not show, the answering office's full name).
    merged = mine[base + "202012/t20201130_3890012.html"]
    assert (merged["received_at"], merged["received_text"], merged["answered_at"], merged["answered_text"],
            merged["unit"], merged["category"], merged["answered"]) == (
        datetime(2020, 11, 30, 15, 20), "2020-11-30 15:20", datetime(2021, 3, 1, 9, 30), "2021-03-01 09:30",
        "县交通运输局道路运输管理所", "建议", True)
    # A row without a detail page, stored under its list page and position; a date-only time is 00:00.
    row = mine[base + "index_1.html#0"]
    assert (row["title"], row["received_at"], row["received_text"], row["answered_at"], row["answered_text"],
            row["unit"], row["status"], row["answered"]) == (
        "关于夜市噪音扰民的投诉", datetime(2021, 2, 20), "2021-02-20", datetime(2021, 2, 22), "2021-02-22", "县公安局",
        "已办结", True)
    pending = mine[base + "202102/t20210215_1.html"]  # an answer field that says 暂无答复
    assert (pending["received_at"], pending["answered"], pending["status"]) == (
        datetime(2021, 2, 15, 9, 0, 10), False, "待回复")
    last = mine[base + "202101/t20210110_1.html"]  # page 3: the row's status, the page's times
    assert (last["received_at"], last["answered_at"], last["status"], last["answered"]) == (
        datetime(2021, 1, 10, 8, 0), datetime(2021, 1, 12, 17, 30), "已办结", True)
    for path in ("/hdjl/zzxx/index_1.html", "/hdjl/zzxx/index_2.html", "/hdjl/zzxx/202101/t20210110_1.html"):
        assert web.count(path) == 1, path
    assert all(AT <= v["fetched_at"] < datetime(2021, 3, 5, 10, 5) for v in mine.values())

    # A 404 channel, a login wall, a closed mailbox, an empty list, a refused connection.
    wsxf = checks["http://www.hh.gov.cn/hdjl/wsxf/"]
    assert (wsxf["outcome"], wsxf["status"], wsxf["state"], wsxf["error"], wsxf["pages_read"]) == (
        "http", 404, "error", "HTTP 404", 0)
    states = {u.split("/")[-2]: (c["outcome"], c["state"], c["entries_seen"]) for u, c in checks.items()
              if "jianshui" in u and u != GUIDE_PAGE}
    assert states == {"xzxx": ("ok", "login", 0), "jzxx": ("ok", "closed", 0), "sjxx": ("ok", "empty", 0),
                      "hdjl": ("refused", None, 0)}
    assert checks["http://refused.jianshui.gov.cn/hdjl/"]["error"]
    assert not [u for u in letters if "jianshui" in u]

    # The guide list: five guide links (not the navigation, the 在线办理 button, the .doc or the news item).
    assert (checks[GUIDES]["state"], checks[GUIDES]["entries_seen"], checks[GUIDES]["pages_read"]) == ("ok", 5, 1)
    assert set(guides) == {GUIDES + p for p in ("gtgsh.html", "ylbx.html", "jyzm.html", "missing.html",
                                                "tongzhi.html")} | {GUIDE_PAGE}
    table = guides[GUIDES + "gtgsh.html"]
    assert (table["outcome"], table["title"], set(table["elements"]), set(table["elements"].values())) == (
        "ok", "个体工商户设立登记办事指南", NINE, {"present"})
    assert table["address"] == "建水县政务服务中心一楼市场监管窗口（临安镇建新路88号）"
    assert guides[GUIDES + "ylbx.html"]["address"] == "户籍所在地乡镇（街道）便民服务中心社保窗口"
    linked = guides[GUIDES + "jyzm.html"]
    assert linked["elements"]["办理流程"] == "empty" and "收费标准" not in linked["elements"]
    links = {(s["url"], s["anchor"]): (s["outcome"], s["status"], s["zwfw"]) for s in linked["service_links"]}
    assert links == {("http://zwfw.hh.gov.cn/item/alive", "网上办理（红河州政务服务网）"): ("ok", 200, True),
                     ("http://zwfw.hh.gov.cn/item/gone", "政务服务网事项页"): ("http", 404, True),
                     ("http://zwfw.hh.gov.cn/item/headless", "事项办理入口"): ("ok", 200, True),
                     ("http://zwfw.hh.gov.cn/item/moved", "政务服务网（新地址）"): ("ok", 200, True),
                     (None, "我要办理"): (None, None, False)}
    assert web.count("/item/headless", "HEAD") == 1 and web.count("/item/headless") == 1
    assert web.count("/item/alive", "HEAD") == 2 and web.count("/item/alive") == 0  # once more after /item/moved
    link_checks = {r["url"]: (r["outcome"], r["status"], r["final_url"]) for r in rows(db_url, db.link_checks, "ch1")}
    assert link_checks["http://zwfw.hh.gov.cn/item/moved"] == ("ok", 200, "http://zwfw.hh.gov.cn/item/alive")
    assert link_checks["http://zwfw.hh.gov.cn/item/headless"][:2] == ("ok", 200)
    # One 政务服务网 URL on three guides of two sites: checked once, its outcome in every guide.
    portal = [(s["outcome"], s["status"]) for g in guides.values() for s in g["service_links"] or []
              if s["url"] == "https://zwfw.yn.gov.cn/portal/"]
    assert portal == [("refused", None)] * 3
    assert (guides[GUIDES + "missing.html"]["outcome"], guides[GUIDES + "missing.html"]["elements"]) == ("http", None)
    assert guides[GUIDES + "tongzhi.html"]["outcome"] == "not_guide"  # a notice linked from the list
    # A guide channel that is a guide page itself: one guide.
    assert (checks[GUIDE_PAGE]["state"], checks[GUIDE_PAGE]["entries_seen"]) == ("ok", 1)
    assert (guides[GUIDE_PAGE]["site_code"], guides[GUIDE_PAGE]["outcome"], len(guides[GUIDE_PAGE]["elements"])) == (
        JS, "ok", 9)
    assert web.count("/bsfw/gtgsh.html") == 1

    assert crawler.stats.get_value("finish_reason") == "finished"
    assert set(crawler.tracker.finished) == {HH, JS} and not crawler.tracker.open

    # The same run again: rows are updated in place, none added.
    before = counts(db_url)
    assert before["letters"] == 6 and before["guides"] == 6 and before["channel_checks"] == 8
    await run(db_url, web, "ch1", targets)
    assert counts(db_url) == before


@deferred_f_from_coro_f
async def test_pagination_and_letters_are_bounded(sqlite_url: str, web: Web, tmp_path: Path) -> None:
    targets = registry(tmp_path, [(HH, MAILBOX, "州长信箱", "州长信箱"), (HH, GUIDES, "办事指南", "办事指南")])
    await run(sqlite_url, web, "pages", targets, MONITOR_MAX_LETTER_PAGES=2, MONITOR_GUIDES_PER_CHANNEL=2)
    checks, letters, guides = stored(sqlite_url, "pages")
    assert (checks[MAILBOX]["pages_read"], checks[MAILBOX]["entries_seen"], len(letters)) == (2, 5, 5)
    assert web.count("/hdjl/zzxx/index_2.html") == 0
    assert set(guides) == {GUIDES + "gtgsh.html", GUIDES + "ylbx.html"} and checks[GUIDES]["entries_seen"] == 5

    await run(sqlite_url, web, "letters", targets, MONITOR_MAX_LETTERS=2)
    checks, letters, _ = stored(sqlite_url, "letters")
    assert (checks[MAILBOX]["pages_read"], len(letters)) == (1, 2)
    assert set(letters) == {MAILBOX + "202103/t20210302_3912871.html", MAILBOX + "202102/t20210226_3911020.html"}
    assert web.count("/hdjl/zzxx/index_1.html") == 1  # only in the first run
    assert web.count("/hdjl/zzxx/202012/t20201130_3890012.html") == 1


@deferred_f_from_coro_f
async def test_imported_registry_and_site_filter(sqlite_url: str, web: Web, tmp_path: Path) -> None:
    engine = db.engine_for(sqlite_url)
    upgrade(engine)
    import_files(engine, [registry(tmp_path, CHANNELS)])
    engine.dispose()
    crawler = await run(sqlite_url, web, "js", None, sites=JS)
    checks, letters, guides = stored(sqlite_url, "js")
    assert set(checks) == {c[1] for c in CHANNELS if c[0] == JS}
    assert set(guides) == {GUIDE_PAGE} and not letters
    assert crawler.tracker.finished == [JS]
    [run_row] = rows(sqlite_url, db.runs, "js")
    assert (run_row["spider"], run_row["status"], str(run_row["as_of"])[:10]) == ("channels", "finished", "2021-03-05")


@browser
@deferred_f_from_coro_f
async def test_a_list_built_by_script_is_rendered_once(sqlite_url: str, web: Web, tmp_path: Path) -> None:
    targets = registry(tmp_path, [(HH, SCRIPTED, "网民留言", "网民留言")])
    await run(sqlite_url, web, "script", targets)
    checks, letters, _ = stored(sqlite_url, "script")
    assert (checks[SCRIPTED]["outcome"], checks[SCRIPTED]["state"], checks[SCRIPTED]["entries_seen"]) == ("ok", "ok", 1)
    letter = letters["http://www.hh.gov.cn/hdjl/script/1.html"]
    assert (letter["title"], letter["received_at"], letter["answered_at"], letter["answered"]) == (
        "小区供水水压不足", datetime(2021, 1, 10, 8, 0), datetime(2021, 1, 12, 17, 30), True)
    assert web.count("/hdjl/script/data.json") == 1 and web.count("/hdjl/script/") == 2

    # Rendering off: the header-only list is not taken for an empty one; it is unrendered (待定), with the reason.
    await run(sqlite_url, web, "plain", targets, MONITOR_RENDER_SCRIPT_LISTS=False)
    checks, letters, _ = stored(sqlite_url, "plain")
    assert (checks[SCRIPTED]["outcome"], checks[SCRIPTED]["state"], checks[SCRIPTED]["error"]) == (
        "unrendered", "unreadable", "列表由脚本加载; 未渲染")
    assert not letters and web.count("/hdjl/script/data.json") == 1
