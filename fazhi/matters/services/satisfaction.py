"""Services: the requester's satisfaction with a replied matter (not a state change)."""

from __future__ import annotations

from django.db import transaction

from fazhi.core import audit, errors
from fazhi.core.models import User
from fazhi.matters.events import MatterEvent
from fazhi.matters.models import Matter, MatterState, Satisfaction
from fazhi.matters.services._common import choice, require_handle

RATED_STATES = (MatterState.REPLIED, MatterState.CLOSED)


def matter_record_satisfaction(*, actor: User, matter: Matter, satisfaction: str) -> Matter:
    """Record how satisfied the requester is with the reply (满意度); only after a reply."""
    require_handle(actor, matter.organisation, action=MatterEvent.SATISFACTION_RECORDED)
    satisfaction = choice(satisfaction, Satisfaction.values, field="satisfaction", label="满意度")
    with transaction.atomic(durable=True):
        row = Matter.objects.select_for_update(of=("self",)).get(pk=matter.pk)
        if row.state not in RATED_STATES:
            raise errors.Conflict("答复以后才能登记满意度。", code="not_replied")
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
