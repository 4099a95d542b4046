"""Services: leader-owned petitions (领导包案) and supervision orders (督办), 信访工作条例
第十八条第二款、第四十条 (decision 0077).

A leader-owned petition has one current owner, a head of the handling organisation or of one
above it (the approvers of ``matter_approvers``); handing it to another leader ends the current
ownership with its day. A supervision order is issued by a head of an organisation strictly above
the handling one, with the date by which the result must be reported: a core deadline with that
fixed date, attached to the order, closed (met or late) when the handling organisation reports.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from fazhi.core import audit, errors, workflow
from fazhi.core.models import User
from fazhi.core.periods import FIXED_RULE
from fazhi.core.roles import Cap
from fazhi.core.scope import can_act_in, has_cap, require_cap
from fazhi.core.services.deadlines import deadline_attach, deadlines_close_for
from fazhi.matters.events import MatterEvent
from fazhi.matters.models import (
    LeaderAssignment,
    Matter,
    MatterKind,
    PetitionState,
    SupervisionOrder,
)
from fazhi.matters.selectors.matters import matter_approvers
from fazhi.matters.services._common import NOTE_MAX, day, require_handle, text
from fazhi.matters.workflows import SUPERVISION

REFERENCE_MAX = 100
# a petition still being handled (not routed to another procedure, not closed)
OWNABLE = (
    PetitionState.RECEIVED,
    PetitionState.ACCEPTED,
    PetitionState.REPLIED,
    PetitionState.REVIEW,
)


def _petition(matter: Matter, *, states: tuple[str, ...], what: str) -> None:
    if matter.kind != MatterKind.PETITION:
        raise errors.Conflict(f"只有信访事项可以{what}。", code="not_a_petition")
    if matter.state not in states:
        raise errors.Conflict(
            f"信访事项当前状态为“{matter.get_state_display()}”，不能{what}。",
            code="matter_not_open",
        )


def _require_assigner(actor: User, matter: Matter) -> None:
    """The handling officer or a head whose scope covers the petition."""
    if has_cap(actor, Cap.MATTER_APPROVE) and can_act_in(actor, matter.organisation):
        return
    require_handle(actor, matter.organisation, action=MatterEvent.LEADER_ASSIGNED)


def matter_assign_leader(
    *, actor: User, matter: Matter, leader: User | None, on: dt.date | None, note: str = ""
) -> LeaderAssignment:
    """Make ``leader`` the owner of the petition from ``on`` (包案); the current owner, if any,
    hands it on that day."""
    _require_assigner(actor, matter)
    if leader is None or not matter_approvers(matter=matter).filter(pk=leader.pk).exists():
        raise errors.ValidationFailed(
            "包案领导须为本机关或上级机关的负责人。", code="leader_not_head", field="leader"
        )
    on = day(on, field="on", label="包案日期", not_before=matter.received_on)
    note = text(note, field="note", label="包案要求", max_length=NOTE_MAX, required=False)
    with transaction.atomic(durable=True):
        matter = Matter.objects.select_for_update().get(pk=matter.pk)
        _petition(matter, states=OWNABLE, what="确定包案领导")
        current = (
            LeaderAssignment.objects.select_for_update()
            .filter(matter=matter, ended_on__isnull=True)
            .first()
        )
        if current is not None:
            if current.leader_id == leader.pk:
                raise errors.Conflict("该领导已是本事项的包案领导。", code="already_owner")
            if on < current.assigned_on:
                raise errors.ValidationFailed(
                    f"包案日期不能早于现包案领导的包案日期（{current.assigned_on:%Y-%m-%d}）。",
                    code="date_before_receipt",
                    field="on",
                )
            _end(actor, current, on=on, reason="更换包案领导")
        assignment = LeaderAssignment.objects.create(
            matter=matter, leader=leader, assigned_on=on, note=note, assigned_by=actor
        )
        audit.append(
            actor=actor,
            action=MatterEvent.LEADER_ASSIGNED,
            obj=matter,
            details={
                "leader": leader.pk,
                "leader_name": leader.full_name,
                "on": on.isoformat(),
                "note": note,
                "previous": current.leader_id if current else None,
            },
        )
    return assignment


def _end(actor: User, assignment: LeaderAssignment, *, on: dt.date, reason: str) -> None:
    assignment.ended_on, assignment.end_reason = on, reason[:200]
    assignment.save(update_fields=["ended_on", "end_reason"])
    audit.append(
        actor=actor,
        action=MatterEvent.LEADER_RELEASED,
        obj=assignment.matter,
        details={"leader": assignment.leader_id, "on": on.isoformat(), "reason": reason},
    )


def matter_release_leader(
    *, actor: User, matter: Matter, on: dt.date | None, reason: str
) -> LeaderAssignment:
    """End the current leader ownership (the petition resolved, or the leader left)."""
    _require_assigner(actor, matter)
    reason = text(reason, field="reason", label="结束原因", max_length=200)
    with transaction.atomic(durable=True):
        current = (
            LeaderAssignment.objects.select_for_update()
            .select_related("matter")
            .filter(matter=matter, ended_on__isnull=True)
            .first()
        )
        if current is None:
            raise errors.Conflict("本事项没有包案领导。", code="no_owner")
        ended = day(
            on,
            field="on",
            label="结束日期",
            not_before=current.assigned_on,
            not_before_label="包案日期",
        )
        _end(actor, current, on=ended, reason=reason)
    return current


def supervision_issue(
    *,
    actor: User,
    matter: Matter,
    on: dt.date | None,
    due_on: dt.date | None,
    requirement: str,
    reference: str = "",
) -> SupervisionOrder:
    """A head of an organisation above the handling one orders the petition supervised (督办):
    the result is to be reported by ``due_on`` (a fixed-date deadline on the order)."""
    require_cap(actor, Cap.MATTER_SUPERVISE, action=MatterEvent.SUPERVISION_ISSUED)
    issuer = actor.organisation
    if (
        issuer is None
        or issuer.pk == matter.organisation_id
        or not matter.organisation.path.startswith(issuer.path)
        or not can_act_in(actor, matter.organisation)
    ):
        raise errors.PermissionDenied(
            "督办须由承办机关的上级机关下达。", code="not_a_higher_organisation"
        )
    on = day(on, field="on", label="督办日期", not_before=matter.received_on)
    if due_on is None:
        raise errors.ValidationFailed(
            "请填写报告结果期限。", code="due_on_required", field="due_on"
        )
    if due_on <= on:
        raise errors.ValidationFailed(
            "报告结果期限应晚于督办日期。", code="due_before_issue", field="due_on"
        )
    requirement = text(requirement, field="requirement", label="督办要求", max_length=NOTE_MAX)
    reference = text(
        reference, field="reference", label="督办文号", max_length=REFERENCE_MAX, required=False
    )
    with transaction.atomic(durable=True):
        matter = Matter.objects.select_for_update().get(pk=matter.pk)
        _petition(matter, states=(*OWNABLE, PetitionState.CLOSED), what="督办")
        order = SupervisionOrder.objects.create(
            matter=matter,
            issuer=issuer,
            reference=reference,
            requirement=requirement,
            issued_on=on,
            due_on=due_on,
            issued_by=actor,
        )
        deadline_attach(
            actor=actor,
            organisation=matter.organisation,
            title=f"督办：{matter.title}"[:200],
            rule_key=FIXED_RULE,
            start_date=on,
            due_date=due_on,
            subject=order,
        )
        audit.append(
            actor=actor,
            action=MatterEvent.SUPERVISION_ISSUED,
            obj=matter,
            details={
                "order": order.pk,
                "issuer": issuer.pk,
                "reference": reference,
                "on": on.isoformat(),
                "due_on": due_on.isoformat(),
            },
        )
    return order


def supervision_answer(
    *, actor: User, order: SupervisionOrder, on: dt.date | None, answer: str
) -> SupervisionOrder:
    """The handling organisation reports the result (报告督办结果): the order's deadline is met or
    late against ``due_on``."""
    require_handle(actor, order.matter.organisation, action=MatterEvent.SUPERVISION_ANSWERED)
    on = day(
        on, field="on", label="报告日期", not_before=order.issued_on, not_before_label="督办日期"
    )
    answer = text(answer, field="answer", label="办理结果", max_length=NOTE_MAX)
    with transaction.atomic(durable=True):
        order = workflow.transition(
            SUPERVISION,
            order,
            "answer",
            actor=actor,
            ctx={"answer": answer},
            changes={"answer": answer, "answered_on": on, "answered_by": actor},
            details={"on": on.isoformat(), "late": on > order.due_on},
        )
        deadlines_close_for(actor=actor, subject=order, rule_key=FIXED_RULE, on=on)
    return order
