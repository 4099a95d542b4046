"""Excel/CSV import of entities: parse -> validate every row -> stage -> confirm.

Upload parses and validates the whole file and stores the normalised rows in the batch
(``ImportBatch.payload``, zlib-compressed JSON) together with every error found. Nothing reaches
the directory until a batch without errors is confirmed; confirm inserts the whole batch in one
transaction with one audit event. Before and while reading, ``fazhi.core.import_limits`` refuses
a file too large, an .xlsx that would inflate too far, and a sheet past the row limit (nothing is
written), and only the first errors are kept with the count of all. Spreadsheets are read by
openpyxl's read-only reader with a
faster cell parser (``_sheet_rows``); validation is plain Python over the rows (division codes
are validated once per distinct value); existing codes are looked up through the directory's
unique indexes; confirm writes straight to the tables (``bulk_insert``).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
import json
import operator
import re
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction

from fazhi.core import audit, clock, errors, import_limits, validators
from fazhi.core.models import Organisation, User
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap, require_in_scope
from fazhi.registry import services
from fazhi.registry.models import (
    Entity,
    EntityKind,
    EntityStatus,
    ImportBatch,
    ImportFormat,
    ImportStatus,
    Licence,
    LicenceKind,
    RiskGrade,
    SupervisionCategory,
)

INSERT_BATCH = 5_000
_LOOKUP_CHUNK = 900  # stays under SQLite's 999 parameters


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    required: bool = False
    note: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("name", "名称", True, "单位或个人名称，必填。"),
    Column("uscc", "统一社会信用代码", False, "单位必填，18位，含校验码；请以文本格式填写。"),
    Column("id_number", "公民身份号码", False, "个人必填，18位；请以文本格式填写。"),
    Column("is_individual", "是否个人", False, "填“是”或“否”；留空时按是否只填写身份号码判断。"),
    Column("kind", "类型", True, "见“类型”工作表，可填名称或代码。"),
    Column("categories", "专业类别", False, "见“专业类别”工作表，多个用“、”分隔。"),
    Column("division_code", "行政区划代码", True, "6位行政区划代码（GB/T 2260）。"),
    Column("address", "地址", False, ""),
    Column("legal_representative", "法定代表人/负责人", False, ""),
    Column("status", "经营状态", False, "正常经营、停业/暂停、关闭/注销；留空为正常经营。"),
    Column("risk_grade", "风险等级", False, "A（低风险）至D（高风险）；留空为B。"),
    Column("licence_kind", "许可证类型", False, "见“许可证类型”工作表；填写许可证时必填。"),
    Column("licence_number", "许可证号", False, ""),
    Column("licence_scope", "许可范围", False, ""),
    Column("licence_valid_from", "许可有效期起", False, "日期，如 2024-01-31。"),
    Column("licence_valid_to", "许可有效期至", False, "日期；留空为长期。"),
)
HEADERS = {c.header: c for c in COLUMNS}
_FIELD_HEADER = {c.field: c.header for c in COLUMNS}
_SPLIT = re.compile(r"[、,，;；/\s]+")
_DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_YES = {"是", "y", "yes", "true", "1", "个人"}
_NO = {"否", "n", "no", "false", "0", "单位", ""}

# Stable error codes of the import (documented in docs/registry.md).
ERROR_CODES = {
    "unreadable_file": "文件无法读取",
    "empty_file": "文件没有数据",
    "missing_header": "缺少必需的列",
    "missing_name": "名称为空",
    "name_too_long": "名称过长",
    "missing_uscc": "单位缺少统一社会信用代码",
    "missing_id_number": "个人缺少公民身份号码",
    "id_number_for_organisation": "单位填写了身份号码",
    "numeric_code": "代码被存为数字",
    "duplicate_in_file": "文件内重复",
    "already_in_directory": "代码已在名录库中",
    "unknown_kind": "未知类型",
    "unknown_category": "未知专业类别",
    "unknown_status": "未知经营状态",
    "bad_risk_grade": "风险等级错误",
    "bad_is_individual": "是否个人填写错误",
    "bad_date": "日期错误",
    "bad_validity": "有效期错误",
    "unknown_licence_kind": "未知许可证类型",
    "incomplete_licence": "许可证信息不完整",
    "duplicate_licence": "许可证号重复",
}


def _error(row: int, field: str, code: str, message: str) -> dict[str, Any]:
    return {"row": row, "column": _FIELD_HEADER.get(field, field), "code": code, "message": message}


# --- reading files ------------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value).strip()


def read_xlsx(content: bytes) -> Iterator[Sequence[Any]]:
    """Rows of the first worksheet as value tuples: the rows openpyxl's read-only
    ``iter_rows(values_only=True)`` yields, read with a faster cell parser (``_sheet_rows``)."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:
        raise errors.ValidationFailed(
            "无法读取该Excel文件，请使用下载的模板（.xlsx）。", code="unreadable_file"
        ) from exc
    try:
        yield from _sheet_rows(workbook.worksheets[0])
    except Exception as exc:
        raise errors.ValidationFailed("Excel文件内容损坏。", code="unreadable_file") from exc
    finally:
        workbook.close()


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


