"""Extraction against parsel on the real corpus (../shared/corpus/pages): pages per second, and their ratio.

The baseline parses each page with parsel and reads every link and the title (`Selector(text=html)`, `//a/@href`,
`//title/text()`); the project runs extract_page, every fact the spider stores. Each side runs in a fresh process
(bench/_runner.py), interleaved, `--reps` times; a process reads the decoded corpus, warms up on one page, then
times `--rounds` passes over it, each pass under other page URLs so that no link resolution is served from a cache
a crawl would not have. Then the same for the link-heaviest page alone. Prints min / median / max pages/s of each
side and of the ratio extract_page / parsel over the repetitions (goal ≥ 0.5), by wall time and by the process's CPU
time: on a shared machine other jobs' load lands in the wall time of either side at random, not in its CPU time.

    .venv/bin/python bench/extraction_bench.py [--reps 5] [--rounds 3] [CORPUS_DIR]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _runner import run  # noqa: E402 - the bench folder is no package

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "pages"

CODE = r'''
import json, sys, time
from datetime import date
from pathlib import Path
from parsel import Selector
from monitor.extract.encoding import decode
from monitor.extract.page import extract_page

side, rounds, names = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
pages = [(Path(n).name, decode(Path(n).read_bytes(), None)[0]) for n in names]
ref = date(2026, 11, 1)


def parsel(html, url):
    sel = Selector(text=html)
    return len(sel.xpath("//a/@href").getall()), sel.xpath("//title/text()").get()


def project(html, url):
    return extract_page(html, url, ref=ref)


work = parsel if side == "parsel" else project
work(pages[0][1], "http://warm.example.gov.cn/up.html")  # imports, the suffix list, compiled patterns
start, cpu = time.perf_counter(), time.process_time()
for r in range(rounds):
    for name, html in pages:
        work(html, f"http://www.example.gov.cn/r{r}/{name}")
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
print(json.dumps({"pages": rounds * len(pages), "seconds": seconds, "cpu": cpu}))
'''

LINKS = r'''
import json, sys
from pathlib import Path
from parsel import Selector
from monitor.extract.encoding import decode
print(json.dumps({n: len(Selector(text=decode(Path(n).read_bytes(), None)[0]).xpath("//a/@href")) for n in sys.argv[1:]}))
'''


def spread(values: list[float]) -> str:
    return f"{min(values):8.1f} {statistics.median(values):8.1f} {max(values):8.1f}"


def compare(label: str, names: list[str], reps: int, rounds: int) -> None:
    results: dict[str, list[dict]] = {"parsel": [], "extract_page": []}
    for _ in range(reps):  # interleaved: each repetition runs both sides, one after the other
        for side in results:
            results[side].append(run(CODE, side, str(rounds), *names))
    print(f"{label}: {len(names)} page(s) × {rounds} rounds, {reps} repetitions")
    for clock, key in (("wall time", "seconds"), ("CPU time", "cpu")):
        rates = {side: [r["pages"] / r[key] for r in rs] for side, rs in results.items()}
        ratios = [e / p for e, p in zip(rates["extract_page"], rates["parsel"], strict=True)]
        print(f"  by {clock:19s} {'min':>8} {'median':>8} {'max':>8}")
        for side, values in rates.items():
            print(f"  {side + ' pages/s':22s} {spread(values)}")
        print(f"  {'ratio extract/parsel':22s} {min(ratios):8.2f} {statistics.median(ratios):8.2f} "
              f"{max(ratios):8.2f}   (goal ≥ 0.5)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--reps", type=int, default=5, help="repetitions of each side (≥ 3)")
    parser.add_argument("--rounds", type=int, default=3, help="passes over the pages per process")
    args = parser.parse_args()
    names = [str(p) for p in sorted(args.corpus.glob("*.html"))]
    if not names:
        raise SystemExit(f"no pages in {args.corpus}")
    compare("corpus", names, max(args.reps, 3), args.rounds)
    links = run(LINKS, *names)
    heaviest = max(names, key=lambda n: links[n])
    print(f"\nlink-heaviest page: {Path(heaviest).name} ({links[heaviest]} links)")
    compare("link-heaviest page", [heaviest], max(args.reps, 3), args.rounds * 10)


if __name__ == "__main__":
    main()
