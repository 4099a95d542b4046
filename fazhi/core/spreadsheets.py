"""The one reader of every spreadsheet Fazhi reads (entity imports, imported task lists, …).

.xlsx, .xls and .ods are read by python-calamine (the Rust calamine reader; decision 0033),
.csv by the standard library (UTF-8 with or without a BOM, UTF-16 with a BOM as Excel's
"Unicode text", else GB18030; comma, or tab when the first line has tabs and no comma).
openpyxl only writes (templates, exports). Callers wrap the rows in
``fazhi.core.import_limits.limit_rows`` and call ``check_file`` first (``zip_based``).

``read_sheet`` gives the first *visible* worksheet (a hidden sheet, such as a template's list of
drop-down values, is skipped) as rows of cell values as the user sees them:

* every row of the sheet from row 1 (``enumerate(rows, start=1)`` is the sheet's row number;
  empty rows included, so positions in error reports are those the user sees), each from the
  sheet's first used column (``Sheet.first_column``) to its last;
* an empty cell is ``""``; text as typed (not stripped); numbers are ``float`` (or ``int``) as
  calamine reads them; booleans; a date-formatted cell a ``date``/``datetime`` (the 1904 date
  system applied), a time a ``time``, a duration a ``timedelta``;
* a formula cell holds its cached value (what Excel last showed; none: ``""``);
* a merged range shows its value in every cell it covers (header titles merged over two rows,
  a category merged down several rows), as on screen.

Helpers for the values: ``cell_text`` (any cell as the text a user would read), ``as_date``
(dates typed, Excel serial numbers in either date system, ``2025-03-01``, ``2025/3/1``,
``2025.3.1``, ``2025年3月1日``, ``20250301``) and ``is_damaged_code`` (a code column - a
统一社会信用代码, an ID number - that Excel turned into a number: past 15 digits Excel keeps
only the first 15, so the cell can never be trusted; ``DAMAGED_CODE_MESSAGE`` tells the user
what to do). Codes typed as text keep their leading zeros: nothing here converts text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fazhi.core import errors

XLSX, XLS, ODS, CSV = "xlsx", "xls", "ods", "csv"
FORMATS = (XLSX, XLS, ODS, CSV)
ZIP_FORMATS = (XLSX, ODS)  # zip containers: ``import_limits.check_file(zip_based=True)``
EXTENSIONS = {".xlsx": XLSX, ".xlsm": XLSX, ".xls": XLS, ".ods": ODS, ".csv": CSV, ".txt": CSV}

DAMAGED_CODE_MESSAGE = "该列请设置为文本格式后重新录入"

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIME = b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet"
_DATE1904 = re.compile(rb"<(?:\w+:)?workbookPr\b[^>]*\bdate1904=\"(?:1|true)\"")
_SCIENTIFIC = re.compile(r"[+-]?\d+(?:\.\d+)?[eE][+-]?\d+")
_TEXT_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_SERIAL = re.compile(r"\d{1,7}(?:\.\d+)?")
_EPOCH_1900 = dt.date(1899, 12, 30)  # serial 1 is 1900-01-01; Excel's 1900-02-29 is skipped
_EPOCH_1904 = dt.date(1904, 1, 1)
_LAST_SERIAL = 2958465  # 9999-12-31


@dataclass
class Sheet:
    """The rows of a spreadsheet's first visible worksheet (see the module docstring)."""

    rows: Iterator[list[Any]]
    file_format: str
    total: int | None  # rows as the file declares them (progress), None when unknown
    date1904: bool = False
    first_column: int = 0  # the sheet column (0 = A) of each row's first cell


def unreadable(
    message: str = "无法读取该文件，请使用下载的模板（.xlsx）。",
) -> errors.ValidationFailed:
    return errors.ValidationFailed(message, code="unreadable_file")


def detect_format(file_name: str | None, content: bytes) -> str:
    """The format of an upload, by its content first (a renamed file is read as what it is),
    then by its name; refuses anything else."""
    if content[:4] == b"PK\x03\x04":
        return ODS if content[30:84] == _ODS_MIME or _is_ods(content) else XLSX
    if content[:8] == _OLE2:
        return XLS
    name = (file_name or "").lower()
    for extension, file_format in EXTENSIONS.items():
        if name.endswith(extension):
            return file_format
    if file_name is None:
        return CSV
    raise errors.ValidationFailed("只支持 .xlsx、.xls、.ods 或 .csv 文件。", code="unreadable_file")


