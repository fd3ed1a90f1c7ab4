"""`govmon inspect URL-or-FILE`: the facts extracted from one page, as text or JSON.

It is how a person sees why a page was judged as it was: the encoding used, the title, the publication date and the
text it came from, list entries with their dates, pagination, columns found in the navigation, footer marks and links.
A URL is fetched honouring the host map (MONITOR_HOST_MAP or --host-map), so pages of internal or simulated hosts can
be inspected as the crawler sees them; `--render` reads the page from Debian's Chromium, as the crawler does for
footers written by a script.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import time
import urllib.request
from collections import Counter
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from monitor.config import setting
from monitor.extract.encoding import decode, looks_binary
from monitor.extract.model import PageFacts
from monitor.extract.page import extract_page
from monitor.hostmap import chromium_rules, lookup, parse_host_map

CHUNK = 64 * 1024


def fetch(url: str, host_map: str, timeout: float = 20.0, max_bytes: int | None = None) -> tuple[bytes, str | None, str]:
    """(body, content type, final URL) of a URL, connecting to the mapped address when the host map says so.

    Bounded like a crawl: a body over DOWNLOAD_MAXSIZE is refused as soon as it is exceeded (never read whole into
    memory), and `timeout` bounds the whole download, not each read — a server that drips a byte at a time cannot
    hold the command forever."""
    limit = int(setting("DOWNLOAD_MAXSIZE")) if max_bytes is None else max_bytes
    deadline = time.monotonic() + timeout
    parts = urlsplit(url)
    address = lookup(parse_host_map(host_map), parts.hostname or "")
    target = urlunsplit((parts.scheme, address, parts.path, parts.query, "")) if address else url
    request = urllib.request.Request(target, headers={"Host": parts.netloc, "User-Agent": str(setting("USER_AGENT"))})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) only, checked below
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise ValueError(f"{url}: too_large — Content-Length {declared} over DOWNLOAD_MAXSIZE {limit}")
        body = bytearray()
        while chunk := response.read1(CHUNK):
            body += chunk
            if len(body) > limit:
                raise ValueError(f"{url}: too_large — more than DOWNLOAD_MAXSIZE {limit} bytes")
            if time.monotonic() > deadline:
                raise ValueError(f"{url}: timeout — the page did not arrive within {timeout:g} s")
        return bytes(body), response.headers.get("Content-Type"), url


def render(url: str, host_map: str) -> str:
    """The DOM of the page after its scripts ran, from Debian's chromium-headless-shell."""
    from playwright.sync_api import sync_playwright

    args = ["--disable-background-networking", "--no-first-run", "--disable-dev-shm-usage"]
    rules = parse_host_map(host_map)
    if rules:
        args.append(f"--host-resolver-rules={chromium_rules(rules)}")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(setting("MONITOR_CHROMIUM")), args=args)
        page = browser.new_page()
        page.goto(url, wait_until="load")
        html = page.content()
        browser.close()
    return html


def inspect_page(source: str, *, host_map: str = "", ref: date | None = None, rendered: bool = False,
                 base_url: str | None = None) -> tuple[PageFacts, str]:
    """Facts of a URL or a saved file, and a note on how it was read."""
    if urlsplit(source).scheme in ("http", "https"):
        if rendered:
            html = render(source, host_map)
            return extract_page(html, source, encoding="utf-8", ref=ref), "rendered by Chromium"
        body, ctype, url = fetch(source, host_map)
    else:
        body, ctype, url = Path(source).read_bytes(), None, base_url or Path(source).resolve().as_uri()
    if looks_binary(body):
        raise ValueError(f"{source}: not an HTML page (binary content)")
    text, encoding = decode(body, ctype)
    return extract_page(text, url, encoding=encoding, ref=ref), f"{len(body)} bytes, Content-Type {ctype}"


