"""extract_page on what no fixture folder can hold: a body the spider never extracts (an empty one is recorded as
`empty` before extraction, see tests/fixtures/pages/sim_empty_body). Every field of whole pages, read as the spider
reads them, is tested by the fixture folders in tests/fixtures/pages (tests/test_page_fixtures.py)."""

from __future__ import annotations

from monitor.extract.page import extract_page


def test_empty_page_has_no_facts() -> None:
    empty = extract_page("", "http://www.hh.gov.cn/")
    assert (empty.title, empty.published, empty.entries, empty.links, empty.text) == (None, None, [], [], "")
    assert empty.footer.empty
