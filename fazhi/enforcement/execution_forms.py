"""The steps after the decision as forms (deferral and instalments, court enforcement, police
transfer), joined to ``forms.STEPS``: the case page offers them and the API has one endpoint
per step, like every other step of the case. Each step says when it is offered (``when``),
reading the case's arrangements, court enforcement and transfers (prefetched by the list)."""

from __future__ import annotations

from typing import Any

from django import forms

from fazhi.core.params import FormDateField
from fazhi.core.roles import Cap
from fazhi.enforcement.execution_events import (
    ArrangementEvent,
    CourtEnforcementEvent,
    PoliceTransferEvent,
)
from fazhi.enforcement.execution_models import (
    ArrangementKind,
    ArrangementState,
    CourtEnforcement,
    CourtEnforcementState,
    PaymentArrangement,
    PoliceTransfer,
    PoliceTransferState,
)
from fazhi.enforcement.models import CaseOutcome, CaseState, PenaltyCase
from fazhi.enforcement.services import (
    execution_court,
    execution_payments,
    police_review,
    police_transfer,
)


class OnForm(forms.Form):
    on = FormDateField(label="日期", required=False, help_text="留空为今天")


class ArrangementForm(OnForm):
    kind = forms.ChoiceField(label="方式", choices=ArrangementKind.choices)
    reason = forms.CharField(label="当事人经济困难情况", widget=forms.Textarea, max_length=2000)
    schedule = forms.CharField(
        label="缴纳计划（每行“日期 金额”）",
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "2026-03-31 1000"}),
        max_length=2000,
    )


class RefuseForm(OnForm):
    reason = forms.CharField(label="理由", widget=forms.Textarea, max_length=2000)


class InstalmentForm(OnForm):
    paid_amount = forms.CharField(label="实缴金额（元，含加处罚款）", max_length=20)


class CourtForm(OnForm):
    court = forms.CharField(label="受理法院", max_length=200)


class RulingForm(OnForm):
    note = forms.CharField(label="裁定内容", max_length=500, required=False)


class RecoveredForm(OnForm):
    amount = forms.CharField(label="执行到位金额（元）", max_length=20)


class ReportForm(OnForm):
    report = forms.CharField(
        label="移送涉嫌犯罪案件的书面报告", widget=forms.Textarea, max_length=10_000
    )


class AtForm(forms.Form):
    at = forms.DateTimeField(label="时间（年-月-日 时:分）", required=False, help_text="留空为现在")


class NotApproveForm(AtForm):
    reason = forms.CharField(label="不批准理由", widget=forms.Textarea, max_length=2000)


class SendForm(AtForm):
    police = forms.CharField(label="公安机关", max_length=200)


class PoliceRefusalForm(OnForm):
    reason = forms.CharField(label="不予立案理由", widget=forms.Textarea, max_length=2000)


class HandOverForm(OnForm):
    items = forms.CharField(label="移交的涉案物品和材料", widget=forms.Textarea, max_length=2000)


class ReviewRequestForm(OnForm):
    grounds = forms.CharField(label="认为应当立案的理由", widget=forms.Textarea, max_length=2000)


class ReviewRefusalForm(OnForm):
    reason = forms.CharField(
        label="复议决定理由", widget=forms.Textarea, max_length=2000, required=False
    )


class SupervisionForm(OnForm):
    procuratorate = forms.CharField(label="人民检察院", max_length=200)
    grounds = forms.CharField(label="认为应当立案的理由", widget=forms.Textarea, max_length=2000)


# --- when each step is offered ---------------------------------------------------------------


def _arrangements(case: PenaltyCase) -> list[PaymentArrangement]:
    return list(case.payment_arrangements.all())


def _arrangement_in(case: PenaltyCase, *states: str) -> bool:
    return any(a.state in states for a in _arrangements(case))


def _court(case: PenaltyCase) -> CourtEnforcement | None:
    try:
        return case.court_enforcement
    except CourtEnforcement.DoesNotExist:
        return None


def _court_in(*states: str) -> Any:
    def check(case: PenaltyCase) -> bool:
        found = _court(case)
        return found is not None and found.state in states

    return check


def _transfer(case: PenaltyCase) -> PoliceTransfer | None:
    rows = sorted(case.police_transfers.all(), key=lambda t: t.pk)
    return rows[-1] if rows else None


def _transfer_in(*states: str) -> Any:
    def check(case: PenaltyCase) -> bool:
        found = _transfer(case)
        return found is not None and found.state in states

    return check


def _may_arrange(case: PenaltyCase) -> bool:
    live = execution_payments.LIVE
    return (
        bool(case.fine) and case.outcome == CaseOutcome.PENALTY and not _arrangement_in(case, *live)
    )


def _may_demand(case: PenaltyCase) -> bool:
    return (
        case.outcome == CaseOutcome.PENALTY
        and bool(case.fine or case.confiscation)
        and _court(case) is None
    )


def _may_report(case: PenaltyCase) -> bool:
    return not _transfer_in(*police_transfer.ACTIVE)(case)


