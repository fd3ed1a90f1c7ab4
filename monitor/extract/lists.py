"""Column (栏目) list pages: entries with their dates, pagination, lists loaded by XHR, navigation columns.

Precision first: an entry is a link whose row (li, tr, dd, p…) carries a date outside the link text, and a list is
kept when at least one of its rows is dated. Undated lists are only read when the registry gives an item selector,
since navigation menus look like undated lists and would turn a blank column into a column with entries.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from monitor.extract.dates import parse_date
from monitor.extract.links import absolute, document_base
from monitor.extract.model import ColumnLink, DateFact, ListEntry

SKIP_AREA = re.compile(r"nav|menu|head|foot|top\b|bottom|crumb|position|location|weizhi|dqwz|page|fenye|"
                       r"friend|yqlj|link|share|search|banner|copyright|dibu|daohang", re.I)
ROW_TAGS = ("li", "tr", "dd", "dt", "p", "h3", "h4")
PAGINATION_TEXT = re.compile(r"^\s*(下一页|下页|后一页|next|>|›|»)\s*$", re.I)
# TRS CMS: createPageHTML(total, current, "index", "html") writes links index.html, index_1.html … index_{total-1};
# the counts are numbers or variables declared in the same script (var countPage = 5).
CREATE_PAGE = re.compile(r"createPageHTML\(\s*['\"]?(\w+)['\"]?\s*,\s*['\"]?(\w+)['\"]?\s*,\s*['\"]([\w-]+)['\"]\s*,"
                         r"\s*['\"](\w+)['\"]")
SCRIPT_VAR = re.compile(r"\b(?:var|let|const)?\s*(\w+)\s*=\s*['\"]?(\d+)['\"]?\s*[;,\n/]")
JSON_URL = re.compile(r"""["']([^"'\s]+?\.json(?:\?[^"'\s]*)?)["']""")
# URLs handed to the usual XHR helpers, whatever their extension: fetch('…'), $.getJSON('…'), $.ajax({url: '…'}).
XHR_CALL = re.compile(r"""(?:\bfetch|\.getJSON|\$\.get|\$\.post|\.open\s*\(\s*['"](?:GET|POST)['"]\s*,)\s*\(?\s*"""
                      r"""['"]([^'"\s]+)['"]|\burl\s*:\s*['"]([^'"\s]+)['"]""", re.I)
EMPTY_MARKERS = ("暂无信息", "暂无数据", "暂无内容", "暂无相关信息", "没有信息")
NOT_COLUMN = re.compile(r"^(首页|更多|more|>>|»|返回|上一页|下一页|尾页|末页|\d+)$", re.I)
COLUMN_WORDS = re.compile(r"动态|要闻|新闻|通知|公告|公示|政策|文件|法规|规划|计划|总结|人事|任免|招考|招聘|信息公开|"
                          r"互动|留言|信箱|咨询|访谈|征集|服务|办事|指南|专题|概况|机构|领导|解读|统计|财政|预决算")

CATEGORIES = (
    ("interaction", re.compile(r"留言|信箱|咨询|互动|访谈|调查|征集|投诉|建言")),
    ("service", re.compile(r"办事|服务|指南")),
    ("personnel", re.compile(r"人事|任免|招考|招聘|录用|干部")),
    ("plan", re.compile(r"规划|计划|总结")),
    ("policy", re.compile(r"政策|文件|法规|规章|解读")),
    ("notice", re.compile(r"通知|公告|公示|通告")),
    ("dynamic", re.compile(r"动态|要闻|新闻|快讯|图片|报道|资讯|工作")),
)


def classify_column(name: str) -> str:
    """dynamic / notice / policy / personnel / plan / interaction / service / other, from a column name."""
    for category, pattern in CATEGORIES:
        if pattern.search(name):
            return category
    return "other"


def _in_skipped_area(node: Selector) -> bool:
    for anc in node.root.iterancestors():  # lxml directly: an XPath per ancestor is the slow part of a page
        tag = anc.tag
        if tag in ("nav", "header", "footer"):
            return True
        hint = f"{anc.get('id', '')} {anc.get('class', '')}"
        if hint.strip() and SKIP_AREA.search(hint):
            return True
    return False


def _row(anchor: Selector) -> Selector:
    """The list row of a link: its li/tr/dd/… ancestor, else its parent when the parent holds no other link
    (a container of many links is a block, not a row, and its dates belong to other links)."""
    for tag in ROW_TAGS:
        row = anchor.xpath(f"ancestor::{tag}[1]")
        if row:
            return row[0]
    parent = anchor.xpath("..")
    if parent and len(parent[0].xpath(".//a")) == 1:
        return parent[0]
    return anchor


