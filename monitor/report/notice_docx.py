"""The notice (monitor/report/notice.py `blocks`) as a Word file, the form offices circulate: A4 with the margins of
official documents (GB/T 9704: 37/35/28/26 mm), the title as a bold 二号 (22 pt) heading in 方正小标宋 (else 宋体),
headings in 黑体, body in 仿宋_GB2312 三号 (16 pt) — East-Asian font names set through rFonts eastAsia so Word uses
them for Chinese text —, the issuing office and date right-aligned, and each attachment on a page of its own as a
real table with 序号 and its 注 line. Nothing here words the notice; it only prints the blocks.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.run import Run

from monitor.report.notice import Attachment, Block, Heading, Paragraph, Table

TITLE_FONT, HEADING_FONT, BODY_FONT = "方正小标宋简体", "黑体", "仿宋_GB2312"
LATIN_FONT = "Times New Roman"
TITLE_SIZE, BODY_SIZE, TABLE_SIZE = Pt(22), Pt(16), Pt(12)  # 二号, 三号, 小四


def _font(run: Run, east_asian: str, size: Pt, bold: bool = False) -> None:
    run.font.name, run.font.size, run.font.bold = LATIN_FONT, size, bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asian)


def _paragraph(doc, text: str, east_asian: str = BODY_FONT, size: Pt = BODY_SIZE, bold: bool = False,
               align: WD_ALIGN_PARAGRAPH | None = None, indent: bool = False):
    par = doc.add_paragraph()
    _font(par.add_run(text), east_asian, size, bold)
    if align is not None:
        par.alignment = align
    if indent:  # 首行缩进两字
        par.paragraph_format.first_line_indent = Pt(size.pt * 2)
    return par


def _table(doc, table: Table) -> None:
    rows = table.rows or [["本季度无"] + [""] * (len(table.header) - 1)]
    grid = doc.add_table(rows=1 + len(rows), cols=len(table.header))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for r, cells in enumerate([table.header, *rows]):
        for c, text in enumerate(cells):
            cell = grid.cell(r, c)
            cell.text = ""
            par = cell.paragraphs[0]
            par.alignment = WD_ALIGN_PARAGRAPH.CENTER if r == 0 or c == 0 else WD_ALIGN_PARAGRAPH.LEFT
            _font(par.add_run(text), HEADING_FONT if r == 0 else BODY_FONT, TABLE_SIZE, bold=r == 0)
    header = grid.rows[0]._tr  # the header row repeats on every printed page of a long list
    header.get_or_add_trPr().append(header.makeelement(qn("w:tblHeader"), {}))


def _a4(doc) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = LATIN_FONT, BODY_SIZE
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)


def document(notice: list[Block]):
    doc = Document()
    _a4(doc)
    for block in notice:
        if isinstance(block, Heading) and block.level == 0:
            _paragraph(doc, block.text, TITLE_FONT, TITLE_SIZE, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        elif isinstance(block, Heading):
            _paragraph(doc, block.text, HEADING_FONT, indent=True)
        elif isinstance(block, Paragraph):
            if block.role == "addressee":
                _paragraph(doc, block.text)
            elif block.role == "signature":
                _paragraph(doc, block.text, align=WD_ALIGN_PARAGRAPH.RIGHT)
            else:
                _paragraph(doc, block.text, indent=True)
        elif isinstance(block, Attachment):
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            _paragraph(doc, f"附件{block.number}", HEADING_FONT)
            _paragraph(doc, block.title, TITLE_FONT, Pt(18), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
            _table(doc, block.table)
            if block.note:
                _paragraph(doc, block.note, size=TABLE_SIZE)
        else:
            _table(doc, block)
    return doc


def write(notice: list[Block], path: Path) -> None:
    """Save the notice to `path` (the caller writes through monitor/report/files.py `atomic`)."""
    document(notice).save(str(path))
