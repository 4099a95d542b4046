"""Audit events of medical disputes, the monthly screening reports and liability insurance."""

from __future__ import annotations

from fazhi.core.events import EventName


class DisputeEvent(EventName):
    REGISTERED = "medical_dispute.registered", "登记医疗纠纷"
    ROUTE_CHANGED = "medical_dispute.route_changed", "变更医疗纠纷处理途径"
    CONCLUDED = "medical_dispute.concluded", "医疗纠纷结案"
    ATTACHMENT_ADDED = "medical_dispute.attachment_added", "上传医疗纠纷材料"
    LISTED = "medical_dispute.listed", "查看医疗纠纷列表"
    VIEWED = "medical_dispute.viewed", "查看医疗纠纷"


class ScreeningEvent(EventName):
    SUBMITTED = "screening_report.submitted", "报送医疗纠纷月度排查报告"
    CORRECTED = "screening_report.corrected", "更正医疗纠纷月度排查报告"
    LISTED = "screening_report.listed", "查看医疗纠纷排查报送情况"


class InsuranceEvent(EventName):
    RECORDED = "liability_insurance.recorded", "登记医疗责任保险"
    LISTED = "liability_insurance.listed", "查看医疗责任保险"


EVENTS = (DisputeEvent, ScreeningEvent, InsuranceEvent)

LEGACY: dict[str, tuple[str, str]] = {}
