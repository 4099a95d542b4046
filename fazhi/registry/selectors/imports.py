"""Every read of import batches, narrowed to the user's data scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from fazhi.core.models import User
from fazhi.core.roles import Cap
from fazhi.core.scope import get_scoped, require_cap, scoped
from fazhi.registry.events import ImportBatchEvent
from fazhi.registry.models import (
    ImportBatch,
)


def import_batch_list(*, user: User | Any) -> QuerySet[ImportBatch]:
    """The batches in scope; refused without ``registry.view``."""
    require_cap(user, Cap.REGISTRY_VIEW, action=ImportBatchEvent.LISTED)
    return (
        scoped(ImportBatch.objects.all(), user)
        .select_related("organisation", "created_by")
        .defer("payload", "errors")
    )


def import_batch_get(*, user: User | Any, batch_id: int) -> ImportBatch:
    return get_scoped(
        scoped(ImportBatch.objects.all(), user)
        .select_related("organisation", "created_by")
        .defer("payload"),
        batch_id,
    )
