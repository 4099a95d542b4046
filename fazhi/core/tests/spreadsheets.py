"""Pathological spreadsheets for the import-limit tests, built small in memory."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from typing import Any


def xlsx(rows: Sequence[Sequence[Any]], *, cells: Sequence[tuple[int, int, Any]] = ()) -> bytes:
    """An .xlsx of ``rows`` from A1, plus single ``cells`` (row, column, value) anywhere."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for values in rows:
        sheet.append(list(values))
    for row, column, value in cells:
        sheet.cell(row=row, column=column, value=value)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def with_sheet_comment(content: bytes, size: int) -> bytes:
    """``content`` with an XML comment of ``size`` bytes before the sheet data: the shape of
    the probe's 390 KB file whose sheet inflated to 400 MB (a few KB here, a zip bomb all the
    same)."""
    return with_sheet_markup(content, b"<!--" + b"x" * size + b"-->")


def with_sheet_markup(content: bytes, markup: bytes) -> bytes:
    """``content`` with ``markup`` written into the first sheet's XML before its data."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", markup + b"<sheetData>", 1)
            target.writestr(info.filename, data)
    return out.getvalue()
