"""Crawl outcomes a person can see: progress while the website spider runs, a per-site summary when it ends
(the probe spider is left alone: its rounds are judged by evaluation).

The extension follows the items the spider emits (never its internals' results): a site is *read* when its
homepage PageItem has outcome ok; its pages, columns (distinct column URLs fetched as columns), list entries (entries
counted on column and list pages) and broken links (distinct links of the site's pages whose check is broken in the
sense of `monitor.checks.outcomes.link_state`, the same reading the broken-links rule uses; unsure checks such as
timeouts are counted apart as 待定, never as broken).

Progress ("已完成 12/40 个网站") is logged at INFO every MONITOR_PROGRESS_INTERVAL seconds and whenever another
MONITOR_PROGRESS_SITES sites are done. A site is done when its homepage answered and every page request of the site
has produced its page row (retries, redirects and the rendered second visit of a homepage count with the request
they continue); the total is the number of homepages the spider scheduled, which start() does at once.

At the end, for 1,000 sites as for 6: the log and `govmon crawl` show the totals and the worst sites (homepage
unreadable first, then most broken links; at most MONITOR_SUMMARY_WORST), the full table goes to
`<MONITOR_RUN_DIR>/<run_id>/抓取结果.csv` (UTF-8 with BOM), and the totals go into the crawl's stats under
`outcomes/…`. Sites whose homepage failed are also logged once each at INFO as they happen: target-site failures
are findings, not crawler errors.
"""

from __future__ import annotations

import csv
import logging
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.utils.asyncio import create_looping_call
from scrapy.utils.reactor import CallLaterOnce

from monitor.cells import neutralise
from monitor.checks.outcomes import link_state
from monitor.items import LinkCheckItem, LinkItem, PageItem, rows_of

log = logging.getLogger(__name__)

# How a fetch ended, in the words of the summary (outcome classes: monitor/outcome.py).
OUTCOME_TEXT = {
    "timeout": "超时", "dns": "域名无法解析", "refused": "连接被拒绝", "tls": "TLS/证书错误", "too_large": "页面过大",
    "not_html": "不是网页", "empty": "空页面", "unparsable": "无法解析", "redirect_loop": "重定向循环",
    "connection": "连接中断", "error": "其他错误", "not_json": "列表数据无法读取",
    "forbidden": "内网或保留地址,已拒绝访问", "too_deep": "页面嵌套过深", "url_too_long": "链接过长未检查",
}
HEADERS = ["网站标识码", "网站名称", "首页结果", "页面数", "无法读取页面数", "栏目数", "列表条目数", "失效链接数",
           "待定链接数", "首页地址"]
LIST_ROLES = ("column", "list")


def home_text(outcome: str | None, status: int | None) -> str:
    """首页结果 as a person reads it."""
    if outcome is None:
        return "未抓取"
    if outcome == "ok":
        return "可读"
    if outcome == "http":
        return f"无法读取(HTTP {status})" if status else "无法读取(HTTP 错误)"
    return f"无法读取({OUTCOME_TEXT.get(outcome, outcome)})"


@dataclass
class SiteTally:
    site_code: str
    name: str = ""
    homepage: str = ""
    home_outcome: str | None = None
    home_status: int | None = None
    pages: int = 0
    pages_unread: int = 0
    columns: set[str] = field(default_factory=set)
    entries: int = 0
    broken: set[str] = field(default_factory=set)
    unsure: set[str] = field(default_factory=set)
    pending: int = 0  # page requests scheduled whose page row has not arrived yet

    @property
    def read(self) -> bool:
        return self.home_outcome == "ok"

    @property
    def done(self) -> bool:
        return self.home_outcome is not None and self.pending <= 0

    def row(self) -> dict[str, Any]:
        return {"网站标识码": self.site_code, "网站名称": self.name, "首页结果": home_text(self.home_outcome,
                                                                                     self.home_status),
                "页面数": self.pages, "无法读取页面数": self.pages_unread, "栏目数": len(self.columns),
                "列表条目数": self.entries, "失效链接数": len(self.broken), "待定链接数": len(self.unsure),
                "首页地址": self.homepage}


def worst_first(tallies: Iterable[SiteTally]) -> list[SiteTally]:
    """Sites with something to look at, unreadable homepages first, then by broken links."""
    return sorted((t for t in tallies if not t.read or t.broken),
                  key=lambda t: (t.read, -len(t.broken), -len(t.unsure), t.site_code))


