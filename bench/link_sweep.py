"""Benchmark: the full link sweep (`govmon sweep`) against linkinator, LinkChecker and a bare Scrapy spider.

Generates sites with a known set of dead links (monitor/simweb/sweepsite.py: ~300 pages with 32, ~3,000 with 63 —
404s, refused ports, unknown hosts — spread over deep pagination and nested pages), serves each on 127.0.0.1 from
this process, and runs every tool against it in its own process, interleaved (the order rotates each repetition),
asked for the same concurrency, with the same name resolution: the pages name 127.0.0.1:<port> directly, so no tool needs a
host map, and the dead hosts' `.invalid` names resolve nowhere for any of them. Prints per tool and site: distinct
dead links found / known, false alarms, min / median / max wall time (process start to exit), the median ratio to
linkinator's, and what the server saw of it: the requests it made (GET / HEAD; "again": those for a method and path
already asked in the same run), so that a tool faster because it does less shows it, and the most connections open,
requests in progress ("sent": waiting or served) and requests served at once by one port ("served"): what a tool
really sent, whatever it was asked. linkinator 7.6 does not hold to --concurrency (a link's check starts as soon as it is
found; the queue only counts it), and Scrapy 2.19 does not hold a slot to CONCURRENT_REQUESTS_PER_DOMAIN (its
downloader starts every queued request of a slot before any counts as transferring): the bare spider is also
capped by CONCURRENT_REQUESTS, the sweep by its download handler (monitor/spiders/sweep.py). AutoThrottle is off for the Scrapy sides (`--autothrottle` turns it on for the sweep): the peers do not
throttle, and on loopback it measures waiting, not work.

"At the same per-host concurrency" (issue 13) is only measurable when the server enforces it: linkinator ignores
--concurrency (40 requests in flight asked for 2), so against a server that answers everything at once it is simply
allowed more. `--serve-at-most N` makes each port of the simulated site (one host) serve at most N requests at once,
the others waiting their turn with their connection open (as behind a connection limit; none is refused: the
server accepts every connection on a thread of its own), so every tool gets N at a time whatever it asks. With
`--latency` (real government sites answer in 50-500 ms) that is the comparison that matters: on loopback with no
latency and no limit the wall times mostly measure Python against Node CPU time. Even then the limit is not quite
even: a tool that keeps more requests waiting at the server (linkinator) leaves the server no gap between an answer
and the next request, while one that keeps exactly N in flight (the others) loses its own turnaround after each
answer. `--detail` shows where each tool's wall time went: before its first request (start-up), between its first
request and its last answer (how busy it kept the server's slots; the stretches when they were under-used, short
ones being turnaround, long ones a tool with nothing to send or not sending), after its last answer; and its
requests by kind (pages, images and files, missing, the outside site) and the most repeated.

- linkinator (npm) is installed at benchmark time under var/peers (`npm install --prefix var/peers linkinator`,
  from registry.npmjs.org) when missing; `--recurse --concurrency C`.
- LinkChecker (Debian package `linkchecker`) is installed with `apt-get install -y linkchecker` when missing (needs
  root); `--threads C --check-extern`, and a config raising maxrequestspersecond: the served pages carry the
  `LinkChecker` header, LinkChecker's opt-in for servers that accept more than its default 10 requests/s.
- bare Scrapy: a minimal spider (below) with Scrapy's default settings: follows same-site links with GET, checks
  the others with HEAD (GET when HEAD fails), CONCURRENT_REQUESTS_PER_DOMAIN C.
- the sweep: `govmon sweep` on a migrated SQLite file (the dead links CSV it writes is what is counted),
  CONCURRENT_REQUESTS_PER_DOMAIN C, MONITOR_ALLOWED_NETWORKS=127.0.0.1 (the site is on loopback).

    .venv/bin/python bench/link_sweep.py [--sites 300:32,3000:63] [--reps 3] [--concurrency 2] [--latency 0]
                                         [--serve-at-most N] [--tools linkinator,linkchecker,scrapy,sweep]
                                         [--autothrottle] [--detail]
    e.g. --latency 0.05 --serve-at-most 2: a site that answers in 50 ms, 2 requests at a time
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from monitor.simweb.sweepsite import SweepWeb, Traffic

REPO = Path(__file__).resolve().parent.parent
PEERS = REPO / "var" / "peers"
LINKINATOR = PEERS / "node_modules" / ".bin" / "linkinator"
TOOLS = ("linkinator", "linkchecker", "scrapy", "sweep")

BARE_SCRAPY = '''
import json, sys
from urllib.parse import urlsplit
import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.linkextractors import LinkExtractor
home, concurrency = sys.argv[1], int(sys.argv[2])
root = urlsplit(home).netloc
dead = {}
class Bare(scrapy.Spider):
    name = "bare"
    links = LinkExtractor(tags=("a", "area", "img", "iframe", "frame", "script", "link", "embed"),
                          attrs=("href", "src"), deny_extensions=[])
    seen = {home}
    async def start(self):
        yield scrapy.Request(home, self.page, errback=self.failed, meta={"parent": ""})
    def page(self, response):
        if response.status >= 400:
            dead[response.url] = response.meta["parent"]
            return
        if not isinstance(response, scrapy.http.TextResponse):
            return
        for link in self.links.extract_links(response):
            if link.url in self.seen:
                continue
            self.seen.add(link.url)
            meta = {"parent": response.url}
            if urlsplit(link.url).netloc == root:
                yield scrapy.Request(link.url, self.page, errback=self.failed, meta=meta)
            else:
                yield scrapy.Request(link.url, self.checked, method="HEAD", errback=self.failed, meta=meta)
    def checked(self, response):
        if response.status >= 400:
            if response.request.method == "HEAD":  # servers that refuse HEAD: GET decides
                yield response.request.replace(method="GET")
            else:
                dead[response.url] = response.meta["parent"]
    def failed(self, failure):
        dead[failure.request.url] = failure.request.meta["parent"]
# CONCURRENT_REQUESTS too: Scrapy 2.19 does not hold a slot to CONCURRENT_REQUESTS_PER_DOMAIN (see the docstring)
p = CrawlerProcess({"LOG_LEVEL": "CRITICAL", "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
                    "CONCURRENT_REQUESTS": concurrency, "HTTPERROR_ALLOW_ALL": True, "ROBOTSTXT_OBEY": False,
                    "TELNETCONSOLE_ENABLED": False, "DOWNLOAD_TIMEOUT": 20})
p.crawl(Bare); p.start()
print(json.dumps(dead))
'''

LINKCHECKER_RC = """[checking]
threads={concurrency}
maxrequestspersecond=1000
timeout=20
[filtering]
checkextern=1
"""


def ensure_peers(tools: list[str]) -> None:
    """Install the peers this run needs and lacks (benchmark only; never in tests)."""
    if "linkinator" in tools and not LINKINATOR.exists():
        PEERS.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", str(PEERS), "--no-audit", "--no-fund", "linkinator"], check=True)
    if "linkchecker" in tools and shutil.which("linkchecker") is None:
        subprocess.run(["apt-get", "install", "-y", "linkchecker"], check=True)


SPAN: list[float] = [0.0, 0.0]  # the last timed() process's start and exit (time.monotonic())


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    start = time.monotonic()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False, cwd=REPO)
    SPAN[:] = [start, time.monotonic()]
    seconds = SPAN[1] - start
    if done.returncode not in (0, 1) or not done.stdout.strip():  # linkinator and LinkChecker exit 1 on dead links
        sys.stderr.write(done.stderr[-3000:])
        raise SystemExit(f"{cmd[0]} failed ({done.returncode})")
    return seconds, done.stdout


def run_linkinator(home: str, c: int, tmp: Path) -> tuple[float, set[str]]:
    seconds, out = timed([str(LINKINATOR), home, "--recurse", "--concurrency", str(c), "--format", "json"])
    return seconds, {link["url"] for link in json.loads(out)["links"] if link["state"] == "BROKEN"}


def run_linkchecker(home: str, c: int, tmp: Path) -> tuple[float, set[str]]:
    rc = tmp / "linkcheckerrc"
    rc.write_text(LINKCHECKER_RC.format(concurrency=c))
    rc.chmod(0o644)  # LinkChecker run as root drops to nobody before reading it
    seconds, out = timed(["linkchecker", "--config", str(rc), "--no-status", "--no-warnings", "-o", "csv", home])
    lines = [line for line in out.splitlines() if line and not line.startswith("#")]
    rows = csv.DictReader(lines, delimiter=";")
    return seconds, {row["urlname"] if "://" in row["urlname"] else row["url"] for row in rows
                     if row.get("valid") == "False"}


def run_scrapy(home: str, c: int, tmp: Path) -> tuple[float, set[str]]:
    script = tmp / "bare_scrapy.py"
    script.write_text(BARE_SCRAPY)
    seconds, out = timed([sys.executable, str(script), home, str(c)])
    return seconds, set(json.loads(out.strip().splitlines()[-1]))


def sweep_runner(registry: Path, autothrottle: bool) -> Callable[[str, int, Path], tuple[float, set[str]]]:
    def run_sweep(home: str, c: int, tmp: Path) -> tuple[float, set[str]]:
        from monitor.migrate import upgrade

        database = tmp / "sweep.sqlite"
        database.unlink(missing_ok=True)
        upgrade(f"sqlite:///{database}")  # an existing database, as in use: migrating is not the sweep's work
        out = tmp / "dead.csv"
        env = dict(os.environ, MONITOR_TARGETS=str(registry), MONITOR_ALLOWED_NETWORKS="127.0.0.1",
                   MONITOR_RUN_DIR=str(tmp / "runs"))
        seconds, _ = timed([str(Path(sys.executable).with_name("govmon")), "sweep", "--database", str(database),
                            "--out", str(out), "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={c}",
                            "-s", f"AUTOTHROTTLE_ENABLED={autothrottle}", "-s", "LOG_LEVEL=WARNING"], env)
        with out.open(encoding="utf-8-sig", newline="") as f:
            return seconds, {row["链接"] for row in csv.DictReader(f) if row["结果"].startswith("失效")}
    return run_sweep


def span(values: list[int]) -> str:
    """One figure per repetition, as "n" when they agree, "min-max" when not."""
    return str(values[0]) if min(values) == max(values) else f"{min(values)}-{max(values)}"


def requests_line(runs: list[Traffic]) -> str:
    """What the server saw of a tool, over its repetitions: requests (GET / HEAD / again) and the peaks."""
    methods = [run.by_method() for run in runs]
    again = [sum(n - 1 for n in run.repeated().values()) for run in runs]
    return (f"requests {span([sum(m.values()) for m in methods])} (GET {span([m['GET'] for m in methods])} "
            f"HEAD {span([m['HEAD'] for m in methods])} again {span(again)})  peak connections "
            f"{max(r.peak_connections for r in runs)} sent {max(r.peak_in_flight for r in runs)} "
            f"served {max(r.peak_served for r in runs)}")


def detail_lines(run: Traffic, web: SweepWeb, span: list[float], slots: int) -> str:
    """A tool's last run: where its wall time went (before its first request, between its first request and its
    last answer, after it), how busy it kept the server's slots in between, its requests by kind of path (pages,
    images and files, missing, the outside site) and method, and the requests it repeated most."""
    window = max(run.last - run.first, 1e-9)
    requests = max(sum(run.requests.values()), 1)
    idle = slots * window - run.busy  # slot-seconds the server had free while the tool was crawling
    timing = (f"      wall: {run.first - span[0]:.2f} s before the first request, {window:.2f} s crawling "
              f"(server slots busy {run.busy / (slots * window):.0%} of {slots}; idle {idle * 1000 / requests:.1f} "
              f"slot-ms per request), {span[1] - run.last:.2f} s after the last answer")
    kinds: Counter[tuple[str, str]] = Counter()
    for (method, port, path), n in run.requests.items():
        if port == web.outside_port:
            kind = "outside"
        elif path in web.sweep.pages:
            kind = "page"
        elif path.startswith(("/images/", "/files/")):
            kind = "asset"
        else:
            kind = "missing" if path.startswith("/gone/") else "other"
        kinds[(kind, method)] += n
    by_kind = ", ".join(f"{kind} {method} {n}" for (kind, method), n in sorted(kinds.items()))
    repeated = sorted(run.repeated().items(), key=lambda item: -item[1])[:5]
    again = "; ".join(f"{method} {path} x{n}" for (method, _, path), n in repeated) or "none"
    gaps = run.underfull(slots)
    short = [g for g in gaps if g[1] < 0.02]
    long = [g for g in gaps if g[1] >= 0.02]
    late = run.last - 0.1 * window
    under = (f"      slots under-used: {len(short)} stretches < 20 ms ({sum(g[2] for g in short):.2f} slot-s idle), "
             f"{len(long)} of 20 ms or more ({sum(g[2] for g in long):.2f} slot-s, "
             f"{sum(g[2] for g in long if g[0] >= late):.2f} of them in the crawl's last tenth)")
    return f"{timing}\n{under}\n      by kind: {by_kind}\n      most repeated: {again}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", default="300:32,3000:63", help="pages:dead links of each generated site")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=2, help="requests at a time to the site, every tool")
    parser.add_argument("--tools", default=",".join(TOOLS))
    parser.add_argument("--autothrottle", action="store_true", help="the sweep with AutoThrottle on")
    parser.add_argument("--latency", type=float, default=0.0,
                        help="seconds the server waits before every response (loopback answers in < 1 ms)")
    parser.add_argument("--serve-at-most", type=int, default=0, metavar="N",
                        help="the server serves at most N requests at once per port, the others wait (0: no limit)")
    parser.add_argument("--detail", action="store_true", help="per tool, the requests by kind and the most repeated")
    args = parser.parse_args()
    tools = [t for t in args.tools.split(",") if t]
    ensure_peers(tools)

    from monitor.extract.links import canonicalize
    from monitor.simweb.sweepsite import SweepWeb, generate_sweep_site

    failed = False
    for spec in args.sites.split(","):
        pages, dead = (int(x) for x in spec.split(":"))
        site = generate_sweep_site(pages, dead)
        with (tempfile.TemporaryDirectory() as tmp_name,
              SweepWeb(site, latency=args.latency, serve_at_most=args.serve_at_most) as web):
            tmp = Path(tmp_name)
            known = {canonicalize(url) for _, url, _, _ in web.dead_links()}
            runners = {"linkinator": run_linkinator, "linkchecker": run_linkchecker, "scrapy": run_scrapy,
                       "sweep": sweep_runner(web.write_registry(tmp / "targets.yaml"), args.autothrottle)}
            print(f"site: {len(site.pages)} pages, depth {site.max_depth}, {len(known)} known dead links "
                  f"({len(web.dead_links())} occurrences), served on {web.homepage}; concurrency {args.concurrency}, "
                  f"latency {args.latency * 1000:.0f} ms, "
                  f"server limit {args.serve_at_most or 'none'} per port")
            times: dict[str, list[float]] = {t: [] for t in tools}
            found: dict[str, list[tuple[int, int]]] = {t: [] for t in tools}
            traffic: dict[str, list[Traffic]] = {t: [] for t in tools}
            spans: dict[str, list[float]] = {}
            for rep in range(args.reps):
                for tool in tools[rep % len(tools):] + tools[:rep % len(tools)]:  # interleaved, rotating
                    web.reset_traffic()
                    seconds, reported = runners[tool](web.homepage, args.concurrency, tmp)
                    traffic[tool].append(web.reset_traffic())
                    spans[tool] = list(SPAN)
                    reported = {canonicalize(u) for u in reported}
                    times[tool].append(seconds)
                    found[tool].append((len(reported & known), len(reported - known)))
            base = statistics.median(times["linkinator"]) if "linkinator" in times else None
            for tool in tools:
                t = times[tool]
                hits = min(h for h, _ in found[tool])
                false = max(f for _, f in found[tool])  # the worst repetition of each
                failed |= tool == "sweep" and (hits != len(known) or false != 0)
                ratio = f"{statistics.median(t) / base:5.2f}x" if base else "   - "
                print(f"  {tool:12s} dead {hits:3d}/{len(known)}  false alarms {false:3d}  wall min {min(t):6.2f} "
                      f"median {statistics.median(t):6.2f} max {max(t):6.2f} s  vs linkinator {ratio}  "
                      f"{requests_line(traffic[tool])}")
                if args.detail:
                    print(detail_lines(traffic[tool][-1], web, spans[tool], args.serve_at_most or args.concurrency))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
