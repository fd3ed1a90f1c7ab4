"""Footer marks (页面底部功能区): 网站标识码, ICP number, 公安备案 number, 党政机关标识, the 找错 entrance, 主办单位.

Marks are read from the visible text and elements of the page as served. When they are missing there but the page
builds its footer with a script (document.write, a footer script, an empty footer container), `written_by_script`
tells the spider to read the footer again from a Chromium-rendered DOM.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from lxml import etree
from parsel import Selector

from monitor.extract import fold
from monitor.extract.model import FooterFacts
from monitor.extract.tree import (
    NOT_SCRIPT,
    NOT_SCRIPT_STYLE,
    PageTree,
    has_text,
    joined_text,
    text_nodes,
    tree_of,
)

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼滇蜀黔陇秦"
SITE_CODE = re.compile(r"(?:政府)?网站标识码\s*[:：]?\s*(bm\d{8}|\d{10,12})(?!\d)", re.I)
ICP = re.compile(rf"([{PROVINCES}])\s*ICP\s*备\s*(\d{{6,10}})\s*(号)?\s*(?:-\s*(\d{{1,3}}))?")
POLICE = re.compile(rf"([{PROVINCES}])\s*公网安备\s*((?:\d\s*){{14}})(?!\d)\s*(号)?")
SPONSOR = re.compile(r"主办(?:单位)?\s*[:：]\s*([^\s|｜，,。;；:：]{2,40})")
CONAC = re.compile(r"conac|党政机关", re.I)
ZHAOCUO_TEXT = re.compile(r"我为政府网站找错|找错")
ZHAOCUO_URL = re.compile(r"zfwzgl\.www\.gov\.cn|pucha\.kaipuyun\.cn|jiucuo|/c125533/", re.I)
ZHAOCUO_URL_STARTS = ("zfwzgl.www.gov.cn", "pucha.kaipuyun.cn", "jiucuo", "/c125533/")  # what its matches start with
SAYING_MARKS = etree.XPath("//a[contains(., '找') or contains(., '党政机关')]")
CONAC_SCRIPT = re.compile(r"conac\.cn|_ideConac", re.I)  # the embed code of the 党政机关 mark
FOOTER_CONTAINER = re.compile(r"foot|bottom|copyright|banquan|bq\b|dibu|db\b", re.I)
REF_BATCH = 64  # elements whose attributes _element_marks searches at once


@lru_cache(maxsize=4096)
def _footer_hint(hint: str) -> bool:  # container names repeat on a page and across a site's pages
    return bool(FOOTER_CONTAINER.search(hint))


def _containers(tree: PageTree) -> list[Any]:
    """The footer containers (//footer | //*[@id or @class] named like a footer), in document order."""
    footers = tree.tags["footer"]  # most pages have none: their elements' tags need not be read
    return [el for el, _, _, _, hint in tree.hinted if _footer_hint(hint) or (footers and el.tag == "footer")]


def _search_near(pattern: re.Pattern[str], text: str, literal: str, before: int, *,
                 over_space: bool = False) -> re.Match[str] | None:
    """pattern.search(text), for a pattern whose matches hold `literal` after at most `before` characters (and the
    blanks before the literal when `over_space`), tried from there on: a pattern that opens with a class or an
    optional group is otherwise tried at every character of the text."""
    at = text.find(literal)
    if at < 0:
        return None
    while over_space and at > 0 and text[at - 1].isspace():  # \s and str.isspace() are the same characters
        at -= 1
    return pattern.search(text, max(0, at - before))


def _footer_text(containers: list[Any], text: str) -> str:
    """The footer's text when a footer container exists, else the end of the page text."""
    parts = [joined_text(n, NOT_SCRIPT_STYLE) for n in containers]
    footer = " ".join(p for p in parts if p)
    return f"{footer} {text[-3000:]}" if footer else text[-3000:]


def footer_facts(sel: Selector, html: str, text: str | None = None, tree: PageTree | None = None) -> FooterFacts:
    """The marks of a page: `sel` is its parsed `html`, `text` its visible text when the caller has it."""
    tree = tree_of(sel, tree)
    containers = _containers(tree)
    text = tree.text if text is None else text
    facts = FooterFacts()
    m = _search_near(SITE_CODE, text, "网站标识码", 2)
    if m:
        facts.site_code = m.group(1)
    m = _search_near(ICP, text, "ICP", 1, over_space=True)
    if m:
        # As printed (without the spaces): a number lacking 号 is recorded lacking it, never completed.
        facts.icp = f"{m.group(1)}ICP备{m.group(2)}{m.group(3) or ''}" + (f"-{m.group(4)}" if m.group(4) else "")
    m = _search_near(POLICE, text, "公网安备", 1, over_space=True)
    if m:
        digits = re.sub(r"\s", "", m.group(2))
        facts.police = f"{m.group(1)}公网安备{digits}{m.group(3) or ''}"
    footer_text = _footer_text(containers, text)
    m = SPONSOR.search(footer_text) if "主办" in footer_text else None
    if m:
        facts.sponsor = m.group(1)
    # The official embed codes write the marks with a script (document.write of dcs.conac.cn's or the 找错
    # platform's script): the embed code is the mark, as a browser would show it.
    inline = " ".join(tree.inline_scripts)
    low = fold.lowered(inline)  # for both searches
    facts.conac = fold.search(CONAC_SCRIPT, inline, ("conac.cn", "_ideconac"), low)
    facts.zhaocuo = fold.search(ZHAOCUO_URL, inline, ZHAOCUO_URL_STARTS, low)
    if not (facts.conac and facts.zhaocuo):
        facts.conac, facts.zhaocuo = _element_marks(tree, html, facts.conac, facts.zhaocuo)
    if not (facts.site_code and facts.icp and facts.police):
        facts.written_by_script = _script_footer(tree, containers, inline)
    return facts


def _ref(node: Any) -> str:
    """The element's src, href, alt, title and id, joined by spaces."""
    get = node.get
    return f"{get('src', '')} {get('href', '')} {get('alt', '')} {get('title', '')} {get('id', '')}"


def _ref_batches(tree: PageTree) -> Iterator[tuple[str, bool]]:
    """(the _refs of a batch of elements joined by newlines, are they links'): the img, iframe and script[@src]
    elements (a few dozen), then the links, each from the last one back. The marks stand in the footer, at the end
    of the page: most pages show both in their last images or links, and the rest of the page need not be read."""
    tags = tree.tags
    for links in (False, True):
        nodes = tags["a"] if links else \
            [*tags["img"], *tags["iframe"], *(node for node in tags["script"] if node.get("src") is not None)]
        for end in range(len(nodes), 0, -REF_BATCH):
            yield "\n".join(_ref(node) for node in nodes[max(0, end - REF_BATCH):end]), links


def _element_marks(tree: PageTree, html: str | None, conac: bool, zhaocuo: bool) -> tuple[bool, bool]:
    """(conac, zhaocuo) once the elements are read (//img | //a | //script[@src] | //iframe): a conac or 找错
    address, alt, title or id, a link saying 党政机关, a link whose text and attributes say 找错.

    The attributes are searched a batch of elements at a time (none of the patterns spans a newline), until both
    marks are found; the links' texts only where the page source could put 党政机关 or 找 in them: the characters
    themselves, or a character reference (libxml2 knows no named entity for a Chinese character)."""
    for refs, links in _ref_batches(tree):
        if conac and zhaocuo:
            return conac, zhaocuo
        low = fold.lowered(refs)  # for both searches
        conac = conac or "党政机关" in refs or fold.search(CONAC, refs, ("conac",), low)  # CONAC: conac|党政机关
        # A link's attributes saying 找错 say it in its text + attributes too.
        zhaocuo = zhaocuo or fold.search(ZHAOCUO_URL, refs, ZHAOCUO_URL_STARTS, low) or (links and "找错" in refs)
    if conac and zhaocuo:
        return conac, zhaocuo
    # The characters first: a page is searched for one character many times faster than for "&#" or 党政机关.
    if html is not None and not ((not conac and "党" in html and "党政机关" in html) or (not zhaocuo and "找" in html)) \
            and "&#" not in html:
        return conac, zhaocuo
    # The links whose text holds 找 or 党政机关 (their string value: every text node in them, scripts' too).
    for node in SAYING_MARKS(tree.sel.root):
        ref = _ref(node)
        label = " ".join(text_nodes(node))
        conac = conac or "党政机关" in label
        zhaocuo = zhaocuo or ZHAOCUO_TEXT.search(label + ref) is not None
        if conac and zhaocuo:
            break
    return conac, zhaocuo


def _script_footer(tree: PageTree, containers: list[Any], scripts: str) -> bool:
    """Does the page produce its footer with a script (so a rendered DOM would show what the source does not)?
    `scripts`: the text of its inline scripts, joined."""
    if "document.write" in scripts or "ICP" in scripts or ("网站标识码" in scripts and SITE_CODE.search(scripts)):
        return True
    if any(FOOTER_CONTAINER.search(src) for node in tree.tags["script"] if (src := node.get("src")) is not None):
        return True
    return any(not has_text(node, NOT_SCRIPT) for node in containers)  # an empty container
