"""Validating import rows: every problem of every row, with a stable code (``ERROR_CODES``).

Plain Python over the rows (division codes are validated once per distinct value); codes and
licence numbers already in the directory are looked up through its unique indexes.
"""

from __future__ import annotations

import datetime as dt
import json
import operator
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from fazhi.core import errors, import_limits, spreadsheets, validators
from fazhi.core.spreadsheets import cell_text
from fazhi.registry.importing.template import COLUMNS, FIELD_HEADER, HEADERS
from fazhi.registry.models import (
    Entity,
    EntityKind,
    EntityStatus,
    Licence,
    LicenceKind,
    RiskGrade,
    SupervisionCategory,
)
from fazhi.registry.services import entities as entity_services

_SPLIT = re.compile(r"[、,，;；/\s]+")
# The header is the first row naming the required columns among the first rows (a title row
# above it, merged across the columns, is common).
HEADER_SEARCH_ROWS = 10
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
    return {"row": row, "column": FIELD_HEADER.get(field, field), "code": code, "message": message}


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


def _map_header(
    header_row: Sequence[Any], row_number: int = 1
) -> tuple[dict[str, int], list[dict[str, Any]]]:
    positions: dict[str, int] = {}
    for index, raw in enumerate(header_row):
        title = cell_text(raw).lstrip("*＊").strip()
        column = HEADERS.get(title)
        if column is not None and column.field not in positions:
            positions[column.field] = index
    problems = [
        {
            "row": row_number,
            "column": c.header,
            "code": "missing_header",
            "message": f"缺少“{c.header}”列。",
        }
        for c in COLUMNS
        if c.required and c.field not in positions
    ]
    return positions, problems


def validate_rows(rows: Iterable[Sequence[Any]], *, date1904: bool = False) -> Validation:
    """Validate a header row and the data rows after it. Reports every problem found.
    ``rows`` are a sheet's rows from its first (``fazhi.core.spreadsheets``); the header is the
    first of the first ``HEADER_SEARCH_ROWS`` rows that names every required column (rows
    above it - a title, blank rows - are skipped), and errors name the sheet's row numbers.
    ``date1904``: the workbook counts serial dates from 1904."""
    iterator = iter(rows)
    header_number = 0
    positions: dict[str, int] = {}
    first_problems: list[dict[str, Any]] | None = None
    for number, candidate in enumerate(iterator, start=1):
        if not any(cell_text(v) for v in candidate):
            if number >= HEADER_SEARCH_ROWS:
                break
            continue
        positions, problems = _map_header(candidate, number)
        if first_problems is None:
            first_problems = problems
        if not problems:
            header_number = number
            break
        if number >= HEADER_SEARCH_ROWS:
            break
    if first_problems is None:
        return Validation([], [_error(1, "", "empty_file", "文件为空。")], 0, 1)
    if not header_number:
        return Validation([], first_problems, 0, len(first_problems))
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
    is_damaged_code = spreadsheets.is_damaged_code
    row_number = header_number
    count = 0
    for raw in iterator:
        row_number += 1
        if len(raw) > max_index:
            values = list(pick(raw))
        else:
            width = len(raw)
            values = [raw[i] if 0 <= i < width else None for i in index_of]
        texts = [v.strip() if v.__class__ is str else cell_text(v) for v in values]
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
        elif len(name) > entity_services.NAME_MAX:
            row_errs.append(_error(row_number, "name", "name_too_long", "名称超过200个字符。"))
        for field, position in (("uscc", 1), ("id_number", 2)):
            if is_damaged_code(values[position]):
                row_errs.append(
                    _error(
                        row_number,
                        field,
                        "numeric_code",
                        "代码被Excel存成了数字，超过15位的部分已丢失，无法使用。"
                        f"{spreadsheets.DAMAGED_CODE_MESSAGE}。",
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
            licence = _licence(row_number, values, texts, lookups, seen_licence, row_errs, date1904)
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
    errs.extend(directory_conflicts(out, row_numbers))
    return Validation(out if not errs.total else [], errs.kept, count, errs.total)


def _licence(
    row_number: int,
    values: list[Any],
    texts: list[str],
    lookups: _Lookups,
    seen: dict[tuple[str, str], int],
    row_errs: list[dict[str, Any]],
    date1904: bool,
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
        try:
            dates.append(spreadsheets.as_date(values[position], date1904=date1904))
        except (ValueError, OverflowError):
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


def chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def directory_conflicts(rows: list[list[Any]], row_numbers: list[int]) -> list[dict[str, Any]]:
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

    The codes go to the database as one JSON array parameter (``json.dumps`` runs in C; a
    Python list would be adapted value by value) and the query probes the unique index with
    each. ``NOT (code = '')`` repeats the predicate of the partial unique index, without which
    neither database uses that index for a long list and every look-up scans the whole table."""
    if not codes:
        return []
    column = connection.ops.quote_name(field)
    sql = (
        f"SELECT {column} FROM {Entity._meta.db_table} "  # noqa: S608 - model names
        f"WHERE {column} IN ({_json_values()}) AND NOT ({column} = '')"
    )
    return _fetch_column(sql, [json.dumps(codes, ensure_ascii=False)])


def _existing_licence_numbers(kind: str, numbers: list[str]) -> list[str]:
    """Those of ``numbers`` registered for licences of ``kind`` (unique index on both)."""
    sql = (
        f"SELECT number FROM {Licence._meta.db_table} "  # noqa: S608 - model name
        f"WHERE kind = %s AND number IN ({_json_values()})"
    )
    return _fetch_column(sql, [kind, json.dumps(numbers, ensure_ascii=False)])


def _json_values() -> str:
    """A subquery of the text values of a JSON array parameter (PostgreSQL and SQLite)."""
    if connection.vendor == "postgresql":
        return "SELECT json_array_elements_text(%s::json)"
    if connection.vendor == "sqlite":
        return "SELECT value FROM json_each(%s)"
    raise NotImplementedError(connection.vendor)  # the project runs on these two


def _fetch_column(sql: str, params: list[Any]) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [r[0] for r in cursor.fetchall()]
