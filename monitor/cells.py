"""Cells of the files people open in a spreadsheet (attachment lists, rates, the crawl's per-site table).

Names, titles and paths come from registry files and crawled pages: a cell starting with = + - @ (or a tab or
carriage return) would run as a formula in Excel, so it gets a leading apostrophe and stays plain text.
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """A cell that a spreadsheet would read as a formula, made plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
