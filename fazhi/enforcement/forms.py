"""The steps of a penalty case as input forms, shared by the pages and the API: each step names
its form (what it reads, in Chinese), the capability it needs and the service it calls.

The form only parses (types, lengths, ids read through ``fazhi.core.params`` fields); every
rule is the service's, and a refusal comes back as the service's error."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms

from fazhi.core.models import Officer, User
from fazhi.core.params import FormDateField, FormIdField
from fazhi.core.roles import Cap
from fazhi.enforcement import change_forms, execution_forms
from fazhi.enforcement.events import CaseEvent
from fazhi.enforcement.models import (
    DECISION_ANNULLED,
    CaseOutcome,
    CaseState,
    ChallengeKind,
    ClockStopKind,
    EvidencePreservation,
    PenaltyCase,
    PenaltyKind,
)
from fazhi.enforcement.services import (
    case_clock,
    case_decisions,
    case_execution,
    case_provisions,
    case_steps,
    cases,
)
from fazhi.enforcement.workflows import PENALTY_CASE


class OnForm(forms.Form):
    on = FormDateField(label="日期", required=False, help_text="留空为今天")


class ReportForm(OnForm):
    report = forms.CharField(label="调查终结报告", widget=forms.Textarea, max_length=10_000)


class NotifyForm(OnForm):
    kinds = forms.MultipleChoiceField(label="拟处罚种类", choices=PenaltyKind.choices)
    fine = forms.CharField(label="拟罚款金额（元）", required=False, max_length=20)
    confiscation = forms.CharField(label="拟没收金额（元）", required=False, max_length=20)


class StatementForm(OnForm):
    statement = forms.CharField(label="陈述申辩意见", widget=forms.Textarea, max_length=10_000)


class HearingForm(forms.Form):
    hearing_on = FormDateField(label="听证日期")
    served_on = FormDateField(label="通知送达日期", required=False, help_text="留空为今天")


class OpinionForm(OnForm):
    opinion = forms.CharField(label="法制审核意见", widget=forms.Textarea, max_length=10_000)


class SummaryForm(OnForm):
    summary = forms.CharField(label="集体讨论意见", widget=forms.Textarea, max_length=10_000)


class DecideForm(OnForm):
    outcome = forms.ChoiceField(label="处理结果", choices=CaseOutcome.choices)
    fine = forms.CharField(label="罚款金额（元）", required=False, max_length=20)
    confiscation = forms.CharField(label="没收金额（元）", required=False, max_length=20)


class PaidForm(OnForm):
    paid_amount = forms.CharField(label="实缴金额（元）", max_length=20)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", widget=forms.Textarea, max_length=2000)


class ReasonOnForm(ReasonForm, OnForm):
    pass


class TransferForm(ReasonForm):
    to = forms.CharField(label="接收机关", max_length=200)


class OfficerForm(forms.Form):
    officer = FormIdField(label="执法人员")


class RecuseForm(OfficerForm):
    reason = forms.CharField(label="回避理由", max_length=200)


class PreserveForm(forms.Form):
    items = forms.CharField(label="保存物品", widget=forms.Textarea, max_length=2000)
    approved_by = FormIdField(label="批准人（机关负责人）")
    registered_on = FormDateField(label="登记保存日期", required=False)


class PreservationDecideForm(OnForm):
    preservation = FormIdField(label="登记保存")
    decision = forms.CharField(label="处理决定", max_length=200)


class StopForm(OnForm):
    kind = forms.ChoiceField(label="中止事由", choices=ClockStopKind.choices)
    reason = forms.CharField(label="中止理由", max_length=150)


class ChallengeForm(OnForm):
    kind = forms.ChoiceField(label="类型", choices=ChallengeKind.choices)


class ChallengeEndForm(OnForm):
    result = forms.CharField(label="结果", max_length=200)


class ProvisionsForm(forms.Form):
    item = FormIdField(label="裁量基准事项", required=False, help_text="选用后自动带出条款")
    violated = forms.CharField(label="违反的法律条款", max_length=500, required=False)
    penalty = forms.CharField(label="处罚依据条款", max_length=500, required=False)
    reason = forms.CharField(
        label="填写（修改）理由",
        max_length=2000,
        required=False,
        help_text="未选用或修改基准条款时必填",
    )


def _provisions(user: User, case: PenaltyCase, data: dict[str, Any]) -> PenaltyCase:
    from fazhi.discretion.selectors.benchmarks import benchmark_item_get

    item = benchmark_item_get(user=user, item_id=data["item"]) if data.get("item") else None
    return case_provisions.case_provisions_set(
        actor=user,
        case=case,
        item=item,
        violated=data.get("violated") or "",
        penalty=data.get("penalty") or "",
        reason=data.get("reason") or "",
    )


class ExtendForm(forms.Form):
    reason = forms.CharField(label="延长理由", max_length=150)
    approved_on = FormDateField(label="批准日期", required=False)


Call = Callable[[User, PenaltyCase, dict[str, Any]], PenaltyCase | object]


def _officer(case: PenaltyCase, pk: int) -> Officer:
    from fazhi.core import errors

    found = Officer.objects.filter(pk=pk, organisation=case.organisation).first()
    if found is None:
        raise errors.ValidationFailed("本机构没有该执法人员。", code="officer_elsewhere")
    return found


def _user(pk: int) -> User:
    from fazhi.core import errors

    found = User.objects.filter(pk=pk).select_related("organisation").first()
    if found is None:
        raise errors.ValidationFailed("没有该用户。", code="bad_approver", field="approved_by")
    return found


def _preservation(case: PenaltyCase, pk: int) -> EvidencePreservation:
    from fazhi.core import errors

    found = case.preservations.filter(pk=pk).first()
    if found is None:
        raise errors.ValidationFailed("本案没有该登记保存。", code="unknown_preservation")
    return found


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    cap: Cap
    form: type[forms.Form]
    call: Call
    action: str = ""  # the table's action, when the step is one (what the page offers)
    states: tuple[str, ...] = ()  # otherwise: the states in which it is offered
    when: Callable[[PenaltyCase], bool] | None = None  # and a further condition
    event: str = ""  # the event a step outside the case's table records


_RUNNING = case_clock.RUNNING


_DECISION_STEPS = ("change_decision", "revoke_decision")  # offered for a standing penalty only


def _standing_penalty(case: PenaltyCase) -> bool:
    return case.outcome == CaseOutcome.PENALTY and case.decision_altered not in DECISION_ANNULLED


STEPS: dict[str, Step] = {
    s.name: s
    for s in [
        Step(
            "assign_officer",
            "指派承办人员",
            Cap.CASE_DECIDE,
            OfficerForm,
            lambda u, c, d: cases.case_officer_assign(
                actor=u, case=c, officer=_officer(c, d["officer"])
            ),
            states=("filed",),
        ),
        Step(
            "recuse_officer",
            "承办人员回避",
            Cap.CASE_DECIDE,
            RecuseForm,
            lambda u, c, d: cases.case_officer_recuse(
                actor=u, case=c, officer=_officer(c, d["officer"]), reason=d["reason"]
            ),
            states=("filed",),
        ),
        Step(
            "preserve",
            "先行登记保存",
            Cap.CASE_HANDLE,
            PreserveForm,
            lambda u, c, d: cases.case_evidence_preserve(
                actor=u,
                case=c,
                items=d["items"],
                approved_by=_user(d["approved_by"]),
                registered_on=d["registered_on"],
            ),
            states=("filed",),
        ),
        Step(
            "decide_preservation",
            "登记保存处理决定",
            Cap.CASE_HANDLE,
            PreservationDecideForm,
            lambda u, c, d: cases.case_preservation_decide(
                actor=u,
                preservation=_preservation(c, d["preservation"]),
                decision=d["decision"],
                decided_on=d["on"],
            ),
            states=("filed",),
        ),
        Step(
            "end_investigation",
            "调查终结",
            Cap.CASE_HANDLE,
            ReportForm,
            lambda u, c, d: cases.case_end_investigation(
                actor=u, case=c, report=d["report"], on=d["on"]
            ),
            action="end_investigation",
        ),
        Step(
            "notify",
            "告知拟处罚决定",
            Cap.CASE_HANDLE,
            NotifyForm,
            lambda u, c, d: cases.case_notify(
                actor=u,
                case=c,
                kinds=d["kinds"],
                fine=d["fine"],
                confiscation=d["confiscation"],
                on=d["on"],
            ),
            action="notify",
        ),
        Step(
            "record_statement",
            "记录陈述申辩",
            Cap.CASE_HANDLE,
            StatementForm,
            lambda u, c, d: case_steps.case_record_statement(
                actor=u, case=c, statement=d["statement"], on=d["on"]
            ),
            action="record_statement",
        ),
        Step(
            "waive_rights",
            "当事人放弃陈述申辩",
            Cap.CASE_HANDLE,
            OnForm,
            lambda u, c, d: case_steps.case_waive_rights(actor=u, case=c, on=d["on"]),
            action="waive_rights",
        ),
        Step(
            "request_hearing",
            "当事人申请听证",
            Cap.CASE_HANDLE,
            OnForm,
            lambda u, c, d: case_steps.case_request_hearing(actor=u, case=c, on=d["on"]),
            action="request_hearing",
        ),
        Step(
            "schedule_hearing",
            "通知听证",
            Cap.CASE_HANDLE,
            HearingForm,
            lambda u, c, d: case_steps.case_schedule_hearing(
                actor=u, case=c, hearing_on=d["hearing_on"], served_on=d["served_on"]
            ),
            action="schedule_hearing",
        ),
        Step(
            "hold_hearing",
            "举行听证",
            Cap.CASE_HANDLE,
            OnForm,
            lambda u, c, d: case_steps.case_hold_hearing(actor=u, case=c, on=d["on"]),
            action="hold_hearing",
        ),
        Step(
            "provisions",
            "填写违法条款和处罚依据",
            Cap.CASE_HANDLE,
            ProvisionsForm,
            _provisions,
            action="set_provisions",
        ),
        Step(
            "review",
            "法制审核",
            Cap.CASE_REVIEW,
            OpinionForm,
            lambda u, c, d: case_steps.case_review(
                actor=u, case=c, opinion=d["opinion"], on=d["on"]
            ),
            action="review",
        ),
        Step(
            "deliberate",
            "集体讨论",
            Cap.CASE_DECIDE,
            SummaryForm,
            lambda u, c, d: case_steps.case_deliberate(
                actor=u, case=c, summary=d["summary"], on=d["on"]
            ),
            action="deliberate",
        ),
        Step(
            "decide",
            "作出处理决定",
            Cap.CASE_DECIDE,
            DecideForm,
            lambda u, c, d: case_steps.case_decide(
                actor=u,
                case=c,
                outcome=d["outcome"],
                fine=d["fine"],
                confiscation=d["confiscation"],
                on=d["on"],
            ),
            action="decide",
        ),
        Step(
            "serve",
            "送达决定书",
            Cap.CASE_HANDLE,
            OnForm,
            lambda u, c, d: case_steps.case_serve(actor=u, case=c, on=d["on"]),
            action="serve",
        ),
        Step(
            "publish",
            "公示处罚决定",
            Cap.CASE_HANDLE,
            OnForm,
            lambda u, c, d: case_steps.case_publish(actor=u, case=c, on=d["on"]),
            states=case_steps.PUBLISHABLE,
            when=lambda c: c.published_on is None and c.decision_altered not in DECISION_ANNULLED,
        ),
        Step(
            "change_decision",
            "变更处罚决定",
            Cap.CASE_DECIDE,
            change_forms.ChangeDecisionForm,
            change_forms.change_decision,
            action="change_decision",
        ),
        Step(
            "revoke_decision",
            "撤销处罚决定",
            Cap.CASE_DECIDE,
            ReasonOnForm,
            lambda u, c, d: case_decisions.case_decision_revoke(
                actor=u, case=c, reason=d["reason"], on=d["on"]
            ),
            action="revoke_decision",
        ),
        Step(
            "withdraw_publicity",
            "撤回处罚决定公示",
            Cap.CASE_HANDLE,
            OnForm,
            lambda u, c, d: case_decisions.case_publicity_withdraw(actor=u, case=c, on=d["on"]),
            states=(*case_steps.PUBLISHABLE, CaseState.ARCHIVED),
            when=case_decisions.withdrawal_offered,
            event=CaseEvent.PUBLICITY_WITHDRAWN,
        ),
        Step(
            "republish",
            "公示变更后的处罚决定",
            Cap.CASE_HANDLE,
            OnForm,
            lambda u, c, d: case_decisions.case_republish(actor=u, case=c, on=d["on"]),
            states=(*case_steps.PUBLISHABLE, CaseState.ARCHIVED),
            when=case_decisions.republication_offered,
            event=CaseEvent.REPUBLISHED,
        ),
        Step(
            "challenge",
            "登记行政复议或诉讼",
            Cap.CASE_HANDLE,
            ChallengeForm,
            lambda u, c, d: case_execution.case_challenge_start(
                actor=u, case=c, kind=d["kind"], on=d["on"]
            ),
            states=("decided", "served"),
        ),
        Step(
            "end_challenge",
            "复议或诉讼结束",
            Cap.CASE_HANDLE,
            ChallengeEndForm,
            lambda u, c, d: case_execution.case_challenge_end(
                actor=u, case=c, result=d["result"], on=d["on"]
            ),
            states=("decided", "served"),
        ),
        Step(
            "execute",
            "执行完毕",
            Cap.CASE_HANDLE,
            PaidForm,
            lambda u, c, d: case_steps.case_execute(
                actor=u, case=c, paid_amount=d["paid_amount"], on=d["on"]
            ),
            action="execute",
        ),
        Step(
            "close",
            "结案",
            Cap.CASE_HANDLE,
            OnForm,
            lambda u, c, d: case_steps.case_close(actor=u, case=c, on=d["on"]),
            action="close",
        ),
        Step(
            "archive",
            "归档",
            Cap.CASE_HANDLE,
            OnForm,
            lambda u, c, d: case_steps.case_archive(actor=u, case=c, on=d["on"]),
            action="archive",
        ),
        Step(
            "clock_stop",
            "办案期限中止",
            Cap.CASE_HANDLE,
            StopForm,
            lambda u, c, d: case_clock.case_clock_stop(
                actor=u, case=c, kind=d["kind"], reason=d["reason"], on=d["on"]
            ),
            states=_RUNNING,
        ),
        Step(
            "clock_resume",
            "办案期限恢复",
            Cap.CASE_HANDLE,
            OnForm,
            lambda u, c, d: case_clock.case_clock_resume(actor=u, case=c, on=d["on"]),
            states=_RUNNING,
        ),
        Step(
            "extend",
            "批准延长办案期限",
            Cap.CASE_DECIDE,
            ExtendForm,
            lambda u, c, d: case_clock.case_extend(
                actor=u, case=c, reason=d["reason"], approved_on=d["approved_on"]
            ),
            states=_RUNNING,
        ),
        Step(
            "withdraw",
            "撤销立案",
            Cap.CASE_DECIDE,
            ReasonForm,
            lambda u, c, d: case_steps.case_withdraw(actor=u, case=c, reason=d["reason"]),
            action="withdraw",
        ),
        Step(
            "transfer",
            "移送其他机关",
            Cap.CASE_DECIDE,
            TransferForm,
            lambda u, c, d: case_steps.case_transfer(
                actor=u, case=c, to=d["to"], reason=d["reason"]
            ),
            action="transfer",
        ),
    ]
}

# the steps after the decision: deferral and instalments, court enforcement, police transfer
STEPS.update((s.name, s) for s in execution_forms.steps(Step))

_EXTRA_EVENTS = {
    "assign_officer": CaseEvent.OFFICER_ASSIGNED,
    "recuse_officer": CaseEvent.OFFICER_RECUSED,
    "preserve": CaseEvent.EVIDENCE_PRESERVED,
    "decide_preservation": CaseEvent.PRESERVATION_DECIDED,
    "publish": CaseEvent.PUBLISHED,
    "clock_stop": CaseEvent.CLOCK_STOPPED,
    "clock_resume": CaseEvent.CLOCK_RESUMED,
    "extend": CaseEvent.EXTENDED,
    "challenge": CaseEvent.CHALLENGED,
    "end_challenge": CaseEvent.CHALLENGE_ENDED,
}


def step_event(step: Step) -> str:
    """The event a step records: what a refused attempt is named in the audit chain."""
    if step.action:
        return str(PENALTY_CASE.action(step.action).event)
    return str(step.event or _EXTRA_EVENTS[step.name])


def offered(case: PenaltyCase) -> list[Step]:
    """The steps the case's state allows now (guards not run), in the table's order."""
    out = []
    for step in STEPS.values():
        if step.action:
            if PENALTY_CASE.allows(case, step.action) and (
                step.name not in _DECISION_STEPS or _standing_penalty(case)
            ):
                out.append(step)
        elif case.state in step.states:
            if step.name == "clock_stop" and case.clock_stopped_on is not None:
                continue
            if step.name == "clock_resume" and case.clock_stopped_on is None:
                continue
            if step.when is not None and not step.when(case):
                continue
            out.append(step)
    return out


class FileForm(forms.Form):
    """Filing a case (立案)."""

    lead = FormIdField(label="案源", required=False)
    organisation = FormIdField(label="办案机构", required=False, help_text="不选为本机构")
    entity = FormIdField(label="当事人编号", required=False)
    source = forms.ChoiceField(
        label="案件来源",
        required=False,
        choices=[("", "（按案源）"), *PenaltyCase._meta.get_field("source").choices],  # type: ignore[misc]
    )
    cause = forms.CharField(label="案由", max_length=200)
    facts = forms.CharField(
        label="违法事实", widget=forms.Textarea, required=False, max_length=10_000
    )
    act_ended_on = FormDateField(label="违法行为发生（终了）日期")
    handler = FormIdField(label="主办人")
    filed_on = FormDateField(label="立案日期", required=False)
    life_or_health_harm = forms.BooleanField(
        label="涉及公民生命健康安全且有危害后果", required=False
    )
    complex_case = forms.BooleanField(label="案情疑难复杂", required=False)
    serious_violation = forms.BooleanField(label="重大违法行为", required=False)
    major_public_interest = forms.BooleanField(label="涉及重大公共利益", required=False)
