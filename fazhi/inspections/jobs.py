"""Background jobs of inspections: publishing a plan's finished results (一公开) in bulk (kinds in
``fazhi.core.jobs``; decision 0014).

The job publishes in steps of ``PUBLISH_STEP`` tasks, each step one call of
``plan_publish_results`` (one transaction), so its progress is visible while it runs and a failure
keeps what earlier steps published; a retry goes on with the rest. Each publication is the same
audit event and deadline closure as publishing one task.
"""

from __future__ import annotations

from django.urls import reverse

from fazhi.core import jobs
from fazhi.core.jobs import Outcome, Progress
from fazhi.core.models import Job, User
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap, require_in_scope
from fazhi.core.services.jobs import job_enqueue
from fazhi.inspections.events import TaskEvents
from fazhi.inspections.models import InspectionPlan
from fazhi.inspections.selectors.plans import plan_get
from fazhi.inspections.selectors.tasks import task_list
from fazhi.inspections.services import publicity as publicity_services

PUBLISH = "inspections.plan_publish_results"
PUBLISH_STEP = 200


def plan_publish_results_enqueue(*, actor: User, plan: InspectionPlan) -> Job:
    """Publish every finished, unpublished result of ``plan`` in the background (one job per
    plan at a time: starting it again answers the running one)."""
    require_cap(actor, Cap.INSPECTION_PLAN, action=TaskEvents.PUBLISHED)
    require_in_scope(actor, plan.organisation, action=TaskEvents.PUBLISHED)
    return job_enqueue(
        actor=actor, kind=PUBLISH, organisation=plan.organisation, params={"plan": plan.pk}
    )


def _task_list_link(job: Job) -> tuple[str, str]:
    plan = jobs.param(job, "plan")
    return "查看本计划的任务", reverse("inspections:task_list") + f"?plan={int(plan)}"


@jobs.kind(
    PUBLISH,
    "公示抽查计划的检查结果",
    cap=Cap.INSPECTION_PLAN,
    unique=True,
    unit="项",
    result_link=_task_list_link,
    rerun=True,  # publishes what has finished since
)
def publish_results(job: Job, progress: Progress) -> Outcome:
    actor = jobs.starter(job)
    plan = plan_get(user=actor, pk=int(jobs.param(job, "plan")))
    total = (
        task_list(user=actor, plan_id=plan.pk, finished=True)
        .filter(published_at__isnull=True)
        .count()
    )
    done = 0
    progress(0, total, "正在公示检查结果")
    while published := publicity_services.plan_publish_results(
        actor=actor, plan=plan, limit=PUBLISH_STEP
    ):
        done += published
        progress(done, max(total, done))
    return Outcome(f"已公示{done}项检查结果。", result=plan)
