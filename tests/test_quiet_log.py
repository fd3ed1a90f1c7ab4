"""The project's log formatter (monitor/logformatter.py): no per-item or per-response DEBUG message is built when
LOG_LEVEL drops it, and with LOG_LEVEL DEBUG they are as Scrapy's."""

from __future__ import annotations

import logging

import pytest
from scrapy import Spider
from scrapy.http import Request, Response
from scrapy.utils.misc import build_from_crawler, load_object
from scrapy.utils.test import get_crawler

from monitor.config import scrapy_settings


def formatter(level: str | int) -> object:
    settings = scrapy_settings()
    settings.set("LOG_LEVEL", level, priority="cmdline")
    crawler = get_crawler(Spider, settings.copy_to_dict())
    return build_from_crawler(load_object(crawler.settings["LOG_FORMATTER"]), crawler)


@pytest.mark.parametrize("level", ["INFO", "warning", logging.ERROR])
def test_no_debug_messages_above_debug(level: str | int) -> None:
    f = formatter(level)
    response = Response("http://www.hh.gov.cn/", request=Request("http://www.hh.gov.cn/"))
    assert f.scraped({"url": "x"}, response, Spider("s")) is None  # type: ignore[attr-defined]
    assert f.crawled(response.request, response, Spider("s")) is None  # type: ignore[attr-defined]


@pytest.mark.parametrize("level", ["DEBUG", logging.DEBUG])
def test_debug_keeps_scrapys_messages(level: str | int) -> None:
    f = formatter(level)
    response = Response("http://www.hh.gov.cn/", request=Request("http://www.hh.gov.cn/"))
    assert f.scraped({"url": "x"}, response, Spider("s"))["level"] == logging.DEBUG  # type: ignore[attr-defined]
    assert f.crawled(response.request, response, Spider("s"))["level"] == logging.DEBUG  # type: ignore[attr-defined]
