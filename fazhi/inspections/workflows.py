"""The workflows of random inspections: plans, announcements, draws, re-draw requests, tasks.

Every state change of these rows goes through ``fazhi.core.workflow.transition`` (or
``transition_many`` for a re-draw's cancelled tasks) with one of the tables below; the services
lock, check permissions and scope, and call it. Edits that keep the state (a stratum added to a
draft plan, a finding recorded on a task in progress) are actions from a state to itself, so the
table also says when they are allowed. ``docs/workflows.md`` is generated from these tables.

A plan is announced in one of three steps, by its state: the first announcement (draft), a new
one while the announced inputs no longer match (announced, not yet drawn), and the one after an
approved re-draw (drawn). ``first_allowed`` picks the step the table allows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils import timezone

from fazhi.core import errors
from fazhi.core.workflow import Action, Guard, Workflow
from fazhi.inspections.drawv2 import earliest_event
from fazhi.inspections.events import (
    AnnouncementEvents,
    DrawEvents,
    PlanEvents,
    ReannouncementEvents,
    RedrawEvents,
    StratumEvents,
    TaskEvents,
)
from fazhi.inspections.models import (
    AnnouncementState,
    Draw,
    DrawAnnouncement,
    DrawState,
    InspectionPlan,
    InspectionTask,
    PlanKind,
    PlanState,
    ReannouncementRequest,
    RedrawRequest,
    RedrawState,
    TaskOutcome,
    TaskState,
)

# --- guards -----------------------------------------------------------------------------------


def _redraw_approved(plan: InspectionPlan, ctx: Mapping[str, Any]) -> None:
    if not RedrawRequest.objects.filter(plan=plan, state=RedrawState.APPROVED).exists():
        raise errors.InvalidTransition(
            "计划已抽取；重新抽取须先经领导批准。", code="redraw_not_approved"
        )


def _not_own_request(
    request: RedrawRequest | ReannouncementRequest, ctx: Mapping[str, Any]
) -> None:
    if request.requested_by_id == ctx["actor"].pk:
        what = "重新公告" if isinstance(request, ReannouncementRequest) else "重新抽取"
        raise errors.PermissionDenied(f"不能审批本人提出的{what}申请。", code="self_approval")


def _event_not_happened(request: ReannouncementRequest, ctx: Mapping[str, Any]) -> None:
    first = earliest_event(request.announcement.sources)
    if first is not None and ctx["now"] >= first:
        raise errors.Conflict(
            "公告声明的公开随机事件已经发生，不能再替代该公告。", code="event_already_happened"
        )


def _announced_after_approval(request: RedrawRequest, ctx: Mapping[str, Any]) -> None:
    announcement: DrawAnnouncement = ctx["announcement"]
    assert request.decided_at is not None
    if announcement.published_at < request.decided_at:
        raise errors.Conflict("重新抽取须在批准后重新公告。", code="announcement_predates_redraw")


def _not_drawn_task(task: InspectionTask, ctx: Mapping[str, Any]) -> None:
    if task.draw_id is not None:
        raise errors.InvalidTransition(
            "抽取产生的任务由抽取分派检查人员，不能手工指定。", code="drawn_task"
        )


def _findings_support_outcome(task: InspectionTask, ctx: Mapping[str, Any]) -> None:
    from fazhi.inspections.services.tasks import check_findings

    check_findings(task, ctx["outcome"])


def _recheck_due(task: InspectionTask, ctx: Mapping[str, Any]) -> None:
    if task.outcome != TaskOutcome.ORDERED_TO_CORRECT:
        raise errors.InvalidTransition("只有责令整改的任务才需要复查。", code="no_recheck_due")


def _not_rechecked(task: InspectionTask, ctx: Mapping[str, Any]) -> None:
    if task.rechecked_on is not None:
        raise errors.InvalidTransition("该任务已完成复查。", code="already_rechecked")


def _recheck_after_completion(task: InspectionTask, ctx: Mapping[str, Any]) -> None:
    if task.completed_at and ctx["on"] < timezone.localdate(task.completed_at):
        raise errors.ValidationFailed("复查日期不能早于检查完成日期。", code="bad_recheck_date")


def _not_published(task: InspectionTask, ctx: Mapping[str, Any]) -> None:
    if task.published_at is not None:
        raise errors.InvalidTransition("该任务结果已公示。", code="already_published")


def _complaint_plan(plan: InspectionPlan, ctx: Mapping[str, Any]) -> None:
    if plan.kind != PlanKind.COMPLAINT:
        raise errors.InvalidTransition(
            "只有“投诉举报核查”计划可以登记核查任务。", code="plan_not_complaint"
        )


REDRAW_APPROVED = Guard("重新抽取申请已获领导批准", _redraw_approved)
NOT_OWN_REQUEST = Guard("审批人不是申请人", _not_own_request)
EVENT_NOT_HAPPENED = Guard("被替代公告声明的公开随机事件尚未发生", _event_not_happened)
ANNOUNCED_AFTER_APPROVAL = Guard("抽取的公告发布于批准之后", _announced_after_approval)
NOT_DRAWN_TASK = Guard("任务不是抽取产生的（抽取的任务由抽取分派检查人员）", _not_drawn_task)
FINDINGS_SUPPORT_OUTCOME = Guard(
    "每个检查事项都已录入结论；未发现问题时没有不合格项，责令整改或移交立案时至少有一项不合格",
    _findings_support_outcome,
)
RECHECK_DUE = Guard("检查结果为责令整改", _recheck_due)
NOT_RECHECKED = Guard("尚未复查", _not_rechecked)
RECHECK_AFTER_COMPLETION = Guard("复查日期不早于检查完成日期", _recheck_after_completion)
NOT_PUBLISHED = Guard("结果尚未公示", _not_published)
COMPLAINT_PLAN = Guard("计划为本机构本年度的投诉举报核查计划", _complaint_plan)

# --- tables -----------------------------------------------------------------------------------

P = PlanState
PLAN: Workflow[InspectionPlan] = Workflow(
    name="inspection_plan",
    label="抽查计划",
    model=InspectionPlan,
    states=PlanState,
    initial=(P.DRAFT,),
    actions=(
        Action(
            "update", "修改计划", (P.DRAFT,), P.DRAFT, PlanEvents.UPDATED, refusal="plan_not_draft"
        ),
        Action(
            "add_stratum",
            "添加抽查分层",
            (P.DRAFT,),
            P.DRAFT,
            StratumEvents.ADDED,
            refusal="plan_not_draft",
        ),
        Action(
            "remove_stratum",
            "删除抽查分层",
            (P.DRAFT,),
            P.DRAFT,
            StratumEvents.REMOVED,
            refusal="plan_not_draft",
        ),
        Action(
            "import_tasks",
            "导入任务清单",
            (P.DRAFT,),
            P.IN_PROGRESS,
            PlanEvents.IMPORTED,
            refusal="plan_not_draft",
        ),
        # a targeted check started by a complaint joins the organisation's yearly list (created
        # on demand, in progress from its first task: no announcement, no draw; decision 0091)
        Action(
            "add_complaint_task",
            "登记投诉举报核查任务",
            (P.DRAFT, P.IN_PROGRESS),
            P.IN_PROGRESS,
            PlanEvents.COMPLAINT_TASK_ADDED,
            guards=(COMPLAINT_PLAN,),
        ),
        Action(
            "announce",
            "发布抽取公告",
            (P.DRAFT,),
            P.ANNOUNCED,
            PlanEvents.ANNOUNCED,
            refusal="plan_not_announceable",
        ),
        # allowed only when the announced lists, pool or parameters no longer match (the service
        # compares them: ``already_announced``)
        Action(
            "announce_again", "重新发布抽取公告", (P.ANNOUNCED,), P.ANNOUNCED, PlanEvents.ANNOUNCED
        ),
        Action(
            "announce_redraw",
            "为重新抽取发布公告",
            (P.DRAWN,),
            P.DRAWN,
            PlanEvents.ANNOUNCED,
            guards=(REDRAW_APPROVED,),
        ),
        Action(
            "draw",
            "抽取",
            (P.ANNOUNCED, P.DRAWN),
            P.DRAWN,
            PlanEvents.DRAWN,
            refusal="plan_not_announced",
        ),
    ),
)
ANNOUNCE_STEPS = ("announce", "announce_again", "announce_redraw")

A = AnnouncementState
ANNOUNCEMENT: Workflow[DrawAnnouncement] = Workflow(
    name="draw_announcement",
    label="抽取公告",
    model=DrawAnnouncement,
    states=AnnouncementState,
    initial=(A.PUBLISHED,),
    actions=(
        Action(
            "draw",
            "抽取",
            (A.PUBLISHED,),
            A.DRAWN,
            AnnouncementEvents.DRAWN,
            refusal="already_drawn",
        ),
        Action(
            "supersede",
            "以新公告替代",
            (A.PUBLISHED,),
            A.SUPERSEDED,
            AnnouncementEvents.SUPERSEDED,
            refusal="already_drawn",
        ),
        Action(
            "reveal",
            "登记见证人揭示值",
            (A.PUBLISHED,),
            A.PUBLISHED,
            AnnouncementEvents.WITNESS_REVEALED,
            refusal="already_drawn",
        ),
    ),
)

D = DrawState
DRAW: Workflow[Draw] = Workflow(
    name="inspection_draw",
    label="抽取记录",
    model=Draw,
    states=DrawState,
    initial=(D.EFFECTIVE,),
    actions=(
        Action("supersede", "由重新抽取替代", (D.EFFECTIVE,), D.SUPERSEDED, DrawEvents.SUPERSEDED),
    ),
)

R = RedrawState
REDRAW: Workflow[RedrawRequest] = Workflow(
    name="inspection_redraw",
    label="重新抽取申请",
    model=RedrawRequest,
    states=RedrawState,
    initial=(R.PENDING,),
    actions=(
        Action(
            "approve",
            "批准",
            (R.PENDING,),
            R.APPROVED,
            RedrawEvents.APPROVED,
            guards=(NOT_OWN_REQUEST,),
            refusal="redraw_not_pending",
        ),
        Action(
            "reject",
            "驳回",
            (R.PENDING,),
            R.REJECTED,
            RedrawEvents.REJECTED,
            guards=(NOT_OWN_REQUEST,),
            refusal="redraw_not_pending",
        ),
        Action(
            "use",
            "据以重新抽取",
            (R.APPROVED,),
            R.USED,
            RedrawEvents.USED,
            guards=(ANNOUNCED_AFTER_APPROVAL,),
            refusal="redraw_not_approved",
        ),
    ),
)

REANNOUNCE: Workflow[ReannouncementRequest] = Workflow(
    name="draw_reannouncement",
    label="重新公告申请",
    model=ReannouncementRequest,
    states=RedrawState,
    initial=(R.PENDING,),
    actions=(
        Action(
            "approve",
            "批准",
            (R.PENDING,),
            R.APPROVED,
            ReannouncementEvents.APPROVED,
            guards=(NOT_OWN_REQUEST, EVENT_NOT_HAPPENED),
            refusal="reannouncement_not_pending",
        ),
        Action(
            "reject",
            "驳回",
            (R.PENDING,),
            R.REJECTED,
            ReannouncementEvents.REJECTED,
            guards=(NOT_OWN_REQUEST,),
            refusal="reannouncement_not_pending",
        ),
        Action(
            "use",
            "据以重新公告",
            (R.APPROVED,),
            R.USED,
            ReannouncementEvents.USED,
            guards=(EVENT_NOT_HAPPENED,),
            refusal="reannouncement_not_approved",
        ),
    ),
)

T = TaskState
TASK: Workflow[InspectionTask] = Workflow(
    name="inspection_task",
    label="抽查任务",
    model=InspectionTask,
    states=TaskState,
    initial=(T.ASSIGNED,),
    actions=(
        Action(
            "assign_team",
            "确定检查组",
            (T.ASSIGNED,),
            T.ASSIGNED,
            TaskEvents.TEAM_ASSIGNED,
            guards=(NOT_DRAWN_TASK,),
            refusal="task_started",
        ),
        Action("start", "开始检查", (T.ASSIGNED,), T.IN_PROGRESS, TaskEvents.STARTED),
        Action(
            "record_finding",
            "录入检查结论",
            (T.IN_PROGRESS,),
            T.IN_PROGRESS,
            TaskEvents.FINDING_RECORDED,
            refusal="task_not_in_progress",
        ),
        Action(
            "attach_photo",
            "上传现场照片",
            (T.IN_PROGRESS,),
            T.IN_PROGRESS,
            TaskEvents.PHOTO_ATTACHED,
            refusal="task_not_in_progress",
        ),
        Action(
            "complete",
            "提交检查结果",
            (T.IN_PROGRESS,),
            T.DONE,
            TaskEvents.COMPLETED,
            guards=(FINDINGS_SUPPORT_OUTCOME,),
        ),
        Action(
            "not_inspected",
            "登记无法检查",
            (T.ASSIGNED, T.IN_PROGRESS),
            T.COULD_NOT_INSPECT,
            TaskEvents.COMPLETED,
        ),
        Action(
            "recheck",
            "登记整改复查",
            (T.DONE,),
            T.DONE,
            TaskEvents.RECHECKED,
            guards=(RECHECK_DUE, NOT_RECHECKED, RECHECK_AFTER_COMPLETION),
            refusal="no_recheck_due",
        ),
        Action(
            "publish",
            "公示检查结果",
            (T.DONE,),
            T.DONE,
            TaskEvents.PUBLISHED,
            guards=(NOT_PUBLISHED,),
            refusal="task_not_finished",
        ),
        Action(
            "publish_not_inspected",
            "公示检查结果",
            (T.COULD_NOT_INSPECT,),
            T.COULD_NOT_INSPECT,
            TaskEvents.PUBLISHED,
            guards=(NOT_PUBLISHED,),
            refusal="task_not_finished",
        ),
        # a re-draw cancels the old draw's tasks at once (``transition_many``)
        Action(
            "cancel",
            "随重新抽取作废",
            (T.ASSIGNED,),
            T.CANCELLED,
            TaskEvents.CANCELLED,
            refusal="tasks_started",
        ),
    ),
)
PUBLISH_STEPS = ("publish", "publish_not_inspected")


def first_allowed(workflow: Workflow[Any], row: Any, names: Sequence[str]) -> str:
    """The one of ``names`` whose sources hold ``row``'s state; else the first, whose refusal
    then says why (steps of one act that differ only in the state they start from)."""
    return next((name for name in names if workflow.allows(row, name)), names[0])
