"""Extraction of pages with 1,000 / 10,000 / 100,000 links: seconds and peak memory, against parsel's own reading.

Shapes: rows (a list page of n dated rows), block (one paragraph of n undated links), boxes (n info lines, hidden
footer-named boxes with a link each and title headings: the elements dates.py and footer.py read). For each size and
page shape, in fresh processes: the baseline (parse the page with parsel and select every `a`
href), the whole extraction the spider runs (extract_page), and its parts (list entries, links, columns, pagination,
visible text, footer, article date), each with its ratio to the baseline of the same page measured in the same run.
Peak memory is the growth of the process's maximum resident size over what it held before the work (libxml2's
memory included, which tracemalloc does not see). Linear extraction keeps the ratios flat as pages grow. Times are
the process's CPU time (wall time in its own column): on a shared machine other jobs' load lands in wall time.

    .venv/bin/python bench/extraction_scale.py [SIZES…]        # default: 1000 10000 100000
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _runner import run  # noqa: E402 - the bench folder is no package

SHAPES = ("rows", "block", "boxes")
STEPS = ("baseline", "extract_page", "list_entries", "page_links", "nav_columns", "next_pages", "visible_text",
         "footer_facts", "article_date")

CODE = r'''
import json, resource, sys, time
from datetime import date

n, shape, step = int(sys.argv[1]), sys.argv[2], sys.argv[3]
from parsel import Selector
from monitor.extract import dates, footer, links, lists
from monitor.extract.page import extract_page

if shape == "rows":  # a list page: n dated rows
    body = "<ul class='list'>" + "".join(
        f'<li><a href="/gzdt/2021/t{i}.html">关于第{i}项工作的通知</a><span>2021-03-{i % 28 + 1:02d}</span></li>'
        for i in range(n)) + "</ul>"
elif shape == "boxes":  # n info lines, hidden footer-named boxes and headings: what dates and footer read
    body = "".join(f'<div class="info-{i}"><span class="time">{i}</span></div><div class="foot-{i}" '
                   f'style="display:none"><a href="/f/{i}.html">友情{i}</a></div><h2 class="title">标题{i}</h2>'
                   for i in range(n))
else:  # one block of n undated links (a site map, a dump)
    body = "<div class='box'><p>" + "".join(f'<a href="/map/{i}/">栏目{i}</a> | ' for i in range(n)) + "</p></div>"
html = (f"<html><head><title>列表</title></head><body><div class='nav'><a href='/'>首页</a></div>{body}"
        "<div class='footer'>主办:某市人民政府 网站标识码5325000001 滇ICP备05000002号</div></body></html>")
url, ref = "http://www.hh.gov.cn/gzdt/", date(2021, 3, 3)
links.registrable_domain("www.example.gov.cn")  # the suffix list, loaded once per process: no part of any page
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start, cpu = time.perf_counter(), time.process_time()
if step == "baseline":
    found = len(Selector(text=html).xpath("//a/@href").getall())
elif step == "extract_page":
    facts = extract_page(html, url, ref=ref)
    found = len(facts.links)
else:
    sel = Selector(text=html)  # parsing is the baseline's; the part alone is timed
    start, cpu = time.perf_counter(), time.process_time()
    run = {"list_entries": lambda: lists.list_entries(sel, url, ref=ref),
           "page_links": lambda: links.page_links(sel, url),
           "nav_columns": lambda: lists.nav_columns(sel, url),
           "next_pages": lambda: lists.next_pages(sel, url),
           "visible_text": lambda: dates.visible_text(sel),
           "footer_facts": lambda: footer.footer_facts(sel, html),
           "article_date": lambda: dates.article_date(sel, ref=ref)}[step]
    result = run()
    found = len(result) if hasattr(result, "__len__") else 0
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": peak / 1024, "found": found}))
'''


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [1000, 10_000, 100_000]
    print(f"{'links':>7} {'shape':5} {'step':13} {'CPU s':>8} {'× parsel':>8} {'wall s':>8} {'peak MB':>8} {'found':>6}")
    for shape in SHAPES:
        for n in sizes:
            base = run(CODE, str(n), shape, "baseline")
            for step in STEPS:
                r = base if step == "baseline" else run(CODE, str(n), shape, step)
                ratio = r["cpu"] / base["cpu"] if base["cpu"] else float("nan")
                print(f"{n:>7} {shape:5} {step:13} {r['cpu']:8.3f} {ratio:8.2f} {r['seconds']:8.3f} "
                      f"{r['peak_mb']:8.1f} {r['found']:>6}", flush=True)
            print()


if __name__ == "__main__":
    main()
