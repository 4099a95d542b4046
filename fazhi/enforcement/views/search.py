"""The case picker's search (``fazhi.core.widgets.RemotePicker``), as the entity picker's
(decision 0061, 0081): JSON for the forms of other apps that name a penalty case."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.http import require_GET

from fazhi.core import errors
from fazhi.core.access import acting_user
from fazhi.core.audit import record_denial
from fazhi.core.roles import Cap
from fazhi.enforcement.events import CaseEvent
from fazhi.enforcement.selectors import cases as case_selectors
from fazhi.enforcement.widgets import case_label


@login_required
@require_GET
def case_search(request: HttpRequest) -> JsonResponse:
    """``{"results": [{"value", "text"}]}``: at most ``SEARCH_LIMIT`` cases in the user's scope.
    Refusals are the API's error envelope."""
    try:
        user = acting_user(request, Cap.CASE_VIEW, action=CaseEvent.LISTED)
        found = case_selectors.penalty_case_search(user=user, q=request.GET.get("q", ""))
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
        {"results": [{"value": case.pk, "text": case_label(case)} for case in found]}
    )


urlpatterns = [path("cases/search/", case_search, name="case_search")]
