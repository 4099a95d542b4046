"""Guards and validation helpers shared by the entity and licence services."""

from __future__ import annotations

from typing import Any

from fazhi.core import errors
from fazhi.core.models import User
from fazhi.core.scope import require_in_scope
from fazhi.registry.models import (
    Entity,
)

REASON_MIN = 2


def clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN:
        raise errors.ValidationFailed("请填写原因。", code="reason_required")
    return reason[:500]


def check_choice(value: str, choices: Any, *, code: str, label: str) -> str:
    if value not in choices.values:
        raise errors.ValidationFailed(f"未知的{label}：{value}", code=code)
    return value


def lock_entity(actor: User, entity_id: int, *, action: str) -> Entity:
    entity = (
        Entity.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .filter(pk=entity_id)
        .first()
    )
    if entity is None:
        raise errors.NotFound()
    require_in_scope(actor, entity.organisation, action=action)
    return entity
