"""Services: import batches of the entity directory: stage (a dry run), confirm, discard.

Upload parses and validates the whole file and stores the normalised rows in the batch
(``ImportBatch.payload``, zlib-compressed ``marshal``) together with every error found. Nothing
reaches the directory until a batch without errors is confirmed; confirm inserts the whole batch
in one transaction with one audit event. The batch's state follows ``workflows.IMPORT_BATCH``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction

from fazhi.core import audit, clock, errors, import_limits, jobs, spreadsheets, workflow
from fazhi.core.models import Organisation, User
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap, require_in_scope
from fazhi.registry.events import ImportBatchEvent
from fazhi.registry.importing.bulk import bulk_insert
from fazhi.registry.importing.payload import pack_rows, unpack_rows
from fazhi.registry.importing.validation import Validation, directory_conflicts, validate_rows
from fazhi.registry.models import (
    ImportBatch,
    ImportFormat,
)
from fazhi.registry.workflows import IMPORT_BATCH


def import_batch_stage(
    *,
    actor: User,
    organisation: Organisation,
    file_name: str,
    content: bytes,
    progress: jobs.Progress | None = None,
) -> ImportBatch:
    """Parse and validate an uploaded file into a batch awaiting confirmation (dry run).
    ``progress`` (the background job's) hears the rows as they are read."""
    require_cap(actor, Cap.REGISTRY_MANAGE, action=ImportBatchEvent.STAGED)
    require_in_scope(actor, organisation, action=ImportBatchEvent.STAGED)
    file_format = spreadsheets.detect_format(file_name, content)
    import_limits.check_file(content, xlsx=file_format in spreadsheets.ZIP_FORMATS)
    sheet = spreadsheets.read_sheet(content, file_name)
    rows: Iterable[Sequence[Any]] = import_limits.limit_rows(sheet.rows)
    if progress is not None:
        rows = jobs.counted(
            rows,
            progress,
            message="正在读取并校验每一行",
            total=lambda: sheet.total,
            then="正在核对名录库中已登记的代码和许可证号",
        )
    result = validate_rows(rows, date1904=sheet.date1904)
    return _stage(
        actor=actor,
        organisation=organisation,
        file_name=file_name,
        file_hash=hashlib.sha256(content).hexdigest(),
        file_format=sheet.file_format,
        result=result,
    )


def import_batch_stage_rows(
    *,
    actor: User,
    organisation: Organisation,
    source_name: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> ImportBatch:
    """Stage rows given in memory (demo data, integrations); same validation as a file."""
    require_cap(actor, Cap.REGISTRY_MANAGE, action=ImportBatchEvent.STAGED)
    require_in_scope(actor, organisation, action=ImportBatchEvent.STAGED)
    materialised = [tuple(header), *(tuple(r) for r in rows)]
    digest = hashlib.sha256(
        json.dumps(materialised, ensure_ascii=False, default=str).encode("utf-8")
    ).hexdigest()
    return _stage(
        actor=actor,
        organisation=organisation,
        file_name=source_name,
        file_hash=digest,
        file_format=ImportFormat.CSV,
        result=validate_rows(import_limits.limit_rows(materialised)),
    )


def _stage(
    *,
    actor: User,
    organisation: Organisation,
    file_name: str,
    file_hash: str,
    file_format: str,
    result: Validation,
) -> ImportBatch:
    with transaction.atomic(durable=True):
        batch = ImportBatch.objects.create(
            organisation=organisation,
            created_by=actor,
            file_name=file_name[:255],
            file_hash=file_hash,
            file_format=file_format,
            row_count=result.row_count,
            error_count=result.error_count,
            errors=result.errors,
            payload=pack_rows(result.rows) if result.rows else b"",
        )
        audit.append(
            actor=actor,
            action=ImportBatchEvent.STAGED,
            obj=batch,
            details={
                "file_name": batch.file_name,
                "file_hash": file_hash,
                "rows": result.row_count,
                "errors": result.error_count,
            },
        )
    return batch


def import_batch_confirm(*, actor: User, batch_id: int) -> ImportBatch:
    """Insert a clean staged batch into the directory: all rows or none, one audit event.

    The codes were checked against the directory at staging; one registered since then is
    caught by the directory's unique indexes while inserting (which also covers a concurrent
    import), and only then are the rows looked up again to tell the user how many."""
    require_cap(actor, Cap.REGISTRY_MANAGE, action=ImportBatchEvent.CONFIRMED)
    rows: list[list[Any]] = []
    try:
        with transaction.atomic(durable=True):
            batch = (
                ImportBatch.objects.select_for_update(of=("self",))
                .select_related("organisation")
                .filter(pk=batch_id)
                .first()
            )
            if batch is None:
                raise errors.NotFound()
            require_in_scope(actor, batch.organisation, action=ImportBatchEvent.CONFIRMED)
            # the table and its guards first (nothing written): a batch already handled, or one
            # with errors, is refused before its rows are read
            IMPORT_BATCH.check(batch, "confirm")
            rows = unpack_rows(batch.payload)
            created = bulk_insert(organisation=batch.organisation, rows=rows, batch=batch)
            workflow.transition(
                IMPORT_BATCH,
                batch,
                "confirm",
                actor=actor,
                locked=True,
                changes={"confirmed_at": clock.now(), "confirmed_by": actor, "payload": b""},
                details={
                    "count": created,
                    "file_name": batch.file_name,
                    "file_hash": batch.file_hash,
                },
            )
    except IntegrityError as exc:
        # rolled back: nothing was written; count what the directory holds now
        conflicts = directory_conflicts(rows, list(range(1, len(rows) + 1))) if rows else []
        if conflicts:
            raise errors.Conflict(
                f"预览后名录库已登记了其中{len(conflicts)}个代码或许可证号，请重新上传。",
                code="directory_changed",
            ) from exc
        raise errors.Conflict(
            "导入时发现代码或许可证号已被登记，未导入任何数据，请重新上传。",
            code="directory_changed",
        ) from exc
    return batch


def import_batch_discard(*, actor: User, batch_id: int) -> ImportBatch:
    require_cap(actor, Cap.REGISTRY_MANAGE, action=ImportBatchEvent.DISCARDED)
    with transaction.atomic(durable=True):
        batch = (
            ImportBatch.objects.select_for_update(of=("self",))
            .select_related("organisation")
            .filter(pk=batch_id)
            .first()
        )
        if batch is None:
            raise errors.NotFound()
        require_in_scope(actor, batch.organisation, action=ImportBatchEvent.DISCARDED)
        workflow.transition(
            IMPORT_BATCH, batch, "discard", actor=actor, locked=True, changes={"payload": b""}
        )
    return batch