SERVED = (CaseState.SERVED,)
OPEN = (CaseState.FILED, CaseState.INVESTIGATED, CaseState.NOTIFIED, CaseState.HEARING,
        CaseState.HEARD)  # fmt: skip
POLICE_STATES = (*OPEN, CaseState.TRANSFERRED)


def steps(step: Any) -> list[Any]:
    """The steps, built with ``forms.Step`` (passed in: this module is imported by ``forms``)."""
    return [
        step(
            "arrangement_apply",
            "登记暂缓或分期缴纳申请",
            Cap.CASE_HANDLE,
            ArrangementForm,
            lambda u, c, d: execution_payments.payment_arrangement_apply(
                actor=u,
                case=c,
                kind=d["kind"],
                reason=d["reason"],
                schedule=d["schedule"],
                on=d["on"],
            ),
            states=SERVED,
            when=_may_arrange,
            event=ArrangementEvent.APPLIED,
        ),
        step(
            "arrangement_approve",
            "批准暂缓或分期缴纳",
            Cap.CASE_DECIDE,
            OnForm,
            lambda u, c, d: execution_payments.payment_arrangement_approve(
                actor=u, case=c, on=d["on"]
            ),
            states=SERVED,
            when=lambda c: _arrangement_in(c, ArrangementState.APPLIED),
            event=ArrangementEvent.APPROVED,
        ),
        step(
            "arrangement_refuse",
            "不予批准暂缓或分期缴纳",
            Cap.CASE_DECIDE,
            RefuseForm,
            lambda u, c, d: execution_payments.payment_arrangement_refuse(
                actor=u, case=c, reason=d["reason"], on=d["on"]
            ),
            states=SERVED,
            when=lambda c: _arrangement_in(c, ArrangementState.APPLIED),
            event=ArrangementEvent.REFUSED,
        ),
        step(
            "instalment_pay",
            "记录分期（暂缓）缴款",
            Cap.CASE_HANDLE,
            InstalmentForm,
            lambda u, c, d: execution_payments.instalment_pay(
                actor=u, case=c, paid_amount=d["paid_amount"], on=d["on"]
            ),
            states=SERVED,
            when=lambda c: _arrangement_in(c, ArrangementState.APPROVED),
            event=ArrangementEvent.INSTALMENT_PAID,
        ),
        step(
            "court_demand",
            "送达催告书",
            Cap.CASE_HANDLE,
            OnForm,
            lambda u, c, d: execution_court.court_demand(actor=u, case=c, on=d["on"]),
            states=SERVED,
            when=_may_demand,
            event=CourtEnforcementEvent.DEMANDED,
        ),
        step(
            "court_apply",
            "申请人民法院强制执行",
            Cap.CASE_DECIDE,
            CourtForm,
            lambda u, c, d: execution_court.court_apply(
                actor=u, case=c, court=d["court"], on=d["on"]
            ),
            states=SERVED,
            when=_court_in(CourtEnforcementState.DEMANDED),
            event=CourtEnforcementEvent.APPLIED,
        ),
        step(
            "court_accepted",
            "记录法院裁定准予执行",
            Cap.CASE_HANDLE,
            RulingForm,
            lambda u, c, d: execution_court.court_ruling(
                actor=u, case=c, accepted=True, note=d["note"], on=d["on"]
            ),
            states=SERVED,
            when=_court_in(CourtEnforcementState.APPLIED),
            event=CourtEnforcementEvent.ACCEPTED,
        ),
        step(
            "court_refused",
            "记录法院裁定不予执行",
            Cap.CASE_HANDLE,
            RulingForm,
            lambda u, c, d: execution_court.court_ruling(
                actor=u, case=c, accepted=False, note=d["note"], on=d["on"]
            ),
            states=SERVED,
            when=_court_in(CourtEnforcementState.APPLIED),
            event=CourtEnforcementEvent.REFUSED,
        ),
        step(
            "court_enforced",
            "记录法院强制执行完毕",
            Cap.CASE_HANDLE,
            RecoveredForm,
            lambda u, c, d: execution_court.court_enforced(
                actor=u, case=c, amount=d["amount"], on=d["on"]
            ),
            states=SERVED,
            when=_court_in(CourtEnforcementState.ACCEPTED),
            event=CourtEnforcementEvent.ENFORCED,
        ),
        step(
            "police_report",
            "提出移送涉嫌犯罪案件报告",
            Cap.CASE_HANDLE,
            ReportForm,
            lambda u, c, d: police_transfer.police_transfer_report(
                actor=u, case=c, report=d["report"], on=d["on"]
            ),
            states=OPEN,
            when=_may_report,
            event=PoliceTransferEvent.REPORTED,
        ),
        step(
            "police_approve",
            "批准移送公安机关",
            Cap.CASE_DECIDE,
            AtForm,
            lambda u, c, d: police_transfer.police_transfer_approve(actor=u, case=c, at=d["at"]),
            states=OPEN,
            when=_transfer_in(PoliceTransferState.REPORTED),
            event=PoliceTransferEvent.APPROVED,
        ),
        step(
            "police_not_approve",
            "不批准移送",
            Cap.CASE_DECIDE,
            NotApproveForm,
            lambda u, c, d: police_transfer.police_transfer_not_approve(
                actor=u, case=c, reason=d["reason"], at=d["at"]
            ),
            states=OPEN,
            when=_transfer_in(PoliceTransferState.REPORTED),
            event=PoliceTransferEvent.NOT_APPROVED,
        ),
        step(
            "police_send",
            "向公安机关移送",
            Cap.CASE_HANDLE,
            SendForm,
            lambda u, c, d: police_transfer.police_transfer_send(
                actor=u, case=c, police=d["police"], at=d["at"]
            ),
            states=OPEN,
            when=_transfer_in(PoliceTransferState.APPROVED),
            event=PoliceTransferEvent.TRANSFERRED,
        ),
        step(
            "police_acknowledge",
            "公安机关签收回执",
            Cap.CASE_HANDLE,
            OnForm,
            lambda u, c, d: police_transfer.police_transfer_acknowledge(
                actor=u, case=c, on=d["on"]
            ),
            states=POLICE_STATES,
            when=_transfer_in(PoliceTransferState.TRANSFERRED),
            event=PoliceTransferEvent.ACKNOWLEDGED,
        ),
        step(
            "police_filed",
            "公安机关决定立案",
            Cap.CASE_HANDLE,
            OnForm,
            lambda u, c, d: police_transfer.police_transfer_decision(
                actor=u, case=c, filed=True, on=d["on"]
            ),
            states=POLICE_STATES,
            when=_transfer_in(PoliceTransferState.ACKNOWLEDGED),
            event=PoliceTransferEvent.FILED,
        ),
        step(
            "police_not_filed",
            "公安机关决定不予立案",
            Cap.CASE_HANDLE,
            PoliceRefusalForm,
            lambda u, c, d: police_transfer.police_transfer_decision(
                actor=u, case=c, filed=False, reason=d["reason"], on=d["on"]
            ),
            states=POLICE_STATES,
            when=_transfer_in(PoliceTransferState.ACKNOWLEDGED),
            event=PoliceTransferEvent.NOT_FILED,
        ),
        step(
            "police_return",
            "公安机关退回案卷",
            Cap.CASE_HANDLE,
            OnForm,
            lambda u, c, d: police_transfer.police_transfer_return(actor=u, case=c, on=d["on"]),
            states=POLICE_STATES,
            when=_transfer_in(
                PoliceTransferState.NOT_FILED,
                PoliceTransferState.REVIEW_REFUSED,
                PoliceTransferState.SUPERVISION,
            ),
            event=PoliceTransferEvent.RETURNED,
        ),
        step(
            "police_hand_over",
            "移交涉案物品和材料",
            Cap.CASE_HANDLE,
            HandOverForm,
            lambda u, c, d: police_transfer.police_transfer_hand_over(
                actor=u, case=c, items=d["items"], on=d["on"]
            ),
            states=POLICE_STATES,
            when=_transfer_in(PoliceTransferState.FILED),
            event=PoliceTransferEvent.HANDED_OVER,
        ),
        # 国务院令第310号 第九条 (decision 0093)
        step(
            "police_request_review",
            "提请公安机关复议",
            Cap.CASE_HANDLE,
            ReviewRequestForm,
            lambda u, c, d: police_review.police_transfer_request_review(
                actor=u, case=c, grounds=d["grounds"], on=d["on"]
            ),
            states=POLICE_STATES,
            when=_transfer_in(PoliceTransferState.NOT_FILED),
            event=PoliceTransferEvent.REVIEW_REQUESTED,
        ),
        step(
            "police_review_filed",
            "公安机关复议决定立案",
            Cap.CASE_HANDLE,
            OnForm,
            lambda u, c, d: police_review.police_transfer_review_decision(
                actor=u, case=c, filed=True, on=d["on"]
            ),
            states=POLICE_STATES,
            when=_transfer_in(PoliceTransferState.REVIEW_REQUESTED),
            event=PoliceTransferEvent.REVIEW_FILED,
        ),
        step(
            "police_review_refused",
            "公安机关复议决定不予立案",
            Cap.CASE_HANDLE,
            ReviewRefusalForm,
            lambda u, c, d: police_review.police_transfer_review_decision(
                actor=u, case=c, filed=False, reason=d["reason"], on=d["on"]
            ),
            states=POLICE_STATES,
            when=_transfer_in(PoliceTransferState.REVIEW_REQUESTED),
            event=PoliceTransferEvent.REVIEW_REFUSED,
        ),
        step(
            "police_supervision",
            "建议人民检察院立案监督",
            Cap.CASE_HANDLE,
            SupervisionForm,
            lambda u, c, d: police_review.police_transfer_suggest_supervision(
                actor=u,
                case=c,
                procuratorate=d["procuratorate"],
                grounds=d["grounds"],
                on=d["on"],
            ),
            states=POLICE_STATES,
            when=_transfer_in(PoliceTransferState.NOT_FILED, PoliceTransferState.REVIEW_REFUSED),
            event=PoliceTransferEvent.SUPERVISION_SUGGESTED,
        ),
    ]
