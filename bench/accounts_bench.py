"""Benchmark: the accounts spider on 500 simulated accounts — peak memory and accounts per minute against a baseline.

Serves `synthetic_accounts(N)` (the four platforms in turn, so a quarter of them Douyin pages rendered in Chromium)
through the simulated platforms (monitor/simweb/platforms.py) under their real host names, and crawls them twice in
this run, each side in a fresh process:

- accounts: `scrapy crawl accounts` with the real adapters, rendering, per-batch browser contexts and storage into a
  fresh SQLite file; every URL it requested is written down;
- baseline: a bare Scrapy spider fetching exactly those URLs (no adapters, no rendering, no storage).

While each side runs, the resident memory of its process and all its descendants (the Playwright driver and the
Chromium processes) is sampled; the sum of RSS counts pages shared between Chromium's processes once per process,
so the proportional set size (PSS, /proc/<pid>/smaps_rollup) is printed beside it. Both sides use the same
politeness (2 requests per host at a time) with AutoThrottle off, so the figures measure work, not waiting.

    .venv/bin/python bench/accounts_bench.py [--accounts 500] [--batch 20]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

COMMON = {
    "LOG_LEVEL": "WARNING",
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
    "MONITOR_RUN_DIR": "",
}

ACCOUNTS = '''
import json, sys, time
from scrapy import signals
from scrapy.crawler import CrawlerProcess
from monitor.config import scrapy_settings
settings, urls_file, at = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
s = scrapy_settings(); s.setdict(settings, priority="cmdline")
p = CrawlerProcess(s); c = p.create_crawler("accounts")
urls = []
def scheduled(request, spider=None):
    if not request.meta.get("retry_times"):
        urls.append(request.url)
c.signals.connect(scheduled, signal=signals.request_scheduled)
t = time.monotonic(); p.crawl(c, run_id="bench", at=at); p.start(); seconds = time.monotonic() - t
json.dump(urls, open(urls_file, "w"))
st = c.stats.get_stats()
print(json.dumps({"seconds": seconds, "requests": len(urls), "responses": st.get("response_received_count", 0),
                  "contexts": st.get("playwright/context_count", 0),
                  "contexts_open_at_end": st.get("accounts/contexts_open_at_end"),
                  "max_contexts": st.get("playwright/context_count/max_concurrent", 0),
                  "aborted": st.get("playwright/request_count/aborted", 0),
                  "browsers": st.get("playwright/browser_count", 0)}))
'''

BASELINE = '''
import json, sys, time
from urllib.parse import urlsplit
import scrapy
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.crawler import CrawlerProcess
from monitor.config import scrapy_settings
from monitor.hostmap import _with_address, lookup, parse_host_map
settings, urls = json.loads(sys.argv[1]), json.load(open(sys.argv[2]))
RULES = parse_host_map(settings["MONITOR_HOST_MAP"])
class PlainHostMap(HTTP11DownloadHandler):
    """Scrapy's own HTTP handler plus the host map: no Playwright at all."""
    lazy = False
    async def download_request(self, request):
        mapped = request.replace(url=_with_address(request.url, lookup(RULES, urlsplit(request.url).hostname)))
        mapped.headers["Host"] = urlsplit(request.url).netloc
        return (await super().download_request(mapped)).replace(url=request.url)
class Baseline(scrapy.Spider):
    name = "baseline"
    async def start(self):
        for url in urls:
            yield scrapy.Request(url, dont_filter=True, callback=self.parse)
    def parse(self, response):
        pass
s = scrapy_settings(); s.setdict(settings, priority="cmdline")
s.set("ITEM_PIPELINES", {}); s.set("SPIDER_MODULES", []); s.set("SPIDER_MIDDLEWARES", {}); s.set("ADDONS", {})
s.set("DOWNLOAD_HANDLERS", {"http": "__main__.PlainHostMap", "https": "__main__.PlainHostMap"})
p = CrawlerProcess(s); c = p.create_crawler(Baseline); t = time.monotonic(); p.crawl(c); p.start()
print(json.dumps({"seconds": time.monotonic() - t, "requests": len(urls),
                  "responses": c.stats.get_value("response_received_count", 0)}))
