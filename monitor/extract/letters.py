"""Letters channels (领导信箱, 咨询投诉, 12345 留言, 网上信访): list pages, letter pages and the state of a channel.

- `read_letter_list`: the letters a list page shows, with their 来信/答复 times, status and handling unit, and the
  next pages (下一页 links, TRS createPageHTML scripts, index_N links: lists.next_pages). Columns are read from a
  header that names them (table headers, or a header row of spans above a <ul>), else from labels inside each row
  ("来信时间：2021-03-02"), else from the registry's selectors. A row date without a label that says what it is
  ("时间", or no header at all) is kept in `dates` only: a publication date is not a 来信时间.
- `read_letter_detail`: the label–value pairs of a letter page (tables, <dl>, <p><span>label：</span>value</p>,
  "label：value" text, a label heading followed by its text), and from them the times, unit, status, category and
  whether an answer is shown.
- `channel_state`: ok / form / login / closed / empty / error / unreadable (see its docstring).

Times read: 2021-03-02 10:21(:33), 2021-03-02, 2021/3/2, 2021年3月2日, 2021年03月02日 10时21分, 2021-03-02T10:21;
a time of day makes the value a datetime, else a date. Year-less dates (03-02) are not read: which year a letter
was written in decides whether it is 3 months overdue, and guessing it is not precise.

The label–value reader (`block_lines`, `label_values`) is shared with guides.py (办事指南 pages).
"""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from lxml import etree
from parsel import Selector

from monitor.extract.dates import FULL, parse_date, visible_text
from monitor.extract.links import absolute, document_base
from monitor.extract.lists import EMPTY_MARKERS, PAGINATION_TEXT, list_entries, next_pages
from monitor.extract.unreadable import (
    BLOCKED,
    CHALLENGE,
    LOGIN,
    LOGIN_URL,
    MOVED,
    XML_RECORD,
    classify,
    script_list_signs,
)

MAX_TEXT = 2000  # question and answer texts are kept up to this many characters
MAX_VALUE = 300  # other values (units, statuses, times)

# ------------------------------------------------------------------ times


@dataclass(frozen=True)
class TimeFact:
    """A time read from a page: a datetime when the text gives the time of day, else a date; with its text."""

    value: date | datetime
    text: str

    @property
    def day(self) -> date:
        return self.value.date() if isinstance(self.value, datetime) else self.value


SECONDS = re.compile(r"[:时]\s*\d{2}\s*分?\s*:\s*(\d{2})\s*$")


def parse_time(text: str | None, *, ref: date | None = None) -> TimeFact | None:
    """The first full date in text, with its time of day when one follows it (dates.FULL reads both)."""
    if not text:
        return None
    spaced = re.sub(r"(\d)[Tt](\d)", r"\1 \2", text)  # ISO 2021-03-02T10:21 (same length: positions hold)
    for m in FULL.finditer(spaced):
        written = text[m.start():m.end()].strip()
        fact = parse_date(m.group(0), ref=ref)  # the year range and impossible dates are checked there
        if fact is None:
            continue
        if m.group(4) is not None and m.group(5) is not None:
            hour, minute = int(m.group(4)), int(m.group(5))
            sec = SECONDS.search(m.group(0).strip())
            second = int(sec.group(1)) if sec else 0
            if hour < 24 and minute < 60 and second < 60:
                return TimeFact(datetime(fact.value.year, fact.value.month, fact.value.day, hour, minute, second),
                                written)
        # An impossible time of day leaves the date alone, and the text says only the date.
        return TimeFact(fact.value, re.sub(r"\s*\d{1,2}\s*[:时].*$", "", written))
    return None


# ------------------------------------------------------------------ label–value reading (shared with guides.py)

BLOCK_TAGS = {"p", "div", "li", "ul", "ol", "dl", "dt", "dd", "table", "tbody", "thead", "tfoot", "tr", "td", "th",
              "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "header", "footer", "form", "br", "hr",
              "blockquote", "pre", "center", "fieldset", "legend", "nav", "aside", "main", "caption", "address",
              "figure", "figcaption", "details", "summary"}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# Not text a visitor reads as the page's content: scripts, form controls (a 类型 select lists 咨询/投诉/建议 as
# options, a textarea holds the visitor's own text), embedded frames.
SKIP_TAGS = {"script", "style", "noscript", "head", "title", "textarea", "select", "option", "button", "iframe",
             "svg", "template", "object"}
# Inline elements that separate what they hold from its neighbours: <span>来信时间</span><span>2021-03-02</span>.
SPACED_INLINE = {"span", "label", "em", "i", "b", "strong", "font", "small", "sup", "sub", "img", "input"}
SPACES = re.compile(r"[ \t\r\f\v\u3000\xa0]+")
# Numbering and brackets around a label: 一、申请条件 / （三）办理材料 / 3.办理地点 / 【受理条件】 / ■ 办理时间.
NUMBERING = (r"(?:[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十\d]+\s*[)）]|\d+\s*[、.．](?!\d)|"
             r"[【\[■●◆◇□▶►·•*-])\s*")
LABEL_PREFIX = re.compile(rf"^\s*{NUMBERING}")
LABEL_SUFFIX = re.compile(r"\s*[】\]]?\s*[:：]?\s*$")


