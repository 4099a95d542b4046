"""Pages of the case-file review (案卷评查): the concluded cases with their pre-check findings,
the year's pre-check job, a reviewer's scoring; the case page's review section."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from fazhi.core import clock, errors, feedback, listing, params
from fazhi.core.access import acting_user
from fazhi.core.models import User
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap
from fazhi.enforcement.events import CaseEvent
from fazhi.enforcement.models import PenaltyCase
from fazhi.enforcement.review import catalogue, precheck
from fazhi.enforcement.review.jobs import case_file_precheck_enqueue
from fazhi.enforcement.selectors import cases as case_selectors
from fazhi.enforcement.selectors import file_review as review_selectors
from fazhi.enforcement.services import file_review as review_services

PAGE_SIZE = 20
REFUSALS = (errors.ValidationFailed, errors.Conflict)


def case_section(user: User, case: PenaltyCase) -> dict[str, Any]:
    """The case page's review section: the catalogue, the live pre-check of a concluded case,
    the reviews and, for a reviewer, the checklist to score."""
    concluded = case.state in precheck.CONCLUDED
    items: list[tuple[str, int]] = []
    if concluded and has_cap(user, Cap.CASE_FILE_REVIEW):
        try:
            items = list(review_services.checklist(case, clock.today()).value.points.items())
        except errors.Conflict:
            items = []
    return {
        "file_catalogue": catalogue.lines(case),
        "file_profile": catalogue.PROFILES[catalogue.profile(case)],
        "file_findings": precheck.precheck(case) if concluded else [],
        "file_concluded": concluded,
        "file_reviews": review_selectors.case_file_reviews(case),
        "file_checklist": items,
    }


@login_required
@require_GET
def case_file_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.CASE_VIEW, action=CaseEvent.LISTED)
    year = params.year(request.GET, "year")
    findings = params.choice(request.GET, "findings", [k for k, _ in review_selectors.FINDINGS])
    cases = review_selectors.concluded_cases(user=user, year=year, findings=findings)
    found = listing.paginate(request, cases, default_size=PAGE_SIZE)
    rows = [
        (
            case,
            catalogue.PROFILES[catalogue.profile(case)],
            precheck.from_json(case.file_check.findings) if _checked(case) else None,
        )
        for case in found.page
    ]
    return render(
        request,
        "enforcement/review/case_file_list.html",
        {
            "page": found.page,
            "rows": rows,
            "listing": found,
            "filters": [
                listing.Filter("year", "结案年份", year or "", placeholder="如 2026"),
                listing.Filter(
                    "findings", "预审结果", findings or "", choices=review_selectors.FINDINGS
                ),
            ],
            "year": year or clock.today().year,
            "can_run": has_cap(user, Cap.CASE_FILE_REVIEW),
        },
    )


def _checked(case: PenaltyCase) -> bool:
    try:
        return case.file_check is not None
    except PenaltyCase.file_check.RelatedObjectDoesNotExist:
        return False


@login_required
@require_POST
def case_file_precheck_start(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.CASE_FILE_REVIEW, action=CaseEvent.FILE_REVIEWED)
    year = params.year(request.POST, "year")
    try:
        job = case_file_precheck_enqueue(actor=user, year=year)
    except REFUSALS as exc:
        feedback.error_message(request, exc)
        return redirect("enforcement:case_file_list")
    return redirect("core:job_detail", job.pk)


@login_required
@require_POST
def case_file_review(request: HttpRequest, case_id: int) -> HttpResponse:
    user = acting_user(request, Cap.CASE_FILE_REVIEW, action=CaseEvent.FILE_REVIEWED)
    case = case_selectors.penalty_case_get(user=user, case_id=case_id)
    scores = {
        key.removeprefix("score:"): value
        for key, value in request.POST.items()
        if key.startswith("score:")
    }
    try:
        review = review_services.case_file_review(
            actor=user, case=case, scores=scores, comments=request.POST.get("comments", "")
        )
    except REFUSALS as exc:
        feedback.error_message(request, exc)
    else:
        messages.success(request, f"已评查，得分{review.total}/{review.full_marks}。")
    return redirect("enforcement:case_detail", case_id=case.pk)


urlpatterns = [
    path("cases/file-review/", case_file_list, name="case_file_list"),
    path("cases/file-review/precheck/", case_file_precheck_start, name="case_file_precheck"),
    path("cases/<id:case_id>/file-review/", case_file_review, name="case_file_review"),
]
