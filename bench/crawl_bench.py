"""Benchmark: the website spider against bare Scrapy doing the same work, by wall time, on one generated region.

Generates a simulated region (default 12 sites, 200 pages each), serves it on 127.0.0.1, and runs, each in its own
process so both start cold, interleaved (the order alternates each repetition):

- the monitor's website spider (extraction, link checks, storage into a fresh SQLite file per repetition), with
  list pages and articles unbounded so it covers the region;
- a bare Scrapy spider given the work the website spider did in the first repetition (every request it sent
  itself, recorded as it reached the downloader; redirects and retries follow from them on both sides): it GETs
  the same pages (extracting their links with Scrapy's LinkExtractor, as a link-following spider would) and makes
  the same link checks (HEAD, and GET where the website spider fell back to it, e.g. on 405).

Both use the same settings (the project's, with the host map handler for name resolution; per-host concurrency 2,
AutoThrottle off so the figures measure work, not waiting; no rendering). Wall time is the crawl's, from the
crawler's start to its end inside the process (interpreter start and imports left out); CPU time is that process's
(its threads; not the simulated web's), steadier than wall time on a shared machine. Prints the work of each side,
min / median / max wall and CPU of each, and the ratio bare / website (1.0 = as fast as bare Scrapy; higher is
better), from the medians and per repetition. `-s NAME=VALUE` (repeatable, JSON values) sets a setting on both
sides, e.g. -s CONCURRENT_ITEMS=100 to compare a setting's value.

    .venv/bin/python bench/crawl_bench.py [--sites 12] [--pages 200] [--reps 3] [-s NAME=VALUE]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from _region import prepare_database  # bench/ is the script's folder, first on sys.path
from _runner import run

COMMON = {
    "LOG_LEVEL": "WARNING",
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
    "MONITOR_RENDER_SCRIPT_FOOTERS": False,
    "MONITOR_RENDER_SCRIPT_LISTS": False,
    "DEPTH_LIMIT": 0,
    "MONITOR_RUN_DIR": "",
}

BASELINE = '''
import json, sys, time
import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.linkextractors import LinkExtractor
from monitor.config import scrapy_settings
work = json.load(open(sys.argv[1])); settings = json.loads(sys.argv[2])
class Baseline(scrapy.Spider):
    name = "baseline"
    le = LinkExtractor()
    links = 0
    async def start(self):
        for kind, url in work:
            if kind == "page":
                yield scrapy.Request(url, self.page, dont_filter=True)
            else:
                yield scrapy.Request(url, self.checked, method=kind, dont_filter=True, priority=-10)
    def page(self, response):
        if b"html" in (response.headers.get("Content-Type") or b"html") and hasattr(response, "text"):
            self.links += len(self.le.extract_links(response))
    def checked(self, response):
        pass
s = scrapy_settings(); s.setdict(settings, priority="cmdline")
s.set("ITEM_PIPELINES", {}); s.set("SPIDER_MODULES", []); s.set("EXTENSIONS", {}); s.set("SPIDER_MIDDLEWARES", {})
p = CrawlerProcess(s); c = p.create_crawler(Baseline); t, cpu = time.monotonic(), time.process_time(); p.crawl(c); p.start()
n = {m: c.stats.get_value(f"downloader/request_method_count/{m}", 0) for m in ("GET", "HEAD")}
print(json.dumps({"seconds": time.monotonic() - t, "cpu": time.process_time() - cpu, "requests": n, "links_seen": c.spider.links}))
'''

MONITOR = '''
import json, sys, time
from scrapy import signals
from scrapy.crawler import CrawlerProcess
from monitor.config import scrapy_settings
settings = json.loads(sys.argv[1])
s = scrapy_settings(); s.setdict(settings, priority="cmdline")
p = CrawlerProcess(s); c = p.create_crawler("website"); made = []
def reached(request, spider):  # first-hand requests only: redirects and retries follow from them on both sides
    m = request.meta
    if "redirect_urls" not in m and "retry_times" not in m:
        made.append(["page" if "role" in m else request.method, request.url])
c.signals.connect(reached, signal=signals.request_reached_downloader)
t, cpu = time.monotonic(), time.process_time(); p.crawl(c, run_id="bench", as_of=sys.argv[2]); p.start()
open(sys.argv[3], "w").write(json.dumps(sorted(made)))
n = {m: c.stats.get_value(f"downloader/request_method_count/{m}", 0) for m in ("GET", "HEAD")}
print(json.dumps({"seconds": time.monotonic() - t, "cpu": time.process_time() - cpu, "requests": n}))
'''


def spread(values: list[float]) -> str:
    return f"{min(values):7.2f} {statistics.median(values):7.2f} {max(values):7.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=12)
    parser.add_argument("--pages", type=int, default=200, help="pages per site")
    parser.add_argument("--reps", type=int, default=3, help="repetitions (at least 3 for min / median / max)")
    parser.add_argument("-s", dest="set", action="append", default=[], metavar="NAME=VALUE",
                        help="a setting for both sides (value read as JSON, else as a string)")
    args = parser.parse_args()
    overrides: dict[str, Any] = {}
    for item in args.set:
        name, _, value = item.partition("=")
        try:
            overrides[name] = json.loads(value)
        except ValueError:
            overrides[name] = value

    from monitor.simweb.generate import generate_region
    from monitor.simweb.server import SimWeb

    scenario = generate_region(args.sites, args.pages, seed=1)
    times: dict[str, list[float]] = {"bare": [], "website": []}
    cpu: dict[str, list[float]] = {"bare": [], "website": []}  # the crawl process's CPU seconds (all its threads)
    works: list[list[list[str]]] = []  # per repetition: the website spider's requests, [kind, url]
    requests: dict[str, dict[str, int]] = {}  # per side, of its last repetition: GET and HEAD requests made
    with tempfile.TemporaryDirectory() as tmp, SimWeb(scenario) as web:
        registry = Path(tmp) / "targets.yaml"
        scenario.write_registry(registry)
        settings = COMMON | {"MONITOR_HOST_MAP": web.host_map} | overrides
        work_file = Path(tmp) / "work0.json"  # the bare spider's work: what the website spider did first
        print(f"region: {args.sites} sites, {args.pages} pages each, served on 127.0.0.1:{web.port}")

        def website(rep: int) -> None:
            url = f"sqlite:///{Path(tmp) / f'bench{rep}.sqlite'}"
            prepare_database(url, registry)
            mine = settings | {"MONITOR_DATABASE_URL": url, "MONITOR_MAX_LIST_PAGES": 1000,
                               "MONITOR_ARTICLES_PER_COLUMN": 1000}
            made = Path(tmp) / f"work{rep}.json"
            r = run(MONITOR, json.dumps(mine), scenario.as_of.isoformat(), str(made))
            times["website"].append(r["seconds"])
            cpu["website"].append(r["cpu"])
            requests["website"] = r["requests"]
            works.append(json.loads(made.read_text()))

        def bare(rep: int) -> dict[str, Any]:
            r = run(BASELINE, str(work_file), json.dumps(settings))
            times["bare"].append(r["seconds"])
            cpu["bare"].append(r["cpu"])
            requests["bare"] = r["requests"]
            return r

        website(0)
        last = bare(0)
        for rep in range(1, args.reps):
            if rep % 2:  # interleaved: the order alternates
                last = bare(rep)
                website(rep)
            else:
                website(rep)
                last = bare(rep)
    first = works[0]
    kinds = Counter(kind for kind, _ in first)
    same = all(w == first for w in works)
    print(f"work: {kinds['page']} pages fetched, {kinds['HEAD']} HEAD and {kinds['GET']} GET link checks "
          f"({'the same in every repetition' if same else 'NOT the same in every repetition'}); "
          f"bare Scrapy extracted {last['links_seen']} links from the pages")
    for name in ("bare", "website"):
        print(f"requests of {name}: {requests[name]['GET']} GET, {requests[name]['HEAD']} HEAD")
    print(f"{'wall, s':28s} {'min':>7} {'median':>7} {'max':>7}")
    for name, label in (("bare", "bare Scrapy (same work)"), ("website", "website spider")):
        print(f"{label:28s} {spread(times[name])}")
    print(f"{'cpu, s':28s}")
    for name, label in (("bare", "bare Scrapy (same work)"), ("website", "website spider")):
        print(f"{label:28s} {spread(cpu[name])}")
    for label, values in (("wall", times), ("cpu", cpu)):
        ratios = [b / w for b, w in zip(values["bare"], values["website"], strict=True)]
        print(f"{f'ratio bare/website, {label}':28s} {spread(ratios)}   "
              f"(of medians: {statistics.median(values['bare']) / statistics.median(values['website']):.2f})")


if __name__ == "__main__":
    main()
