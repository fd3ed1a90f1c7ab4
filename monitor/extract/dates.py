"""Dates on government pages: list dates, article publication dates, and dates that are not publication dates.

Formats read: 2021-03-02, 2021/3/2, 2021.09.03, 2021年3月2日, 2018年12月19日 19时26分, 2021/04/23 20:23,
labelled 20210302, and year-less [03-02], 03-02, 3月2日 (the year taken from the monitoring point: the latest such
date not after it + 1 day). Impossible dates and years before 1990 or after next year are refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from parsel import Selector

from monitor.extract.model import DateFact
from monitor.extract.tree import NOT_SCRIPT, NOT_SCRIPT_STYLE, PageTree, iter_text_nodes, tree_of

FULL = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)\s*日?"
    r"(?:\s*(\d{1,2})\s*[:时]\s*(\d{2})(?!\d)\s*分?(?:\s*[:]\s*\d{2}(?!\d))?)?"
)
COMPACT = re.compile(r"(?:发布|日期|时间)[^\d]{0,6}((?:19|20)\d{2})(\d{2})(\d{2})(?!\d)")
SHORT = re.compile(r"^\s*[\[(（【]?\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*[\])）】]?\s*$")
BRACKETED_SHORT = re.compile(r"[\[(（【]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*[\])）】]")
DIGIT = re.compile(r"\d")  # what every date above holds: most texts (titles, names) have none

# Labels that announce a publication date, by strength: an explicit publication label, then the dates of a
# document's metadata table (发文/成文日期: a 发布日期 beside them wins), then a bare 日期/时间. A bare label counts
# only as a label of its own, not inside 会议时间 or 报名时间, and only in the header of the article (between the
# title and the body), since "时间：3月5日上午9时" in a meeting notice is a schedule, not the publication date.
STRONG_LABELS = re.compile(r"(?:发布|发表|发稿|公开|上传|刊发)(?:时间|日期)|发布于")
MEDIUM_LABELS = re.compile(r"(?:发文|成文|印发|生成|更新)(?:时间|日期)")
WEAK_LABELS = re.compile(r"(?<![\u4e00-\u9fff])(?:日期|时间)")
PUB_LABELS = re.compile(rf"(?:{STRONG_LABELS.pattern}|{MEDIUM_LABELS.pattern}|{WEAK_LABELS.pattern})\s*[:：]?\s*")
META_NAMES = ("pubdate", "publishdate", "firstpublishedtime", "article:published_time", "dc.date",
              "publish_time", "pubtime", "maketime")
ATTR_NAMES = ("title", "datetime", "content", "value")
# A paragraph of the body: a text node with this many Chinese characters ends the article header.
BODY_LINE = re.compile(r"[\u4e00-\u9fff]")
BODY_CJK = 30
HEADER_SPAN = 600
# Containers of an article's body text (TRS, Hanweb, Dayu and hand-written CMS templates).
BODY_HINT = re.compile(r"TRS_Editor|\bzoom|article[-_]?con|con[-_]?text|content|\bzw\b|wzzw|detail[-_]?(?:con|main|text)|"
                       r"news[-_]?text|pages_content|\bview\b|Custom_UnionStyle", re.I)
# Elements whose class names an article title (h1 and h2 are candidates whatever their class).
TITLE_CLASS = re.compile(r"title|biaoti|bt\b|tit\b", re.I)
TITLE_SEPARATOR = re.compile(r"[_|｜—-]{1,2}")  # between an article's title and the site's in <title>
ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")  # XPath's translate()
INFO_HINT = re.compile(r"time|date|info|pub|fbsj|source|attr|xinxi|sj\b|detail", re.I)
# A clock widget in the page header ("今天：2024年2月22日 星期四") shows the visitor's date, not the article's.
CLOCK = re.compile(r"今天|今日|当前日期|当前时间|星期[一二三四五六日天]|site-?date|clock", re.I)


def _valid(y: int, m: int, d: int, ref: date | None) -> date | None:
    last_year = (ref or date.today()).year + 1
    if not 1990 <= y <= last_year:
        return None
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _yearless(m: int, d: int, ref: date | None) -> date | None:
    if ref is None:
        return None
    for year in (ref.year, ref.year - 1):
        value = _valid(year, m, d, ref)
        if value is not None and value <= ref + timedelta(days=1):
            return value
    return None


def find_dates(text: str, *, ref: date | None = None) -> list[DateFact]:
    """Every full date in text (and bracketed year-less ones such as [03-02]), in order of appearance."""
    if DIGIT.search(text) is None:  # one scan rather than three
        return []
    found: list[tuple[int, DateFact]] = []
    for m in FULL.finditer(text):
        value = _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)), ref)
        if value is not None:
            found.append((m.start(), DateFact(value, m.group(0).strip())))
    for m in COMPACT.finditer(text):
        value = _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)), ref)
        if value is not None:
            found.append((m.start(1), DateFact(value, m.group(0).strip())))
    for m in BRACKETED_SHORT.finditer(text):
        value = _yearless(int(m.group(1)), int(m.group(2)), ref)
        if value is not None and not any(start <= m.start() < start + len(f.text) for start, f in found):
            found.append((m.start(), DateFact(value, m.group(0).strip())))
    return [fact for _, fact in sorted(found, key=lambda pair: pair[0])]


def parse_date(text: str, *, ref: date | None = None) -> DateFact | None:
    """The date a short text holds: a full date, or a text that is only a year-less date like [03-02]."""
    if not text:
        return None
    dates = find_dates(text, ref=ref)
    if dates:
        return dates[0]
    m = SHORT.match(text)
    if m:
        value = _yearless(int(m.group(1)), int(m.group(2)), ref)
        if value is not None:
            return DateFact(value, text.strip())
    return None


def visible_text(sel: Selector, tree: PageTree | None = None) -> str:
    """The text a visitor reads: every text node outside script, style, noscript, textarea, head and title, one a
    line. The whole document, not //body: broken pages leave content outside the body element."""
    return tree_of(sel, tree).text


