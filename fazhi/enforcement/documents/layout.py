"""The page of an enforcement document (卫生行政执法文书规范 layout): A4, the agency's name and
the document's name centred at the top, its number on the right, the body in 仿宋 三号 with a
two-character first-line indent, the agency and date at the foot (decision 0054).

``Page`` is a thin writer over python-docx; the documents in ``kinds`` only say what to write.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

from fazhi.core import clock

TITLE_FONT = "宋体"  # 方正小标宋简体 where installed: Word falls back to 宋体
BODY_FONT = "仿宋"
BODY_SIZE = Pt(16)  # 三号
TITLE_SIZE = Pt(22)  # 二号
FOOTER_SIZE = Pt(14)  # 四号
LINE = Pt(28)
BLANK = "＿＿＿＿＿＿＿＿"  # a line the officer fills in by hand before signing
# XML 1.0 forbids these characters (python-docx refuses them); a vertical tab or form feed, as
# Word and Excel write a line break in text pasted from them, becomes a line break
LINE_BREAKS = re.compile("[\x0b\x0c]")
FORBIDDEN = re.compile("[\x00-\x08\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    """``text`` as a document can hold it (decision 0087): what XML forbids dropped."""
    return FORBIDDEN.sub("", LINE_BREAKS.sub("\n", text))


def chinese_date(day: dt.date | None) -> str:
    """``2026-12-07`` → ``"2026年12月7日"``; no date: blanks for the pen."""
    if day is None:
        return "　　年　　月　　日"
    return f"{day.year}年{day.month}月{day.day}日"


def _font(run_or_style: object, name: str, size: Pt, *, bold: bool = False) -> None:
    font = run_or_style.font  # type: ignore[attr-defined]
    font.name = name
    font.size = size
    font.bold = bold
    element = run_or_style.element  # type: ignore[attr-defined]
    rpr = element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        rfonts.set(qn(attr), name)


def _field(paragraph: Paragraph, code: str) -> None:
    """A field (``PAGE``) as Word writes one: begin, instruction, separate, the value shown until
    the field is updated ("1"), end; each in its own run."""
    for part in ("begin", f" {code} ", "separate", "1", "end"):
        run = paragraph.add_run()
        _font(run, BODY_FONT, FOOTER_SIZE)
        if part == "1":
            run.text = part
        elif part.strip() == code:
            instruction = run._r.makeelement(qn("w:instrText"), {qn("xml:space"): "preserve"})
            instruction.text = part
            run._r.append(instruction)
        else:
            run._r.append(run._r.makeelement(qn("w:fldChar"), {qn("w:fldCharType"): part}))


class Page:
    """One document: write headings, fields and paragraphs, then ``bytes()``."""

    def __init__(self, *, agency: str, title: str, number: str | None = None) -> None:
        self.doc = Document()
        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        normal = self.doc.styles["Normal"]
        _font(normal, BODY_FONT, BODY_SIZE)
        normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        normal.paragraph_format.line_spacing = LINE
        normal.paragraph_format.space_after = Pt(0)
        self._properties(agency=agency, title=title)
        self._page_numbers(section)
        self._centred(agency, TITLE_SIZE)
        self._centred(title, TITLE_SIZE, bold=True)
        if number is not None:
            self.number(number)

    def _properties(self, *, agency: str, title: str) -> None:
        """The file's own properties: not python-docx's template's (created in 2013, "generated
        by python-docx", a thumbnail of another page that a file browser would show)."""
        properties = self.doc.core_properties
        properties.title, properties.author = clean(title), clean(agency)
        properties.last_modified_by, properties.comments = clean(agency), ""
        properties.created = properties.modified = clock.now().astimezone(dt.UTC)
        package = self.doc.part.package.rels
        for rel_id, rel in list(package.items()):
            if rel.reltype == RT.THUMBNAIL:
                del package[rel_id]

    def _page_numbers(self, section: Section) -> None:
        """ "第 1 页 共 2 页" centred in the footer (Word and LibreOffice fill the PAGE and
        NUMPAGES fields): a record signed page by page names each page (decision 0087)."""
        paragraph = section.footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for text, field in (("第 ", "PAGE"), (" 页 共 ", "NUMPAGES"), (" 页", None)):
            _font(paragraph.add_run(text), BODY_FONT, FOOTER_SIZE)
            if field is not None:
                _field(paragraph, field)

    def _centred(self, text: str, size: Pt, *, bold: bool = False) -> None:
        paragraph = self.doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.line_spacing = Pt(size.pt * 1.6)
        _font(paragraph.add_run(clean(text)), TITLE_FONT, size, bold=bold)

    def number(self, number: str) -> None:
        paragraph = self.doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.space_after = Pt(12)
        _font(paragraph.add_run(clean(number)), BODY_FONT, BODY_SIZE)

    def line(self, text: str, *, indent: bool = False, bold: bool = False) -> Paragraph:
        """A paragraph of the body (``indent``: the first line by two characters)."""
        paragraph = self.doc.add_paragraph()
        if indent:
            paragraph.paragraph_format.first_line_indent = Pt(BODY_SIZE.pt * 2)
        _font(paragraph.add_run(clean(text)), BODY_FONT, BODY_SIZE, bold=bold)
        return paragraph

    def para(self, text: str) -> Paragraph:
        return self.line(text, indent=True)

    def paras(self, texts: Iterable[str]) -> None:
        for text in texts:
            for piece in str(text).splitlines():
                if piece.strip():
                    self.para(piece.strip())

    def field(self, label: str, value: str | None) -> None:
        """``label：value`` on its own line (a blank line for the pen when no value)."""
        self.line(f"{label}：{value or BLANK}")

    def heading(self, text: str) -> None:
        self.line(text, indent=True, bold=True)

    def table(self, rows: list[tuple[str, str]]) -> None:
        """A two-column form (the reports' and the receipt's boxes)."""
        grid = self.doc.add_table(rows=0, cols=2)
        grid.style = "Table Grid"
        grid.alignment = WD_TABLE_ALIGNMENT.CENTER
        # the grid's widths as the cells': LibreOffice lays a table out by its grid, Word by
        # its cells (decision 0087)
        widths = (Mm(40), Mm(116))
        for column, width in zip(grid.columns, widths, strict=True):
            column.width = width
        for label, value in rows:
            cells = grid.add_row().cells
            cells[0].width, cells[1].width = widths
            for cell, text in ((cells[0], label), (cells[1], value or "")):
                paragraph = cell.paragraphs[0]
                paragraph.paragraph_format.line_spacing = Pt(22)
                _font(paragraph.add_run(clean(text)), BODY_FONT, Pt(14))

    def signature(self, agency: str, day: dt.date | None, *, seal: bool = True) -> None:
        """The foot: the agency (with its seal) and the date, to the right."""
        self.doc.add_paragraph()
        for text in (agency + ("（印章）" if seal else ""), chinese_date(day)):
            paragraph = self.doc.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _font(paragraph.add_run(clean(text)), BODY_FONT, BODY_SIZE)

    def note(self, text: str) -> None:
        paragraph = self.doc.add_paragraph()
        paragraph.paragraph_format.space_before = Pt(12)
        _font(paragraph.add_run(clean(text)), BODY_FONT, Pt(12))

    def bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()
