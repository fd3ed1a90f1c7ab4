"""No page multiplies requests without a cap, and what a cap left out is stored with the page (pages.cut).

A hostile site on a real HTTP server on loopback (host-mapped): a homepage of 100 navigation columns and 3,500
links, a column whose three list pages each carry 2,000 `data-url` attributes (one of the lists answering 1,500
records), and a column whose first XHR lists are empty while its others are never requested. The server counts
every request; the stored rows must show the counts of what was left out, and the rules must not judge what a cut
hid (links left unchecked are not 合格, a column whose XHR lists were cut is not blank).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from parsel import Selector
from scrapy.utils.defer import deferred_f_from_coro_f

from monitor import db
from monitor.extract.links import MAX_LINKS_PER_PAGE, page_links
from monitor.extract.lists import MAX_LIST_ENTRIES, MAX_XHR_LISTS, MAX_XHR_LISTS_PER_COLUMN
from monitor.migrate import upgrade
from monitor.registry import import_files
from tests.crawling import crawl, one_site_registry
from tests.test_guard import FAST, Server, page, rows

HOST = "www.fanout.gov.cn"
HOME = f"http://{HOST}/"
CODE = "5325000009"
COLUMNS, EXTERNAL, DATA_URLS, RECORDS = 100, 3500, 2000, 1500
JSON = {"Content-Type": "application/json"}


def records(name: str, n: int) -> str:
    return json.dumps({"data": [{"title": f"文章{name}-{k}", "url": f"/art/{name}-{k}.html", "date": "2021-03-01"}
                                for k in range(n)]}, ensure_ascii=False)


def list_page(column: str, number: int, lists: int) -> str:
    """A list page whose list is loaded by XHR: `lists` data-url attributes, and the next page linked."""
    slots = "".join(f'<div class="item" data-url="/api/{column}p{number}-{i}.json"></div>' for i in range(lists))
    return page(f"栏目{column}", [], extra=f'{slots}<a href="/{column}/index_{number + 1}.html">下一页</a>')


def hostile_site(server: Server) -> str:
    """The routes of the site; returns the homepage's HTML."""
    nav = "".join(f'<a href="/col{i}/">栏目{i}</a>' for i in range(COLUMNS))
    external = "".join(f'<a href="http://www.other-site.org/p{i}.html">外链{i}</a>' for i in range(EXTERNAL))
    home = page("扇出测试网站", [], extra=f'<div class="nav">{nav}</div><div class="links">{external}</div>')
    server.routes["/"] = (200, {}, home)
    # Column 0: three list pages of 2,000 data-url attributes each; every list answers.
    server.routes["/col0/"] = (200, {}, list_page("col0", 0, DATA_URLS))
    for number in (1, 2, 3):
        server.routes[f"/col0/index_{number}.html"] = (200, {}, list_page("col0", number, DATA_URLS))
    for number in range(4):
        for i in range(MAX_XHR_LISTS):
            server.routes[f"/api/col0p{number}-{i}.json"] = (200, JSON, records(f"{number}-{i}", 5))
    server.routes["/api/col0p0-0.json"] = (200, JSON, records("big", RECORDS))
    # Column 1: five XHR lists; the first three (all the cap lets through) are empty, the others hold its list.
    server.routes["/col1/"] = (200, {}, list_page("col1", 0, 5).replace("index_1", "none"))
    for i in range(5):
        server.routes[f"/api/col1p0-{i}.json"] = (200, JSON, records(f"c1-{i}", 0 if i < 3 else 5))
    return home


def registry(tmp_path: Path) -> Path:
    return one_site_registry(tmp_path, CODE, "扇出测试网站", HOME)


def requested(server: Server, prefix: str) -> list[str]:
    return [h.split()[2] for h in server.hits if h.startswith("GET ") and h.split()[2].startswith(prefix)]


@deferred_f_from_coro_f
async def test_one_page_cannot_multiply_requests_and_what_was_cut_is_stored(db_url: str, tmp_path: Path) -> None:
    engine = db.engine_for(db_url)
    upgrade(engine)
    import_files(engine, [registry(tmp_path)])
    with Server("127.0.0.1").running() as server:
        home = hostile_site(server)
        settings: dict[str, Any] = {
            "MONITOR_DATABASE_URL": db_url, "MONITOR_HOST_MAP": f"{HOST}=127.0.0.1:{server.port}",
            "MONITOR_MAX_DISCOVERED_COLUMNS": 2, "MONITOR_CHECK_EXTERNAL_LINKS": False,
            "MONITOR_RENDER_SCRIPT_FOOTERS": False, "MONITOR_RENDER_SCRIPT_LISTS": False}
        # A generous timeout: the homepage is 200 kB of links, and a busy CI machine must not turn it into a timeout.
        await crawl("website", FAST | settings | {"DOWNLOAD_TIMEOUT": 20}, run_id="fanout", as_of="2021-03-03")
    # Requests: XHR lists per column over its three list pages, articles per column, columns per site.
    assert sorted(requested(server, "/api/col0")) == [f"/api/col0p0-{i}.json" for i in range(3)]
    assert len(requested(server, "/api/col1")) == MAX_XHR_LISTS_PER_COLUMN
    assert len(requested(server, "/art/")) == 2  # MONITOR_ARTICLES_PER_COLUMN, over column 0's three lists
    assert requested(server, "/col0/") == ["/col0/", "/col0/index_1.html", "/col0/index_2.html"]  # 3 list pages
    assert {p for p in requested(server, "/col") if p.endswith("/")} == {"/col0/", "/col1/"}  # 2 columns
    # What was cut, stored with each page.
    pages = {r["url"]: r for r in rows(engine, db.pages, run_id="fanout")}
    every_link = len(page_links(Selector(text=home), HOME, limit=10**6))
    assert pages[HOME]["cut"] == {"links": every_link - MAX_LINKS_PER_PAGE, "columns": COLUMNS - 2}
    left = DATA_URLS - MAX_XHR_LISTS  # past extraction's cap per page; the spider's cap per column comes on top
    assert pages[f"{HOME}col0/"]["cut"] == {"xhr_lists": left + MAX_XHR_LISTS - MAX_XHR_LISTS_PER_COLUMN}
    assert pages[f"{HOME}col0/index_1.html"]["cut"] == {"xhr_lists": DATA_URLS}
    assert pages[f"{HOME}col0/index_2.html"]["cut"] == {"xhr_lists": DATA_URLS}
    big = pages[f"{HOME}api/col0p0-0.json"]
    assert (big["entry_count"], big["cut"]) == (MAX_LIST_ENTRIES, {"entries": RECORDS - MAX_LIST_ENTRIES})
    assert pages[f"{HOME}col1/"]["cut"] == {"xhr_lists": 2}
    assert all(p["cut"] is None for url, p in pages.items() if "/art/" in url or url.endswith("-1.json"))
    # Verdicts do not rest on what the caps hid.
    findings = {(f["indicator"], f["subject"]): f for f in rows(engine, db.findings, target_id=CODE)}
    links = findings["broken_links", ""]
    assert (links["outcome"], links["reason"]) == ("inconclusive", "部分链接超出每页上限未检查,待复核")
    assert links["evidence"]["unchecked"] == every_link - MAX_LINKS_PER_PAGE
    blank = findings["column_blank", f"{HOME}col1/"]
    assert (blank["outcome"], blank["reason"]) == ("inconclusive", "列表接口过多,部分未读取,待复核")
    assert ("column_blank", f"{HOME}col0/") not in findings  # column 0 has its entries
