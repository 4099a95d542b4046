"""Pages of the entity directory. Thin: parse, call a service or selector, render."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fazhi.core import errors, import_limits
from fazhi.core.exports import csv_bytes
from fazhi.core.models import Organisation
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap, require_cap
from fazhi.registry import exports, importing, selectors, services
from fazhi.registry.forms import (
    EntityForm,
    ImportForm,
    LicenceForm,
    PointsForm,
    ReasonForm,
    RiskGradeForm,
)
from fazhi.registry.models import EntityKind, EntityStatus, RiskGrade

PAGE_SIZE = 50
ERRORS_PAGE_SIZE = 500
HISTORY_TEMPLATE = "inspections/_entity_history.html"


def _download(content: bytes, content_type: str, file_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(file_name)}"
    return response


def _org_choices(request: HttpRequest) -> list[tuple[int, str]]:
    return [
        (org.pk, org.name)
        for org in selectors.organisations_for_registry(user=request.user).order_by("path")
    ]


def _category_choices() -> list[tuple[str, str]]:
    return [(c.code, c.name) for c in selectors.category_list()]


def _history_template() -> str | None:
    try:
        get_template(HISTORY_TEMPLATE)
    except TemplateDoesNotExist:
        return None
    return HISTORY_TEMPLATE


@login_required
@require_GET
def entity_list(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, Cap.REGISTRY_VIEW)  # type: ignore[arg-type]
    filters = selectors.EntityFilters.from_params(request.GET)
    qs = selectors.entity_list(user=request.user, filters=filters).order_by("name", "id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registry/entity_list.html",
        {
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "kinds": EntityKind.choices,
            "statuses": EntityStatus.choices,
            "grades": RiskGrade.choices,
            "categories": _category_choices(),
            "can_manage": has_cap(request.user, Cap.REGISTRY_MANAGE),
        },
    )


@login_required
@require_GET
def entity_export(request: HttpRequest) -> HttpResponse:
    filters = selectors.EntityFilters.from_params(request.GET)
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    content, content_type, name = exports.entity_export(
        user=request.user,  # type: ignore[arg-type]
        filters=filters,
        fmt=fmt,
    )
    return _download(content, content_type, name)


@login_required
@require_GET
def entity_detail(request: HttpRequest, entity_id: int) -> HttpResponse:
    require_cap(request.user, Cap.REGISTRY_VIEW)  # type: ignore[arg-type]
    entity = selectors.entity_get(user=request.user, entity_id=entity_id)
    history = selectors.entity_history(user=request.user, entity_id=entity_id)[:50]
    return render(
        request,
        "registry/entity_detail.html",
        {
            "entity": entity,
            "history": history,
            "total_points": sum(p.points for p in entity.practice_points.all()),
            "history_template": _history_template(),
            "can_manage": has_cap(request.user, Cap.REGISTRY_MANAGE),
            "reason_form": ReasonForm(),
            "risk_form": RiskGradeForm(initial={"grade": entity.risk_grade}),
            "licence_form": LicenceForm(),
            "points_form": PointsForm(),
            "blockers": services.entity_history_blockers(entity),
        },
    )


def _entity_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": data["name"],
        "kind": data["kind"],
        "division_code": data["division_code"],
        "uscc": data["uscc"],
        "id_number": data["id_number"],
        "is_individual": data["is_individual"],
        "categories": data["categories"],
        "address": data["address"],
        "legal_representative": data["legal_representative"],
        "status": data["status"],
    }


@login_required
@require_http_methods(["GET", "POST"])
def entity_create(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, Cap.REGISTRY_MANAGE)  # type: ignore[arg-type]
    form = EntityForm(
        request.POST or None,
        organisations=_org_choices(request),
        categories=_category_choices(),
        initial={"organisation": request.user.organisation_id},  # type: ignore[union-attr]
    )
    if request.method == "POST" and form.is_valid():
        organisation = selectors.organisations_for_registry(user=request.user).get(
            pk=form.cleaned_data["organisation"]
        )
        try:
            entity = services.entity_create(
                actor=request.user,  # type: ignore[arg-type]
                organisation=organisation,
                risk_grade=form.cleaned_data["risk_grade"],
                **_entity_kwargs(form.cleaned_data),
            )
        except errors.ValidationFailed as exc:
            form.add_error(None, f"{exc.message}（{exc.code}）")
        else:
            messages.success(request, "检查对象已登记。")
            return redirect("registry:entity_detail", entity_id=entity.pk)
    return render(request, "registry/entity_form.html", {"form": form, "entity": None})


@login_required
@require_http_methods(["GET", "POST"])
def entity_edit(request: HttpRequest, entity_id: int) -> HttpResponse:
    require_cap(request.user, Cap.REGISTRY_MANAGE)  # type: ignore[arg-type]
    entity = selectors.entity_get(user=request.user, entity_id=entity_id)
    initial = {
        "name": entity.name,
        "is_individual": entity.is_individual,
        "uscc": entity.uscc,
        "id_number": entity.id_number,
        "kind": entity.kind,
        "categories": [c.code for c in entity.categories.all()],
        "division_code": entity.division_code,
        "address": entity.address,
        "legal_representative": entity.legal_representative,
        "status": entity.status,
    }
    form = EntityForm(
        request.POST or None,
        organisations=[],
        categories=_category_choices(),
        editing=True,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.entity_update(
                actor=request.user,  # type: ignore[arg-type]
                entity_id=entity.pk,
                **_entity_kwargs(form.cleaned_data),
            )
        except errors.ValidationFailed as exc:
            form.add_error(None, f"{exc.message}（{exc.code}）")
        else:
            messages.success(request, "已保存。")
            return redirect("registry:entity_detail", entity_id=entity.pk)
    return render(request, "registry/entity_form.html", {"form": form, "entity": entity})


def _back(request: HttpRequest, entity_id: int) -> HttpResponse:
    return redirect("registry:entity_detail", entity_id=entity_id)


def _fail(request: HttpRequest, exc: errors.FazhiError) -> None:
    messages.error(request, f"{exc.message}（{exc.code}）")


def _require_visible(request: HttpRequest, entity_id: int) -> None:
    """Another organisation's entity is a 404, recorded, before any of the input is looked at."""
    selectors.entity_get(user=request.user, entity_id=entity_id)