# --- validation ---------------------------------------------------------------------------------


@dataclass
class Validation:
    rows: list[list[Any]]
    errors: list[dict[str, Any]]  # the first FAZHI_IMPORT_MAX_ERRORS of them
    row_count: int
    error_count: int  # all of them


class _Lookups:
    """Name/code lookups built once per file."""

    def __init__(self) -> None:
        self.kinds: dict[str, str] = {}
        for value, label in EntityKind.choices:
            self.kinds[value] = value
            self.kinds[str(label)] = value
        self.statuses: dict[str, str] = {"": EntityStatus.OPERATING.value}
        for value, label in EntityStatus.choices:
            self.statuses[value] = value
            self.statuses[str(label)] = value
            for part in str(label).split("/"):
                self.statuses[part] = value
        self.licence_kinds: dict[str, str] = {}
        for value, label in LicenceKind.choices:
            self.licence_kinds[value] = value
            self.licence_kinds[str(label)] = value
        self.categories: dict[str, int] = {}
        for cat in SupervisionCategory.objects.filter(is_active=True):
            self.categories[cat.code] = cat.pk
            self.categories[cat.name] = cat.pk
        self.grades = {g: g for g in RiskGrade.values}
        self.grades.update({f"{g}级": g for g in RiskGrade.values})
        self.grades.update({str(label): value for value, label in RiskGrade.choices})
        self.grades[""] = RiskGrade.B.value
        self.divisions: dict[str, tuple[str, str, str]] = {}  # raw -> (value, code, message)


def _date(text: str) -> dt.date | None:
    match = _DATE_RE.match(text)
    if match is None:
        raise ValueError(text)
    return dt.date(int(match[1]), int(match[2]), int(match[3]))


def _map_header(header_row: Sequence[Any]) -> tuple[dict[str, int], list[dict[str, Any]]]:
    positions: dict[str, int] = {}
    for index, raw in enumerate(header_row):
        title = _cell_text(raw).lstrip("*＊").strip()
        column = HEADERS.get(title)
        if column is not None and column.field not in positions:
            positions[column.field] = index
    problems = [
        {"row": 1, "column": c.header, "code": "missing_header", "message": f"缺少“{c.header}”列。"}
        for c in COLUMNS
        if c.required and c.field not in positions
    ]
    return positions, problems


