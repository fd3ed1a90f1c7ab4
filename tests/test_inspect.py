"""The page inspector: what the crawler extracts from one page, for a person to see (URL, saved file, rendered)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from monitor.simweb.scenario import load_scenario
from monitor.simweb.server import SimWeb


def inspect(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "monitor.cli", "inspect", *args], capture_output=True, text=True,
                          timeout=120)


def test_inspect_url_through_the_host_map_as_json_and_text() -> None:
    scenario = load_scenario("defects")
    with SimWeb(scenario) as web:
        done = inspect(web.url("5325000011", "/gzdt/"), "--host-map", web.host_map, "--json", "--ref-date", "2021-03-03")
        assert done.returncode == 0, done.stderr
        facts = json.loads(done.stdout)
        assert facts["footer"]["site_code"] == "5325000011" and facts["encoding"] == "utf-8"
        assert facts["entries"][0]["date"]["text"] == "2021-02-28" and len(facts["entries"]) == 20
        assert facts["next_pages"][0] == "http://www.slz.gov.cn/gzdt/index_1.html"
        text = inspect(web.url("5325010011"), "--host-map", web.host_map, "--ref-date", "2021-03-03").stdout
        assert "编码 gb18030" in text and "底部由脚本生成" in text  # GBK without header; footer by script
        rendered = inspect(web.url("5325010011"), "--host-map", web.host_map, "--render", "--json").stdout
        assert json.loads(rendered)["footer"]["site_code"] == "5325999999"  # read from Chromium's DOM


def test_inspect_saved_file_and_bad_input(corpus_dir: Path, tmp_path: Path) -> None:
    done = inspect(str(corpus_dir / "gne__fgw-zj-gov-cn_article_2016-11-22.html"), "--json")
    facts = json.loads(done.stdout)
    assert facts["published"]["value"] == "2016-11-22" and facts["footer"]["site_code"] == "3300000020"
    binary = tmp_path / "x.html"
    binary.write_bytes(b"%PDF-1.4\x00\x01")
    bad = inspect(str(binary))
    assert bad.returncode == 1 and "not an HTML page" in bad.stderr
    missing = inspect(str(tmp_path / "none.html"))
    assert missing.returncode == 1 and "cannot inspect" in missing.stderr


class _Hostile:
    """A loopback server that answers with an endless body (no Content-Length) or drips a byte at a time."""

    def __init__(self, mode: str) -> None:
        import http.server
        import threading
        import time

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                try:
                    for _ in range(100_000):
                        self.wfile.write(b"<p>x</p>" * 1024 if mode == "huge" else b"<")
                        self.wfile.flush()
                        if mode == "drip":
                            time.sleep(0.05)
                except OSError:
                    pass  # the client gave up, as it should

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_inspect_is_bounded_in_size_and_time() -> None:
    """A 1 GiB body is refused once DOWNLOAD_MAXSIZE is passed (never read whole), and a server that drips a byte at a
    time cannot hold the command past its timeout."""
    import time

    import pytest

    from monitor.inspect import fetch

    huge = _Hostile("huge")
    try:
        with pytest.raises(ValueError, match="too_large"):
            fetch(huge.url, "", timeout=30, max_bytes=1024 * 1024)
    finally:
        huge.close()
    drip = _Hostile("drip")
    try:
        started = time.monotonic()
        with pytest.raises(ValueError, match="timeout"):
            fetch(drip.url, "", timeout=1.0)
        assert time.monotonic() - started < 10
    finally:
        drip.close()
