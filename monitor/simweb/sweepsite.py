"""A generated site for the full link sweep: N pages reached through deep pagination and nested 专题 pages, with a
known set of dead links, served by the simulated web's server on 127.0.0.1:<port>.

    site = generate_sweep_site(300, 32)
    with SweepWeb(site) as web:
        web.homepage            # http://127.0.0.1:PORT/
        web.dead_links()        # the ground truth: (page URL, link URL, anchor, kind) of every dead link
        web.write_registry(p)   # a registry file with the one website, for MONITOR_TARGETS
    with SweepWeb(site, latency=0.05, serve_at_most=2) as web:  # 50 ms answers, at most 2 served at once per port
        web.reset_traffic()     # what a client sent since the last call: requests, peaks, time spent serving

The pages use plain 127.0.0.1 URLs, not host names, so that peer tools without a host map (linkinator, LinkChecker)
reach them exactly as the sweep does: no tool resolves anything but the dead links' `.invalid` names, which do not
resolve anywhere. A crawl of the site needs the loopback address allowed (MONITOR_ALLOWED_NETWORKS=127.0.0.1).

Layout: a homepage; COLUMNS columns whose lists run 20 entries a page with 下一页 links (one column holds about 40 %
of the articles, so its pagination is deep: depth 1 + page number); article pages; a chain of nested 专题 pages
(depth 1…`nested_depth`, each with leaf pages). Every page has the navigation, a logo, and footer links to an
outside site (a second port, always alive). Dead links, distinct URLs in three kinds — 404 (same site), refused (a
closed port) and dns (an `.invalid` host) — sit on the homepage, on deep list pages, on articles listed there and on
nested pages deeper than 6; a few appear on two pages. Timeouts are left out on purpose: a timeout is 待定 for the
monitor (never evidence of a dead link) but dead for the peers, and each costs the whole timeout.

Every response carries a `LinkChecker` header: LinkChecker then lifts its 10-requests-per-second cap for the host
(its documented opt-in for servers that allow faster checking), so the benchmark compares work, not its throttle.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from html import escape
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from monitor.simweb.scenario import Defects, Scenario, Site
from monitor.simweb.server import PNG, SimWeb, _free_port, _Handler, _Server
from monitor.simweb.templates import TOPICS

COLUMNS = ("工作动态", "通知公告", "政策文件", "人事信息", "规划计划", "部门动态", "乡镇动态", "政策解读")
PAGE_SIZE = 20
DEAD_KINDS = ("404", "refused", "dns")
OUTSIDE = "outside"  # link kind: the always-alive outside site (second port)
HEADERS = {"LinkChecker": "allowed"}
SITE_CODE = "5300009001"
LATE = re.compile(r"^/c\d+/(?:index_(\d+)\.html|art/(\d+)\.html)$")  # list pages after the first, articles


@dataclass(frozen=True)
class Link:
    href: str  # a site path ("/c0/index_3.html"), or a path on the outside / refused port, or a dns host name
    anchor: str
    kind: str = "site"  # site / outside / 404 / refused / dns
    tag: str = "a"


@dataclass
class SweepSite:
    """The generated site: page path → (title, links); which links are dead is in their kind."""

    pages: dict[str, tuple[str, list[Link]]]
    seed: int
    as_of: date = date(2021, 3, 3)
    max_depth: int = 0  # the deepest page's link distance from the homepage
    depth: dict[str, int] = field(default_factory=dict)

    @property
    def dead(self) -> list[tuple[str, Link]]:
        """(page path, dead link) for every occurrence, in page order."""
        return [(path, link) for path, (_, links) in self.pages.items() for link in links if link.kind in DEAD_KINDS]


def _column_sizes(articles: int, rng: random.Random) -> list[int]:
    """Articles per column: the first holds about 40 % (deep pagination), the rest share the remainder."""
    first = max(min(articles, PAGE_SIZE * 2 + 1), articles * 2 // 5)  # at least three list pages
    rest = max(0, articles - first)
    weights = [rng.uniform(0.5, 1.5) for _ in COLUMNS[1:]]
    sizes = [int(rest * w / sum(weights)) for w in weights]
    sizes[0] += rest - sum(sizes)
    return [first, *sizes]


def generate_sweep_site(n_pages: int = 300, n_dead: int = 32, seed: int = 1, nested_depth: int = 10,
                        leaves: int = 2) -> SweepSite:
    """About n_pages HTML pages (exactly: see len(site.pages)) with n_dead distinct dead links."""
    rng = random.Random(seed)
    nested = nested_depth * (1 + leaves)
    # each list page of 20 articles is 21 pages; the homepage and the nested pages come first
    articles = max(len(COLUMNS) * 2, (n_pages - 1 - nested) * PAGE_SIZE // (PAGE_SIZE + 1))
    sizes = _column_sizes(articles, rng)
    nav = [Link("/", "首页")] + [Link(f"/c{k}/", name) for k, name in enumerate(COLUMNS)] + [Link("/zt/d1/", "专题专栏")]
    common = [Link("/images/logo.png", "网站标志", tag="img"), Link("/gov/index.html", "中国政府网", OUTSIDE),
              Link("/beian/", "备案信息", OUTSIDE), Link("/zhaocuo/", "我为政府网站找错", OUTSIDE)]
    pages: dict[str, tuple[str, list[Link]]] = {}
    depth: dict[str, int] = {"/": 0}

    def add(path: str, title: str, links: list[Link], at: int) -> None:
        pages[path] = (title, nav + links + common)
        depth.setdefault(path, at)

    news = [Link(f"/c0/art/{i}.html", f"{TOPICS[i % len(TOPICS)]}({i})") for i in range(8)]
    add("/", "模拟县人民政府", news, 0)
    for k, (name, size) in enumerate(zip(COLUMNS, sizes, strict=True)):
        lists = max(1, -(-size // PAGE_SIZE))
        for n in range(lists):
            path = f"/c{k}/" if n == 0 else f"/c{k}/index_{n}.html"
            entries = [Link(f"/c{k}/art/{i}.html", f"{TOPICS[(i + k) % len(TOPICS)]}({k}-{i})")
                       for i in range(n * PAGE_SIZE, min(size, (n + 1) * PAGE_SIZE))]
            pager = [Link(f"/c{k}/", "首页")] if n else []
            if n + 1 < lists:
                pager.append(Link(f"/c{k}/index_{n + 1}.html", "下一页"))
            add(path, f"{name}_第{n + 1}页", entries + pager, 1 + n)
            for i in range(n * PAGE_SIZE, min(size, (n + 1) * PAGE_SIZE)):
                extra = [Link(f"/c{k}/", name)]
                if i % 5 == 0:
                    extra.append(Link(f"/files/c{k}-{i}.pdf", f"附件{i}.pdf"))
                add(f"/c{k}/art/{i}.html", f"{TOPICS[(i + k) % len(TOPICS)]}({k}-{i})", extra, 2 + n)
    for level in range(1, nested_depth + 1):
        children = [Link(f"/zt/d{level}/p{j}.html", f"专题{level}-{j}") for j in range(leaves)]
        if level < nested_depth:
            children.append(Link(f"/zt/d{level + 1}/", f"下级专题{level + 1}"))
        add(f"/zt/d{level}/", f"专题第{level}层", children, level)
        for j in range(leaves):
            add(f"/zt/d{level}/p{j}.html", f"专题{level}-{j}", [Link(f"/zt/d{level}/", f"专题第{level}层")], level + 1)
    site = SweepSite(pages=pages, seed=seed, max_depth=max(depth.values()), depth=depth)
    _plant_dead(site, n_dead, rng)
    return site


def _plant_dead(site: SweepSite, n_dead: int, rng: random.Random) -> None:
    """n_dead distinct dead links: one on the homepage, the others alternately on pages deeper than 6 and in deep
    pagination (list pages from the third on and the articles they list); every tenth also on a second page."""
    deep = [p for p in site.pages if site.depth[p] > 6]
    paged = [p for p in site.pages if (m := LATE.match(p)) and int(m.group(1) or m.group(2)) >= 2]
    paged = [p for p in paged if "/art/" not in p or int(LATE.match(p).group(2)) >= 2 * PAGE_SIZE]
    hosts = rng.randrange(1000, 9999)
    for d in range(n_dead):
        kind = DEAD_KINDS[d % len(DEAD_KINDS)]
        anchor = f"相关链接{d + 1}:{TOPICS[d % len(TOPICS)]}"
        href = {"404": f"/gone/{d}.html", "refused": f"/old/{d}.html", "dns": f"old{d}.site{hosts}.invalid"}[kind]
        tag = "img" if d == 3 else "a"  # one dead image: an <img src> is checked like an <a href>
        link = Link(href, "旧版图片" if tag == "img" else anchor, kind, tag)
        pool = (deep if d % 2 else paged) or deep or paged
        on = ["/"] if d == 0 else rng.sample(pool, min(len(pool), 2 if d % 10 == 5 else 1))
        for path in on:
            site.pages[path][1].insert(len(site.pages[path][1]) - 4, link)


class _CountingHandler(_Handler):
    """The simulated web's handler, counting what a client really sends (connections open, requests in progress,
    each request's method and path) and, behind the server's limit (SweepWeb serve_at_most), what is served at
    once."""

    def handle(self) -> None:  # one connection: its requests, one after another (keep-alive)
        web = self.server.web
        assert isinstance(web, SweepWeb)
        with web.lock:
            web.connections += 1
            web.counts.peak_connections = max(web.counts.peak_connections, web.connections)
        try:
            super().handle()
        finally:
            with web.lock:
                web.connections -= 1

    def handle_request(self, head: bool) -> None:
        web = self.server.web
        assert isinstance(web, SweepWeb)
        port = self.server.server_address[1]
        gate = web.gates.get(port)
        with web.lock:
            web.in_flight += 1
            counts = web.counts
            counts.peak_in_flight = max(counts.peak_in_flight, web.in_flight)
            counts.requests[(self.command, port, urlsplit(self.path).path)] += 1
            counts.first = counts.first or time.monotonic()
        try:
            if gate is not None:  # a request past the limit waits, its connection open, as behind a queue
                gate.acquire()
            try:
                with web.lock:
                    web.serving[port] += 1
                    web.counts.peak_served = max(web.counts.peak_served, web.serving[port])
                    started = time.monotonic()
                super().handle_request(head)  # the latency (slow_seconds) is spent holding the slot
            finally:
                with web.lock:
                    web.serving[port] -= 1
                    web.counts.last = time.monotonic()
                    web.counts.served.append((started, web.counts.last))
                if gate is not None:
                    gate.release()
        finally:
            with web.lock:
                web.in_flight -= 1


@dataclass
class Traffic:
    """What the server saw from one client since SweepWeb.reset_traffic(): both ports, the site's and the outside
    site's."""

    requests: Counter[tuple[str, int, str]] = field(default_factory=Counter)  # (method, port, path) → times asked
    peak_connections: int = 0  # connections open at once: what the client opened, whatever it was asked
    peak_in_flight: int = 0  # requests in progress at once, waiting for a slot or served: what it tried to send
    peak_served: int = 0  # requests served at once by one port (the limit's per host): at most serve_at_most
    first: float = 0.0  # time.monotonic() when the first request arrived (0: none yet)
    last: float = 0.0  # … when the last one was answered
    served: list[tuple[float, float]] = field(default_factory=list)  # (start, end) of serving each request

    @property
    def busy(self) -> float:
        """Seconds spent serving, summed over requests (slot-seconds: the latency counts here)."""
        return sum(end - start for start, end in self.served)

    def underfull(self, slots: int) -> list[tuple[float, float, float]]:
        """The stretches between the first request and the last answer when fewer than `slots` requests were
        being served: (start, seconds, idle slot-seconds), in time order. Short ones are a client's turnaround
        between an answer and its next request; long ones, a client with nothing to send or not sending."""
        events = sorted([(start, 1) for start, _ in self.served] + [(end, -1) for _, end in self.served])
        out: list[tuple[float, float, float]] = []
        level, since, idle, opened = 0, 0.0, 0.0, None
        for at, step in events:
            if opened is not None:
                idle += (slots - level) * (at - since) if level < slots else 0.0
            level += step
            since = at
            if level < slots and opened is None and at < self.last:
                opened, idle = at, 0.0
            elif level >= slots and opened is not None:
                if at > opened:  # an answer and the next request at the same instant: no stretch
                    out.append((opened, at - opened, idle))
                opened = None
        if opened is not None:  # the tail: under-full until the last answer
            out.append((opened, self.last - opened, idle))
        return out

    def by_method(self) -> Counter[str]:
        out: Counter[str] = Counter()
        for (method, _, _), n in self.requests.items():
            out[method] += n
        return out

    def repeated(self) -> dict[tuple[str, int, str], int]:
        """The (method, port, path) asked more than once, and how often."""
        return {key: n for key, n in self.requests.items() if n > 1}


