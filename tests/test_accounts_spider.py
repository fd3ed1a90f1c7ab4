"""The accounts spider over real HTTP, real Chromium and real databases, with the test adapter tests/platform_stub.py.

A threaded http.server plays a platform on `stub.test` (reached through the host map, by Scrapy and Chromium
alike): profiles, article pages, script-built profiles with an image, a slow profile; `refused.test` points at a
closed port. Accounts come from a registry file (MONITOR_TARGETS); the spider's rows are read back from the database.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import select

from monitor import db
from monitor.platforms import base, platform_for
from tests.crawling import crawl
from tests.loopback import LoopbackServer, closed_port

CHROMIUM = Path("/usr/bin/chromium-headless-shell")
AT = datetime(2021, 3, 3, 10, 0)
FAST = {"DOWNLOAD_TIMEOUT": 1, "RETRY_TIMES": 1, "MONITOR_RETRY_BACKOFF": 0.05, "AUTOTHROTTLE_ENABLED": False,
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": 15_000, "MONITOR_ACCOUNT_RENDER_WAIT": 5.0}
browser = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium-headless-shell")


def ts_of(moment: datetime) -> int:
    """Unix seconds of a naive China-time moment."""
    return int((moment - timedelta(hours=8) - datetime(1970, 1, 1)).total_seconds())


NEWEST = AT - timedelta(days=2, hours=3)  # the newest post's time, given only on its article page
OLDER = AT - timedelta(days=9)

SHELL = """<!doctype html><html><head><meta charset="utf-8"><title>shell</title>
<style>@font-face{font-family:X;src:url(/font/%(acct)s.woff)} body{font-family:X}</style></head>
<body><div id="app">加载中</div><img src="/img/%(acct)s.png">
<script>
fetch('/api/%(acct)s').then(r => r.json()).then(d => {
  if (d.wall) { const w = document.createElement('div'); w.className = 'login-wall'; w.textContent = '登录后即可查看';
              document.getElementById('app').replaceChildren(w); return; }
  const items = d.posts.map(p => `<li data-key="${p.key}" data-ts="${p.ts}">${p.title}</li>`).join('');
  document.getElementById('app').innerHTML =
    `<h1>${d.name}</h1><p class="verify">认证：${d.subject}</p><button class="follow-button">关注</button>` +
    `<ul id="posts">${items}</ul>`;
});
</script></body></html>"""


class Platform(LoopbackServer):
    """The test server: what it serves and every path asked of it."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.on_path: Callable[[str], None] | None = None  # called before answering (the browser-kill test)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                outer.paths.append(self.path)
                if outer.on_path is not None:
                    outer.on_path(self.path)
                status, ctype, body = outer.answer(self.path)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:  # the client gave up (timeout test, killed browser)
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]

    def answer(self, path: str) -> tuple[int, str, bytes]:
        html = "text/html; charset=utf-8"
        kind, _, acct = path.strip("/").partition("/")
        if kind == "profile":
            if acct.startswith("slow"):
                time.sleep(3)
            if acct.startswith("gone"):
                return 404, html, b"<h1>not here</h1>"
            posts = (f'<li data-key="{acct}-1" data-ts="">最新动态</li>'
                     f'<li data-key="{acct}-2" data-ts="{ts_of(OLDER)}">较早动态</li>')
            page = (f'<html><body><h1>账号{acct}</h1><p class="verify">认证：{acct}局</p>'
                    f'<a class="follow-button">关注</a><ul>{posts}</ul></body></html>')
            return 200, html, page.encode()
        if kind == "article":
            page = f'<html><script>var ct = "{ts_of(NEWEST)}"; var comment_enabled = "1";</script></html>'
            return 200, html, page.encode()
        if kind == "shell":
            return 200, html, (SHELL % {"acct": acct}).encode()
        if kind == "api":
            if acct.startswith("rwall"):
                return 200, "application/json", b'{"wall": true}'
            posts = [{"key": f"{acct}-v1", "ts": ts_of(NEWEST), "title": "视频一"},
                     {"key": f"{acct}-v2", "ts": ts_of(OLDER), "title": "视频二"}]
            data = {"name": f"抖音{acct}", "subject": f"{acct}局官方账号", "posts": posts}
            return 200, "application/json", json.dumps(data, ensure_ascii=False).encode()
        if kind in ("img", "font"):
            return 200, "image/png" if kind == "img" else "font/woff", b"\x89PNG\r\n\x1a\n" + b"0" * 64
        return 404, html, b"<html>not found</html>"

    def host_map(self) -> str:
        closed = closed_port()
        return f"stub.test=127.0.0.1:{self.port};refused.test=127.0.0.1:{closed}"


