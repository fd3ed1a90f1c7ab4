"""Case-insensitive regexes over large texts, tried only where their literals stand.

Python's re tries a case-insensitive pattern at every character of the text (it cannot jump to a literal prefix as
it does for an exact one), which over a page or its scripts costs more than the rest of reading them. Every match of
the patterns below starts with (or holds, a few characters in) one of a few ASCII literals; those are found with a
substring search in the text lowered to ASCII bytes (`lowered`: one byte per character, so positions are the
text's), and the pattern itself is tried there only: the same matches, in the same order, as over the whole text.

That holds where re.IGNORECASE matches ASCII letters to nothing but their two cases, i.e. in a text without
FOLD_ODD; a text with one of them is read by the pattern alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# The only characters re.IGNORECASE matches to an ASCII letter besides its two cases: ı (U+0131) and İ (U+0130) to
# i, ſ (U+017F) to s, K (U+212A) to k.
FOLD_ODD = ("\u0130", "\u0131", "\u017f", "\u212a")


def folds(text: str) -> bool:
    """Does re.IGNORECASE match ASCII letters in `text` to their two cases only (no FOLD_ODD in it)?"""
    return not any(c in text for c in FOLD_ODD)


def lowered(text: str) -> bytes | None:
    """The text as ASCII bytes, lower-cased, every other character made one ? (positions stay the text's); None
    where it does not fold. A lower-case ASCII literal without ? stands in them exactly where a case-insensitive
    pattern of it matches in the text."""
    return text.encode("ascii", "replace").lower() if folds(text) else None


_last_page: tuple[str, bytes | None] | None = None


def page_lowered(html: str) -> bytes | None:
    """lowered(html), once per page: its readers ask in turn. Kept for the page object itself (an identity test,
    where a cache by value would hash the whole page); a thread reading another page meanwhile only costs a
    recount."""
    global _last_page
    last = _last_page
    if last is not None and last[0] is html:
        return last[1]
    low = lowered(html)
    _last_page = (html, low)
    return low


def lacks(html: str, *literals: str) -> bool:
    """Is none of the lower-case ASCII `literals` in the page, case-insensitively as re.I reads it? False when
    unsure (a page that does not fold)."""
    low = page_lowered(html)
    return low is not None and not any(literal.encode() in low for literal in literals)


def starts(low: bytes, literals: tuple[str, ...]) -> list[int]:
    """Every position where one of `literals` (lower-case ASCII) stands in `low`, in order."""
    found: set[int] = set()
    for literal in literals:
        needle = literal.encode()
        at = low.find(needle)
        while at >= 0:
            found.add(at)
            at = low.find(needle, at + 1)
    return sorted(found)


def finditer(pattern: re.Pattern[str], text: str, literals: tuple[str, ...],
             low: bytes | None = None) -> Iterator[re.Match[str]]:
    """pattern.finditer(text) for a pattern (never matching empty) whose every match starts with one of `literals`
    (lower-case ASCII). `low`: lowered(text) when the caller has it."""
    low = lowered(text) if low is None else low
    if low is None:
        yield from pattern.finditer(text)
        return
    end = 0
    for at in starts(low, literals):
        if at < end:
            continue  # inside the last match: finditer goes on after it
        m = pattern.match(text, at)
        if m is not None:
            yield m
            end = m.end()


def search(pattern: re.Pattern[str], text: str, literals: tuple[str, ...], low: bytes | None = None) -> bool:
    """pattern.search(text) is not None, for a pattern as finditer takes: tried where one literal stands, then where
    the next does, up to the first match (a yes or no needs no leftmost match: the rest of the text is not read)."""
    low = lowered(text) if low is None else low
    if low is None:
        return pattern.search(text) is not None
    for literal in literals:
        needle = literal.encode()
        at = low.find(needle)
        while at >= 0:
            if pattern.match(text, at) is not None:
                return True
            at = low.find(needle, at + 1)
    return False


def search_near(pattern: re.Pattern[str], text: str, literal: str, before: int) -> re.Match[str] | None:
    """pattern.search(text) for a pattern (without lookbehind) whose every match holds `literal` (lower-case ASCII)
    at most `before` characters after its start: tried from there on."""
    low = lowered(text)
    if low is None:
        return pattern.search(text)
    at = low.find(literal.encode())
    return None if at < 0 else pattern.search(text, max(0, at - before))