'''


# ------------------------------------------------------------------ memory of a process tree (Linux /proc)

def descendants(root: int) -> set[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    tree, frontier = set(), {root}
    while frontier:
        tree |= frontier
        frontier = {pid for pid, parent in parents.items() if parent in frontier and pid not in tree}
    return tree


def memory_kib(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in KiB; (0, 0) when it is gone."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0, 0
    values = {line.split(":")[0]: int(line.split()[1]) for line in rollup.splitlines()[1:] if line.endswith("kB")}
    return values.get("Rss", 0), values.get("Pss", 0)


class Sampler(threading.Thread):
    """Samples the memory of a process and its descendants every `interval` seconds; keeps the peaks."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_rss = self.peak_pss = self.peak_processes = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            tree = descendants(self.pid)
            rss = pss = 0
            for pid in tree:
                r, p = memory_kib(pid)
                rss, pss = rss + r, pss + p
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            self.peak_processes = max(self.peak_processes, len(tree))
            self.stop.wait(self.interval)


def run_sampled(code: str, *args: str) -> dict:
    """Run `code` as a script in a fresh process while sampling its memory; returns its last JSON line plus the
    peaks (from a file, not -c: Scrapy inspects spider callbacks' source code)."""
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as script:
        script.write(code)
    proc = subprocess.Popen([sys.executable, script.name, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    sampler = Sampler(proc.pid)
    sampler.start()
    out, err = proc.communicate()
    sampler.stop.set()
    sampler.join()
    Path(script.name).unlink()
    if proc.returncode != 0:
        sys.stderr.write(err[-3000:])
        raise SystemExit(f"benchmark process failed ({proc.returncode})")
    result = json.loads(out.strip().splitlines()[-1])
    return result | {"rss_mib": sampler.peak_rss / 1024, "pss_mib": sampler.peak_pss / 1024,
                     "processes": sampler.peak_processes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=500)
    parser.add_argument("--batch", type=int, default=None, help="MONITOR_ACCOUNT_BATCH (default: the setting's)")
    args = parser.parse_args()

    try:
        from monitor.simweb.platforms import synthetic_accounts
    except ImportError as exc:
        raise SystemExit(f"the simulated platforms (monitor/simweb/platforms.py) are needed: {exc}") from None
    from sqlalchemy import func, select

    from monitor import db
    from monitor.simweb.scenario import Scenario, parse_account
    from monitor.simweb.server import SimWeb

    rows = synthetic_accounts(args.accounts, seed=1)
    scenario = Scenario(name="accounts-bench", as_of=__import__("datetime").date(2021, 3, 3), sites=[],
                        accounts=[parse_account(row, "synthetic") for row in rows])
    with tempfile.TemporaryDirectory() as tmp, SimWeb(scenario) as web:
        registry = Path(tmp) / "accounts.yaml"
        registry.write_text(yaml.safe_dump({"accounts": rows}, allow_unicode=True), encoding="utf-8")
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        urls_file = str(Path(tmp) / "urls.json")
        settings = COMMON | {"MONITOR_HOST_MAP": web.host_map, "MONITOR_DATABASE_URL": url,
                             "MONITOR_TARGETS": str(registry),
                             # the simulated platforms' self-signed certificate, trusted by key and for nothing else
                             "PLAYWRIGHT_LAUNCH_OPTIONS": {"args": [f"--ignore-certificate-errors-spki-list={web.tls_spki}"]}}
        if args.batch:
            settings["MONITOR_ACCOUNT_BATCH"] = args.batch
        by_platform: dict[str, int] = {}
        for row in rows:
            by_platform[row["platform"]] = by_platform.get(row["platform"], 0) + 1
        print(f"{args.accounts} accounts ({', '.join(f'{k} {v}' for k, v in by_platform.items())}), "
              f"served on 127.0.0.1:{web.port}")
        t = time.monotonic()
        mon = run_sampled(ACCOUNTS, json.dumps(settings), urls_file, scenario.clock.isoformat())
        base = run_sampled(BASELINE, json.dumps(COMMON | {"MONITOR_HOST_MAP": web.host_map}), urls_file)
        engine = db.engine_for(url)
        with engine.connect() as conn:
            checks = conn.execute(select(db.account_checks.c.outcome, func.count())
                                  .group_by(db.account_checks.c.outcome)).all()
            posts = conn.execute(select(func.count()).select_from(db.account_posts)).scalar_one()
        engine.dispose()
    for name, r in (("baseline (bare Scrapy)", base), ("accounts spider", mon)):
        rate = args.accounts / r["seconds"] * 60
        print(f"{name:24s} {r['requests']:5d} requests in {r['seconds']:7.2f} s = {rate:8.1f} accounts/min   "
              f"peak RSS {r['rss_mib']:7.1f} MiB  PSS {r['pss_mib']:7.1f} MiB  ({r['processes']} processes)")
    print(f"ratio accounts/baseline: speed {base['seconds'] / mon['seconds']:.2f}   "
          f"peak RSS {mon['rss_mib'] / base['rss_mib']:.2f}x   PSS {mon['pss_mib'] / base['pss_mib']:.2f}x")
    print(f"browser: {mon['contexts']} contexts opened (at most {mon['max_contexts']} at once, "
          f"{mon['contexts_open_at_end']} open at the end), {mon['browsers']} browser launch(es), "
          f"{mon['aborted']} image/font/media requests aborted")
    print(f"stored: {dict(checks)} account checks, {posts} posts   total {time.monotonic() - t:.1f} s")


if __name__ == "__main__":
    main()
