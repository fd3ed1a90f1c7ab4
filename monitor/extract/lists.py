"""Column (栏目) list pages: entries with their dates, pagination, lists loaded by XHR, navigation columns.

Precision first: an entry is a link whose row (li, tr, dd, p…) carries a date outside the link text, and a list is
kept when at least one of its rows is dated. Undated lists are only read when the registry gives an item selector,
since navigation menus look like undated lists and would turn a blank column into a column with entries.

Linear and bounded: the links of a page are mapped to their rows and containers in one walk over the tree (no XPath
and no serialisation per link), each row's date is read once, and what a page yields is capped (MAX_LIST_ENTRIES,
MAX_XHR_LISTS, MAX_NEXT_PAGES, MAX_NAV_COLUMNS) with what was cut counted in the caller's `cut` counter, never
silently dropped: a page of 100,000 links is read in about the time parsel takes to select them.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree
from parsel import Selector

from monitor.extract import fold
from monitor.extract.dates import parse_date
from monitor.extract.links import absolute, bounded, document_base, host_and_path
from monitor.extract.model import ColumnLink, DateFact, ListEntry
from monitor.extract.tree import (  # noqa: F401 - SKIP_AREA, NAV_AREA, ROW_TAGS: the areas are read in the walk
    NAV_AREA,
    ROW_TAGS,
    SKIP_AREA,
    PageTree,
    _skips,
    text_nodes,
    text_outside_scripts,
    tree_of,
)

# Entries kept per list page: a column page shows 15–50, a whole-archive page a few hundred. More is no list a
# person reads; the rest is counted in cut["entries"].
MAX_LIST_ENTRIES = 1000
# XHR list endpoints the spider requests per column (all its list pages together), counting the rest: a list loads
# from one endpoint, two or three with its paging or search variants; 2,000 data-url attributes are no 2,000 lists.
MAX_XHR_LISTS_PER_COLUMN = 3
MAX_XHR_LISTS = 20  # XHR list endpoints kept per page, before the spider keeps the same-site ones
MAX_NEXT_PAGES = 1000  # pagination links kept per page (createPageHTML lists are capped there too)
MAX_NAV_COLUMNS = 300  # navigation columns kept per homepage (the spider follows far fewer)
# A row holding more links than this is a block: its text outside this link is other links' titles, not a date.
ROW_LINKS_READ = 8
PAGINATION_TEXT = re.compile(r"^\s*(下一页|下页|后一页|next|>|›|»)\s*$", re.I)
# TRS CMS: createPageHTML(total, current, "index", "html") writes links index.html, index_1.html … index_{total-1};
# the counts are numbers or variables declared in the same script (var countPage = 5).
CREATE_PAGE = re.compile(r"createPageHTML\(\s*['\"]?(\w+)['\"]?\s*,\s*['\"]?(\w+)['\"]?\s*,\s*['\"]([\w-]+)['\"]\s*,"
                         r"\s*['\"](\w+)['\"]")
SCRIPT_VAR = re.compile(r"\b(?:var|let|const)?\s*(\w+)\s*=\s*['\"]?(\d+)['\"]?\s*[;,\n/]")
DATA_URLS = etree.XPath("//@data-url | //@data-src | //@data-api | //@data-list", smart_strings=False)
JSON_URL = re.compile(r"""["']([^"'\s]+?\.json(?:\?[^"'\s]*)?)["']""")
# URLs handed to the usual XHR helpers, whatever their extension: fetch('…'), $.getJSON('…'), $.ajax({url: '…'}).
XHR_CALL = re.compile(r"""(?:\bfetch|\.getJSON|\$\.get|\$\.post|\.open\s*\(\s*['"](?:GET|POST)['"]\s*,)\s*\(?\s*"""
                      r"""['"]([^'"\s]+)['"]|\burl\s*:\s*['"]([^'"\s]+)['"]""", re.I)
