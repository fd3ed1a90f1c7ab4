"""The HTML notice as a reader sees it: rendered in Chromium (Debian's headless shell) at the width of an A4 page,
every attachment is a table with its title, 序号 header and rows, no table wider than the page, and printed to PDF
each attachment starts a page of its own."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

from monitor.config import setting
from monitor.report.cli import write_report
from tests.test_notice_docx import SETTINGS, seed

A4_CSS_PX = 794  # 210 mm at 96 px per inch


def render(path: Path) -> tuple[list[dict], int]:
    """(the attachments as Chromium lays them out, the number of pages of the printed PDF)."""
    from playwright.sync_api import sync_playwright

    result: dict = {}

    def run() -> None:  # a thread of its own: the sync API refuses a thread with a running event loop
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(setting("MONITOR_CHROMIUM")))
            page = browser.new_page(viewport={"width": A4_CSS_PX, "height": 1123})
            page.goto(path.as_uri())
            result["sections"] = page.evaluate("""() => [...document.querySelectorAll('section.attachment')].map(s => {
                const table = s.querySelector('table');
                return {title: s.querySelector('h2').innerText,
                        header: [...table.querySelectorAll('thead th')].map(th => th.innerText),
                        rows: table.querySelectorAll('tbody tr').length,
                        width: table.getBoundingClientRect().right,
                        page: document.documentElement.clientWidth,
                        note: (s.querySelector('p.note') || {innerText: ''}).innerText};
            })""")
            pdf = page.pdf(format="A4")
            result["pages"] = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
            browser.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(120)
    return result["sections"], result["pages"]


def test_html_notice_renders_its_tables_within_the_page(sqlite_url: str, tmp_path: Path) -> None:
    engine = seed(sqlite_url, tmp_path)
    settings = tmp_path / "notice.yaml"
    settings.write_text(SETTINGS, encoding="utf-8")
    write_report(engine, "2021Q1", tmp_path / "out", notice_date=date(2021, 4, 22), notice_file=str(settings))
    sections, pages = render(tmp_path / "out" / "通报_2021Q1.html")
    assert len(sections) >= 4
    assert sections[0]["title"].endswith("不合格网站名单") and sections[0]["rows"] == 3
    for s in sections:
        assert s["header"][0] == "序号" and s["rows"] >= 1, s
        assert s["width"] <= s["page"], f"{s['title']}: table {s['width']} px wider than the page {s['page']} px"
        assert s["note"].startswith("注:"), s
    assert pages >= len(sections) + 1  # the notice's own pages, then one page (at least) per attachment
