"""Benchmark: the website spider against a minimal link-following Scrapy spider, on one generated region.

Generates a simulated region (default 12 sites, 2,400 pages), serves it on 127.0.0.1, and crawls it in this run
twice — with the monitor's website spider (extraction, link checks, storage into a fresh SQLite file) and with a
minimal spider that only follows same-site links — each in its own process so both start cold. Prints pages per
second for both and their ratio. Both use the same politeness settings (per-host concurrency 2, AutoThrottle off so
the figures measure work, not waiting).

    .venv/bin/python bench/crawl_bench.py [--sites 12] [--pages 200]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from _runner import run  # bench/ is the script's folder, first on sys.path

COMMON = {
    "LOG_LEVEL": "WARNING",
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
    "MONITOR_RENDER_SCRIPT_FOOTERS": False,
    "DEPTH_LIMIT": 0,
}

BASELINE = '''
import json, sys, time
import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.linkextractors import LinkExtractor
from monitor.config import scrapy_settings
homepages = json.loads(sys.argv[1]); settings = json.loads(sys.argv[2])
hosts = [u.split("/")[2] for u in homepages]
class Baseline(scrapy.Spider):
    name = "baseline"
    start_urls = homepages
    allowed_domains = hosts
    le = LinkExtractor(allow_domains=hosts)
    def parse(self, response):
        if response.status >= 400 or b"html" not in (response.headers.get("Content-Type") or b"html"):
            return
        for link in self.le.extract_links(response):
            yield response.follow(link.url, self.parse)
s = scrapy_settings(); s.setdict(settings, priority="cmdline")
s.set("ITEM_PIPELINES", {}); s.set("SPIDER_MODULES", [])
p = CrawlerProcess(s); c = p.create_crawler(Baseline); t = time.monotonic(); p.crawl(c); p.start()
print(json.dumps({"pages": c.stats.get_value("response_received_count", 0), "seconds": time.monotonic() - t}))
'''

MONITOR = '''
import json, sys, time
from scrapy.crawler import CrawlerProcess
from monitor.config import scrapy_settings
settings = json.loads(sys.argv[1])
s = scrapy_settings(); s.setdict(settings, priority="cmdline")
p = CrawlerProcess(s); c = p.create_crawler("website"); t = time.monotonic()
p.crawl(c, run_id="bench", as_of=sys.argv[2]); p.start()
print(json.dumps({"pages": c.stats.get_value("response_received_count", 0), "seconds": time.monotonic() - t}))
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=12)
    parser.add_argument("--pages", type=int, default=200, help="pages per site")
    args = parser.parse_args()

    from monitor import db
    from monitor.migrate import upgrade
    from monitor.registry import import_files
    from monitor.simweb.generate import generate_region
    from monitor.simweb.server import SimWeb

    scenario = generate_region(args.sites, args.pages, seed=1)
    with tempfile.TemporaryDirectory() as tmp, SimWeb(scenario) as web:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        engine = db.engine_for(url)
        upgrade(engine)
        registry = Path(tmp) / "targets.yaml"
        scenario.write_registry(registry)
        import_files(engine, [registry])
        homepages = [w["homepage"] for w in scenario.registry()["websites"]]
        settings = COMMON | {"MONITOR_HOST_MAP": web.host_map, "MONITOR_DATABASE_URL": url}
        print(f"region: {args.sites} sites, {args.pages} pages each, served on 127.0.0.1:{web.port}")
        t = time.monotonic()
        base = run(BASELINE, json.dumps(homepages), json.dumps(settings))
        mon = run(MONITOR, json.dumps(settings | {"MONITOR_MAX_LIST_PAGES": 1000, "MONITOR_ARTICLES_PER_COLUMN": 1000}),
                  scenario.as_of.isoformat())
        with engine.connect() as conn:
            from sqlalchemy import func, select
            stored = {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                      for t in (db.pages, db.list_entries, db.links, db.link_checks)}
    for name, r in (("baseline (link-following)", base), ("website spider", mon)):
        print(f"{name:28s} {r['pages']:6d} responses in {r['seconds']:7.2f} s = {r['pages'] / r['seconds']:7.1f} pages/s")
    ratio = (mon["pages"] / mon["seconds"]) / (base["pages"] / base["seconds"])
    print(f"ratio website/baseline: {ratio:.2f}   (stored: {stored})   total {time.monotonic() - t:.1f} s")


if __name__ == "__main__":
    main()
