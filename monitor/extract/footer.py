"""Footer marks (页面底部功能区): 网站标识码, ICP number, 公安备案 number, 党政机关标识, the 找错 entrance, 主办单位.

Marks are read from the visible text and elements of the page as served. When they are missing there but the page
builds its footer with a script (document.write, a footer script, an empty footer container), `written_by_script`
tells the spider to read the footer again from a Chromium-rendered DOM.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from parsel import Selector

from monitor.extract.model import FooterFacts
from monitor.extract.tree import NOT_SCRIPT, NOT_SCRIPT_STYLE, PageTree, joined_text, text_nodes, tree_of

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼滇蜀黔陇秦"
SITE_CODE = re.compile(r"(?:政府)?网站标识码\s*[:：]?\s*(bm\d{8}|\d{10,12})(?!\d)", re.I)
ICP = re.compile(rf"([{PROVINCES}])\s*ICP\s*备\s*(\d{{6,10}})\s*(号)?\s*(?:-\s*(\d{{1,3}}))?")
POLICE = re.compile(rf"([{PROVINCES}])\s*公网安备\s*((?:\d\s*){{14}})(?!\d)\s*(号)?")
SPONSOR = re.compile(r"主办(?:单位)?\s*[:：]\s*([^\s|｜，,。;；:：]{2,40})")
CONAC = re.compile(r"conac|党政机关", re.I)
ZHAOCUO_TEXT = re.compile(r"我为政府网站找错|找错")
ZHAOCUO_URL = re.compile(r"zfwzgl\.www\.gov\.cn|pucha\.kaipuyun\.cn|jiucuo|/c125533/", re.I)
FOOTER_CONTAINER = re.compile(r"foot|bottom|copyright|banquan|bq\b|dibu|db\b", re.I)


@lru_cache(maxsize=4096)
def _footer_hint(hint: str) -> bool:  # container names repeat on a page and across a site's pages
    return bool(FOOTER_CONTAINER.search(hint))


def _containers(tree: PageTree) -> list[Any]:
    """The footer containers (//footer | //*[@id or @class] named like a footer), in document order."""
    return [el for el, ident, cls, _ in tree.hinted if el.tag == "footer" or _footer_hint(f"{ident or ''} {cls or ''}")]


def _footer_text(tree: PageTree, text: str) -> str:
    """The footer's text when a footer container exists, else the end of the page text."""
    parts = [joined_text(n, NOT_SCRIPT_STYLE) for n in _containers(tree)]
    footer = " ".join(p for p in parts if p)
    return f"{footer} {text[-3000:]}" if footer else text[-3000:]


def footer_facts(sel: Selector, html: str, text: str | None = None, tree: PageTree | None = None) -> FooterFacts:
    tree = tree_of(sel, tree)
    text = tree.text if text is None else text
    facts = FooterFacts()
    m = SITE_CODE.search(text)
    if m:
        facts.site_code = m.group(1)
    m = ICP.search(text)
    if m:
        # As printed (without the spaces): a number lacking 号 is recorded lacking it, never completed.
        facts.icp = f"{m.group(1)}ICP备{m.group(2)}{m.group(3) or ''}" + (f"-{m.group(4)}" if m.group(4) else "")
    m = POLICE.search(text)
    if m:
        digits = re.sub(r"\s", "", m.group(2))
        facts.police = f"{m.group(1)}公网安备{digits}{m.group(3) or ''}"
    m = SPONSOR.search(_footer_text(tree, text))
    if m:
        facts.sponsor = m.group(1)
    tags = tree.tags
    scripts = (node for node in tags["script"] if node.get("src") is not None)
    for nodes in (tags["img"], tags["a"], scripts, tags["iframe"]):  # //img | //a | //script[@src] | //iframe
        for node in nodes:
            if facts.conac and facts.zhaocuo:
                break  # both found: the other elements change nothing
            ref = " ".join(node.get(a, "") for a in ("src", "href", "alt", "title", "id"))
            label = " ".join(text_nodes(node)) if node.tag == "a" else ""
            if CONAC.search(ref) or (node.tag == "a" and "党政机关" in label):
                facts.conac = True
            if ZHAOCUO_URL.search(ref) or (node.tag == "a" and ZHAOCUO_TEXT.search(label + ref)):
                facts.zhaocuo = True
    # The official embed codes write the marks with a script (document.write of dcs.conac.cn's or the 找错
    # platform's script): the embed code is the mark, as a browser would show it.
    inline = " ".join(tree.inline_scripts)
    facts.conac = facts.conac or bool(re.search(r"conac\.cn|_ideConac", inline, re.I))
    facts.zhaocuo = facts.zhaocuo or bool(ZHAOCUO_URL.search(inline))
    if not (facts.site_code and facts.icp and facts.police):
        facts.written_by_script = _script_footer(tree, inline)
    return facts


def _script_footer(tree: PageTree, scripts: str) -> bool:
    """Does the page produce its footer with a script (so a rendered DOM would show what the source does not)?
    `scripts`: the text of its inline scripts, joined."""
    if "document.write" in scripts or SITE_CODE.search(scripts) or "ICP" in scripts:
        return True
    if any(FOOTER_CONTAINER.search(src) for node in tree.tags["script"] if (src := node.get("src")) is not None):
        return True
    return any(not joined_text(node, NOT_SCRIPT) for node in _containers(tree))