class CrawlOutcomes:
    def __init__(self, crawler: Crawler) -> None:
        s = crawler.settings
        self.crawler = crawler
        self.interval = s.getfloat("MONITOR_PROGRESS_INTERVAL")
        self.every_sites = s.getint("MONITOR_PROGRESS_SITES")
        self.worst_shown = s.getint("MONITOR_SUMMARY_WORST")
        self.run_dir = s.get("MONITOR_RUN_DIR", "var/runs")
        self.sites: dict[str, SiteTally] = {}
        self.link_state: dict[str, str] = {}  # url → ok / broken / unsure, the last check of the run
        self.unchecked: dict[str, set[str]] = {}  # url → sites linking to it, while its check is outstanding
        self.bad_links: dict[str, set[str]] = {}  # url → sites counted for it (undone if a later check says ok)
        self.link_checks = 0
        self.logged_done = 0
        self.checker = CallLaterOnce(self.check_progress)
        self.started = time.monotonic()
        self.loop: Any = None
        self.summary: dict[str, Any] | None = None
        self.summary_file: Path | None = None
        self.active = False  # set when the spider opens: only the website spider is followed

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlOutcomes:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.request_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(ext.request_dropped, signal=signals.request_dropped)
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(ext.item_seen, signal=signal)
        return ext

    # ------------------------------------------------------------------ following the crawl

    def tally(self, site_code: str) -> SiteTally:
        tally = self.sites.get(site_code)
        if tally is None:
            tally = self.sites[site_code] = SiteTally(site_code)
        return tally

    @staticmethod
    def first_visit(request: Request) -> bool:
        """A page request of its own, not the continuation of one (retry, redirect, rendered second visit)."""
        meta = request.meta
        return not (meta.get("retry_times") or meta.get("redirect_times") or "static" in meta)

    def request_scheduled(self, request: Request, spider: Spider | None = None) -> None:
        if not self.active:
            return
        site = request.meta.get("site")
        if not isinstance(site, dict) or "site_code" not in site or not self.first_visit(request):
            return
        tally = self.tally(site["site_code"])
        if request.meta.get("role") == "home":
            tally.name = site.get("name") or tally.name
            tally.homepage = site.get("homepage") or request.url
        tally.pending += 1

    def request_dropped(self, request: Request, spider: Spider | None = None) -> None:
        site = request.meta.get("site")
        if isinstance(site, dict) and site.get("site_code") in self.sites and self.first_visit(request):
            self.sites[site["site_code"]].pending -= 1
            self.schedule_check()

    def item_seen(self, item: Any, **_: Any) -> None:
        if not self.active:
            return
        for row in rows_of(item):
            if isinstance(row, PageItem):
                self.page(row)
            elif isinstance(row, LinkItem):
                self.link(row)
            elif isinstance(row, LinkCheckItem):
                self.check(row)

    def page(self, item: PageItem) -> None:
        tally = self.tally(item.site_code)
        tally.pages += 1
        tally.pending -= 1
        if item.outcome != "ok":
            tally.pages_unread += 1
        if item.role in LIST_ROLES and item.column_url:
            if item.role == "column":
                tally.columns.add(item.column_url)
            tally.entries += item.entry_count or 0
        if item.role == "home":
            tally.home_outcome, tally.home_status = item.outcome, item.status
            tally.homepage = tally.homepage or item.url
            if item.outcome != "ok":  # a finding about the site, said once, not a crawler error
                log.info("网站 %s %s 首页%s: %s", item.site_code, tally.name, home_text(item.outcome, item.status),
                         item.error or item.url)
        if tally.pending <= 0:
            self.schedule_check()

    def link(self, item: LinkItem) -> None:
        state = self.link_state.get(item.url)
        if state is None:
            self.unchecked.setdefault(item.url, set()).add(item.site_code)
        elif state != "ok":
            self.count_bad(item.url, state, [item.site_code])

    def check(self, item: LinkCheckItem) -> None:
        self.link_checks += 1
        state = link_state(item.outcome, item.status)
        self.link_state[item.url] = state
        sites = self.unchecked.pop(item.url, set())
        counted = self.bad_links.pop(item.url, set())
        for code in counted:  # a later check of the same URL replaces the earlier one, as in the database
            self.sites[code].broken.discard(item.url)
            self.sites[code].unsure.discard(item.url)
        if state != "ok":
            self.count_bad(item.url, state, sites | counted)

    def count_bad(self, url: str, state: str, site_codes: Iterable[str]) -> None:
        for code in site_codes:
            tally = self.tally(code)
            if state == "broken":
                tally.broken.add(url)
            elif state == "unsure":
                tally.unsure.add(url)
            else:
                continue
            self.bad_links.setdefault(url, set()).add(code)

    # ------------------------------------------------------------------ progress

    def spider_opened(self, spider: Spider) -> None:
        from monitor.spiders.website import WebsiteSpider

        # The probe visits homepages too, but its outcomes are availability rounds, summarised by evaluation.
        self.active = isinstance(spider, WebsiteSpider)
        self.started = time.monotonic()
        if self.active and self.interval > 0:
            self.loop = create_looping_call(self.log_progress)
            self.loop.start(self.interval, now=False)

    def counts(self) -> tuple[int, int, int]:
        """(sites done, sites whose homepage is known, sites whose homepage was read)."""
        done = answered = read = 0
        for t in self.sites.values():
            done += t.done
            answered += t.home_outcome is not None
            read += t.read
        return done, answered, read

    def step(self) -> int:
        if self.every_sites > 0:
            return self.every_sites
        return max(1, math.ceil(len(self.sites) / 20))  # about twenty lines over a crawl, whatever its size

    def schedule_check(self) -> None:
        # Decided a moment later: the requests a callback yields after its page row are scheduled by then.
        self.checker.schedule()

    def check_progress(self) -> None:
        done = self.counts()[0]
        if done >= self.logged_done + self.step() or (done == len(self.sites) and done > self.logged_done):
            self.log_progress()

    def log_progress(self) -> None:
        done, answered, read = self.counts()
        self.logged_done = done
        pages = sum(t.pages for t in self.sites.values())
        broken = sum(len(t.broken) for t in self.sites.values())
        log.info("已完成 %d/%d 个网站(首页已访问 %d,可读 %d),页面 %d,链接检查 %d,失效链接 %d,用时 %.0f 秒",
                 done, len(self.sites), answered, read, pages, self.link_checks, broken,
                 time.monotonic() - self.started)

    # ------------------------------------------------------------------ the summary

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.checker.cancel()
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if not self.active:
            return
        tallies = sorted(self.sites.values(), key=lambda t: t.site_code)
        read = sum(t.read for t in tallies)
        self.summary = {
            "sites": len(tallies), "read": read, "unread": sum(t.home_outcome is not None and not t.read
                                                               for t in tallies),
            "not_crawled": sum(t.home_outcome is None for t in tallies), "pages": sum(t.pages for t in tallies),
            "columns": sum(len(t.columns) for t in tallies), "entries": sum(t.entries for t in tallies),
            "broken_links": sum(len(t.broken) for t in tallies),
            "unsure_links": sum(len(t.unsure) for t in tallies), "finish_reason": reason,
        }
        stats = self.crawler.stats
        if stats is not None:
            for key, value in self.summary.items():
                stats.set_value(f"outcomes/{key}", value)
        self.summary_file = self.write_table(spider, tallies)
        if stats is not None and self.summary_file is not None:
            stats.set_value("outcomes/table", str(self.summary_file))
        self.log_progress()
        for line in self.summary_lines():
            log.info("%s", line)

    def rows(self) -> list[dict[str, Any]]:
        return [t.row() for t in sorted(self.sites.values(), key=lambda t: t.site_code)]

    def summary_lines(self) -> list[str]:
        """The totals and the worst sites, as printed by `govmon crawl` and logged at the end."""
        s = self.summary
        if s is None:
            return []
        lines = [f"抓取结果: {s['sites']} 个网站,首页可读 {s['read']},首页无法读取 {s['unread']},未抓取 "
                 f"{s['not_crawled']};页面 {s['pages']},栏目 {s['columns']},列表条目 {s['entries']},"
                 f"失效链接 {s['broken_links']},待定链接 {s['unsure_links']}"]
        worst = worst_first(self.sites.values())
        if worst:
            shown = worst[:self.worst_shown] if self.worst_shown > 0 else []
            lines.append(f"需要关注的网站 {len(worst)} 个" + (f"(列出前 {len(shown)} 个)" if len(shown) < len(worst)
                                                              else "") + ":")
            for t in shown:
                lines.append(f"  {t.site_code} {t.name or '-'} 首页{home_text(t.home_outcome, t.home_status)} "
                             f"页面 {t.pages} 栏目 {len(t.columns)} 列表条目 {t.entries} 失效链接 {len(t.broken)} "
                             f"待定链接 {len(t.unsure)}")
        if self.summary_file is not None:
            lines.append(f"全部网站的结果: {self.summary_file}")
        return lines

    def write_table(self, spider: Spider, tallies: list[SiteTally]) -> Path | None:
        if not self.run_dir:
            return None
        run_id = str(getattr(spider, "run_id", "") or spider.name)
        path = Path(self.run_dir) / run_id / "抓取结果.csv"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("w", encoding="utf-8-sig", newline="") as f:
                writer = csv.DictWriter(f, HEADERS)
                writer.writeheader()
                for t in tallies:
                    writer.writerow({k: neutralise(v) for k, v in t.row().items()})
        except OSError as exc:  # our side's problem: said as an error, the crawl's facts are stored regardless
            log.error("抓取结果表无法写入 %s: %s", path, exc)
            return None
        return path

