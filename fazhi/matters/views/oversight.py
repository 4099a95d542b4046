"""Pages: leader-owned petitions (领导包案) and supervision orders (督办): the forms on a
petition's page, and the list of supervision orders with the overdue ones."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from fazhi.core import errors, listing, params
from fazhi.core.access import acting_user
from fazhi.core.feedback import error_message
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap
from fazhi.matters.events import MatterEvent
from fazhi.matters.models import SupervisionState
from fazhi.matters.selectors import matters as matter_selectors
from fazhi.matters.selectors import oversight as oversight_selectors
from fazhi.matters.services import oversight as oversight_services


@login_required
@require_GET
def supervision_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.MATTER_VIEW, action=MatterEvent.LISTED)
    state = params.choice(request.GET, "state", SupervisionState.values)
    overdue = bool(params.boolean(request.GET, "overdue"))
    orders = oversight_selectors.supervision_list(user=user, state=state, overdue=overdue)
    rows = listing.paginate(request, orders)
    return render(
        request,
        "matters/supervision_list.html",
        {
            "listing": rows,
            "page": rows.page,
            "filters": [
                listing.Filter("state", "状态", state, choices=SupervisionState.choices),
                listing.Filter(
                    "overdue", "逾期", "1" if overdue else "", choices=[("1", "仅看逾期未报告")]
                ),
            ],
            "can_answer": has_cap(user, Cap.MATTER_HANDLE),
        },
    )


def _done(request: HttpRequest, call, success: str) -> None:  # type: ignore[no-untyped-def]
    try:
        call()
    except (errors.ValidationFailed, errors.Conflict, errors.PermissionDenied) as exc:
        error_message(request, exc)
    else:
        messages.success(request, success)


@login_required
@require_POST
def leader_assign(request: HttpRequest, matter_id: int) -> HttpResponse:
    user = acting_user(request, Cap.MATTER_VIEW, action=MatterEvent.LEADER_ASSIGNED)
    matter = matter_selectors.matter_get(user=user, matter_id=matter_id)
    leader_id = params.object_id(request.POST, "leader")
    leader = (
        matter_selectors.matter_approvers(matter=matter).filter(pk=leader_id).first()
        if leader_id
        else None
    )
    _done(
        request,
        lambda: oversight_services.matter_assign_leader(
            actor=user,
            matter=matter,
            leader=leader,
            on=params.date(request.POST, "on"),
            note=request.POST.get("note", ""),
        ),
        "已确定包案领导。",
    )
    return redirect("matters:matter_detail", matter_id=matter.pk)


@login_required
@require_POST
def leader_release(request: HttpRequest, matter_id: int) -> HttpResponse:
    user = acting_user(request, Cap.MATTER_VIEW, action=MatterEvent.LEADER_RELEASED)
    matter = matter_selectors.matter_get(user=user, matter_id=matter_id)
    _done(
        request,
        lambda: oversight_services.matter_release_leader(
            actor=user,
            matter=matter,
            on=params.date(request.POST, "on"),
            reason=request.POST.get("reason", ""),
        ),
        "已结束领导包案。",
    )
    return redirect("matters:matter_detail", matter_id=matter.pk)


@login_required
@require_POST
def supervision_issue(request: HttpRequest, matter_id: int) -> HttpResponse:
    user = acting_user(request, Cap.MATTER_SUPERVISE, action=MatterEvent.SUPERVISION_ISSUED)
    matter = matter_selectors.matter_get(user=user, matter_id=matter_id)
    _done(
        request,
        lambda: oversight_services.supervision_issue(
            actor=user,
            matter=matter,
            on=params.date(request.POST, "on"),
            due_on=params.date(request.POST, "due_on"),
            requirement=request.POST.get("requirement", ""),
            reference=request.POST.get("reference", ""),
        ),
        "已下达督办。",
    )
    return redirect("matters:matter_detail", matter_id=matter.pk)


@login_required
@require_POST
def supervision_answer(request: HttpRequest, order_id: int) -> HttpResponse:
    user = acting_user(request, Cap.MATTER_HANDLE, action=MatterEvent.SUPERVISION_ANSWERED)
    order = oversight_selectors.supervision_get(user=user, order_id=order_id)
    _done(
        request,
        lambda: oversight_services.supervision_answer(
            actor=user,
            order=order,
            on=params.date(request.POST, "on"),
            answer=request.POST.get("answer", ""),
        ),
        "已报告督办结果。",
    )
    return redirect("matters:matter_detail", matter_id=order.matter_id)


urlpatterns = [
    path("supervision/", supervision_list, name="supervision_list"),
    path("supervision/<id:order_id>/answer/", supervision_answer, name="supervision_answer"),
    path("<id:matter_id>/leader/", leader_assign, name="leader_assign"),
    path("<id:matter_id>/leader/release/", leader_release, name="leader_release"),
    path("<id:matter_id>/supervision/", supervision_issue, name="supervision_issue"),
]


def oversight_context(user, matter) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """What a petition's page shows of its leader ownership and supervision orders."""
    if matter.kind != "petition":
        return {"is_petition": False}
    return {
        "is_petition": True,
        "leader_assignments": oversight_selectors.matter_leader_assignments(matter=matter),
        "supervision_orders": oversight_selectors.matter_supervision_orders(matter=matter),
        "can_assign_leader": has_cap(user, Cap.MATTER_HANDLE) or has_cap(user, Cap.MATTER_APPROVE),
        "can_supervise": has_cap(user, Cap.MATTER_SUPERVISE)
        and user.organisation_id != matter.organisation_id,
        "can_answer": has_cap(user, Cap.MATTER_HANDLE),
    }
