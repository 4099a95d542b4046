"""Services: medical disputes (医疗纠纷): registration with the institution and the route, a
change of route, the conclusion with its outcome and the compensation (exact decimals)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction

from fazhi.core import audit, errors, workflow
from fazhi.core.models import Organisation, User
from fazhi.disputes.events import DisputeEvent
from fazhi.disputes.models import DisputeRoute, MedicalDispute
from fazhi.disputes.services._common import day, money, require_handle, text
from fazhi.disputes.workflows import DISPUTE

if TYPE_CHECKING:
    from fazhi.registry.models import Entity

NAME_MAX = 100
SUMMARY_MAX = 20_000
NOTE_MAX = 2_000


def _check_entity(entity: Entity | None, organisation: Organisation) -> Entity:
    if entity is None:
        raise errors.ValidationFailed("请选择医疗机构。", code="entity_required", field="entity")
    if not entity.organisation.path.startswith(organisation.path):
        raise errors.ValidationFailed(
            "该医疗机构不在本机构的监管范围内。", code="entity_out_of_reach", field="entity"
        )
    return entity


def dispute_register(
    *,
    actor: User,
    organisation: Organisation,
    entity: Entity | None,
    occurred_on: dt.date | None,
    reported_on: dt.date | None,
    patient_name: str,
    summary: str,
    route: str,
    claimant_name: str = "",
    claimant_contact: str = "",
    claim_amount: Any = None,
) -> MedicalDispute:
    """Register a medical dispute (登记) with the route it is taking."""
    require_handle(actor, organisation, action=DisputeEvent.REGISTERED)
    entity = _check_entity(entity, organisation)
    if route not in DisputeRoute.values:
        raise errors.ValidationFailed("请选择处理途径。", code="route_required", field="route")
    occurred = day(occurred_on, field="occurred_on", label="发生日期")
    reported = day(
        reported_on,
        field="reported_on",
        label="登记日期",
        not_before=occurred,
        not_before_label="发生日期",
    )
    fields: dict[str, Any] = {
        "patient_name": text(patient_name, field="patient_name", label="患者", max_length=NAME_MAX),
        "claimant_name": text(
            claimant_name,
            field="claimant_name",
            label="患方代表",
            max_length=NAME_MAX,
            required=False,
        ),
        "claimant_contact": text(
            claimant_contact, field="contact", label="联系方式", max_length=NAME_MAX, required=False
        ),
        "summary": text(summary, field="summary", label="纠纷概要", max_length=SUMMARY_MAX),
        "claim_amount": money(claim_amount, field="claim_amount", label="索赔金额"),
    }
    with transaction.atomic(durable=True):
        dispute = MedicalDispute.objects.create(
            organisation=organisation,
            entity=entity,
            occurred_on=occurred,
            reported_on=reported,
            route=route,
            created_by=actor,
            **fields,
        )
        audit.append(
            actor=actor,
            action=DisputeEvent.REGISTERED,
            obj=dispute,
            details={"entity": entity.pk, "route": route, "reported_on": reported.isoformat()},
        )
    return dispute


def dispute_change_route(
    *, actor: User, dispute: MedicalDispute, route: str, on: dt.date | None, note: str = ""
) -> MedicalDispute:
    """The dispute moves to another route (e.g. negotiation failed → the mediation committee)."""
    require_handle(actor, dispute.organisation, action=DisputeEvent.ROUTE_CHANGED)
    on = day(
        on,
        field="on",
        label="变更日期",
        not_before=dispute.route_changed_on or dispute.reported_on,
        not_before_label="登记或上次变更日期",
    )
    note = text(note, field="note", label="说明", max_length=NOTE_MAX, required=False)
    with transaction.atomic(durable=True):
        return workflow.transition(
            DISPUTE,
            dispute,
            "change_route",
            actor=actor,
            ctx={"route": route},
            changes={"route": route, "route_changed_on": on},
            details={
                "from_route": dispute.route,
                "route": route,
                "on": on.isoformat(),
                "note": note,
            },
        )


def dispute_conclude(
    *,
    actor: User,
    dispute: MedicalDispute,
    outcome: str,
    compensation: Any,
    on: dt.date | None,
    note: str = "",
) -> MedicalDispute:
    """Conclude the dispute (结案) with its outcome and the compensation in yuan (exact)."""
    require_handle(actor, dispute.organisation, action=DisputeEvent.CONCLUDED)
    amount: Decimal | None = money(compensation, field="compensation", label="赔偿（补偿）金额")
    on = day(
        on,
        field="on",
        label="结案日期",
        not_before=dispute.route_changed_on or dispute.reported_on,
        not_before_label="登记或途径变更日期",
    )
    note = text(note, field="note", label="结案说明", max_length=NOTE_MAX, required=False)
    with transaction.atomic(durable=True):
        return workflow.transition(
            DISPUTE,
            dispute,
            "conclude",
            actor=actor,
            ctx={"outcome": outcome, "compensation": amount},
            changes={
                "outcome": outcome,
                "compensation": amount,
                "concluded_on": on,
                "conclusion_note": note,
            },
            details={
                "outcome": outcome,
                "compensation": None if amount is None else str(amount),
                "on": on.isoformat(),
            },
        )
