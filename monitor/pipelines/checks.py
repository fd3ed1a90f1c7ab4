"""Checks pipeline: each crawled target is judged by every rule that needs only this crawl's facts, as soon as the
target's last request has finished (monitor/extensions/targets.py sends `target_finished`).

At that moment the storage pipeline writes its buffered rows, the target's facts of this run are loaded and the
target kind's CRAWL-scope rules (monitor/checks/rules) run; their findings and the violations' life cycle are recorded
for the quarter of the crawl's monitoring date. Rules over a window of days (availability over a week of probes) and
the verdict per period are left to `govmon evaluate`, which re-runs the same rules on the period's crawl with the
same result. So `scrapy crawl website` alone leaves findings and open violations in the database, and so does
`scrapy crawl accounts` for the accounts it read. (The channels spider's rules need a window of letters and are
left to evaluation.)

A target whose requests did not all finish — the crawl was killed, shut down or closed early — is never judged:
partial facts would read as blank or stale columns. Without the tracker (a user removed it), targets are judged when
a crawl ends normally.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from monitor import db
from monitor.checks.account_facts import active_accounts, load_account_facts
from monitor.checks.facts import load_site_facts
from monitor.checks.record import store_findings, update_violations
from monitor.checks.rulebook import Rulebook, load_rulebook
from monitor.checks.rules import CRAWL, rules_for
from monitor.checks.runner import run_rules
from monitor.extensions.targets import target_finished
from monitor.items import Account, AccountCheckItem, PageItem, rows_of
from monitor.periods import quarter_of
from monitor.pipelines.storage import storage_pipeline
from monitor.platforms import account_key

log = logging.getLogger(__name__)
SPIDER_KINDS = {"website": "website", "accounts": "account"}  # spiders whose targets are judged as they finish


class ChecksPipeline:
    def __init__(self, crawler: Crawler, url: str) -> None:
        self.crawler = crawler
        self.url = url
        self.targets: dict[str, None] = {}  # site codes / account keys crawled in this run, in order
        self.judged: set[str] = set()
        self.engine = None
        self.book: Rulebook | None = None  # loaded once, when the first target is judged
        self.registry: list[Account] | None = None  # the active accounts, read once, when the first is judged

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ChecksPipeline:
        pipe = cls(crawler, crawler.settings.get("MONITOR_DATABASE_URL"))
        crawler.signals.connect(pipe.target_finished, signal=target_finished)
        # spider_closed comes after every pipeline's close_spider: the storage pipeline has written all rows, and
        # the reason says whether the crawl finished.
        crawler.signals.connect(pipe.spider_closed, signal=signals.spider_closed)
        return pipe

    def process_item(self, item: Any, spider: Any = None) -> Any:
        for row in rows_of(item):
            if isinstance(row, PageItem) and row.role == "home":
                self.targets.setdefault(row.site_code)
            elif isinstance(row, AccountCheckItem):
                self.targets.setdefault(account_key(row.platform, row.account))
        return item

    def target_finished(self, target: str, spider: Any) -> None:
        if getattr(spider, "name", "") not in SPIDER_KINDS or target in self.judged:
            return
        storage = storage_pipeline(self.crawler)
        if storage is not None:
            storage.flush_all()
            if storage.pending:  # the database has not taken all of the crawl's rows: its facts are partial
                return
        self.judge(spider, [target])

    def spider_closed(self, spider: Any, reason: str) -> None:
        if getattr(spider, "name", "") not in SPIDER_KINDS:
            return
        rest = [c for c in self.targets if c not in self.judged]
        storage = storage_pipeline(self.crawler)
        if rest and reason != "finished":
            log.warning("run %s ended with %s: %d targets whose crawl did not finish are not judged",
                        spider.run_id, reason, len(rest))
        elif rest and storage is not None and storage.pending:
            log.warning("run %s: %d targets are not judged now: the database did not take all of their rows "
                        "(`govmon store` the saved rows, then `govmon evaluate`)", spider.run_id, len(rest))
        elif rest:
            self.judge(spider, rest)
        if self.engine is not None:
            self.engine.dispose()

    def judge(self, spider: Any, codes: list[str]) -> None:
        self.engine = self.engine or db.engine_for(self.url)
        self.book = self.book or load_rulebook()
        facts = getattr(spider, "targets", {})
        targets = {c: facts.get(c) for c in codes}
        if SPIDER_KINDS[spider.name] == "account":
            if self.registry is None:  # read once per crawl, not once per finished account
                with self.engine.connect() as conn:
                    self.registry = active_accounts(conn)
            judge_accounts(self.engine, spider.run_id, spider.as_of, targets, self.book, self.registry)
        else:
            judge_run(self.engine, spider.run_id, spider.as_of, targets, self.book)
        self.judged.update(codes)


def judge_run(engine, run_id: str, as_of_day, sites: dict[str, dict | None], book: Rulebook) -> int:
    """Run the CRAWL-scope website rules on each site's facts of `run_id` (site code → its registry facts, None:
    read from the database); returns the number of findings stored."""
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
    log.debug("run %s: %d crawl rules judged %s for %s (%d findings)", run_id, len(rules), ", ".join(sites),
              period, stored)
    return stored


def judge_accounts(engine, run_id: str, as_of_day, accounts: dict[str, dict | None], book: Rulebook,
                   registry: list[Account] | None = None) -> int:
    """Run the CRAWL-scope account rules on each account's reading of `run_id` (key → its registry row, None: read
    from the database; `registry`: the active accounts, when the caller holds them); returns the findings stored."""
    rules = rules_for("account", CRAWL)
    as_of = datetime.combine(as_of_day, datetime.min.time())
    period = quarter_of(as_of_day)
    if registry is None:
        with engine.connect() as conn:
            registry = active_accounts(conn)
    known = {x.key_text: x for x in registry}
    stored = 0
    for key, row in accounts.items():
        account = Account.from_row(row) if row else known.get(key)
        if account is None:
            continue  # neither in the run's targets nor in the registry: nothing to judge it against
        with engine.begin() as conn:
            facts = load_account_facts(conn, account, run_id, registry)
            findings = run_rules(rules, facts, book, as_of_day, key)
            store_findings(conn, period, as_of, ("account", key), findings, [r.code for r in rules])
            update_violations(conn, as_of, ("account", key), findings)
        stored += len(findings)
    return stored
