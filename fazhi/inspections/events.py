"""The audit events of random inspections, and the names of what a refused request attempted.

One shape, ``<entity>.<verb in the past tense>`` (``fazhi.core.events``). A refused write is named
by the event it would have written (``inspection_task.completed``), a refused read by
``<entity>.viewed`` or ``<entity>.listed``. ``LEGACY`` keeps a Chinese label for the names the
app used before (``inspection.drawn``, ``task.complete``, ...), which stay in existing chains.
"""

from __future__ import annotations

from fazhi.core.events import EventName


class PlanEvents(EventName):
    CREATED = "inspection_plan.created", "创建抽查计划"
    UPDATED = "inspection_plan.updated", "修改抽查计划"
    IMPORTED = "inspection_plan.imported", "导入上级下达的任务清单"
    ANNOUNCED = "inspection_plan.announced", "发布抽取公告"
    DRAWN = "inspection_plan.drawn", "抽取检查对象和检查人员"
    LISTED = "inspection_plan.listed", "查看抽查计划列表"
    VIEWED = "inspection_plan.viewed", "查看抽查计划"
    COMPLAINT_TASK_ADDED = "inspection_plan.complaint_task_added", "登记投诉举报核查任务"


class StratumEvents(EventName):
    ADDED = "plan_stratum.added", "添加抽查分层"
    REMOVED = "plan_stratum.removed", "删除抽查分层"


class AnnouncementEvents(EventName):
    DRAWN = "draw_announcement.drawn", "抽取公告已用于抽取"
    SUPERSEDED = "draw_announcement.superseded", "抽取公告被新公告替代"
    LISTED = "draw_announcement.listed", "查看抽取公告列表"
    VIEWED = "draw_announcement.viewed", "查看抽取公告"
    WITNESS_REVEALED = "draw_announcement.witness_revealed", "见证人揭示秘密值"


class ReannouncementEvents(EventName):
    REQUESTED = "draw_reannouncement.requested", "申请重新公告"
    APPROVED = "draw_reannouncement.approved", "批准重新公告"
    REJECTED = "draw_reannouncement.rejected", "驳回重新公告申请"
    USED = "draw_reannouncement.used", "按批准重新公告"


class DrawEvents(EventName):
    REFUSED = "inspection_draw.refused", "抽取被拒绝"
    SUPERSEDED = "inspection_draw.superseded", "抽取被重新抽取替代"
    LISTED = "inspection_draw.listed", "查看抽取记录"
    VIEWED = "inspection_draw.viewed", "查看抽取结果"
    EXPORTED = "inspection_draw.exported", "导出抽取结果"


class RedrawEvents(EventName):
    REQUESTED = "inspection_redraw.requested", "申请重新抽取"
    APPROVED = "inspection_redraw.approved", "批准重新抽取"
    REJECTED = "inspection_redraw.rejected", "驳回重新抽取申请"
    USED = "inspection_redraw.used", "按批准重新抽取"
    LISTED = "inspection_redraw.listed", "查看重新抽取申请"
    VIEWED = "inspection_redraw.viewed", "查看重新抽取申请"


class TaskEvents(EventName):
    STARTED = "inspection_task.started", "开始检查"
    FINDING_RECORDED = "inspection_task.finding_recorded", "录入检查结论"
    PHOTO_ATTACHED = "inspection_task.photo_attached", "上传现场照片"
    COMPLETED = "inspection_task.completed", "提交检查结果"
    RECHECKED = "inspection_task.rechecked", "登记整改复查"
    PUBLISHED = "inspection_task.published", "公示检查结果"
    TEAM_ASSIGNED = "inspection_task.team_assigned", "确定检查组"
    CANCELLED = "inspection_task.cancelled", "作废任务（抽取被替代）"
    OPENED_FOR_COMPLAINT = "inspection_task.opened_for_complaint", "开启投诉举报核查任务"
    LISTED = "inspection_task.listed", "查看抽查任务列表"
    VIEWED = "inspection_task.viewed", "查看抽查任务"


class ItemEvents(EventName):
    CREATED = "inspection_item.created", "新增抽查事项"
    UPDATED = "inspection_item.updated", "修改抽查事项"
    DEACTIVATED = "inspection_item.deactivated", "停用抽查事项"
    REACTIVATED = "inspection_item.reactivated", "重新启用抽查事项"
    LISTED = "inspection_item.listed", "查看抽查事项清单"
    VIEWED = "inspection_item.viewed", "查看抽查事项"


class InspectorEvents(EventName):
    ENROLLED = "inspector.enrolled", "纳入执法检查人员名录库"
    UPDATED = "inspector.updated", "修改检查人员资格"
    LEFT_POOL = "inspector.left_pool", "移出执法检查人员名录库"
    RETURNED_TO_POOL = "inspector.returned_to_pool", "重新纳入执法检查人员名录库"
    LEAVE_ADDED = "inspector.leave_added", "登记请假或外出"
    LEAVE_CANCELLED = "inspector.leave_cancelled", "取消请假或外出"
    LISTED = "inspector.listed", "查看执法检查人员名录库"
    VIEWED = "inspector.viewed", "查看执法检查人员"
    LEAVES_LISTED = "inspector.leaves_listed", "查看请假与外出记录"


class ConflictEvents(EventName):
    DECLARED = "conflict.declared", "申报回避"
    WITHDRAWN = "conflict.withdrawn", "撤回回避申报"
    LISTED = "conflict.listed", "查看回避申报"


