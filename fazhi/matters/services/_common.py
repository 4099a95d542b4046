"""What every matter service shares: permission, text and date checks, the approver check."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fazhi.core import clock, errors
from fazhi.core.models import Organisation, User
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap, require_cap, require_in_scope, visible_organisations
from fazhi.matters.models import Matter

TITLE_MAX = 200
CONTENT_MAX = 20_000
NAME_MAX = 100
NOTE_MAX = 2_000


def require_handle(actor: User, organisation: Organisation, *, action: str) -> None:
    require_cap(actor, Cap.MATTER_HANDLE, action=action)
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


def choice(value: Any, allowed: Any, *, field: str, label: str) -> str:
    if value not in [str(v) for v in allowed]:
        raise errors.ValidationFailed(f"{label}无效。", code=f"bad_{field}", field=field)
    return str(value)


def day(
    value: dt.date | None,
    *,
    field: str,
    label: str,
    not_before: dt.date | None = None,
    not_before_label: str = "收到日期",
) -> dt.date:
    """A date of a step: given, not in the future, not before ``not_before``."""
    if value is None:
        raise errors.ValidationFailed(f"请填写{label}。", code=f"{field}_required", field=field)
    if value > clock.today():
        raise errors.ValidationFailed(f"{label}不能晚于今天。", code="date_in_future", field=field)
    if not_before is not None and value < not_before:
        raise errors.ValidationFailed(
            f"{label}不能早于{not_before_label}（{not_before:%Y-%m-%d}）。",
            code="date_before_receipt",
            field=field,
        )
    return value


def check_approver(approver: User | None, matter: Matter) -> None:
    """The extension's approver: the head (``matter.approve``) with the matter in scope."""
    if approver is None:
        return  # the table's guard refuses it with its reason
    if (
        not has_cap(approver, Cap.MATTER_APPROVE)
        or not visible_organisations(approver).filter(pk=matter.organisation_id).exists()
    ):
        raise errors.ValidationFailed(
            "批准人须为本机关负责人。", code="approver_not_head", field="approved_by"
        )
