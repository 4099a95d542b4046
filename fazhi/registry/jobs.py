"""Background jobs of the entity directory: reading and checking an import file, confirming an
import batch, exporting the directory (kinds in ``fazhi.core.jobs``; decision 0014).

Pages and the API start them through the ``*_enqueue`` services below and show the job. The job
functions call the same services as before (``import_batch_stage``, ``import_batch_confirm``,
``entity_export``), as the user who started the job.

An upload is refused at once when the cheap checks fail (size, format, an .xlsx that would
inflate too far: nothing written, 4xx); otherwise it is stored as an attachment (the evidence of
what was imported) and read, row by row, by the job. Refusals found while reading (past the row
or column limit) fail the job with their code and Chinese message.
"""

from __future__ import annotations

import dataclasses
import io
import tempfile
from typing import Any

from django.urls import reverse

from fazhi.core import import_limits, jobs, spreadsheets
from fazhi.core.jobs import Outcome, OutputFile, Progress
from fazhi.core.models import Job, Organisation, User
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap, require_in_scope
from fazhi.core.selectors.attachments import attachment_open
from fazhi.core.services.attachments import attachment_store_blob
from fazhi.core.services.jobs import job_enqueue
from fazhi.registry import exports
from fazhi.registry.events import EntityEvent, ImportBatchEvent
from fazhi.registry.selectors import imports as import_selectors
from fazhi.registry.selectors.entities import EntityFilters
from fazhi.registry.services import imports as import_services

STAGE = "registry.import_stage"
CONFIRM = "registry.import_confirm"
EXPORT = "registry.entity_export"
EXPORT_FORMATS = ("xlsx", "csv")


# --- starting them ------------------------------------------------------------------------------


def import_stage_enqueue(
    *, actor: User, organisation: Organisation, file_name: str, content: bytes
) -> Job:
    """Accept an upload for reading and checking in the background (the dry run)."""
    require_cap(actor, Cap.REGISTRY_MANAGE, action=ImportBatchEvent.STAGED)
    require_in_scope(actor, organisation, action=ImportBatchEvent.STAGED)
    file_format = spreadsheets.detect_format(file_name, content)
    import_limits.check_file(content, xlsx=file_format in spreadsheets.ZIP_FORMATS)
    upload = attachment_store_blob(
        actor=actor, organisation=organisation, file=io.BytesIO(content), filename=file_name
    )
    return job_enqueue(
        actor=actor,
        kind=STAGE,
        organisation=organisation,
        params={"file_name": file_name[:255]},
        upload=upload,
    )


def import_confirm_enqueue(*, actor: User, batch_id: int) -> Job:
    """Write a checked batch into the directory in the background (all rows or none)."""
    require_cap(actor, Cap.REGISTRY_MANAGE, action=ImportBatchEvent.CONFIRMED)
    batch = import_selectors.import_batch_get(user=actor, batch_id=batch_id)
    return job_enqueue(
        actor=actor, kind=CONFIRM, organisation=batch.organisation, params={"batch": batch.pk}
    )


def entity_export_enqueue(*, actor: User, filters: EntityFilters, fmt: str) -> Job:
    """Export the user's filtered list to a file in the background."""
    require_cap(actor, Cap.REGISTRY_VIEW, action=EntityEvent.EXPORTED)
    assert actor.organisation is not None
    return job_enqueue(
        actor=actor,
        kind=EXPORT,
        organisation=actor.organisation,
        params={
            "filters": dataclasses.asdict(filters),
            "format": fmt if fmt in EXPORT_FORMATS else "xlsx",
        },
    )


# --- running them -------------------------------------------------------------------------------


def _preview_link(job: Job) -> tuple[str, str]:
    return "查看预检结果", reverse("registry:import_preview", args=[int(job.result_id)])


def _batch_link(job: Job) -> tuple[str, str]:
    """The confirmed batch's page: what was imported, with links to the entities."""
    return "查看导入的批次", reverse("registry:import_preview", args=[int(job.result_id)])


@jobs.kind(
    STAGE,
    "检查对象导入：读取与预检",
    cap=Cap.REGISTRY_MANAGE,
    unit="行",
    result_link=_preview_link,
    follow=True,
)
def import_stage(job: Job, progress: Progress) -> Outcome:
    actor = jobs.starter(job)
    _, handle = attachment_open(user=actor, pk=int(jobs.param(job, "attachment")))
    with handle:
        content = handle.read()
    batch = import_services.import_batch_stage(
        actor=actor,
        organisation=job.organisation,
        file_name=str(jobs.param(job, "file_name")),
        content=content,
        progress=progress,
    )
    found = "没有发现错误，可以确认导入" if batch.is_clean else f"发现{batch.error_count}处错误"
    return Outcome(f"预检完成：共{batch.row_count}行，{found}。", result=batch)


@jobs.kind(
    CONFIRM,
    "检查对象导入：写入名录库",
    cap=Cap.REGISTRY_MANAGE,
    unique=True,
    unit="行",
    result_link=_batch_link,
    follow=True,
)
def import_confirm(job: Job, progress: Progress) -> Outcome:
    actor = jobs.starter(job)
    batch_id = int(jobs.param(job, "batch"))
    rows = import_selectors.import_batch_get(user=actor, batch_id=batch_id).row_count
    # One transaction, all rows or none: its progress is its start and its end.
    progress(0, rows, "正在一次性写入名录库（全部成功或全部不写入）")
    batch = import_services.import_batch_confirm(actor=actor, batch_id=batch_id)
    return Outcome(f"已导入{batch.row_count}个检查对象。", result=batch)


@jobs.kind(EXPORT, "检查对象导出", cap=Cap.REGISTRY_VIEW, writes=False, unit="个", rerun=True)
def entity_export(job: Job, progress: Progress) -> Outcome:
    actor = jobs.starter(job)
    raw: dict[str, Any] = dict(jobs.param(job, "filters"))
    known = {field.name for field in dataclasses.fields(EntityFilters)}
    filters = EntityFilters(**{k: v for k, v in raw.items() if k in known})
    fmt = str(jobs.param(job, "format"))
    seen: list[int] = [0]

    def counting(done: int, total: int | None = None, message: str | None = None) -> None:
        seen[0] = done
        progress(done, total, message)

    # Written to an anonymous temporary file as the rows are read (constant memory); the job
    # runner stores it from there. It has no name on disk: it goes when the outcome does.
    target = tempfile.TemporaryFile()  # noqa: SIM115 - handed on in the outcome
    try:
        _, name = exports.entity_export_file(
            user=actor, filters=filters, fmt=fmt, target=target, progress=counting
        )
    except BaseException:
        target.close()
        raise
    return Outcome(f"已导出{seen[0]}个检查对象。", file=OutputFile(name=name, file=target))
