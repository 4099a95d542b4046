"""Services: publishing inspection results on the portal (一公开).

A finished task's result is published once; publishing meets the task's result publicity deadline
(rule ``inspection.result_publicity``, opened when the task was completed).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from fazhi.core import clock, workflow
from fazhi.core.models import User
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap, require_in_scope
from fazhi.inspections.events import TaskEvents
from fazhi.inspections.models import (
    InspectionPlan,
    InspectionTask,
)
from fazhi.inspections.services.tasks import (
    FINISHED_STATES,
    PUBLICITY_RULE,
    close_task_deadlines,
    lock_task,
)
from fazhi.inspections.workflows import PUBLISH_STEPS, TASK, first_allowed


def task_publish(*, actor: User, task: InspectionTask) -> InspectionTask:
    """Publish a finished task's result on the portal (一公开); meets its publicity deadline."""
    require_cap(actor, Cap.INSPECTION_PLAN, action=TaskEvents.PUBLISHED)
    require_in_scope(actor, task.organisation, action=TaskEvents.PUBLISHED)
    with transaction.atomic(durable=True):
        locked = lock_task(task)
        _publish_locked(actor, locked)
    return locked


def _publish_locked(actor: User, task: InspectionTask) -> None:
    # done or could not inspect: the same step from either finished state
    step = first_allowed(TASK, task, PUBLISH_STEPS)
    workflow.transition(
        TASK, task, step, actor=actor, locked=True, changes={"published_at": clock.now()}
    )
    assert task.published_at is not None
    close_task_deadlines(
        actor=actor, task=task, rule_key=PUBLICITY_RULE, on=timezone.localdate(task.published_at)
    )


def plan_publish_results(*, actor: User, plan: InspectionPlan, limit: int | None = None) -> int:
    """Publish every finished, unpublished task of ``plan`` (at most ``limit`` of them, in id
    order: the background job publishes a large plan in steps); returns how many."""
    require_cap(actor, Cap.INSPECTION_PLAN, action=TaskEvents.PUBLISHED)
    require_in_scope(actor, plan.organisation, action=TaskEvents.PUBLISHED)
    with transaction.atomic(durable=True):
        tasks: Iterable[InspectionTask] = (
            InspectionTask.objects.select_for_update()
            .filter(plan=plan, state__in=FINISHED_STATES, published_at__isnull=True)
            .order_by("id")
        )[:limit]
        count = 0
        for task in tasks:
            _publish_locked(actor, task)
            count += 1
    return count
