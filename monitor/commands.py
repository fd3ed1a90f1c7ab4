"""The basic commands: migrate, import-targets, crawl."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from monitor import db
from monitor.config import add_database_argument, database_url
from monitor.migrate import upgrade
from monitor.registry import RegistryError, import_files


def add_migrate_arguments(parser: argparse.ArgumentParser) -> None:
    add_database_argument(parser)


def run_migrate(args: argparse.Namespace) -> int:
    url = database_url(args.database)
    upgrade(url)
    print(f"schema up to date: {db.masked(url)}")
    return 0


def add_import_arguments(parser: argparse.ArgumentParser) -> None:
    add_database_argument(parser)
    parser.add_argument("files", nargs="+", help="registry files (.csv or .yaml)")


def run_import(args: argparse.Namespace) -> int:
    url = database_url(args.database)
    engine = db.engine_for(url)
    upgrade(engine)
    try:
        counts = import_files(engine, args.files)
    except RegistryError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"imported into {db.masked(url)}: {counts['websites']} websites, {counts['columns']} columns, "
          f"{counts['accounts']} accounts")
    return 0


def add_crawl_arguments(parser: argparse.ArgumentParser) -> None:
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


def run_spider(spider: str, args: argparse.Namespace, **spider_args: str) -> str:
    """Run one spider in this process with the command's settings; returns the run id it stored."""
    from scrapy.crawler import CrawlerProcess

    from monitor.config import scrapy_settings

    settings = scrapy_settings()
    for name, value in crawl_settings(database_url(args.database), args.host_map, args.settings).items():
        settings.set(name, value, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider)
    process.crawl(crawler, **spider_args)
    process.start()
    run_id = crawler.spider.run_id if crawler.spider else ""
    print(f"run {run_id} stored in {db.masked(settings.get('MONITOR_DATABASE_URL'))}")
    return run_id


def run_crawl(args: argparse.Namespace) -> int:
    if args.as_of:
        date.fromisoformat(args.as_of)  # refuse a malformed date before starting anything
    run_spider("website", args, sites=args.sites, run_id=args.run_id, as_of=args.as_of)
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
