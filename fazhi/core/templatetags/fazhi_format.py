"""Template filters for Chinese formats: ``{{ d|cn_date }}``, ``{{ amount|rmb_capitals }}``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import template

from fazhi.core import errors, formatting

register = template.Library()


@register.filter
def cn_date(value: Any) -> str:
    if isinstance(value, dt.date):
        return formatting.cn_date(value)
    return "" if value is None else str(value)


@register.filter
def rmb_capitals(value: Any) -> str:
    if value is None or value == "":
        return ""
    if not isinstance(value, Decimal | int | str):
        value = str(value)
    try:
        return formatting.amount_in_capitals(value)
    except errors.ValidationFailed:
        return ""
