"""Every read of licences, narrowed to the user's data scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from fazhi.core.models import User
from fazhi.core.roles import Cap
from fazhi.core.scope import get_scoped, require_cap, scoped
from fazhi.registry.events import LicenceEvent
from fazhi.registry.models import (
    Licence,
)


def _licences(user: User | Any) -> QuerySet[Licence]:
    return scoped(Licence.objects.all(), user, "entity__organisation").select_related("entity")


def licence_list(*, user: User | Any, entity_id: int | None = None) -> QuerySet[Licence]:
    """The licences in scope (of one entity); refused without ``registry.view``."""
    require_cap(user, Cap.REGISTRY_VIEW, action=LicenceEvent.LISTED)
    qs = _licences(user)
    if entity_id is not None:
        qs = qs.filter(entity_id=entity_id)
    return qs.order_by("entity_id", "-valid_from", "id")


def licence_get(*, user: User | Any, licence_id: int) -> Licence:
    return get_scoped(_licences(user), licence_id)
