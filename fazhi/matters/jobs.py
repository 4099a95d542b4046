"""Background jobs of incoming matters: importing a hotline platform's export (kinds in
``fazhi.core.jobs``; decision 0014). The page and the API start it through
``hotline_import_enqueue``; the job calls ``services.hotline_import.hotline_import`` as the user
who started it."""

from __future__ import annotations

import io

from django.urls import reverse

from fazhi.core import import_limits, jobs, spreadsheets
from fazhi.core.jobs import Outcome, Progress
from fazhi.core.models import Job, Organisation, User
from fazhi.core.roles import Cap
from fazhi.core.selectors.attachments import attachment_open
from fazhi.core.services.attachments import attachment_store_blob
from fazhi.core.services.jobs import job_enqueue
from fazhi.matters.events import HotlineEvent
from fazhi.matters.hotline_models import HotlinePlatform
from fazhi.matters.services._common import choice, require_handle
from fazhi.matters.services.hotline_import import hotline_import

HOTLINE_IMPORT = "matters.hotline_import"


def hotline_import_enqueue(
    *, actor: User, organisation: Organisation, platform: str, file_name: str, content: bytes
) -> Job:
    """Accept a platform export for import in the background (the cheap checks first: nothing
    written when they fail)."""
    require_handle(actor, organisation, action=HotlineEvent.IMPORTED)
    platform = choice(platform, HotlinePlatform.values, field="platform", label="来源平台")
    file_format = spreadsheets.detect_format(file_name, content)
    import_limits.check_file(content, xlsx=file_format in spreadsheets.ZIP_FORMATS)
    upload = attachment_store_blob(
        actor=actor, organisation=organisation, file=io.BytesIO(content), filename=file_name
    )
    return job_enqueue(
        actor=actor,
        kind=HOTLINE_IMPORT,
        organisation=organisation,
        params={"file_name": file_name[:255], "platform": platform},
        upload=upload,
    )


def _import_link(job: Job) -> tuple[str, str]:
    return "查看导入结果", reverse("matters:hotline_import_detail", args=[int(job.result_id)])


@jobs.kind(
    HOTLINE_IMPORT,
    "热线工单导入",
    cap=Cap.MATTER_HANDLE,
    unit="行",
    result_link=_import_link,
    follow=True,
)
def hotline_import_job(job: Job, progress: Progress) -> Outcome:
    actor = jobs.starter(job)
    _, handle = attachment_open(user=actor, pk=int(jobs.param(job, "attachment")))
    with handle:
        content = handle.read()
    batch = hotline_import(
        actor=actor,
        organisation=job.organisation,
        platform=str(jobs.param(job, "platform")),
        file_name=str(jobs.param(job, "file_name")),
        content=content,
        progress=progress,
    )
    if batch.error_count:
        summary = f"发现{batch.error_count}处错误，未导入任何工单，请修改后重新导入。"
    else:
        summary = f"已导入{batch.imported}张工单"
        if batch.skipped:
            summary += f"，跳过{batch.skipped}张已导入的工单"
        summary += "。"
        if batch.rehandle_marked:
            summary += f"其中{batch.rehandle_marked}张平台标记为重办，请在工单页面逐件办理重办。"
    return Outcome(summary, result=batch)