def _text(node: Selector) -> str:
    return " ".join(t.strip() for t in node.xpath(".//text()[not(ancestor::script)]").getall() if t.strip())


def _row_date(row: Selector, anchor: Selector, ref: date | None, date_selector: str | None) -> DateFact | None:
    if date_selector:
        return parse_date(" ".join(row.css(date_selector).xpath(".//text()").getall()), ref=ref)
    anchor_text = _text(anchor)
    for node in row.xpath(".//*[not(self::a)][not(ancestor::a)]/text() | ./text()"):
        fact = parse_date(node.get().strip(), ref=ref)
        if fact is not None:
            return fact
    rest = _text(row).replace(anchor_text, " ", 1)
    fact = parse_date(rest, ref=ref)
    if fact is not None:
        return fact
    # Some CMSs put the date in its own element inside the link: <a><span>标题</span><span>2021-03-01</span></a>.
    for node in anchor.xpath(".//*/text()"):
        text = node.get().strip()
        fact = parse_date(text, ref=ref)
        if fact is not None and fact.text.strip("[]()（）【】 ") == text.strip("[]()（）【】 "):
            return fact
    return None


def list_entries(sel: Selector, page_url: str, *, item_selector: str | None = None,
                 date_selector: str | None = None, ref: date | None = None) -> list[ListEntry]:
    base_url = document_base(sel, page_url)  # hrefs resolve against <base href> when the page has one
    if item_selector:
        entries = []
        for item in sel.css(item_selector):
            anchor = item.xpath(".//a[@href][1]")
            title = _text(anchor[0]) if anchor else _text(item)
            url = absolute(anchor[0].attrib.get("href"), base_url) if anchor else None
            entries.append(ListEntry(title, url, _row_date(item, anchor[0] if anchor else item, ref, date_selector)))
        return entries
    groups: dict[int, list[tuple[ListEntry, bool]]] = {}
    order: list[int] = []
    seen: set[str] = set()
    for anchor in sel.xpath("//body//a[@href]"):
        url = absolute(anchor.attrib.get("href"), base_url)
        title = _text(anchor) or anchor.attrib.get("title", "")
        if url is None or not title or PAGINATION_TEXT.match(title) or _in_skipped_area(anchor):
            continue
        row = _row(anchor)
        fact = _row_date(row, anchor, ref, date_selector)
        key = hash(row.xpath("..").get() or "") if row.xpath("..") else 0
        if url in seen:
            continue
        seen.add(url)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append((ListEntry(title.strip()[:300], url, fact), fact is not None))
    return [entry for key in order if any(dated for _, dated in groups[key]) for entry, _ in groups[key]]


def is_empty_list(text: str) -> bool:
    return any(marker in text for marker in EMPTY_MARKERS)


def next_pages(sel: Selector, page_url: str) -> list[str]:
    """Pagination links in order: 下一页 links, TRS createPageHTML scripts, index_N.html links."""
    pages: list[str] = []
    base_url = document_base(sel, page_url)  # script-written links resolve against <base href> too
    this_page = absolute(page_url, page_url)

    def add(url: str | None) -> None:
        if url and url not in pages and url != this_page:
            pages.append(url)

    for anchor in sel.xpath("//a[@href]"):
        if PAGINATION_TEXT.match(_text(anchor)):
            add(absolute(anchor.attrib["href"], base_url))
    for script in sel.xpath("//script[not(@src)]/text()").getall():
        variables = {m.group(1): int(m.group(2)) for m in SCRIPT_VAR.finditer(script)}
        for m in CREATE_PAGE.finditer(script):
            total, current = (int(v) if v.isdigit() else variables.get(v) for v in (m.group(1), m.group(2)))
            prefix, ext = m.group(3), m.group(4)
            if total is None:
                continue
            for n in range((current or 0) + 1, min(total, 1000)):
                add(absolute(f"{prefix}_{n}.{ext}", base_url))
    numbered = [(int(m.group(1)), url) for url in (absolute(h, base_url) for h in sel.xpath("//a/@href").getall())
                if url and (m := re.search(r"/index_(\d+)\.s?html?$", url))]
    for _, url in sorted(numbered):
        add(url)
    return pages


