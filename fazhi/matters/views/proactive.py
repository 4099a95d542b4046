"""Pages: proactive disclosure (主动公开): the list of items with their publication record and
their clocks' overdue ones, registration, publication and change as form posts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from fazhi.core import clock, errors, listing, params
from fazhi.core.access import acting_user
from fazhi.core.feedback import error_message
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap
from fazhi.matters.events import MatterEvent
from fazhi.matters.models import ProactiveCategory, ProactiveState
from fazhi.matters.selectors import proactive as proactive_selectors
from fazhi.matters.services import proactive as proactive_services
from fazhi.matters.steps import home_organisation


@login_required
@require_GET
def proactive_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.MATTER_VIEW, action=MatterEvent.LISTED)
    state = params.choice(request.GET, "state", ProactiveState.values)
    overdue = bool(params.boolean(request.GET, "overdue"))
    rows = listing.paginate(
        request, proactive_selectors.proactive_list(user=user, state=state, overdue=overdue)
    )
    return render(
        request,
        "matters/proactive_list.html",
        {
            "listing": rows,
            "page": rows.page,
            "filters": [
                listing.Filter("state", "状态", state, choices=ProactiveState.choices),
                listing.Filter(
                    "overdue", "逾期", "1" if overdue else "", choices=[("1", "仅看逾期未公开")]
                ),
            ],
            "categories": ProactiveCategory.choices,
            "today": clock.today().isoformat(),
            "can_handle": has_cap(user, Cap.MATTER_HANDLE),
        },
    )


def _back(request: HttpRequest) -> HttpResponse:
    return redirect("matters:proactive_list")


@login_required
@require_POST
def proactive_register(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.MATTER_HANDLE, action=MatterEvent.PROACTIVE_REGISTERED)
    try:
        proactive_services.proactive_register(
            actor=user,
            organisation=home_organisation(user),
            title=request.POST.get("title", ""),
            made_on=params.date(request.POST, "made_on"),
            category=request.POST.get("category") or ProactiveCategory.OTHER,
        )
    except (errors.ValidationFailed, errors.PermissionDenied) as exc:
        error_message(request, exc)
    else:
        messages.success(request, "已登记主动公开事项。")
    return _back(request)


@login_required
@require_POST
def proactive_publish(request: HttpRequest, proactive_id: int) -> HttpResponse:
    user = acting_user(request, Cap.MATTER_HANDLE, action=MatterEvent.PROACTIVE_PUBLISHED)
    item = proactive_selectors.proactive_get(user=user, proactive_id=proactive_id)
    try:
        proactive_services.proactive_publish(
            actor=user,
            item=item,
            on=params.date(request.POST, "on"),
            channel=request.POST.get("channel", ""),
            location=request.POST.get("location", ""),
        )
    except (errors.ValidationFailed, errors.Conflict) as exc:
        error_message(request, exc)
    else:
        messages.success(request, "已记录公开。")
    return _back(request)


@login_required
@require_POST
def proactive_change(request: HttpRequest, proactive_id: int) -> HttpResponse:
    user = acting_user(request, Cap.MATTER_HANDLE, action=MatterEvent.PROACTIVE_CHANGED)
    item = proactive_selectors.proactive_get(user=user, proactive_id=proactive_id)
    try:
        proactive_services.proactive_change(
            actor=user,
            item=item,
            changed_on=params.date(request.POST, "changed_on"),
            note=request.POST.get("note", ""),
        )
    except (errors.ValidationFailed, errors.Conflict) as exc:
        error_message(request, exc)
    else:
        messages.success(request, "已登记信息变更，请在20个工作日内重新公开。")
    return _back(request)


urlpatterns = [
    path("proactive/", proactive_list, name="proactive_list"),
    path("proactive/new/", proactive_register, name="proactive_register"),
    path("proactive/<id:proactive_id>/publish/", proactive_publish, name="proactive_publish"),
    path("proactive/<id:proactive_id>/change/", proactive_change, name="proactive_change"),
]
