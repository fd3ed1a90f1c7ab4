"""The accounts spider: reads every new-media account of the registry through its platform's adapter.

Facts only, like the website spider: per account one AccountCheckItem (what the account showed, or why it could not
be read) and one PostItem per post read; rules judge them later. The adapters (monitor/platforms/<code>.py) say
which requests read an account and what each response means; this spider fetches them politely, renders in
Chromium only the requests an adapter marks `render`, and combines an account's readings once its last request
(follow-ups, retries and failures included) is done. Arguments (`scrapy crawl accounts -a name=value`):

- run_id: identity of the run (default: generated); re-playing a run with the same id updates its rows;
- as_of: monitoring date, YYYY-MM-DD, stored in runs.as_of (default: the date of `at`);
- at: ISO date-time in China time where the crawl's clock starts (default: now); every fetched_at is `at` plus the
  time elapsed since the spider opened, so relative post times (3天前) resolve against a chosen monitoring point;
- accounts: comma-separated "<platform>:<account>" keys to read (default: every active account);
- platforms: comma-separated platform labels or aliases (微信, 微博, 抖音 …) to read.

Bounded browser resources. Accounts are read in batches of MONITOR_ACCOUNT_BATCH; the rendered pages of a batch
share one browser context of its own (meta `playwright_context`), closed as soon as the batch's last account is
done, and at most PLAYWRIGHT_MAX_CONTEXTS batches are in flight — so a rendered request never waits for a context
slot held by a batch that itself waits for that request, and memory does not grow with the number of accounts.
Pages per context are capped by PLAYWRIGHT_MAX_PAGES_PER_CONTEXT; images, fonts and media are never loaded
(PLAYWRIGHT_ABORT_REQUEST = `abort_heavy`). When Chromium dies, scrapy-playwright (0.0.48) drops the dead contexts
on the browser's "disconnected" event and, with PLAYWRIGHT_RESTART_DISCONNECTED_BROWSER, launches a new browser for
the next context: requests in flight fail (recorded as outcomes), later batches render again.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import scrapy
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeoutError
from scrapy.http import Request, Response
from scrapy_playwright.page import PageMethod
from twisted.python.failure import Failure

from monitor.extract.encoding import decode
from monitor.items import AccountCheckItem, PostItem
from monitor.jobs import decode as decode_job
from monitor.outcome import classify_failure, describe
from monitor.platforms import canonical_label
from monitor.platforms.base import OK, Adapter, Fetch, Reading, adapter_for, combine
from monitor.queue_worker import QueueWorker
from monitor.targets import Target, target_source

# Defaults of MONITOR_ACCOUNT_BATCH and MONITOR_ACCOUNT_RENDER_WAIT (documented in monitor/settings.py), for a
# settings object that lacks them.
MONITOR_ACCOUNT_BATCH = 20
MONITOR_ACCOUNT_RENDER_WAIT = 10.0
QUEUE_POLL = 1.0  # seconds between looks at a queued run's jobs while none is free

# Resource types Chromium never loads for an account page: they cost memory and bandwidth and carry no fact.
ABORTED_RESOURCES = frozenset({"image", "font", "media"})
CONTEXT_PREFIX = "accounts-"
CHINA = timezone(timedelta(hours=8))
# Chromium's network errors in the outcome classes of monitor/outcome.py.
CHROMIUM_ERRORS = (("ERR_NAME_NOT_RESOLVED", "dns"), ("ERR_NAME_RESOLUTION_FAILED", "dns"),
                   ("ERR_CONNECTION_REFUSED", "refused"), ("ERR_CONNECTION_TIMED_OUT", "timeout"),
                   ("ERR_TIMED_OUT", "timeout"), ("Timeout", "timeout"), ("ERR_CERT", "tls"), ("ERR_SSL", "tls"),
                   ("ERR_CONNECTION_RESET", "connection"), ("ERR_CONNECTION_CLOSED", "connection"),
                   ("ERR_EMPTY_RESPONSE", "connection"), ("ERR_TOO_MANY_REDIRECTS", "redirect_loop"))


def abort_heavy(request: Any) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: images, fonts and media are not loaded (module level, so settings pickle)."""
    return request.resource_type in ABORTED_RESOURCES


