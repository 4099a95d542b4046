"""Services: re-draw requests and their decision.

A plan has one effective draw; a re-draw needs a request with a reason and a leader's approval
(not the requester's), then a new announcement; the old draw stays visible as superseded. The
request's states are the ``inspection_redraw`` workflow (``fazhi.inspections.workflows``): the
draw that follows uses it.
"""

from __future__ import annotations

from django.db import transaction

from fazhi.core import audit, clock, errors, workflow
from fazhi.core.events import EventName
from fazhi.core.models import User
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap, require_in_scope
from fazhi.inspections.events import RedrawEvents
from fazhi.inspections.models import (
    DrawState,
    InspectionPlan,
    RedrawRequest,
    RedrawState,
)
from fazhi.inspections.workflows import REDRAW


def redraw_request(*, actor: User, plan: InspectionPlan, reason: str) -> RedrawRequest:
    require_cap(actor, Cap.INSPECTION_DRAW, action=RedrawEvents.REQUESTED)
    require_in_scope(actor, plan.organisation, action=RedrawEvents.REQUESTED)
    reason = reason.strip()
    if len(reason) < 4:
        raise errors.ValidationFailed("请写明重新抽取的理由。", code="reason_required")
    with transaction.atomic(durable=True):
        locked = InspectionPlan.objects.select_for_update().get(pk=plan.pk)
        current = locked.draws.filter(state=DrawState.EFFECTIVE).first()
        if current is None:
            raise errors.InvalidTransition("计划尚无有效抽取。", code="no_effective_draw")
        if locked.redraws.filter(state__in=[RedrawState.PENDING, RedrawState.APPROVED]).exists():
            raise errors.Conflict("已有待审批或已批准的重新抽取申请。", code="redraw_open")
        request = RedrawRequest.objects.create(
            plan=locked,
            draw=current,
            reason=reason[:500],
            requested_by=actor,
            state=RedrawState.PENDING,
        )
        audit.append(
            actor=actor,
            action=RedrawEvents.REQUESTED,
            obj=request,
            details={"plan": locked.pk, "draw": current.number, "reason": request.reason},
        )
    return request


def redraw_approve(*, actor: User, request: RedrawRequest, note: str = "") -> RedrawRequest:
    """A leader other than the requester approves: the plan may be announced anew and drawn."""
    return _decide(actor, request, "approve", RedrawEvents.APPROVED, note.strip())


def redraw_reject(*, actor: User, request: RedrawRequest, note: str) -> RedrawRequest:
    """A leader other than the requester rejects, saying why."""
    note = note.strip()
    if not note:
        raise errors.ValidationFailed("驳回须写明意见。", code="note_required")
    return _decide(actor, request, "reject", RedrawEvents.REJECTED, note)


def _decide(
    actor: User, request: RedrawRequest, action: str, attempted: EventName, note: str
) -> RedrawRequest:
    require_cap(actor, Cap.INSPECTION_APPROVE, action=attempted)
    require_in_scope(actor, request.plan.organisation, action=attempted)
    with transaction.atomic(durable=True):
        # the plan first, as the draw locks it: a decision and a draw of one plan take turns
        plan = InspectionPlan.objects.select_for_update().get(pk=request.plan_id)
        locked = plan.redraws.select_for_update().get(pk=request.pk)
        return workflow.transition(
            REDRAW,
            locked,
            action,
            actor=actor,
            locked=True,
            ctx={"actor": actor},
            changes={"decided_by": actor, "decided_at": clock.now(), "decision_note": note[:500]},
            details={"plan": plan.pk, "note": note[:500]},
        )
