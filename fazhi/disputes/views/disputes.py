"""Pages: medical disputes: the list, registration, the detail with its next steps, each step
as a form post, and the year's figures with their Excel export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fazhi.core import clock, errors, feedback, listing, params
from fazhi.core.access import acting_user
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap
from fazhi.disputes.events import DisputeEvent
from fazhi.disputes.models import DisputeOutcome, DisputeRoute, DisputeState
from fazhi.disputes.selectors import disputes as dispute_selectors
from fazhi.disputes.selectors import figures as figure_selectors
from fazhi.disputes.services import disputes as dispute_services
from fazhi.disputes.services.attachments import FILE_KINDS, dispute_add_attachment
from fazhi.disputes.views._common import xlsx_response
from fazhi.disputes.workflows import DISPUTE

PAGE_SIZE = 50


@login_required
@require_GET
def dispute_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.DISPUTE_VIEW, action=DisputeEvent.LISTED)
    state = params.choice(request.GET, "state", DisputeState.values)
    route = params.choice(request.GET, "route", DisputeRoute.values)
    year = params.year(request.GET, "year")
    q = (request.GET.get("q") or "").strip()[:50] or None
    rows = dispute_selectors.dispute_list(user=user, state=state, route=route, year=year, q=q)
    rows_listing = listing.paginate(request, rows, default_size=PAGE_SIZE)
    return render(
        request,
        "disputes/dispute_list.html",
        {
            "page": rows_listing.page,
            "listing": rows_listing,
            "filters": [
                listing.Filter("state", "状态", state or "", choices=DisputeState.choices),
                listing.Filter("route", "处理途径", route or "", choices=DisputeRoute.choices),
                listing.Filter("year", "登记年份", year or "", placeholder="如 2026"),
                listing.Filter("q", "患者或医疗机构", q or ""),
            ],
            "can_register": has_cap(user, Cap.DISPUTE_HANDLE),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def dispute_register(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.DISPUTE_HANDLE, action=DisputeEvent.REGISTERED)
    if request.method == "POST":
        data = request.POST
        try:
            if user.organisation is None:
                raise errors.PermissionDenied("您不属于任何机构。", code="no_organisation")
            entity_id = params.object_id(data, "entity")
            dispute = dispute_services.dispute_register(
                actor=user,
                organisation=user.organisation,
                entity=dispute_selectors.institution_get(user=user, entity_id=entity_id)
                if entity_id
                else None,
                occurred_on=params.date(data, "occurred_on"),
                reported_on=params.date(data, "reported_on"),
                patient_name=data.get("patient_name", ""),
                claimant_name=data.get("claimant_name", ""),
                claimant_contact=data.get("claimant_contact", ""),
                summary=data.get("summary", ""),
                route=data.get("route", ""),
                claim_amount=data.get("claim_amount", ""),
            )
        except (errors.ValidationFailed, errors.Conflict) as exc:
            feedback.error_message(request, exc)
        else:
            messages.success(request, "已登记。")
            return redirect("disputes:dispute_detail", dispute_id=dispute.pk)
    return render(
        request,
        "disputes/dispute_register.html",
        {
            "institutions": dispute_selectors.institution_choices(user=user),
            "routes": DisputeRoute.choices,
            "data": request.POST,
            "today": clock.today(),
        },
    )


@login_required
@require_GET
def dispute_detail(request: HttpRequest, dispute_id: int) -> HttpResponse:
    user = acting_user(request, Cap.DISPUTE_VIEW, action=DisputeEvent.VIEWED)
    dispute = dispute_selectors.dispute_get(user=user, dispute_id=dispute_id)
    can_handle = has_cap(user, Cap.DISPUTE_HANDLE)
    return render(
        request,
        "disputes/dispute_detail.html",
        {
            "dispute": dispute,
            "actions": [a.name for a in DISPUTE.available(dispute)] if can_handle else [],
            "routes": [(v, label) for v, label in DisputeRoute.choices if v != dispute.route],
            "outcomes": DisputeOutcome.choices,
            "can_upload": can_handle,
            "file_kinds": [(k, label) for k, (label, _) in FILE_KINDS.items()],
        },
    )


@login_required
@require_POST
def dispute_step(request: HttpRequest, dispute_id: int, action: str) -> HttpResponse:
    user = acting_user(request, Cap.DISPUTE_HANDLE, action=DISPUTE.action(action).event)
    dispute = dispute_selectors.dispute_get(user=user, dispute_id=dispute_id)
    data = request.POST
    try:
        if action == "change_route":
            dispute_services.dispute_change_route(
                actor=user,
                dispute=dispute,
                route=data.get("route", ""),
                on=params.date(data, "on"),
                note=data.get("note", ""),
            )
        else:
            dispute_services.dispute_conclude(
                actor=user,
                dispute=dispute,
                outcome=data.get("outcome", ""),
                compensation=data.get("compensation", ""),
                on=params.date(data, "on"),
                note=data.get("note", ""),
            )
    except (errors.ValidationFailed, errors.Conflict) as exc:
        feedback.error_message(request, exc)
    else:
        messages.success(request, f"已{DISPUTE.action(action).label}。")
    return redirect("disputes:dispute_detail", dispute_id=dispute.pk)


@login_required
@require_GET
def dispute_figures(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.DISPUTE_VIEW, action=DisputeEvent.LISTED)
    year = params.year(request.GET, "year", default=clock.this_year())
    assert year is not None
    if request.GET.get("format") == "xlsx":
        return xlsx_response(
            figure_selectors.figures_xlsx(user=user, year=year), f"disputes-{year}.xlsx"
        )
    figures = figure_selectors.year_figures(user=user, year=year)
    return render(
        request,
        "disputes/figures.html",
        {"year": year, "rows": figure_selectors.figure_rows(figures)},
    )


@login_required
@require_POST
def dispute_attachment(request: HttpRequest, dispute_id: int) -> HttpResponse:
    user = acting_user(request, Cap.DISPUTE_HANDLE, action=DisputeEvent.ATTACHMENT_ADDED)
    dispute = dispute_selectors.dispute_get(user=user, dispute_id=dispute_id)
    upload = request.FILES.get("file")
    try:
        dispute_add_attachment(
            actor=user,
            dispute=dispute,
            file=upload,
            filename=upload.name if upload is not None and upload.name else "",
            kind=request.POST.get("kind", ""),
        )
    except (errors.ValidationFailed, errors.Conflict) as exc:
        feedback.error_message(request, exc)
    else:
        messages.success(request, "已上传。")
    return redirect("disputes:dispute_detail", dispute_id=dispute.pk)


urlpatterns = [
    path("", dispute_list, name="dispute_list"),
    path("new/", dispute_register, name="dispute_register"),
    path("figures/", dispute_figures, name="dispute_figures"),
    path("<id:dispute_id>/", dispute_detail, name="dispute_detail"),
    path("<id:dispute_id>/attachments/", dispute_attachment, name="dispute_attachment"),
    path(
        "<id:dispute_id>/change_route/",
        dispute_step,
        {"action": "change_route"},
        name="dispute_change_route",
    ),
    path(
        "<id:dispute_id>/conclude/", dispute_step, {"action": "conclude"}, name="dispute_conclude"
    ),
]
