"""The change of a penalty decision (变更处罚决定, decision 0092) as an input form shared by the
case page and the API, and the call of ``case_decisions.case_decision_change`` from its data.

The form only parses; every rule (a kind at least, exact amounts matching their kinds, no
heavier than the notice, the provisions' reason) is the service's."""

from __future__ import annotations

from typing import Any

from django import forms

from fazhi.core.models import User
from fazhi.core.params import FormDateField, FormIdField
from fazhi.enforcement.models import PenaltyCase, PenaltyKind
from fazhi.enforcement.services import case_decisions


class ChangeDecisionForm(forms.Form):
    kinds = forms.MultipleChoiceField(label="变更后的处罚种类", choices=PenaltyKind.choices)
    fine = forms.CharField(label="变更后的罚款金额（元）", required=False, max_length=20)
    confiscation = forms.CharField(label="变更后的没收金额（元）", required=False, max_length=20)
    item = FormIdField(label="裁量基准事项", required=False, help_text="条款不变的留空")
    violated = forms.CharField(label="违反的法律条款", max_length=500, required=False)
    penalty = forms.CharField(label="处罚依据条款", max_length=500, required=False)
    provisions_reason = forms.CharField(
        label="条款填写（修改）理由", max_length=2000, required=False
    )
    reason = forms.CharField(label="变更理由", widget=forms.Textarea, max_length=2000)
    on = FormDateField(label="变更日期", required=False, help_text="留空为今天")


def change_decision(user: User, case: PenaltyCase, data: dict[str, Any]) -> PenaltyCase:
    from fazhi.discretion.selectors.benchmarks import benchmark_item_get

    item = benchmark_item_get(user=user, item_id=data["item"]) if data.get("item") else None
    return case_decisions.case_decision_change(
        actor=user,
        case=case,
        reason=data["reason"],
        kinds=list(data["kinds"]),
        fine=data.get("fine") or None,
        confiscation=data.get("confiscation") or None,
        item=item,
        violated=data.get("violated") or "",
        penalty=data.get("penalty") or "",
        provisions_reason=data.get("provisions_reason") or "",
        on=data["on"],
    )