@pytest.fixture
def platform(monkeypatch: pytest.MonkeyPatch) -> Iterator[Platform]:
    monkeypatch.setitem(base.ADAPTER_MODULES, "wechat", "tests.platform_stub")
    monkeypatch.setitem(base.ADAPTER_MODULES, "douyin", "tests.platform_stub")
    with Platform() as served:
        yield served


def registry(tmp_path: Path, accounts: list[tuple[str, str]]) -> str:
    path = tmp_path / "accounts.yaml"
    rows = [{"platform": p, "account": a, "name": f"账号{a}", "owner_unit": f"{a}局", "region_code": "532500"}
            for p, a in accounts]
    path.write_text(yaml.safe_dump({"accounts": rows}, allow_unicode=True), encoding="utf-8")
    return str(path)


def stored(url: str, run_id: str) -> tuple[dict[str, dict], dict[str, list[dict]]]:
    engine = db.engine_for(url)
    try:
        with engine.connect() as conn:
            checks = {r.account: dict(r._mapping) for r in conn.execute(
                select(db.account_checks).where(db.account_checks.c.run_id == run_id))}
            posts: dict[str, list[dict]] = {}
            for r in conn.execute(select(db.account_posts).where(db.account_posts.c.run_id == run_id)
                                  .order_by(db.account_posts.c.position)):
                posts.setdefault(r.account, []).append(dict(r._mapping))
    finally:
        engine.dispose()
    return checks, posts


async def run(url: str, platform: Platform, targets: str, run_id: str, **settings: object):
    return await crawl("accounts", FAST | {"MONITOR_DATABASE_URL": url, "MONITOR_TARGETS": targets,
                                           "MONITOR_HOST_MAP": platform.host_map()} | settings,
                       run_id=run_id, as_of="2021-03-03", at=AT.isoformat())


@deferred_f_from_coro_f
async def test_accounts_are_read_with_follow_fetches_and_failures_recorded(db_url: str, platform: Platform,
                                                                            tmp_path: Path) -> None:
    targets = registry(tmp_path, [("微信公众号", "a1"), ("微信公众号", "a2"), ("微信公众号", "slow1"),
                                  ("微信公众号", "refused1"), ("微信公众号", "gone1"), ("微信公众号", "bad1"),
                                  ("快手", "ks1")])
    crawler = await run(db_url, platform, targets, "acc1")
    checks, posts = stored(db_url, "acc1")
    assert set(checks) == {"a1", "a2", "slow1", "refused1", "gone1", "bad1", "ks1"}
    for acct in ("a1", "a2"):
        c = checks[acct]
        assert (c["outcome"], c["status"], c["display_name"], c["verified_subject"]) == \
            ("ok", 200, f"账号{acct}", f"{acct}局")
        assert c["followable"] is True and c["interaction"] == {"comments": True}
        assert c["url"] == f"http://stub.test/profile/{acct}" and c["source"] == "crawl" and not c["rendered"]
        assert AT <= c["fetched_at"] < AT + timedelta(minutes=2)  # the crawl's clock starts at `at`
        assert c["post_count"] == 2
        newest, older = posts[acct]
        # The newest post's time came from the follow fetch (its article page), the older one's from the profile.
        assert (newest["post_key"], newest["published_at"], newest["time_source"], newest["position"]) == \
            (f"{acct}-1", NEWEST, "script", 0)
        assert (older["published_at"], older["position"], older["title"]) == (OLDER, 1, "较早动态")
    assert any(p == "/article/a1-1" for p in platform.paths)
    assert (checks["slow1"]["outcome"], checks["slow1"]["status"]) == ("timeout", None)
    assert checks["refused1"]["outcome"] == "refused" and checks["refused1"]["error"]
    assert (checks["gone1"]["outcome"], checks["gone1"]["status"], checks["gone1"]["error"]) == \
        ("http", 404, "HTTP 404")
    assert checks["bad1"]["outcome"] == "unparsable" and "bad1" in checks["bad1"]["error"]
    assert checks["ks1"]["outcome"] == "unsupported" and checks["ks1"]["platform"] == "快手"
    for acct in ("slow1", "refused1", "gone1", "bad1", "ks1"):
        assert acct not in posts and checks[acct]["display_name"] is None
    assert crawler.stats.get_value("finish_reason") == "finished"
    # The target tracker saw each fetched account finish (its requests carry the account as their target).
    assert set(crawler.tracker.finished) == {f"微信公众号:{a}" for a in ("a1", "a2", "slow1", "refused1", "gone1")}


