"""The .docx package checker (decision 0087) finds each defect it looks for: a sound file from
python-docx passes, and each file below, broken in one place, is reported for that place."""

from __future__ import annotations

import functools
import io
import zipfile
from collections.abc import Callable

import pytest
from docx import Document

from fazhi.core.tests import docx_package


@functools.cache
def sound() -> bytes:
    document = Document()
    document.add_paragraph("正文")
    table = document.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def rewritten(content: bytes, change: Callable[[dict[str, bytes]], None]) -> bytes:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    change(parts)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def in_part(name: str, old: str, new: str) -> Callable[[dict[str, bytes]], None]:
    def change(parts: dict[str, bytes]) -> None:
        text = parts[name].decode("utf-8")
        assert old in text, (name, old)
        parts[name] = text.replace(old, new, 1).encode("utf-8")

    return change


def body(old: str, new: str) -> Callable[[dict[str, bytes]], None]:
    return in_part("word/document.xml", old, new)


def dropped(name: str) -> Callable[[dict[str, bytes]], None]:
    def change(parts: dict[str, bytes]) -> None:
        del parts[name]

    return change


def added(name: str, data: bytes) -> Callable[[dict[str, bytes]], None]:
    return lambda parts: parts.__setitem__(name, data)


# --- the broken documents --------------------------------------------------------------------


def _document(parts: dict[str, bytes]) -> str:
    return parts["word/document.xml"].decode("utf-8")


def _set(parts: dict[str, bytes], text: str) -> None:
    parts["word/document.xml"] = text.encode("utf-8")


def _between(text: str, start: str, end: str) -> tuple[int, int]:
    first = text.index(start)
    return first, text.index(end, first + len(start)) + len(end)


def _table_without_grid(parts: dict[str, bytes]) -> None:
    text = _document(parts)
    first, last = _between(text, "<w:tblGrid>", "</w:tblGrid>")
    _set(parts, text[:first] + text[last:])


def _cell_without_paragraph(parts: dict[str, bytes]) -> None:
    text = _document(parts)
    cell = text.index("<w:tc>")
    _set(parts, text[:cell] + text[cell:].replace("<w:p/>", "", 1))


def _row_with_one_cell(parts: dict[str, bytes]) -> None:
    text = _document(parts)
    first, last = _between(text, "<w:tc>", "</w:tc>")
    _set(parts, text[:first] + text[last:])


def _narrow_grid(parts: dict[str, bytes]) -> None:
    text = _document(parts)
    first, last = _between(text, '<w:gridCol w:w="', '"/>')
    _set(parts, text[:first] + '<w:gridCol w:w="100"/>' + text[last:])


def _section_not_last(parts: dict[str, bytes]) -> None:
    _set(parts, _document(parts).replace("</w:body>", "<w:p/></w:body>"))


def _no_page_size(parts: dict[str, bytes]) -> None:
    text = _document(parts)
    first, last = _between(text, "<w:pgSz", "/>")
    _set(parts, text[:first] + text[last:])


def _margin_missing(parts: dict[str, bytes]) -> None:
    _set(parts, _document(parts).replace(' w:gutter="0"', ""))


def _huge_margins(parts: dict[str, bytes]) -> None:
    text = _document(parts)
    first, last = _between(text, ' w:left="', '"')
    _set(parts, text[:first] + ' w:left="20000"' + text[last:])


def _out_of_order(parts: dict[str, bytes]) -> None:
    """``w:jc`` before ``w:spacing`` in a paragraph's properties."""
    text = _document(parts)
    _set(
        parts,
        text.replace(
            "<w:p>", '<w:p><w:pPr><w:jc w:val="center"/><w:spacing w:after="0"/></w:pPr>', 1
        ),
    )


def test_a_sound_package_has_no_problem():
    assert docx_package.problems(sound()) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (added("word/media/extra.bin", b"x"), "part without a content type: /word/media/extra.bin"),
        (
            in_part(
                "[Content_Types].xml",
                "</Types>",
                '<Override PartName="/word/gone.xml" ContentType="application/xml"/></Types>',
            ),
            "overrides a part that is not there: /word/gone.xml",
        ),
        (dropped("word/styles.xml"), "points to a missing part /word/styles.xml"),
        (
            in_part("_rels/.rels", 'Target="word/document.xml"', 'Target="word/nothing.xml"'),
            "names no main document",
        ),
        (
            in_part("_rels/.rels", 'Id="rId3"', 'Id="rId1"'),
            "relationship id rId1 used twice",
        ),
        (body("正文", "正&#x1;文"), "a control character XML forbids"),
        (body("正文", "正\x0b文"), "a control character XML forbids"),
        (body("<w:t>正文", "<w:t><x>正文"), "not well-formed XML"),
        (
            body(
                "<w:t>正文</w:t>",
                '<w:t>正文</w:t></w:r><w:bookmarkStart w:id="0" w:name="a"/>'
                '<w:bookmarkEnd w:id="0"/><w:bookmarkStart w:id="0" w:name="b"/><w:r>',
            ),
            "bookmark id 0 used twice",
        ),
        (
            body(
                "<w:t>正文</w:t>",
                '<w:t>正文</w:t></w:r><w:bookmarkStart w:id="7" w:name="a"/><w:r>',
            ),
            "bookmark 7 never closed",
        ),
        (
            body("<w:t>正文</w:t>", '<w:t>正文</w:t><w:fldChar w:fldCharType="begin"/>'),
            "a field begun and never ended",
        ),
        (
            body("<w:t>正文</w:t>", '<w:t>正文</w:t><w:fldChar w:fldCharType="end"/>'),
            "a field end without its begin",
        ),
        (_table_without_grid, "has no w:tblGrid with columns"),
        (_cell_without_paragraph, "a cell does not end with a paragraph"),
        (_row_with_one_cell, "fills 1 grid columns of 2"),
        (_narrow_grid, "differs from its grid column"),
        (_section_not_last, "w:body must end with its one w:sectPr"),
        (_no_page_size, "without a valid page size"),
        (_margin_missing, "w:pgMar lacks gutter"),
        (_huge_margins, "the margins leave no room for text"),
        (_out_of_order, "w:spacing out of schema order in w:pPr"),
        (
            body("<w:p>", '<w:p><w:pPr><w:pStyle w:val="NoSuchStyle"/></w:pPr>'),
            "paragraph style NoSuchStyle is not defined",
        ),
    ],
)
def test_each_defect_is_found(change, expected):
    broken = rewritten(sound(), change)
    found = docx_package.problems(broken)
    assert any(expected in problem for problem in found), found


def test_a_file_that_is_not_a_zip_is_refused():
    assert docx_package.problems(b"not a zip") == ["not a zip file"]
    assert "no [Content_Types].xml" in docx_package.problems(
        rewritten(sound(), dropped("[Content_Types].xml"))
    )