XHR_CALL_STARTS = ("fetch", ".getjson", "$.get", "$.post", ".open", "url")  # what every XHR_CALL match starts with
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


@lru_cache(maxsize=4096)  # a site's column names recur on every page of it
def classify_column(name: str) -> str:
    """dynamic / notice / policy / personnel / plan / interaction / service / other, from a column name."""
    for category, pattern in CATEGORIES:
        if pattern.search(name):
            return category
    return "other"


@lru_cache(maxsize=4096)  # a site's navigation names recur on every page of it
def _column_name(name: str) -> bool | None:
    """None for a link name that is no column's (NOT_COLUMN), else whether it has a column's words (COLUMN_WORDS)."""
    return None if NOT_COLUMN.match(name) else COLUMN_WORDS.search(name) is not None


def _in_skipped_area(node: Selector) -> bool:
    """Is a link inside navigation, header, footer, pagination… (one node; list pages map all links in one pass)."""
    for anc in node.root.iterancestors():
        if _skips(anc.tag, f"{anc.get('id', '')} {anc.get('class', '')}"):
            return True
    return False


def _not_link(el: Any) -> bool:
    return el.tag != "a"


def _el_text(el: Any) -> str:
    """Text of an element outside scripts, as `_text` reads it, from lxml directly (no XPath per link)."""
    return text_outside_scripts(el)


def _text(node: Selector) -> str:
    return _el_text(node.root)


class _Dates:
    """The date of each list row, read once per row: a page of n links costs n row readings, not n × its size."""

    def __init__(self, ref: date | None, date_selector: str | None) -> None:
        self.ref, self.date_selector = ref, date_selector
        self.own: dict[Any, DateFact | None] = {}  # first date among a row's text outside links
        self.texts: dict[Any, str] = {}
        self.selected: dict[Any, DateFact | None] = {}

    def of(self, row: Any, anchor: Any, *, row_in_a: bool = False, links_in_row: int = 1,
           anchor_text: str | None = None) -> DateFact | None:
        ref = self.ref
        if self.date_selector:
            if row not in self.selected:
                texts = Selector(root=row).css(self.date_selector).xpath(".//text()").getall()
                self.selected[row] = parse_date(" ".join(texts), ref=ref)
            return self.selected[row]
        if row not in self.own:
            # A row's text outside links: its own text nodes, and those of its descendants outside any <a>.
            outside_links = (lambda el: False) if row_in_a or row.tag == "a" else _not_link
            self.own[row] = next((fact for t in text_nodes(row, outside_links) if t.strip()
                                  and (fact := parse_date(t.strip(), ref=ref)) is not None), None)
        fact = self.own[row]
        if fact is not None:
            return fact
        # The row's whole text without this link's: a date split over elements. Only for a row of a few links: in
        # a block of many, the rest of its text is other links' titles, and reading it per link is quadratic.
        if row is not anchor and links_in_row <= ROW_LINKS_READ:
            if row not in self.texts:
                self.texts[row] = _el_text(row)
            anchor_text = _el_text(anchor) if anchor_text is None else anchor_text
            fact = parse_date(self.texts[row].replace(anchor_text, " ", 1), ref=ref)
            if fact is not None:
                return fact
        # Some CMSs put the date in its own element inside the link: <a><span>标题</span><span>2021-03-01</span></a>.
        if len(anchor):
            for node in text_nodes(anchor, own=False):
                text = node.strip()
                fact = parse_date(text, ref=ref)
                if fact is not None and fact.text.strip("[]()（）【】 ") == text.strip("[]()（）【】 "):
                    return fact
        return None


