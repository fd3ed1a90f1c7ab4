"""The parsed page read in one walk: what every reader of a page needs from its tree, gathered in one iteration.

`PageTree(sel)` walks the lxml tree of a parsel Selector once (no XPath, no Selector per node) and keeps, in
document order: the visible text nodes, the elements of the tags the readers look at (links, scripts, metas,
headings, bodies…), the elements carrying an id or class (footer, body and info containers), the hidden elements,
and each body link with its row and containers (lists.py). The readers (dates, footer, links, lists, unreadable)
take it as `tree=` so one page is walked once however many facts are read from it; without it they build their own.

What is gathered is exactly what the XPath expressions it replaces select: `//text()` includes the tails of
comments and the text of a second <html> a broken page leaves beside the first. Iterative (lxml's iterwalk): a 2,000-deep
tree is no recursion. A PageTree is built per page and never shared, so extraction holds no state between pages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from lxml import etree
from parsel import Selector

# Styles that hide an element and its descendants: display:none, visibility:hidden, a zero font size, or a large
# negative offset (position:absolute;left:-9999px, text-indent:-9999px) that puts it off screen. margin-left:-9px
# and font-size:0.9em hide nothing.
HIDING_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:\.0*)?(?:px|pt|em|rem|%)?\s*(?:;|!|$)|"
                          r"(?<![\w-])(?:left|top|text-indent)\s*:\s*-\s*\d{3,}", re.I)
# Containers whose links are no list entries (lists.py), and navigation bars (columns of a homepage).
SKIP_AREA = re.compile(r"nav|menu|head|foot|top\b|bottom|crumb|position|location|weizhi|dqwz|page|fenye|"
                       r"friend|yqlj|link|share|search|banner|copyright|dibu|daohang", re.I)
NAV_AREA = re.compile(r"nav|menu|daohang|lanmu|column|lm\b|channel", re.I)
SKIP_TAGS = ("nav", "header", "footer")
ROW_TAGS = ("li", "tr", "dd", "dt", "p", "h3", "h4")
ROW_RANK = {tag: rank for rank, tag in enumerate(ROW_TAGS)}
# Text no visitor reads (//text()[not(ancestor::script) and not(ancestor::style) …]).
UNSEEN = frozenset(("script", "style", "noscript", "textarea", "head", "title"))
# Elements kept by tag, in document order.
TAGS = ("a", "area", "img", "script", "iframe", "frame", "link", "embed", "meta", "base", "title", "h1", "h2", "h3",
        "body", "footer", "input")
# Kept with the id/class carriers even without either: the readers select them beside those (//footer | //*[@id]).
HINT_TAGS = frozenset(("footer", "h1", "h2"))
HEADINGS = frozenset(("h1", "h2", "h3"))
BLANKS = re.compile(r"[ \t\r\f\v\u3000\xa0]+")  # runs made one space in the visible text
# Tags the walk does more with than read their text and attributes.
SPECIAL_TAGS = frozenset((*TAGS, *UNSEEN, *ROW_TAGS, *SKIP_TAGS, *HINT_TAGS, "nav", "a", "body"))
DATA_ATTRS = frozenset(("data-url", "data-src", "data-api", "data-list"))  # where list pages name their XHR lists
EVENTS = ("start", "end", "comment", "pi")


def _skips(tag: Any, hint: str) -> bool:
    return tag in SKIP_TAGS or bool(hint.strip() and _skip_area(hint))


@lru_cache(maxsize=4096)
def _skip_area(hint: str) -> bool:  # class names repeat on a page and across a site's pages
    return bool(SKIP_AREA.search(hint))


@lru_cache(maxsize=4096)
def _nav_area(hint: str) -> bool:
    return bool(NAV_AREA.search(hint))


@lru_cache(maxsize=4096)
def _hides(style: str) -> bool:
    # Cached: pasted Word content repeats a few long styles hundreds of times, and the regex costs 20 µs on each.
    return HIDING_STYLE.search(style) is not None


def iter_text_nodes(root: Any, descend: Callable[[Any], bool] | None = None, *, own: bool = True) -> Iterator[str]:
    """The text nodes under an lxml element in document order, as XPath `.//text()` gives them, without an XPath.

    `descend(child)` says whether a child element's own text and descendants count (its tail always does: it is its
    parent's text); comments and processing instructions never count. own=False leaves out the root's own text
    nodes (its text and its children's tails), as `.//*/text()` does."""
    if not len(root):
        if own and root.text:
            yield root.text
        return
    # lxml's own iteration gives the text nodes of a subtree in C (comments' and processing instructions' text left
    # out, their tails in): used for every subtree with nothing to leave out, i.e. outside `dirty`, the elements
    # holding one that NOT_SCRIPT or NOT_SCRIPT_STYLE refuses. Other `descend`s are asked element by element.
    dirty: set[Any] | None = None  # None: every element is asked
    clean = False  # nothing under the root to leave out
    if descend is None:
        dirty, clean = set(), True
    elif (left_out := _LEAVES_OUT.get(descend)) is not None:
        dirty, clean = set(), True
        for refused in root.iter(*left_out):
            if refused is root:
                continue
            clean = False
            for holder in refused.iterancestors():
                if holder is root or holder in dirty:
                    break
                dirty.add(holder)
    if own and clean:
        yield from root.itertext()
        return
    if own and root.text:
        yield root.text
    stack: list[tuple[Any, Any]] = [(iter(root), None)]
    while stack:
        it, owner = stack[-1]
        for child in it:
            if isinstance(child.tag, str) and (descend is None or descend(child)):
                if dirty is not None and child not in dirty:
                    yield from child.itertext()  # its text and its descendants', not its tail
                else:
                    if child.text:
                        yield child.text
                    if len(child):
                        stack.append((iter(child), child))
                        break
            if child.tail and (own or len(stack) > 1):
                yield child.tail
        else:
            stack.pop()
            if owner is not None and owner.tail and (own or len(stack) > 1):
                yield owner.tail


def _outside(tags: frozenset[str]) -> Callable[[Any], bool]:
    return lambda el: el.tag not in tags


NOT_SCRIPT = _outside(frozenset(("script",)))
NOT_SCRIPT_STYLE = _outside(frozenset(("script", "style")))
# The elements NOT_SCRIPT and NOT_SCRIPT_STYLE refuse: an element holding none of them has all its text nodes read.
_LEAVES_OUT: dict[Callable[[Any], bool], tuple[str, ...]] = {NOT_SCRIPT: ("script",),
                                                             NOT_SCRIPT_STYLE: ("script", "style")}


def text_nodes(root: Any, descend: Callable[[Any], bool] | None = None, *, own: bool = True) -> list[str]:
    """iter_text_nodes as a list."""
    return list(iter_text_nodes(root, descend, own=own))


def joined_text(el: Any, descend: Callable[[Any], bool] | None = None) -> str:
    """The non-blank text nodes of an element, stripped and joined by spaces; an element that `descend` refuses
    has no text of its own (`.//text()[not(ancestor::script)]` of a script is empty)."""
    if descend is not None and not descend(el):
        return ""
    return " ".join(s for t in iter_text_nodes(el, descend) if (s := t.strip()))


def has_text(el: Any, descend: Callable[[Any], bool] | None = None) -> bool:
    """joined_text(el, descend) is not empty, read up to the first non-blank text node."""
    if descend is not None and not descend(el):
        return False
    return any(not t.isspace() for t in iter_text_nodes(el, descend) if t)


def text_outside_scripts(el: Any) -> str:
    """An element's text nodes outside scripts, stripped, non-blank ones joined by spaces (.//text() outside
    script of a link, as lists.py reads a link's title)."""
    if not len(el):
        return (el.text or "").strip()
    return " ".join(s for t in iter_text_nodes(el, NOT_SCRIPT) if (s := t.strip()))


def all_text(el: Any) -> str:
    """An element's text nodes (scripts' included), stripped, non-blank ones joined by spaces (a link's anchor)."""
    if not len(el):
        return (el.text or "").strip()
    return " ".join(s for t in iter_text_nodes(el) if (s := t.strip()))


def document_elements(sel: Selector) -> list[Any]:
    """The document's top-level elements in order: the root, and the siblings a broken page leaves beside it (a
    second <html> after the first), which XPath's // searches too."""
    root = sel.root
    before = [e for e in root.itersiblings(preceding=True) if isinstance(e.tag, str)]
    return before[::-1] + [root] + [e for e in root.itersiblings() if isinstance(e.tag, str)]


def iter_tag(sel: Selector, tag: str) -> Iterator[Any]:
    """Every element named `tag` in the document, in document order (`//tag` without an XPath)."""
    for top in document_elements(sel):
        yield from top.iter(tag)


@dataclass(slots=True)
class Anchor:
    """A body link with what its ancestors say about it, as one walk over the page found them."""

    el: Any  # the lxml <a> element
    skipped: bool  # inside nav/header/footer or a container named like navigation, pagination, links…
    nav: bool  # inside <nav> or a container named like a navigation bar (nav_columns)
    row: Any  # its nearest li, else tr, dd… (ROW_TAGS order), None when it has none
    row_in_a: bool  # that row is itself inside a link (its text is then the link's, not the row's)


class PageTree:
    """One page's tree, walked once. Attributes (all in document order):

    texts: the visible text nodes (//text() outside script, style, noscript, textarea, head, title), raw;
    tags: tag → its elements, for TAGS; hinted: (element, id, class, inside a body, "id class") of every element with
    an id or class attribute (and of footer, h1, h2), the hint "id class" being what the readers match container
    names against (none of their patterns spans the space, so the order of the two is theirs to ignore); hidden: the
    elements hidden by their own or an ancestor's style or `hidden` attribute; headings: h1, h2 and h3 together;
    anchors: every a[@href] inside a body with its row and containers; links_in: the number of <a> elements inside
    each anchor's parent and row; data_urls: the values of data-url, data-src, data-api and data-list attributes."""

    def __init__(self, sel: Selector) -> None:
        self.sel = sel
        self.texts: list[str] = []
        self.tags: dict[str, list[Any]] = {tag: [] for tag in TAGS}
        self.hinted: list[tuple[Any, str | None, str | None, bool, str]] = []
        self.hidden: set[Any] = set()
        self.anchors: list[Anchor] = []
        self.links_in: dict[Any, int] = {}
        self.headings: list[Any] = []  # h1, h2, h3 together
        self.data_urls: list[str] = []  # //@data-url | //@data-src | //@data-api | //@data-list (lists.py)
        self._link_texts: dict[Any, str] = {}
        for top in document_elements(sel):
            self._walk(top)

    def _walk(self, top: Any) -> None:
        texts_append, tags, hinted, hidden = self.texts.append, self.tags, self.hinted, self.hidden
        anchors, links_in, headings, data_urls = self.anchors, self.links_in, self.headings, self.data_urls
        # One frame per open element, for its children: skipped area, navigation, row, row inside a link (lists),
        # unseen text, hidden; and the element's own tag (read again when it closes: each read of .tag builds a
        # string) and the <a> elements opened before it (those opened before it closes, less these, are inside it).
        frames: list[tuple[bool, bool, Any, bool, bool, bool, Any, int]] = [
            (False, False, None, False, False, False, None, 0)]
        in_body = in_a = opened_a = 0
        for event, el in etree.iterwalk(top, events=EVENTS):
            if event == "start":
                skipped, nav, row, row_in_a, unseen, hid, _, _ = frames[-1]
                tag = el.tag
                special = tag in SPECIAL_TAGS  # most elements (div, span, td…) are read for text and attributes only
                if not unseen:
                    if special and tag in UNSEEN:
                        unseen = True
                    elif text := el.text:
                        texts_append(text)
                if special and (bucket := tags.get(tag)) is not None:
                    bucket.append(el)
                    if tag in HEADINGS:
                        headings.append(el)
                keys = el.keys()  # most elements have no attributes: one call says so for all four read below
                if keys:
                    if not hid and ("hidden" in keys or ("style" in keys and _hides(el.get("style")))):
                        hid = True
                    ident = el.get("id") if "id" in keys else None
                    cls = el.get("class") if "class" in keys else None
                    if not DATA_ATTRS.isdisjoint(keys):  # in the element's order, as XPath's union gives them
                        data_urls.extend([value for name, value in el.items() if name in DATA_ATTRS])
                else:
                    ident = cls = None
                if hid:
                    hidden.add(el)
                before = opened_a
                if special:
                    if tag == "a":
                        if in_body and "href" in keys:
                            anchors.append(Anchor(el, skipped, nav, row, row_in_a))
                            links_in[el.getparent()] = 0  # counted when it closes
                            if row is not None:
                                links_in[row] = 0
                        in_a += 1
                        opened_a += 1
                    elif tag == "body":
                        in_body += 1
                if ident is not None or cls is not None:
                    hint = f"{ident or ''} {cls or ''}"
                    hinted.append((el, ident, cls, in_body > (tag == "body"), hint))
                    if not (skipped and nav):
                        skipped = skipped or _skips(tag, hint)
                        nav = nav or tag == "nav" or _nav_area(hint)
                elif special:
                    if tag in HINT_TAGS:
                        hinted.append((el, ident, cls, in_body > (tag == "body"), " "))
                    skipped = skipped or tag in SKIP_TAGS
                    nav = nav or tag == "nav"
                # The row: the nearest li if any, else the nearest tr, dd… (ancestor::li[1] before ancestor::tr[1]).
                if special and (rank := ROW_RANK.get(tag)) is not None \
                        and (row is None or rank <= ROW_RANK[row.tag]):
                    row, row_in_a = el, in_a > 0
                frames.append((skipped, nav, row, row_in_a, unseen, hid, tag, before))
            elif event == "end":
                frame = frames.pop()
                tag = frame[6]
                if tag == "a":
                    in_a -= 1
                    inside = opened_a - frame[7] - 1
                else:
                    in_body -= tag == "body"
                    inside = opened_a - frame[7]
                if inside and el in links_in:
                    links_in[el] = inside
                if not frames[-1][4] and (tail := el.tail):
                    texts_append(tail)
            elif not frames[-1][4] and (tail := el.tail):  # a comment or processing instruction: its tail
                texts_append(tail)

    def link_text(self, el: Any) -> str:
        """text_outside_scripts(el), read once per element however many readers ask (entries, columns, pages)."""
        text = self._link_texts.get(el)
        if text is None:
            text = self._link_texts[el] = text_outside_scripts(el)
        return text

    @cached_property
    def text(self) -> str:
        """The visible text: non-blank text nodes stripped, one a line, runs of blanks made one space."""
        return BLANKS.sub(" ", "\n".join(s for p in self.texts if (s := p.strip())))

    @cached_property
    def inline_scripts(self) -> list[str]:
        """The text nodes of scripts without a src (//script[not(@src)]/text())."""
        return [t for s in self.tags["script"] if s.get("src") is None for t in _child_texts(s)]

    @cached_property
    def title(self) -> str | None:
        """The first text node of a <title> (//title/text()), None when no title has text."""
        return next((t for el in self.tags["title"] for t in _child_texts(el)), None)

    def base_href(self) -> str | None:
        """The href of the first <base href> ((//base[@href])[1]/@href)."""
        return next((href for el in self.tags["base"] if (href := el.get("href")) is not None), None)

    def outer_headings(self) -> list[Any]:
        """The h1, h2 and h3 elements not inside another of them, in document order: their text nodes are
        //h1//text() | //h2//text() | //h3//text(), each once."""
        return [el for el in self.headings if not any(a.tag in HEADINGS for a in el.iterancestors())]

    @cached_property
    def h1_holders(self) -> set[Any]:
        """The elements with an h1 inside (.//h1)."""
        holders: set[Any] = set()
        for h1 in self.tags["h1"]:
            for anc in h1.iterancestors():
                if anc in holders:
                    break
                holders.add(anc)
        return holders

    def body_elements(self) -> Iterator[Any]:
        """The elements inside a body (//body//*), in document order; read only when asked."""
        bodies = self.tags["body"]
        for body in bodies:
            if any(anc.tag == "body" for anc in body.iterancestors()):
                continue  # inside an earlier body: read with it
            for el in body.iterdescendants():
                if isinstance(el.tag, str):
                    yield el


def _child_texts(el: Any) -> list[str]:
    """The text nodes that are children of an element (el/text())."""
    return [t for t in [el.text, *(child.tail for child in el)] if t]


def tree_of(sel: Selector, tree: PageTree | None) -> PageTree:
    """The caller's walk of the page, or a walk of it now."""
    return tree if tree is not None else PageTree(sel)
