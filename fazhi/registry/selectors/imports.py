"""Every read of import batches, narrowed to the user's data scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from fazhi.core.models import User
from fazhi.core.scope import get_scoped, scoped
from fazhi.registry.models import (
    ImportBatch,
)


def import_batch_list(*, user: User | Any) -> QuerySet[ImportBatch]:
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
