"""The address policy (monitor/guard.py) and its enforcement in the download handler, over real HTTP on loopback.

A host-mapped "public" site links to and redirects into servers on 127.0.0.1, [::1] and localhost (spelt as
browsers accept them); those servers count every request they get. The crawl must not reach them, must record the
refused pages and links as `forbidden` without any body or text, must still reach host-mapped sites, and must let
through what MONITOR_ALLOWED_NETWORKS names.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import scrapy
import yaml
from scrapy.http import Request, Response
from scrapy.settings import Settings
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import select
from twisted.python.failure import Failure

from monitor import db
from monitor.guard import (
    FORBIDDEN_REASON,
    AddressPolicy,
    ForbiddenAddressError,
    is_public,
    parse_allowed,
    parse_ip,
)
from monitor.migrate import upgrade
from monitor.outcome import classify_exception, classify_failure
from monitor.registry import import_files
from tests.crawling import crawl

FAST = {"DOWNLOAD_TIMEOUT": 3, "RETRY_TIMES": 0, "MONITOR_RETRY_BACKOFF": 0.05, "AUTOTHROTTLE_ENABLED": False}
SECRET = "ami-id i-0123456789 SECRET-INTERNAL-TEXT"
SITE = "www.guard-test.gov.cn"
SITE2 = "www2.guard-test.gov.cn"
UNRESOLVABLE = "http://no-such-host.invalid/"


# ------------------------------------------------------------------ the policy


@pytest.mark.parametrize(("host", "address"), [
    ("127.0.0.1", "127.0.0.1"), ("0x7f000001", "127.0.0.1"), ("2130706433", "127.0.0.1"),
    ("0177.0.0.1", "127.0.0.1"), ("127.1", "127.0.0.1"), ("0x7f.0.0.1", "127.0.0.1"), ("0", "0.0.0.0"), ("0x", "0.0.0.0"),
    ("[::1]", "::1"), ("[fe80::1%25eth0]", "fe80::1"), ("169.254.169.254.", "169.254.169.254"),
])
def test_ip_spellings_are_read_as_browsers_read_them(host: str, address: str) -> None:
    assert parse_ip(host) == ipaddress.ip_address(address)


@pytest.mark.parametrize("host", ["www.gov.cn", "08.1.2.3", "1.2.3.4.5", "256.1.1.1", "localhost", "1.2.3.x"])
def test_names_are_not_addresses(host: str) -> None:
    assert parse_ip(host) is None


@pytest.mark.parametrize("address", [
    "127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1",
    "100.127.255.255", "0.0.0.0", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255", "192.0.2.1",
    "198.18.0.1", "::", "::1", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "::ffff:127.0.0.1",
    "::ffff:169.254.169.254", "::127.0.0.1", "2002:7f00:0001::1", "2002:a9fe:a9fe::1", "64:ff9b::a9fe:a9fe",
    "64:ff9b:1::1", "2001::1", "2001:db8::1",
])
def test_internal_and_reserved_addresses_are_not_public(address: str) -> None:
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["8.8.8.8", "202.96.128.86", "100.128.0.1", "172.32.0.1", "2400:3200::1",
                                     "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"])
def test_public_addresses_are_public(address: str) -> None:
    assert is_public(ipaddress.ip_address(address))


def test_allow_list_and_host_map_let_named_destinations_through() -> None:
    networks, patterns = parse_allowed("10.20.0.0/16; 192.168.1.5;\n*.gov.intra ; fd00::/8")
    assert [str(n) for n in networks] == ["10.20.0.0/16", "192.168.1.5/32", "fd00::/8"]
    assert patterns == ["*.gov.intra"]
    with pytest.raises(ValueError, match="MONITOR_ALLOWED_NETWORKS"):
        parse_allowed("10.0.0.0/33")
    settings = Settings({"MONITOR_ALLOWED_NETWORKS": "10.20.0.0/16;*.gov.intra",
                         "MONITOR_HOST_MAP": f"{SITE}=127.0.0.1:8080|[::1]:8080"})
    policy = AddressPolicy.from_settings(settings)
    ip = ipaddress.ip_address
    assert policy.permits("oa.example.cn", ip("10.20.3.4"))
    assert policy.permits("oa.example.cn", ip("::ffff:10.20.3.4"))
    assert not policy.permits("oa.example.cn", ip("10.21.3.4"))
    assert policy.permits("www.gov.intra", ip("192.168.9.9"))
    assert policy.permits(SITE, ip("127.0.0.1")) and policy.permits(SITE, ip("::1"))
    assert not policy.permits(SITE, ip("127.0.0.2"))  # the map names its addresses, not the whole network
    assert not policy.permits("127.0.0.1", ip("127.0.0.1"))  # a literal is not a mapped host
    assert policy.permits("www.gov.cn", ip("202.96.128.86"))
    with pytest.raises(ForbiddenAddressError) as caught:
        policy.check("http://x/", "x.example.cn", [ip("202.96.128.86"), ip("10.0.0.1")])  # every address counts
    assert classify_exception(caught.value) == "forbidden"
    assert FORBIDDEN_REASON in str(caught.value) and "10.0.0.1" in str(caught.value)


# ------------------------------------------------------------------ servers


@dataclass
class Server:
    """A real HTTP server in a thread; routes map a path to (status, headers, body), every request is counted."""

    bind: str
    routes: dict[str, tuple[int, dict[str, str], str]] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)
    port: int = 0

    @contextmanager
    def running(self) -> Iterator[Server]:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def answer(self, body: bool) -> None:
                outer.hits.append(f"{self.command} {self.headers.get('Host')} {self.path}")
                status, headers, text = outer.routes.get(self.path.split("?")[0], (200, {}, SECRET))
                data = text.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", headers.get("Content-Type", "text/html; charset=utf-8"))
                for name, value in headers.items():
                    if name != "Content-Type":
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if body:
                    self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802
                self.answer(True)

            def do_HEAD(self) -> None:  # noqa: N802
                self.answer(False)

            def log_message(self, *args: Any) -> None:
                pass

        class Threading(ThreadingHTTPServer):
            address_family = socket.AF_INET6 if ":" in self.bind else socket.AF_INET
            daemon_threads = True

        httpd = Threading((self.bind, 0), Handler)
        self.port = httpd.server_address[1]
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            httpd.shutdown()
            httpd.server_close()


@dataclass
class Bed:
    site: Server
    v4: Server
    v6: Server

    def internal_urls(self) -> dict[str, str]:
        p4, p6 = self.v4.port, self.v6.port
        return {
            "loopback": f"http://127.0.0.1:{p4}/db", "metadata": "http://169.254.169.254/latest/meta-data/",
            "ipv6": f"http://[::1]:{p6}/v6", "localhost": f"http://localhost:{p4}/admin",
            "hex": f"http://0x7f000001:{p4}/hex", "decimal": f"http://2130706433:{p4}/dec",
        }

    @property
    def host_map(self) -> str:
        return f"{SITE}=127.0.0.1:{self.site.port};{SITE2}=127.0.0.1:{self.site.port}"


def page(title: str, links: list[str], extra: str = "") -> str:
    anchors = "".join(f'<li><a href="{u}">链接{i}</a></li>' for i, u in enumerate(links))
    return (f"<html><head><title>{title}</title></head><body><h1>{title}</h1><ul>{anchors}</ul>{extra}"
            "<div class='footer'>网站标识码5325000001 滇ICP备05000001号 滇公网安备53250002000001号</div></body></html>")


@contextmanager
def internal_bed() -> Iterator[Bed]:
    with Server("127.0.0.1").running() as v4, Server("::1").running() as v6, Server("127.0.0.1").running() as site:
        bed = Bed(site, v4, v6)
        urls = bed.internal_urls()
        redirects = {f"/go/{name}": (302, {"Location": url}, "") for name, url in urls.items()}
        site.routes.update(redirects)
        # Homepage of site 1: ordinary public-looking page whose links lead inside, directly and by redirects.
        site.routes["/"] = (200, {}, page("公开测试网站", [*urls.values(), *(f"http://{SITE}{p}" for p in redirects),
                                                        f"http://{SITE}/ok.html", UNRESOLVABLE]))
        site.routes["/ok.html"] = (200, {}, page("正常页面", []))
        # Homepage of site 2 answers with a redirect into the internal server.
        site.routes["/home2"] = (302, {"Location": urls["loopback"]}, "")
        v4.routes["/db"] = (200, {}, f"<html><head><title>内部</title></head><body>{SECRET}</body></html>")
        yield bed


def registry(tmp_path: Path, site_port: int) -> Path:
    path = tmp_path / "targets.yaml"
    base = {"region_code": "532500", "region_name": "红河州", "level": "州级", "kind": "门户"}
    path.write_text(yaml.safe_dump({"websites": [
        {"site_code": "5325000001", "name": "公开测试网站", "homepage": f"http://{SITE}/", **base},
        {"site_code": "5325000002", "name": "跳转测试网站", "homepage": f"http://{SITE2}/home2", **base},
    ]}, allow_unicode=True), encoding="utf-8")
    return path


def rows(engine, table, **where) -> list[dict]:
    query = select(table)
    for name, value in where.items():
        query = query.where(table.c[name] == value)
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


async def crawl_bed(bed: Bed, url: str, tmp_path: Path, run_id: str, **settings: Any):
    engine = db.engine_for(url)
    upgrade(engine)
    import_files(engine, [registry(tmp_path, bed.site.port)])
    await crawl("website", FAST | {"MONITOR_DATABASE_URL": url, "MONITOR_HOST_MAP": bed.host_map,
                                   "MONITOR_RENDER_SCRIPT_FOOTERS": False, "MONITOR_RENDER_SCRIPT_LISTS": False}
                | settings, run_id=run_id, as_of="2021-03-03")
    return engine


# ------------------------------------------------------------------ the crawl


@deferred_f_from_coro_f
async def test_links_and_redirects_into_internal_addresses_are_refused(db_url: str, tmp_path: Path) -> None:
    with internal_bed() as bed:
        engine = await crawl_bed(bed, db_url, tmp_path, "guard")
        urls = bed.internal_urls()
        assert bed.v4.hits == [] and bed.v6.hits == []  # nothing reached the internal servers
        checks = {r["url"]: r for r in rows(engine, db.link_checks, run_id="guard")}
        for name, url in urls.items():
            for asked in (url, f"http://{SITE}/go/{name}"):
                check = checks[asked]
                assert check["outcome"] == "forbidden", (asked, check)
                assert FORBIDDEN_REASON in check["error"] and check["status"] is None, asked
        # The redirects themselves were fetched from the (host-mapped) public site, every hop through the guard.
        assert {h.split()[2] for h in bed.site.hits} >= {f"/go/{n}" for n in urls} | {"/", "/ok.html", "/home2"}
        assert checks[f"http://{SITE}/ok.html"]["outcome"] == "ok"  # the host map still works
        assert checks[UNRESOLVABLE]["outcome"] == "dns"  # a name that does not resolve is still a DNS failure
        pages = {(r["site_code"], r["role"]): r for r in rows(engine, db.pages, run_id="guard")}
        home = pages["5325000001", "home"]
        assert home["outcome"] == "ok" and home["title"] == "公开测试网站" and "公开测试网站" in home["text_sample"]
        # Site 2's homepage redirects into the internal server: stored, refused, with nothing of the internal page.
        home2 = pages["5325000002", "home"]
        assert home2["url"] == f"http://{SITE2}/home2"
        assert home2["outcome"] == "forbidden" and FORBIDDEN_REASON in home2["error"]
        assert home2["status"] is None and home2["title"] is None and home2["text_sample"] is None
        with engine.connect() as conn:
            stored = " ".join(str(v) for table in (db.pages, db.links, db.link_checks, db.list_entries)
                              for r in conn.execute(select(table)) for v in r)
        assert "SECRET-INTERNAL-TEXT" not in stored


@deferred_f_from_coro_f
async def test_the_allow_list_lets_a_named_network_and_host_through(sqlite_url: str, tmp_path: Path) -> None:
    with internal_bed() as bed:
        engine = await crawl_bed(bed, sqlite_url, tmp_path, "allowed",
                                 MONITOR_ALLOWED_NETWORKS=f"127.0.0.1/32;{SITE}.example")
        urls = bed.internal_urls()
        checks = {r["url"]: r for r in rows(engine, db.link_checks, run_id="allowed")}
        # 127.0.0.1 in any spelling, and localhost (resolving to it), are let through; [::1] and 169.254 are not.
        for name in ("loopback", "localhost", "hex", "decimal"):
            assert checks[urls[name]]["outcome"] == "ok", name
            assert checks[f"http://{SITE}/go/{name}"]["outcome"] == "ok", name
        for name in ("ipv6", "metadata"):
            assert checks[urls[name]]["outcome"] == "forbidden", name
        assert bed.v6.hits == []
        paths = {h.split()[2] for h in bed.v4.hits}
        assert {"/db", "/admin", "/hex", "/dec"} <= paths
        home2 = [r for r in rows(engine, db.pages, run_id="allowed") if r["site_code"] == "5325000002"][0]
        assert home2["outcome"] == "ok" and SECRET in home2["text_sample"]  # allowed: read like any page


@deferred_f_from_coro_f
async def test_a_host_pattern_in_the_allow_list_lets_that_host_through(sqlite_url: str, tmp_path: Path) -> None:
    with internal_bed() as bed:
        engine = await crawl_bed(bed, sqlite_url, tmp_path, "pattern", MONITOR_ALLOWED_NETWORKS="localhost")
        urls = bed.internal_urls()
        checks = {r["url"]: r for r in rows(engine, db.link_checks, run_id="pattern")}
        assert checks[urls["localhost"]]["outcome"] == "ok"
        assert checks[urls["loopback"]]["outcome"] == "forbidden"  # the same address by another name: refused
        assert {h.split()[2] for h in bed.v4.hits} == {"/admin"}


@deferred_f_from_coro_f
async def test_probe_visit_into_an_internal_address_is_forbidden(sqlite_url: str, tmp_path: Path) -> None:
    with internal_bed() as bed:
        engine = db.engine_for(sqlite_url)
        upgrade(engine)
        import_files(engine, [registry(tmp_path, bed.site.port)])
        await crawl("probe", {"MONITOR_DATABASE_URL": sqlite_url, "MONITOR_HOST_MAP": bed.host_map,
                              "MONITOR_PROBE_TIMEOUT": 3}, round_id="guard")
        probes = {r["site_code"]: r for r in rows(engine, db.probes)}
        assert probes["5325000001"]["outcome"] == "ok"
        assert probes["5325000002"]["outcome"] == "forbidden" and FORBIDDEN_REASON in probes["5325000002"]["error"]
        assert bed.v4.hits == []


# ------------------------------------------------------------------ TLS and Chromium

# A bare crawl of FetchSpider: no storage, no per-site bookkeeping.
BARE = {"ITEM_PIPELINES": {}, "EXTENSIONS": {}, "SPIDER_MIDDLEWARES": {}, "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": 10_000}


def self_signed(tmp_path: Path) -> tuple[Path, Path]:
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "guard test")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=1)).sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@deferred_f_from_coro_f
async def test_pinned_https_connections_keep_the_real_name_for_sni(tmp_path: Path) -> None:
    """The handler connects to the checked address, yet TLS still names the host (SNI), as curl --resolve does;
    two names on one address never share a pooled TLS connection."""
    import ssl

    cert, key = self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    names: list[str | None] = []
    context.sni_callback = lambda sock, name, ctx: names.append(name)  # type: ignore[assignment]
    server = ThreadingHTTPServer(("127.0.0.1", 0), _TLSHandler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        urls = [f"https://{SITE}/a", f"https://{SITE2}/b", f"https://localhost:{port}/c"]
        crawler = await crawl(FetchSpider, FAST | BARE | {
            "MONITOR_HOST_MAP": f"{SITE}=127.0.0.1:{port};{SITE2}=127.0.0.1:{port}",
            "MONITOR_ALLOWED_NETWORKS": "localhost"}, urls=" ".join(urls))
    finally:
        server.shutdown()
        server.server_close()
    results = crawler.spider.results  # type: ignore[union-attr]
    assert all(results[u][0] == "ok" for u in urls), results
    assert sorted(set(names)) == sorted({SITE, SITE2, "localhost"})
    assert "Host: " + SITE + " /a" in results[urls[0]][1] and "Host: localhost" in results[urls[2]][1]


class _TLSHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        data = f"<html><body>Host: {self.headers.get('Host')} {self.path}</body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass



class FetchSpider(scrapy.Spider):
    """Fetches the given URLs (rendered in Chromium when render is "1") and notes what came back."""

    name = "guard_fetch"

    def __init__(self, urls: str = "", render: str = "0", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = urls.split()
        self.render = render == "1"
        self.results: dict[str, tuple[str, str]] = {}

    async def start(self):
        for url in self.urls:
            yield Request(url, meta={"playwright": self.render}, callback=self.parsed, errback=self.failed,
                          dont_filter=True)

    def parsed(self, response: Response) -> None:
        self.results[response.request.url] = ("ok", response.text)

    def failed(self, failure: Failure) -> None:
        self.results[failure.request.url] = (classify_failure(failure), str(failure.value))


@deferred_f_from_coro_f
async def test_rendered_pages_do_not_reach_internal_addresses(tmp_path: Path) -> None:
    if not Path("/usr/bin/chromium-headless-shell").exists():
        pytest.skip("chromium-headless-shell is not installed")
    with internal_bed() as bed:
        urls = bed.internal_urls()
        site_base = f"http://{SITE}"
        script = "".join(f'fetch("{u}").catch(() => 0);' for u in (urls["hex"], urls["decimal"]))
        bed.site.routes["/rendered.html"] = (200, {}, page("渲染页面", [], extra=(
            f'<img src="{urls["loopback"]}"><script src="{urls["localhost"]}"></script>'
            f'<iframe src="{urls["ipv6"]}"></iframe><img src="{site_base}/ok.png"><script>{script}</script>')))
        bed.site.routes["/ok.png"] = (200, {"Content-Type": "image/png"}, "")
        start = [f"{site_base}/rendered.html", urls["loopback"], f"http://localhost:{bed.v4.port}/admin"]
        crawler = await crawl(FetchSpider, FAST | BARE | {"MONITOR_HOST_MAP": bed.host_map},
                              urls=" ".join(start), render="1")
        results = crawler.spider.results  # type: ignore[union-attr]
        assert results[start[0]][0] == "ok" and "渲染页面" in results[start[0]][1]
        assert results[start[1]][0] == "forbidden" and results[start[2]][0] == "forbidden"
        assert bed.v4.hits == [] and bed.v6.hits == []  # no subresource, frame or fetch got through
        assert "GET " + SITE + " /ok.png" in bed.site.hits  # public subresources still load
        assert crawler.stats.get_value("govmon/forbidden/rendered", 0) >= 4


def chromium_visits(rules: str, urls: list[str]) -> dict[str, str]:
    """Navigate Chromium, launched with these --host-resolver-rules, to each URL; "ok" or the error line."""
    from playwright.sync_api import sync_playwright

    seen: dict[str, str] = {}

    def run() -> None:  # in a thread of its own: the sync API refuses a thread with a running event loop
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium-headless-shell",
                                        args=[f"--host-resolver-rules={rules}"])
            for url in urls:
                page = browser.new_page()  # one page per URL: an error page must not interrupt the next visit
                try:
                    page.goto(url, timeout=10_000)
                    seen[url] = "ok"
                except Exception as exc:  # noqa: BLE001 - the error is what is asserted
                    seen[url] = str(exc).splitlines()[0]
                page.close()
            browser.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(120)
    return seen


@pytest.mark.parametrize("allowed", ["", "127.0.0.1/32"])
def test_chromium_rules_refuse_internal_literals_in_redirect_chains(allowed: str) -> None:
    """Playwright's route hook never sees a redirect chain's middle hops; the resolver rules do."""
    if not Path("/usr/bin/chromium-headless-shell").exists():
        pytest.skip("chromium-headless-shell is not installed")
    from monitor.guard import chromium_block_rules
    from monitor.hostmap import chromium_rules, parse_host_map

    with internal_bed() as bed:
        policy = AddressPolicy.from_settings(Settings({"MONITOR_HOST_MAP": bed.host_map,
                                                       "MONITOR_ALLOWED_NETWORKS": allowed}))
        rules = f"{chromium_rules(parse_host_map(bed.host_map))}, {chromium_block_rules(policy)}"
        names = ["loopback", "ipv6", "localhost", "hex", "decimal"]
        urls = [f"http://{SITE}/go/{n}" for n in names] + [f"http://{SITE}/ok.html"]
        seen = chromium_visits(rules, urls)
        assert seen[urls[-1]] == "ok"  # the mapped host still resolves to its mapped address
        assert {h.split()[2] for h in bed.site.hits} >= {f"/go/{n}" for n in names}
        if not allowed:
            assert all("ERR_NAME_NOT_RESOLVED" in seen[u] for u in urls[:-1]), seen
            assert bed.v4.hits == [] and bed.v6.hits == []
        else:  # 127.0.0.1 allowed: its spellings and localhost reach it; [::1] stays refused
            assert {h.split()[2] for h in bed.v4.hits} == {"/db", "/admin", "/hex", "/dec"}
            assert bed.v6.hits == [] and "ERR_NAME_NOT_RESOLVED" in seen[urls[1]]
