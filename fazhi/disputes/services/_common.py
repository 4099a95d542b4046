"""What the dispute services share: permission and scope, text, dates and exact money."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from fazhi.core import clock, errors
from fazhi.core.models import Organisation, User
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap, require_in_scope

MONEY_MAX = Decimal("999999999999.99")
CENT = Decimal("0.01")


def require_handle(actor: User, organisation: Organisation, *, action: str) -> None:
    require_cap(actor, Cap.DISPUTE_HANDLE, action=action)
    require_in_scope(actor, organisation, action=action)


def text(value: Any, *, field: str, label: str, max_length: int, required: bool = True) -> str:
    cleaned = str(value or "").strip()
    if required and not cleaned:
        raise errors.ValidationFailed(f"请填写{label}。", code=f"{field}_required", field=field)
    if len(cleaned) > max_length:
        raise errors.ValidationFailed(
            f"{label}不能超过{max_length}个字符。", code=f"{field}_too_long", field=field
        )
    return cleaned


def day(
    value: dt.date | None,
    *,
    field: str,
    label: str,
    not_before: dt.date | None = None,
    not_before_label: str = "",
) -> dt.date:
    if value is None:
        raise errors.ValidationFailed(f"请填写{label}。", code=f"{field}_required", field=field)
    if value > clock.today():
        raise errors.ValidationFailed(f"{label}不能晚于今天。", code="date_in_future", field=field)
    if not_before is not None and value < not_before:
        raise errors.ValidationFailed(
            f"{label}不能早于{not_before_label}（{not_before:%Y-%m-%d}）。",
            code="date_before_start",
            field=field,
        )
    return value


def money(value: Any, *, field: str, label: str) -> Decimal | None:
    """An exact amount in yuan (two decimals, never a float): absent → None; negative, more
    than two decimals or not a number → refused."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise errors.ValidationFailed(
            f"{label}应为金额（元）。", code="bad_amount", field=field
        ) from None
    if not amount.is_finite() or amount < 0 or amount > MONEY_MAX:
        raise errors.ValidationFailed(
            f"{label}应为0至{MONEY_MAX}元。", code="bad_amount", field=field
        )
    if amount != amount.quantize(CENT):
        raise errors.ValidationFailed(
            f"{label}最多保留两位小数（分）。", code="bad_amount", field=field
        )
    return amount.quantize(CENT)
