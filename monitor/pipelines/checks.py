"""Checks pipeline: when a crawl ends, every rule that needs only this crawl's facts judges each crawled target.

The website spider records facts; this pipeline (after the storage pipeline, which has written every row by then)
loads each crawled target's facts of this run, runs the target kind's CRAWL-scope rules (monitor/checks/rules: the
rules over a window of days, such as availability over a week of probes, and the verdict per period are left to
`govmon evaluate`), and records their findings and the violations' life cycle for the quarter of the crawl's
monitoring date. So `scrapy crawl website` alone leaves findings and open violations in the database; evaluation
later re-runs the same rules on the period's crawl, with the same result.

A crawl that did not finish normally (killed, shut down, closed early) is not judged: partial facts would read as
blank or stale columns.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from monitor import db
from monitor.checks.facts import load_site_facts
from monitor.checks.record import store_findings, update_violations
from monitor.checks.rulebook import load_rulebook
from monitor.checks.rules import CRAWL, rules_for
from monitor.checks.runner import run_rules
from monitor.items import PageItem
from monitor.periods import quarter_of

log = logging.getLogger(__name__)


class ChecksPipeline:
    def __init__(self, crawler: Crawler, url: str) -> None:
        self.crawler = crawler
        self.url = url
        self.targets: dict[str, None] = {}  # site codes crawled in this run, in order

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ChecksPipeline:
        pipe = cls(crawler, crawler.settings.get("MONITOR_DATABASE_URL"))
        # spider_closed comes after every pipeline's close_spider: the storage pipeline has written all rows, and
        # the reason says whether the crawl finished.
        crawler.signals.connect(pipe.spider_closed, signal=signals.spider_closed)
        return pipe

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if isinstance(item, PageItem) and item.role == "home":
            self.targets.setdefault(item.site_code)
        return item

    def spider_closed(self, spider: Any, reason: str) -> None:
        if not self.targets or getattr(spider, "name", "") != "website":
            return
        if reason != "finished":
            log.warning("run %s ended with %s: its targets are not judged (evaluate after a complete crawl)",
                        spider.run_id, reason)
            return
        facts = getattr(spider, "targets", {})
        judge_run(db.engine_for(self.url), spider.run_id, spider.as_of, {c: facts.get(c) for c in self.targets})


def judge_run(engine, run_id: str, as_of_day, sites: dict[str, dict | None]) -> int:
    """Run the CRAWL-scope website rules on each site's facts of `run_id` (site code → its registry facts, None:
    read from the database); returns the number of findings stored."""
    book = load_rulebook()
    rules = rules_for("website", CRAWL)
    as_of = datetime.combine(as_of_day, datetime.min.time())
    period = quarter_of(as_of_day)
    stored = 0
    for code, site in sites.items():
        with engine.begin() as conn:
            facts = load_site_facts(conn, code, run_id, as_of, site=site)
            findings = run_rules(rules, facts, book, as_of_day, code)
            store_findings(conn, period, as_of, ("website", code), findings, [r.code for r in rules])
            update_violations(conn, as_of, ("website", code), findings)
        stored += len(findings)
    log.info("run %s: %d crawl rules judged %d sites for %s (%d findings)", run_id, len(rules), len(sites),
             period, stored)
    engine.dispose()
    return stored
