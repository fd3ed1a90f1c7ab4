"""The full link sweep: every same-site page of each target website, every distinct link checked once per run.

The daily website crawl samples a site (first list pages, a few articles); the national 链接可用性 indicator needs the
whole site. This spider visits every page of the site reachable from its homepage by links (an <a>, <area> or
<iframe> on the same host and port; `www.` or not is the same site), within the bounds the user sets:

- MONITOR_SWEEP_MAX_PAGES pages per site and MONITOR_SWEEP_MAX_DEPTH link steps from the homepage (pagination counts
  one step per page). A page past a bound is not visited, but its link is still checked (HEAD), and the distinct pages
  each bound left out are counted per site: in the log, the run's stats (sweep/cut_by_pages, sweep/cut_by_depth) and
  `govmon sweep`'s output — never silently. Scrapy's own DEPTH_LIMIT, which drops requests silently, is off here.
- Every other link (external sites, images, scripts, attachments) is checked once per run with HEAD, then GET when
  the server refuses HEAD, exactly as the website spider checks links (its requests, callbacks and classification
  are reused: monitor/spiders/website.py).

What it stores, in the website spider's tables under its own run (spider `sweep`): a `pages` row per visited page,
a `link_checks` row per distinct link, and a `links` row (page, anchor, tag) for every occurrence of a link whose
check did not succeed — dead (link_state "broken": 404/410/5xx, unknown host, refused, redirect loop) or 待定
("unsure": 401/403/429, timeouts, resets, challenges, the address policy) — read by monitor.checks.outcomes.link_state,
the reading the broken-links rule and the crawl summary use. Links whose check succeeded are counted, not stored
(a whole site's links would be most of the run's rows and time). Pages are read for their links only (no dates,
lists or footers); a page that arrives but is not the page asked for (a challenge, a block page, a login wall) is
recorded with that outcome (待定) and its links are not followed.

Arguments (`scrapy crawl sweep -a name=value` or `govmon sweep`): sites, run_id, as_of, as for the website spider.
`govmon sweep` (defined at the end of this module) also prints each site's coverage and cuts and writes the dead
links, then the 待定 ones, with their page and anchor to <MONITOR_RUN_DIR>/<run id>/失效链接.csv
(页面, 链接, 锚文本, 结果, 状态码).
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from parsel import Selector
from scrapy.http import Request, Response
from twisted.python.failure import Failure

from monitor.checks.outcomes import link_state
from monitor.extract.dates import visible_text
from monitor.extract.encoding import decode, looks_binary
from monitor.extract.links import URL_TOO_LONG, canonicalize, page_links, request_url, url_too_long
from monitor.extract.model import LinkFact
from monitor.extract.page import parse_limit
from monitor.extract.unreadable import classify
from monitor.items import LinkCheckItem, LinkItem, PageFacts, PageItem, rows_of
from monitor.outcome import classify_failure, describe, is_html
from monitor.spiders.website import WebsiteSpider, checked_url, utcnow
from monitor.targets import Target

PAGE_TAGS = ("a", "iframe")  # links that lead to pages to visit (area is read as a, frame as iframe)


def site_key(url: str) -> tuple[str, int | None]:
    """What makes two URLs the same site for the sweep: the host without `www.`, and the port."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return host, port


@dataclass
class SiteSweep:
    """One site's sweep: what it covers and what the bounds left out."""

    site: dict[str, Any]
    keys: set[tuple[str, int | None]] = field(default_factory=set)  # the homepage's, and where it redirected
    pages: int = 0  # page requests made
    cut_pages: set[str] = field(default_factory=set)  # pages not visited: MONITOR_SWEEP_MAX_PAGES reached
    cut_depth: set[str] = field(default_factory=set)  # pages not visited: deeper than MONITOR_SWEEP_MAX_DEPTH
    links: int = 0  # link occurrences found on its pages
    links_cut: int = 0  # links past the per-page cap on its pages (not checked)
    bad: dict[str, set[str]] = field(default_factory=lambda: {"broken": set(), "unsure": set()})
    read: int = 0  # page requests whose callback or errback has run
    home: PageItem | None = None  # the homepage's row, held until the site's last page: it carries the cuts

    def cuts(self) -> dict[str, int]:
        """What the bounds left out of the site, stored with its homepage (pages.cut): known per site, on one
        machine or on several workers (each site is swept by one)."""
        return {"pages": len(self.cut_pages), "depth": len(self.cut_depth), "links": self.links_cut}