@dataclass(frozen=True)
class Cell:
    text: str
    link: bool = False  # holds an <a href> (a value "详见附件" with its link is a reference, not a placeholder)


@dataclass(frozen=True)
class Line:
    """One line of a page as a reader sees it: a table row or <dl> as cells, any other block as one cell."""

    cells: tuple[Cell, ...]
    heading: bool = False  # an h1–h6: ends the text of the label before it
    row: bool = False
    element: etree._Element | None = field(default=None, compare=False, repr=False)  # the block it came from


def _norm(text: str) -> str:
    lines = [SPACES.sub(" ", part).strip() for part in text.split("\n")]
    return "\n".join(part for part in lines if part)


def _tag(el: etree._Element) -> str | None:
    return el.tag.lower() if isinstance(el.tag, str) else None


def _has_link(el: etree._Element) -> bool:
    return any(a.get("href", "").strip() and not a.get("href", "").strip().lower().startswith(("javascript:", "#"))
               for a in el.iter("a"))


def _cell_text(el: etree._Element) -> str:
    return "\n".join(" ".join(c.text for c in line.cells) for line in _walk_lines(el))


def _walk_lines(root: etree._Element) -> list[Line]:
    lines: list[Line] = []
    buf: list[str] = []
    link = [False]
    blocks = [root]  # the block elements open around the text being read

    def flush(heading: bool = False) -> None:
        text = _norm("".join(buf))
        if text:
            lines.append(Line((Cell(text, link[0]),), heading=heading, element=blocks[-1]))
        buf.clear()
        link[0] = False

    def walk(el: etree._Element) -> None:
        tag = _tag(el)
        if tag is None or tag in SKIP_TAGS:
            return
        # A table row or definition list without nested tables is one line of cells.
        if tag == "tr" and not any(_tag(d) == "table" for d in el.iterdescendants()):
            flush()
            cells = tuple(Cell(_norm(_cell_text(td)), _has_link(td)) for td in el if _tag(td) in ("td", "th"))
            if any(c.text for c in cells):
                lines.append(Line(cells, row=True, element=el))
            return
        if tag == "dl" and not any(_tag(d) in ("table", "dl") for d in el.iterdescendants()):
            flush()
            cells = tuple(Cell(_norm(_cell_text(d)), _has_link(d)) for d in el if _tag(d) in ("dt", "dd"))
            if any(c.text for c in cells):
                lines.append(Line(cells, row=True, element=el))
            return
        block = tag in BLOCK_TAGS
        if block:
            flush()
            blocks.append(el)
        elif tag in SPACED_INLINE:
            buf.append(" ")
        if tag == "a" and el.get("href", "").strip():
            link[0] = True
        if el.text:
            buf.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                buf.append(child.tail)
        if block:
            flush(heading=tag in HEADINGS)
            blocks.pop()
        elif tag in SPACED_INLINE:
            buf.append(" ")

    walk(root)
    flush()
    return lines


def _scope(line: Line) -> etree._Element | None:
    """The element a label line's section lies in: the parent of the largest element that holds only the label
    (<div class="hd"><h3>申请条件</h3></div><div class="bd">…</div> → their common parent)."""
    el = line.element
    if el is None:
        return None
    label = "".join(line.cells[0].text.split())
    while el.getparent() is not None and "".join("".join(el.getparent().itertext()).split()) == label:
        el = el.getparent()
    return el.getparent()


def _within(line: Line, scope: etree._Element | None) -> bool:
    if scope is None or line.element is None:
        return True
    return line.element is scope or any(a is scope for a in line.element.iterancestors())


def block_lines(sel: Selector) -> list[Line]:
    """The page as lines of cells, in document order (the whole document: broken pages leave text outside body)."""
    return _walk_lines(sel.root) if isinstance(sel.root, etree._Element) else []


@dataclass(frozen=True)
class Pair:
    key: str  # canonical key of the vocabulary
    label: str  # the label as the page writes it
    value: str
    link: bool = False  # the value holds a link


class Vocabulary:
    """Labels of a kind of page: canonical key → the labels that name it, and labels of other fields that only end
    the value before them (`stops`)."""

    def __init__(self, labels: Mapping[str, Iterable[str]], stops: Iterable[str] = (),
                 single_line: Iterable[str] = ()) -> None:
        self.single_line = set(single_line)  # keys whose value under a label alone on its line is one line
        self.keys: dict[str, str] = {}
        for key, names in labels.items():
            for name in names:
                self.keys[name] = key
        self.stops = set(stops)
        names = sorted(set(self.keys) | self.stops, key=len, reverse=True)
        alternatives = "|".join(re.escape(n) for n in names)
        # A label inside a cell: at the cell's start or after a separator (not inside a sentence: 我的留言时间：…),
        # followed by a colon; at the start of a cell a space will do (<span>答复单位</span><span>市交通局</span>).
        self.inline = re.compile(rf"(?:^|(?<=[\s|｜,，;；。】\]）)]))(?:{NUMBERING})?"
                                 rf"({alternatives})\s*(?:[】\]])?\s*(?:[:：]|(?=\s)|$)")

    def label(self, text: str) -> tuple[str | None, str] | None:
        """(key or None for a stop label, label) when the whole text is a label, else None."""
        if len(text) > 24:
            return None
        core = LABEL_SUFFIX.sub("", LABEL_PREFIX.sub("", text)).strip()
        if core in self.keys:
            return self.keys[core], core
        if core in self.stops:
            return None, core
        return None

    def starts_with_label(self, text: str) -> bool:
        m = self.inline.match(text)
        return bool(m) and (m.end() < len(text) or self.label(text) is not None)