@login_required
@require_POST
def entity_deactivate(request: HttpRequest, entity_id: int) -> HttpResponse:
    _require_visible(request, entity_id)
    form = ReasonForm(request.POST)
    try:
        services.entity_deactivate(
            actor=request.user,  # type: ignore[arg-type]
            entity_id=entity_id,
            reason=form.data.get("reason", ""),
        )
    except (errors.ValidationFailed, errors.Conflict) as exc:
        _fail(request, exc)
    else:
        messages.success(request, "已停用。")
    return _back(request, entity_id)


@login_required
@require_POST
def entity_reactivate(request: HttpRequest, entity_id: int) -> HttpResponse:
    _require_visible(request, entity_id)
    try:
        services.entity_reactivate(
            actor=request.user,  # type: ignore[arg-type]
            entity_id=entity_id,
            reason=request.POST.get("reason", ""),
        )
    except (errors.ValidationFailed, errors.Conflict) as exc:
        _fail(request, exc)
    else:
        messages.success(request, "已恢复在册。")
    return _back(request, entity_id)


@login_required
@require_POST
def entity_delete(request: HttpRequest, entity_id: int) -> HttpResponse:
    _require_visible(request, entity_id)
    try:
        services.entity_delete(
            actor=request.user,  # type: ignore[arg-type]
            entity_id=entity_id,
            reason=request.POST.get("reason", ""),
        )
    except (errors.ValidationFailed, errors.Conflict) as exc:
        _fail(request, exc)
        return _back(request, entity_id)
    messages.success(request, "检查对象已删除，删除记录已写入审计链。")
    return redirect("registry:entity_list")


