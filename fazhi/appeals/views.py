"""Pages: appeals (行政复议和行政应诉): the list with its export, the figures of a year with
theirs, registration, the detail with its next steps, each step as a form post, and a document
upload."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fazhi.appeals import selectors, services
from fazhi.appeals.events import AppealEvent
from fazhi.appeals.models import (
    OUTCOMES,
    AppealKind,
    AppealState,
    Outcome,
    Procedure,
    outcome_label,
)
from fazhi.appeals.steps import ACTIONS, home_organisation, run_step
from fazhi.appeals.workflows import APPEAL
from fazhi.core import clock, errors, feedback, listing, params
from fazhi.core.access import acting_user
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap, visible_organisations
from fazhi.enforcement.models import CaseState
from fazhi.enforcement.selectors.cases import penalty_case_get, penalty_case_list

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REFUSALS = (errors.ValidationFailed, errors.Conflict, errors.CalendarUnknown)
PICKABLE_CASES = 200


def _filters(request: HttpRequest) -> dict[str, str | int | None]:
    q = (request.GET.get("q") or "").strip()[:50] or None
    return {
        "kind": params.choice(request.GET, "kind", AppealKind.values),
        "state": params.choice(request.GET, "state", AppealState.values),
        "outcome": params.choice(request.GET, "outcome", Outcome.values),
        "year": params.year(request.GET, "year"),
        "q": q,
        "due": params.choice(request.GET, "due", list(selectors.DUE)),
    }


@login_required
@require_GET
def appeal_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.APPEAL_VIEW, action=AppealEvent.LISTED)
    f = _filters(request)
    appeals = selectors.appeal_list(user=user, **f)  # type: ignore[arg-type]
    page = listing.paginate(request, appeals)
    return render(
        request,
        "appeals/appeal_list.html",
        {
            "page": page.page,
            "listing": page,
            "filters": [
                listing.Filter("kind", "类型", f["kind"] or "", choices=AppealKind.choices),
                listing.Filter("state", "状态", f["state"] or "", choices=AppealState.choices),
                listing.Filter("outcome", "结果", f["outcome"] or "", choices=Outcome.choices),
                listing.Filter(
                    "due", "答复期限", f["due"] or "", choices=list(selectors.DUE.items())
                ),
                listing.Filter("year", "收到年份", f["year"] or "", placeholder="如 2026"),
                listing.Filter("q", "关键词", f["q"] or "", placeholder="申请人、行为或案号"),
            ],
            "query": request.GET.urlencode(),
            "can_register": has_cap(user, Cap.APPEAL_HANDLE),
            "year": clock.today().year,
        },
    )


@login_required
@require_GET
def appeal_export(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.APPEAL_VIEW, action=AppealEvent.LISTED)
    appeals = selectors.appeal_list(user=user, **_filters(request))  # type: ignore[arg-type]
    response = HttpResponse(
        selectors.appeal_rows_xlsx(user=user, appeals=appeals), content_type=XLSX
    )
    response["Content-Disposition"] = "attachment; filename*=UTF-8''appeals.xlsx"
    return response


@login_required
@require_GET
def appeal_figures(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.APPEAL_VIEW, action=AppealEvent.LISTED)
    year = params.year(request.GET, default=clock.today().year) or clock.today().year
    return render(
        request,
        "appeals/appeal_figures.html",
        {
            "figures": selectors.appeal_figures(user=user, year=year),
            "year": year,
            "filters": [listing.Filter("year", "年份", year, placeholder="如 2026")],
            "columns": [label for _, label in selectors.COLUMNS],
            "definitions": selectors.DEFINITIONS,
        },
    )


@login_required
@require_GET
def appeal_figures_export(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.APPEAL_VIEW, action=AppealEvent.LISTED)
    year = params.year(request.GET, default=clock.today().year) or clock.today().year
    response = HttpResponse(selectors.appeal_figures_xlsx(user=user, year=year), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''appeal-figures-{year}.xlsx"
    return response


def _pickable_cases(user: object) -> list[object]:
    if not has_cap(user, Cap.CASE_VIEW):
        return []
    return list(
        penalty_case_list(user=user)
        .filter(decided_on__isnull=False)
        .exclude(state__in=(CaseState.WITHDRAWN, CaseState.TRANSFERRED))
        .select_related("entity")[:PICKABLE_CASES]
    )


@login_required
@require_http_methods(["GET", "POST"])
def appeal_new(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.APPEAL_HANDLE, action=AppealEvent.RECEIVED)
    data = request.POST
    if request.method == "POST":
        try:
            case_id = params.object_id(data, "penalty_case")
            request_id = params.object_id(data, "disclosure_request")
            earlier_id = params.object_id(data, "reconsideration")
            appeal = services.appeal_register(
                actor=user,
                organisation=home_organisation(user),
                kind=data.get("kind", ""),
                procedure=data.get("procedure") or Procedure.ORDINARY,
                applicant=data.get("applicant", ""),
                reviewing_body=data.get("reviewing_body", ""),
                reference=data.get("reference", ""),
                act=data.get("act", ""),
                lodged_on=params.date(data, "lodged_on"),
                received_on=params.date(data, "received_on"),
                penalty_case=penalty_case_get(user=user, case_id=case_id) if case_id else None,
                disclosure_request=selectors.disclosure_request_get(user=user, matter_id=request_id)
                if request_id
                else None,
                reconsideration=selectors.appeal_get(user=user, appeal_id=earlier_id)
                if earlier_id
                else None,
            )
        except REFUSALS as exc:
            feedback.error_message(request, exc)
        else:
            messages.success(request, f"已登记{appeal.get_kind_display()}：{appeal.applicant}。")
            return redirect("appeals:appeal_detail", appeal_id=appeal.pk)
    return render(
        request,
        "appeals/appeal_new.html",
        {
            "kinds": AppealKind.choices,
            "procedures": Procedure.choices,
            "cases": _pickable_cases(user),
            "requests": selectors.disclosure_requests_pickable(user=user),
            "reconsiderations": selectors.reconsiderations_pickable(user=user),
            "data": data,
        },
    )


@login_required
@require_GET
def appeal_detail(request: HttpRequest, appeal_id: int) -> HttpResponse:
    user = acting_user(request, Cap.APPEAL_VIEW, action=AppealEvent.VIEWED)
    appeal = selectors.appeal_get(user=user, appeal_id=appeal_id)
    can_handle = has_cap(user, Cap.APPEAL_HANDLE)
    actions = [a for a in APPEAL.available(appeal) if can_handle]
    if not appeal.adverse:
        actions = [a for a in actions if a.name != "follow_up"]
    return render(
        request,
        "appeals/appeal_detail.html",
        {
            "appeal": appeal,
            "actions": actions,
            "hearings": selectors.appeal_hearings(appeal=appeal),
            "outcomes": [
                (str(o.value), outcome_label(appeal.kind, o)) for o in OUTCOMES[appeal.kind]
            ],
            "can_handle": can_handle,
            "show_request": appeal.disclosure_request is not None
            and has_cap(user, Cap.MATTER_VIEW),
            "show_case": appeal.penalty_case is not None
            and has_cap(user, Cap.CASE_VIEW)
            and visible_organisations(user).filter(pk=appeal.penalty_case.organisation_id).exists(),
        },
    )


@login_required
@require_POST
def appeal_step(request: HttpRequest, appeal_id: int, action: str) -> HttpResponse:
    user = acting_user(request, Cap.APPEAL_HANDLE)
    appeal = selectors.appeal_get(user=user, appeal_id=appeal_id)
    extra = {}
    upload = request.FILES.get("file")
    if action == "answer" and upload is not None:
        extra = {"file": upload, "filename": upload.name or "答复书"}
    try:
        run_step(actor=user, appeal=appeal, action=action, data=request.POST, **extra)
    except REFUSALS as exc:
        feedback.error_message(request, exc)
    else:
        messages.success(request, f"已{APPEAL.action(action).label}。")
    return redirect("appeals:appeal_detail", appeal_id=appeal.pk)


@login_required
@require_POST
def appeal_document(request: HttpRequest, appeal_id: int) -> HttpResponse:
    user = acting_user(request, Cap.APPEAL_HANDLE, action=AppealEvent.DOCUMENT_ADDED)
    appeal = selectors.appeal_get(user=user, appeal_id=appeal_id)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "请选择要上传的文件。")
    else:
        try:
            services.appeal_add_document(
                actor=user, appeal=appeal, file=upload, filename=upload.name or "材料"
            )
        except REFUSALS as exc:
            feedback.error_message(request, exc)
        else:
            messages.success(request, "已上传。")
    return redirect("appeals:appeal_detail", appeal_id=appeal.pk)


urlpatterns = [
    path("", appeal_list, name="appeal_list"),
    path("export.xlsx", appeal_export, name="appeal_export"),
    path("figures/", appeal_figures, name="appeal_figures"),
    path("figures/export.xlsx", appeal_figures_export, name="appeal_figures_export"),
    path("new/", appeal_new, name="appeal_new"),
    path("<id:appeal_id>/", appeal_detail, name="appeal_detail"),
    path("<id:appeal_id>/documents/", appeal_document, name="appeal_document"),
    *(
        path(f"<id:appeal_id>/{name}/", appeal_step, {"action": name}, name=f"appeal_{name}")
        for name in ACTIONS
    ),
]