def validate_rows(rows: Iterable[Sequence[Any]]) -> Validation:
    """Validate a header row and the data rows after it. Reports every problem found."""
    iterator = iter(rows)
    header = next(iterator, None)
    if header is None:
        return Validation([], [_error(1, "", "empty_file", "文件为空。")], 0, 1)
    positions, problems = _map_header(header)
    if problems:
        return Validation([], problems, 0, len(problems))
    lookups = _Lookups()
    fields = [c.field for c in COLUMNS]
    index_of = [positions.get(f, -1) for f in fields]
    max_index = max(index_of)
    # every column present: one C-level call picks the cells of a row
    pick = operator.itemgetter(*index_of)
    if min(index_of) < 0:
        max_index = 1 << 30  # always take the slow path when an optional column is absent
    out: list[list[Any]] = []
    errs = import_limits.BoundedErrors()
    seen_uscc: dict[str, int] = {}
    seen_id: dict[str, int] = {}
    seen_licence: dict[tuple[str, str], int] = {}
    row_numbers: list[int] = []
    # the core validators themselves (services' wrappers import them on every call)
    normalise_uscc = validators.normalise_uscc
    normalise_id = validators.normalise_id_number
    normalise_division = validators.normalise_division_code
    validation_failed = errors.ValidationFailed
    row_number = 1
    count = 0
    for raw in iterator:
        row_number += 1
        if len(raw) > max_index:
            values = list(pick(raw))
        else:
            width = len(raw)
            values = [raw[i] if 0 <= i < width else None for i in index_of]
        texts = [
            "" if v is None else v.strip() if v.__class__ is str else _cell_text(v) for v in values
        ]
        if not any(texts):
            continue
        count += 1
        (
            name,
            uscc,
            id_number,
            individual,
            kind,
            categories,
            division,
            address,
            legal_rep,
            status,
            grade,
            lic_kind,
            lic_number,
            lic_scope,
            lic_from,
            lic_to,
        ) = texts
        row_errs: list[dict[str, Any]] = []
        if not name:
            row_errs.append(_error(row_number, "name", "missing_name", "名称不能为空。"))
        elif len(name) > services.NAME_MAX:
            row_errs.append(_error(row_number, "name", "name_too_long", "名称超过200个字符。"))
        for field, position in (("uscc", 1), ("id_number", 2)):
            if isinstance(values[position], int | float) and not isinstance(values[position], bool):
                row_errs.append(
                    _error(
                        row_number,
                        field,
                        "numeric_code",
                        "代码被存成了数字（可能已丢失精度），请将该列设为文本格式后重新填写。",
                    )
                )
                texts[position] = ""
        uscc, id_number = texts[1], texts[2]
        low = individual.lower()
        if low in _YES:
            is_individual = True
        elif low in _NO:
            is_individual = bool(id_number) and not uscc if not individual else False
        else:
            is_individual = False
            row_errs.append(
                _error(row_number, "is_individual", "bad_is_individual", "请填写“是”或“否”。")
            )
        if uscc:
            try:
                uscc = normalise_uscc(uscc)
            except validation_failed as exc:
                row_errs.append(_error(row_number, "uscc", exc.code, exc.message))
                uscc = ""
            else:
                first = seen_uscc.setdefault(uscc, row_number)
                if first != row_number:
                    row_errs.append(
                        _error(
                            row_number,
                            "uscc",
                            "duplicate_in_file",
                            f"与第{first}行的统一社会信用代码重复。",
                        )
                    )
        elif not is_individual and not any(e["column"] == "统一社会信用代码" for e in row_errs):
            row_errs.append(
                _error(row_number, "uscc", "missing_uscc", "单位须填写统一社会信用代码。")
            )
        if id_number:
            if not is_individual:
                row_errs.append(
                    _error(
                        row_number,
                        "id_number",
                        "id_number_for_organisation",
                        "单位不填写公民身份号码（个人请在“是否个人”列填“是”）。",
                    )
                )
            try:
                id_number = normalise_id(id_number)
            except validation_failed as exc:
                row_errs.append(_error(row_number, "id_number", exc.code, exc.message))
                id_number = ""
            else:
                first = seen_id.setdefault(id_number, row_number)
                if first != row_number:
                    row_errs.append(
                        _error(
                            row_number,
                            "id_number",
                            "duplicate_in_file",
                            f"与第{first}行的公民身份号码重复。",
                        )
                    )
        elif is_individual and not any(e["column"] == "公民身份号码" for e in row_errs):
            row_errs.append(
                _error(row_number, "id_number", "missing_id_number", "个人须填写公民身份号码。")
            )
        kind_value = lookups.kinds.get(kind)
        if kind_value is None:
            row_errs.append(
                _error(row_number, "kind", "unknown_kind", f"未知的类型：{kind or '（空）'}")
            )
        category_ids: list[int] = []
        if categories:
            for part in _SPLIT.split(categories):
                if not part:
                    continue
                pk = lookups.categories.get(part)
                if pk is None:
                    row_errs.append(
                        _error(
                            row_number, "categories", "unknown_category", f"未知的专业类别：{part}"
                        )
                    )
                elif pk not in category_ids:
                    category_ids.append(pk)
        cached = lookups.divisions.get(division)
        if cached is None:
            try:
                cached = (normalise_division(division), "", "")
            except validation_failed as exc:
                cached = ("", exc.code, exc.message)
            lookups.divisions[division] = cached
        if cached[1]:
            row_errs.append(_error(row_number, "division_code", cached[1], cached[2]))
        status_value = lookups.statuses.get(status)
        if status_value is None:
            row_errs.append(
                _error(row_number, "status", "unknown_status", f"未知的经营状态：{status}")
            )
        grade_value = lookups.grades.get(grade.upper())
        if grade_value is None:
            row_errs.append(
                _error(row_number, "risk_grade", "bad_risk_grade", "风险等级只能是A、B、C、D。")
            )
        licence: list[Any] | None = None
        if lic_kind or lic_number or lic_from or lic_to or lic_scope:
            licence = _licence(row_number, values, texts, lookups, seen_licence, row_errs)
        if row_errs:
            errs.extend(row_errs)
            continue
        out.append(
            [
                name,
                uscc,
                id_number,
                is_individual,
                kind_value,
                category_ids,
                cached[0],
                address[:300],
                legal_rep[:100],
                status_value,
                grade_value,
                licence,
            ]
        )
        row_numbers.append(row_number)
    if count == 0 and not errs.total:
        errs.append(_error(1, "", "empty_file", "文件中没有数据行。"))
    errs.extend(_directory_conflicts(out, row_numbers))
    return Validation(out if not errs.total else [], errs.kept, count, errs.total)


