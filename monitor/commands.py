"""The basic commands: migrate, import-targets, crawl."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from monitor import db
from monitor.config import add_database_argument, database_url
from monitor.migrate import upgrade
from monitor.registry import RegistryError, describe, import_registry

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from monitor.extensions.outcomes import CrawlOutcomes


def add_migrate_arguments(parser: argparse.ArgumentParser) -> None:
    add_database_argument(parser)


def run_migrate(args: argparse.Namespace) -> int:
    url = database_url(args.database)
    upgrade(url)
    print(f"schema up to date: {db.masked(url)}")
    return 0


def add_import_arguments(parser: argparse.ArgumentParser) -> None:
    add_database_argument(parser)
    parser.add_argument("--retire-missing", action="store_true",
                        help="mark active websites (accounts) absent from the files inactive, in the same transaction")
    parser.add_argument("files", nargs="+",
                        help="registry files (.csv/.txt/.tsv or .yaml; UTF-8, GB18030/GBK or UTF-16 with BOM)")


def run_import(args: argparse.Namespace) -> int:
    url = database_url(args.database)
    engine = db.engine_for(url)
    upgrade(engine)
    try:
        result = import_registry(engine, args.files, retire_missing=args.retire_missing)
    except RegistryError as exc:
        print(exc, file=sys.stderr)
        return 1
    for path, encoding in result.encodings.items():
        print(f"{path}: {encoding}")
    counts = result.counts
    print(f"imported into {db.masked(url)}: {counts['websites']} websites, {counts['columns']} columns, "
          f"{counts['accounts']} accounts, {counts['channels']} channels")
    for line in describe(result):
        print(line)
    return 0


# Exit codes of `govmon crawl` besides 0 (75, a crawl already running, comes from monitor/cli.py).
EXIT_NOTHING_READ = 3  # sites were crawled but not one homepage could be read
EXIT_NO_SITES = 4  # nothing to crawl: no active site in the registry, --sites matched none, or start-up failed
EXIT_UNSTORED = 5  # the database failed during the crawl: rows saved to a file for `govmon store`

CRAWL_EPILOG = f"""\
At the end a summary is printed: totals, the sites to look at (homepage unreadable, broken links) and where the
full per-site table is (MONITOR_RUN_DIR/<run id>/抓取结果.csv). Progress is logged while the crawl runs.

exit status:
  0   at least one site's homepage was read (other sites' failures are findings, listed in the summary)
  {EXIT_NOTHING_READ}   no site could be read at all: every homepage failed (network, DNS, host map?)
  {EXIT_NO_SITES}   no site was crawled: no active site in the registry, --sites matched none, or start-up failed
  75  another crawl is running (job lock)
