"""Incoming matters' audit events (``matter.<verb>``): every clock of a matter is rebuilt from
these and from its deadlines' own events."""

from __future__ import annotations

from fazhi.core.events import EventName


class MatterEvent(EventName):
    RECEIVED = "matter.received", "登记来件"
    ACCEPTED = "matter.accepted", "受理并告知"
    ROUTED = "matter.routed", "导入其他程序并告知"
    EXTENDED = "matter.extended", "批准延长办理期限"
    REPLIED = "matter.replied", "作出书面答复"
    REVIEW_REQUESTED = "matter.review_requested", "登记复查（复核）请求"
    REVIEWED = "matter.reviewed", "作出复查（复核）意见"
    CLOSED = "matter.closed", "办结"
    REOPENED = "matter.reopened", "重新办理"
    CORRECTION_REQUESTED = "matter.correction_requested", "告知补正"
    CORRECTED = "matter.corrected", "收到补正申请"
    ABANDONED = "matter.abandoned", "逾期不补正视为放弃"
    CONSULTATION_STARTED = "matter.consultation_started", "征求第三方意见"
    CONSULTATION_ENDED = "matter.consultation_ended", "第三方意见征求结束"
    OPINION_SUBMITTED = "matter.opinion_submitted", "向主办单位提交协办意见"
    FOLLOWED_UP = "matter.followed_up", "不满意再次办理"
    SATISFACTION_RECORDED = "matter.satisfaction_recorded", "登记满意度"
    LEADER_ASSIGNED = "matter.leader_assigned", "确定包案领导"
    LEADER_RELEASED = "matter.leader_released", "结束领导包案"
    SUPERVISION_ISSUED = "matter.supervision_issued", "下达督办"
    SUPERVISION_ANSWERED = "matter.supervision_answered", "报告督办结果"
    INSPECTION_STARTED = "matter.inspection_started", "启动投诉举报核查"
    PROACTIVE_REGISTERED = "proactive.registered", "登记主动公开事项"
    PROACTIVE_PUBLISHED = "proactive.published", "主动公开"
    PROACTIVE_CHANGED = "proactive.changed", "主动公开信息变更"
    LISTED = "matter.listed", "查看来件列表"
    VIEWED = "matter.viewed", "查看来件"


class HotlineEvent(EventName):
    RECEIVED = "hotline.received", "登记热线工单"
    IMPORTED = "hotline.imported", "导入热线工单"
    ACCEPTED = "hotline.accepted", "签收热线工单"
    RETURNED = "hotline.returned", "热线工单退单"
    EXTENDED = "hotline.extended", "批准热线工单延期"
    CASE_LEAD_STARTED = "hotline.case_lead_started", "投诉工单转为案源"
    REPLIED = "hotline.replied", "热线工单办结答复"
    CALLED_BACK = "hotline.called_back", "热线工单回访"
    REHANDLED = "hotline.rehandled", "热线工单重办"


EVENTS = (MatterEvent, HotlineEvent)

LEGACY: dict[str, tuple[str, str]] = {}
