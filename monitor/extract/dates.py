"""Dates on government pages: list dates, article publication dates, and dates that are not publication dates.

Formats read: 2021-03-02, 2021/3/2, 2021.09.03, 2021年3月2日, 2018年12月19日 19时26分, 2021/04/23 20:23,
labelled 20210302, and year-less [03-02], 03-02, 3月2日 (the year taken from the monitoring point: the latest such
date not after it + 1 day). Impossible dates and years before 1990 or after next year are refused.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from parsel import Selector

from monitor.extract.model import DateFact

FULL = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)\s*日?"
    r"(?:\s*(\d{1,2})\s*[:时]\s*(\d{2})(?!\d)\s*分?(?:\s*[:]\s*\d{2}(?!\d))?)?"
)
COMPACT = re.compile(r"(?:发布|日期|时间)[^\d]{0,6}((?:19|20)\d{2})(\d{2})(\d{2})(?!\d)")
SHORT = re.compile(r"^\s*[\[(（【]?\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*[\])）】]?\s*$")
BRACKETED_SHORT = re.compile(r"[\[(（【]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*[\])）】]")

# Labels that announce a publication date, strongest first. A bare 日期/时间 counts only as a label of its own,
# not inside 会议时间 or 报名时间, which are schedule dates in the body.
PUB_LABELS = re.compile(r"(发布时间|发布日期|发表时间|发稿时间|发文日期|成文日期|更新时间|(?<![\u4e00-\u9fff])(?:日期|时间))"
                        r"\s*[:：]?\s*")
META_NAMES = ("pubdate", "publishdate", "firstpublishedtime", "article:published_time", "dc.date",
              "publish_time", "pubtime", "maketime")
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


def visible_text(sel: Selector) -> str:
    # The whole document, not //body: broken pages leave content outside the body element.
    parts = sel.xpath("//text()[not(ancestor::script) and not(ancestor::style) and not(ancestor::noscript)"
                      " and not(ancestor::textarea) and not(ancestor::head) and not(ancestor::title)]").getall()
    return re.sub(r"[ \t\r\f\v\u3000\xa0]+", " ", "\n".join(p.strip() for p in parts if p.strip()))


def article_date(sel: Selector, *, ref: date | None = None, text: str | None = None) -> DateFact | None:
    """The publication date of an article page.

    Order: a visible labelled date (发布时间: …); else the date of an info line (an element whose class or id says
    time/date/info); else the meta PubDate family; else a date inside an attribute (source "attr"). Dates in the
    body text without a label are schedule or event dates, never the publication date.
    """
    text = visible_text(sel) if text is None else text
    for label in PUB_LABELS.finditer(text):
        fact = parse_date(text[label.end():label.end() + 40], ref=ref)
        if fact is not None and text[label.end():label.end() + 40].lstrip().startswith(fact.text[:4]):
            return DateFact(fact.value, (label.group(0) + fact.text).strip(), "visible")
    for node in sel.xpath("//body//*[@class or @id]"):
        hint = f"{node.attrib.get('class', '')} {node.attrib.get('id', '')}"
        if not INFO_HINT.search(hint) or node.root.tag in ("script", "style", "body", "html"):
            continue
        own = " ".join(t.strip() for t in node.xpath(".//text()[not(ancestor::script)]").getall() if t.strip())
        if len(own) > 200 or CLOCK.search(own) or CLOCK.search(hint):
            continue
        dates = find_dates(own, ref=ref)
        if dates:
            return DateFact(dates[0].value, dates[0].text, "visible")
    for name in META_NAMES:
        for content in sel.xpath(f"//meta[translate(@name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', "
                                 f"'abcdefghijklmnopqrstuvwxyz')='{name}' or @property='{name}']/@content").getall():
            fact = parse_date(content, ref=ref)
            if fact is not None:
                return DateFact(fact.value, f'<meta name="{name}" content="{content}">', "meta")
    for attr in sel.xpath("//body//@*[starts-with(name(), 'data-') or name()='title' or name()='datetime']"):
        fact = parse_date(attr.get(), ref=ref)
        if fact is not None:
            return DateFact(fact.value, f'{attr.xpath("name()").get()}="{attr.get()}"', "attr")
    return None
