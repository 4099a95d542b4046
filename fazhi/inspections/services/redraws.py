"""Services: re-draw requests and their decision.

A plan has one effective draw; a re-draw needs a request with a reason and a leader's approval
(not the requester's), then a new announcement; the old draw stays visible as superseded.
"""

from __future__ import annotations

from django.db import transaction

from fazhi.core import audit, clock, errors
from fazhi.core.models import User
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap, require_in_scope
from fazhi.inspections.models import (
    Draw,
    DrawStatus,
    InspectionPlan,
    RedrawRequest,
    RedrawState,
)


def redraw_request(*, actor: User, plan: InspectionPlan, reason: str) -> RedrawRequest:
    require_cap(actor, Cap.INSPECTION_DRAW, action="inspection.redraw_request")
    require_in_scope(actor, plan.organisation, action="inspection.redraw_request")
    reason = reason.strip()
    if len(reason) < 4:
        raise errors.ValidationFailed("请写明重新抽取的理由。", code="reason_required")
    with transaction.atomic(durable=True):
        locked = InspectionPlan.objects.select_for_update().get(pk=plan.pk)
        current = Draw.objects.filter(plan=locked, status=DrawStatus.EFFECTIVE).first()
        if current is None:
            raise errors.InvalidTransition("计划尚无有效抽取。", code="no_effective_draw")
        if RedrawRequest.objects.filter(
            plan=locked, state__in=[RedrawState.PENDING, RedrawState.APPROVED]
        ).exists():
            raise errors.Conflict("已有待审批或已批准的重新抽取申请。", code="redraw_open")
        request = RedrawRequest.objects.create(
            plan=locked, draw=current, reason=reason[:500], requested_by=actor
        )
        audit.append(
            actor=actor,
            action="inspection.redraw_requested",
            obj=locked,
            details={"request": request.pk, "draw": current.number, "reason": request.reason},
        )
    return request


def redraw_decide(
    *, actor: User, request: RedrawRequest, approve: bool, note: str = ""
) -> RedrawRequest:
    require_cap(actor, Cap.INSPECTION_APPROVE, action="inspection.redraw_decide")
    require_in_scope(actor, request.plan.organisation, action="inspection.redraw_decide")
    note = note.strip()
    if not approve and not note:
        raise errors.ValidationFailed("驳回须写明意见。", code="note_required")
    with transaction.atomic(durable=True):
        InspectionPlan.objects.select_for_update().get(pk=request.plan_id)
        locked = RedrawRequest.objects.select_for_update().get(pk=request.pk)
        if locked.state != RedrawState.PENDING:
            raise errors.InvalidTransition("该申请已处理。", code="redraw_not_pending")
        if locked.requested_by_id == actor.pk:
            raise errors.PermissionDenied("不能审批本人提出的重新抽取申请。", code="self_approval")
        locked.state = RedrawState.APPROVED if approve else RedrawState.REJECTED
        locked.decided_by = actor
        locked.decided_at = clock.now()
        locked.decision_note = note[:500]
        locked.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
        audit.append(
            actor=actor,
            action="inspection.redraw_approved" if approve else "inspection.redraw_rejected",
            obj=locked.plan,
            details={"request": locked.pk, "note": locked.decision_note},
        )
    return locked
