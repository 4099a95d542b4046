"""Background job of discretion benchmarks: importing a benchmark file (decision 0014).

The upload is refused at once when the cheap checks fail (size, an .xlsx that would inflate too
far, the heading of the benchmark); otherwise it is stored as an attachment (the evidence of what
was imported) and read, checked and written by the job, all rows or none."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

from django.urls import reverse

from fazhi.core import import_limits, jobs
from fazhi.core.jobs import Outcome, OutputFile, Progress
from fazhi.core.models import Job, Organisation, User
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap, require_in_scope
from fazhi.core.selectors.attachments import attachment_open
from fazhi.core.services.attachments import attachment_store_blob
from fazhi.core.services.jobs import job_enqueue
from fazhi.discretion.events import BenchmarkEvent
from fazhi.discretion.importing.export import benchmark_export as write_benchmark
from fazhi.discretion.selectors import benchmarks as benchmark_selectors
from fazhi.discretion.services import imports as import_services
from fazhi.discretion.services.benchmarks import BenchmarkMeta, clean_meta

IMPORT = "discretion.benchmark_import"
EXPORT = "discretion.benchmark_export"


def benchmark_import_enqueue(
    *,
    actor: User,
    organisation: Organisation,
    meta: BenchmarkMeta,
    file_name: str,
    content: bytes,
) -> Job:
    require_cap(actor, Cap.DISCRETION_MANAGE, action=BenchmarkEvent.IMPORTED)
    require_in_scope(actor, organisation, action=BenchmarkEvent.IMPORTED)
    meta = clean_meta(meta)
    import_limits.check_file(content, xlsx=True)
    upload = attachment_store_blob(
        actor=actor, organisation=organisation, file=io.BytesIO(content), filename=file_name
    )
    params = dataclasses.asdict(meta)
    params["effective_from"] = meta.effective_from.isoformat()
    params["effective_to"] = meta.effective_to.isoformat() if meta.effective_to else None
    params["file_name"] = file_name[:255]
    return job_enqueue(
        actor=actor, kind=IMPORT, organisation=organisation, params=params, upload=upload
    )


def _import_link(job: Job) -> tuple[str, str]:
    return "查看导入结果", reverse("discretion:import_detail", args=[int(job.result_id)])


@jobs.kind(
    IMPORT,
    "裁量基准导入",
    cap=Cap.DISCRETION_MANAGE,
    unit="行",
    result_link=_import_link,
    follow=True,
)
def benchmark_import(job: Job, progress: Progress) -> Outcome:
    actor = jobs.starter(job)
    _, handle = attachment_open(user=actor, pk=int(jobs.param(job, "attachment")))
    with handle:
        content = handle.read()
    end = jobs.param(job, "effective_to")
    meta = BenchmarkMeta(
        title=str(jobs.param(job, "title")),
        issuing_body=str(jobs.param(job, "issuing_body")),
        effective_from=dt.date.fromisoformat(str(jobs.param(job, "effective_from"))),
        effective_to=dt.date.fromisoformat(str(end)) if end else None,
        document_number=str(jobs.param(job, "document_number")),
        is_sample=bool(jobs.param(job, "is_sample")),
        sources=str(jobs.param(job, "sources")),
    )
    record = import_services.benchmark_import(
        actor=actor,
        organisation=job.organisation,
        meta=meta,
        file_name=str(jobs.param(job, "file_name")),
        content=content,
        progress=progress,
    )
    if record.benchmark_id:
        summary = f"已导入裁量基准：{record.row_count}行。"
    else:
        summary = f"发现{record.error_count}处错误，未导入任何数据。"
    return Outcome(summary, result=record)


def benchmark_export_enqueue(*, actor: User, benchmark_id: int) -> Job:
    """Write a benchmark to an .xlsx in the template's columns, in the background."""
    require_cap(actor, Cap.DISCRETION_VIEW, action=BenchmarkEvent.EXPORTED)
    benchmark = benchmark_selectors.benchmark_get(user=actor, benchmark_id=benchmark_id)
    assert actor.organisation is not None
    return job_enqueue(
        actor=actor,
        kind=EXPORT,
        organisation=actor.organisation,
        params={"benchmark": benchmark.pk},
    )


@jobs.kind(EXPORT, "裁量基准导出", cap=Cap.DISCRETION_VIEW, writes=False, unit="行", rerun=True)
def benchmark_export(job: Job, progress: Progress) -> Outcome:
    actor = jobs.starter(job)
    content, name, rows = write_benchmark(
        user=actor, benchmark_id=int(jobs.param(job, "benchmark"))
    )
    progress(rows, rows)
    return Outcome(f"已导出裁量基准：{rows}行。", file=OutputFile(name=name, content=content))
