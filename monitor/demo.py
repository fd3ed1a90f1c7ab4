"""`govmon demo`: the main job end to end on the embedded default.

Serves the bundled simulated region (红河州, 2021 Q1) on 127.0.0.1, imports its registry into the database (an
SQLite file unless MONITOR_DATABASE_URL says otherwise), crawls every site through the host map and, at the same
time, runs the week of availability probe rounds before the monitoring point (20 a day, stamped through the probe
spider's injectable clock: the visits are real), reads every new-media account on the simulated platforms (WeChat,
Weibo, Toutiao over their public data, Douyin rendered through Chromium) with the accounts spider's clock set to the
monitoring point, reads every site's letters channels and service guides, evaluates the quarter at the scenario's
monitoring point (with the scenario's local rulebook: 红河's 3 working days for letters) and writes the quarterly
report.
Re-running it replays the same run ids, so it updates rows instead of adding them.
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from monitor import db
from monitor.config import add_database_argument, database_url

PROBE_WEEK = timedelta(days=7)
PROBE_ROUNDS = 140  # 20 a day, the national minimum


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scenario", default="honghe_2021q1", help="bundled scenario name or YAML path")
    parser.add_argument("--period", default="2021Q1", help="quarter to evaluate and report")
    add_database_argument(parser)
    parser.add_argument("--out", default="var/report", help="report folder (a sub-folder per period is made)")


def run(args: argparse.Namespace) -> int:
    from scrapy.crawler import CrawlerProcess

    from monitor.checks.rulebook import load_rulebook
    from monitor.config import scrapy_settings
    from monitor.evaluate import evaluate
    from monitor.migrate import upgrade
    from monitor.registry import import_files
    from monitor.report.cli import write_report
    from monitor.simweb.scenario import load_scenario
    from monitor.simweb.server import SimWeb

    url = database_url(args.database)
    scenario = load_scenario(args.scenario)
    engine = db.engine_for(url)
    upgrade(engine)
    run_id, account_run = f"demo-{scenario.name}", f"demo-{scenario.name}-accounts"
    channel_run = f"demo-{scenario.name}-channels"
    with SimWeb(scenario) as web, tempfile.TemporaryDirectory() as tmp:
        registry = Path(tmp) / "targets.yaml"
        scenario.write_registry(registry, channels=True)
        counts = import_files(engine, [registry])
        print(f"registry: {counts['websites']} websites, {counts['columns']} columns, {counts['accounts']} accounts, "
              f"{counts['channels']} channels")
        settings = scrapy_settings()
        settings.set("MONITOR_DATABASE_URL", url, priority="cmdline")
        settings.set("MONITOR_HOST_MAP", web.host_map, priority="cmdline")
        settings.set("MONITOR_TRUSTED_SPKI", web.tls_spki, priority="cmdline")  # the platforms' test certificate
        settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
        process = CrawlerProcess(settings)
        as_of = datetime.combine(scenario.as_of, datetime.min.time())
        process.crawl("website", run_id=run_id, as_of=scenario.as_of.isoformat())
        process.crawl("probe", round_id=f"demo-{scenario.name}", at=(as_of - PROBE_WEEK).isoformat(),
                      rounds=str(PROBE_ROUNDS), interval=str(PROBE_WEEK.total_seconds() / PROBE_ROUNDS))
        if scenario.accounts:  # the platforms' clock: the monitoring day, 10:00 China time
            process.crawl("accounts", run_id=account_run, as_of=scenario.as_of.isoformat(),
                          at=scenario.clock.isoformat())
        process.crawl("channels", run_id=channel_run, as_of=scenario.as_of.isoformat(),
                      at=scenario.clock.isoformat())
        process.start()
    book = load_rulebook(scenario.rulebook or "")
    summary = evaluate(engine, args.period, as_of, run_id=run_id, book=book, account_run=account_run,
                       channel_run=channel_run)
    print(summary)
    out = Path(args.out) / args.period
    for path in write_report(engine, args.period, out):
        print(f"wrote {path}")
    print(f"database: {db.masked(url)} (runs {run_id}, {account_run}, {channel_run})")
    return 0