@deferred_f_from_coro_f
async def test_filters_pick_accounts_and_platforms(sqlite_url: str, platform: Platform, tmp_path: Path) -> None:
    targets = registry(tmp_path, [("微信公众号", "a1"), ("微信公众号", "a2"), ("快手", "ks1")])
    await crawl("accounts", FAST | {"MONITOR_DATABASE_URL": sqlite_url, "MONITOR_TARGETS": targets,
                                    "MONITOR_HOST_MAP": platform.host_map()},
                run_id="f1", at=AT.isoformat(), accounts="微信:a2,快手:ks1")
    assert set(stored(sqlite_url, "f1")[0]) == {"a2", "ks1"}
    await crawl("accounts", FAST | {"MONITOR_DATABASE_URL": sqlite_url, "MONITOR_TARGETS": targets,
                                    "MONITOR_HOST_MAP": platform.host_map()},
                run_id="f2", at=AT.isoformat(), platforms="公众号")
    assert set(stored(sqlite_url, "f2")[0]) == {"a1", "a2"}


@browser
@deferred_f_from_coro_f
async def test_rendered_accounts_block_images_and_close_a_context_per_batch(sqlite_url: str, platform: Platform,
                                                                            tmp_path: Path) -> None:
    accounts = [("抖音", f"r{i}") for i in range(5)] + [("抖音", "rwall1"), ("微信公众号", "a1")]
    crawler = await run(sqlite_url, platform, registry(tmp_path, accounts), "rend", MONITOR_ACCOUNT_BATCH=2,
                        PLAYWRIGHT_MAX_CONTEXTS=2)
    checks, posts = stored(sqlite_url, "rend")
    for i in range(5):
        c = checks[f"r{i}"]
        assert (c["outcome"], c["rendered"], c["display_name"], c["verified_subject"]) == \
            ("ok", True, f"抖音r{i}", f"r{i}局官方账号"), c
        assert [p["published_at"] for p in posts[f"r{i}"]] == [NEWEST, OLDER]
    assert (checks["rwall1"]["outcome"], checks["rwall1"]["rendered"]) == ("login", True)
    assert checks["a1"]["outcome"] == "ok" and not checks["a1"]["rendered"]
    # Script-built pages were rendered (their API was called by Chromium), images and fonts never requested.
    assert sum(p.startswith("/api/") for p in platform.paths) == 6
    assert not [p for p in platform.paths if p.startswith(("/img/", "/font/"))]
    stats = crawler.stats.get_stats()
    assert stats["playwright/request_count/aborted"] >= 6
    # 7 accounts in batches of 2 → 4 batches, each with rendered accounts: 4 contexts opened, all closed again,
    # never more at once than PLAYWRIGHT_MAX_CONTEXTS.
    assert stats["playwright/context_count"] == 4
    assert stats["accounts/contexts_closed"] == 4
    assert stats["accounts/contexts_open_at_end"] == 0
    assert stats["playwright/context_count/max_concurrent"] <= 2


