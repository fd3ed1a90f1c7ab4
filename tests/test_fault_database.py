"""Fault injection: the real PostgreSQL becomes unreachable in the middle of a crawl — every connection cut and new
ones refused, or the server frozen (it accepts and acknowledges but never answers, like a stopped process) — by a
TCP proxy in front of the server. The crawl goes on, keeps what the database does not take, writes it to a file
when it ends and says so; `govmon store` puts it in once the database is back, and then the database holds exactly
what an undisturbed crawl of the same region holds — no row lost, none twice."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from scrapy import signals
from scrapy.crawler import CrawlerRunner
from scrapy.utils.defer import deferred_f_from_coro_f, maybe_deferred_to_future
from sqlalchemy import func, select

from monitor import db
from monitor.config import scrapy_settings
from monitor.dbwatch import WATCHDOG
from monitor.pipelines.storage import SPILL_NAME, store_spilled
from monitor.simweb.scenario import load_scenario
from monitor.simweb.server import SimWeb
from tests.crawling import QUIET
from tests.test_website_spider import FAST, prepare

TABLES = ("pages", "list_entries", "links", "link_checks")


class Proxy:
    """A TCP forwarder to the database server that can be cut (connections dropped, new ones refused) or frozen
(connections accepted, nothing forwarded either way)."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open: list[socket.socket] = []
        self.cut_off = False
        self.frozen = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.cut_off:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            self.open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                while self.frozen and not self.cut_off:
                    time.sleep(0.05)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.close()

    def cut(self) -> None:
        self.cut_off = True
        for s in self.open:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def freeze(self) -> None:
        self.frozen = True

    def close(self) -> None:
        self.cut()
        self.listener.close()


def counts(engine, run_id: str) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.execute(select(func.count()).select_from(db.metadata.tables[t])
                                .where(db.metadata.tables[t].c.run_id == run_id)).scalar() for t in TABLES}


async def run_crawl(url: str, web: SimWeb, tmp_path: Path, on_item=None, **extra):
    settings = scrapy_settings()
    settings.setdict(QUIET | FAST | {"MONITOR_DATABASE_URL": url, "MONITOR_HOST_MAP": web.host_map,
                                     "MONITOR_BATCH_SIZE": 25, "MONITOR_RUN_DIR": str(tmp_path / "runs"),
                                     "MONITOR_LOCK_DIR": str(tmp_path / "locks")} | extra, priority="cmdline")
    runner = CrawlerRunner(settings)
    crawler = runner.create_crawler("website")
    if on_item is not None:
        crawler.signals.connect(on_item, signal=signals.item_scraped)
    await maybe_deferred_to_future(runner.crawl(crawler, run_id="r1", as_of="2021-03-03"))
    return crawler


_reference: dict[str, int] = {}  # row counts of an undisturbed crawl of the region, measured once


async def reference_counts(scenario, tmp_path: Path) -> dict[str, int]:
    if not _reference:
        (tmp_path / "b").mkdir()
        reference = prepare(f"sqlite:///{tmp_path / 'ref.sqlite'}", scenario, tmp_path / "b")
        with SimWeb(scenario) as web:
            await run_crawl(f"sqlite:///{tmp_path / 'ref.sqlite'}", web, tmp_path / "b")
        _reference.update(counts(reference, "r1"))
    return _reference


@pytest.mark.parametrize("fault", ["cut", "freeze"])
@deferred_f_from_coro_f
async def test_database_lost_mid_crawl_loses_no_row(pg_url: str, tmp_path: Path, fault: str) -> None:
    scenario = load_scenario("honghe_2021q1")
    (tmp_path / "a").mkdir()
    engine = prepare(pg_url, scenario, tmp_path / "a")
    parts = urlsplit(pg_url)
    proxy = Proxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    through_proxy = pg_url.replace(parts.netloc, f"{parts.username or 'postgres'}@127.0.0.1:{proxy.port}", 1)
    seen = {"items": 0}
    fired = WATCHDOG.fired

    def count_and_fail(item, response, spider) -> None:
        seen["items"] += 1
        if seen["items"] == 120:  # some batches are stored by now, most are not
            proxy.cut() if fault == "cut" else proxy.freeze()

    started = time.monotonic()
    try:
        with SimWeb(scenario) as web:
            crawler = await run_crawl(through_proxy, web, tmp_path / "a", count_and_fail, MONITOR_DB_TIMEOUT=3)
    finally:
        proxy.close()
    stats = crawler.stats.get_stats()
    assert stats["govmon/db_errors"] >= 1 and stats["govmon/unstored_rows"] > 0
    if fault == "freeze":  # a statement waited for the frozen server and was given up, and the crawl went on
        assert WATCHDOG.fired > fired
        assert time.monotonic() - started < 120
    spilled = Path(stats["govmon/unstored_file"])
    assert spilled.name == SPILL_NAME and spilled.exists()
    partial = counts(engine, "r1")
    assert sum(partial.values()) > 0  # what was stored before the fault stayed

    assert store_spilled(engine, spilled) == stats["govmon/unstored_rows"]
    store_spilled(engine, spilled)  # storing twice changes nothing
    with engine.connect() as conn:
        assert conn.execute(select(db.runs.c.status).where(db.runs.c.run_id == "r1")).scalar() == "finished"
    assert counts(engine, "r1") == await reference_counts(scenario, tmp_path)
