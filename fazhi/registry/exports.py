"""Exports of filtered directory lists (.xlsx and .csv); the import template is
``importing.template``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO, Any

from django.db import transaction

from fazhi.core import audit, jobs
from fazhi.core.exports import csv_write, xlsx_write
from fazhi.core.models import User
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap
from fazhi.registry.events import EntityEvent
from fazhi.registry.models import Entity, EntityKind, EntityStatus, Licence, SupervisionCategory
from fazhi.registry.selectors.entities import EntityFilters, entity_list

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


EXPORT_HEADERS = [
    "编号",
    "名称",
    "统一社会信用代码",
    "公民身份号码",
    "是否个人",
    "类型",
    "专业类别",
    "行政区划代码",
    "地址",
    "法定代表人/负责人",
    "经营状态",
    "风险等级",
    "在册",
    "许可证",
    "监管机构",
]


_EXPORT_CHUNK = 900  # entities per round of category and licence look-ups (SQLite's 999)


def _export_rows(qs: Any) -> Iterator[list[Any]]:
    """The rows of ``qs`` (the scoped, filtered entities) for an export, read as plain values
    in chunks - no model instances: building three per entity (with its categories and
    licences) cost more than writing the row - so memory stays constant whatever the size."""
    kinds = dict(EntityKind.choices)
    statuses = dict(EntityStatus.choices)
    category_names = {}
    category_rank = {}
    for rank, (pk, name) in enumerate(SupervisionCategory.objects.values_list("pk", "name")):
        category_names[pk], category_rank[pk] = name, rank  # in the categories' own order
    links = Entity.categories.through.objects
    values = qs.prefetch_related(None).values_list(
        "pk",
        "name",
        "uscc",
        "id_number",
        "is_individual",
        "kind",
        "division_code",
        "address",
        "legal_representative",
        "status",
        "risk_grade",
        "is_active",
        "organisation__name",
    )
    for chunk in _chunked(values.iterator(chunk_size=_EXPORT_CHUNK), _EXPORT_CHUNK):
        ids = [row[0] for row in chunk]
        categories: dict[int, list[int]] = {}
        for entity_id, category_id in links.filter(entity_id__in=ids).values_list(
            "entity_id", "supervisioncategory_id"
        ):
            categories.setdefault(entity_id, []).append(category_id)
        licences: dict[int, list[str]] = {}
        for entity_id, number, valid_from, valid_to in (
            Licence.objects.filter(entity_id__in=ids)
            .order_by("entity_id", "-valid_from", "id")
            .values_list("entity_id", "number", "valid_from", "valid_to")
        ):
            until = valid_to.strftime("%Y-%m-%d") if valid_to else "长期"
            licences.setdefault(entity_id, []).append(f"{number}（{valid_from:%Y-%m-%d}至{until}）")
        for (
            pk,
            name,
            uscc,
            id_number,
            individual,
            kind,
            division,
            address,
            legal,
            status,
            grade,
            active,
            organisation,
        ) in chunk:
            yield [
                pk,
                name,
                uscc,
                id_number,
                "是" if individual else "否",
                kinds.get(kind, kind),
                "、".join(
                    category_names[c]
                    for c in sorted(categories.get(pk, ()), key=category_rank.__getitem__)
                ),
                division,
                address,
                legal,
                statuses.get(status, status),
                grade,
                "是" if active else "否",
                "；".join(licences.get(pk, ())),
                organisation,
            ]


def _chunked(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def entity_export(
    *, user: User, filters: EntityFilters, fmt: str, progress: jobs.Progress | None = None
) -> tuple[bytes, str, str]:
    """Export the scoped, filtered list. Returns (content, content type, file name).
    ``progress`` (the background job's) hears the rows as they are written. A large export
    goes through ``entity_export_file`` (constant memory)."""
    with tempfile.TemporaryFile() as target:
        content_type, name = entity_export_file(
            user=user, filters=filters, fmt=fmt, target=target, progress=progress
        )
        target.seek(0)
        return target.read(), content_type, name


def entity_export_file(
    *,
    user: User,
    filters: EntityFilters,
    fmt: str,
    target: IO[bytes],
    progress: jobs.Progress | None = None,
) -> tuple[str, str]:
    """Write the scoped, filtered list to ``target`` as the rows are read (constant memory:
    CSV, or .xlsx through openpyxl's write-only workbook). Returns (content type, file name).

    Exports carry personal data (ID numbers), so each one is an audit event."""
    require_cap(user, Cap.REGISTRY_VIEW, action=EntityEvent.EXPORTED)
    qs = entity_list(user=user, filters=filters).order_by("organisation_id", "name", "id")
    rows = _export_rows(qs)
    if progress is not None:
        total = qs.count()
        rows = jobs.counted(rows, progress, message="正在导出检查对象", total=lambda: total)
    if fmt == "csv":
        count = csv_write(target, EXPORT_HEADERS, rows)
        content_type, name = CSV_TYPE, "检查对象.csv"
    else:
        count = xlsx_write(target, "检查对象", EXPORT_HEADERS, rows)
        content_type, name = XLSX_TYPE, "检查对象.xlsx"
    with transaction.atomic(durable=True):
        audit.append(
            actor=user,
            action=EntityEvent.EXPORTED,
            object_type=Entity._meta.label_lower,
            details={"format": fmt, "count": count, "filters": filters.as_dict()},
        )
    return content_type, name
