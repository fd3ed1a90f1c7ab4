"""`govmon simweb SCENARIO`: serve a simulated government web until interrupted and print its host map."""

from __future__ import annotations

import argparse
import time
from datetime import date
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", nargs="?", default="honghe_2021q1", help="bundled scenario name or YAML path")
    parser.add_argument("--as-of", default=None, help="monitoring point (default: the scenario's)")
    parser.add_argument("--registry", default=None, help="also write the scenario's registry YAML here")
    parser.add_argument("--with-channels", action="store_true",
                        help="include the sites' letters channels and guide lists in the registry (then crawl them "
                             "with `scrapy crawl channels`, or their indicators are 待定)")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--hang-seconds", type=float, default=3.0,
                        help="how long hanging URLs wait before giving up (longer than the crawler's timeout)")


def run(args: argparse.Namespace) -> int:
    from monitor.simweb.scenario import load_scenario
    from monitor.simweb.server import SimWeb

    scenario = load_scenario(args.scenario)
    as_of = date.fromisoformat(args.as_of) if args.as_of else None
    with SimWeb(scenario, as_of, hang_seconds=args.hang_seconds, port=args.port) as web:
        if args.registry:
            print(f"registry: {scenario.write_registry(Path(args.registry), channels=args.with_channels)}")
        print(f"serving {scenario.name} ({len(scenario.sites)} sites, monitoring point {scenario.as_of}) "
              f"on 127.0.0.1:{web.port}")
        print(f"MONITOR_HOST_MAP='{web.host_map}'")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0