def _inline_pairs(cell: Cell, vocab: Vocabulary) -> list[Pair]:
    """label：value pairs inside one cell; a value runs to the next label of the vocabulary."""
    pairs: list[Pair] = []
    matches = list(vocab.inline.finditer(cell.text))
    for i, m in enumerate(matches):
        key = vocab.keys.get(m.group(1))
        if key is None:
            continue
        end = matches[i + 1].start() if i + 1 < len(matches) else len(cell.text)
        value = cell.text[m.end():end].strip(" \n|｜;；,，")
        if value or m.group(0).rstrip().endswith((":", "：")):
            pairs.append(Pair(key, m.group(1), value, cell.link))
    return pairs


def label_values(lines: list[Line], vocab: Vocabulary, *, limit: int = MAX_TEXT) -> list[Pair]:
    """Every labelled value of the lines: label and value cells of a row, a header row over a value row, label：value
    inside a cell, and a label alone on its line followed by its text (headed sections), which runs until the next
    label or heading and stays inside the element that holds the label and its section."""
    pairs: list[Pair] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        cells = line.cells
        labels = [vocab.label(c.text) for c in cells]
        if len(cells) >= 2 and all(labels) and i + 1 < len(lines) and len(lines[i + 1].cells) == len(cells) \
                and not any(vocab.label(c.text) for c in lines[i + 1].cells):
            # A header row of labels over a row of values.
            for found, value in zip(labels, lines[i + 1].cells, strict=True):
                if found and found[0]:
                    pairs.append(Pair(found[0], found[1], value.text[:limit], value.link))
            i += 2
            continue
        if len(cells) >= 2:
            j = 0
            while j < len(cells):
                found = labels[j]
                if found and j + 1 < len(cells) and not labels[j + 1]:
                    if found[0]:
                        pairs.append(Pair(found[0], found[1], cells[j + 1].text[:limit], cells[j + 1].link))
                    j += 2
                    continue
                if found and found[0] and (j + 1 == len(cells) or labels[j + 1]):
                    pairs.append(Pair(found[0], found[1], "", False))  # a label cell with an empty value cell
                    j += 1
                    continue
                pairs += _inline_pairs(cells[j], vocab)
                j += 1
            i += 1
            continue
        found = labels[0] if cells else None
        if found and line.element is not None and any(
                _tag(d) in ("input", "textarea", "select") for d in line.element.iterdescendants()):
            # The label of a form field (标题：<input>): its value is what a visitor types, not the text below.
            if found[0]:
                pairs.append(Pair(found[0], found[1], "", False))
            i += 1
            continue
        if found:
            # A label alone on its line: its value is the text below it, up to the next label or heading.
            taken: list[str] = []
            link = False
            k = i + 1
            scope = _scope(line)
            while k < len(lines) and not lines[k].heading and _within(lines[k], scope) and not any(
                    vocab.label(c.text) or vocab.starts_with_label(c.text) for c in lines[k].cells[:1]):
                taken.append(" ".join(c.text for c in lines[k].cells))
                link = link or any(c.link for c in lines[k].cells)
                k += 1
                if found[0] in vocab.single_line:
                    break
            if found[0]:
                pairs.append(Pair(found[0], found[1], "\n".join(taken)[:limit], link))
            i = k
            continue
        pairs += _inline_pairs(cells[0], vocab)
        i += 1
    return pairs


# ------------------------------------------------------------------ vocabularies of letters pages

TITLE_LABELS = ("标题", "主题", "信件标题", "留言标题", "来信标题", "信件主题", "留言主题", "来信主题", "咨询标题",
                "投诉标题", "诉求标题", "事项标题", "问题标题")
RECEIVED_LABELS = ("来信时间", "来信日期", "提交时间", "提交日期", "留言时间", "留言日期", "写信时间", "写信日期",
                   "发信时间", "咨询时间", "投诉时间", "提问时间", "反映时间", "诉求时间", "登记时间", "来电时间",
                   "来件时间")
ACCEPTED_LABELS = ("受理时间", "受理日期", "转办时间", "交办时间", "签收时间")
ANSWERED_LABELS = ("答复时间", "回复时间", "答复日期", "回复日期", "办结时间", "办结日期", "反馈时间", "处理时间")
STATUS_LABELS = ("状态", "办理状态", "处理状态", "回复状态", "答复状态", "办结状态", "信件状态", "是否回复", "是否答复",
                 "是否办结")
UNIT_LABELS = ("答复单位", "回复单位", "办理单位", "承办单位", "处理单位", "答复部门", "回复部门", "办理部门",
               "承办部门", "处理部门", "答复机构", "回复机构", "处办单位")
ACCEPT_UNIT_LABELS = ("受理单位", "受理部门", "受理机构", "收信单位", "收信部门", "收信人")
CATEGORY_LABELS = ("类型", "类别", "信件类型", "留言类型", "来信类型", "诉求类型", "信件类别", "留言类别", "咨询类型",
                   "信件分类", "诉求类别", "问题类别")