async def wait_for_any(page: Any, selector: str, timeout_ms: float) -> bool:
    """Page method: wait until `selector` is in the DOM, at most timeout_ms; False on timeout — the page is read
    anyway (a wall or an empty timeline shows none of the expected elements, and the adapter knows them)."""
    try:
        await page.wait_for_selector(selector, state="attached", timeout=timeout_ms)
    except PlaywrightTimeoutError:
        return False
    return True


def interleave(targets: list[Target]) -> list[Target]:
    """Accounts with the platforms taken in turn: a batch then spreads over the platforms' hosts (2 requests per
    host at a time) instead of queueing behind one, and each batch renders a few pages only."""
    by_platform: dict[str, list[Target]] = {}
    for t in targets:
        by_platform.setdefault(canonical_label(t.facts["platform"]), []).append(t)
    queues = list(by_platform.values())
    return [q[i] for i in range(max(map(len, queues), default=0)) for q in queues if i < len(q)]


def batch_jobs(targets: list[Target], size: int) -> list[Target]:
    """A queued run's jobs: the accounts in batches of `size` (MONITOR_ACCOUNT_BATCH), platforms in turn."""
    ordered = interleave(targets)
    return [Target("accounts", f"batch-{n:05d}", {"accounts": [[t.id, t.facts] for t in ordered[i:i + size]]})
            for n, i in enumerate(range(0, len(ordered), size))]


def china_now() -> datetime:
    return datetime.now(UTC).astimezone(CHINA).replace(tzinfo=None)


def china_time(text: str) -> datetime:
    """An ISO date-time as naive China time (one with an offset is converted)."""
    value = datetime.fromisoformat(text)
    return value.astimezone(CHINA).replace(tzinfo=None) if value.tzinfo else value


def classify_render_failure(failure: Failure) -> str:
    """The outcome class of a failed fetch, Chromium's net:: errors included."""
    exc = failure.value
    if isinstance(exc, PlaywrightError):
        text = str(exc)
        for marker, outcome in CHROMIUM_ERRORS:
            if marker in text:
                return outcome
        return "error"
    return classify_failure(failure)


@dataclass
class AccountState:
    """One account while its requests are in flight."""

    key: str  # "<platform label>:<account>"
    platform: str
    account: str
    batch: int
    adapter: Adapter
    readings: list[Reading] = field(default_factory=list)
    pending: int = 0
    fetched_at: datetime | None = None  # of the first fetch that ended
    url: str | None = None  # of the first Fetch
    status: int | None = None  # HTTP status of the first fetch's answer (None: no answer)
    rendered: bool = False  # some answer was read from a rendered DOM
    answered: bool = False


