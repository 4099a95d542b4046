"""Pages: medical liability insurance: the institutions insured in a year, and the record form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from fazhi.core import clock, errors, feedback, listing, params
from fazhi.core.access import acting_user
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap
from fazhi.disputes.events import InsuranceEvent
from fazhi.disputes.selectors import disputes as dispute_selectors
from fazhi.disputes.selectors import insurance as insurance_selectors
from fazhi.disputes.services import insurance as insurance_services

PAGE_SIZE = 50


@login_required
@require_GET
def insurance_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.DISPUTE_VIEW, action=InsuranceEvent.LISTED)
    year = params.year(request.GET, "year", default=clock.this_year())
    q = (request.GET.get("q") or "").strip()[:50] or None
    rows = insurance_selectors.insurance_list(user=user, year=year, q=q)
    rows_listing = listing.paginate(request, rows, default_size=PAGE_SIZE)
    can_record = has_cap(user, Cap.DISPUTE_HANDLE)
    return render(
        request,
        "disputes/insurance_list.html",
        {
            "page": rows_listing.page,
            "listing": rows_listing,
            "year": year,
            "filters": [
                listing.Filter("year", "年度", year or "", placeholder="如 2026"),
                listing.Filter("q", "医疗机构或承保机构", q or ""),
            ],
            "can_record": can_record,
            "institutions": dispute_selectors.institution_choices(user=user) if can_record else [],
        },
    )


@login_required
@require_POST
def insurance_record(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.DISPUTE_HANDLE, action=InsuranceEvent.RECORDED)
    data = request.POST
    year = None
    try:
        entity_id = params.object_id(data, "entity")
        year = params.year(data, "year")
        insurance_services.insurance_record(
            actor=user,
            entity=dispute_selectors.institution_get(user=user, entity_id=entity_id)
            if entity_id
            else None,
            year=year,
            insurer=data.get("insurer", ""),
            policy_number=data.get("policy_number", ""),
            starts_on=params.date(data, "starts_on"),
            ends_on=params.date(data, "ends_on"),
            coverage=data.get("coverage", ""),
        )
    except (errors.ValidationFailed, errors.Conflict) as exc:
        feedback.error_message(request, exc)
    else:
        messages.success(request, "已登记。")
    response = redirect("disputes:insurance_list")
    if year:
        response["Location"] += f"?year={year}"
    return response


urlpatterns = [
    path("insurance/", insurance_list, name="insurance_list"),
    path("insurance/new/", insurance_record, name="insurance_record"),
]
