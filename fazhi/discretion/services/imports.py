"""Importing a benchmark from a spreadsheet: read and check every row, then, in one
transaction, record the import with its problems and create the benchmark only when there is
none (all rows or nothing). Runs in a background job (``fazhi.discretion.jobs``)."""

from __future__ import annotations

from django.db import transaction

from fazhi.core import audit, errors, import_limits
from fazhi.core.jobs import Progress, counted
from fazhi.core.models import Organisation, User
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap, require_in_scope
from fazhi.discretion.events import BenchmarkEvent
from fazhi.discretion.importing import reader
from fazhi.discretion.importing.parse import parse_rows
from fazhi.discretion.models import BenchmarkImport
from fazhi.discretion.services.benchmarks import (
    BenchmarkMeta,
    check_items,
    clean_meta,
    create_in_transaction,
)


def _quiet(done: int, total: int | None = None, message: str | None = None) -> None:
    return None


def benchmark_import(
    *,
    actor: User,
    organisation: Organisation,
    meta: BenchmarkMeta,
    file_name: str,
    content: bytes,
    progress: Progress = _quiet,
) -> BenchmarkImport:
    require_cap(actor, Cap.DISCRETION_MANAGE, action=BenchmarkEvent.IMPORTED)
    require_in_scope(actor, organisation, action=BenchmarkEvent.IMPORTED)
    meta = clean_meta(meta)
    import_limits.check_file(content, xlsx=True)
    problems = import_limits.BoundedErrors()
    rows = import_limits.limit_rows(reader.read_rows(content))
    items, count = parse_rows(
        counted(rows, progress, message="正在读取并逐行检查", then="检查完成"), problems
    )
    if not problems.total:
        try:
            check_items(items)
        except errors.ValidationFailed as exc:
            problems.append({"row": None, "column": "", "message": exc.message})
    progress(count, count, "正在写入（全部成功或全部不写入）")
    with transaction.atomic(durable=True):
        record = BenchmarkImport.objects.create(
            organisation=organisation,
            title=meta.title,
            file_name=file_name[:255],
            row_count=count,
            created_by=actor,
        )
        if not problems.total:
            try:
                with transaction.atomic():
                    record.benchmark = create_in_transaction(
                        actor=actor, organisation=organisation, meta=meta, items=items
                    )
            except errors.Conflict as exc:
                problems.append({"row": None, "column": "", "message": exc.message})
        record.errors = problems.kept
        record.error_count = problems.total
        record.save(update_fields=["benchmark", "errors", "error_count"])
        audit.append(
            actor=actor,
            action=BenchmarkEvent.IMPORTED,
            obj=record,
            details={
                "file_name": record.file_name,
                "rows": count,
                "errors": problems.total,
                "benchmark": record.benchmark_id,
            },
        )
    return record
