"""The simulated government web served over real HTTP on 127.0.0.1, routed by the Host header.

    with SimWeb(load_scenario("honghe_2021q1")) as web:
        web.host_map   # "www.hh.gov.cn=127.0.0.1:PORT;…" for MONITOR_HOST_MAP
        web.url("5325000001", "/gzdt/")

Besides the scenario's sites it serves the few outside hosts their pages link to (ICP and police registries, the
conac and 找错 platforms, the planted ad and gambling hosts), so that only the scenario's intended defects show up
as broken links. Unreachable hosts are mapped to a closed port, TLS-broken hosts to a port that answers in plain
text. Bad responses live under /robust/ (see ROBUSTNESS_PATHS).

Letters channels and 办事指南 lists (channels.py) are served on the sites' own hosts under /hdjl/, /jact/ and /bsfw/,
the 政务服务网 item pages their guides link to on the provinces' 政务服务网 hosts (zwfw.yn.gov.cn …: https, with the
same certificate, which names only the platform hosts; link checks do not verify certificates).

The new-media platforms (platforms.py) are served under their real host names on the same port. The port speaks
both plain HTTP and TLS (it looks at the first byte a client sends), with a self-signed certificate made at start for
the platform hosts, because the platforms' addresses are https URLs; `tls_spki` is that certificate's key hash for
Chromium's --ignore-certificate-errors-spki-list.
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import ipaddress
import json
import re
import socket
import ssl
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from monitor.simweb import channels, platforms, templates
from monitor.simweb.scenario import Column, Scenario, Site

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
ARTICLE = re.compile(r"^/([\w-]+)/\d{6}/t\d{8}_(\d+)\.html$")
LIST = re.compile(r"^/([\w-]+)/(?:index(?:_(\d+))?\.html)?$")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:  # noqa: N802 - http.server naming
        self.handle_request(head=True)

    def do_GET(self) -> None:  # noqa: N802
        self.handle_request(head=False)

    def do_POST(self) -> None:  # noqa: N802 - search APIs (TRS 海云) take their parameters as a JSON body
        length = int(self.headers.get("Content-Length") or 0)
        self.post_body = self.rfile.read(length) if length else b""
        self.handle_request(head=False)

    def send(self, status: int, body: bytes | str, ctype: str = "text/html; charset=utf-8",
             headers: dict[str, str] | None = None, head: bool = False) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def handle_request(self, head: bool) -> None:
        web = self.server.web
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        parts = urlsplit(self.path)
        web.hits[host] = web.hits.get(host, 0) + 1
        site = web.sites.get(host)
        if site is None and host in channels.ZWFW_HOSTS:  # the 政务服务网 item pages guides link to
            self.send(*web.channels.route_zwfw(host, parts.path, parse_qs(parts.query)), head=head)
            return
        if site is None and host in platforms.HOSTS:
            result = web.platforms.route(host, parts.path, parse_qs(parts.query))
            if result is None:
                self.send(404, "<html><body>404 Not Found</body></html>", head=head)
            else:
                self.send(*result, head=head)
            return
        if site is None:
            if host in templates.EXTERNAL_HOSTS:
                self.send(200, f"<html><body>{host}</body></html>", head=head)
            else:
                self.send(404, "<html><body>404 Not Found</body></html>", head=head)
            return
        if site.defects.slow_seconds:
            time.sleep(site.defects.slow_seconds)
        result = web.route(site, parts.path, parse_qs(parts.query), host, cookies=self.headers.get("Cookie") or "",
                           post=getattr(self, "post_body", None) if self.command == "POST" else None)
        if result is None:
            self.send(404, "<html><head><title>404</title></head><body>页面不存在</body></html>", head=head)
            return
        status, body, ctype, headers = result
        if status == -1:  # hang past the crawler's timeout, then give up without an answer
            time.sleep(web.hang_seconds)
            self.close_connection = True
            return
        self.send(status, body, ctype, headers, head)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    # One Python server stands in for many sites: socketserver's listen backlog of 5 would drop the SYNs of
    # simultaneous visits and add 1 s retransmissions that no real site of its own would cause.
    request_queue_size = 1024
    web: SimWeb
    tls: ssl.SSLContext | None = None

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that give up (timeouts, size limits) reset connections: expected, not worth a traceback

    def finish_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        """Plain HTTP or TLS on the same port: a TLS ClientHello starts with the byte 0x16."""
        # One response is written as headers then body: without NODELAY, Nagle's algorithm and the client's delayed
        # ACK hold the body back ~40 ms, which no real site of its own shows (TLS makes it visible on every request).
        request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.tls is not None:
            try:
                request.settimeout(30)
                first = request.recv(1, socket.MSG_PEEK)
                request.settimeout(None)
                if first == b"\x16":
                    request = self.tls.wrap_socket(request, server_side=True)
            except (OSError, ssl.SSLError):
                return
        self.RequestHandlerClass(request, client_address, self)


_CERT: tuple[bytes, bytes, str] | None = None


def _certificate() -> tuple[bytes, bytes, str]:
    """A self-signed certificate for the platform hosts (PEM cert, PEM key, base64 SHA-256 of its public key)."""
    global _CERT
    if _CERT is None:
        # cryptography comes with Scrapy (pyOpenSSL); the certificate is made here, nothing is downloaded.
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "govmon simulated platforms")])
        now = datetime.now(UTC)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
                .not_valid_after(now + timedelta(days=3650))
                # 127.0.0.1 too: clients that reach the hosts through the host map check the address they dialled
                .add_extension(x509.SubjectAlternativeName([x509.DNSName(h) for h in platforms.HOSTS]
                                                           + [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                               critical=False)
                .sign(key, hashes.SHA256()))
        spki = cert.public_key().public_bytes(serialization.Encoding.DER,
                                              serialization.PublicFormat.SubjectPublicKeyInfo)
        _CERT = (cert.public_bytes(serialization.Encoding.PEM),
                 key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                   serialization.NoEncryption()),
                 base64.b64encode(hashlib.sha256(spki).digest()).decode())
    return _CERT


def _tls_context() -> ssl.SSLContext:
    cert, key, _ = _certificate()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.TemporaryDirectory() as tmp:  # ssl loads certificates from files only
        (Path(tmp) / "cert.pem").write_bytes(cert)
        (Path(tmp) / "key.pem").write_bytes(key)
        context.load_cert_chain(Path(tmp) / "cert.pem", Path(tmp) / "key.pem")
    return context


class SimWeb:
    def __init__(self, scenario: Scenario, as_of: date | None = None, *, hang_seconds: float = 3.0,
                 giant_bytes: int = 9 * 1024 * 1024, port: int = 0) -> None:
        self.scenario = scenario
        if as_of is not None and as_of != scenario.as_of:
            scenario.as_of = as_of
        self.hang_seconds = hang_seconds
        self.giant_bytes = giant_bytes
        self.requested_port = port  # 0: any free port
        self.sites = {s.host.lower(): s for s in scenario.sites}
        self.platforms = platforms.PlatformWeb(scenario)
        self.channels = channels.ChannelWeb(scenario)
        self.hits: dict[str, int] = {}
        self._retry_seen: set[str] = set()
        self._closed_port = _free_port()
        self._threads: list[threading.Thread] = []

    # ------------------------------------------------------------------ life cycle

    def __enter__(self) -> SimWeb:
        self.server = _Server(("127.0.0.1", self.requested_port), _Handler)
        self.server.web = self
        self.server.tls = _tls_context()
        self.port = self.server.server_address[1]
        self._junk = socket.socket()
        self._junk.bind(("127.0.0.1", 0))
        self._junk.listen(16)
        self.junk_port = self._junk.getsockname()[1]
        self._stop = threading.Event()
        for target in (self.server.serve_forever, self._serve_junk):
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()
        self._junk.close()

    def _serve_junk(self) -> None:
        """A port that answers anything, a TLS handshake included, with plain text: a broken TLS endpoint."""
        self._junk.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self._junk.accept()
            except (TimeoutError, OSError):
                continue
            try:
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            finally:
                conn.close()

    # ------------------------------------------------------------------ addresses

    @property
    def host_map(self) -> str:
        entries = []
        for site in self.scenario.sites:
            if site.defects.unreachable:
                address = f"127.0.0.1:{self._closed_port}"
            elif site.defects.tls_broken:
                address = f"127.0.0.1:{self.junk_port}"
            else:
                address = f"127.0.0.1:{self.port}"
            entries.append(f"{site.host}={address}")
            for i, link in enumerate(site.defects.broken_links):
                port = {"refused": self._closed_port, "tls": self.junk_port}.get(link["kind"])
                if port is not None:  # dns links stay out of the map: their .invalid host must not resolve
                    entries.append(f"{urlsplit(templates.broken_url(site, i, link['kind'])).hostname}=127.0.0.1:{port}")
        entries += [f"{host}=127.0.0.1:{self.port}"
                    for host in templates.EXTERNAL_HOSTS + platforms.HOSTS + channels.ZWFW_HOSTS]
        return ";".join(entries)

    @property
    def tls_spki(self) -> str:
        """Base64 SHA-256 of the platforms' certificate key: Chromium's --ignore-certificate-errors-spki-list value,
        which trusts this certificate and no other."""
        return _certificate()[2]

    def url(self, site_code: str, path: str = "/") -> str:
        site = self.scenario.site(site_code)
        return f"{site.scheme}://{site.host}{path}"

    # ------------------------------------------------------------------ routing

    def route(self, site: Site, path: str, query: dict, host: str, *, cookies: str = "",
              post: bytes | None = None) -> tuple[int, bytes | str, str, dict] | None:
        s = self.scenario
        html_type = "text/html" if site.encoding == "gbk" else "text/html; charset=utf-8"
        passed = f"{templates.CHALLENGE_COOKIE}=ok" in cookies  # the challenge's script ran in a real browser

        def page(text: str) -> tuple[int, bytes, str, dict]:
            return 200, text.encode("gb18030" if site.encoding == "gbk" else "utf-8"), html_type, {}

        if path in ("/", "/index.html", "/index.htm"):
            if site.home_page != "normal" and not (site.home_page == "challenge" and passed):
                return self.interstitial(site, site.home_page, None, home=True)
            return page(templates.home(s, site))
        if path == "/login":
            return page(templates.login_page(site))
        if path == "/static/app.js":
            column = next((c for c in site.columns if c.slug == query.get("c", [""])[0]), None)
            return (200, templates.app_js(s, site, column).encode("utf-8"), "application/javascript", {}) \
                if column is not None else None
        if path == "/irs/front/search":
            if post is None:
                return 405, "<html><body>Method Not Allowed</body></html>", "text/html; charset=utf-8", {"Allow": "POST"}
            try:
                channel = json.loads(post)["customFilter"]["properties"][0]["value"]
            except (ValueError, KeyError, IndexError, TypeError):
                channel = None
            column = next((c for c in site.columns if c.slug == channel and c.page == "trs_search"), None)
            return 200, json.dumps(templates.trs_search(s, site, column), ensure_ascii=False).encode("utf-8"), \
                "application/json; charset=utf-8", {}
        if path.endswith("/data.do"):
            return 500, '{"error": "internal"}', "application/json", {}
        if path == "/footer.js":
            return 200, templates.footer_js(site).encode("gb18030" if site.encoding == "gbk" else "utf-8"), \
                "application/javascript", {}
        if path.startswith("/images/"):
            return 200, PNG, "image/png", {}
        if path.startswith("/files/"):
            return (200, b"%PDF-1.4 simulated attachment", "application/pdf", {}) if "missing" not in path else None
        if path.startswith("/broken/"):
            kind = path.split("/")[2].split("-")[0]
            if kind == "hang":
                return -1, b"", "", {}
            return (int(kind), f"<html><body>{kind}</body></html>", "text/html; charset=utf-8", {}) \
                if kind.isdigit() else None
        if path.startswith("/robust/"):
            return self.robust(path.split("/")[2], query, host)
        if path.startswith(("/hdjl/", "/bsfw/", "/jact/")):  # letters channels and guide lists (channels.py)
            served = self.channels.route(site, path, query)
            if served is not None:
                return served
        columns = {c.slug: c for c in site.columns}
        m = ARTICLE.match(path)
        if m and m.group(1) in columns and int(m.group(2)) < len(columns[m.group(1)].days_ago):
            column, i = columns[m.group(1)], int(m.group(2))
            if templates.article_path(s, column, i) == path:
                return page(templates.article(s, site, column, i))
            return None
        if path.endswith("/list.json") and path.split("/")[1] in columns:
            data = templates.list_json(s, site, columns[path.split("/")[1]])
            return 200, json.dumps(data, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8", {}
        m = LIST.match(path)
        if m and m.group(1) in columns:
            column = columns[m.group(1)]
            if column.page in ("challenge", "waf", "stub", "login", "moved") and not (column.page == "challenge"
                                                                                      and passed):
                return self.interstitial(site, column.page, column)
            if column.page not in ("list", "challenge"):
                return page(templates.scripted_column(s, site, column)) if not m.group(2) else None
            text = templates.column_page(s, site, column, int(m.group(2) or 0))
            return page(text) if text is not None else None
        return None

    def interstitial(self, site: Site, kind: str, column: Column | None,
                     home: bool = False) -> tuple[int, bytes | str, str, dict]:
        """What a WAF, an anti-bot gateway, a login wall or a domain move answers instead of the page."""
        html = "text/html; charset=utf-8"
        if kind == "challenge":  # 瑞数 answers 202 on homepages and 412 elsewhere, with the same script
            return (202 if home else 412), templates.challenge_page(), html, {}
        if kind == "waf":
            return 200, templates.waf_page(), html, {}
        if kind == "stub" and column is not None:
            return 200, templates.stub_page(column), "text/html", {}  # GBK, declared nowhere
        if kind == "login":
            back = f"/{column.slug}/" if column is not None else "/"
            return 302, "", html, {"Location": f"/login?redirect={back}"}
        return 200, templates.moved_page(site), html, {}

    def robust(self, name: str, query: dict, host: str) -> tuple[int, bytes | str, str, dict] | None:
        if name == "redirect-loop":
            return 302, "", "text/html", {"Location": "/robust/redirect-loop"}
        if name == "empty":
            return 200, b"", "text/html; charset=utf-8", {}
        if name == "binary":
            return 200, PNG * 50, "text/html", {}
        if name == "giant":
            return 200, b"<html><body>" + b"a" * self.giant_bytes, "text/html", {}
        if name == "utf16":
            d = self.scenario.as_of
            text = (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body>'
                    f'<div class="list"><ul><li><a href="/robust/utf16-item.html">UTF-16 页面条目</a>'
                    f"<span>{d:%Y-%m-%d}</span></li></ul></div></body></html>")
            return 200, "\ufeff".encode("utf-16-le") + text.encode("utf-16-le"), "text/html", {}
        if name == "calendar":
            day = date.fromisoformat(query.get("date", ["2021-03-02"])[0])
            nxt = day + timedelta(days=1)
            return 200, f'<html><body><a href="/robust/calendar?date={nxt}">{nxt}</a></body></html>', \
                "text/html; charset=utf-8", {}
        if name == "broken-html":
            return 200, '<html><body><div class="list"><ul><li><a href="/x.html">残缺<span>2021-03-01</td></ul><<<', \
                "text/html; charset=utf-8", {}
        if name == "retry-after":
            if host not in self._retry_seen:  # the first visit is asked to come back in 1 s
                self._retry_seen.add(host)
                return 503, "<html><body>busy</body></html>", "text/html; charset=utf-8", {"Retry-After": "1"}
            return 200, "<html><body>ok after waiting</body></html>", "text/html; charset=utf-8", {}
        return None