"""


def add_crawl_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = CRAWL_EPILOG
    add_database_argument(parser)
    parser.add_argument("--sites", default="", help="comma-separated 网站标识码 (default: all active sites)")
    parser.add_argument("--run-id", default="", help="run identity; re-playing a run id updates its rows")
    parser.add_argument("--as-of", default="", type=str, help="monitoring point YYYY-MM-DD (default: today)")
    parser.add_argument("--host-map", default=None, help="pattern=address[:port];... (see MONITOR_HOST_MAP)")
    parser.add_argument("-s", dest="settings", action="append", default=[], metavar="NAME=VALUE",
                        help="override a Scrapy or MONITOR_* setting")


def crawl_settings(database: str, host_map: str | None, overrides: list[str]) -> dict[str, str]:
    values = {"MONITOR_DATABASE_URL": database}
    if host_map is not None:
        values["MONITOR_HOST_MAP"] = host_map
    for item in overrides:
        name, _, value = item.partition("=")
        values[name] = value
    return values


def host_map_problems(text: str) -> list[str]:
    """What is wrong with a host map, before any request (monitor.hostmap.parse_host_map checks it)."""
    from monitor.hostmap import HostMapError, parse_host_map

    try:
        parse_host_map(text)
    except HostMapError as exc:
        return [str(exc)]
    return []


def database_problems(url: str) -> list[str]:
    """Whether the database answers, before the first request: a crawl whose rows cannot be stored is not started
    (a server that is down, a wrong password, a missing database), with the URL's password masked."""
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    if db.normalise_url(url).startswith("sqlite"):
        return []  # a file the crawl creates; connecting here would create it before the other checks
    engine = db.engine_for(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        first = str(getattr(exc, "orig", exc) or exc).strip().splitlines()[0]
        return [f"数据库无法连接 {db.masked(url)}: {first}"]
    finally:
        engine.dispose()
    return []


def run_spider(spider: str, args: argparse.Namespace, **spider_args: str) -> Crawler:
    """Run one spider in this process with the command's settings; returns its finished crawler. A configuration
    error stops the command (exit 2) before the first request; a spider that could not start exits 1."""
    from scrapy.crawler import CrawlerProcess

    from monitor.config import scrapy_settings

    settings = scrapy_settings()
    given = crawl_settings(database_url(args.database), args.host_map, args.settings)
    for name, value in given.items():
        settings.set(name, value, priority="cmdline")
    host_map = given.get("MONITOR_HOST_MAP",  # else the environment's, else settings.py's (as the add-on reads it)
                         os.environ.get("MONITOR_HOST_MAP", str(settings.get("MONITOR_HOST_MAP") or "")))
    problems = host_map_problems(host_map) or database_problems(given["MONITOR_DATABASE_URL"])
    if problems:
        print("配置错误, 未开始抓取:\n  " + "\n  ".join(problems), file=sys.stderr)
        raise SystemExit(2)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider)
    process.crawl(crawler, **spider_args)
    process.start()
    if crawler.spider is None or crawler.stats is None or not crawler.stats.get_value("start_time"):
        print(f"{spider}: 未能启动(见日志), 未写入任何结果", file=sys.stderr)
        raise SystemExit(1)
    unstored = crawler.stats.get_value("govmon/unstored_rows")
    if unstored is not None:  # the database failed during the crawl: its rows are in a file, not lost
        path = crawler.stats.get_value("govmon/unstored_file")
        print(f"数据库在抓取过程中不可用: {unstored} 行未能写入, 已保存到 {path}; 数据库恢复后运行 "
              f"`govmon store {path}` 写入 (退出码 {EXIT_UNSTORED})", file=sys.stderr)
        raise SystemExit(EXIT_UNSTORED)
    if crawler.stats.get_value("govmon/locked"):  # the same job runs on this database: nothing was requested
        print(crawler.stats.get_value("govmon/locked"), file=sys.stderr)
        raise SystemExit(75)  # EX_TEMPFAIL: cron and systemd log it; the next scheduled run goes ahead
    run_id = crawler.spider.run_id if crawler.spider else ""
    print(f"run {run_id} stored in {db.masked(settings.get('MONITOR_DATABASE_URL'))}")
    return crawler


def crawl_outcomes(crawler: Crawler) -> CrawlOutcomes | None:
    """The crawl's outcome extension (None when a user disabled it in EXTENSIONS)."""
    from monitor.extensions.outcomes import CrawlOutcomes

    middlewares = crawler.extensions.middlewares if crawler.extensions is not None else []
    return next((m for m in middlewares if isinstance(m, CrawlOutcomes)), None)