class FigureEvents(EventName):
    VIEWED = "inspection_figures.viewed", "查看抽查统计"


ALL: tuple[type[EventName], ...] = (
    PlanEvents,
    StratumEvents,
    AnnouncementEvents,
    DrawEvents,
    RedrawEvents,
    ReannouncementEvents,
    TaskEvents,
    ItemEvents,
    InspectorEvents,
    ConflictEvents,
    FigureEvents,
)


def _old(new: EventName) -> tuple[str, str]:
    return str(new), new.label


# Names used before the one shape: audit events ("inspection.drawn") and the actions recorded
# with refusals ("task.complete"). Old chains keep them; they keep their Chinese labels here.
LEGACY: dict[str, tuple[str, str]] = {
    # audit events
    "inspection.plan_created": _old(PlanEvents.CREATED),
    "inspection.plan_updated": _old(PlanEvents.UPDATED),
    "inspection.stratum_added": _old(StratumEvents.ADDED),
    "inspection.stratum_removed": _old(StratumEvents.REMOVED),
    "inspection.tasks_imported": _old(PlanEvents.IMPORTED),
    "inspection.plan_announced": _old(PlanEvents.ANNOUNCED),
    "inspection.drawn": _old(PlanEvents.DRAWN),
    "inspection.draw_refused": _old(DrawEvents.REFUSED),
    "inspection.redraw_requested": _old(RedrawEvents.REQUESTED),
    "inspection.redraw_approved": _old(RedrawEvents.APPROVED),
    "inspection.redraw_rejected": _old(RedrawEvents.REJECTED),
    # attempted actions of refused requests
    "inspection.plan_create": _old(PlanEvents.CREATED),
    "inspection.plan_update": _old(PlanEvents.UPDATED),
    "inspection.plan_import_tasks": _old(PlanEvents.IMPORTED),
    "inspection.plan_announce": _old(PlanEvents.ANNOUNCED),
    "inspection.draw_run": _old(PlanEvents.DRAWN),
    "inspection.plan_list": _old(PlanEvents.LISTED),
    "inspection.plan_get": _old(PlanEvents.VIEWED),
    "inspection.plan_draw_steps": _old(PlanEvents.VIEWED),
    "inspection.stratum_add": _old(StratumEvents.ADDED),
    "inspection.stratum_remove": _old(StratumEvents.REMOVED),
    "inspection.announcement_list": _old(AnnouncementEvents.LISTED),
    "inspection.announcement_get": _old(AnnouncementEvents.VIEWED),
    "inspection.draw_list": _old(DrawEvents.LISTED),
    "inspection.draw_get": _old(DrawEvents.VIEWED),
    "inspection.draw_task_list": _old(TaskEvents.LISTED),
    "inspection.draw_export": _old(DrawEvents.EXPORTED),
    "inspection.redraw_request": _old(RedrawEvents.REQUESTED),
    "inspection.redraw_decide": ("", "审批重新抽取申请"),
    "inspection.redraw_list": _old(RedrawEvents.LISTED),
    "inspection.redraw_get": _old(RedrawEvents.VIEWED),
    "task.start": _old(TaskEvents.STARTED),
    "task.record_finding": _old(TaskEvents.FINDING_RECORDED),
    "task.attach_photo": _old(TaskEvents.PHOTO_ATTACHED),
    "task.complete": _old(TaskEvents.COMPLETED),
    "task.recheck": _old(TaskEvents.RECHECKED),
    "task.publish": _old(TaskEvents.PUBLISHED),
    "task.assign_inspectors": _old(TaskEvents.TEAM_ASSIGNED),
    "task.mine": _old(TaskEvents.LISTED),
    "task.team_candidates": _old(InspectorEvents.LISTED),
    "plan.publish_results": _old(TaskEvents.PUBLISHED),
    "entity.inspection_history": _old(TaskEvents.LISTED),
    "item.create": _old(ItemEvents.CREATED),
    "item.update": _old(ItemEvents.UPDATED),
    "item.deactivate": _old(ItemEvents.DEACTIVATED),
    "item.reactivate": _old(ItemEvents.REACTIVATED),
    "item.list": _old(ItemEvents.LISTED),
    "item.get": _old(ItemEvents.VIEWED),
    "inspector.enrol": _old(InspectorEvents.ENROLLED),
    "inspector.update": _old(InspectorEvents.UPDATED),
    "inspector.leave_pool": _old(InspectorEvents.LEFT_POOL),
    "inspector.return_to_pool": _old(InspectorEvents.RETURNED_TO_POOL),
    "inspector.leave_add": _old(InspectorEvents.LEAVE_ADDED),
    "inspector.leave_cancel": _old(InspectorEvents.LEAVE_CANCELLED),
    "pool.list": _old(InspectorEvents.LISTED),
    "pool.get": _old(InspectorEvents.VIEWED),
    "pool.eligible": _old(InspectorEvents.LISTED),
    "officer.get": _old(InspectorEvents.VIEWED),
    "leave.list": _old(InspectorEvents.LEAVES_LISTED),
    "conflict.declare": _old(ConflictEvents.DECLARED),
    "conflict.withdraw": _old(ConflictEvents.WITHDRAWN),
    "conflict.list": _old(ConflictEvents.LISTED),
    "figures.year": _old(FigureEvents.VIEWED),
    "figures.plan": _old(FigureEvents.VIEWED),
    "figures.plans": _old(FigureEvents.VIEWED),
    "figures.years": _old(FigureEvents.VIEWED),
}
