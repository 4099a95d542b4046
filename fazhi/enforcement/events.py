"""Penalty cases' audit events and the actions their refusals name (``<entity>.<verb>``).

``case_lead.created`` already had this shape before the names were unified, so the chain holds
no older enforcement name to label (``LEGACY`` is empty). The penalty case's events are
``CaseEvent`` (``penalty_case.<verb>``).
"""

from __future__ import annotations

from fazhi.core.events import EventName


class CaseLeadEvent(EventName):
    CREATED = "case_lead.created", "移交案源"
    FILED = "case_lead.filed", "案源立案"
    DISMISSED = "case_lead.dismissed", "案源不予立案"
    LISTED = "case_lead.listed", "查看案源列表"
    VIEWED = "case_lead.viewed", "查看案源"


class CaseEvent(EventName):
    FILED = "penalty_case.filed", "立案"
    DECIDED_ON_THE_SPOT = "penalty_case.decided_on_the_spot", "当场作出处罚决定（简易程序）"
    OFFICER_ASSIGNED = "penalty_case.officer_assigned", "指派承办人员"
    OFFICER_RECUSED = "penalty_case.officer_recused", "承办人员回避"
    EVIDENCE_PRESERVED = "penalty_case.evidence_preserved", "先行登记保存证据"
    PRESERVATION_DECIDED = "penalty_case.preservation_decided", "作出登记保存处理决定"
    INVESTIGATION_ENDED = "penalty_case.investigation_ended", "调查终结"
    NOTIFIED = "penalty_case.notified", "告知拟处罚决定"
    RIGHTS_WAIVED = "penalty_case.rights_waived", "当事人放弃陈述申辩"
    STATEMENT_RECORDED = "penalty_case.statement_recorded", "记录陈述申辩"
    HEARING_REQUESTED = "penalty_case.hearing_requested", "当事人申请听证"
    HEARING_SCHEDULED = "penalty_case.hearing_scheduled", "通知听证"
    HEARING_HELD = "penalty_case.hearing_held", "举行听证"
    PROVISIONS_SET = "penalty_case.provisions_set", "填写违法条款和处罚依据"
    REVIEWED = "penalty_case.reviewed", "法制审核"
    DELIBERATED = "penalty_case.deliberated", "集体讨论"
    DECIDED = "penalty_case.decided", "作出处理决定"
    SERVED = "penalty_case.served", "送达处理决定书"
    PUBLISHED = "penalty_case.published", "公示处罚决定"
    DECISION_CHANGED = "penalty_case.decision_changed", "处罚决定被变更"
    DECISION_REVOKED = "penalty_case.decision_revoked", "处罚决定被撤销（确认违法、无效）"
    PUBLICITY_WITHDRAWN = "penalty_case.publicity_withdrawn", "撤回处罚决定公示"
    REPUBLISHED = "penalty_case.republished", "公示变更后的处罚决定"
    EXECUTED = "penalty_case.executed", "执行完毕"
    CHALLENGED = "penalty_case.challenged", "登记行政复议或诉讼"
    CHALLENGE_ENDED = "penalty_case.challenge_ended", "行政复议或诉讼结束"
    CLOSED = "penalty_case.closed", "结案"
    ARCHIVED = "penalty_case.archived", "归档"
    WITHDRAWN = "penalty_case.withdrawn", "撤销立案"
    TRANSFERRED = "penalty_case.transferred", "移送其他机关"
    CLOCK_STOPPED = "penalty_case.clock_stopped", "办案期限中止"
    CLOCK_RESUMED = "penalty_case.clock_resumed", "办案期限恢复"
    EXTENDED = "penalty_case.extended", "批准延长办案期限"
    FILE_REVIEWED = "penalty_case.file_reviewed", "案卷评查"
    LISTED = "penalty_case.listed", "查看案件列表"
    VIEWED = "penalty_case.viewed", "查看案件"


EVENTS = (CaseLeadEvent, CaseEvent)

LEGACY: dict[str, tuple[str, str]] = {}
