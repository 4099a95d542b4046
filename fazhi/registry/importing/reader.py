"""Reading an uploaded .xlsx or .csv file into rows of cell values (kept apart: the reader
will be replaced). Spreadsheets are read by openpyxl's read-only reader with a faster cell
parser (``_sheet_rows``); ``fazhi.core.import_limits`` bounds what is read.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from fazhi.core import errors
from fazhi.registry.models import (
    ImportFormat,
)


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value).strip()


def read_xlsx(
    content: bytes, sized: Callable[[int | None], None] | None = None
) -> Iterator[Sequence[Any]]:
    """Rows of the first worksheet as value tuples: the rows openpyxl's read-only
    ``iter_rows(values_only=True)`` yields, read with a faster cell parser (``_sheet_rows``).
    ``sized`` is told the sheet's row count as the workbook declares it (None: undeclared)."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:
        raise errors.ValidationFailed(
            "无法读取该Excel文件，请使用下载的模板（.xlsx）。", code="unreadable_file"
        ) from exc
    try:
        if sized is not None:
            sized(_row_count(workbook.worksheets[0]))
        yield from _sheet_rows(workbook.worksheets[0])
    except Exception as exc:
        raise errors.ValidationFailed("Excel文件内容损坏。", code="unreadable_file") from exc
    finally:
        workbook.close()


def _row_count(sheet: Any) -> int | None:
    """The sheet's rows: as its ``<dimension>`` declares them (Excel and WPS write one), else
    counted in its XML (openpyxl's write-only files declare none). Counting inflates the sheet
    once more, about 1% of reading it; ``import_limits.check_file`` has bounded its size."""
    if sheet.max_row is not None:
        return int(sheet.max_row)
    count, tail = 0, b""
    with sheet._get_source() as source:
        while block := source.read(1 << 20):
            count += (tail + block).count(b"<row")
            tail = block[-3:]
    return count or None


