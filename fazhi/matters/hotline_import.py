"""Reading a hotline platform's Excel export into tickets: the column layout, the check of every
row in one pass, and the insert (``fazhi.core.bulk``: COPY on PostgreSQL, batched inserts on
SQLite). The service that runs them in one transaction is ``services/hotline_import.py``.

The layout is that of a 12345 platform's 工单导出 (the header may sit under a title row; columns
in any order, the names below or their usual variants): 工单编号*, 来电时间*, 来电人, 电话,
诉求类型*, 诉求内容*, 承办单位, 办理时限, 派单时间, 重办. The starred ones are required.
重办 (是/否, or a count of re-handlings) marks a ticket the platform sent back for handling
again: a known ticket so marked is reported apart in the import's result, never re-opened by
the import (decision 0089).
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import timezone

from fazhi.core import errors, import_limits, spreadsheets
from fazhi.core.spreadsheets import cell_text
from fazhi.matters.hotline_models import TicketType

HEADER_SEARCH_ROWS = 10
CONTENT_MAX = 20_000
NAME_MAX = 100
UNIT_MAX = 100
TICKET_NO_MAX = 64
CODE_DIGITS = 15  # Excel keeps 15 significant digits of a number


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    required: bool
    aliases: tuple[str, ...] = ()


COLUMNS = (
    Column("ticket_no", "工单编号", True, ("工单号", "编号")),
    Column("called_at", "来电时间", True, ("来电日期", "受理时间", "登记时间")),
    Column("caller", "来电人", False, ("来电人姓名", "诉求人", "姓名")),
    Column("phone", "电话", False, ("联系电话", "来电号码", "联系方式")),
    Column("ticket_type", "诉求类型", True, ("工单类型", "诉求类别")),
    Column("content", "诉求内容", True, ("工单内容", "来电内容", "内容")),
    Column("unit", "承办单位", False, ("处理单位", "责任单位")),
    Column("platform_due", "办理时限", False, ("办结时限", "处理时限")),
    Column("dispatched", "派单时间", False, ("派单日期", "转办时间")),
    Column("rehandle", "重办", False, ("是否重办", "重办标识", "重办标记", "重办次数")),
)
HEADERS = {name: c for c in COLUMNS for name in (c.header, *c.aliases)}
LABEL = {c.field: c.header for c in COLUMNS}

TYPES = {str(label): str(value) for value, label in TicketType.choices}
TYPES.update({f"{label}类": value for label, value in list(TYPES.items())})
TYPES.update(
    {
        "投诉举报": TicketType.COMPLAINT,
        "举报": TicketType.COMPLAINT,
        "举报类": TicketType.COMPLAINT,
        "意见建议": TicketType.SUGGESTION,
        "意见": TicketType.SUGGESTION,
        "求助": TicketType.REQUEST,
    }
)
TYPES.update({str(v): str(v) for v in TicketType.values})

YES = frozenset({"是", "重办", "y", "yes", "true", "√"})
NO = frozenset({"否", "无", "n", "no", "false"})

_MOMENT = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[\sT]+(\d{1,2})\s*[:时]\s*(\d{1,2})(?:\s*[:分]\s*(\d{1,2})(?:\.\d+)?)?\s*秒?)?"
)
_WHITESPACE = re.compile(r"\s")
_EPOCH_1900 = dt.datetime(1899, 12, 30)  # noqa: DTZ001 - serial arithmetic, zoned below
_EPOCH_1904 = dt.datetime(1904, 1, 1)  # noqa: DTZ001 - serial arithmetic, zoned below


@dataclass
class Row:
    number: int  # the sheet's row number
    ticket_no: str
    called_at: dt.datetime
    received_on: dt.date
    caller: str
    phone: str
    ticket_type: str
    content: str
    unit: str
    platform_due: dt.date | None
    rehandle: bool = False  # the platform marks it 重办 (decision 0089)


@dataclass
class Validation:
    rows: list[Row] = field(default_factory=list)
    errors: import_limits.BoundedErrors = field(default_factory=import_limits.BoundedErrors)
    row_count: int = 0


def _error(row: int, column: str, code: str, message: str) -> dict[str, Any]:
    return {"row": row, "column": LABEL.get(column, column), "code": code, "message": message}


def as_moment(
    value: Any, *, date1904: bool = False, zone: dt.tzinfo | None = None
) -> dt.datetime | None:
    """A call time as a user typed it: a typed datetime or date, an Excel serial (with its
    fraction of a day), or text ``2026-03-01 09:15[:00]``, ``2026/3/1 9:15``, ``2026年3月1日``.
    Aware, in ``zone`` (default: the project's time zone; a caller reading many rows passes it
    once). ``None`` for an empty cell; ``ValueError`` otherwise."""
    if value.__class__ is str:
        text = value.strip()
        if not text:
            return None
        if len(text) >= 10 and text[4] == "-" and text[7] == "-":  # ISO: the usual export
            try:
                moment = dt.datetime.fromisoformat(text)
            except ValueError:
                moment = _moment_text(text)
        else:
            moment = _moment_text(text)
    elif isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)  # noqa: DTZ001 - zoned below
    elif isinstance(value, bool):
        raise ValueError(value)
    elif isinstance(value, int | float):
        if not 1 <= value <= 2958465:
            raise ValueError(value)
        if date1904:
            moment = _EPOCH_1904 + dt.timedelta(days=float(value))
        else:
            moment = _EPOCH_1900 + dt.timedelta(days=float(value) + (1 if value < 61 else 0))
        moment = moment.replace(microsecond=0)
    else:
        text = cell_text(value)
        if not text:
            return None
        moment = _moment_text(text)
    if moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=zone or timezone.get_current_timezone())


def _moment_text(text: str) -> dt.datetime:
    match = _MOMENT.fullmatch(text)
    if match is None:
        raise ValueError(text)
    y, m, d, hh, mm, ss = match.groups()
    return dt.datetime(  # noqa: DTZ001 - zoned by the caller
        int(y), int(m), int(d), int(hh or 0), int(mm or 0), int(ss or 0)
    )


def _code(value: Any) -> tuple[str, bool]:
    """A ticket number or phone: (text, damaged). A number Excel kept whole (an integer of at
    most 15 digits) is read as its digits; a longer or fractional one lost its tail."""
    if value.__class__ is str:
        return value.strip(), spreadsheets.is_damaged_code(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and len(str(int(value))) <= CODE_DIGITS:
            return str(int(value)), False
        return "", True
    return cell_text(value), False


def _map_header(row: Sequence[Any]) -> tuple[dict[str, int], list[str]]:
    positions: dict[str, int] = {}
    for index, raw in enumerate(row):
        column = HEADERS.get(cell_text(raw).lstrip("*＊").strip())
        if column is not None and column.field not in positions:
            positions[column.field] = index
    missing = [c.header for c in COLUMNS if c.required and c.field not in positions]
    return positions, missing


def validate_rows(
    rows: Iterable[Sequence[Any]], *, date1904: bool = False, now: dt.datetime
) -> Validation:
    """Check every row in one pass; the problems (row, column, reason) go to ``errors``."""
    result = Validation()
    errs = result.errors
    iterator = iter(rows)
    header_number = 0
    positions: dict[str, int] = {}
    first_missing: list[str] | None = None
    for number, candidate in enumerate(iterator, start=1):
        if not any(cell_text(v) for v in candidate):
            if number >= HEADER_SEARCH_ROWS:
                break
            continue
        positions, missing = _map_header(candidate)
        if first_missing is None:
            first_missing = missing
        if not missing:
            header_number = number
            break
        if number >= HEADER_SEARCH_ROWS:
            break
    if first_missing is None:
        errs.append(_error(1, "", "empty_file", "文件为空。"))
        return result
    if not header_number:
        for header in first_missing:
            errs.append(_error(1, header, "missing_header", f"缺少“{header}”列。"))
        return result
    index_of = [positions.get(c.field, -1) for c in COLUMNS]
    pick = operator.itemgetter(*index_of) if min(index_of) >= 0 else None
    max_index = max(index_of)
    seen: dict[str, int] = {}
    zone = timezone.get_current_timezone()
    today = timezone.localdate(now, zone)

    def localdate(moment: dt.datetime) -> dt.date:
        return moment.date() if moment.tzinfo is zone else moment.astimezone(zone).date()

    row_number = header_number
    for raw in iterator:
        row_number += 1
        if pick is not None and len(raw) > max_index:
            values = list(pick(raw))
        else:
            width = len(raw)
            values = [raw[i] if 0 <= i < width else None for i in index_of]
        texts = [v.strip() if v.__class__ is str else cell_text(v) for v in values]
        if not any(texts):
            continue
        result.row_count += 1
        before = errs.total
        number_text, damaged = _code(values[0])
        if damaged:
            errs.append(
                _error(
                    row_number,
                    "ticket_no",
                    "numeric_code",
                    f"工单编号被Excel存成了数字，末尾数字已丢失。{spreadsheets.DAMAGED_CODE_MESSAGE}。",
                )
            )
        elif not number_text:
            errs.append(_error(row_number, "ticket_no", "missing_ticket_no", "工单编号不能为空。"))
        elif len(number_text) > TICKET_NO_MAX or _WHITESPACE.search(number_text):
            errs.append(
                _error(
                    row_number,
                    "ticket_no",
                    "bad_ticket_no",
                    f"工单编号不能超过{TICKET_NO_MAX}个字符，也不能包含空格。",
                )
            )
        else:
            first = seen.setdefault(number_text, row_number)
            if first != row_number:
                errs.append(
                    _error(
                        row_number,
                        "ticket_no",
                        "duplicate_in_file",
                        f"与第{first}行的工单编号重复。",
                    )
                )
        called_at: dt.datetime | None = None
        try:
            called_at = as_moment(values[1], date1904=date1904, zone=zone)
        except (ValueError, OverflowError):
            errs.append(
                _error(
                    row_number,
                    "called_at",
                    "bad_called_at",
                    "来电时间无法识别，请填写如 2026-03-01 09:15 的时间。",
                )
            )
        else:
            if called_at is None:
                errs.append(
                    _error(row_number, "called_at", "missing_called_at", "来电时间不能为空。")
                )
            elif called_at > now:
                errs.append(
                    _error(row_number, "called_at", "date_in_future", "来电时间不能晚于现在。")
                )
                called_at = None
        call_day = localdate(called_at) if called_at is not None else None
        received_on = call_day
        if texts[8]:
            try:
                dispatched = as_moment(values[8], date1904=date1904, zone=zone)
            except (ValueError, OverflowError):
                errs.append(
                    _error(row_number, "dispatched", "bad_dispatched", "派单时间无法识别。")
                )
            else:
                assert dispatched is not None
                received_on = localdate(dispatched)
                if received_on > today:
                    errs.append(
                        _error(row_number, "dispatched", "date_in_future", "派单时间不能晚于今天。")
                    )
                elif call_day is not None and received_on < call_day:
                    errs.append(
                        _error(
                            row_number,
                            "dispatched",
                            "date_before_receipt",
                            "派单时间不能早于来电时间。",
                        )
                    )
        ticket_type = TYPES.get(texts[4].replace(" ", ""))
        if ticket_type is None:
            errs.append(
                _error(
                    row_number,
                    "ticket_type",
                    "bad_ticket_type",
                    "诉求类型应为咨询、投诉、求助或建议。",
                )
            )
        content = texts[5]
        if not content:
            errs.append(_error(row_number, "content", "missing_content", "诉求内容不能为空。"))
        elif len(content) > CONTENT_MAX:
            errs.append(
                _error(
                    row_number, "content", "content_too_long", f"诉求内容超过{CONTENT_MAX}个字符。"
                )
            )
        caller = texts[2]
        if len(caller) > NAME_MAX:
            errs.append(
                _error(row_number, "caller", "name_too_long", f"来电人超过{NAME_MAX}个字符。")
            )
        phone, damaged_phone = _code(values[3])
        if damaged_phone:
            errs.append(
                _error(
                    row_number,
                    "phone",
                    "numeric_code",
                    f"电话被Excel存成了数字。{spreadsheets.DAMAGED_CODE_MESSAGE}。",
                )
            )
        elif len(phone) > NAME_MAX:
            errs.append(
                _error(row_number, "phone", "phone_too_long", f"电话超过{NAME_MAX}个字符。")
            )
        unit = texts[6]
        if len(unit) > UNIT_MAX:
            errs.append(
                _error(row_number, "unit", "unit_too_long", f"承办单位超过{UNIT_MAX}个字符。")
            )
        platform_due: dt.date | None = None
        if texts[7]:
            try:
                due_moment = as_moment(values[7], date1904=date1904, zone=zone)
            except (ValueError, OverflowError):
                errs.append(
                    _error(row_number, "platform_due", "bad_platform_due", "办理时限无法识别。")
                )
            else:
                assert due_moment is not None
                platform_due = localdate(due_moment)
                if call_day is not None and platform_due < call_day:
                    errs.append(
                        _error(
                            row_number,
                            "platform_due",
                            "date_before_receipt",
                            "办理时限不能早于来电时间。",
                        )
                    )
        rehandle = _rehandle(texts[9])
        if rehandle is None:
            errs.append(
                _error(row_number, "rehandle", "bad_rehandle", "重办应填写“是”“否”或重办次数。")
            )
        if errs.total != before:
            continue
        assert called_at is not None and received_on is not None and ticket_type is not None
        result.rows.append(
            Row(
                row_number,
                number_text,
                called_at,
                received_on,
                caller,
                phone,
                ticket_type,
                content,
                unit,
                platform_due,
                bool(rehandle),
            )
        )
    if result.row_count == 0 and errs.total == 0:
        errs.append(_error(header_number, "", "no_rows", "文件中没有工单。"))
    return result


def _rehandle(text: str) -> bool | None:
    """The 重办 cell: empty, 否, 0: not re-handled; 是, 重办, a count of at least 1: re-handled;
    anything else: ``None`` (an error of the row)."""
    value = text.strip().lower()
    if not value or value in NO:
        return False
    if value in YES:
        return True
    if value.isdigit():
        return int(value) > 0
    return None


# --- inserting --------------------------------------------------------------------------------


def row_layout(
    model: type[models.Model], varying: Sequence[str], given: dict[str, Any]
) -> tuple[list[str], tuple[Any, ...]]:
    """The columns of ``model``'s table: ``varying`` (attnames given per row) first, then every
    other concrete column with its value in ``given`` or the field's default (a column another
    change adds later gets its default, so the raw insert keeps up with the model)."""
    columns = list(varying)
    tail: list[Any] = []
    for f in model._meta.concrete_fields:
        if f.attname in varying:
            continue
        columns.append(str(f.column))
        if f.attname in given:
            tail.append(given[f.attname])
        elif f.has_default():
            tail.append(f.get_default())
        elif f.null:
            tail.append(None)
        elif isinstance(f, models.CharField | models.TextField):
            tail.append("")
        else:
            raise ValueError(f"{model.__name__}.{f.attname} has no default")
    return columns, tuple(tail)


def moment_param(data: Any, name: str) -> dt.datetime | None:
    """A call time from a form or a request body (``2026-03-01T09:15`` and the forms above);
    absent: None; unreadable: a 400 with the field."""
    raw = str(data.get(name) or "").strip()
    if not raw:
        return None
    try:
        return as_moment(raw)
    except (ValueError, OverflowError) as exc:
        raise errors.ValidationFailed(
            "时间无法识别，请填写如 2026-03-01 09:15 的时间。", code=f"bad_{name}", field=name
        ) from exc