QUESTION_LABELS = ("来信内容", "留言内容", "信件内容", "咨询内容", "投诉内容", "诉求内容", "问题内容", "内容",
                   "问题描述", "主要内容", "来信摘要", "留言摘要", "具体内容", "来电内容", "网民提问",
                   "诉求描述", "主要诉求", "工单内容", "办件内容")
ANSWER_LABELS = ("答复内容", "回复内容", "答复意见", "回复意见", "处理结果", "办理结果", "处理意见", "办理意见",
                 "办理情况", "处理情况", "答复", "回复", "领导回复", "部门回复", "答复情况", "回复详情",
                 "最终回复意见")
# Date columns that do not say whose date it is: kept in `dates`, never taken for a 来信时间.
DATE_LABELS = ("时间", "日期", "发布时间", "发布日期", "更新时间")
OTHER_LETTER_LABELS = ("序号", "编号", "信件编号", "留言编号", "来信编号", "查询码", "信件查询码", "来信人", "留言人",
                       "写信人", "姓名", "提问人", "点击", "点击数", "点击量", "浏览", "浏览次数", "人气", "满意度",
                       "评价", "是否公开", "联系电话", "电话", "地址", "邮箱", "操作")

LETTER_VOCAB = Vocabulary({
    "title": TITLE_LABELS, "received": RECEIVED_LABELS, "accepted": ACCEPTED_LABELS, "answered": ANSWERED_LABELS,
    "status": STATUS_LABELS, "unit": UNIT_LABELS, "accept_unit": ACCEPT_UNIT_LABELS, "category": CATEGORY_LABELS,
    "question": QUESTION_LABELS, "answer": ANSWER_LABELS, "date": DATE_LABELS,
}, stops=OTHER_LETTER_LABELS, single_line=("title", "received", "accepted", "answered", "status", "unit", "accept_unit",
                                           "category", "date"))
# Roles of list columns; a list unit column may be the accepting unit (附件4 counts letters by unit).
LIST_ROLES = {"title": "title", "received": "received", "answered": "answered", "status": "status", "unit": "unit",
              "accept_unit": "unit", "category": "category", "date": "date", "accepted": "accepted"}

CATEGORY_WORDS = re.compile(r"咨询|投诉|建议|求助|举报|表扬|感谢|意见|批评|反映|求决|其他")
ANSWERED_STATUS = re.compile(r"已(?:回复|答复|办结|处理|反馈|解决|回应)|办结|已完成|完成")
PENDING_STATUS = re.compile(r"未(?:回复|答复|办结|处理|反馈|受理)|待(?:回复|答复|办理|处理|受理|审核)|(?:办理|处理|受理|审核)中|"
                            r"已受理|已转办|已交办|转办|交办|正在")
PLACEHOLDER_ANSWER = re.compile(r"^[\s\-—/.。…]*(?:暂无(?:答复|回复|内容|信息)?|暂未(?:答复|回复)|尚未(?:答复|回复|办结)|"
                                r"未(?:答复|回复)|待(?:答复|回复|办理|处理)|(?:正在)?(?:办理|处理)中|无)[\s\-—/.。…!！]*$")


def status_kind(status: str | None) -> str | None:
    """answered / pending from a status text (未办结 is pending, 已办结 answered), None when it says neither."""
    if not status:
        return None
    if PENDING_STATUS.search(status):
        return "pending"
    if ANSWERED_STATUS.search(status):
        return "answered"
    return None


def _category(text: str | None) -> str | None:
    m = CATEGORY_WORDS.search(text or "")
    return m.group(0) if m else None


# ------------------------------------------------------------------ list pages


@dataclass(frozen=True)
class LetterEntry:
    title: str
    url: str | None
    received: TimeFact | None = None  # 来信/提交/留言时间
    answered: TimeFact | None = None  # 答复/回复/办结时间
    status: str | None = None  # as the row writes it (已回复, 办理中 …)
    unit: str | None = None  # 答复/办理/受理单位, when the row shows it
    category: str | None = None
    dates: tuple[TimeFact, ...] = ()  # every date of the row, labelled or not, in order

    @property
    def status_kind(self) -> str | None:
        return status_kind(self.status)


@dataclass
class LetterList:
    url: str
    entries: list[LetterEntry] = field(default_factory=list)
    next_pages: list[str] = field(default_factory=list)
    # How the rows were read: table / list (a header row of spans) / labelled (labels in each row) / selectors /
    # dated (rows with a date but nothing saying what it is) / none.
    layout: str = "none"
    header: bool = False  # a header naming the columns was found (a header with no rows is an empty list)
    empty_marker: bool = False  # the page says it has no letters (暂无信息, 共0条 …)


EMPTY_LETTERS = re.compile("|".join(EMPTY_MARKERS) + r"|暂无(?:信件|留言|记录|来信|数据|内容)|没有(?:找到|查询到|相关)"
                           r"(?:信件|留言|记录|数据|信息)?|查询结果为空|无(?:相关)?记录|共\s*0\s*(?:条|封|件)")


def _text_of(node: etree._Element) -> str:
    return _norm(_cell_text(node)).replace("\n", " ")


