"""Background jobs of inspections: publishing a plan's finished results (一公开) in bulk (kinds in
``fazhi.core.jobs``; decision 0014).

The job publishes in steps of ``PUBLISH_STEP`` tasks, each step one call of
``plan_publish_results`` (one transaction), so its progress is visible while it runs and a failure
keeps what earlier steps published; a retry goes on with the rest. Each publication is the same
audit event and deadline closure as publishing one task.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from fazhi.core import clock, exports, jobs
from fazhi.core.jobs import Outcome, OutputFile, Progress
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


# --- exporting the task list --------------------------------------------------------------------

EXPORT = "inspections.task_export"
# the task list's filters an export carries (``task_list`` keyword arguments)
EXPORT_FILTERS = (
    "q",
    "state",
    "outcome",
    "plan_id",
    "inspector_id",
    "organisation_id",
    "year",
    "category",
)
EXPORT_FLAGS = ("finished", "problems", "referred", "case_filed", "joint")
EXPORT_HEADERS = (
    "任务编号",
    "检查对象",
    "统一社会信用代码",
    "专业类别",
    "抽查计划",
    "实施机构",
    "检查人员",
    "状态",
    "检查结果",
    "是否公示",
)


def task_export_enqueue(*, actor: User, filters: dict[str, Any]) -> Job:
    """Export the user's filtered task list (every row, no cap) to an .xlsx in the background."""
    require_cap(actor, Cap.INSPECTION_VIEW, action=TaskEvents.LISTED)
    assert actor.organisation is not None
    known = {k: v for k, v in filters.items() if k in EXPORT_FILTERS + EXPORT_FLAGS and v}
    return job_enqueue(
        actor=actor, kind=EXPORT, organisation=actor.organisation, params={"filters": known}
    )


def _task_row(task: Any) -> list[Any]:
    inspectors = "、".join(ti.officer.name for ti in task.task_inspectors.all())
    return [
        task.number,
        task.entity.name,
        task.entity.uscc,
        task.category.name,
        task.plan.title,
        task.organisation.name,
        inspectors,
        task.get_state_display(),
        task.get_outcome_display() if task.outcome else "",
        "是" if task.published_at else "否",
    ]


@jobs.kind(EXPORT, "抽查任务导出", cap=Cap.INSPECTION_VIEW, writes=False, unit="项", rerun=True)
def task_export(job: Job, progress: Progress) -> Outcome:
    actor = jobs.starter(job)
    raw: dict[str, Any] = dict(jobs.param(job, "filters"))
    filters = {k: v for k, v in raw.items() if k in EXPORT_FILTERS + EXPORT_FLAGS}
    tasks = task_list(user=actor, **filters)
    total = tasks.count()
    rows = [
        _task_row(task)
        for task in jobs.counted(
            tasks.iterator(chunk_size=500), progress, message="导出任务", total=lambda: total
        )
    ]
    content = exports.xlsx_bytes([("抽查任务", EXPORT_HEADERS, rows)])
    name = f"抽查任务-{clock.today().isoformat()}.xlsx"
    return Outcome(f"已导出{len(rows)}项抽查任务。", file=OutputFile(name=name, content=content))