def as_text(facts: PageFacts, note: str, limit: int) -> str:
    f = facts.footer
    lines = [f"页面 {facts.url}", f"  读取: {note}; 编码 {facts.encoding}", f"  标题: {facts.title}"]
    if facts.published:
        lines.append(f"  发布日期: {facts.published.value} ({facts.published.source}: {facts.published.text!r})")
    else:
        lines.append("  发布日期: 未找到")
    if facts.interstitial:
        target = f" → {facts.redirect_to}" if facts.redirect_to else ""
        lines.append(f"  页面性质: {facts.interstitial_reason} ({facts.interstitial}{target}); 判定为待定,不作空白或不更新")
    source = {"script_json": " (取自页面脚本中的JSON)", "comment": " (取自HTML注释)"}.get(facts.list_source, "")
    lines.append(f"  列表条目: {len(facts.entries)}{source}")
    if not facts.entries and facts.script_signs:
        lines.append(f"  脚本生成列表迹象: {facts.script_signs} (抓取时以 Chromium 渲染读取; 或 --render)")
    for e in facts.entries[:limit]:
        when = f"{e.date.value} ← {e.date.text!r}" if e.date else "未注明日期"
        lines.append(f"    {when}  {e.title}  {e.url}")
    if facts.next_pages:
        lines.append(f"  翻页: {', '.join(facts.next_pages[:limit])}")
    if facts.xhr_lists:
        lines.append(f"  XHR列表: {', '.join(facts.xhr_lists)}")
    lines.append(f"  导航栏目: {len(facts.columns)}")
    lines += [f"    [{c.category}] {c.name}  {c.url}" for c in facts.columns[:limit]]
    lines += ["  页面底部标识:", f"    网站标识码 {f.site_code}", f"    ICP备案号 {f.icp}", f"    公安备案号 {f.police}",
              f"    党政机关标识 {'有' if f.conac else '无'}", f"    我为政府网站找错 {'有' if f.zhaocuo else '无'}",
              f"    主办单位 {f.sponsor}"]
    if f.written_by_script:
        lines.append("    (底部由脚本生成: 以 --render 读取渲染后的页面)")
    tags = Counter(link.tag for link in facts.links)
    lines.append(f"  链接: {len(facts.links)} ({', '.join(f'{t} {n}' for t, n in sorted(tags.items()))}); "
                 f"外部 {sum(link.external for link in facts.links)}, 附件 {sum(link.attachment for link in facts.links)}, "
                 f"隐藏 {sum(link.hidden for link in facts.links)}")
    lines += [f"    {link.tag:6s} {link.url}  {link.anchor[:40]!r}" for link in facts.links[:limit]]
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", help="URL or saved HTML file")
    parser.add_argument("--json", action="store_true", help="print the facts as JSON")
    parser.add_argument("--ref-date", default=None, help="date year-less dates like [03-02] are read against")
    parser.add_argument("--host-map", default=None, help="pattern=address[:port];... (default: MONITOR_HOST_MAP)")
    parser.add_argument("--render", action="store_true", help="read the page rendered by Chromium")
    parser.add_argument("--base-url", default=None, help="URL a saved file was saved from (for its links)")
    parser.add_argument("--limit", type=int, default=20, help="items shown per list in text output")


def run(args: argparse.Namespace) -> int:
    host_map = args.host_map if args.host_map is not None else str(setting("MONITOR_HOST_MAP", ""))
    ref = date.fromisoformat(args.ref_date) if args.ref_date else date.today()
    try:
        facts, note = inspect_page(args.source, host_map=host_map, ref=ref, rendered=args.render,
                                   base_url=args.base_url)
    except (OSError, ValueError, http.client.HTTPException) as exc:  # http.client: > 100 header lines, > 64 KiB one
        print(f"cannot inspect {args.source}: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(facts.to_dict() | {"note": note}, ensure_ascii=False, indent=2, default=str))
    else:
        print(as_text(facts, note, args.limit))
    return 0
