"""Services: a complaint starts a targeted inspection (投诉举报核查).

A complaint ticket (``hotline``) or a petition about an institution, while it is being handled,
may open an inspection task of the institution complained about: the inspections service
``task_open_for_complaint`` runs inside the matter's transaction (as ``case_lead_create`` does
for a case lead), once per matter (``inspection_exists``), and the matter keeps the task
(``inspection_task``) so its page links to it; the task names the matter as its origin. The
matter stays open for its own reply. Decision 0091.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from fazhi.core import errors, workflow
from fazhi.core.models import User
from fazhi.core.workflow import Workflow
from fazhi.inspections.services.complaints import task_open_for_complaint
from fazhi.matters.events import MatterEvent
from fazhi.matters.models import Matter, MatterKind
from fazhi.matters.services._common import require_handle
from fazhi.matters.workflows import HOTLINE, PETITION

if TYPE_CHECKING:
    from fazhi.registry.models import Entity, SupervisionCategory


def origin_label(matter: Matter) -> str:
    """How the task page names the matter: the ticket's platform number, or the petition's."""
    if matter.kind == MatterKind.HOTLINE:
        return f"热线工单{matter.ticket.ticket_no}号"
    return f"信访事项{matter.pk}号"


TABLES: dict[str, Workflow[Matter]] = {MatterKind.HOTLINE: HOTLINE, MatterKind.PETITION: PETITION}


def _start_inspection(
    *,
    actor: User,
    matter: Matter,
    kind: str,
    entity: Entity | None,
    category: SupervisionCategory | None,
    reason: str,
) -> Matter:
    if matter.kind != kind:
        raise errors.NotFound("没有该办理步骤。", code="unknown_step")
    table = TABLES[kind]
    require_handle(actor, matter.organisation, action=MatterEvent.INSPECTION_STARTED)
    entity = entity or matter.entity
    with transaction.atomic(durable=True):
        table.check(matter, "inspection")  # nothing created for a matter that may not
        task = task_open_for_complaint(
            actor=actor,
            organisation=matter.organisation,
            entity=entity,
            category=category,
            reason=reason or matter.title,
            origin=matter,
            origin_label=origin_label(matter),
        )
        matter = workflow.transition(
            table,
            matter,
            "inspection",
            actor=actor,
            changes={"inspection_task": task, "entity": task.entity},
            details={"inspection_task": task.pk, "number": task.number, "entity": task.entity_id},
        )
    return matter


def hotline_start_inspection(
    *,
    actor: User,
    matter: Matter,
    entity: Entity | None = None,
    category: SupervisionCategory | None = None,
    reason: str = "",
) -> Matter:
    """A complaint ticket starts a targeted inspection of the institution complained about; the
    ticket stays open for its reply to the platform."""
    return _start_inspection(
        actor=actor,
        matter=matter,
        kind=MatterKind.HOTLINE,
        entity=entity,
        category=category,
        reason=reason,
    )


def petition_start_inspection(
    *,
    actor: User,
    matter: Matter,
    entity: Entity | None = None,
    category: SupervisionCategory | None = None,
    reason: str = "",
) -> Matter:
    """A petition (accepted, being handled) complaining about an institution starts a targeted
    inspection of it; the petition is answered in writing as usual, the check's result in hand."""
    return _start_inspection(
        actor=actor,
        matter=matter,
        kind=MatterKind.PETITION,
        entity=entity,
        category=category,
        reason=reason,
    )
