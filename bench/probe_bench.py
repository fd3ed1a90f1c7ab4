"""Benchmark: one availability round over 1,000 sites, against the 20-rounds-a-day interval (4,320 s).

Serves 1,000 simulated homepages (2 % of them hanging past the probe timeout) on 127.0.0.1 and runs, in this
run, one round of the probe spider (which classifies and stores every visit) and, as the baseline, a minimal
Scrapy spider that only fetches the same homepages with the same concurrency. Prints both durations, their
ratio, and the round's share of the interval between rounds.

    .venv/bin/python bench/probe_bench.py [--sites 1000] [--timeout 15]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import yaml
from _runner import run  # bench/ is the script's folder, first on sys.path

BASELINE = '''
import json, sys, time
import scrapy
from scrapy.crawler import CrawlerProcess
from monitor.config import scrapy_settings
urls = json.loads(sys.argv[1]); settings = json.loads(sys.argv[2])
class Baseline(scrapy.Spider):
    name = "baseline"
    custom_settings = {"RETRY_ENABLED": False, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS": 128,
                       "CONCURRENT_REQUESTS_PER_DOMAIN": 1}
    async def start(self):
        for u in urls:
            yield scrapy.Request(u, dont_filter=True, errback=lambda f: None)
    def parse(self, response):
        pass
s = scrapy_settings(); s.setdict(settings, priority="cmdline"); s.set("ITEM_PIPELINES", {})
p = CrawlerProcess(s); t = time.monotonic(); p.crawl(Baseline); p.start()
print(json.dumps({"seconds": time.monotonic() - t}))
'''

PROBE = '''
import json, sys, time
from scrapy.crawler import CrawlerProcess
from monitor.config import scrapy_settings
settings = json.loads(sys.argv[1])
s = scrapy_settings(); s.setdict(settings, priority="cmdline")
p = CrawlerProcess(s); c = p.create_crawler("probe"); t = time.monotonic(); p.crawl(c); p.start()
print(json.dumps({"seconds": time.monotonic() - t, "items": c.stats.get_value("item_scraped_count", 0)}))
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument("--timeout", type=float, default=15.0, help="probe timeout (the national rule: 15 s)")
    parser.add_argument("--hang", type=float, default=16.0, help="how long the hanging 2 %% of sites hang")
    args = parser.parse_args()

    from monitor import db
    from monitor.migrate import upgrade
    from monitor.registry import import_files
    from monitor.simweb.flaky import FlakyHost, FlakyWeb

    hosts = [FlakyHost(f"www.site{i}.gov.cn", set(range(10)) if i % 50 == 0 else set(), "hang")
             for i in range(args.sites)]
    websites = [{"site_code": f"53{i:08d}", "name": f"站点{i}", "homepage": f"http://{h.host}/",
                 "region_code": "532500", "region_name": "红河州", "level": "county", "kind": "portal"}
                for i, h in enumerate(hosts)]
    with tempfile.TemporaryDirectory() as tmp, FlakyWeb(hosts, hang_seconds=args.hang) as web:
        url = f"sqlite:///{Path(tmp) / 'probe.sqlite'}"
        engine = db.engine_for(url)
        upgrade(engine)
        registry = Path(tmp) / "targets.yaml"
        registry.write_text(yaml.safe_dump({"websites": websites}, allow_unicode=True), encoding="utf-8")
        import_files(engine, [registry])
        settings = {"MONITOR_HOST_MAP": web.host_map, "MONITOR_DATABASE_URL": url, "LOG_LEVEL": "WARNING",
                    "MONITOR_PROBE_TIMEOUT": args.timeout, "DOWNLOAD_TIMEOUT": args.timeout}
        base = run(BASELINE, json.dumps([w["homepage"] for w in websites]), json.dumps(settings))
        probe = run(PROBE, json.dumps(settings))
        with engine.connect() as conn:
            from sqlalchemy import func, select
            outcomes = dict(conn.execute(select(db.probes.c.outcome, func.count()).group_by(db.probes.c.outcome)).all())
    interval = 86400 / 20
    print(f"{args.sites} sites, {sum(1 for h in hosts if h.failing_visits)} hanging past {args.timeout:g} s")
    print(f"baseline (fetch only)   {base['seconds']:7.1f} s")
    print(f"probe round (stored)    {probe['seconds']:7.1f} s   outcomes {outcomes}")
    print(f"ratio probe/baseline {probe['seconds'] / base['seconds']:.2f}; round = "
          f"{100 * probe['seconds'] / interval:.2f} % of the {interval:.0f} s between rounds")


if __name__ == "__main__":
    main()