def _sheet_rows(sheet: Any) -> Iterator[Sequence[Any]]:
    """``sheet.iter_rows(values_only=True)`` of an openpyxl read-only worksheet, value for value.

    openpyxl spends most of its read on each cell: an inline string (how openpyxl and many
    exporters write text) becomes a rich-text object through its generic descriptor machinery
    only to be joined back into a plain string, and every coordinate is parsed in a Python loop.
    ``_SheetParser`` takes the common cells - plain inline strings, shared strings, numbers and
    dates - straight from the XML element and hands every other cell to openpyxl's own
    ``parse_cell``; the row padding below is ``ReadOnlyWorksheet._cells_by_row`` and
    ``_get_row`` for ``min_col = min_row = 1``. The workbook, its shared strings, date styles
    and sheet size still come from ``load_workbook``. openpyxl is pinned; the tests compare
    this with ``iter_rows`` on sheets of every cell kind.
    """
    workbook = sheet.parent
    max_col: int | None = sheet.max_column
    max_row: int | None = sheet.max_row
    # openpyxl's filler for a row absent from the file: a list when the sheet is unsized
    empty_row: Sequence[Any] = [] if max_col is None else (None,) * max_col
    counter = 1
    index = 1
    with sheet._get_source() as source:
        parser = _sheet_parser_class()(
            source,
            sheet._shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        for index, columns, values in parser.parse():
            if max_row is not None and index > max_row:
                break
            while counter < index:  # rows absent from the file
                counter += 1
                yield empty_row
            if counter == index:
                counter += 1
                if not columns and not max_col:
                    yield ()
                    continue
                width = max_col or columns[-1]
                padded: list[Any] = [None] * width
                for column, value in zip(columns, values, strict=True):
                    if 1 <= column <= width:
                        padded[column - 1] = value
                yield tuple(padded)
    if max_row is not None and max_row < index:
        for _ in range(counter, max_row + 1):
            yield empty_row


_SLOW = object()  # _SheetParser: a cell left to openpyxl's parse_cell


@functools.cache
def _sheet_parser_class() -> Any:
    """openpyxl's worksheet parser with a fast path for the common cells (built on first use:
    openpyxl is imported only when a spreadsheet is read)."""
    from openpyxl.utils.cell import column_index_from_string
    from openpyxl.utils.datetime import from_excel
    from openpyxl.worksheet._reader import WorkSheetParser, _cast_number
    from openpyxl.xml.constants import SHEET_MAIN_NS

    value_tag = f"{{{SHEET_MAIN_NS}}}v"
    inline_tag = f"{{{SHEET_MAIN_NS}}}is"
    text_tag = f"{{{SHEET_MAIN_NS}}}t"
    coordinate_re = re.compile(r"([A-Za-z]{1,3})[0-9]+")

    class _SheetParser(WorkSheetParser):  # type: ignore[misc]
        def parse_row(self, row: Any) -> tuple[int, list[int], list[Any]]:
            """(row number, columns, values) instead of openpyxl's list of cell dicts; the row
            number as openpyxl reads it (row dimensions are not collected: unused here)."""
            number = row.get("r")
            if number is not None:
                try:
                    self.row_counter = int(number)
                except ValueError:
                    real = float(number)
                    if not real.is_integer():
                        raise ValueError(f"{number} is not a valid row number") from None
                    self.row_counter = int(real)
            else:
                self.row_counter += 1
            self.col_counter = 0
            columns: list[int] = []
            values: list[Any] = []
            fast = self._fast_cell
            for element in row:
                cell = fast(element)
                if cell is _SLOW:
                    parsed = self.parse_cell(element)  # sets col_counter itself
                    columns.append(parsed["column"])
                    values.append(parsed["value"])
                else:
                    self.col_counter = cell[0]
                    columns.append(cell[0])
                    values.append(cell[1])
            return self.row_counter, columns, values

        def _fast_cell(self, element: Any) -> Any:
            """(column, value) exactly as ``parse_cell`` with ``data_only`` gives them, or
            ``_SLOW`` for any cell outside the common shapes. Changes no parser state."""
            get = element.get
            coordinate = get("r")
            if coordinate:
                match = coordinate_re.fullmatch(coordinate)
                if match is None:
                    return _SLOW
                column = column_index_from_string(match[1])
            else:
                column = self.col_counter + 1
            data_type = get("t")
            if data_type == "inlineStr":
                holder = element.find(inline_tag)
                if holder is None:
                    return column, None
                if len(holder) != 1 or holder.keys() or holder[0].tag != text_tag:
                    return _SLOW  # rich text, phonetic runs, attributes: openpyxl's Text
                return column, holder[0].text or ""
            value = element.findtext(value_tag) or None
            if value is None:
                return column, None
            if data_type == "s":
                return column, self.shared_strings[int(value)]
            if data_type is not None and data_type != "n":
                return _SLOW  # booleans, errors, formula strings, ISO dates
            number = _cast_number(value)
            style = get("s", 0)
            if style:
                style = int(style)
            if style in self.date_formats:
                try:
                    date = from_excel(number, self.epoch, timedelta=style in self.timedelta_formats)
                except (OverflowError, ValueError):
                    return _SLOW  # openpyxl warns and makes it an error value
                return column, date
            return column, number

    return _SheetParser


def read_csv(content: bytes) -> Iterator[tuple[Any, ...]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise errors.ValidationFailed("CSV文件编码无法识别（请用UTF-8）。", code="unreadable_file")
    try:
        for row in csv.reader(io.StringIO(text)):
            yield tuple(row)
    except csv.Error as exc:
        raise errors.ValidationFailed(f"CSV格式错误：{exc}", code="unreadable_file") from exc


def detect_format(file_name: str, content: bytes) -> str:
    if content[:4] == b"PK\x03\x04" or file_name.lower().endswith(".xlsx"):
        return ImportFormat.XLSX
    if file_name.lower().endswith((".csv", ".txt")):
        return ImportFormat.CSV
    raise errors.ValidationFailed("只支持 .xlsx 或 .csv 文件。", code="unreadable_file")