def _licence(
    row_number: int,
    values: list[Any],
    texts: list[str],
    lookups: _Lookups,
    seen: dict[tuple[str, str], int],
    row_errs: list[dict[str, Any]],
) -> list[Any] | None:
    lic_kind, lic_number, lic_scope = texts[11], texts[12], texts[13]
    kind = lookups.licence_kinds.get(lic_kind)
    if kind is None:
        row_errs.append(
            _error(
                row_number,
                "licence_kind",
                "unknown_licence_kind" if lic_kind else "incomplete_licence",
                f"未知的许可证类型：{lic_kind}" if lic_kind else "填写许可证时须填写许可证类型。",
            )
        )
    if not lic_number:
        row_errs.append(
            _error(
                row_number, "licence_number", "incomplete_licence", "填写许可证时须填写许可证号。"
            )
        )
    dates: list[dt.date | None] = []
    for field, position in (("licence_valid_from", 14), ("licence_valid_to", 15)):
        value = values[position]
        if isinstance(value, dt.datetime):
            dates.append(value.date())
        elif isinstance(value, dt.date):
            dates.append(value)
        elif not texts[position]:
            dates.append(None)
        else:
            try:
                dates.append(_date(texts[position]))
            except ValueError:
                row_errs.append(
                    _error(row_number, field, "bad_date", f"日期格式错误：{texts[position]}")
                )
                dates.append(None)
    valid_from, valid_to = dates
    if valid_from is None and not any(e["column"] == "许可有效期起" for e in row_errs):
        row_errs.append(
            _error(row_number, "licence_valid_from", "incomplete_licence", "须填写许可有效期起。")
        )
    if valid_from and valid_to and valid_to < valid_from:
        row_errs.append(
            _error(row_number, "licence_valid_to", "bad_validity", "有效期至早于有效期起。")
        )
    if kind and lic_number:
        first = seen.setdefault((kind, lic_number), row_number)
        if first != row_number:
            row_errs.append(
                _error(
                    row_number,
                    "licence_number",
                    "duplicate_licence",
                    f"与第{first}行的许可证号重复。",
                )
            )
    if kind is None or not lic_number or valid_from is None:
        return None
    return [
        kind,
        lic_number[:60],
        lic_scope[:500],
        valid_from.isoformat(),
        valid_to.isoformat() if valid_to else None,
    ]


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _directory_conflicts(rows: list[list[Any]], row_numbers: list[int]) -> list[dict[str, Any]]:
    """Codes and licence numbers of valid rows that the directory already holds."""
    found: list[dict[str, Any]] = []
    for position, field, label in (
        (1, "uscc", "统一社会信用代码"),
        (2, "id_number", "公民身份号码"),
    ):
        where = {
            row[position]: n for row, n in zip(rows, row_numbers, strict=True) if row[position]
        }
        for code in _existing_codes(field, list(where)):
            found.append(
                _error(where[code], field, "already_in_directory", f"该{label}已在名录库中。")
            )
    licences = {
        (row[11][0], row[11][1]): n
        for row, n in zip(rows, row_numbers, strict=True)
        if row[11] is not None
    }
    by_kind: dict[str, list[str]] = {}
    for kind, number in licences:
        by_kind.setdefault(kind, []).append(number)
    for kind, numbers in by_kind.items():
        for number in _existing_licence_numbers(kind, numbers):
            found.append(
                _error(
                    licences[(kind, number)],
                    "licence_number",
                    "duplicate_licence",
                    "该许可证号已在名录库中登记。",
                )
            )
    found.sort(key=lambda e: e["row"])
    return found