class SweepSpider(WebsiteSpider):
    name = "sweep"
    custom_settings = {
        # The sweep bounds depth itself, counting what it leaves out; Scrapy's DepthMiddleware would drop silently.
        "DEPTH_LIMIT": 0,
        # Scrapy starts CONCURRENT_ITEMS asyncio tasks per response to process its output (100 by default): a page
        # yields two items and a few requests, and those tasks were most of the sweep's CPU time.
        "CONCURRENT_ITEMS": 4,
        # No handler of its own: the sweep renders nothing, and Playwright starts only for a rendered page
        # (monitor/hostmap.py).
    }

    def __init__(self, sites: str = "", run_id: str = "", as_of: str = "", **kwargs: Any) -> None:
        super().__init__(sites=sites, run_id=run_id or f"sweep-{utcnow():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}",
                         as_of=as_of, **kwargs)
        self.sweeps: dict[str, SiteSweep] = {}
        self.state: dict[str, str] = {}  # URL → link_state of its check (ok / broken / unsure) once known
        self.waiting: dict[str, list[LinkItem]] = {}  # URL → its occurrences while its check is pending

    def prepare(self) -> None:
        s = self.settings
        self.max_pages = s.getint("MONITOR_SWEEP_MAX_PAGES")
        self.max_depth = s.getint("MONITOR_SWEEP_MAX_DEPTH")
        self.check_external = s.getbool("MONITOR_CHECK_EXTERNAL_LINKS")
        self.url_limit = s.getint("URLLENGTH_LIMIT")
        self.logger.info("run %s: sweep (at most %s pages and depth %s per site)", self.run_id,
                         self.max_pages or "∞", self.max_depth or "∞")

    def target_requests(self, target: Target) -> list[Request]:
        site = self.targets[target.id] = target.facts
        sweep = self.sweeps[site["site_code"]] = SiteSweep(site, {site_key(site["homepage"])})
        return [self.visit(sweep, request_url(canonicalize(site["homepage"])), 0)]

    # ------------------------------------------------------------------ requests

    def visit(self, sweep: SiteSweep, url: str, depth: int) -> Request:
        sweep.pages += 1
        sweep.cut_depth.discard(url)
        self.requested.add(url)
        request = self.page_request(url, sweep.site, "home" if depth == 0 else "page", sweep.site["homepage"],
                                    self.parse_page, sweep_depth=depth)
        request.errback = self.sweep_page_failed
        request.priority = -depth  # shallow pages first: a page is reached at (about) its shortest depth
        return request

    def follow(self, sweep: SiteSweep, url: str, link: LinkFact, depth: int) -> Iterator[Any]:
        """What a link (at `url`) found on a page at `depth` asks for: a visit, a check, or nothing (done or
        pending)."""
        page = link.tag in PAGE_TAGS and not link.attachment and site_key(url) in sweep.keys
        # an over-long URL is recorded as a check (Scrapy's UrlLengthMiddleware would drop the visit unseen)
        if page and url not in self.requested and not url_too_long(url, self.url_limit):
            within_depth = not self.max_depth or depth + 1 <= self.max_depth
            if within_depth and (not self.max_pages or sweep.pages < self.max_pages):
                yield self.visit(sweep, url, depth + 1)
                return
            (sweep.cut_depth if not within_depth else sweep.cut_pages).add(url)
        if url in self.checked:
            return
        if not page and not self.check_external and site_key(url) not in sweep.keys:
            return
        self.checked.add(url)
        if why := url_too_long(url, self.url_limit):
            yield LinkCheckItem(run_id=self.run_id, url=url, checked_at=utcnow(), method="HEAD",
                                outcome=URL_TOO_LONG, error=why)
        else:
            yield self.link_check(url)

    # ------------------------------------------------------------------ outcomes of checks

    def settle(self, out: Iterable[Any]) -> Iterator[Any]:
        """A callback's rows as one item (after each link check, the occurrences of a link that failed), then its
        requests."""
        rows: list[Any] = []
        requests: list[Request] = []
        for item in out:
            if isinstance(item, Request):
                requests.append(item)
                continue
            for row in rows_of(item):
                rows.append(row)
                if isinstance(row, LinkCheckItem):
                    state = link_state(row.outcome, row.status)
                    self.state[row.url] = state
                    waiting = self.waiting.pop(row.url, [])
                    if state != "ok":
                        rows.extend(self.bad_occurrences(waiting, state))
        if rows:
            yield PageFacts(rows)
        yield from requests

    def bad_occurrences(self, occurrences: list[LinkItem], state: str) -> Iterator[LinkItem]:
        for occurrence in occurrences:
            self.sweeps[occurrence.site_code].bad[state].add(occurrence.url)
            yield occurrence

    def occurrence(self, item: LinkItem) -> Iterator[LinkItem]:
        """A link found on a page: stored at once when its check failed, kept until its check ends when pending,
        counted only when it succeeded."""
        state = self.state.get(item.url)
        if state is None:
            self.waiting.setdefault(item.url, []).append(item)
        elif state != "ok":
            yield from self.bad_occurrences([item], state)

    def link_checked(self, response: Response) -> Iterator[Any]:
        yield from self.settle(super().link_checked(response))

    def link_failed(self, failure: Failure) -> Iterator[Any]:
        yield from self.settle(super().link_failed(failure))

    # ------------------------------------------------------------------ pages

    def parse_page(self, response: Response) -> Iterator[Any]:
        sweep = self.sweeps[response.meta["site"]["site_code"]]
        yield from self.settle(self.page_done(sweep, self._parse_page(response)))

    @staticmethod
    def page_done(sweep: SiteSweep, out: Iterable[Any]) -> Iterator[Any]:
        """Pass a page's output on, holding the homepage's row; after the site's last page, the row with the
        site's cuts (every visit made is read by then, so the cuts are final)."""
        for item in out:
            if isinstance(item, PageItem) and item.role == "home":
                sweep.home = item
            else:
                yield item
        sweep.read += 1
        if sweep.read == sweep.pages and sweep.home is not None:
            sweep.home.cut = {**(sweep.home.cut or {}), **sweep.cuts()}
            yield sweep.home

    def _parse_page(self, response: Response) -> Iterator[Any]:
        request = response.request
        sweep = self.sweeps[response.meta["site"]["site_code"]]
        url = checked_url(request)
        depth = response.meta["sweep_depth"]
        if depth == 0:  # a homepage that redirects (x.gov.cn → www.x.gov.cn/index.html) names the site's host
            sweep.keys.add(site_key(response.url))
        outcome, links, values = self.read_links(response)
        off_site = site_key(response.url) not in sweep.keys
        yield self.page_item(response, request, outcome or "ok", **values)
        yield LinkCheckItem(run_id=self.run_id, url=url, checked_at=utcnow(), method="GET", outcome=outcome or "ok",
                            status=response.status, final_url=response.url, error=values.get("error"),
                            elapsed_ms=int((time.monotonic() - response.meta["started"]) * 1000))
        if outcome is not None or off_site:  # not the page asked for, or a redirect to another site: no links
            return
        role = "home" if depth == 0 else "page"
        site_code = sweep.site["site_code"]
        sweep.links += len(links)
        for link in links:
            url = request_url(link.url)
            yield from self.occurrence(LinkItem(
                run_id=self.run_id, site_code=site_code, source_url=response.url, url=url, tag=link.tag,
                anchor=link.anchor[:500] or None, attachment=link.attachment, external=link.external,
                on_homepage=role == "home", hidden=link.hidden))
            yield from self.follow(sweep, url, link, depth)

    def read_links(self, response: Response) -> tuple[str | None, list[LinkFact], dict[str, Any]]:
        """(outcome, links, page values); outcome None for a readable HTML page. Only links are read: the cost of
        a sweep is per page, and dates, lists and footers are the daily crawl's."""
        values: dict[str, Any] = {}
        if response.status >= 300:
            outcome, _, _ = self.read(response)  # the website spider's reading: a 412 challenge is no dead page
            values["error"] = f"HTTP {response.status}" if outcome == "http" else outcome
            return outcome, [], values
        body = response.body
        if not body.strip():
            return "empty", [], values
        if not is_html(response.headers.get("Content-Type")) or looks_binary(body):
            return "not_html", [], values
        text, values["encoding"] = decode(body, (response.headers.get("Content-Type") or b"").decode("latin-1"))
        sel = Selector(text=text)
        limited = parse_limit(sel)
        if limited is not None:
            values["error"] = limited[1]
            return limited[0], [], values
        cut: Counter[str] = Counter()
        links = page_links(sel, response.url, cut=cut)
        if cut:
            self.sweeps[response.meta["site"]["site_code"]].links_cut += cut["links"]
            self.crawler.stats.inc_value("sweep/links_cut_on_pages", cut["links"])
            self.logger.warning("%s: %d links past the per-page cap were not checked", response.url, cut["links"])
        title = " ".join((sel.xpath("//title/text()").get() or "").split()) or None
        values["title"] = title
        inter = classify(text, visible_text(sel), title, response.url, status=response.status,
                         final_url=response.url, sel=sel)
        if inter is not None:  # a challenge, a block page, a login wall…: 待定, and not the site's links
            values["error"] = inter.reason
            return inter.outcome, [], values
        return None, links, values

    def sweep_page_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request
        outcome, error = classify_failure(failure), describe(failure)
        yield from self.settle(self.page_done(self.sweeps[request.meta["site"]["site_code"]], [
            self.page_item(None, request, outcome, error=error),
            LinkCheckItem(run_id=self.run_id, url=checked_url(request), checked_at=utcnow(), method="GET",
                          outcome=outcome, error=error)]))

    # ------------------------------------------------------------------ the end

    def closed(self, reason: str) -> None:
        stats = self.crawler.stats
        for line in self.report_lines():
            self.logger.info(line)
        stats.set_value("sweep/cut_by_pages", sum(len(s.cut_pages) for s in self.sweeps.values()))
        stats.set_value("sweep/cut_by_depth", sum(len(s.cut_depth) for s in self.sweeps.values()))
        stats.set_value("sweep/pages", sum(s.pages for s in self.sweeps.values()))
        stats.set_value("sweep/links_found", sum(s.links for s in self.sweeps.values()))
        stats.set_value("sweep/links_checked", len(self.state))
        unsettled = sum(len(v) for v in self.waiting.values())
        if unsettled:  # a crawl cut short (a signal, CLOSESPIDER) leaves checks pending: said, never stored as ok
            self.logger.warning("%d link occurrences were left without a finished check (%s)", unsettled, reason)

    def report_lines(self) -> list[str]:
        """Per site, what the sweep covered and what its bounds left out (in the words of `govmon sweep`)."""
        lines = []
        for code, s in self.sweeps.items():
            line = (f"{code} {s.site.get('name', '')}: 访问页面{s.pages}个, 发现链接{s.links}处, "
                    f"失效链接{len(s.bad['broken'])}个, 待定链接{len(s.bad['unsure'])}个")
            if s.cut_pages:
                line += f"; 已达页面数上限({self.max_pages}), 未访问页面{len(s.cut_pages)}个(链接已检查)"
            if s.cut_depth:
                line += f"; 超过深度上限({self.max_depth}), 未访问页面{len(s.cut_depth)}个(链接已检查)"
            lines.append(line)
        return lines