def list_entries(sel: Selector, page_url: str, *, item_selector: str | None = None,
                 date_selector: str | None = None, ref: date | None = None, cut: Counter[str] | None = None,
                 limit: int = MAX_LIST_ENTRIES, tree: PageTree | None = None) -> list[ListEntry]:
    """The dated list of a page (or the registry's items), at most `limit` entries; more are counted in
    cut["entries"]."""
    base_url = document_base(sel, page_url, tree)  # hrefs resolve against <base href> when the page has one
    dates = _Dates(ref, date_selector)
    if item_selector:
        items = sel.css(item_selector)
        entries = []
        for item in items[:limit]:
            anchor = item.xpath(".//a[@href][1]")
            title = _text(anchor[0]) if anchor else _text(item)
            url = absolute(anchor[0].attrib.get("href"), base_url) if anchor else None
            target = anchor[0].root if anchor else item.root
            entries.append(ListEntry(title, url, dates.of(item.root, target, links_in_row=1)))
        bounded(list(range(len(items))), limit, cut, "entries")
        return entries
    page = tree_of(sel, tree)  # every link mapped to its row and containers in the page's one walk
    groups: dict[Any, list[tuple[ListEntry, bool]]] = {}
    seen: set[str] = set()
    for found in page.anchors:
        el = found.el
        if found.skipped:
            continue
        url = absolute(el.get("href"), base_url)
        if url is None or url in seen:  # a repeated link is its first row's entry
            continue
        anchor_text = page.link_text(el)
        title = anchor_text or el.get("title", "")
        if not title or PAGINATION_TEXT.match(title):
            continue
        row, row_in_a, links_in_row = found.row, found.row_in_a, 1
        if row is None:
            parent = el.getparent()
            row_in_a = False
            row = parent if parent is not None and page.links_in.get(parent) == 1 else el
        else:
            links_in_row = page.links_in.get(row, 1)
        fact = dates.of(row, el, row_in_a=row_in_a, links_in_row=links_in_row, anchor_text=anchor_text)
        seen.add(url)
        # Entries are grouped by the container of their rows: a list is the rows of one container.
        key = row.getparent()
        groups.setdefault(key if key is not None else 0, []).append(
            (ListEntry(title.strip()[:300], url, fact), fact is not None))
    entries = [entry for group in groups.values() if any(dated for _, dated in group) for entry, _ in group]
    return bounded(entries, limit, cut, "entries")


def is_empty_list(text: str) -> bool:
    return any(marker in text for marker in EMPTY_MARKERS)


def next_pages(sel: Selector, page_url: str, *, cut: Counter[str] | None = None,
               limit: int = MAX_NEXT_PAGES, tree: PageTree | None = None) -> list[str]:
    """Pagination links in order: 下一页 links, TRS createPageHTML scripts, index_N.html links; at most `limit`,
    more counted in cut["next_pages"]."""
    pages: dict[str, None] = {}  # ordered, with constant-time membership
    tree = tree_of(sel, tree)
    base_url = document_base(sel, page_url, tree)  # script-written links resolve against <base href> too
    this_page = absolute(page_url, page_url)

    def add(url: str | None) -> None:
        if url and url != this_page:
            pages[url] = None

    hrefs: list[str] = []  # those of numbered pages (index_N.html), added after the scripts' pages
    for anchor in tree.tags["a"]:
        if (href := anchor.get("href")) is None:
            continue
        # The link text is stripped: it is one of PAGINATION_TEXT's words (four characters at most) or no match.
        if len(text := tree.link_text(anchor)) <= 4 and PAGINATION_TEXT.match(text):
            add(absolute(href, base_url))
        if "index_" in href:
            hrefs.append(href)
    for script in tree.inline_scripts:
        calls = list(CREATE_PAGE.finditer(script)) if "createPageHTML" in script else []
        # The script's variables only where a createPageHTML call names one (most pass numbers): reading them costs
        # more than the rest.
        named = any(not v.isdigit() for m in calls for v in (m.group(1), m.group(2)))
        variables = {m.group(1): int(m.group(2)) for m in SCRIPT_VAR.finditer(script)} if named else {}
        for m in calls:
            total, current = (int(v) if v.isdigit() else variables.get(v) for v in (m.group(1), m.group(2)))
            prefix, ext = m.group(3), m.group(4)
            if total is None:
                continue
            for n in range((current or 0) + 1, min(total, 1000)):
                add(absolute(f"{prefix}_{n}.{ext}", base_url))
    numbered = [(int(m.group(1)), url) for url in (absolute(h, base_url) for h in hrefs)
                if url and (m := NUMBERED_PAGE.search(url))]
    for _, url in sorted(numbered):
        add(url)
    return bounded(list(pages), limit, cut, "next_pages")


