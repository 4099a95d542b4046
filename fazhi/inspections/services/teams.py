"""Services: the team of an inspection task that no draw assigned (a higher level's imported
list): the same constraints as the draw's, checked on one day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Q

from fazhi.core import clock, errors, workflow
from fazhi.core.models import Credential, Officer, User
from fazhi.core.models.org import CredentialState
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap, require_in_scope
from fazhi.inspections.events import TaskEvents
from fazhi.inspections.models import (
    ConflictDeclaration,
    InspectionTask,
    InspectorLeave,
    InspectorProfile,
    InspectorRole,
    TaskInspector,
)
from fazhi.inspections.services.tasks import lock_task
from fazhi.inspections.workflows import TASK

# Why an officer cannot join a team (the same constraints as the draw's, checked on one day).
TEAM_PROBLEMS = {
    "not_in_pool": "不在本计划的执法检查人员名录库中",
    "credential_invalid": "当日没有有效的执法证",
    "not_qualified": "不具备该专业类别的检查资格",
    "on_leave": "当日请假",
    "conflict": "已申报与该检查对象回避",
}


def _team_problems(task: InspectionTask, officer_ids: list[int], day: dt.date) -> dict[int, str]:
    profiles = {
        p.officer_id: p
        for p in InspectorProfile.objects.filter(
            officer_id__in=officer_ids,
            in_pool=True,
            officer__is_active=True,
            organisation__path__startswith=task.plan.organisation.path,
        ).prefetch_related("categories")
    }
    valid = set(
        Credential.objects.filter(
            officer_id__in=officer_ids,
            state=CredentialState.VALID,
            issued_on__lte=day,
            expires_on__gte=day,
        ).values_list("officer_id", flat=True)
    )
    away = set(
        InspectorLeave.objects.filter(
            officer_id__in=officer_ids, start__lte=day, end__gte=day
        ).values_list("officer_id", flat=True)
    )
    conflicted = set(
        ConflictDeclaration.objects.filter(
            Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day),
            officer_id__in=officer_ids,
            entity_id=task.entity_id,
            declared_on__lte=day,
        ).values_list("officer_id", flat=True)
    )
    problems: dict[int, str] = {}
    for officer_id in officer_ids:
        profile = profiles.get(officer_id)
        if profile is None:
            problems[officer_id] = "not_in_pool"
        elif officer_id not in valid:
            problems[officer_id] = "credential_invalid"
        elif task.category_id is not None and task.category_id not in {
            c.pk for c in profile.categories.all()
        }:
            problems[officer_id] = "not_qualified"
        elif officer_id in away:
            problems[officer_id] = "on_leave"
        elif officer_id in conflicted:
            problems[officer_id] = "conflict"
    return problems


def task_assign_inspectors(
    *, actor: User, task: InspectionTask, officer_ids: Sequence[int], on: dt.date | None = None
) -> InspectionTask:
    """Assign the team of a task no draw assigned (a higher level's imported list).

    The first officer leads. Every member must meet the draw's constraints on ``on`` (today by
    default): in the plan's pool, a valid credential, qualified for the task's category, not on
    leave, no declared conflict with the entity. Only before the task has started.
    """
    require_cap(actor, Cap.INSPECTION_PLAN, action=TaskEvents.TEAM_ASSIGNED)
    require_in_scope(actor, task.organisation, action=TaskEvents.TEAM_ASSIGNED)
    day = on or clock.today()
    ids = list(dict.fromkeys(int(i) for i in officer_ids))
    size = max(2, task.plan.team_size)
    if len(ids) < size:
        raise errors.ValidationFailed(
            f"检查组至少须有{size}名执法人员。", code="team_too_small", size=size
        )
    problems = _team_problems(task, ids, day)
    if problems:
        # Names only of the plan's own officers: an id from elsewhere reads like an unknown one.
        names = dict(
            Officer.objects.filter(
                pk__in=problems, organisation__path__startswith=task.plan.organisation.path
            ).values_list("pk", "name")
        )
        text = "；".join(
            f"{names.get(k, f'编号{k}的人员')}{TEAM_PROBLEMS[v]}" for k, v in problems.items()
        )
        raise errors.ValidationFailed(
            f"以下人员不能编入检查组：{text}。",
            code="inspector_not_eligible",
            problems={str(k): v for k, v in problems.items()},
        )
    with transaction.atomic(durable=True):
        locked = lock_task(task)
        TASK.check(locked, "assign_team")
        previous = sorted(
            TaskInspector.objects.filter(task=locked).values_list("officer_id", flat=True)
        )
        TaskInspector.objects.filter(task=locked).delete()
        TaskInspector.objects.bulk_create(
            [
                TaskInspector(
                    task=locked,
                    officer_id=officer_id,
                    role=InspectorRole.LEAD if index == 0 else InspectorRole.MEMBER,
                )
                for index, officer_id in enumerate(ids)
            ]
        )
        workflow.transition(
            TASK,
            locked,
            "assign_team",
            actor=actor,
            locked=True,
            details={"officers": ids, "previous": previous, "on": day.isoformat()},
        )
    return locked