# ---------------------------------------------------------------------- `govmon sweep`

CSV_HEADERS = ["页面", "链接", "锚文本", "结果", "状态码"]
CSV_NAME = "失效链接.csv"


def add_sweep_arguments(parser: argparse.ArgumentParser) -> None:
    from monitor.config import add_database_argument

    add_database_argument(parser)
    parser.add_argument("--sites", default="", help="comma-separated 网站标识码 (default: all active sites)")
    parser.add_argument("--run-id", default="", help="run identity; re-playing a run id updates its rows")
    parser.add_argument("--as-of", default="", help="monitoring point YYYY-MM-DD (default: today)")
    parser.add_argument("--max-pages", type=int, default=None, help="pages per site (MONITOR_SWEEP_MAX_PAGES)")
    parser.add_argument("--max-depth", type=int, default=None, help="link steps (MONITOR_SWEEP_MAX_DEPTH)")
    parser.add_argument("--out", default=None, help=f"the CSV of dead links (default: MONITOR_RUN_DIR/<run>/{CSV_NAME})")
    parser.add_argument("--host-map", default=None, help="pattern=address[:port];... (see MONITOR_HOST_MAP)")
    parser.add_argument("-s", dest="settings", action="append", default=[], metavar="NAME=VALUE",
                        help="override a Scrapy or MONITOR_* setting")


