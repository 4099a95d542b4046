"""Selectors: inspection tasks. A user reads the tasks of their scope and, wherever they are,
the tasks they are assigned to; a user who may neither view inspections nor record results is
refused."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from fazhi.core.events import EventName
from fazhi.core.models import User
from fazhi.core.roles import Cap
from fazhi.core.scope import get_scoped, has_cap, organisation_filter, require_cap
from fazhi.enforcement.models import CaseLead, CaseLeadState
from fazhi.inspections.events import InspectorEvents, TaskEvents
from fazhi.inspections.models import (
    InspectionTask,
    InspectorProfile,
    TaskFinding,
    TaskInspector,
    TaskOutcome,
    TaskPhoto,
    TaskState,
)
from fazhi.registry.models import Entity

OPEN_STATES = (TaskState.ASSIGNED, TaskState.IN_PROGRESS)


def _visible(user: User, action: EventName) -> QuerySet[InspectionTask]:
    mine = Q(task_inspectors__officer__user=user)
    if has_cap(user, Cap.INSPECTION_VIEW):
        ids = InspectionTask.objects.filter(organisation_filter(user) | mine).values("pk")
        return InspectionTask.objects.filter(pk__in=ids)
    require_cap(user, Cap.INSPECTION_RECORD, action=action)
    return InspectionTask.objects.filter(pk__in=InspectionTask.objects.filter(mine).values("pk"))


def _list_related(qs: QuerySet[InspectionTask]) -> QuerySet[InspectionTask]:
    return qs.select_related("plan", "entity", "category", "organisation").prefetch_related(
        Prefetch(
            "task_inspectors",
            queryset=TaskInspector.objects.select_related("officer").order_by("role", "officer_id"),
        )
    )


def task_list(
    *,
    user: User,
    mine: bool = False,
    state: str | None = None,
    plan_id: int | None = None,
    outcome: str | None = None,
    open_only: bool = False,
    year: int | None = None,
    category: str | None = None,
    finished: bool = False,
    problems: bool = False,
    referred: bool = False,
    case_filed: bool = False,
    joint: bool = False,
    q: str = "",
    inspector_id: int | None = None,
    organisation_id: int | None = None,
) -> QuerySet[InspectionTask]:
    """Tasks the user may read. The filters after ``open_only`` are the ones the figures link
    to (``selectors.figures``), so every figure opens the list of its records; ``q`` finds a
    task by its entity's name or code, or its number."""
    qs = _visible(user, TaskEvents.LISTED)
    if q:
        qs = qs.filter(
            Q(entity__name__icontains=q) | Q(entity__uscc__startswith=q) | Q(number__icontains=q)
        )
    if inspector_id is not None:
        qs = qs.filter(task_inspectors__officer_id=inspector_id)
    if organisation_id is not None:
        qs = qs.filter(organisation_id=organisation_id)
    if mine:
        qs = qs.filter(task_inspectors__officer__user=user)
    if state:
        qs = qs.filter(state=state)
    if open_only:
        qs = qs.filter(state__in=OPEN_STATES)
    if plan_id is not None:
        qs = qs.filter(plan_id=plan_id)
    if outcome:
        qs = qs.filter(outcome=outcome)
    if year is not None:
        qs = qs.filter(plan__year=year)
    if category:
        qs = qs.filter(category__code=category)
    if finished:
        qs = qs.filter(state__in=(TaskState.DONE, TaskState.COULD_NOT_INSPECT))
    if problems:
        qs = qs.filter(
            state=TaskState.DONE,
            outcome__in=(TaskOutcome.ORDERED_TO_CORRECT, TaskOutcome.REFERRED),
        )
    if referred:
        qs = qs.filter(case_lead__isnull=False)
    if case_filed:
        qs = qs.filter(case_lead__state=CaseLeadState.FILED)
    if joint:
        qs = qs.filter(plan__is_joint=True)
    if any((year, category, finished, problems, referred, joint)) and state is None:
        qs = qs.exclude(state=TaskState.CANCELLED)
    return _list_related(qs).order_by("state", "plan__window_end", "number", "id")


def my_tasks(*, user: User, open_only: bool = True) -> QuerySet[InspectionTask]:
    """The phone page's list: tasks the user is assigned to, open ones first."""
    require_cap(user, Cap.INSPECTION_RECORD, action=TaskEvents.LISTED)
    return task_list(user=user, mine=True, open_only=open_only)


def task_get(*, user: User, pk: int) -> InspectionTask:
    return get_scoped(
        _list_related(_visible(user, TaskEvents.VIEWED)).prefetch_related(
            Prefetch("findings", queryset=TaskFinding.objects.select_related("item")),
            Prefetch("photos", queryset=TaskPhoto.objects.select_related("attachment")),
        ),
        pk,
    )


def task_case_lead(task: InspectionTask) -> CaseLead | None:
    return CaseLead.objects.filter(source_task=task).first()


def entity_inspection_history(*, user: User, entity: Entity) -> QuerySet[InspectionTask]:
    """Inspection history of an entity, for the registry's entity detail page."""
    require_cap(user, Cap.INSPECTION_VIEW, action=TaskEvents.LISTED)
    return (
        _list_related(_visible(user, TaskEvents.LISTED).filter(entity=entity))
        .exclude(state=TaskState.CANCELLED)
        .order_by("-created_at", "-id")
    )


def team_candidates(*, user: User, task: InspectionTask) -> QuerySet[InspectorProfile]:
    """Officers of the plan's pool who may be offered for a task's team (a task no draw
    assigned); the service checks each one's constraints on the day."""
    require_cap(user, Cap.INSPECTION_PLAN, action=InspectorEvents.LISTED)
    return (
        InspectorProfile.objects.filter(
            in_pool=True,
            officer__is_active=True,
            organisation__path__startswith=task.plan.organisation.path,
        )
        .select_related("officer")
        .order_by("officer__name", "officer_id")
    )