def _roles(cells: list[str]) -> dict[int, str] | None:
    """Column index → role, when the cells are a header naming a title column and at least one other column."""
    roles: dict[int, str] = {}
    for i, text in enumerate(cells):
        if not text:
            continue
        found = LETTER_VOCAB.label(text)
        if found is None or len(text) > 12:
            return None
        if found[0] in LIST_ROLES:
            roles[i] = LIST_ROLES[found[0]]
    values = set(roles.values())
    return roles if "title" in values and len(values) >= 2 else None


def _anchor(node: etree._Element) -> etree._Element | None:
    for a in node.iter("a"):
        if a.get("href", "").strip() and _text_of(a) and not PAGINATION_TEXT.match(_text_of(a)):
            return a
    return None


def _entry(row: etree._Element, columns: list[etree._Element], roles: dict[int, str], base_url: str,
           ref: date | None) -> LetterEntry | None:
    values: dict[str, str] = {}
    title_node = None
    for i, role in roles.items():
        if i < len(columns) and role not in values:
            values[role] = _text_of(columns[i])[:MAX_VALUE]
            if role == "title":
                title_node = columns[i]
    anchor = _anchor(title_node) if title_node is not None else None
    anchor = anchor if anchor is not None else _anchor(row)
    title = values.get("title") or (_text_of(anchor) if anchor is not None else "")
    if not title:
        return None
    url = absolute(anchor.get("href"), base_url) if anchor is not None else None
    dates = tuple(t for c in columns if (t := parse_time(_text_of(c), ref=ref)) is not None)
    return LetterEntry(
        title=title, url=url, received=parse_time(values.get("received"), ref=ref),
        answered=parse_time(values.get("answered"), ref=ref), status=values.get("status") or None,
        unit=values.get("unit") or None, category=_category(values.get("category")) or values.get("category") or None,
        dates=dates)


def _columns(row: etree._Element) -> list[etree._Element]:
    tag = _tag(row)
    if tag == "tr":
        return [c for c in row if _tag(c) in ("td", "th")]
    return [c for c in row if _tag(c) not in (None, "script", "style")]


def _table_entries(root: etree._Element, base_url: str, ref: date | None) -> tuple[list[LetterEntry], bool]:
    """Rows of tables whose header row names the columns; (entries, a header was found)."""
    entries: list[LetterEntry] = []
    header_found = False
    for table in root.iter("table"):
        rows = [tr for tr in table.iter("tr") if next(tr.iterancestors("table")) is table]
        for h, tr in enumerate(rows):
            roles = _roles([_text_of(c) for c in _columns(tr)])
            if roles is None:
                continue
            header_found = True
            width = len(_columns(tr))
            for row in rows[h + 1:]:
                # A row of another width is a pager or a 暂无信息 line spanning the table, not a letter.
                if row.find(".//table") is not None or len(_columns(row)) != width:
                    continue
                entry = _entry(row, _columns(row), roles, base_url, ref)
                if entry is not None and (entry.url or entry.dates):
                    entries.append(entry)
            break
    return entries, header_found


def _header_rows(header: etree._Element) -> list[etree._Element]:
    """The rows a non-table header names: its following siblings of the same tag that are rows themselves, else
    the items (li, dd, tr, or row divs) of the element that follows it."""
    following = [s for s in header.itersiblings() if _tag(s)]
    same = [s for s in following if _tag(s) == _tag(header) and len(_columns(s)) >= 2 and s.find(".//li") is None]
    if same:
        return same
    if following:
        items = list(following[0].iter("li", "dd", "tr"))
        return items or [c for c in following[0] if _tag(c) and len(_columns(c)) >= 2]
    return []


def _list_entries(root: etree._Element, base_url: str, ref: date | None) -> tuple[list[LetterEntry], bool]:
    """Rows of <ul>/<div> lists under a header row of spans naming the columns."""
    for header in root.iter("li", "div", "p", "dt"):
        children = _columns(header)
        if len(children) < 2 or header.find(".//a") is not None or any(_columns(c) for c in children
                                                                       if _tag(c) == "div"):
            continue
        roles = _roles([_text_of(c) for c in children])
        if roles is None:
            continue
        entries = []
        for row in _header_rows(header):
            columns = _columns(row)
            entry = _entry(row, columns, roles if len(columns) == len(children) else {}, base_url, ref)
            if entry is None:
                continue
            if len(columns) != len(children):
                entry = _by_order(entry, roles, columns)  # cells do not line up: by order and by words
            if entry.url or entry.dates:
                entries.append(entry)
        return entries, True
    return [], False


def _by_order(entry: LetterEntry, roles: dict[int, str], columns: list[etree._Element]) -> LetterEntry:
    """A row whose cells do not line up with its header: the row's dates are given the header's date roles in order
    when there are as many of each, and a short cell that says 已回复/办理中 … is its status when the header has a
    status column."""
    date_roles = [role for _, role in sorted(roles.items()) if role in ("received", "answered", "date", "accepted")]
    values: dict[str, TimeFact] = {}
    if len(date_roles) == len(entry.dates):
        values = dict(zip(date_roles, entry.dates, strict=True))
    status = None
    if "status" in roles.values():
        status = next((t for c in columns if len(t := _text_of(c)) <= 8 and status_kind(t)), None)
    return LetterEntry(entry.title, entry.url, values.get("received"), values.get("answered"), status,
                       entry.unit, entry.category, entry.dates)


