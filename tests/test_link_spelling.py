"""A link with Chinese characters in its path is stored in one spelling — the one Scrapy requests (percent-encoded) —
in `links` and in `link_checks`, so the two join and a dead one is found. (Stored raw in one table and encoded in
the other, such a link read as never checked: a dead link hidden, 链接可用性 passed on no evidence.) A page reached
through a redirect has its own check stored under the URL that was linked."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from scrapy.utils.defer import deferred_f_from_coro_f

from monitor import db
from monitor.migrate import upgrade
from monitor.registry import import_files
from tests.crawling import crawl, one_site_registry
from tests.test_guard import FAST, Server, page, rows

HOST = "www.spelling.gov.cn"
HOME = f"http://{HOST}/"
CODE = "5325000008"


def registry(tmp_path: Path) -> Path:
    return one_site_registry(tmp_path, CODE, "链接拼写测试网站", HOME)


@deferred_f_from_coro_f
async def test_chinese_links_and_their_checks_join(db_url: str, tmp_path: Path) -> None:
    engine = db.engine_for(db_url)
    upgrade(engine)
    import_files(engine, [registry(tmp_path)])
    dead, alive, moved = "/新闻/已删除.html", "/新闻/通知.html", "/旧栏目/"
    with Server("127.0.0.1").running() as server:
        server.routes["/"] = (200, {}, page("首页", [dead, alive, moved]))
        server.routes[quote(dead)] = (404, {}, "not found")
        server.routes[quote(alive)] = (200, {}, page("通知", []))
        server.routes[quote(moved)] = (301, {"Location": quote("/新栏目/")}, "")
        server.routes[quote("/新栏目/")] = (200, {}, page("新栏目", []))
        await crawl("website", FAST | {"MONITOR_DATABASE_URL": db_url, "MONITOR_HOST_MAP": f"{HOST}=127.0.0.1:"
                                       f"{server.port}", "MONITOR_RENDER_SCRIPT_FOOTERS": False},
                    run_id="sp", as_of="2021-03-03")
    links = {r["url"] for r in rows(engine, db.links, run_id="sp")}
    checks = {r["url"]: r for r in rows(engine, db.link_checks, run_id="sp")}
    expected = {HOME.rstrip("/") + quote(p) for p in (dead, alive, moved)}
    assert expected <= links and expected <= set(checks)  # one spelling in both tables
    assert checks[HOME.rstrip("/") + quote(dead)]["status"] == 404
    assert checks[HOME.rstrip("/") + quote(moved)]["final_url"] == HOME.rstrip("/") + quote("/新栏目/")
    broken = [f for f in rows(engine, db.findings, target_id=CODE, indicator="broken_links") if f["subject"]]
    assert [f["subject"] for f in broken] == [HOME.rstrip("/") + quote(dead)]