def _existing_codes(field: str, codes: list[str]) -> list[str]:
    """Those of ``codes`` (non-empty USCCs or ID numbers, ``field``) the directory holds.

    ``NOT (code = '')`` repeats the predicate of the partial unique index, without which
    neither database uses that index for a long list (PostgreSQL proves the predicate only for
    IN lists of up to 100 values) and every chunk scans the whole table. PostgreSQL gets all
    codes as one array parameter, other databases chunks under SQLite's 999 parameters."""
    if not codes:
        return []
    if connection.vendor == "postgresql":
        column = connection.ops.quote_name(field)
        sql = (
            f"SELECT {column} FROM {Entity._meta.db_table} "  # noqa: S608 - model names
            f"WHERE {column} = ANY(%s) AND NOT ({column} = '')"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [codes])
            return [r[0] for r in cursor.fetchall()]
    found: list[str] = []
    for chunk in _chunks(codes, _LOOKUP_CHUNK):
        query = Entity.objects.filter(**{f"{field}__in": chunk}).exclude(**{field: ""})
        found.extend(query.order_by().values_list(field, flat=True))
    return found


def _existing_licence_numbers(kind: str, numbers: list[str]) -> list[str]:
    """Those of ``numbers`` registered for licences of ``kind`` (unique index on both)."""
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT number FROM {Licence._meta.db_table} "  # noqa: S608 - model name
            "WHERE kind = %s AND number = ANY(%s)"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [kind, numbers])
            return [r[0] for r in cursor.fetchall()]
    found: list[str] = []
    for chunk in _chunks(numbers, _LOOKUP_CHUNK):
        query = Licence.objects.filter(kind=kind, number__in=chunk).order_by()
        found.extend(query.values_list("number", flat=True))
    return found


# --- staging and confirming -----------------------------------------------------------------------


def _pack(rows: list[list[Any]]) -> bytes:
    return zlib.compress(
        json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 1
    )


def _unpack(payload: bytes | memoryview) -> list[list[Any]]:
    rows: list[list[Any]] = json.loads(zlib.decompress(bytes(payload)).decode("utf-8"))
    return rows


def import_batch_stage(
    *, actor: User, organisation: Organisation, file_name: str, content: bytes
) -> ImportBatch:
    """Parse and validate an uploaded file into a batch awaiting confirmation (dry run)."""
    require_cap(actor, Cap.REGISTRY_MANAGE, action="registry.import.stage")
    require_in_scope(actor, organisation, action="registry.import.stage")
    file_format = detect_format(file_name, content)
    import_limits.check_file(content, xlsx=file_format == ImportFormat.XLSX)
    reader = read_xlsx(content) if file_format == ImportFormat.XLSX else read_csv(content)
    result = validate_rows(import_limits.limit_rows(reader))
    return _stage(
        actor=actor,
        organisation=organisation,
        file_name=file_name,
        file_hash=hashlib.sha256(content).hexdigest(),
        file_format=file_format,
        result=result,
    )


