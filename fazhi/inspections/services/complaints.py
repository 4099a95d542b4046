"""Services: targeted inspection tasks started by a complaint (投诉举报核查).

Random checks are drawn; a complaint (a hotline ticket, a petition about an institution) is
checked in a targeted way, outside the draw. Such a task joins its organisation's yearly plan of
kind ``complaint`` ("YYYY年投诉举报核查"), created on the first complaint of the year and in
progress from then on (no strata, no announcement, no draw). The task records its origin — the
matter, its label for the task page, the reason given — and then goes through the ordinary task
workflow: team (``services.teams``), start, findings, completion, publicity. Decision 0091.

``task_open_for_complaint`` runs inside the calling service's transaction (the matter's step),
as ``enforcement.services.leads.case_lead_create`` does.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, connection, models, transaction

from fazhi.core import audit, clock, errors, inputs, workflow
from fazhi.core.models import Organisation, User
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap, require_in_scope
from fazhi.inspections.events import PlanEvents, TaskEvents
from fazhi.inspections.models import InspectionPlan, InspectionTask, PlanKind, TaskState
from fazhi.inspections.workflows import PLAN
from fazhi.registry.models import Entity, SupervisionCategory

REASON_MAX = 2_000
LABEL_MAX = 100
NUMBER_PREFIX = "TS"


def complaint_plan_title(year: int) -> str:
    return f"{year}年投诉举报核查"


def _plan_for(actor: User, organisation: Organisation, year: int) -> InspectionPlan:
    """The organisation's plan of complaint checks for ``year``, locked; created (a draft the
    first task moves on) when this is the year's first complaint check."""
    found = (
        InspectionPlan.objects.select_for_update()
        .filter(organisation=organisation, kind=PlanKind.COMPLAINT, year=year)
        .first()
    )
    if found is not None:
        return found
    try:
        with transaction.atomic():  # a savepoint: a concurrent first complaint wins the race
            plan = InspectionPlan.objects.create(
                organisation=organisation,
                kind=PlanKind.COMPLAINT,
                year=year,
                title=complaint_plan_title(year),
                window_start=dt.date(year, 1, 1),
                window_end=dt.date(year, 12, 31),
                notes="投诉举报、转办交办等线索的针对性检查，不经随机抽取（由系统按需建立）。",
                created_by=actor,
            )
    except IntegrityError:
        return InspectionPlan.objects.select_for_update().get(
            organisation=organisation, kind=PlanKind.COMPLAINT, year=year
        )
    audit.append(
        actor=actor,
        action=PlanEvents.CREATED,
        obj=plan,
        details={"title": plan.title, "kind": PlanKind.COMPLAINT, "year": year},
    )
    return plan


def _next_number(plan: InspectionPlan) -> str:
    count = InspectionTask.objects.filter(plan=plan).count()
    return f"{NUMBER_PREFIX}{plan.year}-{count + 1:04d}"


def check_complaint_target(
    *, organisation: Organisation, entity: Entity | None, category: SupervisionCategory | None
) -> tuple[Entity, SupervisionCategory]:
    """The institution complained about (in the organisation's subtree, still registered) and
    the category to check it under (active)."""
    if entity is None:
        raise errors.ValidationFailed(
            "启动核查须选择被投诉的单位。", code="entity_required", field="entity"
        )
    if not entity.organisation.path.startswith(organisation.path):
        raise errors.ValidationFailed(
            "涉及单位不在该机构的监管范围内。", code="entity_out_of_reach", field="entity"
        )
    if not entity.is_active:
        raise errors.ValidationFailed(
            "该单位已不在名录库中（已停用），不能开启检查任务。",
            code="entity_inactive",
            field="entity",
        )
    if category is None:
        raise errors.ValidationFailed(
            "请选择检查的专业类别。", code="category_required", field="category"
        )
    if not category.is_active:
        raise errors.ValidationFailed(
            "该专业类别已停用。", code="category_inactive", field="category"
        )
    return entity, category


def task_open_for_complaint(
    *,
    actor: User,
    organisation: Organisation,
    entity: Entity | None,
    category: SupervisionCategory | None,
    reason: str,
    origin: models.Model,
    origin_label: str,
) -> InspectionTask:
    """Open a targeted inspection task of ``entity`` for a complaint received by
    ``organisation``, inside the caller's transaction; ``origin`` is the matter (its page
    links back), ``origin_label`` names it ("热线工单 …号"). The task starts ``assigned`` with
    no team: the organisation's planners choose it (``task_assign_inspectors``)."""
    if not connection.in_atomic_block:
        raise RuntimeError("task_open_for_complaint must run inside the caller's transaction")
    require_cap(actor, Cap.INSPECTION_COMPLAINT, action=TaskEvents.OPENED_FOR_COMPLAINT)
    require_in_scope(actor, organisation, action=TaskEvents.OPENED_FOR_COMPLAINT)
    entity, category = check_complaint_target(
        organisation=organisation, entity=entity, category=category
    )
    reason = inputs.text(reason, field="reason", label="核查事由", max_length=REASON_MAX)
    label = str(origin_label or "").strip()[:LABEL_MAX]
    if origin.pk is None or not label:
        raise errors.ValidationFailed("核查任务须注明来源。", code="origin_required")
    plan = _plan_for(actor, organisation, clock.today().year)
    PLAN.check(plan, "add_complaint_task")
    task = InspectionTask.objects.create(
        plan=plan,
        entity=entity,
        organisation_id=entity.organisation_id,
        category=category,
        number=_next_number(plan),
        state=TaskState.ASSIGNED,
        origin=origin,
        origin_label=label,
        origin_reason=reason,
    )
    workflow.transition(
        PLAN,
        plan,
        "add_complaint_task",
        actor=actor,
        locked=True,
        changes={"updated_at": clock.now()},
        details={"task": task.number, "origin": label},
    )
    audit.append(
        actor=actor,
        action=TaskEvents.OPENED_FOR_COMPLAINT,
        obj=task,
        details={"entity_id": entity.pk, "category_id": category.pk, "origin": label},
    )
    return task
