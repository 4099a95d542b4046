"""Request parameters: the one way pages and the API read ids, years, dates, flags and choices.

Query parameters go through the functions below (``object_id(request.GET, "org")``), path ids
through the ``<id:…>`` and ``<year:…>`` URL converters, API body fields through ``IdField``,
``YearField`` and ``DateField``, and page form fields through ``FormIdField`` and
``FormDateField``. A value that is not of its kind is a 400 naming the parameter —
``invalid_parameter``, or ``invalid_date`` for dates — with a Chinese message; a path id out of
range matches no URL (404). Nothing unchecked reaches the database or date arithmetic:

- ids: ASCII digits only (``"²".isdigit()`` is true, ``int("²")`` fails), 1 … 2**63-1, the range
  of a 64-bit primary key; a larger number overflows the database driver.
- dates: ISO ``YYYY-MM-DD`` within 1900-01-01 … 2199-12-31, so that adding any statutory period
  (years included) stays far from Python's year 9999.
- years: 1900 … 2199, the years of those dates.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.urls import register_converter
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import serializers

from fazhi.core import errors

MAX_ID = 2**63 - 1
# The ranges of the database's small and plain integer columns, for counts in request bodies.
SMALLINT_MAX = 32_767
INTEGER_MAX = 2**31 - 1
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2199, 12, 31)
MIN_YEAR, MAX_YEAR = MIN_DATE.year, MAX_DATE.year
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})
DATE_RANGE_TEXT = f"日期应在{MIN_DATE.isoformat()}至{MAX_DATE.isoformat()}之间。"
# The same range in the OpenAPI schema (JSON Schema cannot bound a date otherwise).
DATE_SCHEMA = {
    "type": "string",
    "format": "date",
    "pattern": r"^(19|20|21)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
}


def _raw(params: Mapping[str, Any], name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def to_integer(raw: str | int, name: str, *, minimum: int = 0, maximum: int = MAX_ID) -> int:
    """``raw`` as an int within [minimum, maximum], or ``InvalidParameter`` naming ``name``."""
    text = str(raw).strip()
    # ASCII digits only: str.isdigit() also accepts "²" and other digits int() refuses.
    if text.isascii() and text.isdigit() and len(text) <= len(str(maximum)):
        value = int(text)
        if minimum <= value <= maximum:
            return value
    raise errors.InvalidParameter(name, f"应为{minimum}至{maximum}之间的整数。")


def is_id(text: str) -> bool:
    """Whether ``text`` reads as a record id (for fields that take an id or a name)."""
    try:
        to_integer(text, "id", minimum=1)
    except errors.InvalidParameter:
        return False
    return True


def integer(
    params: Mapping[str, Any],
    name: str,
    *,
    minimum: int = 0,
    maximum: int = MAX_ID,
    default: int | None = None,
) -> int | None:
    """A bounded non-negative integer parameter (e.g. ``expiring_within``); absent → default."""
    raw = _raw(params, name)
    return default if raw is None else to_integer(raw, name, minimum=minimum, maximum=maximum)


def object_id(params: Mapping[str, Any], name: str) -> int | None:
    """A record id (1 … 2**63-1); absent or empty → None."""
    return integer(params, name, minimum=1)


def year(
    params: Mapping[str, Any], name: str = "year", *, default: int | None = None
) -> int | None:
    return integer(params, name, minimum=MIN_YEAR, maximum=MAX_YEAR, default=default)


def check_date(value: dt.date, name: str) -> dt.date:
    """``value`` if inside the supported range, else ``invalid_date`` (no arithmetic overflow)."""
    if not MIN_DATE <= value <= MAX_DATE:
        raise errors.InvalidParameter(name, DATE_RANGE_TEXT, code="invalid_date")
    return value


def to_date(raw: str, name: str) -> dt.date:
    text = raw.strip()
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError(text)
        value = dt.date.fromisoformat(text)
    except ValueError:
        raise errors.InvalidParameter(
            name, "日期格式应为 YYYY-MM-DD。", code="invalid_date"
        ) from None
    return check_date(value, name)


def date(params: Mapping[str, Any], name: str) -> dt.date | None:
    """An ISO date within MIN_DATE … MAX_DATE; absent or empty → None."""
    raw = _raw(params, name)
    return None if raw is None else to_date(raw, name)


def boolean(params: Mapping[str, Any], name: str) -> bool | None:
    """1/true/yes/on or 0/false/no/off (any case); absent or empty → None."""
    raw = _raw(params, name)
    if raw is None:
        return None
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    raise errors.InvalidParameter(name, "应为 true 或 false。")


def choice(params: Mapping[str, Any], name: str, choices: Iterable[str]) -> str | None:
    """One of ``choices`` (e.g. a TextChoices' ``values``); absent or empty → None."""
    raw = _raw(params, name)
    if raw is None:
        return None
    allowed = list(choices)
    if raw not in allowed:
        raise errors.InvalidParameter(name, "应为以下之一：" + "、".join(allowed) + "。")
    return raw


# --- path converters: an id or year out of range matches no URL (404) ------------------------


class IdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise ValueError(value)
        return number

    def to_url(self, value: int) -> str:
        return str(value)


class YearConverter(IdConverter):
    regex = "[0-9]{4}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not MIN_YEAR <= number <= MAX_YEAR:
            raise ValueError(value)
        return number


register_converter(IdConverter, "id")
register_converter(YearConverter, "year")

# The OpenAPI types of the converters (SPECTACULAR_SETTINGS["PATH_CONVERTER_OVERRIDES"]).
PATH_CONVERTER_SCHEMAS = {
    "id": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    "year": {"type": "integer", "minimum": MIN_YEAR, "maximum": MAX_YEAR},
}


# --- the same parameters in the OpenAPI schema ----------------------------------------------


def id_parameter(name: str, description: str = "") -> Any:
    return OpenApiParameter(
        name, {"type": "integer", "minimum": 1, "maximum": MAX_ID}, description=description
    )


def year_parameter(name: str = "year", description: str = "") -> Any:
    return OpenApiParameter(
        name, {"type": "integer", "minimum": MIN_YEAR, "maximum": MAX_YEAR}, description=description
    )


def date_parameter(name: str, description: str = "") -> Any:
    return OpenApiParameter(
        name,
        DATE_SCHEMA,
        description=(description + f"（{MIN_DATE.isoformat()}至{MAX_DATE.isoformat()}）").lstrip(),
    )


def bool_parameter(name: str, description: str = "") -> Any:
    return OpenApiParameter(name, bool, description=description)


def choice_parameter(name: str, choices: Iterable[str], description: str = "") -> Any:
    return OpenApiParameter(name, str, enum=list(choices), description=description)


# --- API body fields ------------------------------------------------------------------------


class IdField(serializers.IntegerField):
    """A record id in a request body: 1 … 2**63-1."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class YearField(serializers.IntegerField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", MIN_YEAR)
        kwargs.setdefault("max_value", MAX_YEAR)
        super().__init__(**kwargs)


@extend_schema_field(DATE_SCHEMA)
class DateField(serializers.DateField):
    """An ISO date in a request body, within MIN_DATE … MAX_DATE (error code ``invalid_date``)."""

    default_error_messages = {"invalid_date": DATE_RANGE_TEXT}

    def to_internal_value(self, value: Any) -> dt.date:
        parsed = super().to_internal_value(value)
        if not MIN_DATE <= parsed <= MAX_DATE:
            self.fail("invalid_date")
        return parsed


# --- page form fields -----------------------------------------------------------------------


class FormIdField(forms.IntegerField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class FormDateField(forms.DateField):
    def to_python(self, value: Any) -> dt.date | None:
        parsed = super().to_python(value)
        if parsed is not None and not MIN_DATE <= parsed <= MAX_DATE:
            raise forms.ValidationError(DATE_RANGE_TEXT, code="invalid_date")
        return parsed