def _title_span(tree: PageTree, text: str) -> tuple[int, int, bool] | None:
    """Where the article title sits in the visible text (start, end, headline?), from the h1, a title element or
    <title>. headline: the title is an element's and long enough for an article title (a column name like 工作动态
    above a list is not)."""
    candidates = (el for el, _, cls, _, _ in tree.hinted
                  if (cls is not None and _title_class(cls)) or el.tag in ("h1", "h2"))
    titles = [(" ".join(iter_text_nodes(el)).split(), True) for _, el in zip(range(6), candidates, strict=False)]
    page_title = (tree.title or "").strip()
    if page_title:
        titles.append((TITLE_SEPARATOR.split(page_title)[0].split(), False))
    for words, element in titles:
        if not words or len("".join(words)) < 4:
            continue
        # The visible text joins text nodes with newlines: find the title's first words, then skip to its end.
        pos = text.find(words[0])
        while pos >= 0:
            end = pos
            for word in words:
                found = text.find(word, end)
                if found < 0 or found - end > 3:
                    break
                end = found + len(word)
            else:
                return pos, end, element and len("".join(words)) >= 6
            pos = text.find(words[0], pos + 1)
    return None


def _header_end(tree: PageTree, text: str, start: int) -> int:
    """End of the article header after position start: the body container or the first body paragraph, at most
    HEADER_SPAN on."""
    limit = min(len(text), start + HEADER_SPAN)
    for body, _, _, _, hint in tree.hinted:
        if not _body_hint(hint) or body in tree.h1_holders:
            continue
        first = next((s for t in iter_text_nodes(body, NOT_SCRIPT_STYLE) if (s := t.strip())), None) \
            if NOT_SCRIPT_STYLE(body) else None
        found = text.find(first, start, limit) if first else -1
        if found >= 0:
            limit = found
            break
    pos = start
    for line in text[start:start + HEADER_SPAN].split("\n"):
        if pos >= limit or (len(line) >= BODY_CJK and len(BODY_LINE.findall(line)) >= BODY_CJK):
            return min(pos, limit)
        pos += len(line) + 1
    return limit


def _label_matches(text: str) -> Iterator[re.Match[str]]:
    """PUB_LABELS.finditer(text), tried only where a label can start: at 时间 or 日期 (a bare label), two characters
    before them (发布时间, 成文日期…) and at 发布于; a pattern opening with an alternation is otherwise tried at every
    character of the text."""
    starts: set[int] = set()
    for word, back in (("时间", 2), ("日期", 2), ("发布于", 0)):
        at = text.find(word)
        while at >= 0:
            starts.update((at, at - back) if back and at >= back else (at,))
            at = text.find(word, at + 1)
    end = 0
    for at in sorted(starts):
        if at >= end and (m := PUB_LABELS.match(text, at)) is not None:
            yield m
            end = m.end()


