"""Every read of import batches, narrowed to the user's data scope."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from fazhi.core.models import User
from fazhi.core.roles import Cap
from fazhi.core.scope import get_scoped, require_cap, scoped
from fazhi.registry.events import ImportBatchEvent
from fazhi.registry.importing.payload import unpack_rows
from fazhi.registry.models import (
    Entity,
    EntityKind,
    EntityStatus,
    ImportBatch,
    RiskGrade,
    SupervisionCategory,
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


PREVIEW_ROWS = 20
# Counting reads every staged row (about 2 s per 100,000 rows): above this, the preview shows the
# first rows and the total only, read from the start of the payload.
PREVIEW_COUNT_LIMIT = 20_000


@dataclass(frozen=True)
class ImportPreview:
    """What a clean staged batch will write: its first rows, ready to show, and its counts (None
    for a batch past ``PREVIEW_COUNT_LIMIT``)."""

    rows: list[dict[str, Any]]
    total: int
    organisations: int | None
    individuals: int | None
    with_licence: int | None
    by_kind: list[tuple[str, int]]  # (类型, count), most first
    by_category: list[tuple[str, int]]  # (专业类别, count), most first


def import_batch_preview(*, user: User | Any, batch: ImportBatch) -> ImportPreview | None:
    """The staged rows of ``batch`` (read with ``import_batch_get``, so in scope), or None when
    nothing is staged (a batch with errors, confirmed or discarded). Counts every row up to
    ``PREVIEW_COUNT_LIMIT`` rows; past it, only the first rows are read."""
    require_cap(user, Cap.REGISTRY_VIEW, action=ImportBatchEvent.VIEWED)
    stored = ImportBatch.objects.filter(pk=batch.pk).values_list("payload", flat=True).first()
    if not stored:
        return None
    payload = bytes(stored)
    counted = batch.row_count <= PREVIEW_COUNT_LIMIT
    rows = unpack_rows(payload)  # marshal: 200,000 rows unpack in a fraction of a second
    if not counted:
        rows = rows[:PREVIEW_ROWS]
    kinds = dict(EntityKind.choices)
    statuses = dict(EntityStatus.choices)
    grades = dict(RiskGrade.choices)
    category_names = dict(SupervisionCategory.objects.values_list("pk", "name"))
    shown = [
        {
            "name": row[0],
            "code": row[1] or row[2],
            "individual": row[3],
            "kind": kinds.get(row[4], row[4]),
            "categories": "、".join(category_names.get(c, "") for c in row[5]),
            "division_code": row[6],
            "address": row[7],
            "status": statuses.get(row[9], row[9]),
            "risk_grade": grades.get(row[10], row[10]),
            "licence": row[11][1] if row[11] else "",
        }
        for row in rows[:PREVIEW_ROWS]
    ]
    if not counted:
        return ImportPreview(
            rows=shown,
            total=batch.row_count,
            organisations=None,
            individuals=None,
            with_licence=None,
            by_kind=[],
            by_category=[],
        )
    kind_counts = Counter(row[4] for row in rows)
    category_counts = Counter(category for row in rows for category in row[5])
    individuals = sum(1 for row in rows if row[3])
    return ImportPreview(
        rows=shown,
        total=len(rows),
        organisations=len(rows) - individuals,
        individuals=individuals,
        with_licence=sum(1 for row in rows if row[11]),
        by_kind=[(str(kinds.get(k, k)), n) for k, n in kind_counts.most_common()],
        by_category=[(category_names.get(c, ""), n) for c, n in category_counts.most_common()],
    )


def import_batch_entities(*, user: User | Any, batch: ImportBatch, limit: int = 20) -> list[Entity]:
    """The first entities a confirmed batch wrote, in the user's scope."""
    require_cap(user, Cap.REGISTRY_VIEW, action=ImportBatchEvent.VIEWED)
    return list(
        scoped(Entity.objects.filter(import_batch=batch), user)
        .only("pk", "name", "uscc", "id_number", "is_individual", "kind", "organisation_id")
        .order_by("pk")[:limit]
    )