def run_sweep(args: argparse.Namespace) -> int:
    """Sweep, print what each site's sweep covered and cut, and write the dead (and 待定) links as CSV."""
    from monitor.commands import run_spider

    if args.as_of:
        date.fromisoformat(args.as_of)
    for name, value in (("MONITOR_SWEEP_MAX_PAGES", args.max_pages), ("MONITOR_SWEEP_MAX_DEPTH", args.max_depth)):
        if value is not None:
            args.settings.append(f"{name}={value}")
    crawler = run_spider("sweep", args, sites=args.sites, run_id=args.run_id, as_of=args.as_of)
    spider = crawler.spider
    assert isinstance(spider, SweepSpider)
    for line in spider.report_lines():
        print(line)
    rows = bad_links(crawler.settings.get("MONITOR_DATABASE_URL"), spider.run_id)
    out = Path(args.out) if args.out else Path(crawler.settings.get("MONITOR_RUN_DIR") or "var/runs") / spider.run_id / CSV_NAME
    write_csv(out, rows)
    dead = sum(r["结果"].startswith("失效") for r in rows)
    print(f"失效链接 {dead} 处, 待定链接 {len(rows) - dead} 处(无法判断, 不计为失效): {out}")
    if not spider.sweeps or not any(s.pages for s in spider.sweeps.values()):
        print("没有扫描任何网站: 登记表中没有启用的网站,或 --sites 未匹配任何网站", file=sys.stderr)
        return 4
    return 0