def run_crawl(args: argparse.Namespace) -> int:
    if args.as_of:
        date.fromisoformat(args.as_of)  # refuse a malformed date before starting anything
    crawler = run_spider("website", args, sites=args.sites, run_id=args.run_id, as_of=args.as_of)
    outcomes = crawl_outcomes(crawler)
    if outcomes is None or outcomes.summary is None:
        print("抓取结果未汇总(CrawlOutcomes 扩展未启用);请查看日志", file=sys.stderr)
        return 0
    for line in outcomes.summary_lines():
        print(line)
    sys.stdout.flush()  # the summary before the verdict on stderr, also when both go to one terminal or log
    summary = outcomes.summary
    if summary["finish_reason"] != "finished":
        print(f"抓取未正常结束: {summary['finish_reason']}", file=sys.stderr)
    if summary["sites"] == 0:
        print("没有抓取任何网站: 登记表中没有启用的网站、--sites 未匹配任何网站,或启动失败(见日志)", file=sys.stderr)
        return EXIT_NO_SITES
    if summary["read"] == 0:
        print(f"没有一个网站的首页能够读取(共 {summary['sites']} 个网站): 请检查本机网络、DNS 或 MONITOR_HOST_MAP;"
              f"退出码 {EXIT_NOTHING_READ}", file=sys.stderr)
        return EXIT_NOTHING_READ
    return 0


def add_probe_arguments(parser: argparse.ArgumentParser) -> None:
    add_database_argument(parser)
    parser.add_argument("--sites", default="", help="comma-separated 网站标识码 (default: all active sites)")
    parser.add_argument("--ipv6", action="store_true", help="also visit each homepage over IPv6")
    parser.add_argument("--at", default="", help="stamp the first round with this UTC time (replays, tests)")
    parser.add_argument("--rounds", type=int, default=1, help="rounds to run back to back (default 1)")
    parser.add_argument("--interval", type=float, default=4320.0,
                        help="seconds between the stamps of consecutive rounds (default 4320 = 20 a day)")
    parser.add_argument("--host-map", default=None, help="pattern=address[:port];... (see MONITOR_HOST_MAP)")
    parser.add_argument("-s", dest="settings", action="append", default=[], metavar="NAME=VALUE",
                        help="override a Scrapy or MONITOR_* setting")


def run_probe(args: argparse.Namespace) -> int:
    run_spider("probe", args, sites=args.sites, at=args.at, rounds=str(args.rounds),
               interval=str(args.interval), ipv6="1" if args.ipv6 else "0")
    return 0


def add_accounts_arguments(parser: argparse.ArgumentParser) -> None:
    add_database_argument(parser)
    parser.add_argument("--accounts", default="", help="comma-separated <平台>:<账号> (default: all active accounts)")
    parser.add_argument("--platforms", default="", help="comma-separated platforms, e.g. 微博,抖音 (default: all)")
    parser.add_argument("--run-id", default="", help="run identity; re-playing a run id updates its rows")
    parser.add_argument("--as-of", default="", help="monitoring point YYYY-MM-DD the reading is for (default: today)")
    parser.add_argument("--at", default="", help="clock start, China time (replays, the simulated platforms)")
    parser.add_argument("--host-map", default=None, help="pattern=address[:port];... (see MONITOR_HOST_MAP)")
    parser.add_argument("-s", dest="settings", action="append", default=[], metavar="NAME=VALUE",
                        help="override a Scrapy or MONITOR_* setting")


def run_accounts(args: argparse.Namespace) -> int:
    if args.as_of:
        date.fromisoformat(args.as_of)
    run_spider("accounts", args, accounts=args.accounts, platforms=args.platforms, run_id=args.run_id,
               as_of=args.as_of, at=args.at)
    return 0


def add_store_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="a 未入库数据.jsonl file a crawl wrote when the database failed")
    add_database_argument(parser)


def run_store(args: argparse.Namespace) -> int:
    """Write the rows a crawl could not store (idempotent: re-running it updates the same rows)."""
    from monitor.pipelines.storage import store_spilled

    url = database_url(args.database)
    problems = database_problems(url)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 2
    engine = db.engine_for(url)
    try:
        count = store_spilled(engine, Path(args.file))
    finally:
        engine.dispose()
    print(f"{count} rows of {args.file} stored in {db.masked(url)}")
    return 0
