"""What the dispute pages share: the month parameter and the Excel response."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django.http import HttpResponse

from fazhi.core import errors, params

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def month_param(data: Mapping[str, Any], name: str = "month") -> dt.date | None:
    """A month as ``YYYY-MM`` (the value of an ``<input type="month">``); absent → None."""
    raw = str(data.get(name) or "").strip()
    if not raw:
        return None
    match = _MONTH.match(raw)
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise errors.ValidationFailed("月份格式应为YYYY-MM。", code="invalid_parameter", field=name)
    year = int(match.group(1))
    if not params.MIN_YEAR <= year <= params.MAX_YEAR:
        raise errors.ValidationFailed("月份超出范围。", code="invalid_parameter", field=name)
    return dt.date(year, int(match.group(2)), 1)


def xlsx_response(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response