class AccountsSpider(QueueWorker, scrapy.Spider):
    name = "accounts"
    custom_settings = {
        "PLAYWRIGHT_ABORT_REQUEST": f"{__name__}.abort_heavy",
        "PLAYWRIGHT_RESTART_DISCONNECTED_BROWSER": True,  # a killed Chromium is relaunched for the next batch
    }

    def __init__(self, run_id: str = "", as_of: str = "", at: str = "", accounts: str = "", platforms: str = "",
                 queue: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.queue_run = queue  # a run queued for several workers (monitor/queue_worker.py): batches come from it
        self.batch_job: dict[str, str] = {}  # account key → the queued batch (job target id) it belongs to
        self.batch_members: dict[str, set[str]] = {}  # queued batch → its accounts whose reading has not finished
        self.run_id = run_id or f"accounts-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
        self.at = china_time(at) if at else china_now()
        self.as_of = date.fromisoformat(as_of) if as_of else self.at.date()
        self.account_filter = [self.canonical_key(k) for k in accounts.split(",") if k.strip()]
        self.platform_filter = {canonical_label(p) for p in platforms.split(",") if p.strip()}
        self.clock_start = time.monotonic()
        self.states: dict[str, AccountState] = {}
        self.batch_open: dict[int, int] = {}  # batch → accounts not finished
        self.batch_contexts: dict[int, set[Any]] = {}  # batch → browser contexts its rendered pages used
        self.open_batches = 0
        self.batch_done = asyncio.Event()
        self.tasks: set[asyncio.Task] = set()  # page/context closings in flight
        self.total = self.finished = 0
        self.targets: dict[str, dict[str, Any]] = {}  # "<platform>:<account>" → registry row of the run's accounts

    @staticmethod
    def canonical_key(key: str) -> str:
        platform, _, account = key.strip().partition(":")
        return f"{canonical_label(platform)}:{account.strip()}"

    # ------------------------------------------------------------------ clock and settings

    def clock(self) -> datetime:
        """The crawl's clock: `at` plus the time elapsed since the spider opened."""
        return self.at + timedelta(seconds=time.monotonic() - self.clock_start)

    def batch_size(self) -> int:
        return max(1, self.settings.getint("MONITOR_ACCOUNT_BATCH", MONITOR_ACCOUNT_BATCH))

    def batches_in_flight(self) -> int:
        """At most one batch per browser context the handler may hold open (PLAYWRIGHT_MAX_CONTEXTS)."""
        return max(1, self.settings.getint("PLAYWRIGHT_MAX_CONTEXTS") or 1)

    # ------------------------------------------------------------------ start

    def load_targets(self) -> list[Target]:
        """The run's accounts, the platforms taken in turn (`interleave`)."""
        targets = target_source(self.settings).targets("account", self.account_filter)
        self.targets = {t.id: t.facts for t in targets}  # registry rows, for the checks pipeline
        return interleave([t for t in targets
                           if not self.platform_filter or canonical_label(t.facts["platform"]) in self.platform_filter])

    async def start(self) -> AsyncIterator[Any]:
        self.clock_start = time.monotonic()
        if self.queue_run:
            async for thing in self.queued_batches():
                yield thing
            return
        targets = self.load_targets()
        self.total = len(targets)
        size = self.batch_size()
        self.logger.info("run %s: %d accounts in batches of %d, clock starts at %s, monitoring date %s",
                         self.run_id, len(targets), size, self.at, self.as_of)
        for number, start in enumerate(range(0, len(targets), size)):
            await self.batch_slot()
            for thing in self.open_batch(number, targets[start:start + size]):
                yield thing

    async def batch_slot(self) -> None:
        """Wait until a batch may start: one per browser context the handler may hold (its context is closed)."""
        while self.open_batches >= self.batches_in_flight():
            self.batch_done.clear()
            await self.batch_done.wait()

    def open_batch(self, number: int, targets: list[Target]) -> list[Any]:
        self.open_batches += 1
        self.batch_open[number] = 0
        out: list[Any] = []
        for target in targets:
            out += self.begin(target, number)
        if not self.batch_open[number]:
            self.end_batch(number)
        return out

    # ------------------------------------------------------------------ a queued run: one job is one batch

    async def queued_batches(self) -> AsyncIterator[Any]:
        """Batches leased from the run's queue, one job per batch, as browser contexts free up, until the run is
        complete. A batch's job is acknowledged once each of its accounts has been read, stored and judged."""
        self.start_queue()
        assert self.queue is not None
        number = 0
        while True:
            await self.batch_slot()
            taken = self.queue.take(self.worker, 1)
            if not taken:
                if not self.held and not self.unacked and self.run_complete():
                    return
                await asyncio.sleep(QUEUE_POLL)  # other workers' leases may still come back
                continue
            job, payload = taken[0]
            batch = decode_job(payload)
            self.held[batch.id] = job
            targets = [Target("account", key, facts) for key, facts in batch.facts["accounts"]]
            self.targets.update((t.id, t.facts) for t in targets)
            self.total += len(targets)
            out = self.open_batch(number, targets)
            number += 1
            members = {t.id for t in targets if t.id in self.states}  # those read by requests (the others: items)
            self.batch_members[batch.id] = members
            self.batch_job.update((key, batch.id) for key in members)
            for thing in out:
                yield thing
            if not members:  # acknowledged at the next renewal, after its items went through the pipelines
                self.unacked.append(batch.id)

    def job_finished(self, target: str, spider: Any = None) -> None:
        batch = self.batch_job.pop(target, None)
        if batch is None:
            return
        members = self.batch_members[batch]
        members.discard(target)
        if not members:
            del self.batch_members[batch]
            self.job_done(batch)

    def schedule_next_requests(self) -> None:
        """Batches are taken in `queued_batches`, as browser contexts free up, not when the spider is idle."""

    def begin(self, target: Target, batch: int) -> list[Any]:
        """The requests reading one account, or its item when it cannot be read at all."""
        platform, account = target.facts["platform"], target.facts["account"]
        adapter = adapter_for(platform)
        base = {"run_id": self.run_id, "platform": platform, "account": account, "source": "crawl"}
        if adapter is None:
            self.account_done()
            return [AccountCheckItem(**base, fetched_at=self.clock(), outcome="unsupported", post_count=None)]
        try:
            fetches = adapter.start(account)
        except Exception as exc:  # ValueError: an account the adapter cannot read; anything else is its bug
            if not isinstance(exc, ValueError):
                self.logger.exception("adapter %s failed on account %s", platform, account)
            self.account_done()
            return [AccountCheckItem(**base, fetched_at=self.clock(), outcome="unparsable", error=str(exc)[:500])]
        if not fetches:
            self.account_done()
            return [AccountCheckItem(**base, fetched_at=self.clock(), outcome="unparsable",
                                     error="适配器未给出任何请求")]
        state = AccountState(target.id, platform, account, batch, adapter, url=fetches[0].url)
        self.states[state.key] = state
        self.batch_open[batch] += 1
        return [self.request_for(state, f) for f in fetches]

    # ------------------------------------------------------------------ requests

    def request_for(self, state: AccountState, fetch: Fetch) -> Request:
        state.pending += 1
        # "target": the target tracker attributes the request (and its retries and redirects) to the account.
        meta: dict[str, Any] = {"target": state.key, "account_key": state.key, "fetch": fetch}
        if fetch.render:
            meta |= {"playwright": True, "playwright_context": f"{CONTEXT_PREFIX}{state.batch}",
                     "playwright_include_page": True}  # the page is closed here, its context when the batch ends
            if fetch.wait_for:
                wait_ms = 1000 * self.settings.getfloat("MONITOR_ACCOUNT_RENDER_WAIT", MONITOR_ACCOUNT_RENDER_WAIT)
                meta["playwright_page_methods"] = [PageMethod(wait_for_any, fetch.wait_for, wait_ms)]
        return Request(fetch.url, callback=self.parse_fetch, errback=self.fetch_failed, dont_filter=True,
                       headers=dict(fetch.headers) or None, meta=meta)

    def release_page(self, meta: dict[str, Any], batch: int) -> None:
        """Close a rendered request's page now; remember its context, closed with the batch."""
        page = meta.pop("playwright_page", None)
        if page is None:
            return
        with suppress(PlaywrightError):
            self.batch_contexts.setdefault(batch, set()).add(page.context)
        self.spawn(self.close_quietly(page))

    def spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    @staticmethod
    async def close_quietly(closable: Any) -> None:
        with suppress(PlaywrightError):  # a page or context of a browser that died is closed already
            await closable.close()

    # ------------------------------------------------------------------ responses

    def parse_fetch(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        state = self.states[meta["account_key"]]
        fetch: Fetch = meta["fetch"]
        rendered = "playwright" in response.flags
        self.release_page(meta, state.batch)
        fetched_at = self.clock()
        if rendered:
            text = response.text
        else:
            text, _ = decode(response.body, (response.headers.get("Content-Type") or b"").decode("latin-1"))
        try:
            reading = state.adapter.parse(fetch, response.status, text, response.url, fetched_at)
        except Exception as exc:  # an adapter that cannot read a page records it; the crawl goes on
            self.logger.exception("adapter failed on %s", response.url)
            reading = Reading(outcome="unparsable", error=f"{type(exc).__name__}: {exc}"[:500])
        if response.status >= 400 and reading.outcome == OK:
            # An error status the adapter did not read as one of its own (a 418 wall is the adapter's): the answer.
            reading = Reading(outcome="http", error=f"HTTP {response.status}")
        self.note_fetch(state, fetched_at, response.status)
        state.rendered = state.rendered or rendered
        state.readings.append(reading)
        for follow in reading.follow:
            yield self.request_for(state, follow)
        yield from self.fetch_done(state)

    def fetch_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request
        state = self.states[request.meta["account_key"]]
        self.release_page(request.meta, state.batch)
        outcome = classify_render_failure(failure) if request.meta.get("playwright") else classify_failure(failure)
        state.readings.append(Reading(outcome=outcome, error=describe(failure)))
        self.note_fetch(state, self.clock(), None)
        yield from self.fetch_done(state)

    @staticmethod
    def note_fetch(state: AccountState, fetched_at: datetime, status: int | None) -> None:
        if not state.answered:
            state.answered = True
            state.fetched_at, state.status = fetched_at, status

    def fetch_done(self, state: AccountState) -> Iterator[Any]:
        state.pending -= 1
        if state.pending > 0:
            return
        yield from self.account_items(state)
        del self.states[state.key]
        self.account_done()
        self.batch_open[state.batch] -= 1
        if not self.batch_open[state.batch]:
            self.end_batch(state.batch)

    def account_items(self, state: AccountState) -> Iterator[Any]:
        r = combine(state.readings)
        fetched_at = state.fetched_at or self.clock()
        readable = r.outcome == OK
        yield AccountCheckItem(
            run_id=self.run_id, platform=state.platform, account=state.account, fetched_at=fetched_at,
            outcome=r.outcome, url=state.url, status=state.status, error=r.error[:2000] if r.error else None,
            rendered=state.rendered, display_name=(r.display_name or "")[:200] or None,
            verified_subject=(r.verified_subject or "")[:200] or None, followable=r.followable,
            interaction=dict(r.interaction) or None, post_count=len(r.posts) if readable or r.posts else None,
            source="crawl")
        for position, post in enumerate(r.posts):
            yield PostItem(run_id=self.run_id, platform=state.platform, account=state.account, post_key=post.key,
                           fetched_at=fetched_at, published_at=post.published_at, time_text=post.time_text,
                           time_source=post.time_source, position=position, title=post.title,
                           original=post.original, pinned=post.pinned)

    # ------------------------------------------------------------------ batches

    def account_done(self) -> None:
        self.finished += 1
        every = max(1, self.total // 20)
        if self.finished % every == 0 or self.finished == self.total:
            self.logger.info("已完成 %d/%d 个账号", self.finished, self.total)

    def end_batch(self, batch: int) -> None:
        """A batch's last account is done: close its browser context(s) and let the next batch start."""
        del self.batch_open[batch]
        contexts = self.batch_contexts.pop(batch, set()) | self.handler_contexts(f"{CONTEXT_PREFIX}{batch}")
        for context in contexts:
            self.crawler.stats.inc_value("accounts/contexts_closed")
            self.spawn(self.close_quietly(context))
        self.open_batches -= 1
        self.batch_done.set()

    def playwright_handlers(self) -> list[Any]:
        """The download handlers holding browser contexts (one per scheme in use)."""
        handlers = getattr(getattr(getattr(self.crawler, "engine", None), "downloader", None), "handlers", None)
        return [h for h in getattr(handlers, "_handlers", {}).values() if hasattr(h, "context_wrappers")]

    def handler_contexts(self, name: str) -> set[Any]:
        """A batch's context as the handler holds it (one whose every page failed before it could be seen)."""
        return {h.context_wrappers[name].context for h in self.playwright_handlers() if name in h.context_wrappers}

    def open_contexts(self) -> list[str]:
        return [n for h in self.playwright_handlers() for n in h.context_wrappers if n.startswith(CONTEXT_PREFIX)]

    async def closed(self, reason: str) -> None:
        while self.tasks:  # closings in flight end before the handler shuts the browser down
            await asyncio.gather(*list(self.tasks), return_exceptions=True)
        self.crawler.stats.set_value("accounts/contexts_open_at_end", len(self.open_contexts()))
        if self.states:
            self.logger.warning("run %s ended with %s: %d accounts whose reading did not finish are not stored",
                                self.run_id, reason, len(self.states))