def bad_links(database: str, run_id: str) -> list[dict[str, Any]]:
    """Every occurrence (page, link, anchor) of the run's links whose check failed: dead first, then 待定."""
    from sqlalchemy import select

    from monitor import db
    from monitor.extensions.outcomes import OUTCOME_TEXT

    lk, ck = db.links, db.link_checks
    query = (select(lk.c.source_url, lk.c.url, lk.c.anchor, ck.c.outcome, ck.c.status, ck.c.error)
             .join(ck, (ck.c.run_id == lk.c.run_id) & (ck.c.url == lk.c.url)).where(lk.c.run_id == run_id))
    engine = db.engine_for(database)
    try:
        with engine.connect() as conn:
            found = conn.execute(query).all()
    finally:
        engine.dispose()
    rows = []
    for r in found:
        state = link_state(r.outcome, r.status)
        if state not in ("broken", "unsure"):
            continue
        what = f"HTTP {r.status}" if r.outcome == "http" else OUTCOME_TEXT.get(r.outcome) or r.error or r.outcome
        rows.append({"页面": r.source_url, "链接": r.url, "锚文本": r.anchor or "",
                     "结果": f"{'失效' if state == 'broken' else '待定'}: {what}", "状态码": r.status or ""})
    return sorted(rows, key=lambda row: (not row["结果"].startswith("失效"), row["页面"], row["链接"]))


def write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    from monitor.cells import neutralise

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as f:  # with a BOM: Excel on Chinese Windows reads it
        writer = csv.DictWriter(f, CSV_HEADERS)
        writer.writeheader()
        writer.writerows({k: neutralise(v) for k, v in row.items()} for row in rows)