def _labelled(text: str, ref: date | None) -> list[tuple[int, int, DateFact]]:
    """(rank, position, date) of every date right after a publication label; rank 0 strongest."""
    found = []
    for label in _label_matches(text):
        after = text[label.end():label.end() + 40]
        fact = parse_date(after, ref=ref)
        if fact is None or not after.lstrip().startswith(fact.text[:4]):
            continue
        word = label.group(0)
        rank = 0 if STRONG_LABELS.match(word) else 1 if MEDIUM_LABELS.match(word) else 2
        found.append((rank, label.start(), DateFact(fact.value, (word + fact.text).strip(), "visible")))
    return found


def article_date(sel: Selector, *, ref: date | None = None, text: str | None = None,
                 tree: PageTree | None = None) -> DateFact | None:
    """The publication date of an article page.

    Order: a visible date after a publication label (发布时间 > 成文日期 > a bare 日期 in the header); else the date
    of an info line (an element whose class or id says time/date/info, or the first date between the title and the
    body); else the meta PubDate family; else a date inside an attribute (source "attr"). Dates in the body text
    without a label are schedule or event dates, never the publication date.
    """
    tree = tree_of(sel, tree)
    text = tree.text if text is None else text
    span = _title_span(tree, text)
    head_start = span[1] if span else 0
    head_end = _header_end(tree, text, head_start)
    labelled = _labelled(text, ref)
    for rank in (0, 1):
        ranked = [(pos, fact) for r, pos, fact in labelled if r == rank]
        if ranked:
            # Near the title: the first after it (a sidebar before the title may list other articles' dates).
            after = [pair for pair in ranked if pair[0] >= head_start]
            return (after or ranked)[0][1]
    # The header between the title and the body: its first date is the info line's ("2021-03-01 来源：…"),
    # labelled with a bare 日期/时间 or not at all.
    header = [(pos, fact) for r, pos, fact in labelled if r == 2 and
              ((span is None and pos < head_end) or head_start - 40 <= pos < head_end)]
    if span is not None and span[2]:
        for m in FULL.finditer(text, head_start, head_end):
            line = text[text.rfind("\n", 0, m.start()) + 1:m.start()]
            facts = find_dates(text[m.start():m.end()], ref=ref)
            if facts and not CLOCK.search(line):
                header.append((m.start(), facts[0]))
    if header:
        return min(header, key=lambda pair: pair[0])[1]
    for node, ident, cls, in_body, hint in tree.hinted:  # //body//*[@class or @id]
        if not in_body or (ident is None and cls is None):
            continue
        if not _info_hint(hint) or node.tag in ("script", "style", "body", "html"):
            continue
        own = _short_text(node, 200)
        if own is None or CLOCK.search(own) or CLOCK.search(hint):
            continue
        dates = find_dates(own, ref=ref)
        if dates:
            return DateFact(dates[0].value, dates[0].text, "visible")
    metas = [(meta, meta.get("name"), meta.get("property"), meta.get("content")) for meta in tree.tags["meta"]]
    for name in META_NAMES:
        for _, meta_name, prop, content in metas:
            if content is None or not ((meta_name or "").translate(ASCII_LOWER) == name or prop == name):
                continue
            fact = parse_date(content, ref=ref)
            if fact is not None:
                return DateFact(fact.value, f'<meta name="{name}" content="{content}">', "meta")
    for node in tree.body_elements():  # //body//*[@*]
        for attr, value in node.attrib.items():
            if attr.startswith("data-") or attr in ATTR_NAMES:
                fact = parse_date(value, ref=ref)
                if fact is not None:
                    return DateFact(fact.value, f'{attr}="{value}"', "attr")
    return None


@lru_cache(maxsize=4096)
def _info_hint(hint: str) -> bool:  # container names repeat on a page and across a site's pages
    return INFO_HINT.search(hint) is not None


@lru_cache(maxsize=4096)
def _title_class(cls: str) -> bool:  # class names repeat on a page and across a site's pages
    return TITLE_CLASS.search(cls) is not None


@lru_cache(maxsize=4096)
def _body_hint(hint: str) -> bool:  # container names repeat on a page and across a site's pages
    return bool(BODY_HINT.search(hint))


def _short_text(el: Any, limit: int) -> str | None:
    """An element's text outside scripts, joined as XPath's `.//text()` would be, or None once it is longer than
    `limit`: read no further than that, however large the element."""
    parts: list[str] = []
    length = -1
    for t in iter_text_nodes(el, NOT_SCRIPT):
        if s := t.strip():
            parts.append(s)
            length += len(s) + 1
            if length > limit:
                return None
    return " ".join(parts)