def import_batch_stage_rows(
    *,
    actor: User,
    organisation: Organisation,
    source_name: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> ImportBatch:
    """Stage rows given in memory (demo data, integrations); same validation as a file."""
    require_cap(actor, Cap.REGISTRY_MANAGE, action="registry.import.stage")
    require_in_scope(actor, organisation, action="registry.import.stage")
    materialised = [tuple(header), *(tuple(r) for r in rows)]
    digest = hashlib.sha256(
        json.dumps(materialised, ensure_ascii=False, default=str).encode("utf-8")
    ).hexdigest()
    return _stage(
        actor=actor,
        organisation=organisation,
        file_name=source_name,
        file_hash=digest,
        file_format=ImportFormat.CSV,
        result=validate_rows(import_limits.limit_rows(materialised)),
    )


def _stage(
    *,
    actor: User,
    organisation: Organisation,
    file_name: str,
    file_hash: str,
    file_format: str,
    result: Validation,
) -> ImportBatch:
    with transaction.atomic(durable=True):
        batch = ImportBatch.objects.create(
            organisation=organisation,
            created_by=actor,
            file_name=file_name[:255],
            file_hash=file_hash,
            file_format=file_format,
            row_count=result.row_count,
            error_count=result.error_count,
            errors=result.errors,
            payload=_pack(result.rows) if result.rows else b"",
        )
        audit.append(
            actor=actor,
            action="registry.import.staged",
            obj=batch,
            details={
                "file_name": batch.file_name,
                "file_hash": file_hash,
                "rows": result.row_count,
                "errors": result.error_count,
            },
        )
    return batch


def import_batch_confirm(*, actor: User, batch_id: int) -> ImportBatch:
    """Insert a clean staged batch into the directory: all rows or none, one audit event."""
    require_cap(actor, Cap.REGISTRY_MANAGE, action="registry.import.confirm")
    try:
        with transaction.atomic(durable=True):
            batch = (
                ImportBatch.objects.select_for_update(of=("self",))
                .select_related("organisation")
                .filter(pk=batch_id)
                .first()
            )
            if batch is None:
                raise errors.NotFound()
            require_in_scope(actor, batch.organisation, action="registry.import.confirm")
            if batch.status != ImportStatus.PREVIEWED:
                raise errors.InvalidTransition(
                    "该批次已确认或已放弃，不能再次确认。", code="batch_not_pending"
                )
            if not batch.is_clean:
                raise errors.Conflict(
                    "该批次存在错误，请修改文件后重新上传。", code="batch_has_errors"
                )
            rows = _unpack(batch.payload)
            conflicts = _directory_conflicts(rows, list(range(1, len(rows) + 1)))
            if conflicts:
                raise errors.Conflict(
                    f"预览后名录库已登记了其中{len(conflicts)}个代码或许可证号，请重新上传。",
                    code="directory_changed",
                )
            created = bulk_insert(organisation=batch.organisation, rows=rows, batch=batch)
            batch.status = ImportStatus.CONFIRMED
            batch.confirmed_at = clock.now()
            batch.confirmed_by = actor
            batch.payload = b""
            batch.save(update_fields=["status", "confirmed_at", "confirmed_by", "payload"])
            audit.append(
                actor=actor,
                action="registry.import.confirmed",
                obj=batch,
                details={
                    "count": created,
                    "file_name": batch.file_name,
                    "file_hash": batch.file_hash,
                },
            )
    except IntegrityError as exc:
        raise errors.Conflict(
            "导入时发现代码或许可证号已被登记，未导入任何数据，请重新上传。",
            code="directory_changed",
        ) from exc
    return batch


def import_batch_discard(*, actor: User, batch_id: int) -> ImportBatch:
    require_cap(actor, Cap.REGISTRY_MANAGE, action="registry.import.discard")
    with transaction.atomic(durable=True):
        batch = (
            ImportBatch.objects.select_for_update(of=("self",))
            .select_related("organisation")
            .filter(pk=batch_id)
            .first()
        )
        if batch is None:
            raise errors.NotFound()
        require_in_scope(actor, batch.organisation, action="registry.import.discard")
        if batch.status != ImportStatus.PREVIEWED:
            raise errors.InvalidTransition("该批次已处理。", code="batch_not_pending")
        batch.status = ImportStatus.DISCARDED
        batch.payload = b""
        batch.save(update_fields=["status", "payload"])
        audit.append(actor=actor, action="registry.import.discarded", obj=batch, details={})
    return batch


_ENTITY_COLUMNS = (
    "id",
    "organisation_id",
    "name",
    "uscc",
    "id_number",
    "is_individual",
    "kind",
    "division_code",
    "address",
    "legal_representative",
    "status",
    "is_active",
    "deactivated_reason",
    "risk_grade",
    "import_batch_id",
    "created_at",
    "updated_at",
)
_LICENCE_COLUMNS = (
    "entity_id",
    "kind",
    "number",
    "scope",
    "valid_from",
    "valid_to",
    "created_at",
    "updated_at",
)


def bulk_insert(*, organisation: Organisation, rows: list[list[Any]], batch: ImportBatch) -> int:
    """Insert validated rows. Runs inside the confirming service's transaction.

    The rows were validated at staging and re-checked against the directory just before, so the
    insert goes straight to the tables: COPY on PostgreSQL, executemany on SQLite, with the ids
    allocated up front (one statement) so that category links and licences need no read-back.
    The ORM's ``bulk_create`` costs ~60 us per row in model instantiation and per-field
    preparation, more than reading the row from the spreadsheet; other backends still use it."""
    vendor = connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        return _bulk_insert_orm(organisation=organisation, rows=rows, batch=batch)
    entity_table = Entity._meta.db_table
    link_model = Entity.categories.through
    link_table = link_model._meta.db_table
    licence_table = Licence._meta.db_table
    now = clock.now()
    stamp: Any = now if vendor == "postgresql" else connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        ids = _allocate_ids(cursor, vendor, entity_table, len(rows))
        entity_rows = [
            (
                ids[n],
                organisation.pk,
                row[0],
                row[1],
                row[2],
                row[3],
                row[4],
                row[6],
                row[7],
                row[8],
                row[9],
                True,
                "",
                row[10],
                batch.pk,
                stamp,
                stamp,
            )
            for n, row in enumerate(rows)
        ]
        link_rows = [(ids[n], category_id) for n, row in enumerate(rows) for category_id in row[5]]
        licence_rows = [
            (ids[n], *row[11][:3], row[11][3], row[11][4], stamp, stamp)
            for n, row in enumerate(rows)
            if row[11] is not None
        ]
        link_columns = ("entity_id", "supervisioncategory_id")
        _write(cursor, vendor, entity_table, _ENTITY_COLUMNS, entity_rows)
        _write(cursor, vendor, link_table, link_columns, link_rows)
        _write(cursor, vendor, licence_table, _LICENCE_COLUMNS, licence_rows)
    return len(rows)


def _allocate_ids(cursor: Any, vendor: str, table: str, count: int) -> list[int]:
    """``count`` fresh ids of ``table`` (inside the transaction)."""
    if vendor == "postgresql":
        # nextval is safe under concurrency; the ids need not be consecutive.
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, count],
        )
        return [int(r[0]) for r in cursor.fetchall()]
    # SQLite: the write transaction (BEGIN IMMEDIATE) holds the database lock, so nothing else
    # can insert in between; AUTOINCREMENT's sqlite_sequence follows explicit ids.
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 - model table name
    highest = int(cursor.fetchone()[0])
    cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
    seq = cursor.fetchone()
    first = max(highest, int(seq[0]) if seq else 0) + 1
    return list(range(first, first + count))