def xhr_list_urls(sel: Selector, page_url: str) -> list[str]:
    """JSON endpoints a list page loads by XHR: data-url/data-src/data-api attributes and .json URLs in scripts.
    Relative ones resolve against the document's base URL, as fetch() and XMLHttpRequest resolve them."""
    urls: list[str] = []
    base_url = document_base(sel, page_url)
    for value in sel.xpath("//@data-url | //@data-src | //@data-api | //@data-list").getall():
        if ".json" in value or "/api/" in value:
            urls.append(urljoin(base_url, value))
    for script in sel.xpath("//script[not(@src)]/text()").getall():
        urls.extend(urljoin(base_url, m.group(1)) for m in JSON_URL.finditer(script))
        urls.extend(urljoin(base_url, m.group(1) or m.group(2)) for m in XHR_CALL.finditer(script))
    return list(dict.fromkeys(absolute(u, base_url) for u in urls if absolute(u, base_url)))


TITLE_KEYS = ("title", "name", "bt", "subject", "docTitle")
URL_KEYS = ("url", "link", "href", "path", "docUrl")
DATE_KEYS = ("date", "pubDate", "pubdate", "publishTime", "publish_time", "pubTime", "releaseDate", "time",
             "fbsj", "createTime", "docDate", "publishDate", "docreltime", "docRelTime")


LIST_KEYS = ("data", "list", "rows", "items", "records", "result", "datas", "articleList", "docs", "results",
             "middle", "listAndBox", "content")


def _records(data: Any) -> list[dict]:
    if isinstance(data, list):
        records = [d for d in data if isinstance(d, dict)]
        # TRS 海云 search answers wrap each record: {"data": {"middle": {"listAndBox": [{"data": {title, url, time}}]}}}
        if records and all(set(r) <= {"data", "type", "box", "index"} and isinstance(r.get("data"), dict)
                           for r in records):
            records = [r["data"] for r in records]
        return records
    if isinstance(data, dict):
        for key in LIST_KEYS:
            if key in data:
                found = _records(data[key])
                if found:
                    return found
    return []


def json_list_found(data: Any, depth: int = 0) -> bool:
    """Does a JSON answer hold a list where list APIs put theirs (an empty one included)? An answer without one is
    not an empty column: the page builds its list some other way."""
    if isinstance(data, list):
        return not data or any(isinstance(d, dict) for d in data)
    if isinstance(data, dict) and depth < 4:
        return any(json_list_found(data[key], depth + 1) for key in LIST_KEYS if key in data)
    return False


def json_list_entries(data: Any, base_url: str, *, ref: date | None = None) -> list[ListEntry]:
    entries = []
    for record in _records(data):
        title = next((str(record[k]) for k in TITLE_KEYS if record.get(k)), "")
        href = next((str(record[k]) for k in URL_KEYS if record.get(k)), None)
        fact = None
        for key in DATE_KEYS:
            value = record.get(key)
            if isinstance(value, int | float) and value > 10**11:  # epoch milliseconds
                stamp = datetime.fromtimestamp(value / 1000, UTC).date()
                fact = DateFact(stamp, str(value))
            elif isinstance(value, str):
                fact = parse_date(value, ref=ref)
            if fact is not None:
                break
        entries.append(ListEntry(title[:300], absolute(href, base_url) if href else None, fact))
    return entries


NAV_AREA = re.compile(r"nav|menu|daohang|lanmu|column|lm\b|channel", re.I)
ARTICLE_URL = re.compile(r"/[^/]*\d{6,}[^/]*$|/(?:content|art|post|detail)[_/]", re.I)


def nav_columns(sel: Selector, page_url: str, exclude: set[str] = frozenset()) -> list[ColumnLink]:
    """Columns linked from a homepage: same-site links in navigation areas, or with column-like names elsewhere.

    Links that are list entries (`exclude`) or look like article pages (t20210301_0.html, /content/…) are not
    columns, whatever their anchor says."""
    host = urlsplit(page_url).hostname
    home = absolute(page_url, page_url)
    base_url = document_base(sel, page_url)
    columns: dict[str, ColumnLink] = {}
    for anchor in sel.xpath("//body//a[@href]"):
        name = _text(anchor).strip()
        url = absolute(anchor.attrib.get("href"), base_url)
        if not url or url == home or urlsplit(url).hostname != host or not name or len(name) > 14 \
                or NOT_COLUMN.match(name) or url in columns:
            continue
        if url in exclude or ARTICLE_URL.search(urlsplit(url).path) \
                or re.search(r"\.(pdf|docx?|xlsx?|jpg|png|gif|zip|rar)$", url, re.I):
            continue
        in_nav = bool(anchor.xpath("ancestor::nav")) or any(
            NAV_AREA.search(f"{a.get('id', '')} {a.get('class', '')}") for a in anchor.root.iterancestors())
        if in_nav or COLUMN_WORDS.search(name):
            columns[url] = ColumnLink(name, url, classify_column(name))
    return list(columns.values())
