"""What the dispute services share: permission and scope, text, dates and exact money."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from fazhi.core import errors, inputs
from fazhi.core.models import Organisation, User
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap, require_in_scope

MONEY_MAX = Decimal("999999999999.99")
CENT = Decimal("0.01")


def require_handle(actor: User, organisation: Organisation, *, action: str) -> None:
    require_cap(actor, Cap.DISPUTE_HANDLE, action=action)
    require_in_scope(actor, organisation, action=action)


text = inputs.text


def day(
    value: dt.date | None,
    *,
    field: str,
    label: str,
    not_before: dt.date | None = None,
    not_before_label: str = "",
) -> dt.date:
    """A date of a dispute's step (``fazhi.core.inputs.day``): before its start is refused with
    ``date_before_start``."""
    return inputs.day(
        value,
        field=field,
        label=label,
        not_before=not_before,
        not_before_label=not_before_label,
        before_code="date_before_start",
    )


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
