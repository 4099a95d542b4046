"""Cleaning a service's own arguments: text with its length, a choice among values, the date of
a step. One set for every domain service (matters, appeals, disputes); each error names its
field and has a stable code, the sentence in Chinese.

Request input (query, path and body parameters) is read with ``fazhi.core.params`` first; these
check what a service is given, whoever calls it (a page, the API, the demo, another service).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fazhi.core import clock, errors


def text(value: Any, *, field: str, label: str, max_length: int, required: bool = True) -> str:
    """``value`` stripped; refused when required and empty (``<field>_required``) or longer than
    ``max_length`` (``<field>_too_long``)."""
    cleaned = str(value or "").strip()
    if required and not cleaned:
        raise errors.ValidationFailed(f"请填写{label}。", code=f"{field}_required", field=field)
    if len(cleaned) > max_length:
        raise errors.ValidationFailed(
            f"{label}不能超过{max_length}个字符。", code=f"{field}_too_long", field=field
        )
    return cleaned


def choice(value: Any, allowed: Any, *, field: str, label: str) -> str:
    """``value`` when it is one of ``allowed`` (``bad_<field>`` otherwise)."""
    if value not in [str(v) for v in allowed]:
        raise errors.ValidationFailed(f"{label}无效。", code=f"bad_{field}", field=field)
    return str(value)


def day(
    value: dt.date | None,
    *,
    field: str,
    label: str,
    not_before: dt.date | None = None,
    not_before_label: str = "",
    before_code: str = "date_too_early",
) -> dt.date:
    """The date of a step: given, not after today (the project's clock), not before
    ``not_before`` (refused with ``before_code``, which each domain keeps stable)."""
    if value is None:
        raise errors.ValidationFailed(f"请填写{label}。", code=f"{field}_required", field=field)
    if value > clock.today():
        raise errors.ValidationFailed(f"{label}不能晚于今天。", code="date_in_future", field=field)
    if not_before is not None and value < not_before:
        raise errors.ValidationFailed(
            f"{label}不能早于{not_before_label}（{not_before:%Y-%m-%d}）。",
            code=before_code,
            field=field,
        )
    return value
