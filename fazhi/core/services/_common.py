"""Guards and validation helpers shared by the organisation and people services."""

from __future__ import annotations

from fazhi.core import errors
from fazhi.core.models import (
    Organisation,
    User,
)
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap, require_in_scope


def require_manage(actor: User | None, organisation: Organisation | None, *, action: str) -> None:
    """ORG_MANAGE, and the organisation inside the actor's subtree. ``None`` actor is the system."""
    if actor is None:
        return
    require_cap(actor, Cap.ORG_MANAGE, action=action)
    if organisation is None:
        # A root organisation is created once, at installation, by the system (CLI).
        raise errors.PermissionDenied("只有系统初始化可以创建顶级机构。", attempted=action)
    require_in_scope(actor, organisation, action=action)


def clean_text(
    value: str, *, field: str, label: str, max_length: int, required: bool = True
) -> str:
    value = (value or "").strip()
    if required and not value:
        raise errors.ValidationFailed(f"{label}不能为空。", code=f"{field}_required", field=field)
    if len(value) > max_length:
        raise errors.ValidationFailed(
            f"{label}不能超过{max_length}个字符。", code=f"{field}_too_long", field=field
        )
    return value


def lock_active(organisation: Organisation) -> None:
    """Inside the transaction: lock the organisation row and require it active, so that adding
    a user or officer and deactivating the organisation cannot interleave."""
    if not Organisation.objects.select_for_update().filter(pk=organisation.pk, is_active=True):
        raise errors.ValidationFailed("机构已停用。", code="organisation_inactive")
