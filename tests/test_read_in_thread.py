"""A big page is read in a worker thread (monitor/middlewares.py ReadInThread): while its tens of thousands of links
are extracted, the reactor keeps running — other sites' downloads and callbacks go on — and the page is read the
same as in its callback. Measured as the longest gap between ticks of a 50 ms timer during the crawl."""

from __future__ import annotations

import time
from pathlib import Path

from scrapy.utils.defer import deferred_f_from_coro_f
from twisted.internet.task import LoopingCall

from monitor import db
from monitor.migrate import upgrade
from monitor.registry import import_files
from tests.crawling import crawl, one_site_registry
from tests.test_guard import FAST, Server, page, rows

HOST = "www.bigpage.gov.cn"
HOME = f"http://{HOST}/"
CODE = "5325000007"
LINKS = 100_000


def registry(tmp_path: Path) -> Path:
    return one_site_registry(tmp_path, CODE, "大页面测试网站", HOME)


async def longest_stall(url: str, server: Server, run_id: str, **settings: object) -> float:
    ticks: list[float] = []
    timer = LoopingCall(lambda: ticks.append(time.monotonic()))
    timer.start(0.05)
    try:
        await crawl("website", FAST | {"MONITOR_DATABASE_URL": url, "MONITOR_HOST_MAP": f"{HOST}=127.0.0.1:"
                                       f"{server.port}", "MONITOR_CHECK_LINKS": False,
                                       "MONITOR_RENDER_SCRIPT_FOOTERS": False, "DOWNLOAD_TIMEOUT": 30} | settings,
                    run_id=run_id, as_of="2021-03-03")
    finally:
        timer.stop()
    return max(b - a for a, b in zip(ticks, ticks[1:], strict=False))


@deferred_f_from_coro_f
async def test_big_page_is_read_off_the_reactor_thread(sqlite_url: str, tmp_path: Path) -> None:
    engine = db.engine_for(sqlite_url)
    upgrade(engine)
    import_files(engine, [registry(tmp_path)])
    with Server("127.0.0.1").running() as server:
        server.routes["/"] = (200, {}, page("首页", [f"/info/{i}.html" for i in range(LINKS)]))
        in_thread = await longest_stall(sqlite_url, server, "thread")
        in_callback = await longest_stall(sqlite_url, server, "callback", MONITOR_READ_IN_THREAD_BYTES=0)
    pages = {r["run_id"]: r for r in rows(engine, db.pages, url=HOME)}
    assert pages["thread"]["outcome"] == pages["callback"]["outcome"] == "ok"
    assert pages["thread"]["cut"] == pages["callback"]["cut"] and pages["thread"]["cut"]["links"] > 90_000
    print(f"longest reactor stall: {in_thread:.2f} s in a thread, {in_callback:.2f} s in the callback")
    assert in_callback > 2.0  # the reading alone holds the reactor this long when done in the callback
    assert in_thread < in_callback / 3