class SweepWeb(SimWeb):
    """The simulated web's server serving one generated sweep site on 127.0.0.1:<port> (site URLs name the port),
    an outside site on a second port, and a closed port for refused links."""

    def __init__(self, site: SweepSite, port: int = 0, latency: float = 0.0, serve_at_most: int = 0) -> None:
        """latency: seconds every response waits (a real site answers in tens to hundreds of milliseconds).
        serve_at_most: if > 0, each port (host) serves at most this many requests at once, the others waiting
        their turn, as a site behind a connection limit does; a client's own concurrency setting then no longer
        decides how many it gets served at once."""
        if serve_at_most < 0:
            raise ValueError("serve_at_most must be 0 (no limit) or more")
        self.sweep = site
        self.serve_at_most = serve_at_most
        port = port or _free_port()
        self.web_site = Site(site_code=SITE_CODE, name="模拟县人民政府", host=f"127.0.0.1:{port}", region_code="530000",
                             region_name="模拟县", level="county", kind="portal", sponsor="模拟县人民政府办公室",
                             template="trs", encoding="utf-8", registry_columns=False, columns=[],
                             defects=Defects(slow_seconds=latency))
        super().__init__(Scenario(name=f"sweep-{len(site.pages)}-s{site.seed}", as_of=site.as_of,
                                  sites=[self.web_site]), port=port)
        self.sites["127.0.0.1"] = self.web_site  # the handler routes by the Host header's name, without its port
        self.lock = threading.Lock()
        self.in_flight = self.connections = 0  # now, both ports
        self.serving: dict[int, int] = {}  # port → requests being served now (holding a slot)
        self.gates: dict[int, threading.BoundedSemaphore] = {}  # port → its slots, when serve_at_most
        self.counts = Traffic()

    def __enter__(self) -> SweepWeb:
        super().__enter__()
        self.server.RequestHandlerClass = _CountingHandler  # socketserver reads it per connection
        self.outside = _Server(("127.0.0.1", 0), _CountingHandler)
        self.outside.web = self
        self.outside_port = self.outside.server_address[1]
        # ThreadingHTTPServer serves each connection on a thread of its own: connections past the limit are
        # accepted at once and wait for a slot (not in the listen backlog, 1024), so none is refused or reset
        for port in (self.port, self.outside_port):
            self.serving[port] = 0
            if self.serve_at_most:
                self.gates[port] = threading.BoundedSemaphore(self.serve_at_most)
        thread = threading.Thread(target=self.outside.serve_forever, daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def stop(self) -> None:
        self.outside.shutdown()
        self.outside.server_close()
        super().stop()

    def reset_traffic(self) -> Traffic:
        """What the server saw since the last call (see Traffic), and start again: one client's run."""
        with self.lock:
            counts, self.counts = self.counts, Traffic(peak_connections=self.connections,
                                                         peak_in_flight=self.in_flight)
        return counts

    def reset_peak(self) -> int:
        """The most requests in progress at once since the last call (both ports together), and start again."""
        return self.reset_traffic().peak_in_flight

    # ------------------------------------------------------------------ addresses

    @property
    def homepage(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def address(self, link: Link) -> str:
        """The absolute URL a link points to, as the crawlers canonicalise it."""
        if link.kind == "dns":
            return f"http://{link.href}/"
        port = {OUTSIDE: self.outside_port, "refused": self._closed_port}.get(link.kind, self.port)
        return f"http://127.0.0.1:{port}{link.href}"

    def dead_links(self) -> list[tuple[str, str, str, str]]:
        """(page URL, link URL, anchor, kind) of every dead link occurrence: the ground truth."""
        return [(f"{self.homepage}{path[1:]}", self.address(link), link.anchor, link.kind)
                for path, link in self.sweep.dead]

    def write_registry(self, path: Path) -> Path:
        """A registry file (YAML) listing the site, for MONITOR_TARGETS or `govmon import-targets`."""
        path.write_text(yaml.safe_dump(self.scenario.registry(), allow_unicode=True, sort_keys=False),
                        encoding="utf-8")
        return path

    # ------------------------------------------------------------------ routing

    def route(self, site: Site, path: str, query: dict, host: str, *, cookies: str = "",
              post: bytes | None = None) -> tuple[int, bytes | str, str, dict] | None:
        if path.startswith(("/gov/", "/beian/", "/zhaocuo/")):  # the outside site (any path of it answers)
            return 200, "<html><body>外部网站</body></html>", "text/html; charset=utf-8", HEADERS
        if path.startswith("/images/"):
            return 200, PNG, "image/png", HEADERS
        if path.startswith("/files/"):
            return 200, b"%PDF-1.4 sweep attachment", "application/pdf", HEADERS
        page = self.sweep.pages.get(path)
        if page is None:
            return 404, "<html><head><title>404</title></head><body>页面不存在</body></html>", \
                "text/html; charset=utf-8", HEADERS
        return 200, self.render(*page), "text/html; charset=utf-8", HEADERS

    def render(self, title: str, links: list[Link]) -> str:
        parts = []
        for link in links:
            url = link.href if link.kind == "site" else self.address(link)
            if link.tag == "img":
                parts.append(f'<img src="{url}" alt="{escape(link.anchor)}">')
            else:
                parts.append(f'<li><a href="{url}">{escape(link.anchor)}</a></li>')
        return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)}</title></head><body>'
                f'<h1>{escape(title)}</h1><ul>{"".join(parts)}</ul>'
                f"<p>{escape(title)}。本页面由模拟网站生成，用于全站链接检查。</p></body></html>")
