"""Pages: background jobs (后台任务) — "我的后台任务", one job with its progress (the status
fragment polls every second while the job is queued or running and stops when it has finished),
retrying a failed job, and downloading the file a job produced.

Any signed-in user has the list of their own jobs; a job page needs the job in the user's scope
and its kind's capability (``fazhi.core.selectors.jobs``). A failure is shown as its Chinese
message only: no code, no trace.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_GET, require_POST

from fazhi.core import clock, detail, errors, jobs, listing
from fazhi.core.access import acting_user
from fazhi.core.models import Job, JobState, User
from fazhi.core.selectors.jobs import job_get, job_list
from fazhi.core.services.jobs import job_retry
from fazhi.core.views.files import attachment_response

PAGE_SIZE = 50
POLL_SECONDS = 1
LONG_WAIT_SECONDS = 60  # a worker takes a job within a second or two when one is free


def elapsed_seconds(job: Job) -> int:
    """Seconds since the job started (until it finished); 0 while it waits in the queue."""
    if job.started_at is None:
        return 0
    end = job.finished_at or clock.now()
    return max(0, int((end - job.started_at).total_seconds()))


def elapsed_text(seconds: int) -> str:
    minutes, second = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    if hours:
        return f"{hours}小时{minute}分{second}秒"
    if minutes:
        return f"{minute}分{second}秒"
    return f"{second}秒"


def job_view(job: Job, user: User) -> dict[str, Any]:
    """What the pages show of a job (also the list rows)."""
    spec = jobs.find_kind(job.kind)
    link = jobs.result_link(job)
    return {
        "job": job,
        "label": jobs.kind_label(job.kind),
        "unit": spec.unit if spec else "项",
        "percent": job.percent,
        "elapsed": elapsed_text(elapsed_seconds(job)),
        "result_label": link[0] if link else "",
        "result_url": link[1] if link else "",
        "can_retry": job.created_by_id == user.pk
        and jobs.JOB_WORKFLOW.allows(job, "retry")
        and (job.state == JobState.FAILED or bool(spec and spec.rerun)),
        "poll_seconds": POLL_SECONDS,
        "waiting_long": job.state == JobState.QUEUED
        and (clock.now() - job.created_at).total_seconds() > LONG_WAIT_SECONDS,
    }


@login_required
@require_GET
def job_list_page(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    jobs_listing = listing.paginate(request, job_list(user=user, mine=True), default_size=PAGE_SIZE)
    rows = [job_view(job, user) for job in jobs_listing.page]
    return render(
        request,
        "core/job_list.html",
        {"page": jobs_listing.page, "listing": jobs_listing, "rows": rows},
    )


@login_required
@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    job = job_get(user=user, job_id=pk)
    context = job_view(job, user)
    context["actions"] = detail.only(
        (
            bool(context["result_url"]),
            detail.Action(context["result_label"], context["result_url"], "download"),
        ),
        (True, detail.Action("我的后台任务", reverse("core:job_list"), "list-task")),
    )
    return render(request, "core/job_detail.html", context)


@login_required
@require_GET
def job_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The status fragment the job page polls. When the job has just succeeded and its kind
    goes on to the result (an import's preview), htmx is told to go there."""
    user = acting_user(request)
    job = job_get(user=user, job_id=pk)
    context = job_view(job, user)
    response = render(request, "core/job_status.html", context)
    spec = jobs.find_kind(job.kind)
    if request.headers.get("HX-Request") and spec and spec.follow and context["result_url"]:
        response["HX-Redirect"] = context["result_url"]
    return response


@login_required
@require_POST
def job_retry_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    try:
        job_retry(actor=user, job_id=pk)
    except errors.InvalidTransition as exc:
        messages.error(request, exc.message)
    else:
        messages.info(request, "已重新提交，请稍候。")
    return redirect("core:job_detail", pk=pk)


@login_required
@require_GET
def job_download(request: HttpRequest, pk: int) -> FileResponse:
    """The file a job produced, served as every attachment is (``attachment_response``)."""
    user = acting_user(request)
    job = job_get(user=user, job_id=pk)
    if job.state != JobState.SUCCEEDED or job.result_type != "core.attachment":
        raise errors.NotFound("该后台任务没有可下载的文件。", code="job_no_file")
    return attachment_response(user=user, pk=int(job.result_id))


urlpatterns: list[URLPattern] = [
    path("jobs/", job_list_page, name="job_list"),
    path("jobs/<id:pk>/", job_detail, name="job_detail"),
    path("jobs/<id:pk>/status/", job_status, name="job_status"),
    path("jobs/<id:pk>/retry/", job_retry_page, name="job_retry"),
    path("jobs/<id:pk>/download/", job_download, name="job_download"),
]
