"""Pages: the monthly screening: a month's table of every reporting unit (on time, late,
missing, zero reports) and the user's own unit's report form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_POST

from fazhi.core import errors, feedback, params
from fazhi.core.access import acting_user
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap
from fazhi.disputes.events import ScreeningEvent
from fazhi.disputes.selectors import screening as screening_selectors
from fazhi.disputes.services import screening as screening_services
from fazhi.disputes.views._common import month_param


@login_required
@require_GET
def screening_month(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.DISPUTE_VIEW, action=ScreeningEvent.LISTED)
    month = month_param(request.GET) or screening_selectors.last_due_month()
    rows = screening_selectors.screening_month(user=user, month=month)
    counts = {key: 0 for key in screening_selectors.STATUS_LABELS}
    for row in rows:
        counts[row.status] += 1
    own = next((r for r in rows if r.organisation.pk == user.organisation_id), None)
    return render(
        request,
        "disputes/screening_month.html",
        {
            "month": month,
            "rows": rows,
            "counts": [(screening_selectors.STATUS_LABELS[k], n) for k, n in counts.items()],
            "zero": sum(1 for r in rows if r.report is not None and r.report.found == 0),
            "can_report": has_cap(user, Cap.DISPUTE_HANDLE)
            and own is not None
            and own.report is None,
            "own_report": own.report
            if has_cap(user, Cap.DISPUTE_HANDLE) and own is not None
            else None,
        },
    )


@login_required
@require_POST
def screening_submit(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.DISPUTE_HANDLE, action=ScreeningEvent.SUBMITTED)
    data = request.POST
    month = None
    try:
        if user.organisation is None:
            raise errors.PermissionDenied("您不属于任何机构。", code="no_organisation")
        month = month_param(data)
        screening_services.screening_report_submit(
            actor=user,
            organisation=user.organisation,
            month=month,
            found=params.integer(data, "found", minimum=0, maximum=100_000),
            resolved=params.integer(data, "resolved", minimum=0, maximum=100_000),
            note=data.get("note", ""),
        )
    except (errors.ValidationFailed, errors.Conflict) as exc:
        feedback.error_message(request, exc)
    else:
        messages.success(request, "已报送。")
    suffix = f"?month={month:%Y-%m}" if month else ""
    return redirect(reverse("disputes:screening_month") + suffix)


@login_required
@require_POST
def screening_correct(request: HttpRequest) -> HttpResponse:
    """Correct the own unit's report of a month, with a reason (the earlier figures stay in the
    audit trail)."""
    user = acting_user(request, Cap.DISPUTE_HANDLE, action=ScreeningEvent.CORRECTED)
    data = request.POST
    month = None
    try:
        month = month_param(data)
        if month is None:
            raise errors.ValidationFailed("请选择所报月份。", code="month_required", field="month")
        screening_services.screening_report_correct(
            actor=user,
            report=screening_selectors.own_report(user=user, month=month),
            found=params.integer(data, "found", minimum=0, maximum=100_000),
            resolved=params.integer(data, "resolved", minimum=0, maximum=100_000),
            note=data.get("note", ""),
            reason=data.get("reason", ""),
        )
    except (errors.ValidationFailed, errors.Conflict, errors.NotFound) as exc:
        feedback.error_message(request, exc)
    else:
        messages.success(request, "已更正。")
    suffix = f"?month={month:%Y-%m}" if month else ""
    return redirect(reverse("disputes:screening_month") + suffix)


urlpatterns = [
    path("screening/", screening_month, name="screening_month"),
    path("screening/submit/", screening_submit, name="screening_submit"),
    path("screening/correct/", screening_correct, name="screening_correct"),
]
