"""Writing CSV and .xlsx exports that cannot carry formulas (CSV / formula injection).

A user-controlled text such as an entity named ``=HYPERLINK("http://…","点击")`` would otherwise
be a live formula when the export is opened in Excel or WPS: openpyxl stores any text starting
with ``=`` as a formula cell, and spreadsheet programs evaluate CSV cells starting with ``=``,
``+``, ``-``, ``@``, tab or carriage return. Every export writes through this module:

* CSV: a text starting with one of those characters gets a leading ``'`` (OWASP's advice); a text
  that is a plain number (``-12.5``) is left alone, it cannot be a formula.
* .xlsx: every text cell is written as a string cell (``data_type`` ``s``), so it is never a
  formula whatever it starts with; a risky one also gets Excel's quote prefix, so editing the cell
  in Excel keeps it text.

Numbers, dates and booleans are written as they are (a negative number stays a number).

Large exports are written in constant memory: ``csv_write`` and ``xlsx_write`` write to a file
(a temporary file the background job hands on: ``jobs.OutputFile(file=…)``) as the rows come,
the .xlsx through openpyxl's write-only workbook (rows streamed to disk, text as inline strings,
no shared-string table). ``csv_bytes`` and ``xlsx_bytes`` remain for small exports and pages.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import IO, Any, Protocol

# Characters that make a spreadsheet program read a cell as a formula (OWASP CSV injection),
# plus line feed, which some programs also strip before parsing.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?", re.ASCII)


class _Writer(Protocol):
    def writerow(self, row: Iterable[Any], /) -> Any: ...


def is_risky(text: str) -> bool:
    """Whether a spreadsheet program could read ``text`` as a formula."""
    return text.startswith(FORMULA_PREFIXES) and _PLAIN_NUMBER.fullmatch(text) is None


def csv_value(value: Any) -> Any:
    """``value`` for a CSV cell: a risky text prefixed with ``'``, anything else unchanged."""
    if isinstance(value, str) and is_risky(value):
        return "'" + value
    return value


class SafeCsvWriter:
    """``csv.writer`` whose every row goes through ``csv_value``."""

    def __init__(self, buffer: IO[str]) -> None:
        self._writer: _Writer = csv.writer(buffer)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([csv_value(v) for v in row])


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> tuple[bytes, int]:
    """A UTF-8 CSV with a BOM (Excel opens UTF-8 CSV correctly only with one) and the number of
    data rows written."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = SafeCsvWriter(buffer)
    writer.writerow(headers)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return buffer.getvalue().encode("utf-8"), count


def csv_write(target: IO[bytes], headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """``csv_bytes`` written to ``target`` as the rows come (constant memory); returns the
    number of data rows. ``target`` stays open."""
    text = io.TextIOWrapper(target, encoding="utf-8", newline="")
    try:
        text.write("\ufeff")
        writer = SafeCsvWriter(text)
        writer.writerow(headers)
        count = 0
        for row in rows:
            writer.writerow(row)
            count += 1
        text.flush()
    finally:
        text.detach()
    return count


def xlsx_write(
    target: IO[bytes], title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """One sheet (headers in bold, top row frozen) written to ``target`` in constant memory
    through openpyxl's write-only workbook; returns the number of data rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = xlsx_cell(sheet, header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for row in rows:
        xlsx_append(sheet, row)
        count += 1
    workbook.save(target)
    return count


def xlsx_cell(sheet: Any, value: Any) -> Any:
    """An openpyxl cell of ``sheet`` (write-only or not) holding ``value``; text is always a
    string cell, never a formula."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl made "=…" a formula ("f"); text stays text
        if is_risky(value):
            cell.quotePrefix = True
    return cell


# Texts openpyxl would not store as a plain string cell: "=…" becomes a formula, these become
# error cells.
_XLSX_ERROR_TEXTS = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))


def xlsx_append(sheet: Any, row: Iterable[Any]) -> None:
    """``sheet.append(row)`` with every text written as a string cell (``xlsx_cell``). A text
    openpyxl already stores as a string cell (not risky, no ``=`` or error value) and every
    number or date goes in as it is: building a cell object for each costs more than writing it."""
    sheet.append(
        [
            xlsx_cell(sheet, value)
            if isinstance(value, str) and (value in _XLSX_ERROR_TEXTS or is_risky(value))
            else value
            for value in row
        ]
    )


def xlsx_bytes(
    sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]],
) -> bytes:
    """A workbook with one sheet per (title, headers, rows), headers in bold, frozen top row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=False)
    workbook.remove(workbook.active)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        xlsx_append(sheet, headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            xlsx_append(sheet, row)
        sheet.freeze_panes = "A2"
        for index, header in enumerate(headers, start=1):
            letter = sheet.cell(row=1, column=index).column_letter
            sheet.column_dimensions[letter].width = max(10, min(60, len(str(header)) * 2 + 4))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
