"""Hostile sites on loopback: what a broken or malicious server may answer a crawler.

    with HostileWeb() as web:
        web.host_map          # "www.hostile.gov.cn=127.0.0.1:PORT;…" for MONITOR_HOST_MAP
        web.registry()        # the hostile sites and their pages as a registry (one registry column per page)
        web.internal_hits     # requests that reached the server by an internal address (must stay empty)

Site www.hostile.gov.cn has an ordinary homepage; each hostile page is one of its registry columns (PAGES: path →
the outcome the crawler must record). Site www.hostile-head.gov.cn answers its homepage with endless headers, so a
whole site is unreadable that way. Streams (endless headers and bodies, the drip) go on until the client gives up or
their ceiling is reached; bombs are built once, when first asked for. The server also listens on [::1] and counts
every request that arrives by an IP literal or localhost: a crawler following the redirects into 127.0.0.1, [::1]
or 169.254.169.254 shows up there.
"""

from __future__ import annotations

import gzip
import http.server
import ipaddress
import socket
import threading
import time
import zlib
from typing import Any
from urllib.parse import urlsplit

from monitor.simweb.server import PNG

SITE = "www.hostile.gov.cn"
HEAD_SITE = "www.hostile-head.gov.cn"
LINKED_SITE = "www.linked-elsewhere.com"
FOOTER = "<div class='footer'>网站标识码{code} 滇ICP备05000001号 滇公网安备53250002000001号</div>"
MIB = 1024 * 1024

