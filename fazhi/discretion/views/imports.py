"""Pages: importing a benchmark from a spreadsheet (a background job) and its result."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods

from fazhi.core import detail, errors, import_limits
from fazhi.core.access import acting_user
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap
from fazhi.core.widgets import bootstrap
from fazhi.discretion import jobs as discretion_jobs
from fazhi.discretion.events import BenchmarkEvent
from fazhi.discretion.forms import ImportForm
from fazhi.discretion.importing import template
from fazhi.discretion.selectors import imports as import_selectors
from fazhi.discretion.services.benchmarks import BenchmarkMeta

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    acting_user(request, Cap.DISCRETION_VIEW, action=BenchmarkEvent.VIEWED)
    response = HttpResponse(template.import_template(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote('裁量基准导入模板.xlsx')}"
    )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.DISCRETION_MANAGE, action=BenchmarkEvent.IMPORTED)
    organisations = import_selectors.organisations_for_benchmarks(user=user)
    form = ImportForm(
        request.POST or None,
        request.FILES or None,
        organisations=[(o.pk, o.name) for o in organisations],
        initial={"organisation": user.organisation_id},
    )
    bootstrap(form)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        try:
            job = discretion_jobs.benchmark_import_enqueue(
                actor=user,
                organisation=organisations.get(pk=data["organisation"]),
                meta=BenchmarkMeta(
                    title=data["title"],
                    issuing_body=data["issuing_body"],
                    effective_from=data["effective_from"],
                    effective_to=data["effective_to"],
                    document_number=data["document_number"],
                    sources=data["sources"],
                ),
                file_name=upload.name or "upload.xlsx",
                content=import_limits.read_upload(upload),
            )
        except errors.ValidationFailed as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("core:job_detail", pk=job.pk)
    recent = import_selectors.benchmark_import_list(user=user)[:20]
    status = 400 if request.method == "POST" else 200
    return render(
        request, "discretion/import_upload.html", {"form": form, "recent": recent}, status=status
    )


@login_required
@require_GET
def import_detail(request: HttpRequest, import_id: int) -> HttpResponse:
    user = acting_user(request, Cap.DISCRETION_VIEW, action=BenchmarkEvent.VIEWED)
    record = import_selectors.benchmark_import_get(user=user, import_id=import_id)
    actions = detail.only(
        (
            record.benchmark_id is not None,
            detail.Action(
                "查看裁量基准",
                reverse("discretion:benchmark_detail", args=[record.benchmark_id])
                if record.benchmark_id
                else "",
                "journal-text",
            ),
        ),
        (
            has_cap(user, Cap.DISCRETION_MANAGE),
            detail.Action("重新上传", reverse("discretion:import_upload"), "upload"),
        ),
    )
    return render(request, "discretion/import_detail.html", {"record": record, "actions": actions})


urlpatterns = [
    path("import/", import_upload, name="import_upload"),
    path("import/template/", import_template, name="import_template"),
    path("imports/<id:import_id>/", import_detail, name="import_detail"),
]
