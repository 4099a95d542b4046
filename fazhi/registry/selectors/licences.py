"""Every read of licences, narrowed to the user's data scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from fazhi.core.models import User
from fazhi.core.scope import get_scoped, scoped
from fazhi.registry.models import (
    Licence,
)


def licence_list(*, user: User | Any, entity_id: int | None = None) -> QuerySet[Licence]:
    qs = scoped(Licence.objects.all(), user, "entity__organisation").select_related("entity")
    if entity_id is not None:
        qs = qs.filter(entity_id=entity_id)
    return qs.order_by("entity_id", "-valid_from", "id")


def licence_get(*, user: User | Any, licence_id: int) -> Licence:
    return get_scoped(licence_list(user=user), licence_id)
