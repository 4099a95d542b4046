"""Credit audit events: credit records, practice points and the red and black lists."""

from __future__ import annotations

from fazhi.core.events import EventName


class CreditEvent(EventName):
    RECORDED = "credit_record.recorded", "记入信用记录"
    WITHDRAWN = "credit_record.withdrawn", "撤回信用记录（处罚决定被撤销）"
    LISTED = "credit_record.listed", "查看信用记录列表"
    EXPORTED = "credit_record.exported", "导出信用记录"


class PointsEvent(EventName):
    RECORDED = "point_entry.recorded", "不良执业行为记分（关联省规则包）"
    LISTED = "point_entry.listed", "查看不良执业行为记分"
    EXPORTED = "point_entry.exported", "导出不良执业行为记分"
    ALERT_RAISED = "points_alert.raised", "记分达到处理门槛"
    ALERT_HANDLED = "points_alert.handled", "处理记分门槛提示"
    ALERT_LISTED = "points_alert.listed", "查看记分门槛提示"


class CreditListEvent(EventName):
    ENTERED = "credit_list.entered", "列入红黑名单并公示"
    REPAIR_APPLIED = "credit_list.repair_applied", "登记信用修复申请"
    REPAIR_APPROVED = "credit_list.repair_approved", "批准信用修复并移出名单"
    REPAIR_REJECTED = "credit_list.repair_rejected", "不予信用修复"
    REMOVED = "credit_list.removed", "移出红名单"
    BASIS_REVOKED = "credit_list.basis_revoked", "处罚决定被撤销，移出名单"
    LISTED = "credit_list.listed", "查看红黑名单"
    EXPORTED = "credit_list.exported", "导出红黑名单"
    VIEWED = "credit_list.viewed", "查看红黑名单条目"


EVENTS = (CreditEvent, PointsEvent, CreditListEvent)

LEGACY: dict[str, tuple[str, str]] = {}
