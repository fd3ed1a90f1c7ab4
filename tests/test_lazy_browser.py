"""Playwright starts with the first rendered request (monitor/hostmap.py), not with the engine: a crawl that renders
nothing starts no node driver, one that renders several pages at once starts one driver and one browser."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psutil
import pytest
import scrapy
from scrapy.http import Request, Response
from scrapy.utils.defer import deferred_f_from_coro_f

from tests.crawling import crawl
from tests.loopback import LoopbackServer

CHROMIUM = Path("/usr/bin/chromium-headless-shell")
FAST = {"DOWNLOAD_TIMEOUT": 10, "AUTOTHROTTLE_ENABLED": False, "MONITOR_ALLOWED_NETWORKS": "127.0.0.1",
        "ITEM_PIPELINES": {}, "EXTENSIONS": {}, "SPIDER_MIDDLEWARES": {}}


class _Page(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        body = f"<html><head><title>页面</title></head><body><p>{self.path}</p></body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


class Site(LoopbackServer):
    def __init__(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"


def node_drivers() -> list[psutil.Process]:
    """Playwright's node drivers among this process's descendants."""
    found = []
    for child in psutil.Process(os.getpid()).children(recursive=True):
        try:
            if "run-driver" in " ".join(child.cmdline()):
                found.append(child)
        except psutil.Error:  # gone meanwhile
            continue
    return found


class LookSpider(scrapy.Spider):
    """Fetches the given pages (rendered or not) and, in each callback, counts the node drivers running."""

    name = "lazy_browser"

    def __init__(self, urls: str = "", render: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls, self.render = urls.split(), bool(render)
        self.drivers: list[int] = []
        self.titles: list[str] = []

    async def start(self) -> AsyncIterator[Request]:
        for url in self.urls:
            yield Request(url, meta={"playwright": self.render}, dont_filter=True)

    def parse(self, response: Response) -> Iterator[Any]:
        self.drivers.append(len(node_drivers()))
        self.titles.append(response.css("title::text").get() or "")
        return iter(())


@deferred_f_from_coro_f
async def test_a_crawl_that_renders_nothing_starts_no_node_driver() -> None:
    with Site() as site:
        crawler = await crawl(LookSpider, dict(FAST), urls=" ".join(f"{site.base}/{i}" for i in range(3)))
    spider: LookSpider = crawler.spider  # type: ignore[assignment]
    assert spider.titles == ["页面"] * 3
    assert spider.drivers == [0, 0, 0]  # before the fix: 2 (http and https handlers) from the engine's start
    assert not crawler.stats.get_value("playwright/browser_count")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium-headless-shell")
@deferred_f_from_coro_f
async def test_rendered_pages_arriving_together_start_one_driver_and_one_browser() -> None:
    with Site() as site:
        crawler = await crawl(LookSpider, dict(FAST), urls=" ".join(f"{site.base}/{i}" for i in range(4)),
                              render="1")
    spider: LookSpider = crawler.spider  # type: ignore[assignment]
    assert spider.titles == ["页面"] * 4
    assert spider.drivers == [1, 1, 1, 1]  # only the http handler's, started once for four concurrent pages
    assert crawler.stats.get_value("playwright/browser_count") == 1
    assert node_drivers() == []  # closed with the crawl
