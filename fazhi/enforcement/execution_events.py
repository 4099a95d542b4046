"""Audit events after the decision: deferral and instalments, court enforcement, police
transfer (``<entity>.<verb in the past tense>``); registered in ``AppConfig.ready()``."""

from __future__ import annotations

from fazhi.core.events import EventName


class ArrangementEvent(EventName):
    APPLIED = "payment_arrangement.applied", "登记暂缓或分期缴纳罚款申请"
    APPROVED = "payment_arrangement.approved", "批准暂缓或分期缴纳罚款"
    REFUSED = "payment_arrangement.refused", "不予批准暂缓或分期缴纳罚款"
    INSTALMENT_PAID = "payment_arrangement.instalment_paid", "记录分期（暂缓）缴款"
    COMPLETED = "payment_arrangement.completed", "暂缓或分期缴纳罚款已缴清"


class CourtEnforcementEvent(EventName):
    DEMANDED = "court_enforcement.demanded", "送达催告书"
    APPLIED = "court_enforcement.applied", "申请人民法院强制执行"
    ACCEPTED = "court_enforcement.accepted", "法院裁定准予执行"
    REFUSED = "court_enforcement.refused", "法院裁定不予执行"
    ENFORCED = "court_enforcement.enforced", "法院强制执行完毕"


class PoliceTransferEvent(EventName):
    REPORTED = "police_transfer.reported", "提出移送涉嫌犯罪案件报告"
    APPROVED = "police_transfer.approved", "批准移送涉嫌犯罪案件"
    NOT_APPROVED = "police_transfer.not_approved", "不批准移送涉嫌犯罪案件"
    TRANSFERRED = "police_transfer.transferred", "向公安机关移送涉嫌犯罪案件"
    ACKNOWLEDGED = "police_transfer.acknowledged", "公安机关签收移送回执"
    FILED = "police_transfer.filed", "公安机关决定立案"
    NOT_FILED = "police_transfer.not_filed", "公安机关决定不予立案"
    RETURNED = "police_transfer.returned", "公安机关退回案卷"
    HANDED_OVER = "police_transfer.handed_over", "向公安机关移交涉案物品和材料"
    REVIEW_REQUESTED = "police_transfer.review_requested", "提请公安机关复议"
    REVIEW_FILED = "police_transfer.review_filed", "公安机关复议决定立案"
    REVIEW_REFUSED = "police_transfer.review_refused", "公安机关复议决定不予立案"
    SUPERVISION_SUGGESTED = "police_transfer.supervision_suggested", "建议人民检察院立案监督"


EVENTS = (ArrangementEvent, CourtEnforcementEvent, PoliceTransferEvent)
