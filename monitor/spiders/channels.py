"""The channels spider: a site's letters channels (领导信箱, 咨询投诉, 12345 留言, 网上信访) and 办事指南 lists.

Facts only, like the website spider; the letters and guide rules judge them at evaluation. Per channel of the
registry (`channels`, grouped per website by monitor/targets.py) one ChannelCheckItem says whether it works at all
(`outcome`: how the fetch ended, monitor/outcome.py; `state`: channel_state of monitor/extract/letters.py; None when
nothing was fetched), with the list pages read and the entries they listed.

- Letters channels (kinds consult and petition): the list page and its next pages (at most MONITOR_MAX_LETTER_PAGES),
  then each letter's detail page for at most MONITOR_MAX_LETTERS letters per channel, newest first as listed. One
  LetterItem per letter merges the list row and the detail page: the detail page wins where both show a value (the
  title only when the page labels it: a page heading or <title> also names the site). A letter without a detail
  page is stored from its row under "<list page>#<position>"; a detail page that cannot be read leaves its letter
  with the row's facts. `answered` is True when an answer text is shown, False when the answer field is shown
  empty or the status says it is pending, None when neither page says.
- Guide lists (kind guides): the list's guide links (the registry's item selector, else dated entries, else links
  named like service items — 登记, 许可, 办理 … — outside navigation), at most MONITOR_GUIDES_PER_CHANNEL guide pages,
  one GuideItem each; a channel URL that is itself a guide page (three or more labelled elements) is read as one
  guide. A followed page with fewer than two labelled elements is recorded with outcome `not_guide` (待定: not
  read as a guide, never a guide missing its elements). Each link of a guide to a 政务服务网 (and each 在线办理 link) is
  checked once per run with the website spider's link check (HEAD, then GET when refused); the guide is emitted
  once its links' checks are done, each service_links entry holding {url, anchor, href, zwfw, outcome, status}
  (url None: the link leads nowhere; outcome None: not checked, MONITOR_CHECK_LINKS off). The checks are also
  stored as link_checks, and the links as links rows of the run (so a check shared by two sites keeps both open).
- A list page without entries that looks built by script is rendered once in Chromium (MONITOR_RENDER_SCRIPT_LISTS,
  decided as the website spider decides); a list still unreadable after rendering has outcome `unrendered`.

Transport failures are recorded as the channel's outcome and the crawl goes on. Every request carries its site
(meta "target"), so the target tracker finishes a site when the last request of its channels is done.

Arguments (`scrapy crawl channels -a name=value`): run_id (default generated; re-playing a run with the same id
updates its rows), as_of (monitoring date YYYY-MM-DD, stored in runs.as_of; default the date of `at`), at (ISO
date-time in China time where the crawl's clock starts, default now: every fetched_at is `at` plus the time elapsed,
in China time like the letters' own times), sites (comma-separated 网站标识码; default every site with active
channels).
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import scrapy
from parsel import Selector
from scrapy.http import Request, Response
from twisted.python.failure import Failure

from monitor.extract.dates import visible_text
from monitor.extract.encoding import decode, looks_binary
from monitor.extract.guides import ONLINE_ANCHOR, Guide, read_guide
from monitor.extract.letters import (
    ANSWER_LABELS,
    EMPTY,
    FORM,
    OK,
    TITLE_LABELS,
    UNREADABLE,
    LetterDetail,
    LetterEntry,
    LetterList,
    TimeFact,
    channel_state,
    read_letter_detail,
    read_letter_list,
    status_kind,
)
from monitor.extract.links import ATTACHMENT, absolute, canonicalize, document_base, page_links
from monitor.extract.lists import NOT_COLUMN, PAGINATION_TEXT, _in_skipped_area, list_entries
from monitor.extract.unreadable import (
    BLOCKED,
    CHALLENGE,
    MOVED,
    UNRENDERED,
    classify,
    has_empty_marker,
    script_list_signs,
)
from monitor.items import ChannelCheckItem, GuideItem, LetterItem, LinkCheckItem, LinkItem
from monitor.outcome import classify_failure, describe, is_html
from monitor.queue_worker import QueueWorker
from monitor.spiders.accounts import china_now, china_time
from monitor.spiders.website import WebsiteSpider
from monitor.targets import Target, target_source

# Defaults of the spider's settings (to be documented in monitor/settings.py), for a settings object that lacks them.
MONITOR_MAX_LETTER_PAGES = 5
MONITOR_MAX_LETTERS = 100
MONITOR_GUIDES_PER_CHANNEL = 10

GUIDE_PAGE_ELEMENTS = 3  # labelled elements that make a guide channel's own page a guide, not a list
GUIDE_ELEMENTS_MIN = 2  # labelled elements a followed page needs to be read as a guide
NOT_GUIDE = "not_guide"
# Anchors that name a service item (个体工商户设立登记, 建设工程规划许可证核发 …) on an undated guide list.
GUIDE_WORDS = re.compile(r"指南|登记|许可|审批|备案|核准|核发|认定|申请|申报|办理|注册|变更|注销|换证|补证|确认|"
                         r"审核|年检|年审|证明|鉴定|给付|补贴|补助|证$")
# Field lengths of the letters table (monitor/db.py).
CATEGORY_LEN, UNIT_LEN, STATUS_LEN = 20, 200, 40


@dataclass
class ChannelRun:
    """One channel while its list pages are read."""

    site_code: str
    channel: dict[str, Any]
    fetched_at: datetime | None = None  # of the first list page
    outcome: str | None = None
    state: str | None = None
    status: int | None = None
    errors: list[str] = field(default_factory=list)
    pages_read: int = 0
    entries_seen: int = 0
    letters: int = 0  # letters taken (stored or being read from their detail page)

    @property
    def url(self) -> str:
        return self.channel["url"]


@dataclass
class PendingGuide:
    """A guide read, waiting for the checks of its service links."""

    item: GuideItem
    waiting: set[str] = field(default_factory=set)


def http_url(url: str | None) -> bool:
    return bool(url) and urlsplit(url).scheme in ("http", "https")


def at_time(fact: TimeFact | None) -> datetime | None:
    """A shown time as a datetime; a date without time of day is 00:00 of that day (its text keeps the precision)."""
    if fact is None:
        return None
    value = fact.value
    return value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)


def guide_links(html: str, url: str, item_selector: str | None, *, ref: date | None) -> list[tuple[str, str]]:
    """(url, title) of the guides a guide list shows: the registry's item selector, else dated entries, else links
    outside navigation whose anchor names a service item (online-handling buttons and attachments excluded)."""
    sel = Selector(text=html or "<html></html>")
    entries = list_entries(sel, url, item_selector=item_selector or None, ref=ref)
    found: list[tuple[str, str]] = []
    seen = {canonicalize(url)}
    candidates = [(e.url, e.title) for e in entries]
    if not entries and not item_selector:
        base = document_base(sel, url)
        for anchor in sel.xpath("//body//a[@href]"):
            title = " ".join(" ".join(anchor.xpath(".//text()").getall()).split()) or anchor.attrib.get("title", "")
            if len(title) < 5 or PAGINATION_TEXT.match(title) or NOT_COLUMN.match(title) \
                    or ONLINE_ANCHOR.search(title) or not GUIDE_WORDS.search(title) or _in_skipped_area(anchor):
                continue
            candidates.append((absolute(anchor.attrib.get("href"), base), title))
    for link, title in candidates:
        if not http_url(link) or ATTACHMENT.search(urlsplit(link).path) or canonicalize(link) in seen:
            continue
        seen.add(canonicalize(link))
        found.append((link, title))
    return found


class ChannelsSpider(QueueWorker, scrapy.Spider):
    name = "channels"

    # The website spider's link check, reused as it is (HEAD, then GET when HEAD is refused or fails): its callbacks
    # are this spider's link_checked / link_failed, which hand each result to the guides waiting for it.
    link_check = WebsiteSpider.link_check

    def __init__(self, run_id: str = "", as_of: str = "", at: str = "", sites: str = "", queue: str = "",
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.queue_run = queue  # a run queued for several workers (monitor/queue_worker.py): targets come from it
        self.targets: dict[str, dict[str, Any]] = {}  # 网站标识码 → the site's registry facts and channels
        self.run_id = run_id or f"channels-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
        self.at = china_time(at) if at else china_now()
        self.as_of = date.fromisoformat(as_of) if as_of else self.at.date()
        self.site_filter = {s.strip() for s in sites.split(",") if s.strip()}
        self.clock_start = time.monotonic()
        self.runs: dict[str, ChannelRun] = {}  # channel URL → its reading
        self.requested: set[str] = set()  # pages requested in this run (canonical URLs)
        self.letter_urls: set[str] = set()  # letters taken in this run: one row each
        self.checked: set[str] = set()  # service links whose check is done or pending
        self.link_results: dict[str, dict[str, Any]] = {}  # checked URL → {outcome, status}
        self.waiting: dict[str, list[PendingGuide]] = {}  # URL being checked → guides waiting for it

    # ------------------------------------------------------------------ clock and settings

    def clock(self) -> datetime:
        """The crawl's clock in China time: `at` plus the time elapsed since the spider opened."""
        return self.at + timedelta(seconds=time.monotonic() - self.clock_start)

    def limit(self, name: str, default: int) -> int:
        return max(0, self.settings.getint(name, default))

    # ------------------------------------------------------------------ start

    async def start(self) -> AsyncIterator[Request]:
        self.clock_start = time.monotonic()
        if self.queue_run:
            for request in self.queue_requests():
                yield request
            return
        targets = target_source(self.settings).targets("channel", self.site_filter)
        count = sum(len(t.facts["channels"]) for t in targets)
        self.logger.info("run %s: %d channels of %d sites, clock starts at %s, monitoring date %s", self.run_id,
                         count, len(targets), self.at, self.as_of)
        for target in targets:
            for request in self.target_requests(target):
                yield request

    def target_requests(self, target: Target) -> list[Request]:
        """The first list page of each of a site's channels."""
        self.targets[target.id] = target.facts
        out = []
        for channel in target.facts["channels"]:
            if channel["url"] in self.runs:  # channel_checks holds one row per run and URL
                self.logger.warning("channel %s is listed for %s and %s; read once, for the first",
                                    channel["url"], self.runs[channel["url"]].site_code, target.id)
                continue
            run = self.runs[channel["url"]] = ChannelRun(target.id, channel)
            out.append(self.page(channel["url"], run, self.parse_channel, self.channel_failed, list_page=0))
        return out

    def page(self, url: str, run: ChannelRun, callback: Any, errback: Any, **meta: Any) -> Request:
        self.requested.add(canonicalize(url))
        # dont_filter: the spider de-duplicates itself (a redirect back to a seen URL is still this page's answer).
        return Request(url, callback=callback, errback=errback, dont_filter=True,
                       meta={"target": run.site_code, "channel_url": run.url, "page_url": url, **meta})

    # ------------------------------------------------------------------ reading a response

    def read(self, response: Response) -> tuple[str, str]:
        """(outcome, HTML text) of a response; the text is "" when it is no HTML page."""
        body = response.body
        rendered = "playwright" in response.flags
        html = rendered or (is_html(response.headers.get("Content-Type")) and not looks_binary(body))
        text = ""
        if html:
            text = response.text if rendered else decode(
                body, (response.headers.get("Content-Type") or b"").decode("latin-1"))[0]
        if response.status >= 300:
            outcome = "http"
        elif not body.strip():
            outcome = "empty"
        elif not html:
            outcome = "not_html"
        else:
            outcome = "ok"
        if text.strip():
            sel = Selector(text=text)
            title = " ".join((sel.xpath("//title/text()").get() or "").split()) or None
            inter = classify(text, visible_text(sel), title, response.url, status=response.status,
                             final_url=response.url, sel=sel)
            # Anti-bot challenges and WAF pages (瑞数 answers 412) are no answer of the channel; neither is a notice
            # that sends visitors to another site.
            if inter is not None and (inter.outcome in (CHALLENGE, BLOCKED)
                                      or (inter.outcome == MOVED and response.status < 300)):
                return inter.outcome, text
        return outcome, text

    @staticmethod
    def render_signs(text: str, state: str | None) -> str | None:
        """Why a first list page without entries may build its list by script (None: read it as it is): signs of a
        list built by script, and no 暂无信息 that a plain page shows (a shell's own text is no answer)."""
        if state not in (UNREADABLE, EMPTY):
            return None
        shown = visible_text(Selector(text=text or "<html></html>"))
        signs = script_list_signs(text, shown)
        if not signs or (has_empty_marker(shown) and "单页应用" not in signs):
            return None
        return signs

    def render(self, response: Response, run: ChannelRun, why: str, static: dict[str, Any]) -> Request | None:
        """The channel page again, from Chromium once its scripts and their XHRs are done; None when rendering is
        off (MONITOR_RENDER_SCRIPT_LISTS): the list is then unrendered (待定), never read as empty."""
        if not self.settings.getbool("MONITOR_RENDER_SCRIPT_LISTS"):
            run.outcome, run.state = UNRENDERED, UNREADABLE
            run.errors.append(f"{why}; 未渲染")
            return None
        return Request(response.meta["page_url"], callback=self.parse_rendered, errback=self.render_failed,
                       dont_filter=True,
                       meta={"playwright": True, "playwright_page_goto_kwargs": {"wait_until": "networkidle"},
                             "target": run.site_code, "channel_url": run.url, "page_url": response.meta["page_url"],
                             "list_page": 0, "why": why, "static": static})

    # ------------------------------------------------------------------ channel pages

    def parse_channel(self, response: Response) -> Iterator[Any]:
        run = self.runs[response.meta["channel_url"]]
        index = response.meta["list_page"]
        outcome, text = self.read(response)
        readable = outcome == "ok" and response.status < 300
        if index == 0:
            run.fetched_at, run.outcome, run.status = self.clock(), outcome, response.status
            run.state = channel_state(text, response.url, status=response.status) if text else \
                ("error" if outcome in ("http", "empty") else UNREADABLE)
            if outcome == "http":
                run.errors.append(f"HTTP {response.status}")
            elif outcome != "ok":
                run.errors.append(outcome)
        elif not readable:
            run.errors.append(f"第{index + 1}页: {'HTTP ' + str(response.status) if outcome == 'http' else outcome}")
            yield self.check_item(run)
            return
        if run.channel.get("kind") == "guides":
            yield from self.guide_list(response, run, text if readable else "", readable)
            return
        letters = read_letter_list(text, response.url, self.selectors(run), ref=self.as_of) if readable else None
        if index == 0 and readable and not letters.entries:
            why = self.render_signs(text, run.state)
            request = self.render(response, run, why, {"letters": letters}) if why else None
            if request is not None:
                yield request
                return
        yield from self.take_letters(run, response.meta["page_url"], letters, index)

    def parse_rendered(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        run = self.runs[meta["channel_url"]]
        _, text = self.read(response)
        state = channel_state(text, response.url) if text else UNREADABLE
        if run.channel.get("kind") == "guides":
            run.state = state
            yield from self.guide_list(response, run, text, True, rendered=meta["why"])
            return
        letters = read_letter_list(text, response.url, self.selectors(run), ref=self.as_of)
        run.state = state
        if not letters.entries and state == UNREADABLE:
            run.outcome = UNRENDERED
            run.errors.append(f"{meta['why']}; 渲染后仍无列表")
        yield from self.take_letters(run, meta["page_url"], letters, 0)

    def render_failed(self, failure: Failure) -> Iterator[Any]:
        meta = failure.request.meta
        run = self.runs[meta["channel_url"]]
        self.logger.warning("rendering the channel %s failed (%s)", run.url, describe(failure))
        run.outcome, run.state = UNRENDERED, UNREADABLE  # a header without rows is no empty list here
        run.errors.append(f"{meta['why']}; 渲染失败: {describe(failure)}")
        if run.channel.get("kind") == "guides":
            yield self.check_item(run)
            return
        yield from self.take_letters(run, meta["page_url"], meta["static"]["letters"], 0)

    def channel_failed(self, failure: Failure) -> Iterator[Any]:
        meta = failure.request.meta
        run = self.runs[meta["channel_url"]]
        if meta["list_page"] == 0:
            run.fetched_at, run.outcome, run.state = self.clock(), classify_failure(failure), None
            run.errors.append(describe(failure))
        else:  # a later list page: the channel's first page said what it is; the letters read so far stay
            run.errors.append(f"第{meta['list_page'] + 1}页: {describe(failure)}")
        yield self.check_item(run)

    def check_item(self, run: ChannelRun) -> ChannelCheckItem:
        return ChannelCheckItem(
            run_id=self.run_id, site_code=run.site_code, channel_url=run.url, fetched_at=run.fetched_at or self.clock(),
            outcome=run.outcome or "error", state=run.state, status=run.status,
            error="; ".join(run.errors)[:2000] or None, pages_read=run.pages_read, entries_seen=run.entries_seen)

    @staticmethod
    def selectors(run: ChannelRun) -> dict[str, str]:
        return {k: run.channel[k] for k in ("item_selector", "date_selector") if run.channel.get(k)}

    # ------------------------------------------------------------------ letters

    def take_letters(self, run: ChannelRun, page_url: str, letters: LetterList | None,
                     index: int) -> Iterator[Any]:
        """The letters of one list page (detail requests, or rows stored as they are), then the next page or the
        channel's check row."""
        if letters is None:
            yield self.check_item(run)
            return
        run.pages_read += 1
        run.entries_seen += len(letters.entries)
        wanted = self.limit("MONITOR_MAX_LETTERS", MONITOR_MAX_LETTERS)
        fetched_at = self.clock()
        new = 0
        for position, entry in enumerate(letters.entries):
            if run.letters >= wanted:
                break
            detail = entry.url if http_url(entry.url) and canonicalize(entry.url) != canonicalize(page_url) else None
            key = canonicalize(detail) if detail else f"{page_url}#{position}"
            if key in self.letter_urls:  # listed again (a shifted page, a sidebar): one row per letter
                continue
            self.letter_urls.add(key)
            run.letters += 1
            new += 1
            if detail and canonicalize(detail) not in self.requested:
                yield self.page(detail, run, self.parse_detail, self.detail_failed, entry=entry,
                                list_fetched_at=fetched_at)
            else:
                yield self.letter_item(run, detail or key, entry, None, fetched_at)
        next_index = index + 1
        if new and run.letters < wanted and next_index < self.limit("MONITOR_MAX_LETTER_PAGES",
                                                                    MONITOR_MAX_LETTER_PAGES):
            for url in letters.next_pages:
                if http_url(url) and canonicalize(url) not in self.requested:
                    yield self.page(url, run, self.parse_channel, self.channel_failed, list_page=next_index)
                    return
        yield self.check_item(run)

    def parse_detail(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        run = self.runs[meta["channel_url"]]
        outcome, text = self.read(response)
        detail = None
        if outcome == "ok" and response.status < 300:
            detail = read_letter_detail(text, response.url, ref=self.as_of)
            if detail.has_answer is None:  # no letter field on the page: nothing of it is a fact of the letter
                detail = None
        yield self.letter_item(run, meta["page_url"], meta["entry"], detail, self.clock())

    def detail_failed(self, failure: Failure) -> Iterator[Any]:
        meta = failure.request.meta
        run = self.runs[meta["channel_url"]]
        self.logger.debug("letter page %s failed (%s); stored from its list row", meta["page_url"], describe(failure))
        yield self.letter_item(run, meta["page_url"], meta["entry"], None, meta["list_fetched_at"])

    def letter_item(self, run: ChannelRun, url: str, entry: LetterEntry, detail: LetterDetail | None,
                    fetched_at: datetime) -> LetterItem:
        """The letter as its row and its page show it; the page's value wins where both show one."""
        d = detail or LetterDetail(url=url)
        labelled_title = next((d.fields[label] for label in TITLE_LABELS if d.fields.get(label)), None)
        title = " ".join((labelled_title or entry.title or d.title or "").split()) or None
        received = d.received_at or entry.received
        answered_at = d.answered_at or entry.answered
        status = d.status or entry.status
        unit = d.answer_unit or entry.unit
        category = d.category or entry.category
        return LetterItem(
            run_id=self.run_id, site_code=run.site_code, channel_url=run.url, url=url, fetched_at=fetched_at,
            title=title, category=category[:CATEGORY_LEN] if category else None,
            unit=unit[:UNIT_LEN] if unit else None, received_at=at_time(received),
            received_text=received.text if received else None, answered_at=at_time(answered_at),
            answered_text=answered_at.text if answered_at else None,
            status=status[:STATUS_LEN] if status else None, answered=self.answered(detail, status, answered_at))

    @staticmethod
    def answered(detail: LetterDetail | None, status: str | None, answered_at: TimeFact | None) -> bool | None:
        """An answer is shown (True), shown as missing (False), or neither page says (None)."""
        if detail is not None and detail.has_answer:
            return True
        if detail is not None and any(label in detail.fields for label in ANSWER_LABELS):
            return False  # the answer field is shown, empty or 暂无答复
        kind = status_kind(status)
        if kind is not None:
            return kind == "answered"
        return True if answered_at is not None else None

    # ------------------------------------------------------------------ guides

    def guide_list(self, response: Response, run: ChannelRun, text: str, readable: bool,
                   rendered: str | None = None) -> Iterator[Any]:
        """A guide list page: its guides followed (or the page read as the one guide it is), then the check row.
        `rendered`: the page is Chromium's DOM, rendered for this reason."""
        if not readable:
            yield self.check_item(run)
            return
        guide = read_guide(text, response.url)
        if sum(e.source == "label" for e in guide.elements.values()) >= GUIDE_PAGE_ELEMENTS:
            run.pages_read, run.entries_seen, run.state = 1, 1, OK
            yield self.check_item(run)
            yield from self.guide_items(response, run, text, guide, "ok", minimum=0)
            return
        links = guide_links(text, response.url, run.channel.get("item_selector"), ref=self.as_of)
        if not links and not rendered:
            why = self.render_signs(text, run.state)
            request = self.render(response, run, why, {}) if why else None
            if request is not None:
                yield request
                return
        run.pages_read, run.entries_seen = 1, len(links)
        if links:
            run.state = OK
        elif run.state in (OK, FORM):  # letters words on a guide list say nothing of its guides
            run.state = UNREADABLE
        if rendered and not links and run.state == UNREADABLE:
            run.outcome = UNRENDERED
            run.errors.append(f"{rendered}; 渲染后仍无列表")
        yield self.check_item(run)
        wanted = self.limit("MONITOR_GUIDES_PER_CHANNEL", MONITOR_GUIDES_PER_CHANNEL)
        for url, _title in links[:wanted]:
            if canonicalize(url) not in self.requested:
                yield self.page(url, run, self.parse_guide, self.guide_failed)

    def parse_guide(self, response: Response) -> Iterator[Any]:
        run = self.runs[response.meta["channel_url"]]
        outcome, text = self.read(response)
        if outcome != "ok" or response.status >= 300:
            yield self.guide_item(run, response.meta["page_url"], outcome)
            return
        yield from self.guide_items(response, run, text, read_guide(text, response.url), outcome)

    def guide_failed(self, failure: Failure) -> Iterator[Any]:
        meta = failure.request.meta
        yield self.guide_item(self.runs[meta["channel_url"]], meta["page_url"], classify_failure(failure))

    def guide_item(self, run: ChannelRun, url: str, outcome: str, guide: Guide | None = None) -> GuideItem:
        elements = address = None
        if guide is not None:
            elements = {k: "empty" if e.placeholder else "present" for k, e in guide.elements.items()}
            place = guide.elements.get("办理地点")
            address = place.value[:2000] if place is not None and place.value else None
        return GuideItem(run_id=self.run_id, site_code=run.site_code, channel_url=run.url, url=url,
                         fetched_at=self.clock(), outcome=outcome, title=guide.title if guide else None,
                         elements=elements, address=address, service_links=[] if guide is not None else None)

    def guide_items(self, response: Response, run: ChannelRun, text: str, guide: Guide, outcome: str,
                    minimum: int = GUIDE_ELEMENTS_MIN) -> Iterator[Any]:
        """The guide's row once its service links are checked; the links and their checks not yet scheduled."""
        if sum(e.source == "label" for e in guide.elements.values()) < minimum:
            outcome = NOT_GUIDE
        item = self.guide_item(run, response.meta["page_url"], outcome, guide)
        pending = PendingGuide(item)
        check = self.settings.getbool("MONITOR_CHECK_LINKS")
        facts = {(link.url, link.tag): link for link in page_links(Selector(text=text), response.url)}
        for link in guide.service_links:
            entry = {"url": link.url, "anchor": link.anchor, "href": link.href, "zwfw": link.zwfw,
                     "outcome": None, "status": None}
            item.service_links.append(entry)
            if not check or not http_url(link.url):
                continue
            fact = facts.pop((link.url, "a"), None)  # one links row per URL, whatever its anchors
            if fact is not None:
                yield LinkItem(run_id=self.run_id, site_code=run.site_code, source_url=response.url, url=link.url,
                               tag="a", anchor=fact.anchor[:500] or None, attachment=fact.attachment,
                               external=fact.external, on_homepage=False, hidden=fact.hidden)
            if link.url in self.link_results:
                entry.update(self.link_results[link.url])
                continue
            pending.waiting.add(link.url)
            self.waiting.setdefault(link.url, []).append(pending)
            if link.url not in self.checked:
                self.checked.add(link.url)
                request = self.link_check(link.url)
                request.meta["asked_url"] = link.url  # Request may re-encode the URL; results are keyed by ours
                yield request
        if not pending.waiting:
            yield item

    # ------------------------------------------------------------------ link checks (the website spider's)

    @staticmethod
    def asked(request: Request) -> str:
        """The service link a check is for: redirects and a GET after a refused HEAD continue its check."""
        return request.meta.get("asked_url") or (request.meta.get("redirect_urls") or [request.url])[0]

    def link_checked(self, response: Response) -> Iterator[Any]:
        yield from self.link_outputs(self.asked(response.request),
                                     WebsiteSpider.link_checked(self, response))  # type: ignore[arg-type]

    def link_failed(self, failure: Failure) -> Iterator[Any]:
        yield from self.link_outputs(self.asked(failure.request),
                                     WebsiteSpider.link_failed(self, failure))  # type: ignore[arg-type]

    def link_outputs(self, asked: str, outputs: Iterator[Any]) -> Iterator[Any]:
        for out in outputs:
            if isinstance(out, Request):
                out.meta["asked_url"] = asked  # the GET again, maybe of the redirected URL
            if isinstance(out, LinkCheckItem):
                # The website helper names the check by the redirected URL: stored under the link as found, with
                # where it led in final_url.
                out.url = asked
            yield out
            if isinstance(out, LinkCheckItem):
                yield from self.link_done(asked, out)

    def link_done(self, url: str, check: LinkCheckItem) -> Iterator[GuideItem]:
        """A service link's check is done: it goes into every guide waiting for it; complete guides are emitted."""
        result = {"outcome": check.outcome, "status": check.status}
        self.link_results[url] = result
        for pending in self.waiting.pop(url, []):
            for entry in pending.item.service_links or []:
                if entry["url"] == url:
                    entry.update(result)
            pending.waiting.discard(url)
            if not pending.waiting:
                yield pending.item

    def closed(self, reason: str) -> None:
        left = {id(p): p for waiters in self.waiting.values() for p in waiters}
        if left:
            self.logger.warning("run %s ended with %s: %d guides whose link checks did not finish are not stored",
                                self.run_id, reason, len(left))