ROW_TAGS = ("li", "tr", "dd", "div", "p", "dl")


def _labelled_entries(root: etree._Element, base_url: str, ref: date | None) -> list[LetterEntry]:
    """Rows that label their own values: <li><a>标题</a><span>来信时间：2021-03-02</span><span>状态：已回复</span></li>."""
    entries: list[LetterEntry] = []
    seen: set[str] = set()
    for a in root.iter("a"):
        url = absolute(a.get("href"), base_url)
        title = _text_of(a)
        if url is None or not title or PAGINATION_TEXT.match(title) or url in seen:
            continue
        row = a
        for _ in range(4):
            parent = row.getparent()
            if parent is None or _tag(parent) in ("body", "html", "ul", "ol", "table", "tbody"):
                break
            row = parent
            urls = {absolute(x.get("href"), base_url) for x in row.iter("a")} - {None}
            if len(urls) > 1:
                break
            if _tag(row) not in ROW_TAGS:
                continue
            pairs = label_values(_walk_lines(row), LETTER_VOCAB, limit=MAX_VALUE)
            values = {p.key: p.value for p in reversed(pairs)}
            if not {"received", "answered", "status", "unit", "accept_unit"} & set(values):
                continue
            seen.add(url)
            dates = tuple(t for p in pairs if (t := parse_time(p.value, ref=ref)) is not None)
            entries.append(LetterEntry(
                title=values.get("title") or title, url=url, received=parse_time(values.get("received"), ref=ref),
                answered=parse_time(values.get("answered"), ref=ref), status=values.get("status") or None,
                unit=values.get("unit") or values.get("accept_unit") or None,
                category=_category(values.get("category")) or values.get("category") or None, dates=dates))
            break
    return entries


def _selector_entries(sel: Selector, selectors: Mapping[str, str], base_url: str,
                      ref: date | None) -> list[LetterEntry]:
    def text(item: Selector, key: str) -> str | None:
        css = selectors.get(key)
        if not css:
            return None
        value = " ".join(" ".join(t.split()) for t in item.css(css).xpath(".//text()").getall() if t.strip())
        return value[:MAX_VALUE] or None

    entries = []
    for item in sel.css(selectors["item"]):
        holder = item.css(selectors["title"]) if selectors.get("title") else item
        anchor = holder.xpath("descendant-or-self::a[@href][1]")
        title = text(item, "title") or (" ".join(anchor.xpath(".//text()").getall()).strip() if anchor else "")
        if not title:
            continue
        url = absolute(anchor[0].attrib.get("href"), base_url) if anchor else None
        dates = tuple(t for t in (parse_time(x, ref=ref) for x in item.xpath(".//text()").getall()) if t)
        category = text(item, "category")
        entries.append(LetterEntry(
            title=" ".join(title.split()), url=url, received=parse_time(text(item, "received"), ref=ref),
            answered=parse_time(text(item, "answered"), ref=ref), status=text(item, "status"),
            unit=text(item, "unit"), category=_category(category) or category, dates=dates))
    return entries


def _dated_entries(sel: Selector, url: str, ref: date | None) -> list[LetterEntry]:
    """Links whose row carries a date (lists.list_entries) but no label saying what the date is."""
    entries = []
    for e in list_entries(sel, url, ref=ref):
        fact = parse_time(e.date.text, ref=ref) if e.date is not None else None
        if fact is None and e.date is not None:
            fact = TimeFact(e.date.value, e.date.text)
        entries.append(LetterEntry(e.title, e.url, dates=(fact,) if fact else ()))
    return entries


DATASTORE = re.compile(r"<script\b[^>]*type\s*=\s*['\"]text/xml['\"][^>]*>(.*?)</script>", re.S | re.I)


def _inline_datastore(html: str) -> str:
    """The page with the records of 大汉 jpage datastores (<script type="text/xml"><datastore><recordset><record>)
    written where the script stands, as jpage.js writes them: its letters under the page's own header."""
    if "datastore" not in html.lower():
        return html

    def rows(m: re.Match[str]) -> str:
        body = "".join(r.group(1) if r.group(1) is not None else htmllib.unescape(r.group(2))
                       for r in XML_RECORD.finditer(m.group(1)))
        return f"<table>{body}</table>" if body.lstrip()[:3].lower() == "<tr" else body

    return DATASTORE.sub(rows, html)


SELECTOR_ALIASES = {"item_selector": "item", "date_selector": "received", "next_selector": "next"}


