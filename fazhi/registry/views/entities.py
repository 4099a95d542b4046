"""Pages of the entity directory: list, export, detail, create, edit, status."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fazhi.core import detail, errors, feedback, listing
from fazhi.core.access import acting_user
from fazhi.core.audit import record_denial
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap
from fazhi.registry import jobs as registry_jobs
from fazhi.registry.events import EntityEvent
from fazhi.registry.forms import (
    EntityForm,
    LicenceForm,
    ReasonForm,
    RiskGradeForm,
)
from fazhi.registry.models import EntityKind, EntityStatus, RiskGrade
from fazhi.registry.selectors import entities as entity_selectors
from fazhi.registry.services import entities as entity_services
from fazhi.registry.views._common import (
    back_to_entity,
    org_choices,
    require_visible,
    show_failure,
)

PAGE_SIZE = 50


HISTORY_TEMPLATE = "inspections/_entity_history.html"


def _category_choices() -> list[tuple[str, str]]:
    return [(c.code, c.name) for c in entity_selectors.category_list()]


def _history_template() -> str | None:
    try:
        get_template(HISTORY_TEMPLATE)
    except TemplateDoesNotExist:
        return None
    return HISTORY_TEMPLATE


@login_required
@require_GET
def entity_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.REGISTRY_VIEW, action=EntityEvent.LISTED)
    filters = entity_selectors.EntityFilters.from_params(request.GET)
    qs = entity_selectors.entity_list(user=user, filters=filters).order_by("name", "id")
    rows = listing.paginate(request, qs, default_size=PAGE_SIZE)
    active = {True: "", False: "0", None: "all"}[filters.active]
    bar = [
        listing.Filter("q", "名称或代码", filters.q, placeholder="名称、统一社会信用代码"),
        listing.Filter("kind", "类型", filters.kind, choices=EntityKind.choices),
        listing.Filter("category", "专业类别", filters.category, choices=_category_choices()),
        listing.Filter("status", "经营状态", filters.status, choices=EntityStatus.choices),
        listing.Filter("risk_grade", "风险等级", filters.risk_grade, choices=RiskGrade.choices),
        listing.Filter("division", "行政区划代码", filters.division, placeholder="如 350102"),
        listing.Filter(
            "active",
            "在册状态",
            active,
            choices=[("0", "已停用"), ("all", "全部")],
            all_label="在册",
        ),
    ]
    return render(
        request,
        "registry/entity_list.html",
        {
            "listing": rows,
            "page": rows.page,
            "filters": bar,
            "can_manage": has_cap(user, Cap.REGISTRY_MANAGE),
        },
    )


@login_required
@require_POST
def entity_export(request: HttpRequest) -> HttpResponse:
    """Start an export of the filtered list (the list's query string) as a background job; the
    job page offers the file when it is written."""
    user = acting_user(request)
    filters = entity_selectors.EntityFilters.from_params(request.GET)
    fmt = "csv" if request.POST.get("format") == "csv" else "xlsx"
    job = registry_jobs.entity_export_enqueue(
        actor=user,
        filters=filters,
        fmt=fmt,
    )
    return redirect("core:job_detail", pk=job.pk)


@login_required
@require_GET
def entity_search(request: HttpRequest) -> JsonResponse:
    """The entity picker's search (``fazhi.core.widgets.RemotePicker``): JSON
    ``{"results": [{"value", "text", "code", "organisation"}]}``, at most
    ``SEARCH_LIMIT`` rows in the user's scope. Refusals are the API's error envelope."""
    try:
        user = acting_user(request, Cap.REGISTRY_VIEW, action=EntityEvent.LISTED)
        found = entity_selectors.entity_search(user=user, q=request.GET.get("q", ""))
    except errors.FazhiError as exc:
        if isinstance(exc, errors.PermissionDenied):
            record_denial(
                actor=request.user,
                action=f"{request.method} {request.path}",
                reason=exc.code,
                **exc.details,
            )
        return JsonResponse({"error": exc.as_dict()}, status=exc.http_status)
    return JsonResponse(
        {
            "results": [
                {
                    "value": e.pk,
                    "text": e.name,
                    "code": e.code,
                    "organisation": e.organisation.name,
                }
                for e in found
            ]
        }
    )


@login_required
@require_GET
def entity_detail(request: HttpRequest, entity_id: int) -> HttpResponse:
    user = acting_user(request, Cap.REGISTRY_VIEW, action=EntityEvent.VIEWED)
    entity = entity_selectors.entity_get(user=user, entity_id=entity_id)
    history = entity_selectors.entity_history(user=user, entity_id=entity_id)[:50]
    can_manage = has_cap(user, Cap.REGISTRY_MANAGE)
    actions = detail.only(
        (
            can_manage,
            detail.Action("编辑", reverse("registry:entity_edit", args=[entity.pk]), "pencil"),
        ),
        (
            has_cap(user, Cap.CASE_DECIDE) and entity.is_active,
            detail.Action(
                "立案", f"{reverse('enforcement:case_new')}?entity={entity.pk}", "folder-plus"
            ),
        ),
        (can_manage, detail.Action("调整风险等级", "#step-risk", "speedometer2")),
        (can_manage, detail.Action("添加许可证", "#step-licence", "card-checklist")),
        (
            can_manage,
            detail.Action("停用" if entity.is_active else "恢复在册", "#step-status", "power"),
        ),
    )
    return render(
        request,
        "registry/entity_detail.html",
        {
            "entity": entity,
            "history": history,
            "history_template": _history_template(),
            "can_manage": can_manage,
            "can_audit": has_cap(user, Cap.AUDIT_VIEW),
            "can_see_points": has_cap(user, Cap.CREDIT_VIEW),
            "actions": actions,
            "reason_form": ReasonForm(),
            "risk_form": RiskGradeForm(initial={"grade": entity.risk_grade}),
            "licence_form": LicenceForm(),
            "blockers": entity_services.entity_history_blockers(entity),
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
    user = acting_user(request, Cap.REGISTRY_MANAGE, action=EntityEvent.CREATED)
    form = EntityForm(
        request.POST or None,
        organisations=org_choices(user),
        categories=_category_choices(),
        initial={"organisation": user.organisation_id},
    )
    if request.method == "POST" and form.is_valid():
        organisation = entity_selectors.organisations_for_registry(user=user).get(
            pk=form.cleaned_data["organisation"]
        )
        try:
            entity = entity_services.entity_create(
                actor=user,
                organisation=organisation,
                risk_grade=form.cleaned_data["risk_grade"],
                **_entity_kwargs(form.cleaned_data),
            )
        except errors.ValidationFailed as exc:
            feedback.note_error(request, exc)
            form.add_error(None, exc.message)
        else:
            messages.success(request, "检查对象已登记。")
            return redirect("registry:entity_detail", entity_id=entity.pk)
    return render(request, "registry/entity_form.html", {"form": form, "entity": None})


@login_required
@require_http_methods(["GET", "POST"])
def entity_edit(request: HttpRequest, entity_id: int) -> HttpResponse:
    user = acting_user(request, Cap.REGISTRY_MANAGE, action=EntityEvent.UPDATED)
    entity = entity_selectors.entity_get(user=user, entity_id=entity_id)
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
            entity_services.entity_update(
                actor=user,
                entity_id=entity.pk,
                **_entity_kwargs(form.cleaned_data),
            )
        except errors.ValidationFailed as exc:
            feedback.note_error(request, exc)
            form.add_error(None, exc.message)
        else:
            messages.success(request, "已保存。")
            return redirect("registry:entity_detail", entity_id=entity.pk)
    return render(request, "registry/entity_form.html", {"form": form, "entity": entity})


@login_required
@require_POST
def entity_deactivate(request: HttpRequest, entity_id: int) -> HttpResponse:
    user = acting_user(request)
    require_visible(user, entity_id)
    form = ReasonForm(request.POST)
    try:
        entity_services.entity_deactivate(
            actor=user,
            entity_id=entity_id,
            reason=form.data.get("reason", ""),
        )
    except (errors.ValidationFailed, errors.Conflict) as exc:
        show_failure(request, exc)
    else:
        messages.success(request, "已停用。")
    return back_to_entity(request, entity_id)


@login_required
@require_POST
def entity_reactivate(request: HttpRequest, entity_id: int) -> HttpResponse:
    user = acting_user(request)
    require_visible(user, entity_id)
    try:
        entity_services.entity_reactivate(
            actor=user,
            entity_id=entity_id,
            reason=request.POST.get("reason", ""),
        )
    except (errors.ValidationFailed, errors.Conflict) as exc:
        show_failure(request, exc)
    else:
        messages.success(request, "已恢复在册。")
    return back_to_entity(request, entity_id)


@login_required
@require_POST
def entity_delete(request: HttpRequest, entity_id: int) -> HttpResponse:
    user = acting_user(request)
    require_visible(user, entity_id)
    try:
        entity_services.entity_delete(
            actor=user,
            entity_id=entity_id,
            reason=request.POST.get("reason", ""),
        )
    except (errors.ValidationFailed, errors.Conflict) as exc:
        show_failure(request, exc)
        return back_to_entity(request, entity_id)
    messages.success(request, "检查对象已删除，删除记录已写入审计链。")
    return redirect("registry:entity_list")


@login_required
@require_POST
def risk_grade_set(request: HttpRequest, entity_id: int) -> HttpResponse:
    user = acting_user(request)
    require_visible(user, entity_id)
    try:
        entity_services.risk_grade_set(
            actor=user,
            entity_id=entity_id,
            grade=request.POST.get("grade", ""),
            reason=request.POST.get("reason", ""),
        )
    except errors.ValidationFailed as exc:
        show_failure(request, exc)
    else:
        messages.success(request, "风险等级已更新。")
    return back_to_entity(request, entity_id)


urlpatterns = [
    path("", entity_list, name="entity_list"),
    path("export/", entity_export, name="entity_export"),
    path("new/", entity_create, name="entity_create"),
    path("search/", entity_search, name="entity_search"),
    path("<id:entity_id>/", entity_detail, name="entity_detail"),
    path("<id:entity_id>/edit/", entity_edit, name="entity_edit"),
    path("<id:entity_id>/deactivate/", entity_deactivate, name="entity_deactivate"),
    path("<id:entity_id>/reactivate/", entity_reactivate, name="entity_reactivate"),
    path("<id:entity_id>/delete/", entity_delete, name="entity_delete"),
    path("<id:entity_id>/risk-grade/", risk_grade_set, name="risk_grade_set"),
]
