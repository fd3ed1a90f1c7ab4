"""Running the real spiders inside the test process (Twisted asyncio reactor via pytest-twisted)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from scrapy.crawler import Crawler, CrawlerRunner
from scrapy.utils.defer import maybe_deferred_to_future

from monitor.config import scrapy_settings

QUIET = {"LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False, "MONITOR_RUN_DIR": ""}  # no per-run tables in the tree


async def crawl(spider: str | type, settings: dict[str, Any], **spider_args: Any) -> Crawler:
    """Run one spider to completion with the project's settings plus `settings`; returns its crawler."""
    s = scrapy_settings()
    s.set("SPIDER_MODULES", settings.pop("SPIDER_MODULES", s.getlist("SPIDER_MODULES")))
    s.setdict(QUIET | settings, priority="cmdline")
    runner = CrawlerRunner(s)
    crawler = runner.create_crawler(spider)
    await maybe_deferred_to_future(runner.crawl(crawler, **spider_args))
    return crawler


def one_site_registry(tmp_path: Path, code: str, name: str, homepage: str) -> Path:
    """A registry file of one 州级 portal in 红河州, for tests that serve their own site."""
    path = tmp_path / "targets.yaml"
    path.write_text(yaml.safe_dump({"websites": [
        {"site_code": code, "name": name, "homepage": homepage, "region_code": "532500",
         "region_name": "红河州", "level": "州级", "kind": "门户"}]}, allow_unicode=True), encoding="utf-8")
    return path