def _is_ods(content: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return False
    return "content.xml" in names and "xl/workbook.xml" not in names


def read_sheet(content: bytes, file_name: str | None = None) -> Sheet:
    """The first visible worksheet of ``content`` (format from ``detect_format``). Raises
    ``ValidationFailed`` (``unreadable_file``) for a file that cannot be read."""
    file_format = detect_format(file_name, content)
    if file_format == CSV:
        return _read_csv(content)
    return _read_workbook(content, file_format)


def _read_workbook(content: bytes, file_format: str) -> Sheet:
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        index = next(
            (
                n
                for n, meta in enumerate(workbook.sheets_metadata)
                if meta.visible == SheetVisibleEnum.Visible and meta.typ == SheetTypeEnum.WorkSheet
            ),
            None,
        )
        if index is None:
            raise unreadable("文件中没有可见的工作表。")
        sheet = workbook.get_sheet_by_index(index)
        merged = sheet.merged_cell_ranges or []
        start, end = sheet.start, sheet.end
    except errors.ValidationFailed:
        raise
    except Exception as exc:  # calamine's errors, and anything a damaged file provokes
        raise unreadable("文件内容损坏或不是电子表格，无法读取。") from exc
    total = end[0] + 1 if end is not None else 0
    date1904 = file_format == XLSX and _xlsx_date1904(content)
    rows: Iterator[list[Any]] = iter(()) if start is None else _rows(sheet, start[1], merged)
    return Sheet(
        rows=rows,
        file_format=file_format,
        total=total,
        date1904=date1904,
        first_column=start[1] if start is not None else 0,
    )


def _rows(sheet: Any, first_column: int, merged: list[Any]) -> Iterator[list[Any]]:
    """``sheet.iter_rows()`` (rows from the sheet's first, cells from its first used column)
    with merged ranges filled, and calamine's errors reported as unreadable."""
    try:
        iterator = sheet.iter_rows()
        if not merged:
            yield from iterator
            return
        # row -> [(top row, left column, right column)] of the ranges covering it, 0-based
        covering: dict[int, list[tuple[int, int, int]]] = {}
        for (top, left), (bottom, right) in merged:
            for row in range(top, bottom + 1):
                covering.setdefault(row, []).append((top, left, right))
        anchors: dict[tuple[int, int], Any] = {}  # a range's top-left value, once read
        for number, values in enumerate(iterator):
            spans = covering.get(number)
            if spans is None:
                yield values
                continue
            width = len(values)
            for top, left, right in spans:
                if top == number:
                    position = left - first_column
                    anchors[(top, left)] = values[position] if 0 <= position < width else ""
                value = anchors.get((top, left), "")
                for position in range(
                    max(left - first_column, 0), min(right - first_column + 1, width)
                ):
                    values[position] = value
            yield values
    except errors.ValidationFailed:
        raise
    except Exception as exc:
        raise unreadable("文件内容损坏，无法读取。") from exc


def _xlsx_date1904(content: bytes) -> bool:
    """Whether an .xlsx counts dates from 1904 (old Mac Excel): typed dates are converted by
    calamine either way; a bare serial number in a date column needs the workbook's system."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive, archive.open("xl/workbook.xml") as f:
            head = f.read(64 * 1024)
    except (KeyError, zipfile.BadZipFile, ValueError, OSError):
        return False
    return _DATE1904.search(head) is not None


def _read_csv(content: bytes) -> Sheet:
    text = _decode(content)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    return Sheet(
        rows=_csv_rows(text, delimiter),
        file_format=CSV,
        total=text.count("\n") + (0 if text.endswith("\n") else 1) if text else 0,
    )


def _decode(content: bytes) -> str:
    if content[:2] in (b"\xff\xfe", b"\xfe\xff"):
        # Excel's "Unicode text": UTF-16 with a BOM, cells separated by tabs
        try:
            text = content.decode("utf-16")
        except UnicodeDecodeError:
            text = ""
        if "\t" in text or "\n" in text:
            return text
        raise unreadable("CSV文件编码无法识别（请用UTF-8或GB18030）。")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise unreadable("CSV文件编码无法识别（请用UTF-8或GB18030）。")


def _csv_rows(text: str, delimiter: str) -> Iterator[list[Any]]:
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as exc:
        raise unreadable(f"CSV格式错误：{exc}") from exc


# --- cell values --------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A cell as the text a user reads in it: text stripped, a whole number without ``.0``, a
    date (or a datetime at midnight) as ``YYYY-MM-DD``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def is_damaged_code(value: Any) -> bool:
    """Whether a cell of a code column (统一社会信用代码, 身份证号, 许可证号 …) holds a number:
    Excel turned the typed code into a number (and past 15 digits replaced its tail with
    zeros), or a CSV saved by Excel holds it in scientific notation (``3.50102E+17``). Such a
    cell is reported, never accepted."""
    if value.__class__ is str:  # the common case first: a code typed as text
        return ("E" in value or "e" in value) and _SCIENTIFIC.fullmatch(value.strip()) is not None
    if isinstance(value, bool):
        return False
    return isinstance(value, int | float)


def as_date(value: Any, *, date1904: bool = False) -> dt.date | None:
    """The date a cell holds: a typed date, an Excel serial number (in the workbook's date
    system), or text ``2025-03-01`` / ``2025/3/1`` / ``2025.3.1`` / ``2025年3月1日`` /
    ``20250301``; ``None`` for an empty cell. Raises ``ValueError`` for anything else."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        return _serial_date(float(value), date1904)
    text = cell_text(value)
    if not text:
        return None
    match = _TEXT_DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    if match is not None:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    if _SERIAL.fullmatch(text):
        return _serial_date(float(text), date1904)
    raise ValueError(text)


def _serial_date(serial: float, date1904: bool) -> dt.date:
    if not 1 <= serial <= _LAST_SERIAL:
        raise ValueError(serial)
    days = int(serial)
    if date1904:
        return _EPOCH_1904 + dt.timedelta(days=days)
    if days < 61:  # before Excel's fictitious 1900-02-29
        days += 1
    return _EPOCH_1900 + dt.timedelta(days=days)
