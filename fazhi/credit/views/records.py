"""Pages: the credit records (行政处罚信息) in scope."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from fazhi.core import listing, params
from fazhi.core.access import acting_user
from fazhi.core.roles import Cap
from fazhi.credit import jobs as credit_jobs
from fazhi.credit.events import CreditEvent
from fazhi.credit.selectors import credit as selectors


@login_required
@require_GET
def record_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.CREDIT_VIEW, action=CreditEvent.LISTED)
    year = params.year(request.GET, "year")
    q = (request.GET.get("q") or "").strip()[:50] or None
    records = selectors.credit_record_list(user=user, year=year, q=q)
    records_listing = listing.paginate(request, records)
    return render(
        request,
        "credit/record_list.html",
        {
            "page": records_listing.page,
            "listing": records_listing,
            "filters": [
                listing.Filter("q", "主体名称或文号", q or ""),
                listing.Filter("year", "生效年份", year or "", placeholder="如 2026"),
            ],
        },
    )


@login_required
@require_POST
def record_export(request: HttpRequest) -> HttpResponse:
    """Start an Excel export of the filtered records as a background job (the job page)."""
    user = acting_user(request, Cap.CREDIT_VIEW, action=CreditEvent.EXPORTED)
    job = credit_jobs.records_export_enqueue(
        actor=user, filters={"year": params.year(request.GET, "year"), "q": request.GET.get("q")}
    )
    return redirect("core:job_detail", pk=job.pk)


urlpatterns = [
    path("records/", record_list, name="record_list"),
    path("records/export/", record_export, name="record_export"),
]
