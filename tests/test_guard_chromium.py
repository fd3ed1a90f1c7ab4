"""Chromium under the address policy, as a crawl launches it (the add-on's --host-resolver-rules), over real HTTP.

A rendered page of a host-mapped "public" site loads subresources, XHRs, a frame and its own navigation through
redirects of that site into 127.0.0.1, [::1], localhost and 169.254.169.254. Playwright's route hook (the handler's
abort check) sees only a redirect chain's first URL, on the mapped site; the resolver rules the add-on gives
Chromium must refuse the middle hops, while mapped hosts and MONITOR_ALLOWED_NETWORKS still pass.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from scrapy.http import Request
from scrapy.utils.defer import deferred_f_from_coro_f

from tests.crawling import crawl
from tests.test_guard import BARE, FAST, SITE, SITE2, FetchSpider, internal_bed, page

CHROMIUM = Path("/usr/bin/chromium-headless-shell")
browser = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium-headless-shell")
NOT_RESOLVED = "net::ERR_NAME_NOT_RESOLVED"


class RenderSpider(FetchSpider):
    """Renders the given URLs until the network is idle and notes every request of the page that failed."""

    name = "guard_render"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(render="1", **kwargs)
        self.request_failures: dict[str, str] = {}

    async def start(self):
        for url in self.urls:
            yield Request(url, callback=self.parsed, errback=self.failed, dont_filter=True, meta={
                "playwright": True, "playwright_page_goto_kwargs": {"wait_until": "networkidle"},
                "playwright_page_event_handlers": {"requestfailed": self.request_failed}})

    async def request_failed(self, request: Any) -> None:
        self.request_failures[request.url] = request.failure or ""


async def render(bed: Any, **settings: Any) -> tuple[RenderSpider, list[str]]:
    go = f"http://{SITE}/go"
    script = "".join(f'fetch("{go}/{name}").catch(() => 0);' for name in ("hex", "metadata", "decimal"))
    bed.site.routes["/rendered.html"] = (200, {}, page("渲染页面", [], extra=(
        f'<img src="{go}/loopback"><script src="{go}/localhost"></script><iframe src="{go}/ipv6"></iframe>'
        f'<img src="http://{SITE}/to-site2"><script>{script}</script>')))
    bed.site.routes["/to-site2"] = (302, {"Location": f"http://{SITE2}/ok.png"}, "")
    bed.site.routes["/ok.png"] = (200, {"Content-Type": "image/png"}, "")
    start = [f"http://{SITE}/rendered.html", f"{go}/loopback"]  # the second: the page itself is redirected inside
    crawler = await crawl(RenderSpider, FAST | BARE | {"MONITOR_HOST_MAP": bed.host_map} | settings,
                          urls=" ".join(start))
    return crawler.spider, start  # type: ignore[return-value]


def refusal(spider: RenderSpider, hop: str, name: str) -> str | None:
    """How the request redirected to `hop` failed. Chromium reports it under the hop (in its own spelling:
    0x7f000001 is 127.0.0.1, so found by path) or, for some fetches, under the redirecting URL /go/<name>."""
    paths = {urlsplit(hop).path, f"/go/{name}"}
    return next((why for url, why in spider.request_failures.items() if urlsplit(url).path in paths), None)


@browser
@deferred_f_from_coro_f
async def test_redirects_of_a_rendered_page_into_internal_addresses_are_not_fetched() -> None:
    with internal_bed() as bed:
        spider, start = await render(bed)
        urls = bed.internal_urls()
        assert spider.results[start[0]][0] == "ok" and "渲染页面" in spider.results[start[0]][1]
        assert spider.results[start[1]][0] != "ok"  # the navigation's redirect target never resolved
        assert bed.v4.hits == [] and bed.v6.hits == []  # no image, script, frame, XHR or navigation got in
        for name in ("loopback", "localhost", "ipv6", "hex", "decimal", "metadata"):
            assert refusal(spider, urls[name], name) == NOT_RESOLVED, (name, spider.request_failures)
        # Redirects to a host-mapped site still load, through the same rules.
        assert f"GET {SITE2} /ok.png" in bed.site.hits
        assert {h.split()[2] for h in bed.site.hits} >= {"/go/loopback", "/go/hex", "/go/metadata", "/to-site2"}


@browser
@deferred_f_from_coro_f
async def test_the_allow_list_still_reaches_chromium() -> None:
    with internal_bed() as bed:
        spider, start = await render(bed, MONITOR_ALLOWED_NETWORKS="127.0.0.1/32")
        assert {"/db", "/hex", "/dec", "/admin"} <= {h.split()[2] for h in bed.v4.hits}  # allowed: reached
        assert bed.v6.hits == []  # [::1] is not in the allow-list
        assert refusal(spider, bed.internal_urls()["metadata"], "metadata") == NOT_RESOLVED