@login_required
@require_POST
def risk_grade_set(request: HttpRequest, entity_id: int) -> HttpResponse:
    _require_visible(request, entity_id)
    try:
        services.risk_grade_set(
            actor=request.user,  # type: ignore[arg-type]
            entity_id=entity_id,
            grade=request.POST.get("grade", ""),
            reason=request.POST.get("reason", ""),
        )
    except errors.ValidationFailed as exc:
        _fail(request, exc)
    else:
        messages.success(request, "风险等级已更新。")
    return _back(request, entity_id)


@login_required
@require_POST
def licence_add(request: HttpRequest, entity_id: int) -> HttpResponse:
    _require_visible(request, entity_id)
    form = LicenceForm(request.POST)
    if not form.is_valid():
        messages.error(request, "许可证信息不完整或日期格式错误。")
        return _back(request, entity_id)
    try:
        services.licence_add(
            actor=request.user,  # type: ignore[arg-type]
            entity_id=entity_id,
            **form.cleaned_data,
        )
    except errors.ValidationFailed as exc:
        _fail(request, exc)
    else:
        messages.success(request, "许可证已添加。")
    return _back(request, entity_id)


@login_required
@require_http_methods(["GET", "POST"])
def licence_edit(request: HttpRequest, licence_id: int) -> HttpResponse:
    require_cap(request.user, Cap.REGISTRY_MANAGE)  # type: ignore[arg-type]
    licence = selectors.licence_get(user=request.user, licence_id=licence_id)
    form = LicenceForm(
        request.POST or None,
        initial={
            "kind": licence.kind,
            "number": licence.number,
            "scope": licence.scope,
            "valid_from": licence.valid_from,
            "valid_to": licence.valid_to,
        },
    )
    form.fields["kind"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.licence_update(
                actor=request.user,  # type: ignore[arg-type]
                licence_id=licence.pk,
                number=data["number"],
                scope=data["scope"],
                valid_from=data["valid_from"],
                valid_to=data["valid_to"],
                clear_valid_to=data["valid_to"] is None,
            )
        except errors.ValidationFailed as exc:
            form.add_error(None, f"{exc.message}（{exc.code}）")
        else:
            messages.success(request, "许可证已更新。")
            return _back(request, licence.entity_id)
    return render(request, "registry/licence_form.html", {"form": form, "licence": licence})


@login_required
@require_POST
def points_record(request: HttpRequest, entity_id: int) -> HttpResponse:
    _require_visible(request, entity_id)
    form = PointsForm(request.POST)
    if not form.is_valid():
        messages.error(request, "记分须为1至100的整数，并填写日期和事由。")
        return _back(request, entity_id)
    try:
        services.practice_points_record(
            actor=request.user,  # type: ignore[arg-type]
            entity_id=entity_id,
            **form.cleaned_data,
        )
    except errors.ValidationFailed as exc:
        _fail(request, exc)
    else:
        messages.success(request, "记分已记录。")
    return _back(request, entity_id)


# --- import ---------------------------------------------------------------------------------------


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, Cap.REGISTRY_VIEW)  # type: ignore[arg-type]
    return _download(exports.import_template(), exports.XLSX_TYPE, "检查对象导入模板.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, Cap.REGISTRY_MANAGE)  # type: ignore[arg-type]
    form = ImportForm(
        request.POST or None,
        request.FILES or None,
        organisations=_org_choices(request),
        initial={"organisation": request.user.organisation_id},  # type: ignore[union-attr]
    )
    if request.method == "POST" and form.is_valid():
        organisation: Organisation = selectors.organisations_for_registry(user=request.user).get(
            pk=form.cleaned_data["organisation"]
        )
        upload = form.cleaned_data["file"]
        try:
            batch = importing.import_batch_stage(
                actor=request.user,  # type: ignore[arg-type]
                organisation=organisation,
                file_name=upload.name or "upload",
                content=import_limits.read_upload(upload),
            )
        except errors.ValidationFailed as exc:
            form.add_error("file", f"{exc.message}（{exc.code}）")
        else:
            return redirect("registry:import_preview", batch_id=batch.pk)
    batches = selectors.import_batch_list(user=request.user)[:20]
    return render(request, "registry/import_upload.html", {"form": form, "batches": batches})


@login_required
@require_GET
def import_preview(request: HttpRequest, batch_id: int) -> HttpResponse:
    require_cap(request.user, Cap.REGISTRY_VIEW)  # type: ignore[arg-type]
    batch = selectors.import_batch_get(user=request.user, batch_id=batch_id)
    page = Paginator(batch.errors, ERRORS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/import_preview.html",
        {
            "batch": batch,
            "page": page,
            "can_manage": has_cap(request.user, Cap.REGISTRY_MANAGE),
        },
    )


@login_required
@require_GET
def import_errors_download(request: HttpRequest, batch_id: int) -> HttpResponse:
    require_cap(request.user, Cap.REGISTRY_VIEW)  # type: ignore[arg-type]
    batch = selectors.import_batch_get(user=request.user, batch_id=batch_id)
    content, _ = csv_bytes(
        ["行号", "列", "错误代码", "原因"],
        ([e["row"], e["column"], e["code"], e["message"]] for e in batch.errors),
    )
    return _download(content, exports.CSV_TYPE, "导入错误.csv")


@login_required
@require_POST
def import_confirm(request: HttpRequest, batch_id: int) -> HttpResponse:
    try:
        batch = importing.import_batch_confirm(
            actor=request.user,  # type: ignore[arg-type]
            batch_id=batch_id,
        )
    except errors.Conflict as exc:
        _fail(request, exc)
        return redirect("registry:import_preview", batch_id=batch_id)
    messages.success(request, f"已导入{batch.row_count}个检查对象。")
    return redirect(reverse("registry:entity_list") + f"?q=&organisation={batch.organisation_id}")


@login_required
@require_POST
def import_discard(request: HttpRequest, batch_id: int) -> HttpResponse:
    try:
        importing.import_batch_discard(
            actor=request.user,  # type: ignore[arg-type]
            batch_id=batch_id,
        )
    except errors.Conflict as exc:
        _fail(request, exc)
        return redirect("registry:import_preview", batch_id=batch_id)
    messages.info(request, "已放弃该批次。")
    return redirect("registry:import_upload")


urlpatterns = [
    path("", entity_list, name="entity_list"),
    path("export/", entity_export, name="entity_export"),
    path("new/", entity_create, name="entity_create"),
    path("<id:entity_id>/", entity_detail, name="entity_detail"),
    path("<id:entity_id>/edit/", entity_edit, name="entity_edit"),
    path("<id:entity_id>/deactivate/", entity_deactivate, name="entity_deactivate"),
    path("<id:entity_id>/reactivate/", entity_reactivate, name="entity_reactivate"),
    path("<id:entity_id>/delete/", entity_delete, name="entity_delete"),
    path("<id:entity_id>/risk-grade/", risk_grade_set, name="risk_grade_set"),
    path("<id:entity_id>/licences/", licence_add, name="licence_add"),
    path("<id:entity_id>/points/", points_record, name="points_record"),
    path("licences/<id:licence_id>/edit/", licence_edit, name="licence_edit"),
    path("import/", import_upload, name="import_upload"),
    path("import/template/", import_template, name="import_template"),
    path("import/<id:batch_id>/", import_preview, name="import_preview"),
    path("import/<id:batch_id>/errors.csv", import_errors_download, name="import_errors"),
    path("import/<id:batch_id>/confirm/", import_confirm, name="import_confirm"),
    path("import/<id:batch_id>/discard/", import_discard, name="import_discard"),
]