def read_letter_list(html: str, url: str, selectors: Mapping[str, str] | None = None, *,
                     ref: date | None = None) -> LetterList:
    """The letters a list page shows and its next pages.

    `selectors` (from the registry) are CSS selectors: `item` (one per letter; `item_selector` too), and inside an
    item `title`, `received` (`date_selector` too), `answered`, `status`, `unit`, `category`; `next` selects the
    next-page links. Without them the rows are read from a header naming the columns, then from labels in the
    rows, then as dated links whose dates are not assigned a role."""
    sel = Selector(text=_inline_datastore(html or "") or "<html></html>")
    base_url = document_base(sel, url)
    chosen = {SELECTOR_ALIASES.get(k, k): v for k, v in (selectors or {}).items() if v}
    result = LetterList(url=url)
    root = sel.root
    if chosen.get("item"):
        result.entries, result.layout = _selector_entries(sel, chosen, base_url, ref), "selectors"
    elif isinstance(root, etree._Element):
        entries, header = _table_entries(root, base_url, ref)
        result.header = header
        if entries:
            result.entries, result.layout = entries, "table"
        if not result.entries:
            entries, header = _list_entries(root, base_url, ref)
            result.header = result.header or header
            if entries:
                result.entries, result.layout = entries, "list"
        if not result.entries:
            entries = _labelled_entries(root, base_url, ref)
            if entries:
                result.entries, result.layout = entries, "labelled"
        if not result.entries and not result.header:
            entries = _dated_entries(sel, url, ref)
            if entries:
                result.entries, result.layout = entries, "dated"
    pages = next_pages(sel, url)
    if chosen.get("next"):
        for href in sel.css(chosen["next"]).xpath("descendant-or-self::a/@href").getall():
            page = absolute(href, base_url)
            if page and page not in pages and page != absolute(url, url):
                pages.insert(0, page)
    result.next_pages = pages
    result.empty_marker = not result.entries and bool(EMPTY_LETTERS.search(visible_text(sel)))
    return result


# ------------------------------------------------------------------ letter pages


@dataclass
class LetterDetail:
    url: str
    title: str | None = None
    fields: dict[str, str] = field(default_factory=dict)  # every recognised label as written → its value
    received_at: TimeFact | None = None
    accepted_at: TimeFact | None = None
    answered_at: TimeFact | None = None
    answer_unit: str | None = None  # 答复/办理/承办单位 (not 受理单位: that one is in fields)
    status: str | None = None
    category: str | None = None  # 咨询 / 投诉 / 建议 / 求助 / 举报 … as the page names it
    question: str | None = None  # bounded to MAX_TEXT characters
    answer: str | None = None
    # An answer text is shown (not empty, not 暂无答复/办理中); None when the page shows no letter fields at all.
    has_answer: bool | None = None

    @property
    def status_kind(self) -> str | None:
        return status_kind(self.status)


def read_letter_detail(html: str, url: str, *, ref: date | None = None) -> LetterDetail:
    """The facts of one letter page from its label–value pairs (the first value of each label wins: a page may
    repeat labels in a sidebar further down)."""
    sel = Selector(text=html or "<html></html>")
    pairs = label_values(block_lines(sel), LETTER_VOCAB)
    first: dict[str, Pair] = {}
    fields: dict[str, str] = {}
    for pair in pairs:
        first.setdefault(pair.key, pair)
        fields.setdefault(pair.label, pair.value)

    def value(key: str, limit: int = MAX_VALUE) -> str | None:
        pair = first.get(key)
        if pair is None:
            return None
        # Question and answer keep their line breaks; short values are one line.
        text = pair.value if key in ("question", "answer") else " ".join(pair.value.split())
        return text[:limit] or None

    heading = sel.xpath("(//h1 | //h2)[1]")
    title = value("title") or (" ".join(" ".join(heading[0].xpath(".//text()").getall()).split()) if heading
                               else "") or " ".join((sel.xpath("//title/text()").get() or "").split()) or None
    answer = value("answer", MAX_TEXT)
    category = value("category")
    readable = bool(first.keys() - {"title"})
    return LetterDetail(
        url=url, title=title, fields=fields, received_at=parse_time(value("received"), ref=ref),
        accepted_at=parse_time(value("accepted"), ref=ref), answered_at=parse_time(value("answered"), ref=ref),
        answer_unit=value("unit"), status=value("status"),
        category=_category(category) or category or _category(_bracketed(title)),
        question=value("question", MAX_TEXT), answer=answer,
        has_answer=(bool(answer) and not PLACEHOLDER_ANSWER.match(answer)) if readable else None)


def _bracketed(title: str | None) -> str | None:
    """The [咨询] / 【投诉】 prefix some sites put before a letter's title."""
    m = re.match(r"^\s*[\[【(（]([^\]】)）]{1,6})[\]】)）]", title or "")
    return m.group(1) if m else None


# ------------------------------------------------------------------ channel state

# The channel says it does not take letters: 栏目已关闭, 本信箱暂停使用, 暂停受理, 不再受理, 系统升级维护中.
CLOSED = re.compile(r"(?:栏目|信箱|系统|平台|通道|渠道|留言板|留言功能|写信功能|功能|服务|网站)\s*(?:已经?|现已|暂时|暂)?"
                    r"(?:关闭|停用|停止使用|停止运行|下线|撤销|暂停使用|暂停服务|暂停开放)|"
                    r"(?:暂停|停止|不再)(?:受理|接收|接受|办理)(?:网上|网民|群众)?(?:来信|留言|信件|咨询|投诉)?|"
                    r"(?:系统|平台)\s*(?:正在)?(?:升级|维护)(?:改造)?中")