def _write(
    cursor: Any, vendor: str, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    if not rows:
        return
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    if vendor == "postgresql":
        # the raw psycopg cursor: wrap its errors so a unique violation is an IntegrityError
        with (
            connection.wrap_database_errors,
            cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy,
        ):
            for values in rows:
                copy.write_row(values)
        return
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})"  # noqa: S608
    for chunk in _chunks(rows, INSERT_BATCH * 4):
        cursor.executemany(sql, chunk)


def _bulk_insert_orm(
    *, organisation: Organisation, rows: list[list[Any]], batch: ImportBatch
) -> int:
    now = clock.now()
    link_model = Entity.categories.through
    total = 0
    for chunk in _chunks(rows, INSERT_BATCH):
        entities = [
            Entity(
                organisation_id=organisation.pk,
                name=row[0],
                uscc=row[1],
                id_number=row[2],
                is_individual=row[3],
                kind=row[4],
                division_code=row[6],
                address=row[7],
                legal_representative=row[8],
                status=row[9],
                risk_grade=row[10],
                import_batch_id=batch.pk,
                created_at=now,
                updated_at=now,
            )
            for row in chunk
        ]
        Entity.objects.bulk_create(entities, batch_size=INSERT_BATCH)
        links = [
            link_model(entity_id=entity.pk, supervisioncategory_id=category_id)
            for entity, row in zip(entities, chunk, strict=True)
            for category_id in row[5]
        ]
        link_model.objects.bulk_create(links, batch_size=INSERT_BATCH)
        licences = [
            Licence(
                entity_id=entity.pk,
                kind=row[11][0],
                number=row[11][1],
                scope=row[11][2],
                valid_from=dt.date.fromisoformat(row[11][3]),
                valid_to=dt.date.fromisoformat(row[11][4]) if row[11][4] else None,
                created_at=now,
                updated_at=now,
            )
            for entity, row in zip(entities, chunk, strict=True)
            if row[11] is not None
        ]
        Licence.objects.bulk_create(licences, batch_size=INSERT_BATCH)
        total += len(entities)
    return total