# Hostile page (under /hostile/) → the outcome the crawler records for it.
PAGES: dict[str, str] = {
    "headers-endless": "too_large",  # header lines without end
    "header-line": "too_large",  # one header line of 1 MiB
    "bomb-gzip": "too_large", "bomb-deflate": "too_large", "bomb-br": "too_large",  # inflate far past the limit
    "giant": "too_large",  # Content-Length 1 GiB, then the bytes
    "endless-body": "too_large",  # chunked, without end
    "drip": "timeout",  # one byte a second
    "links": "ok",  # 100,000 links: read, the links past the cap counted
    "deep": "too_deep",  # 100,000 nested elements
    "long-urls": "ok",  # links longer than URLLENGTH_LIMIT: recorded url_too_long, never requested
    "to-loopback": "forbidden", "to-v6": "forbidden", "to-metadata": "forbidden",  # redirect chains inside
    "to-localhost": "forbidden",
    "loop": "redirect_loop",
    "binary": "not_html",  # a PNG served as text/html
    "wrong-charset": "ok",  # declares UTF-8, is GBK
}


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:  # noqa: N802 - http.server naming
        self.answer(head=True)

    def do_GET(self) -> None:  # noqa: N802
        self.answer(head=False)

    def answer(self, head: bool) -> None:
        web = self.server.web
        host = self.headers.get("Host") or ""
        web.record(self.server.label, host, self.path)
        name = urlsplit(f"//{host}").hostname or ""
        try:
            if name == HEAD_SITE:
                self.endless_headers(web.stream_ceiling)
            elif name == SITE and self.path.startswith("/hostile/"):
                self.hostile(self.path.removeprefix("/hostile/"), head)
            elif name == SITE and self.path == "/":
                self.send(200, web.home(), head=head)
            elif name == LINKED_SITE:  # where the links page links to
                self.send(200, "<html><body>ok</body></html>", head=head)
            else:
                self.send(404, "<html><body>404 Not Found</body></html>", head=head)
        except OSError:  # the client gave up (aborted, timed out): expected of every hostile stream
            self.close_connection = True

    def send(self, status: int, body: bytes | str, ctype: str = "text/html; charset=utf-8", head: bool = False,
             **headers: str) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def raw(self, data: bytes) -> None:
        self.wfile.write(data)
        self.wfile.flush()

    def endless_headers(self, ceiling: int) -> None:
        self.raw(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
        line = b"X-Filler: " + b"a" * 1000 + b"\r\n"
        block = line * 64
        sent = 0
        while sent < ceiling:
            self.raw(block)
            sent += len(block)
        self.raw(b"Content-Length: 2\r\n\r\nok")
        self.close_connection = True

    def hostile(self, name: str, head: bool) -> None:
        web = self.server.web
        if name == "headers-endless":
            self.endless_headers(web.stream_ceiling)
        elif name == "header-line":
            self.raw(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Long: " + b"a" * MIB + b"\r\n"
                     b"Content-Length: 2\r\n\r\nok")
        elif name.startswith("bomb-"):
            encoding = name.removeprefix("bomb-")
            self.send(200, web.bomb(encoding), head=head, Content_Encoding=encoding)
        elif name == "giant":
            self.raw(f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {web.giant_bytes}\r\n\r\n"
                     .encode())
            self.stream(web.giant_bytes, chunked=False)
        elif name == "endless-body":
            self.raw(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n")
            self.stream(web.stream_ceiling, chunked=True)
        elif name == "drip":
            self.raw(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 64\r\n\r\n")
            for _ in range(64):
                self.raw(b"a")
                time.sleep(1)
        elif name.startswith("hop/"):  # the middle of a redirect chain, on the site itself
            self.send(302, "", head=head, Location=web.internal_url(name.removeprefix("hop/")))
        elif name.startswith("to-"):
            self.send(302, "", head=head, Location=f"/hostile/hop/{name.removeprefix('to-')}")
        elif name == "loop":
            self.send(302, "", head=head, Location="/hostile/loop")
        elif name == "binary":
            self.send(200, PNG * 50, head=head)
        elif name == "wrong-charset":
            self.send(200, web.page("编码错误的页面", "<p>内容以GBK写成,声明却是UTF-8</p>").encode("gbk"), head=head)
        elif name in ("links", "deep", "long-urls"):
            self.send(200, web.built(name), head=head)
        else:
            self.send(404, "<html><body>404 Not Found</body></html>", head=head)

    def stream(self, total: int, chunked: bool) -> None:
        block = b"<p>" + b"a" * (256 * 1024 - 3)
        chunk = f"{len(block):x}\r\n".encode() + block + b"\r\n" if chunked else block
        sent = 0
        while sent < total:
            self.raw(chunk)
            sent += len(block)
        if chunked:
            self.raw(b"0\r\n\r\n")
        self.close_connection = True


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024
    web: HostileWeb
    label = "v4"

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients abort hostile streams: expected

    def finish_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        # Headers and body are separate writes: without NODELAY the client's delayed ACK holds the body ~40 ms.
        request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().finish_request(request, client_address)  # type: ignore[arg-type]


class _Server6(_Server):
    address_family = socket.AF_INET6
    label = "v6"


class HostileWeb:
    """The hostile sites, served on 127.0.0.1 (and [::1], to catch requests that should never come)."""

    def __init__(self, *, giant_bytes: int = 1024 * MIB, stream_ceiling: int = 2048 * MIB,
                 bomb_bytes: int = 256 * MIB, links: int = 100_000, depth: int = 100_000) -> None:
        self.giant_bytes = giant_bytes
        self.stream_ceiling = stream_ceiling  # endless headers and bodies stop here if the client never does
        self.bomb_bytes = bomb_bytes
        self.links = links
        self.depth = depth
        self.hits: list[tuple[str, str, str]] = []  # (server v4/v6, Host header, path)
        self._lock = threading.Lock()
        self._built: dict[str, bytes] = {}
        self._servers: list[_Server] = []

    # ------------------------------------------------------------------ life cycle

    def __enter__(self) -> HostileWeb:
        v4, v6 = _Server(("127.0.0.1", 0), _Handler), _Server6(("::1", 0), _Handler)
        self.port, self.port6 = v4.server_address[1], v6.server_address[1]
        self._servers = [v4, v6]
        for server in self._servers:
            server.web = self
            threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()

    def record(self, label: str, host: str, path: str) -> None:
        with self._lock:
            self.hits.append((label, host, path))

    # ------------------------------------------------------------------ addresses

    @property
    def host_map(self) -> str:
        return ";".join(f"{host}=127.0.0.1:{self.port}" for host in (SITE, HEAD_SITE, LINKED_SITE))

    def internal_url(self, kind: str) -> str:
        return {"loopback": f"http://127.0.0.1:{self.port}/secret", "v6": f"http://[::1]:{self.port6}/secret",
                "localhost": f"http://localhost:{self.port}/secret",
                "metadata": "http://169.254.169.254/latest/meta-data/"}[kind]

    @property
    def internal_hits(self) -> list[tuple[str, str, str]]:
        """Requests that came in over [::1] or named an IP address or localhost: none may arrive."""
        def internal(host: str) -> bool:
            name = urlsplit(f"//{host}").hostname or ""
            if name == "localhost":
                return True
            try:
                ipaddress.ip_address(name)
            except ValueError:
                return False
            return True

        with self._lock:
            return [h for h in self.hits if h[0] == "v6" or internal(h[1])]

    def url(self, name: str) -> str:
        return f"http://{SITE}/hostile/{name}"

    # ------------------------------------------------------------------ registry

    def registry(self, region_code: str = "532500", region_name: str = "红河州") -> dict[str, list[dict[str, Any]]]:
        """The hostile sites in the format monitor.registry imports (each hostile page a registry column)."""
        base = {"region_code": region_code, "region_name": region_name, "level": "州级", "kind": "门户",
                "sponsor": "测试单位"}
        websites = [{"site_code": "5325009901", "name": "恶意测试网站", "homepage": f"http://{SITE}/", **base},
                    {"site_code": "5325009902", "name": "响应头无尽网站", "homepage": f"http://{HEAD_SITE}/", **base}]
        columns = [{"site_code": "5325009901", "name": f"恶意-{name}", "url": self.url(name), "category": "other",
                    "unit": None, "path": None, "level": 1} for name in PAGES]
        return {"websites": websites, "columns": columns}

    # ------------------------------------------------------------------ pages

    def page(self, title: str, body: str, code: str = "5325009901") -> str:
        return (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><h1>{title}</h1>{body}"
                f"{FOOTER.format(code=code)}</body></html>")

    def home(self) -> str:
        return self.page("恶意测试网站", "<p>首页正常,栏目不正常</p>")

    def long_urls(self) -> list[str]:
        """Same-site links longer than Scrapy's URLLENGTH_LIMIT (2083)."""
        return [f"http://{SITE}/search?q={'x' * 3000}", f"http://{SITE}/search?q={'长' * 800}"]

    def built(self, name: str) -> bytes:
        with self._lock:
            if name not in self._built:
                self._built[name] = self._build(name)
            return self._built[name]

    def _build(self, name: str) -> bytes:
        if name == "links":
            # To another site: the crawl records them (up to the per-page cap); checking them is a crawl setting.
            anchors = "".join(f'<a href="http://{LINKED_SITE}/{i}">{i}</a>' for i in range(self.links))
            return self.page("十万链接", anchors).encode("utf-8")
        if name == "deep":
            return self.page("十万层嵌套", "<div>" * self.depth + "深处" + "</div>" * self.depth).encode("utf-8")
        if name == "long-urls":
            anchors = "".join(f'<a href="{u}">长链接{i}</a>' for i, u in enumerate(self.long_urls()))
            return self.page("超长链接", anchors).encode("utf-8")
        if name == "gzip":  # gzip members one after another: one small member inflating to 1 MiB, repeated
            member = gzip.compress(b" " * MIB, compresslevel=9)
            return member * max(self.bomb_bytes // MIB, 1)
        block = b" " * MIB
        if name == "deflate":
            deflate = zlib.compressobj(9)
            return b"".join(deflate.compress(block) for _ in range(max(self.bomb_bytes // MIB, 1))) + deflate.flush()
        if name == "br":
            import brotli  # Scrapy's br support needs it: installed with Scrapy's dependencies

            compressor = brotli.Compressor(quality=5)
            return b"".join(compressor.process(block) for _ in range(max(self.bomb_bytes // MIB, 1))) \
                + compressor.finish()
        raise KeyError(name)

    def bomb(self, encoding: str) -> bytes:
        return self.built(encoding)