def xhr_list_urls(sel: Selector, page_url: str, *, cut: Counter[str] | None = None,
                  limit: int = MAX_XHR_LISTS, tree: PageTree | None = None) -> list[str]:
    """JSON endpoints a list page loads by XHR: data-url/data-src/data-api attributes and .json URLs in scripts.
    Relative ones resolve against the document's base URL, as fetch() and XMLHttpRequest resolve them. At most
    `limit` (the first in the page), the others counted in cut["xhr_lists"]: 2,000 data-url attributes are one
    list's items, not 2,000 lists to fetch."""
    urls: list[str] = []
    tree = tree_of(sel, tree)
    base_url = document_base(sel, page_url, tree)
    for value in tree.data_urls:  # DATA_URLS, gathered in the walk
        if ".json" in value or "/api/" in value:
            urls.append(urljoin(base_url, value))
    for script in tree.inline_scripts:
        # The regexes only where their words are: a substring test is a hundred times faster than a scan of them
        # (fold.finditer tries XHR_CALL only where the words it starts with stand).
        if ".json" in script:
            urls.extend(urljoin(base_url, m.group(1)) for m in JSON_URL.finditer(script))
        urls.extend(urljoin(base_url, m.group(1) or m.group(2)) for m in fold.finditer(XHR_CALL, script, XHR_CALL_STARTS))
    found = list(dict.fromkeys(url for u in urls if (url := absolute(u, base_url))))
    return bounded(found, limit, cut, "xhr_lists")


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


ARTICLE_URL = re.compile(r"/[^/]*\d{6,}[^/]*$|/(?:content|art|post|detail)[_/]", re.I)
NUMBERED_PAGE = re.compile(r"/index_(\d+)\.s?html?$")
NOT_COLUMN_FILE = re.compile(r"\.(pdf|docx?|xlsx?|jpg|png|gif|zip|rar)$", re.I)


def nav_columns(sel: Selector, page_url: str, exclude: set[str] = frozenset(), *,
                cut: Counter[str] | None = None, limit: int = MAX_NAV_COLUMNS,
                tree: PageTree | None = None) -> list[ColumnLink]:
    """Columns linked from a homepage: same-site links in navigation areas, or with column-like names elsewhere;
    at most `limit`, more counted in cut["columns"].

    Links that are list entries (`exclude`) or look like article pages (t20210301_0.html, /content/…) are not
    columns, whatever their anchor says."""
    host = urlsplit(page_url).hostname
    home = absolute(page_url, page_url)
    tree = tree_of(sel, tree)
    base_url = document_base(sel, page_url, tree)
    columns: dict[str, ColumnLink] = {}
    for found in tree.anchors:
        anchor = found.el
        name = tree.link_text(anchor)
        # The name's tests first: most links are no column by their name, and need no address resolved.
        if not name or len(name) > 14 or (words := _column_name(name)) is None or not (found.nav or words):
            continue
        url = absolute(anchor.get("href"), base_url)
        if not url or url == home or url in columns or url in exclude:
            continue
        url_host, path = host_and_path(url)
        if url_host != host or ARTICLE_URL.search(path) or NOT_COLUMN_FILE.search(url):
            continue
        columns[url] = ColumnLink(name, url, classify_column(name))
    return bounded(list(columns.values()), limit, cut, "columns")
