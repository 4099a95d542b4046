"""Penalty cases' audit events and the actions their refusals name (``<entity>.<verb>``).

``case_lead.created`` already had this shape before the names were unified, so the chain holds
no older enforcement name to label (``LEGACY`` is empty); the penalty-case module adds its events
here.
"""

from __future__ import annotations

from fazhi.core.events import EventName


class CaseLeadEvent(EventName):
    CREATED = "case_lead.created", "移交案源"
    FILED = "case_lead.filed", "案源立案"
    DISMISSED = "case_lead.dismissed", "案源不予立案"
    LISTED = "case_lead.listed", "查看案源列表"
    VIEWED = "case_lead.viewed", "查看案源"


EVENTS = (CaseLeadEvent,)

LEGACY: dict[str, tuple[str, str]] = {}
