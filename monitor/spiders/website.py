"""The website spider: per target site, homepage → columns → list pages → a sample of articles; every link checked.

It records facts only (pages with their fetch outcome, list entries with dates, links with checked outcomes, footer
marks); the checks judge them later. Arguments (`scrapy crawl website -a name=value` or `govmon crawl`):

- sites: comma-separated 网站标识码 to crawl (default: every active site of the registry);
- run_id: identity of the run (default: generated); re-playing a run with the same id updates its rows;
- as_of: monitoring point, YYYY-MM-DD (default: today); year-less dates such as [03-02] are read against it.

Bounded: no page multiplies requests without a cap. Per site, columns found in the homepage's navigation are followed
up to MONITOR_MAX_DISCOVERED_COLUMNS; per column, list pages up to MONITOR_MAX_LIST_PAGES (one next page each), XHR
lists up to MAX_XHR_LISTS_PER_COLUMN and articles up to MONITOR_ARTICLES_PER_COLUMN, whatever its list pages, XHR
lists and rendered list hold together; per page, links (each checked once per run) up to MAX_LINKS_PER_PAGE and list
entries up to MAX_LIST_ENTRIES, a JSON list's included. What a cap left out of a page is stored with it in
`pages.cut` (extraction's counts plus the spider's: {"links": 97000, "xhr_lists": 1997, "columns": 40}); pagination
past the last list page and articles not sampled are the crawl's scope, not cuts, and are not counted.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Request, Response
from twisted.python.failure import Failure

from monitor.extract.encoding import decode, looks_binary
from monitor.extract.links import (
    URL_TOO_LONG,
    bounded,
    canonicalize,
    registrable_domain,
    request_url,
    url_too_long,
)
from monitor.extract.lists import (
    MAX_LIST_ENTRIES,
    MAX_XHR_LISTS_PER_COLUMN,
    json_list_entries,
    json_list_found,
)
from monitor.extract.model import ListEntry
from monitor.extract.page import PageExtract, extract_page
from monitor.extract.unreadable import BLOCKED, CHALLENGE, UNRENDERED, has_empty_marker, same_site
from monitor.items import ColumnItem, LinkCheckItem, LinkItem, ListEntryItem, PageFacts, PageItem
from monitor.middlewares import READ_AHEAD
from monitor.outcome import classify_failure, describe, is_html
from monitor.queue_worker import QueueWorker
from monitor.targets import Target, target_source

# Statuses a server gives to refuse HEAD; the link is then checked again with GET.
HEAD_REFUSED = {400, 403, 405, 406, 501}


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def checked_url(request: Request) -> str:
    """The link as found: a redirected check is stored under it (final_url keeps where it led), or
    links ⋈ link_checks would show every redirected link as unchecked."""
    return (request.meta.get("redirect_urls") or [request.url])[0]


class WebsiteSpider(QueueWorker, scrapy.Spider):
    name = "website"

    def __init__(self, sites: str = "", run_id: str = "", as_of: str = "", queue: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.queue_run = queue  # a run queued for several workers (monitor/queue_worker.py): targets come from it
        self.site_filter = {s.strip() for s in sites.split(",") if s.strip()}
        self.run_id = run_id or f"website-{utcnow():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
        self.as_of = date.fromisoformat(as_of) if as_of else date.today()
        self.checked: set[str] = set()  # URLs whose link check is done or pending in this run
        self.requested: set[str] = set()  # URLs requested as pages in this run
        self.targets: dict[str, dict[str, Any]] = {}  # 网站标识码 → registry facts of the run's websites
        self.rendered_lists: set[str] = set()  # column pages whose list is read from Chromium
        self.xhr_requested: set[tuple[str, str]] = set()  # (column, XHR list URL) pairs requested in this run
        self.xhr_per_column: Counter[str] = Counter()  # XHR lists requested per column (MAX_XHR_LISTS_PER_COLUMN)
        self.articles_per_column: Counter[str] = Counter()  # articles sampled per column (MONITOR_ARTICLES_PER_COLUMN)

    # ------------------------------------------------------------------ start

    async def start(self) -> AsyncIterator[Request]:
        """The run's websites from the target source (monitor/targets.py), or jobs from the run's queue."""
        self.prepare()
        if self.queue_run:
            for request in self.queue_requests():
                yield request
            return
        targets = target_source(self.settings).targets("website", self.site_filter)
        self.logger.info("run %s: %d sites, monitoring point %s", self.run_id, len(targets), self.as_of)
        for target in targets:
            for request in self.target_requests(target):
                yield request

    def prepare(self) -> None:
        """Read what the spider needs from its settings, before the first target."""

    def target_requests(self, target: Target) -> list[Request]:
        """The start requests of one website (its registry facts kept for the checks pipeline)."""
        site = self.targets[target.id] = target.facts
        return [self.page_request(site["homepage"], site, "home", site["homepage"], self.parse_home)]

    # ------------------------------------------------------------------ requests

    def page_request(self, url: str, site: dict, role: str, column_url: str, callback, **meta: Any) -> Request:
        self.requested.add(canonicalize(url))
        self.checked.add(request_url(canonicalize(url)))  # fetching a page checks its link too
        # dont_filter: the spider de-duplicates itself; Scrapy's filter would silently drop a redirect back to an
        # already-seen URL, and a redirect loop must be recorded as one.
        return Request(url, callback=callback, errback=self.page_failed, dont_filter=True,
                       meta={"site": site, "role": role, "column_url": column_url, "started": time.monotonic(),
                             **meta})

    def link_check(self, url: str, method: str = "HEAD") -> Request:
        return Request(url, method=method, callback=self.link_checked, errback=self.link_failed,
                       dont_filter=True, priority=-10,
                       meta={"method": method, "started": time.monotonic(), "dont_retry": method == "HEAD"})

    # ------------------------------------------------------------------ pages

    def page_item(self, response: Response | None, request: Request, outcome: str, **values: Any) -> PageItem:
        meta = request.meta
        return PageItem(
            run_id=self.run_id, site_code=meta["site"]["site_code"], url=self.asked_url(request),
            role=meta["role"],
            column_url=meta.get("column_url"), fetched_at=utcnow(), outcome=outcome,
            status=response.status if response is not None else None,
            final_url=response.url if response is not None else None,
            elapsed_ms=int((time.monotonic() - meta.get("started", time.monotonic())) * 1000), **values)

    @staticmethod
    def asked_url(request: Request) -> str:
        """The URL the crawler asked for: a page row is stored under it even when redirects or a followed stub
        answered from elsewhere (a column redirected to a login wall is that column's page)."""
        return request.meta.get("page_url") or (request.meta.get("redirect_urls") or [request.url])[0]

    def read_ahead(self, request: Request) -> bool:
        """A page of this spider (not a link check), whose reading may be done in a worker thread beforehand
        (monitor/middlewares.py ReadInThread)."""
        return "role" in request.meta and type(self).read is WebsiteSpider.read

    def read(self, response: Response) -> tuple[str | None, PageExtract | None, str | None]:
        """(outcome, facts, encoding); outcome is None for a readable HTML page. A big page was read already in a
        worker thread (ReadInThread), once."""
        ahead = response.meta.pop(READ_AHEAD, None)
        return ahead if ahead is not None else self.read_now(response)

    def read_now(self, response: Response) -> tuple[str | None, PageExtract | None, str | None]:
        body = response.body
        html = is_html(response.headers.get("Content-Type")) and not looks_binary(body)
        if response.status >= 300:
            if response.status >= 400 and html and body.strip():
                # 瑞数 answers 412 (or 202) with its challenge, WAFs 403/405/493 with a block page: not a broken link.
                _, facts, encoding = self._extract(response)
                if facts is not None and facts.interstitial in (CHALLENGE, BLOCKED):
                    return facts.interstitial, facts, encoding
            return "http", None, None
        if not body.strip():
            return "empty", None, None
        if not html:
            return "not_html", None, None
        outcome, facts, encoding = self._extract(response)
        if facts is not None and facts.interstitial:
            return facts.interstitial, facts, encoding
        return outcome, facts, encoding

    def _extract(self, response: Response) -> tuple[str | None, PageExtract | None, str | None]:
        text, encoding = decode(response.body, (response.headers.get("Content-Type") or b"").decode("latin-1"))
        column = response.meta.get("column") or {}
        try:
            facts = extract_page(text, response.url, encoding=encoding, ref=self.as_of,
                                 item_selector=column.get("item_selector"),
                                 date_selector=column.get("date_selector"), status=response.status,
                                 final_url=response.url)
        except Exception:  # a page the parser cannot read is a recorded outcome, never a stopped crawl
            self.logger.exception("extraction failed on %s", response.url)
            return "unparsable", None, encoding
        return None, facts, encoding

    def fact_values(self, facts: PageExtract, encoding: str | None) -> dict[str, Any]:
        f = facts.footer
        limit = self.settings.getint("MONITOR_TEXT_SAMPLE_CHARS")
        return {
            "encoding": encoding, "title": facts.title,
            "published": facts.published.value if facts.published else None,
            "published_text": facts.published.text if facts.published else None,
            "entry_count": len(facts.entries),
            "footer_site_code": f.site_code, "footer_icp": f.icp, "footer_police": f.police,
            "footer_conac": f.conac, "footer_zhaocuo": f.zhaocuo, "footer_sponsor": f.sponsor,
            "text_sample": facts.text[:limit] if facts.text else None,
            "cut": dict(facts.cut) or None,
        }

    @staticmethod
    def count_cut(facts: PageExtract, key: str, left_out: int) -> None:
        """Add what a spider-level cap left out of a page to the counts its row stores (pages.cut)."""
        if left_out > 0:
            facts.cut[key] = facts.cut.get(key, 0) + left_out

    def emit_facts(self, response: Response, facts: PageExtract, encoding: str | None, **extra: Any) -> Iterator[Any]:
        """The page row, its list entries and links (one item), and the link checks not yet scheduled."""
        meta = response.meta
        rows: list[Any] = [self.page_item(response, response.request, "ok",
                                          **(self.fact_values(facts, encoding) | extra))]
        rows += self.entry_items(meta["site"], meta["column_url"], response.url, facts.entries)
        yield from self.emit_links(response, facts, rows)

    def emit_links(self, response: Response, facts: PageExtract, rows: list[Any] | None = None) -> Iterator[Any]:
        """One item with `rows`, the page's own link check and its links; then the link checks not yet
        scheduled (after the item: the target tracker sees a link before the check it asks for)."""
        meta = response.meta
        site, role = meta["site"], meta["role"]
        rows = rows if rows is not None else []
        rows.append(LinkCheckItem(run_id=self.run_id, url=checked_url(response.request), checked_at=utcnow(),
                                  method="GET", outcome="ok", status=response.status, final_url=response.url))
        checks: list[Request] = []
        check_links = self.settings.getbool("MONITOR_CHECK_LINKS")
        check_external = self.settings.getbool("MONITOR_CHECK_EXTERNAL_LINKS")
        url_limit = self.settings.getint("URLLENGTH_LIMIT")
        site_code, on_homepage = site["site_code"], role == "home"
        for link in facts.links:
            url = request_url(link.url)  # as the check will be stored: the two join on it
            rows.append(LinkItem(run_id=self.run_id, site_code=site_code, source_url=response.url, url=url,
                                 tag=link.tag, anchor=link.anchor[:500] or None, attachment=link.attachment,
                                 external=link.external, on_homepage=on_homepage, hidden=link.hidden))
            if not check_links or url in self.checked or (link.external and not check_external):
                continue
            if urlsplit(url).scheme in ("http", "https"):
                self.checked.add(url)
                if why := url_too_long(url, url_limit):
                    # Scrapy would drop the request silently: recorded as not checked, never as working
                    rows.append(LinkCheckItem(run_id=self.run_id, url=url, checked_at=utcnow(), method="HEAD",
                                              outcome=URL_TOO_LONG, error=why))
                    continue
                checks.append(self.link_check(url))
        yield PageFacts(rows)
        yield from checks

    def entry_items(self, site: dict, column_url: str, page_url: str, entries: list[ListEntry]) -> list[Any]:
        return [ListEntryItem(run_id=self.run_id, site_code=site["site_code"], column_url=column_url,
                              page_url=page_url, position=position, title=(entry.title or "")[:500] or None,
                              url=entry.url, published=entry.date.value if entry.date else None,
                              date_text=entry.date.text if entry.date else None)
                for position, entry in enumerate(entries)]

    def unreadable(self, response: Response) -> tuple[PageExtract | None, str | None, list[Any]]:
        """Read a response; for an unreadable one return instead what records it (the page row and its link
        check), or the request following a same-site redirect stub once, as a browser would."""
        outcome, facts, encoding = self.read(response)
        if outcome is None:
            return facts, encoding, []
        meta = response.meta
        if facts is not None and facts.redirect_to and outcome == CHALLENGE and meta.get("stub_hops", 0) < 1 \
                and same_site(facts.redirect_to, response.url):
            keep = {k: v for k, v in meta.items() if not k.startswith("download_") and k not in ("depth", "retry_times")}
            request = response.request.replace(url=facts.redirect_to, meta={
                **keep, "stub_hops": meta.get("stub_hops", 0) + 1, "page_url": self.asked_url(response.request)})
            return None, None, [request]
        error = f"HTTP {response.status}" if outcome == "http" else None
        if facts is not None and facts.interstitial:
            # A stub that still answers a stub after being followed is an anti-crawler redirect, not the column.
            reason = "反爬虫跳转页" if facts.interstitial_reason == "跳转页" else facts.interstitial_reason
            error = f"{reason}" + (f" → {facts.redirect_to}" if facts.redirect_to else "")
        item = self.page_item(response, response.request, outcome, error=error)
        check = LinkCheckItem(run_id=self.run_id, url=response.request.url, checked_at=utcnow(), method="GET",
                              outcome=outcome, status=response.status, final_url=response.url)
        return None, None, [item, check]

    def parse_home(self, response: Response) -> Iterator[Any]:
        facts, encoding, failed = self.unreadable(response)
        site = response.meta["site"]
        if failed:
            yield from failed
            if site["columns"] and not isinstance(failed[0], Request):
                # The registry's columns are still visited: each is judged by what it answers itself.
                yield from self.follow_columns(response, site, PageExtract(url=response.url))
            return
        followed = self.follow_columns(response, site, facts)  # first: it counts the columns left out in facts.cut
        if facts.footer.written_by_script and self.settings.getbool("MONITOR_RENDER_SCRIPT_FOOTERS"):
            # Read the footer from the rendered DOM first; the page row is emitted once, with the rendered marks.
            yield Request(response.url, callback=self.parse_rendered, errback=self.render_failed, dont_filter=True,
                          meta={"playwright": True, "site": site, "role": "home",
                                "column_url": response.meta["column_url"], "static": (facts, encoding),
                                "started": response.meta["started"]})
        else:
            yield from self.emit_facts(response, facts, encoding)
        yield from followed

    def follow_columns(self, response: Response, site: dict, facts: PageExtract) -> list[Any]:
        """The requests of the site's columns: the registry's, else those of the homepage's navigation on its own
        host, at most MONITOR_MAX_DISCOVERED_COLUMNS (the others counted in the homepage's cut["columns"])."""
        columns = site["columns"]
        found: list[Any] = []
        if not columns:
            limit = max(self.settings.getint("MONITOR_MAX_DISCOVERED_COLUMNS"), 0)
            home_host = urlsplit(response.url).hostname
            own = [col for col in facts.columns if urlsplit(col.url).hostname == home_host]
            self.count_cut(facts, "columns", len(own) - limit)
            columns = [{"url": col.url, "name": col.name, "category": col.category, "item_selector": None,
                        "date_selector": None} for col in own[:limit]]
            found = [ColumnItem(site_code=site["site_code"], url=col.url, name=col.name, category=col.category)
                     for col in own[:limit]]
        return found + [self.page_request(column["url"], site, "column", column["url"], self.parse_list,
                                          column=column, list_page=0) for column in columns]

    def parse_rendered(self, response: Response) -> Iterator[Any]:
        facts, encoding = response.meta["static"]
        _, rendered, _ = self.read(response)
        if rendered is not None:
            facts.footer = rendered.footer
            if not facts.entries and rendered.entries:
                facts.entries = rendered.entries
        yield from self.emit_facts(response, facts, encoding, rendered=rendered is not None)

    def render_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request
        facts, encoding = request.meta["static"]
        response = Response(request.url, status=200, request=request)
        response.meta  # noqa: B018 - binds request.meta to the synthetic response
        self.logger.warning("rendering %s failed (%s); footer read from the static page", request.url,
                            describe(failure))
        yield from self.emit_facts(response, facts, encoding, error=f"render failed: {describe(failure)}")

    def render_list(self, meta: dict, url: str, why: str, cut: dict[str, int] | None = None) -> Request:
        """The column page again, from Chromium once its scripts and their XHRs are done; `cut` is what the static
        page left out, stored with the row when the list cannot be rendered (the static page's links were kept)."""
        return Request(url, callback=self.parse_list_rendered, errback=self.list_render_failed, dont_filter=True,
                       meta={"playwright": True, "playwright_page_goto_kwargs": {"wait_until": "networkidle"},
                             "site": meta["site"], "role": meta["role"], "column_url": meta["column_url"],
                             "column": meta["column"], "started": time.monotonic(), "why": why, "list_page": 1,
                             "static_cut": dict(cut or {}) or None})

    def parse_list(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        site, column = meta["site"], meta["column"]
        facts, encoding, failed = self.unreadable(response)
        if failed:
            yield from failed
            return
        render = self.settings.getbool("MONITOR_RENDER_SCRIPT_LISTS")
        page_url = self.asked_url(response.request)
        # A list the page builds by script: from its XHR endpoints on the same site when it names them, else from
        # the DOM rendered in Chromium. Until then the page row says what the static page held.
        own = [u for u in facts.xhr_lists if registrable_domain(urlsplit(u).hostname or "")
               == registrable_domain(urlsplit(response.url).hostname or "")] if not facts.entries else []
        if not facts.entries and not own and facts.script_signs and render and meta["list_page"] == 0 \
                and not (has_empty_marker(facts.text) and "单页应用" not in facts.script_signs):
            yield self.render_list(meta, page_url, facts.script_signs, facts.cut)
            yield from self.emit_links(response, facts)
            return
        xhr = self.xhr_lists(meta["column_url"], own, facts)  # before the row: it counts the lists left out
        yield from self.emit_facts(response, facts, encoding)
        for url in xhr:
            yield Request(url, callback=self.parse_json_list, errback=self.json_list_failed, dont_filter=True,
                          meta={"site": site, "role": "list", "column_url": meta["column_url"],
                                "column": column, "started": time.monotonic(),
                                "fallback": page_url if render and meta["list_page"] == 0 else None})
        next_index = meta["list_page"] + 1
        if next_index < self.settings.getint("MONITOR_MAX_LIST_PAGES"):
            for url in facts.next_pages:
                if canonicalize(url) not in self.requested:
                    yield self.page_request(url, site, "list", meta["column_url"], self.parse_list,
                                            column=column, list_page=next_index)
                    break
        if meta["list_page"] == 0:
            yield from self.sample_articles(site, meta["column_url"], facts.entries)

    def xhr_lists(self, column_url: str, urls: list[str], facts: PageExtract) -> list[str]:
        """The XHR list URLs of a list page to request: each once per column (one search API, TRS 海云
        /irs/front/search, serves many columns, told apart by parameters), at most MAX_XHR_LISTS_PER_COLUMN per
        column over all its list pages, so pagination cannot multiply them; the rest counted in cut["xhr_lists"]."""
        new: dict[str, str] = {}
        for url in urls:
            key = canonicalize(url)
            if (column_url, key) not in self.xhr_requested:
                new.setdefault(key, url)
        room = max(MAX_XHR_LISTS_PER_COLUMN - self.xhr_per_column[column_url], 0)
        self.count_cut(facts, "xhr_lists", len(new) - room)
        kept = list(new.items())[:room]
        self.xhr_per_column[column_url] += len(kept)
        self.xhr_requested.update((column_url, key) for key, _ in kept)
        return [url for _, url in kept]

    def sample_articles(self, site: dict, column_url: str, entries: list[ListEntry]) -> Iterator[Request]:
        """Article pages of a column: at most MONITOR_ARTICLES_PER_COLUMN for the column, whether its entries come
        from its list page, its XHR lists or its rendered list (a sample: the others are not counted as cut)."""
        wanted = self.settings.getint("MONITOR_ARTICLES_PER_COLUMN")
        for entry in entries:
            if self.articles_per_column[column_url] >= wanted:
                break
            if entry.url and canonicalize(entry.url) not in self.requested \
                    and urlsplit(entry.url).scheme in ("http", "https"):
                self.articles_per_column[column_url] += 1
                yield self.page_request(entry.url, site, "article", column_url, self.parse_article)

    def parse_json_list(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        if response.status >= 300:
            yield self.page_item(response, response.request, "http", error=f"HTTP {response.status}")
            yield from self.json_fallback(meta, f"列表接口 HTTP {response.status}")
            return
        try:
            data = json.loads(response.text if hasattr(response, "text") else response.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError, AttributeError) as exc:
            yield self.page_item(response, response.request, "not_json" if response.status < 300 else "http",
                                 error=f"HTTP {response.status}" if response.status >= 300 else str(exc)[:300])
            yield from self.json_fallback(meta, "列表接口无法读取")
            return
        if not json_list_found(data):  # an answer, but no list in it: the page builds its list another way
            yield self.page_item(response, response.request, "not_json", error="列表接口返回内容中没有列表")
            yield from self.json_fallback(meta, "列表接口返回内容中没有列表")
            return
        cut: Counter[str] = Counter()
        entries = bounded(json_list_entries(data, response.url, ref=self.as_of), MAX_LIST_ENTRIES, cut, "entries")
        yield PageFacts([self.page_item(response, response.request, "ok", entry_count=len(entries), encoding="utf-8",
                                        cut=dict(cut) or None),
                         *self.entry_items(meta["site"], meta["column_url"], response.url, entries)])
        yield from self.sample_articles(meta["site"], meta["column_url"], entries)

    def json_list_failed(self, failure: Failure) -> Iterator[Any]:
        yield from self.page_failed(failure)
        yield from self.json_fallback(failure.request.meta, describe(failure))

    def json_fallback(self, meta: dict, why: str) -> Iterator[Request]:
        """An XHR list that could not be read: read the column page rendered instead (once per column)."""
        url = meta.get("fallback")
        if url and url not in self.rendered_lists:
            self.rendered_lists.add(url)
            yield self.render_list({**meta, "role": "column"}, url, why)

    def parse_list_rendered(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        _, facts, encoding = self._extract(response)
        if facts is not None and (facts.entries or (has_empty_marker(facts.text) and not facts.interstitial)):
            # Read from the rendered DOM; a list that renders "暂无信息" is an empty list, read.
            yield from self.emit_facts(response, facts, encoding, rendered=True)
            yield from self.sample_articles(meta["site"], meta["column_url"], facts.entries)
            return
        why = (facts.interstitial_reason if facts is not None and facts.interstitial else None) or meta.get("why")
        yield self.page_item(response, response.request, UNRENDERED, rendered=True, cut=meta.get("static_cut"),
                             error=f"{why}; 渲染后仍无列表" if why else "渲染后仍无列表")

    def list_render_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request
        self.logger.warning("rendering the list %s failed (%s)", request.url, describe(failure))
        yield self.page_item(None, request, UNRENDERED, cut=request.meta.get("static_cut"),
                             error=f"{request.meta.get('why')}; 渲染失败: {describe(failure)}")

    def parse_article(self, response: Response) -> Iterator[Any]:
        facts, encoding, failed = self.unreadable(response)
        if failed:
            yield from failed
            return
        yield from self.emit_facts(response, facts, encoding)

    def page_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request
        outcome = classify_failure(failure)
        yield self.page_item(None, request, outcome, error=describe(failure))
        yield LinkCheckItem(run_id=self.run_id, url=request.url, checked_at=utcnow(), method="GET",
                            outcome=outcome, error=describe(failure))

    # ------------------------------------------------------------------ link checks

    def link_checked(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        url = checked_url(response.request)
        if meta["method"] == "HEAD" and (response.status in HEAD_REFUSED or response.status >= 500):
            yield self.link_check(url, "GET")
            return
        yield LinkCheckItem(run_id=self.run_id, url=url, checked_at=utcnow(),
                            method=meta["method"], outcome="ok" if response.status < 300 else "http",
                            status=response.status, final_url=response.url,
                            elapsed_ms=int((time.monotonic() - meta["started"]) * 1000))

    def link_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request
        outcome = classify_failure(failure)
        url = checked_url(request)
        if request.meta["method"] == "HEAD" and outcome in ("connection", "error"):
            yield self.link_check(url, "GET")  # some servers drop HEAD requests
            return
        yield LinkCheckItem(run_id=self.run_id, url=url, checked_at=utcnow(), method=request.meta["method"],
                            outcome=outcome, error=describe(failure),
                            elapsed_ms=int((time.monotonic() - request.meta["started"]) * 1000))
