"""Appeals' audit events (``appeal.<verb>``): a reconsideration or a lawsuit in which the
commission is the respondent (被申请人) or the defendant (被告)."""

from __future__ import annotations

from fazhi.core.events import EventName


class AppealEvent(EventName):
    RECEIVED = "appeal.received", "登记行政复议或行政诉讼"
    ANSWERED = "appeal.answered", "提交书面答复（答辩状）和证据"
    HEARING_RECORDED = "appeal.hearing_recorded", "登记审理（开庭）"
    DECIDED = "appeal.decided", "登记复议决定或裁判结果"
    FOLLOWED_UP = "appeal.followed_up", "登记纠错整改情况"
    CLOSED = "appeal.closed", "办结复议应诉事项"
    DOCUMENT_ADDED = "appeal.document_added", "上传复议应诉材料"
    LISTED = "appeal.listed", "查看复议应诉列表"
    VIEWED = "appeal.viewed", "查看复议应诉事项"


EVENTS = (AppealEvent,)

LEGACY: dict[str, tuple[str, str]] = {}
