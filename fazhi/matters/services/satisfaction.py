"""Services: the requester's satisfaction with a replied matter (not a state change).

A co-handled suggestion or proposal (协办) is never rated here: the co-handler sends its opinion
to the lead unit, which answers the deputy and receives the feedback (docs/proposals.md)."""

from __future__ import annotations

from django.db import transaction

from fazhi.core import audit, errors
from fazhi.core.models import User
from fazhi.matters.events import MatterEvent
from fazhi.matters.models import Matter, MatterState, Satisfaction
from fazhi.matters.models_proposals import HandlingRole, ProposalDetail
from fazhi.matters.services._common import choice, require_handle

RATED_STATES = (MatterState.REPLIED, MatterState.CLOSED)


def _co_handled(matter: Matter) -> bool:
    return ProposalDetail.objects.filter(matter_id=matter.pk, role=HandlingRole.CO).exists()


def satisfaction_allowed(matter: Matter) -> bool:
    """Whether the requester's satisfaction can be recorded on ``matter`` now."""
    return matter.state in RATED_STATES and not _co_handled(matter)


def matter_record_satisfaction(*, actor: User, matter: Matter, satisfaction: str) -> Matter:
    """Record how satisfied the requester is with the reply (满意度); only after a reply."""
    require_handle(actor, matter.organisation, action=MatterEvent.SATISFACTION_RECORDED)
    satisfaction = choice(satisfaction, Satisfaction.values, field="satisfaction", label="满意度")
    with transaction.atomic(durable=True):
        row = Matter.objects.select_for_update(of=("self",)).get(pk=matter.pk)
        if row.state not in RATED_STATES:
            raise errors.Conflict("答复以后才能登记满意度。", code="not_replied")
        if _co_handled(row):
            raise errors.Conflict(
                "协办的建议提案由主办单位答复代表委员并登记其意见，协办单位不登记满意度。",
                code="co_handled_no_feedback",
            )
        before = row.satisfaction
        row.satisfaction = satisfaction
        row.save(update_fields=["satisfaction"])
        audit.append(
            actor=actor,
            action=MatterEvent.SATISFACTION_RECORDED,
            obj=row,
            details={"from": before, "to": satisfaction},
        )
    return row
