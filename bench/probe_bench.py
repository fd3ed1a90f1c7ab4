"""Benchmark: one availability round over a province's sites, against the hourly interval between rounds (3,600 s).

Serves 2,000 simulated homepages that each answer after 1 s, plus 100 that hang past the probe limit, on
127.0.0.1 only, and runs, in this run, one round of the probe spider (15 s limit, its own concurrency; it classifies
and stores every visit) and, as the baseline, a minimal Scrapy spider that only fetches the same homepages with the
same concurrency and handler. Prints the visits, timeouts recorded for healthy sites (must be 0: the time a visit
waits for a slot is not the site's latency), hanging sites recorded as failed (must be all), the round's duration,
the baseline's, their ratio and the round's share of the interval (24 rounds a day, as deploy/ schedules them).
Exits 1 when a healthy site timed out, a hanging one did not fail, or the round overran the interval.

    .venv/bin/python bench/probe_bench.py [--sites 2000] [--hanging 100] [--delay 1] [--timeout 15] [--hang 16]
"""

from __future__ import annotations

import argparse
import json
import sys
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
                       "CONCURRENT_REQUESTS_PER_DOMAIN": 1, "COOKIES_ENABLED": False}
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

INTERVAL = 86400 / 24  # seconds between rounds: deploy/cron and deploy/systemd run 24 rounds a day



def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=2000, help="healthy sites")
    parser.add_argument("--hanging", type=int, default=100, help="sites that hang past the limit")
    parser.add_argument("--delay", type=float, default=1.0, help="how long each healthy site takes to answer")
    parser.add_argument("--timeout", type=float, default=15.0, help="probe limit (the national rule: 15 s)")
    parser.add_argument("--hang", type=float, default=16.0, help="how long the hanging sites hang")
    args = parser.parse_args()

    from sqlalchemy import func, select

    from monitor import db
    from monitor.migrate import upgrade
    from monitor.registry import import_files
    from monitor.simweb.flaky import FlakyHost, FlakyWeb

    # A FlakyHost whose every visit "hangs" for the web's hang_seconds and then answers 200: a slow, healthy site.
    healthy = [FlakyHost(f"www.ok{i}.gov.cn", {0}, "hang") for i in range(args.sites)]
    hanging = [FlakyHost(f"www.hang{i}.gov.cn", {0}, "hang") for i in range(args.hanging)]
    # Hanging sites spread through the registry, as they would be in a real province.
    step = max(1, args.sites // max(1, args.hanging))
    order = [h for i, h in enumerate(healthy) for h in ([h] + ([hanging[i // step]] if i % step == 0
                                                                and i // step < len(hanging) else []))]
    order += [h for h in hanging if h not in order]
    websites = [{"site_code": f"53{i:08d}", "name": f"站点{i}", "homepage": f"http://{h.host}/",
                 "region_code": "532500", "region_name": "红河州", "level": "county", "kind": "portal"}
                for i, h in enumerate(order)]
    with (tempfile.TemporaryDirectory() as tmp, FlakyWeb(healthy, hang_seconds=args.delay) as slow,
          FlakyWeb(hanging, hang_seconds=args.hang) as dead):
        url = f"sqlite:///{Path(tmp) / 'probe.sqlite'}"
        engine = db.engine_for(url)
        upgrade(engine)
        registry = Path(tmp) / "targets.yaml"
        registry.write_text(yaml.safe_dump({"websites": websites}, allow_unicode=True), encoding="utf-8")
        import_files(engine, [registry])
        settings = {"MONITOR_HOST_MAP": f"{slow.host_map};{dead.host_map}", "MONITOR_DATABASE_URL": url,
                    "LOG_LEVEL": "WARNING", "MONITOR_PROBE_TIMEOUT": args.timeout, "DOWNLOAD_TIMEOUT": args.timeout}
        base = run(BASELINE, json.dumps([w["homepage"] for w in websites]), json.dumps(settings))
        for web in (slow, dead):
            web.visits.clear()  # count the probe's visits only
        probe = run(PROBE, json.dumps(settings))
        served = sum(slow.visits.values()) + sum(dead.visits.values())
        with engine.connect() as conn:
            rows = conn.execute(select(db.probes.c.url, db.probes.c.outcome, db.probes.c.latency_ms)).all()
            stored = conn.execute(select(func.count()).select_from(db.probes)).scalar_one()
        engine.dispose()

    ok_rows = [r for r in rows if r.url.startswith("http://www.ok")]
    hang_rows = [r for r in rows if r.url.startswith("http://www.hang")]
    healthy_timeouts = sum(r.outcome == "timeout" for r in ok_rows)
    healthy_other = sum(r.outcome not in ("ok", "timeout") for r in ok_rows)
    hang_failed = sum(r.outcome != "ok" for r in hang_rows)
    latencies = sorted(r.latency_ms for r in ok_rows if r.latency_ms is not None)
    p99 = latencies[int(0.99 * (len(latencies) - 1))] if latencies else 0
    share = probe["seconds"] / INTERVAL
    print(f"{args.sites} healthy sites answering in {args.delay:g} s, {args.hanging} hanging {args.hang:g} s; "
          f"limit {args.timeout:g} s, 128 concurrent")
    print(f"visits stored             {stored} ({served} served)")
    print(f"healthy sites timed out   {healthy_timeouts} (other failures {healthy_other}); latency p99 "
          f"{p99} ms, max {latencies[-1] if latencies else 0} ms")
    print(f"hanging sites failed      {hang_failed} / {len(hang_rows)} "
          f"({', '.join(sorted({r.outcome for r in hang_rows}))})")
    print(f"baseline (fetch only)     {base['seconds']:7.1f} s")
    print(f"probe round (stored)      {probe['seconds']:7.1f} s")
    print(f"ratio probe/baseline {probe['seconds'] / base['seconds']:.2f}; round = {100 * share:.2f} % of the "
          f"{INTERVAL:.0f} s between rounds")
    good = (healthy_timeouts == 0 and healthy_other == 0 and len(ok_rows) == args.sites
            and hang_failed == len(hang_rows) == args.hanging and share < 1)
    if not good:
        print("FAILED: a healthy site was not recorded ok, a hanging site was not recorded failed, "
              "or the round overran the interval")
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
