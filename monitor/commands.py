"""The basic commands: migrate, import-targets, crawl."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from monitor import db
from monitor.config import database_url
from monitor.migrate import upgrade
from monitor.registry import RegistryError, import_files


def add_database_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database", default=None,
                        help="database URL or SQLite path (default: MONITOR_DATABASE_URL, else var/govmon.sqlite)")


def add_migrate_arguments(parser: argparse.ArgumentParser) -> None:
    add_database_argument(parser)


def run_migrate(args: argparse.Namespace) -> int:
    url = args.database or database_url()
    upgrade(url)
    print(f"schema up to date: {db.masked(url)}")
    return 0


def add_import_arguments(parser: argparse.ArgumentParser) -> None:
    add_database_argument(parser)
    parser.add_argument("files", nargs="+", help="registry files (.csv or .yaml)")


def run_import(args: argparse.Namespace) -> int:
    url = args.database or database_url()
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


def run_crawl(args: argparse.Namespace) -> int:
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    if args.as_of:
        date.fromisoformat(args.as_of)  # refuse a malformed date before starting anything
    settings = get_project_settings()
    for name, value in crawl_settings(args.database or database_url(), args.host_map, args.settings).items():
        settings.set(name, value, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler("website")
    process.crawl(crawler, sites=args.sites, run_id=args.run_id, as_of=args.as_of)
    process.start()
    run_id = crawler.spider.run_id if crawler.spider else args.run_id
    print(f"run {run_id} stored in {db.masked(settings.get('MONITOR_DATABASE_URL'))}")
    return 0