def chromium_processes() -> list[int]:
    """Chromium browser processes (not their renderers) descending from this test process."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    ours, mine = set(), {os.getpid()}
    while mine:
        ours |= mine
        mine = {pid for pid, parent in parents.items() if parent in mine and pid not in ours}
    found = []
    for pid in ours:
        try:
            cmd = (Path("/proc") / str(pid) / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if cmd and b"chrom" in cmd[0] and not any(a.startswith(b"--type=") for a in cmd):
            found.append(pid)
    return found


@browser
@deferred_f_from_coro_f
async def test_a_killed_browser_is_relaunched_for_the_next_batches(sqlite_url: str, platform: Platform,
                                                                   tmp_path: Path) -> None:
    killed: list[int] = []

    def kill_browser(path: str) -> None:
        if path.startswith("/api/r2") and not killed:  # while Chromium renders r2
            killed.extend(chromium_processes())
            for pid in killed:
                os.kill(pid, signal.SIGKILL)

    platform.on_path = kill_browser
    accounts = [("抖音", f"r{i}") for i in range(6)]
    crawler = await run(sqlite_url, platform, registry(tmp_path, accounts), "kill", MONITOR_ACCOUNT_BATCH=1,
                        PLAYWRIGHT_MAX_CONTEXTS=1)
    checks, _ = stored(sqlite_url, "kill")
    assert killed, "no Chromium process was found to kill"
    assert set(checks) == {f"r{i}" for i in range(6)}
    for acct in ("r0", "r1", "r3", "r4", "r5"):  # before the kill, and every batch after it
        assert (checks[acct]["outcome"], checks[acct]["rendered"]) == ("ok", True), checks[acct]
    # r2 was being rendered when Chromium died: recorded (read on a retry in a new browser, or as its failure).
    assert checks["r2"]["outcome"] in ("ok", "error", "connection")
    assert crawler.stats.get_value("playwright/browser_count") >= 2
    assert crawler.stats.get_value("accounts/contexts_open_at_end") == 0
    assert crawler.stats.get_value("finish_reason") == "finished"


@browser
@deferred_f_from_coro_f
async def test_real_adapters_read_the_simulated_platforms(sqlite_url: str, tmp_path: Path) -> None:
    """With the real adapters and the simulated platforms (when both are there): every healthy account is read."""
    sim = pytest.importorskip("monitor.simweb.platforms")
    from monitor.simweb.scenario import Scenario, parse_account
    from monitor.simweb.server import SimWeb

    rows = sim.synthetic_accounts(8, seed=3)
    scenario = Scenario(name="accounts", as_of=AT.date(), sites=[],
                        accounts=[parse_account(r, "synthetic") for r in rows])
    path = tmp_path / "accounts.yaml"
    path.write_text(yaml.safe_dump({"accounts": rows}, allow_unicode=True), encoding="utf-8")
    with SimWeb(scenario) as web:
        await crawl("accounts", FAST | {
            "MONITOR_DATABASE_URL": sqlite_url, "MONITOR_TARGETS": str(path), "MONITOR_HOST_MAP": web.host_map,
            "PLAYWRIGHT_LAUNCH_OPTIONS": {"args": [f"--ignore-certificate-errors-spki-list={web.tls_spki}"]}},
            run_id="sim", at=scenario.clock.isoformat())
    checks, posts = stored(sqlite_url, "sim")
    assert {(c["platform"], a) for a, c in checks.items()} == {(r["platform"], r["account"]) for r in rows}
    for account, c in checks.items():
        assert c["outcome"] == "ok" and c["display_name"] and posts.get(account), c
        assert c["rendered"] == (c["platform"] == platform_for("抖音").label)