# Phrases that ask the visitor to log in before writing or reading (a 登录 link in a page header is not one).
LOGIN_REQUIRED = re.compile(r"请(?:先|您先?)?(?:登录|登陆)|(?:登录|登陆)后(?:才能|方可|再)|需要?先?(?:登录|登陆)|"
                            r"(?:您)?还?(?:未|没有)(?:登录|登陆)")
# A login entrance (统一身份认证, 用户登录): the channel's only offer when nothing else is on the page.
LOGIN_ENTRANCE = re.compile(r"用户(?:登录|登陆)|统一身份认证|(?:实名|身份)认证后")
ERROR_PAGE = re.compile(r"(?<!\d)(?:404|500|502|503)(?!\d)|页面不存在|页面未找到|找不到(?:页面|该页面|您要访问的页面)|网页不存在|"
                        r"系统(?:错误|异常|繁忙)|服务器(?:错误|异常|繁忙)|Not Found|Internal Server Error|Service Unavailable|"
                        r"Bad Gateway|Exception|Traceback|数据库连接(?:失败|错误)", re.I)
FORM_WORDS = re.compile(r"写信|留言|来信|咨询|投诉|建议|诉求|标题|主题|内容")

OK, FORM, CLOSED_STATE, EMPTY, ERROR, UNREADABLE = "ok", "form", "closed", "empty", "error", "unreadable"


def _writable_form(sel: Selector) -> bool:
    """A letter form a visitor can fill: an enabled textarea (or rich-text box) with a submit control, inside a page
    that speaks of letters. A search form (an input and a button) is not one."""
    for area in sel.xpath("//textarea | //*[@contenteditable='true'] | //script[@type='text/plain'][@id]"):
        attrs = area.attrib
        if "disabled" in attrs or "readonly" in attrs:
            continue
        scope = area.xpath("ancestor::form[1]") or area.xpath("ancestor::*[.//input or .//button][1]")
        if not scope:
            continue
        submits = scope[0].xpath(".//input[translate(@type,'SUBMITBUTONIMAG','submitbutonimag')='submit' or "
                                 "translate(@type,'SUBMITBUTONIMAG','submitbutonimag')='button' or "
                                 "translate(@type,'SUBMITBUTONIMAG','submitbutonimag')='image']"
                                 " | .//button | .//a[@onclick] | .//*[@onclick]")
        enabled = [s for s in submits if "disabled" not in s.attrib]
        if enabled and FORM_WORDS.search(" ".join(scope[0].xpath(".//text()").getall())):
            return True
    return False


def channel_state(html: str, url: str, *, status: int = 200) -> str:
    """Whether a letters channel page works, as one word:

    - ok: letters are shown (a list with letters, or a letter page with its fields);
    - form: a writable letter form is shown (no letters on the page);
    - login: the visitor must log in to write or read (a login form, a 请先登录 notice, a login URL) — a channel
      that works for those who log in, never counted as closed;
    - closed: the channel says it is closed or does not take letters (栏目已关闭, 暂停受理, 系统升级维护中);
    - empty: a list that says it has no letters (暂无信息, 共0条), or a list header without rows;
    - error: an error page (404, 系统错误 …) or nothing at all served;
    - unreadable: what cannot be judged from this HTML — an anti-bot challenge, a WAF block page, a 域名变更
      notice, a list built by script, or a page showing none of the above (待定, never a failure).

    A page that shows letters is ok even with a 登录 link in its header or a word like 关闭窗口; a closure notice
    counts on a list page only outside the letters' own rows (a letter titled 关于暂停受理… closes nothing)."""
    if status >= 400 and not (html or "").strip():
        return ERROR
    sel = Selector(text=html or "<html></html>")
    text = visible_text(sel)
    title = " ".join((sel.xpath("//title/text()").get() or "").split()) or None
    letters = read_letter_list(html, url)
    inter = classify(html or "", text, title, url, status=status, entries=len(letters.entries), sel=sel)
    if inter is not None and inter.outcome in (CHALLENGE, BLOCKED, MOVED):
        return UNREADABLE
    if not text.strip():
        return UNREADABLE if script_list_signs(html or "", text) else ERROR
    outside = text
    for entry in letters.entries:
        for part in (entry.title, entry.status, entry.unit, entry.category):
            if part:
                outside = outside.replace(part, " ")
    if CLOSED.search(outside):
        return CLOSED_STATE
    detail = read_letter_detail(html, url)
    if letters.entries and letters.layout != "dated":
        return OK
    if detail.has_answer is not None and (detail.received_at or detail.answered_at or detail.question):
        return OK
    if (inter is not None and inter.outcome == LOGIN) or LOGIN_URL.search(url.split("?")[0]) \
            or LOGIN_REQUIRED.search(text):
        return LOGIN
    if _writable_form(sel):
        return FORM
    if LOGIN_ENTRANCE.search(text) and not letters.entries and len(re.sub(r"\s+", "", text)) < 400:
        return LOGIN  # a page that offers nothing but a way to log in (a 用户登录 link in a header is no wall)
    if letters.empty_marker or (letters.header and not letters.entries):
        return EMPTY
    if letters.entries:
        return OK  # dated rows without labels: letters most likely, though what their dates are is unknown
    if status >= 400 or ERROR_PAGE.search(title or "") or (len(text) < 600 and ERROR_PAGE.search(text)):
        return ERROR
    return UNREADABLE
