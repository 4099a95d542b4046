"""Services: case leads (案源), from their referral to the decision not to file them.

Another domain refers a lead through ``case_lead_create`` inside its own transaction (an
inspection task completed as "referred": the lead commits or rolls back with the task), never by
writing ``CaseLead`` itself. Filing a lead as a case (the table's ``file`` action) is the
penalty-case module's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import connection, transaction

from fazhi.core import audit, clock, errors, workflow
from fazhi.core.models import Organisation, User
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap, require_in_scope
from fazhi.enforcement.events import CaseLeadEvent
from fazhi.enforcement.models import CaseLead, CaseLeadSource, CaseLeadState
from fazhi.enforcement.workflows import CASE_LEAD

if TYPE_CHECKING:  # the lead's FKs name both models by string: no import at run time
    from fazhi.inspections.models import InspectionTask
    from fazhi.registry.models import Entity

FACTS_MAX = 10_000
REASON_MAX = 2_000


def _require_may_refer(
    actor: User, organisation: Organisation, source_task: InspectionTask | None
) -> None:
    """Who may refer a lead to ``organisation``.

    Without a task: a user who may write in that organisation. With an inspection task: one of
    the task's inspectors. A plan's team may hold officers of other organisations of its tree (a
    district officer on the city's plan), who may not write in the task's organisation otherwise;
    the assignment is their authority for this referral, as it is for the task's results."""
    require_cap(actor, Cap.CASE_LEAD_CREATE, action=CaseLeadEvent.CREATED)
    if source_task is None:
        require_in_scope(actor, organisation, action=CaseLeadEvent.CREATED)
        return
    if not source_task.task_inspectors.filter(officer__user=actor).exists():
        raise errors.PermissionDenied(
            "您不是该任务的检查人员，不能移交案源。",
            code="not_assigned",
            attempted=CaseLeadEvent.CREATED,
            task_id=source_task.pk,
        )


def _check_lead(
    *,
    organisation: Organisation,
    entity: Entity,
    source: str,
    facts: str,
    source_task: InspectionTask | None,
) -> str:
    if source not in CaseLeadSource.values:
        raise errors.ValidationFailed("未知的案件来源。", code="unknown_source")
    facts = (facts or "").strip()
    if not facts:
        raise errors.ValidationFailed("移交立案须写明违法事实。", code="facts_required")
    if len(facts) > FACTS_MAX:
        raise errors.ValidationFailed(f"违法事实不能超过{FACTS_MAX}个字符。", code="facts_too_long")
    if source_task is None:
        if not entity.organisation.path.startswith(organisation.path):
            raise errors.ValidationFailed(
                "当事人不在该机构的监管范围内。", code="entity_out_of_reach"
            )
        return facts
    # a complaint check's referral is a complaint's lead (inspections' plan kind "complaint",
    # decision 0091); every other task's a random inspection's
    expected = (
        CaseLeadSource.COMPLAINT
        if source_task.plan.kind == "complaint"
        else CaseLeadSource.RANDOM_INSPECTION
    )
    if (
        source != expected
        or source_task.organisation_id != organisation.pk
        or source_task.entity_id != entity.pk
    ):
        raise errors.ValidationFailed(
            "案源须属于来源检查任务的机构和检查对象，来源与任务相符。", code="bad_source_task"
        )
    if CaseLead.objects.filter(source_task=source_task).exists():
        raise errors.Conflict("该任务已移交立案。", code="already_referred")
    return facts


def case_lead_create(
    *,
    actor: User,
    organisation: Organisation,
    entity: Entity,
    source: str,
    facts: str,
    source_task: InspectionTask | None = None,
) -> CaseLead:
    """Refer a lead to ``organisation`` inside the calling service's transaction.

    ``entity`` is a ``registry.Entity``; ``source_task`` an ``inspections.InspectionTask`` the
    caller has locked (its referral: one lead per task). Raises ``RuntimeError`` outside a
    transaction: a page or API that refers a lead on its own needs a top-level service that opens
    the durable transaction and calls this one."""
    if not connection.in_atomic_block:
        raise RuntimeError("case_lead_create must run inside the calling service's transaction")
    _require_may_refer(actor, organisation, source_task)
    facts = _check_lead(
        organisation=organisation,
        entity=entity,
        source=source,
        facts=facts,
        source_task=source_task,
    )
    lead = CaseLead.objects.create(
        organisation=organisation,
        entity=entity,
        source=source,
        source_task=source_task,
        facts=facts,
        state=CaseLeadState.NEW,
        created_by=actor,
    )
    details: dict[str, Any] = {"source": source, "entity_id": entity.pk}
    if source_task is not None:
        details["source_task_id"] = source_task.pk
    audit.append(actor=actor, action=CaseLeadEvent.CREATED, obj=lead, details=details)
    return lead


def case_lead_dismiss(*, actor: User, lead: CaseLead, reason: str) -> CaseLead:
    """Decide not to file a case on a new lead (不予立案), with the reason (the table's guard)."""
    require_cap(actor, Cap.CASE_LEAD_DECIDE, action=CaseLeadEvent.DISMISSED)
    require_in_scope(actor, lead.organisation, action=CaseLeadEvent.DISMISSED)
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise errors.ValidationFailed(f"理由不能超过{REASON_MAX}个字符。", code="reason_too_long")
    with transaction.atomic(durable=True):
        return workflow.transition(
            CASE_LEAD,
            lead,
            "dismiss",
            actor=actor,
            ctx={"reason": reason},
            changes={"dismissal_reason": reason, "decided_by": actor, "decided_at": clock.now()},
            details={"reason": reason},
        )
