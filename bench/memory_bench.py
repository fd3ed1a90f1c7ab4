"""Benchmark: peak memory of the website crawl against bare Scrapy making the same requests, 10 and 80 sites.

For each region size (default 10 and 80 sites, 200 pages each; generated as in crawl_bench.py, served by the
simulated web in this process) two sides run, each a fresh process, interleaved (the order of the sides
alternates each repetition; the sizes take turns within a repetition):

- website: `govmon crawl` as users run it: the project's settings and crawl bounds (3 list pages and 2
  articles per column), script-written footers and lists rendered in Chromium when a page needs it, link
  checks, checks, and storage into a fresh database per repetition (an SQLite file in a temporary folder, or a
  fresh schema of the PostgreSQL database given with --database), migrated and with the region's registry
  imported beforehand, as `govmon migrate` and `govmon import-targets` leave it;
- bare: crawl_bench.py's bare Scrapy spider given the requests the website spider sent (recorded once per size
  by a separate, unmeasured website crawl: every request it sent itself, pages and HEAD/GET link checks;
  redirects and retries follow from them on both sides). It renders nothing: Chromium is part of what the
  project costs.

Both sides share crawl_bench.py's settings (per-host concurrency 2, AutoThrottle off, WARNING logs) apart from
rendering, which stays at the project's default. Memory is read from /proc every 50 ms and summed over the
whole process tree at each sample (the crawl process and its children, such as Playwright's node driver and
Chromium's processes): its resident set (RSS; a page shared by several processes counts once per process) and
its proportional set size (PSS: shared pages divided among the processes sharing them, so the sum is the
tree's real footprint; Chromium's processes share much). Also the RSS of the crawl process alone, and
ru_maxrss from wait4 (the kernel's peak of the largest single process: the crawl process or a child it
reaped). Wall time is the process's, from start to exit.

Prints the requests of each side (they must be the same), min / median / max of each figure per side and size,
the ratio website / bare of the tree peaks, RSS and PSS (per repetition and of the medians), and MB per site:
the slope of the median peaks (tree RSS, tree PSS, crawl process) between the smallest and largest size.

    .venv/bin/python bench/memory_bench.py [--sizes 10,80] [--pages 200] [--reps 3]
        [--database postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [-s NAME=VALUE]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _region import prepare_database  # noqa: E402 - the bench folder is no package
from _runner import run  # noqa: E402
from crawl_bench import BASELINE, COMMON, MONITOR  # noqa: E402

INTERVAL = 0.05  # seconds between two samples of /proc
MB = 1024 * 1024
SIDES = ("bare", "website")
LABELS = {"bare": "bare Scrapy (same requests)", "website": "website (govmon crawl)"}
# crawl_bench's settings but rendering (the project's default) and the run folder (its working folder).
SETTINGS: dict[str, Any] = {k: v for k, v in COMMON.items()
                            if not k.startswith("MONITOR_RENDER") and k != "MONITOR_RUN_DIR"}


@dataclass
class Run:
    """One measured crawl process."""

    tree_mb: float  # peak of the summed RSS of the process and its descendants
    pss_mb: float  # peak of their summed PSS (shared pages counted once in all)
    main_mb: float  # peak RSS of the crawl process alone
    maxrss_mb: float  # wait4's ru_maxrss: the largest single process's peak
    processes: int  # most processes seen in the tree at once
    wall: float  # seconds from start to exit
    requests: dict[str, int]  # GET and HEAD requests the crawl made (Scrapy's downloader stats)
    rendered: int = 0  # pages rendered in Chromium (website side)
    left: int = 0  # processes of its tree still running after it exited (a browser not closed)


@dataclass
class Measured:
    sizes: tuple[int, ...]
    pages: int
    database: str
    work: dict[int, Counter[str]] = field(default_factory=dict)  # per size: recorded requests by kind
    runs: dict[int, dict[str, list[Run]]] = field(default_factory=dict)  # per size, per side


@dataclass
class _Watched:
    tree: int
    pss: int
    main: int
    maxrss_kb: int
    processes: int
    wall: float
    left: int
    stdout: str
    stderr: str


def _descendants(pid: int) -> list[int]:
    """The process and its descendants, from /proc/<pid>/task/<tid>/children (each thread's children)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as fh:
                    todo.extend(int(child) for child in fh.read().split())
        except OSError:  # gone between two reads
            continue
    return found


def _memory(pid: int) -> tuple[int, int]:
    """RSS and PSS of a process in bytes (PSS: its shared pages divided among the processes sharing them)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            fields = dict(line.split(":", 1) for line in fh.read().splitlines()[1:] if ":" in line)
        return int(fields["Rss"].split()[0]) * 1024, int(fields["Pss"].split()[0]) * 1024
    except (OSError, KeyError, IndexError, ValueError):  # gone, or a zombie without memory
        return 0, 0


def _started(pid: int) -> bytes:
    """The process's start time (field 22 of /proc/<pid>/stat), b"" when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[19]
    except (OSError, IndexError):
        return b""


def watch(command: list[str], cwd: Path) -> _Watched:
    """Run a command to its end, sampling the RSS of its process tree; a failure stops the benchmark."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        proc = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err)
        tree = pss = main = processes = 0
        seen: dict[int, bytes] = {}  # descendants and their start time (a pid can be reused)
        while True:
            pids = _descendants(proc.pid)
            for pid in pids[1:]:
                seen.setdefault(pid, _started(pid))
            sizes = [_memory(pid) for pid in pids]
            tree, pss = max(tree, sum(rss for rss, _ in sizes)), max(pss, sum(p for _, p in sizes))
            main, processes = max(main, sizes[0][0]), max(processes, len(pids))
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)  # reaped here: wait4 gives its rusage
            if pid:
                break
            time.sleep(INTERVAL)
        wall = time.monotonic() - started
        deadline = time.monotonic() + 2  # a child may take a moment to follow its parent
        while (left := sum(1 for pid, start in seen.items() if start and _started(pid) == start)) and (
                time.monotonic() < deadline):
            time.sleep(INTERVAL)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if proc.returncode != 0:
        sys.stderr.write(stderr[-3000:])
        raise SystemExit(f"benchmark process failed ({proc.returncode}): {' '.join(command[:3])} …")
    return _Watched(tree, pss, main, usage.ru_maxrss, processes, wall, left, stdout, stderr)


def _run_of(w: _Watched, requests: dict[str, int], rendered: int = 0) -> Run:
    return Run(w.tree / MB, w.pss / MB, w.main / MB, w.maxrss_kb / 1024, w.processes, w.wall, requests,
               rendered, w.left)


@contextmanager
def scratch_database(base: str | None, folder: Path, name: str) -> Iterator[str]:
    """A fresh database: an SQLite file in `folder`, or a new schema of the PostgreSQL database `base`."""
    if not base:
        yield f"sqlite:///{folder / f'{name}.sqlite'}"
        return
    from sqlalchemy import text

    from monitor import db

    url = db.normalise_url(base)
    schema = f"memory_bench_{uuid.uuid4().hex[:10]}"
    admin = db.engine_for(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def database_label(database: str | None) -> str:
    if database:
        return "PostgreSQL (a fresh schema per run)"
    return "SQLite (a fresh file per run, temporary folder)"


def _stored_stats(url: str) -> dict[str, Any]:
    """The Scrapy stats the storage pipeline recorded with the run."""
    from sqlalchemy import select

    from monitor import db

    engine = db.engine_for(url)
    try:
        with engine.connect() as conn:
            stats = conn.execute(select(db.runs.c.stats).where(db.runs.c.run_id == "bench")).scalar_one()
    finally:
        engine.dispose()
    return json.loads(stats) if isinstance(stats, str) else stats


def _value(text: str) -> Any:
    """A -s value as crawl_bench reads it: JSON, else a string."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def measure(sizes: Sequence[int] = (10, 80), pages: int = 200, reps: int = 3, database: str | None = None,
            overrides: dict[str, str] | None = None, quiet: bool = False) -> Measured:
    """Both sides on a generated region of each size, `reps` interleaved repetitions. `overrides`: settings
    for both sides as `-s NAME=VALUE` gives them (text; given to `govmon crawl -s` as it is)."""
    from monitor.simweb.generate import generate_region
    from monitor.simweb.server import SimWeb

    govmon = Path(sys.executable).with_name("govmon")  # the console script users run
    measured = Measured(tuple(sizes), pages, database_label(database))
    measured.runs = {n: {side: [] for side in SIDES} for n in sizes}
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        folder = Path(tmp)
        bare_script = folder / "bare.py"
        bare_script.write_text(BASELINE, encoding="utf-8")
        regions = {}
        for n in sizes:
            scenario = generate_region(n, pages, seed=1)
            web = stack.enter_context(SimWeb(scenario))
            registry = scenario.write_registry(folder / f"targets{n}.yaml")
            settings = SETTINGS | {"MONITOR_HOST_MAP": web.host_map} | {
                name: _value(text) for name, text in (overrides or {}).items()}
            regions[n] = (scenario, registry, settings)
        # `govmon crawl -s` takes text: Scrapy reads "False" and "32" as the values crawl_bench gives.
        flags = [arg for name, value in SETTINGS.items() for arg in ("-s", f"{name}={value}")]
        flags += [arg for name, text in (overrides or {}).items() for arg in ("-s", f"{name}={text}")]

        def record(n: int) -> None:
            """The bare side's work: the requests of an unmeasured website crawl (crawl_bench's recorder)."""
            scenario, registry, settings = regions[n]
            made = folder / f"work{n}.json"
            with scratch_database(database, folder, f"record{n}") as url:
                prepare_database(url, registry)
                run(MONITOR, json.dumps(settings | {"MONITOR_DATABASE_URL": url, "MONITOR_RUN_DIR": ""}),
                    scenario.as_of.isoformat(), str(made))
            measured.work[n] = Counter(kind for kind, _ in json.loads(made.read_text()))

        def website(n: int, rep: int) -> Run:
            scenario, registry, settings = regions[n]
            rundir = folder / f"website{n}-{rep}"  # the working folder: var/runs/<run id>/抓取结果.csv lands here
            rundir.mkdir()
            with scratch_database(database, folder, f"website{n}-{rep}") as url:
                prepare_database(url, registry)
                w = watch([str(govmon), "crawl", "--database", url, "--as-of", scenario.as_of.isoformat(),
                           "--run-id", "bench", "--host-map", settings["MONITOR_HOST_MAP"], *flags], rundir)
                stats = _stored_stats(url)
            requests = {m: int(stats.get(f"downloader/request_method_count/{m}", 0)) for m in ("GET", "HEAD")}
            return _run_of(w, requests, int(stats.get("playwright/request_count", 0)))

        def bare(n: int, rep: int) -> Run:
            _, _, settings = regions[n]
            w = watch([sys.executable, str(bare_script), str(folder / f"work{n}.json"), json.dumps(settings)],
                      folder)
            return _run_of(w, json.loads(w.stdout.strip().splitlines()[-1])["requests"])

        for rep in range(reps):
            for n in sizes:
                if rep == 0:
                    record(n)
                order = ("bare", "website") if rep % 2 else ("website", "bare")  # interleaved: alternates
                for side in order:
                    r = website(n, rep) if side == "website" else bare(n, rep)
                    measured.runs[n][side].append(r)
                    if not quiet:
                        print(f"  rep {rep + 1}/{reps}, {n:3d} sites, {side:7s}: tree "
                              f"{r.tree_mb:6.1f} MB RSS {r.pss_mb:6.1f} MB PSS ({r.processes} processes), "
                              f"crawl process {r.main_mb:6.1f} MB, {r.wall:5.1f} s", flush=True)
    return measured


