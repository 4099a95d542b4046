"""What every penalty-case service shares: the permission check, input cleaning (exact money,
dates, the kinds of penalty) and the case's own transition call."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from fazhi.core import clock, errors, workflow
from fazhi.core.models import User
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap, require_in_scope
from fazhi.enforcement.models import PenaltyCase, PenaltyKind
from fazhi.enforcement.workflows import PENALTY_CASE

TEXT_MAX = 10_000
REASON_MAX = 2_000
MONEY_MAX = Decimal("999999999999.99")


def require_case_cap(actor: User, case: PenaltyCase, cap: Cap, action: str) -> None:
    require_cap(actor, cap, action=action)
    require_in_scope(actor, case.organisation, action=action)


def text(value: str | None, *, field: str, label: str, max_length: int = TEXT_MAX) -> str:
    value = (value or "").strip()
    if len(value) > max_length:
        raise errors.ValidationFailed(
            f"{label}不能超过{max_length}个字符。", code=f"{field}_too_long", field=field
        )
    return value


def money(value: Any, *, field: str, label: str) -> Decimal | None:
    """An exact amount in yuan (at most two decimals, not negative), or None when empty. A
    float is refused: it cannot say which decimal it meant."""
    if value is None or value == "":
        return None
    if isinstance(value, float | bool):
        raise errors.ValidationFailed(
            f"{label}须以字符串或整数给出。", code="bad_amount", field=field
        )
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise errors.ValidationFailed(
            f"{label}不是有效的金额。", code="bad_amount", field=field
        ) from None
    if not amount.is_finite() or amount < 0 or amount > MONEY_MAX:
        raise errors.ValidationFailed(f"{label}不是有效的金额。", code="bad_amount", field=field)
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise errors.ValidationFailed(f"{label}最多保留两位小数。", code="bad_amount", field=field)
    return amount.quantize(Decimal("0.01"))


def day(
    value: dt.date | None, *, field: str, label: str, not_before: dt.date | None = None
) -> dt.date:
    """A date of a step: default today, never in the future, never before ``not_before``."""
    today = clock.today()
    value = value or today
    if value > today:
        raise errors.ValidationFailed(f"{label}不能晚于今天。", code="date_in_future", field=field)
    if not_before is not None and value < not_before:
        raise errors.ValidationFailed(
            f"{label}不能早于{not_before.isoformat()}。", code="date_too_early", field=field
        )
    return value


def kinds(values: Iterable[str]) -> list[str]:
    out = []
    for value in values:
        if value not in PenaltyKind.values:
            raise errors.ValidationFailed(
                "未知的处罚种类。", code="unknown_penalty_kind", field="kinds"
            )
        if value not in out:
            out.append(value)
    return out


def check_money_kinds(
    chosen: list[str], fine: Decimal | None, confiscation: Decimal | None
) -> None:
    """A fine needs its amount and an amount needs its kind (likewise confiscation)."""
    for kind, amount, label in (
        (PenaltyKind.FINE, fine, "罚款"),
        (PenaltyKind.CONFISCATION, confiscation, "没收"),
    ):
        if (kind in chosen) != bool(amount):
            raise errors.ValidationFailed(
                f"{label}须同时选择处罚种类并填写大于零的金额。",
                code="amount_kind_mismatch",
                field="fine" if kind == PenaltyKind.FINE else "confiscation",
            )


def check_not_heavier(
    case: PenaltyCase,
    fine: Decimal | None,
    confiscation: Decimal | None,
    *,
    prefix: str = "",
    why: str,
) -> None:
    """No amount above the one the notice proposed (行政处罚法 第四十四条、第四十五条)."""
    for amount, proposed, label in (
        (fine, case.proposed_fine, "罚款"),
        (confiscation, case.proposed_confiscation, "没收"),
    ):
        if (amount or 0) > (proposed or 0):
            raise errors.ValidationFailed(
                f"{prefix}{label}金额不能高于告知的拟处罚金额{why}", code="heavier_than_notice"
            )


def move(
    case: PenaltyCase,
    action: str,
    *,
    actor: User,
    ctx: Mapping[str, Any] | None = None,
    changes: Mapping[str, Any] | None = None,
    details: Mapping[str, Any] | None = None,
    stay: bool = False,
) -> PenaltyCase:
    """The case's transition in the caller's transaction; ``stay``: an action that leaves the
    case in its current state (a review, a deliberation), passed as its target."""
    row = PENALTY_CASE.lock(case)
    return workflow.transition(
        PENALTY_CASE,
        row,
        action,
        actor=actor,
        ctx=ctx,
        changes=changes,
        details=details,
        target=row.state if stay else None,
        locked=True,
    )


def title(case: PenaltyCase, what: str) -> str:
    return f"{case.cause}（{case.entity.name}）：{what}"[:200]


def attach(actor: User, case: PenaltyCase, rule_key: str, what: str, on: dt.date) -> None:
    """A deadline of the case under ``rule_key`` from ``on``, for its handler (in the caller's
    transaction)."""
    from fazhi.core.services.deadlines import deadline_attach

    deadline_attach(
        actor=actor,
        organisation=case.organisation,
        title=title(case, what),
        rule_key=rule_key,
        start_date=on,
        subject=case,
        assignee=case.handler,
    )
