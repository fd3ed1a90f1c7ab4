"""Extraction on the real government pages of ../shared/corpus/pages (skipped when absent).

The file names carry the expected article date (`…_article_2016-11-22.html`; `_2024-03` = month only). Measured:
25 of the 25 dated pages right (one, sc-gov-cn, by design: its visible 发布日期 differs from the meta PubDate the
file name came from), no footer mark invented.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from parsel import Selector

from monitor.extract.dates import article_date
from monitor.extract.encoding import decode
from monitor.extract.footer import footer_facts
from monitor.extract.page import extract_page

REF = date(2026, 11, 1)
# The visible date wins over the meta PubDate this page's file name was taken from.
VISIBLE_WINS = {"mhxqwer-clone__sc-gov-cn_article_2022-10-14.html": date(2020, 9, 15)}
MIN_SHARE = 0.96  # measured 25/25; one wrong page in 25 would still pass, two would not


def _expected(name: str) -> tuple[int, int, int | None] | None:
    m = re.search(r"_(\d{4})-(\d{2})(?:-(\d{2}))?", name)
    return (int(m.group(1)), int(m.group(2)), int(m.group(3)) if m.group(3) else None) if m else None


def _pages(corpus_dir: Path) -> list[tuple[str, str]]:
    return [(p.name, decode(p.read_bytes(), None)[0]) for p in sorted(corpus_dir.glob("*.html"))]


def test_article_dates(corpus_dir: Path) -> None:
    right, wrong = [], []
    for name, html in _pages(corpus_dir):
        expected = _expected(name)
        if expected is None:
            continue
        fact = article_date(Selector(text=html), ref=REF)
        got = fact.value if fact else None
        if name in VISIBLE_WINS:
            ok = got == VISIBLE_WINS[name]
        else:
            y, m, d = expected
            ok = got is not None and (got.year, got.month) == (y, m) and (d is None or got.day == d)
        (right if ok else wrong).append((name, got, fact.text if fact else None))
    assert len(right) + len(wrong) >= 20
    assert len(right) / (len(right) + len(wrong)) >= MIN_SHARE, wrong


def test_visible_dates_are_preferred_on_real_pages(corpus_dir: Path) -> None:
    sources = [fact.source for _, html in _pages(corpus_dir)
               if (fact := article_date(Selector(text=html), ref=REF)) is not None]
    assert sources.count("visible") >= 0.9 * len(sources) and "attr" not in sources


def test_footer_marks_occur_in_the_page_text(corpus_dir: Path) -> None:
    found = 0
    for name, html in _pages(corpus_dir):
        facts = extract_page(html, f"http://www.example.gov.cn/{name}", ref=REF)
        flat = re.sub(r"\s", "", facts.text)
        for mark in (facts.footer.site_code, facts.footer.icp, facts.footer.police):
            if mark:
                found += 1
                assert re.sub(r"\s", "", mark) in flat, (name, mark)
    assert found >= 60  # measured 67 marks over 27 pages


def test_script_built_footers_are_flagged(corpus_dir: Path) -> None:
    for name, html in _pages(corpus_dir):
        footer = footer_facts(Selector(text=html), html)
        if "jsfooter" in name:
            assert footer.written_by_script and footer.site_code is None, name
        if footer.site_code and footer.icp and footer.police:
            assert not footer.written_by_script, name


def test_utf16_page_decodes(corpus_dir: Path) -> None:
    paths = list(corpus_dir.glob("*utf16*.html"))
    assert paths
    for path in paths:
        text, encoding = decode(path.read_bytes(), "text/html; charset=gb2312")
        assert encoding == "utf-16" and "湘潭" in text
