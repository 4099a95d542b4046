"""What every credit service shares: the province's rule, a date, a text."""

from __future__ import annotations

import datetime as dt

from fazhi.core import clock, errors, rules
from fazhi.core.models import Organisation


def province_rule(key: str, organisation: Organisation, on: dt.date) -> rules.Rule | None:
    """The province pack's rule on ``on``, or None when the province sets none."""
    try:
        return rules.rule(key, on=on, province=organisation.province_code())
    except errors.UnknownRule:
        return None


def day(value: dt.date | None, *, field: str, label: str) -> dt.date:
    """A date of a step: default today, never in the future."""
    today = clock.today()
    value = value or today
    if value > today:
        raise errors.ValidationFailed(f"{label}不能晚于今天。", code="date_in_future", field=field)
    return value


def text(value: str | None, *, field: str, label: str, max_length: int, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise errors.ValidationFailed(f"请填写{label}。", code=f"{field}_required", field=field)
    if len(value) > max_length:
        raise errors.ValidationFailed(
            f"{label}不能超过{max_length}个字符。", code=f"{field}_too_long", field=field
        )
    return value
