"""Penalty cases' workflows. For now the case lead (案源): new → filed or dismissed.

``dismiss`` is ``services.leads.case_lead_dismiss``. ``file`` has no service yet: it is taken by
the penalty-case module when it files a case on a lead (立案), and is declared here so that the
table, and the diagram generated from it, is complete.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fazhi.core import errors
from fazhi.core.workflow import Action, Guard, Workflow
from fazhi.enforcement.events import CaseLeadEvent
from fazhi.enforcement.models import CaseLead, CaseLeadState

REASON_MIN = 2


def _reason_given(lead: CaseLead, ctx: Mapping[str, Any]) -> None:
    if len(str(ctx.get("reason") or "").strip()) < REASON_MIN:
        raise errors.ValidationFailed("请填写不予立案的理由。", code="reason_required")


CASE_LEAD: Workflow[CaseLead] = Workflow(
    name="case_lead",
    label="案源",
    model=CaseLead,
    states=CaseLeadState,
    initial=(CaseLeadState.NEW,),
    actions=[
        Action(
            name="file",
            label="立案",
            sources=(CaseLeadState.NEW,),
            target=CaseLeadState.FILED,
            event=CaseLeadEvent.FILED,
            refusal="lead_not_new",
        ),
        Action(
            name="dismiss",
            label="不予立案",
            sources=(CaseLeadState.NEW,),
            target=CaseLeadState.DISMISSED,
            event=CaseLeadEvent.DISMISSED,
            guards=(Guard("写明不予立案的理由", _reason_given),),
            refusal="lead_not_new",
        ),
    ],
)
