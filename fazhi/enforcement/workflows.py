"""Penalty cases' workflows: the case lead (案源) and the penalty case (行政处罚案件).

The lead: new → filed (``services.cases.case_file`` on a lead) or dismissed
(``services.leads.case_lead_dismiss``). The case: ``PENALTY_CASE`` below, one service per
action in ``services/cases.py`` and ``services/case_steps.py``. Each guard explains itself with a
stable code and a Chinese message; the services pass what the guards read in ``ctx``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from fazhi.core import errors
from fazhi.core.periods import compute_due
from fazhi.core.workflow import Action, Guard, Workflow
from fazhi.enforcement import policy
from fazhi.enforcement.events import CaseEvent, CaseLeadEvent
from fazhi.enforcement.models import (
    DECISION_ANNULLED as ANNULLED,
)
from fazhi.enforcement.models import (
    CaseLead,
    CaseLeadState,
    CaseOutcome,
    CaseState,
    PenaltyCase,
)

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


# --- the penalty case -------------------------------------------------------------------------

MIN_OFFICERS = 2  # 行政处罚法 Art. 42


def _on(ctx: Mapping[str, Any]) -> dt.date:
    on = ctx["on"]
    assert isinstance(on, dt.date)
    return on


def _text_given(field: str, message: str, code: str) -> Guard:
    def check(case: PenaltyCase, ctx: Mapping[str, Any]) -> None:
        if len(str(ctx.get(field) or "").strip()) < REASON_MIN:
            raise errors.ValidationFailed(message, code=code, field=field)

    return Guard(message.rstrip("。"), check)


def _two_officers(case: PenaltyCase, ctx: Mapping[str, Any]) -> None:
    on = _on(ctx)
    valid = [
        link.officer
        for link in case.case_officers.select_related("officer").prefetch_related(
            "officer__credentials"
        )
        if link.recused_on is None and link.officer.valid_credential(on) is not None
    ]
    if len(valid) < MIN_OFFICERS:
        raise errors.ValidationFailed(
            f"调查须由两名以上持有效执法证的执法人员进行（行政处罚法第四十二条），"
            f"目前未回避且持有效执法证的承办人员{len(valid)}名。",
            code="officers_required",
        )


def _preservations_decided(case: PenaltyCase, ctx: Mapping[str, Any]) -> None:
    if case.preservations.filter(decided_on__isnull=True).exists():
        raise errors.Conflict(
            "先行登记保存的证据尚未作出处理决定（行政处罚法第五十六条）。",
            code="preservation_pending",
        )


def window_rule(case: PenaltyCase) -> str:
    """The party's window after the notice: the hearing request (when the right was given),
    else the statement."""
    return "penalty.hearing_request" if case.hearing_right else "penalty.statement"


def window_end(case: PenaltyCase) -> dt.date:
    assert case.notified_on is not None
    return compute_due(
        window_rule(case), case.notified_on, province=case.organisation.province_code()
    ).due


def _hearing_right(case: PenaltyCase, ctx: Mapping[str, Any]) -> None:
    if not case.hearing_right:
        raise errors.Conflict(
            "拟作出的处罚不属于应当告知听证权利的情形（行政处罚法第六十三条）。",
            code="no_hearing_right",
        )


def _within_window(case: PenaltyCase, ctx: Mapping[str, Any]) -> None:
    end = window_end(case)
    if _on(ctx) > end:
        raise errors.Conflict(
            f"申请听证的期限已于{end.isoformat()}届满（告知后五个工作日，行政处罚法第六十四条）。",
            code="hearing_request_late",
        )


def _hearing_notice(case: PenaltyCase, ctx: Mapping[str, Any]) -> None:
    from fazhi.core.periods import notice_check

    served_on, hearing_on = ctx["served_on"], ctx["hearing_on"]
    if served_on < (case.hearing_requested_on or served_on):
        raise errors.ValidationFailed(
            "听证通知不能早于当事人申请听证之日。", code="notice_before_request"
        )
    notice_check(
        "penalty.hearing_notice",
        served_on=served_on,
        event_on=hearing_on,
        province=case.organisation.province_code(),
    )


def _hearing_scheduled(case: PenaltyCase, ctx: Mapping[str, Any]) -> None:
    if case.hearing_on is None:
        raise errors.Conflict("尚未通知听证的时间和地点。", code="hearing_not_scheduled")
    if _on(ctx) < case.hearing_on:
        raise errors.ValidationFailed(
            f"听证定于{case.hearing_on.isoformat()}，不能早于该日记录举行。",
            code="hearing_not_yet",
        )


def _reviewer_eligible(case: PenaltyCase, ctx: Mapping[str, Any]) -> None:
    reviewer = ctx["reviewer"]
    if case.case_officers.filter(officer__user=reviewer).exists():
        raise errors.PermissionDenied(
            "法制审核人员不能是本案的调查人员。",
            code="reviewer_investigated",
            attempted=CaseEvent.REVIEWED,
        )
    if ctx.get("first_review") and not ctx.get("qualified"):
        raise errors.PermissionDenied(
            "初次从事行政处罚决定法制审核的人员，应当取得法律职业资格（行政处罚法第五十八条）。",
            code="reviewer_unqualified",
            attempted=CaseEvent.REVIEWED,
        )


def _window_passed_or_waived(case: PenaltyCase, ctx: Mapping[str, Any]) -> None:
    if case.state == CaseState.HEARD or case.rights_waived_on is not None:
        return
    end = window_end(case)
    if _on(ctx) <= end:
        raise errors.Conflict(
            f"当事人陈述、申辩（申请听证）的期限至{end.isoformat()}届满，"
            "期满或当事人明确放弃前不得作出决定（行政处罚法第六十二条）。",
            code="window_open",
            window_ends=end.isoformat(),
        )


def _review_done(case: PenaltyCase, ctx: Mapping[str, Any]) -> None:
    if ctx.get("outcome") == CaseOutcome.TRANSFER:
        return
    reasons = policy.legal_review_reasons(case)
    if not reasons:
        return
    if case.legal_review_on is None or (
        case.hearing_held_on is not None and case.legal_review_on < case.hearing_held_on
    ):
        raise errors.Conflict(
            "作出决定前须经法制审核（行政处罚法第五十八条）：" + "；".join(reasons) + "。",
            code="legal_review_required",
        )


def provisions_sourced(case: PenaltyCase | None, ctx: Mapping[str, Any]) -> None:
    """Articles taken from a benchmark item as they stand need no reason; any other text does."""
    if ctx.get("from_item"):
        return
    if len(str(ctx.get("reason") or "").strip()) < REASON_MIN:
        raise errors.ValidationFailed(
            "未采用裁量基准事项的条款，或修改了其条款的，须写明理由。",
            code="provision_reason_required",
        )


def _deliberation_done(case: PenaltyCase, ctx: Mapping[str, Any]) -> None:
    reasons = policy.deliberation_reasons(case)
    if reasons and case.deliberated_on is None:
        raise errors.Conflict(
            "须经行政机关负责人集体讨论决定：" + "；".join(reasons) + "。",
            code="deliberation_required",
        )


def _not_before_decision(case: PenaltyCase, ctx: Mapping[str, Any]) -> None:
    if case.decided_on is not None and _on(ctx) < case.decided_on:
        raise errors.ValidationFailed("送达日期不能早于决定日期。", code="served_before_decision")


def _money_penalty(case: PenaltyCase) -> bool:
    return case.outcome == CaseOutcome.PENALTY and bool(case.fine or case.confiscation)


def _something_to_execute(case: PenaltyCase, ctx: Mapping[str, Any]) -> None:
    if not _money_penalty(case):
        raise errors.Conflict("该决定没有须缴纳的罚没款。", code="nothing_to_execute")


def _court_refused(case: PenaltyCase) -> bool:
    """The court ruled not to enforce (行政强制法 Art. 58): nothing is left to execute."""
    from fazhi.enforcement.execution_models import CourtEnforcement, CourtEnforcementState

    return CourtEnforcement.objects.filter(case=case, state=CourtEnforcementState.REFUSED).exists()


def _no_schedule_running(case: PenaltyCase, ctx: Mapping[str, Any]) -> None:
    """An approved deferral or instalment plan is executed through its instalments (or the
    court); a payment in full outside it is recorded against the instalments too."""
    from fazhi.enforcement.execution_models import ArrangementState, PaymentArrangement

    if ctx.get("via"):
        return
    if PaymentArrangement.objects.filter(case=case, state=ArrangementState.APPROVED).exists():
        raise errors.Conflict(
            "本案已批准暂缓或分期缴纳，请按期记录缴款。", code="arrangement_approved"
        )


def _executed_if_needed(case: PenaltyCase, ctx: Mapping[str, Any]) -> None:
    if case.state == CaseState.SERVED and _money_penalty(case) and not _court_refused(case):
        raise errors.Conflict("罚没款尚未执行完毕，不能结案。", code="not_executed")


def _file_complete(case: PenaltyCase, ctx: Mapping[str, Any]) -> None:
    problems = policy.completeness_problems(case)
    if problems:
        raise errors.Conflict(
            "案卷不完整：" + "；".join(problems) + "。", code="case_file_incomplete"
        )


_OPEN = (CaseState.FILED, CaseState.INVESTIGATED, CaseState.NOTIFIED, CaseState.HEARING,
         CaseState.HEARD)  # fmt: skip
_BEFORE_DECISION = (CaseState.INVESTIGATED, CaseState.NOTIFIED, CaseState.HEARD)
# a penalty decision made: it may be changed or revoked afterwards (行政处罚法 第四十八条第二款)
_DECIDED = (CaseState.DECIDED, CaseState.SERVED, CaseState.EXECUTED, CaseState.CLOSED,
            CaseState.ARCHIVED)  # fmt: skip


def _penalty_decision(case: PenaltyCase, ctx: Mapping[str, Any]) -> None:
    if case.outcome != CaseOutcome.PENALTY:
        raise errors.Conflict("该案件没有作出行政处罚决定。", code="no_penalty_decision")


def _decision_standing(case: PenaltyCase, ctx: Mapping[str, Any]) -> None:
    if case.decision_altered in ANNULLED:
        raise errors.Conflict(
            f"该处罚决定已被{case.get_decision_altered_display()}。", code="decision_annulled"
        )


def _alteration_date(case: PenaltyCase, ctx: Mapping[str, Any]) -> None:
    if case.decided_on is not None and _on(ctx) < case.decided_on:
        raise errors.ValidationFailed(
            f"变更（撤销）日期不能早于决定日期（{case.decided_on:%Y-%m-%d}）。",
            code="date_before_decision",
            field="on",
        )


_ALTERATION_GUARDS = (
    Guard("已作出行政处罚决定", _penalty_decision),
    Guard("决定未被撤销、确认违法或无效", _decision_standing),
    Guard("日期不早于决定日期", _alteration_date),
    _text_given("reason", "请填写变更（撤销）的理由。", "reason_required"),
)

PENALTY_CASE: Workflow[PenaltyCase] = Workflow(
    name="penalty_case",
    label="行政处罚案件",
    model=PenaltyCase,
    states=CaseState,
    # filed: 立案 (general procedure); decided: a decision on the spot (简易程序, Art. 51)
    initial=(CaseState.FILED, CaseState.DECIDED),
    actions=[
        Action(
            name="end_investigation",
            label="调查终结",
            sources=(CaseState.FILED,),
            target=CaseState.INVESTIGATED,
            event=CaseEvent.INVESTIGATION_ENDED,
            guards=(
                Guard("两名以上持有效执法证、未回避的承办人员", _two_officers),
                Guard("先行登记保存均已作出处理决定", _preservations_decided),
                _text_given("report", "请填写调查终结报告。", "report_required"),
            ),
        ),
        Action(
            name="notify",
            label="告知拟处罚决定",
            sources=(CaseState.INVESTIGATED,),
            target=CaseState.NOTIFIED,
            event=CaseEvent.NOTIFIED,
        ),
        Action(
            name="record_statement",
            label="记录陈述申辩",
            sources=(CaseState.NOTIFIED,),
            target=CaseState.NOTIFIED,
            event=CaseEvent.STATEMENT_RECORDED,
            guards=(_text_given("statement", "请填写陈述申辩意见。", "statement_required"),),
        ),
        Action(
            name="waive_rights",
            label="当事人放弃陈述申辩",
            sources=(CaseState.NOTIFIED,),
            target=CaseState.NOTIFIED,
            event=CaseEvent.RIGHTS_WAIVED,
        ),
        Action(
            name="request_hearing",
            label="当事人申请听证",
            sources=(CaseState.NOTIFIED,),
            target=CaseState.HEARING,
            event=CaseEvent.HEARING_REQUESTED,
            guards=(
                Guard("拟处罚属于应告知听证权利的情形", _hearing_right),
                Guard("在告知后五个工作日内申请", _within_window),
            ),
        ),
        Action(
            name="schedule_hearing",
            label="通知听证",
            sources=(CaseState.HEARING,),
            target=CaseState.HEARING,
            event=CaseEvent.HEARING_SCHEDULED,
            guards=(Guard("听证日不早于通知送达后第七个工作日", _hearing_notice),),
        ),
        Action(
            name="hold_hearing",
            label="举行听证",
            sources=(CaseState.HEARING,),
            target=CaseState.HEARD,
            event=CaseEvent.HEARING_HELD,
            guards=(Guard("已通知听证且听证日已到", _hearing_scheduled),),
        ),
        Action(
            name="set_provisions",
            label="填写违法条款和处罚依据",
            sources=_OPEN,
            target="",
            targets=_OPEN,  # the case stays where it is
            event=CaseEvent.PROVISIONS_SET,
            guards=(Guard("取自裁量基准事项，或写明填写（修改）理由", provisions_sourced),),
        ),
        Action(
            name="review",
            label="法制审核",
            sources=_BEFORE_DECISION,
            target="",
            targets=_BEFORE_DECISION,  # the case stays where it is
            event=CaseEvent.REVIEWED,
            guards=(
                Guard("审核人员未参与本案调查，初次审核者具有法律职业资格", _reviewer_eligible),
                _text_given("opinion", "请填写法制审核意见。", "opinion_required"),
            ),
        ),
        Action(
            name="deliberate",
            label="集体讨论",
            sources=_BEFORE_DECISION,
            target="",
            targets=_BEFORE_DECISION,
            event=CaseEvent.DELIBERATED,
            guards=(_text_given("summary", "请填写集体讨论意见。", "summary_required"),),
        ),
        Action(
            name="decide",
            label="作出处理决定",
            sources=(CaseState.NOTIFIED, CaseState.HEARD),
            target=CaseState.DECIDED,
            event=CaseEvent.DECIDED,
            guards=(
                Guard("陈述申辩（听证申请）期限已过或当事人明确放弃", _window_passed_or_waived),
                Guard("需要法制审核的，已审核（经听证的，在听证后审核）", _review_done),
                Guard("需要集体讨论的，已集体讨论", _deliberation_done),
            ),
        ),
        Action(
            name="serve",
            label="送达决定书",
            sources=(CaseState.DECIDED,),
            target=CaseState.SERVED,
            event=CaseEvent.SERVED,
            guards=(Guard("送达日期不早于决定日期", _not_before_decision),),
        ),
        Action(
            name="execute",
            label="执行完毕",
            sources=(CaseState.SERVED,),
            target=CaseState.EXECUTED,
            event=CaseEvent.EXECUTED,
            guards=(
                Guard("决定有须缴纳的罚没款", _something_to_execute),
                Guard("没有已批准的暂缓或分期缴纳计划（有的按期记录缴款）", _no_schedule_running),
            ),
        ),
        Action(
            name="close",
            label="结案",
            sources=(CaseState.SERVED, CaseState.EXECUTED),
            target=CaseState.CLOSED,
            event=CaseEvent.CLOSED,
            guards=(Guard("有罚没款的，已执行完毕（或法院裁定不予执行）", _executed_if_needed),),
        ),
        Action(
            name="archive",
            label="归档",
            sources=(CaseState.CLOSED,),
            target=CaseState.ARCHIVED,
            event=CaseEvent.ARCHIVED,
            guards=(Guard("案卷完整", _file_complete),),
        ),
        Action(
            name="change_decision",
            label="变更处罚决定",
            sources=_DECIDED,
            target="",
            targets=_DECIDED,  # the case stays where it is
            event=CaseEvent.DECISION_CHANGED,
            guards=_ALTERATION_GUARDS,
        ),
        Action(
            name="revoke_decision",
            label="撤销处罚决定",
            sources=_DECIDED,
            target="",
            targets=_DECIDED,
            event=CaseEvent.DECISION_REVOKED,
            guards=_ALTERATION_GUARDS,
        ),
        Action(
            name="withdraw",
            label="撤销立案",
            sources=_OPEN,
            target=CaseState.WITHDRAWN,
            event=CaseEvent.WITHDRAWN,
            guards=(_text_given("reason", "请填写撤销立案的理由。", "reason_required"),),
        ),
        Action(
            name="transfer",
            label="移送其他机关",
            sources=_OPEN,
            target=CaseState.TRANSFERRED,
            event=CaseEvent.TRANSFERRED,
            guards=(
                _text_given("reason", "请填写移送理由。", "reason_required"),
                _text_given("to", "请填写接收移送的机关。", "transfer_to_required"),
            ),
        ),
    ],
)
