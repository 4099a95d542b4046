"""Pages: importing entities from a spreadsheet (upload, preview, confirm).

Reading and checking an upload and writing a confirmed batch run as background jobs
(``fazhi.registry.jobs``): the upload and the confirm button lead to the job's page, which
follows the job and goes on to the preview when the check is done."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fazhi.core import detail, errors, feedback, import_limits
from fazhi.core.access import acting_user
from fazhi.core.exports import csv_bytes
from fazhi.core.models import Organisation
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap
from fazhi.registry import exports
from fazhi.registry import jobs as registry_jobs
from fazhi.registry.events import ImportBatchEvent
from fazhi.registry.forms import (
    ImportForm,
)
from fazhi.registry.importing import template
from fazhi.registry.models import ImportState
from fazhi.registry.selectors import entities as entity_selectors
from fazhi.registry.selectors import imports as import_selectors
from fazhi.registry.services import imports as import_services
from fazhi.registry.views._common import (
    download,
    org_choices,
    show_failure,
)

ERRORS_PAGE_SIZE = 500


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    acting_user(request, Cap.REGISTRY_VIEW, action=ImportBatchEvent.VIEWED)
    return download(template.import_template(), exports.XLSX_TYPE, "检查对象导入模板.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.REGISTRY_MANAGE, action=ImportBatchEvent.STAGED)
    form = ImportForm(
        request.POST or None,
        request.FILES or None,
        organisations=org_choices(user),
        initial={"organisation": user.organisation_id},
    )
    if request.method == "POST" and form.is_valid():
        organisation: Organisation = entity_selectors.organisations_for_registry(user=user).get(
            pk=form.cleaned_data["organisation"]
        )
        upload = form.cleaned_data["file"]
        try:
            job = registry_jobs.import_stage_enqueue(
                actor=user,
                organisation=organisation,
                file_name=upload.name or "upload",
                content=import_limits.read_upload(upload),
            )
        except errors.ValidationFailed as exc:
            feedback.note_error(request, exc)
            form.add_error("file", exc.message)
        else:
            return redirect("core:job_detail", pk=job.pk)
    batches = import_selectors.import_batch_list(user=user)[:20]
    return render(request, "registry/import_upload.html", {"form": form, "batches": batches})


@login_required
@require_GET
def import_preview(request: HttpRequest, batch_id: int) -> HttpResponse:
    user = acting_user(request, Cap.REGISTRY_VIEW, action=ImportBatchEvent.VIEWED)
    batch = import_selectors.import_batch_get(user=user, batch_id=batch_id)
    page = Paginator(batch.errors, ERRORS_PAGE_SIZE).get_page(request.GET.get("page"))
    confirmed = batch.state == ImportState.CONFIRMED
    can_manage = has_cap(user, Cap.REGISTRY_MANAGE)
    previewed = batch.state == ImportState.PREVIEWED
    actions = detail.only(
        (
            previewed and batch.is_clean and can_manage,
            detail.Action("确认导入", "#import-confirm", "check2-circle"),
        ),
        (
            confirmed,
            detail.Action(
                "在名录库中查看",
                f"{reverse('registry:entity_list')}?organisation={batch.organisation_id}",
                "building",
            ),
        ),
        (
            bool(batch.error_count),
            detail.Action(
                "下载错误清单", reverse("registry:import_errors", args=[batch.pk]), "download"
            ),
        ),
        (can_manage, detail.Action("返回导入", reverse("registry:import_upload"), "upload")),
    )
    return render(
        request,
        "registry/import_preview.html",
        {
            "batch": batch,
            "page": page,
            "can_manage": can_manage,
            "actions": actions,
            "preview": import_selectors.import_batch_preview(user=user, batch=batch)
            if batch.state == ImportState.PREVIEWED and batch.is_clean
            else None,
            "imported": import_selectors.import_batch_entities(user=user, batch=batch)
            if confirmed
            else [],
        },
    )


@login_required
@require_GET
def import_errors_download(request: HttpRequest, batch_id: int) -> HttpResponse:
    user = acting_user(request, Cap.REGISTRY_VIEW, action=ImportBatchEvent.VIEWED)
    batch = import_selectors.import_batch_get(user=user, batch_id=batch_id)
    content, _ = csv_bytes(
        ["行号", "列", "错误代码", "原因"],
        ([e["row"], e["column"], e["code"], e["message"]] for e in batch.errors),
    )
    return download(content, exports.CSV_TYPE, "导入错误.csv")


@login_required
@require_POST
def import_confirm(request: HttpRequest, batch_id: int) -> HttpResponse:
    """Confirming writes the batch in a background job; the job page follows it."""
    user = acting_user(request)
    job = registry_jobs.import_confirm_enqueue(
        actor=user,
        batch_id=batch_id,
    )
    return redirect("core:job_detail", pk=job.pk)


@login_required
@require_POST
def import_discard(request: HttpRequest, batch_id: int) -> HttpResponse:
    user = acting_user(request)
    try:
        import_services.import_batch_discard(
            actor=user,
            batch_id=batch_id,
        )
    except errors.Conflict as exc:
        show_failure(request, exc)
        return redirect("registry:import_preview", batch_id=batch_id)
    messages.info(request, "已放弃该批次。")
    return redirect("registry:import_upload")


urlpatterns = [
    path("import/", import_upload, name="import_upload"),
    path("import/template/", import_template, name="import_template"),
    path("import/<id:batch_id>/", import_preview, name="import_preview"),
    path("import/<id:batch_id>/errors.csv", import_errors_download, name="import_errors"),
    path("import/<id:batch_id>/confirm/", import_confirm, name="import_confirm"),
    path("import/<id:batch_id>/discard/", import_discard, name="import_discard"),
]