def spread(values: Sequence[float]) -> str:
    return f"{min(values):8.1f} {statistics.median(values):8.1f} {max(values):8.1f}"


def report(m: Measured) -> None:
    for n in m.sizes:
        work, runs = m.work[n], m.runs[n]
        same = all(r.requests == runs["website"][0].requests for side in SIDES for r in runs[side])
        website = runs["website"][-1]
        made = ", ".join(f"{side} {runs[side][-1].requests['GET']} GET {runs[side][-1].requests['HEAD']} HEAD"
                         for side in SIDES)
        print(f"{n} sites: recorded work {work['page']} pages, {work['HEAD']} HEAD and {work['GET']} GET "
              f"link checks ({website.rendered} pages rendered by the website crawl); requests {made} "
              + ("(the same on both sides, every repetition)" if same else "(NOT THE SAME: not comparable)"))
        left = sum(r.left for side in SIDES for r in runs[side])
        if left:
            print(f"  {left} processes of the crawls were still running after their crawl exited")
    figures = (("peak RSS of the process tree, MB", "tree_mb"),
               ("peak PSS of the process tree, MB", "pss_mb"),
               ("peak RSS of the crawl process alone, MB", "main_mb"),
               ("ru_maxrss (largest single process), MB", "maxrss_mb"), ("wall time, s", "wall"))
    width = 44
    for title, attr in figures:
        print(f"{title:{width}s} {'min':>8} {'median':>8} {'max':>8}")
        for n in m.sizes:
            for side in SIDES:
                values = [getattr(r, attr) for r in m.runs[n][side]]
                print(f"  {n:3d} sites  {LABELS[side]:{width - 13}s} {spread(values)}")
    for name, attr in (("RSS", "tree_mb"), ("PSS", "pss_mb")):
        print(f"{f'ratio website / bare, tree peak {name}':{width}s} {'min':>8} {'median':>8} {'max':>8}")
        for n in m.sizes:
            website, bare = ([getattr(r, attr) for r in m.runs[n][side]] for side in ("website", "bare"))
            ratios = [w / b for w, b in zip(website, bare, strict=True)]
            print(f"  {n:3d} sites{'':{width - 11}s} {spread(ratios)}   "
                  f"(of medians: {statistics.median(website) / statistics.median(bare):.2f})")
    if len(m.sizes) >= 2:
        low, high = min(m.sizes), max(m.sizes)
        for name, attr in (("tree peak RSS", "tree_mb"), ("tree peak PSS", "pss_mb"),
                           ("crawl process RSS", "main_mb")):
            slopes = {side: (statistics.median(getattr(r, attr) for r in m.runs[high][side])
                             - statistics.median(getattr(r, attr) for r in m.runs[low][side])) / (high - low)
                      for side in SIDES}
            print(f"MB per site (median {name}, {low} → {high} sites): "
                  + ", ".join(f"{LABELS[side]} {slopes[side]:.2f}" for side in SIDES))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,80", help="region sizes in sites, comma-separated")
    parser.add_argument("--pages", type=int, default=200, help="pages per generated site")
    parser.add_argument("--reps", type=int, default=3, help="repetitions (at least 3 for min / median / max)")
    parser.add_argument("--database", default=None,
                        help="a PostgreSQL URL: each website run stores into a fresh schema of it "
                             "(default: an SQLite file per run)")
    parser.add_argument("-s", dest="set", action="append", default=[], metavar="NAME=VALUE",
                        help="a setting for both sides (JSON, else a string; govmon crawl -s reads text)")
    args = parser.parse_args()
    overrides = dict(item.partition("=")[::2] for item in args.set)
    sizes = tuple(int(n) for n in args.sizes.split(","))
    print(f"regions: {' and '.join(map(str, sizes))} sites, {args.pages} pages each (generated, seed 1), "
          f"served on 127.0.0.1, crawled within the project's bounds; database: "
          f"{database_label(args.database)}; {args.reps} repetitions", flush=True)
    started = time.monotonic()
    measured = measure(sizes, args.pages, args.reps, args.database, overrides)
    report(measured)
    print(f"benchmark took {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
