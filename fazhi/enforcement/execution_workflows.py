"""Workflows after the decision: the deferral or instalments of a fine
(``PAYMENT_ARRANGEMENT``), the court enforcement of an unpaid fine (``COURT_ENFORCEMENT``) and
the transfer of a suspected crime to the police (``POLICE_TRANSFER``). One service per action in
``services/execution_payments.py``, ``services/execution_court.py`` and
``services/police_transfer.py``; each guard explains itself with a stable code and a Chinese
message. Imported from ``EnforcementConfig.ready()``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from fazhi.core import errors
from fazhi.core.workflow import Action, Guard, Workflow
from fazhi.enforcement.execution_events import (
    ArrangementEvent,
    CourtEnforcementEvent,
    PoliceTransferEvent,
)
from fazhi.enforcement.execution_models import (
    ArrangementState,
    CourtEnforcement,
    CourtEnforcementState,
    PaymentArrangement,
    PoliceTransfer,
    PoliceTransferState,
)

REASON_MIN = 2


def _text_given(field: str, message: str, code: str) -> Guard:
    def check(row: Any, ctx: Mapping[str, Any]) -> None:
        if len(str(ctx.get(field) or "").strip()) < REASON_MIN:
            raise errors.ValidationFailed(message, code=code, field=field)

    return Guard(message.rstrip("。"), check)


def _other_than_recorder(row: PaymentArrangement, ctx: Mapping[str, Any]) -> None:
    if ctx["actor"].pk == row.recorded_by_id:
        raise errors.PermissionDenied(
            "登记申请的人员不能审批本申请，须由机关负责人另行审批。",
            code="approver_is_recorder",
            attempted=ArrangementEvent.APPROVED,
        )


PAYMENT_ARRANGEMENT: Workflow[PaymentArrangement] = Workflow(
    name="payment_arrangement",
    label="暂缓或分期缴纳罚款申请",
    model=PaymentArrangement,
    states=ArrangementState,
    initial=(ArrangementState.APPLIED,),
    actions=[
        Action(
            name="approve",
            label="批准",
            sources=(ArrangementState.APPLIED,),
            target=ArrangementState.APPROVED,
            event=ArrangementEvent.APPROVED,
            guards=(Guard("审批人不是登记申请的人员", _other_than_recorder),),
        ),
        Action(
            name="refuse",
            label="不予批准",
            sources=(ArrangementState.APPLIED,),
            target=ArrangementState.REFUSED,
            event=ArrangementEvent.REFUSED,
            guards=(
                Guard("审批人不是登记申请的人员", _other_than_recorder),
                _text_given("reason", "请填写不予批准的理由。", "reason_required"),
            ),
        ),
        Action(
            name="complete",
            label="缴清",
            sources=(ArrangementState.APPROVED,),
            target=ArrangementState.COMPLETED,
            event=ArrangementEvent.COMPLETED,
        ),
    ],
)


def _on(ctx: Mapping[str, Any]) -> dt.date:
    on = ctx["on"]
    assert isinstance(on, dt.date)
    return on


def _demand_waited(row: CourtEnforcement, ctx: Mapping[str, Any]) -> None:
    after = ctx["demand_wait_ends"]
    if _on(ctx) <= after:
        raise errors.Conflict(
            f"催告书送达十个工作日后当事人仍未履行的，方可申请强制执行（行政强制法第五十四条），"
            f"最早可于{(after + dt.timedelta(days=1)).isoformat()}申请。",
            code="demand_period_running",
        )


def _challenge_periods_passed(row: CourtEnforcement, ctx: Mapping[str, Any]) -> None:
    passed = ctx["challenge_periods_end"]
    if _on(ctx) <= passed:
        raise errors.Conflict(
            "当事人申请行政复议（六十日）和提起行政诉讼（六个月）的期限均届满后方可申请"
            f"（行政强制法第五十三条），该期限至{passed.isoformat()}届满。",
            code="challenge_period_running",
        )


def _no_open_challenge(row: CourtEnforcement, ctx: Mapping[str, Any]) -> None:
    if ctx["open_challenge"]:
        raise errors.Conflict(
            "当事人的行政复议或行政诉讼尚未结束，不能申请人民法院强制执行。",
            code="challenge_open",
        )


def _within_application_period(row: CourtEnforcement, ctx: Mapping[str, Any]) -> None:
    last = ctx["application_due"]
    if last is not None and _on(ctx) > last:
        raise errors.Conflict(
            f"申请人民法院强制执行的期限已于{last.isoformat()}届满（行政强制法第五十三条）。",
            code="application_period_passed",
        )


COURT_ENFORCEMENT: Workflow[CourtEnforcement] = Workflow(
    name="court_enforcement",
    label="申请法院强制执行",
    model=CourtEnforcement,
    states=CourtEnforcementState,
    initial=(CourtEnforcementState.DEMANDED,),
    actions=[
        Action(
            name="apply",
            label="申请人民法院强制执行",
            sources=(CourtEnforcementState.DEMANDED,),
            target=CourtEnforcementState.APPLIED,
            event=CourtEnforcementEvent.APPLIED,
            guards=(
                Guard("催告书送达已满十个工作日", _demand_waited),
                Guard("复议、诉讼期限均已届满", _challenge_periods_passed),
                Guard("没有未结束的复议或诉讼", _no_open_challenge),
                Guard("在期限届满后三个月内申请", _within_application_period),
                _text_given("court", "请填写受理申请的人民法院。", "court_required"),
            ),
        ),
        Action(
            name="accept",
            label="记录法院裁定准予执行",
            sources=(CourtEnforcementState.APPLIED,),
            target=CourtEnforcementState.ACCEPTED,
            event=CourtEnforcementEvent.ACCEPTED,
        ),
        Action(
            name="refuse",
            label="记录法院裁定不予执行",
            sources=(CourtEnforcementState.APPLIED,),
            target=CourtEnforcementState.REFUSED,
            event=CourtEnforcementEvent.REFUSED,
            guards=(_text_given("note", "请填写法院裁定不予执行的理由。", "note_required"),),
        ),
        Action(
            name="enforce",
            label="记录法院强制执行完毕",
            sources=(CourtEnforcementState.ACCEPTED,),
            target=CourtEnforcementState.ENFORCED,
            event=CourtEnforcementEvent.ENFORCED,
        ),
    ],
)


POLICE_TRANSFER: Workflow[PoliceTransfer] = Workflow(
    name="police_transfer",
    label="移送涉嫌犯罪案件",
    model=PoliceTransfer,
    states=PoliceTransferState,
    initial=(PoliceTransferState.REPORTED,),
    actions=[
        Action(
            name="approve",
            label="批准移送",
            sources=(PoliceTransferState.REPORTED,),
            target=PoliceTransferState.APPROVED,
            event=PoliceTransferEvent.APPROVED,
        ),
        Action(
            name="not_approve",
            label="不批准移送",
            sources=(PoliceTransferState.REPORTED,),
            target=PoliceTransferState.NOT_APPROVED,
            event=PoliceTransferEvent.NOT_APPROVED,
            guards=(_text_given("reason", "请填写不批准移送的理由。", "reason_required"),),
        ),
        Action(
            name="transfer",
            label="移送公安机关",
            sources=(PoliceTransferState.APPROVED,),
            target=PoliceTransferState.TRANSFERRED,
            event=PoliceTransferEvent.TRANSFERRED,
            guards=(_text_given("police", "请填写接收移送的公安机关。", "police_required"),),
        ),
        Action(
            name="acknowledge",
            label="公安机关签收回执",
            sources=(PoliceTransferState.TRANSFERRED,),
            target=PoliceTransferState.ACKNOWLEDGED,
            event=PoliceTransferEvent.ACKNOWLEDGED,
        ),
        Action(
            name="file",
            label="公安机关决定立案",
            sources=(PoliceTransferState.ACKNOWLEDGED,),
            target=PoliceTransferState.FILED,
            event=PoliceTransferEvent.FILED,
        ),
        Action(
            name="not_file",
            label="公安机关决定不予立案",
            sources=(PoliceTransferState.ACKNOWLEDGED,),
            target=PoliceTransferState.NOT_FILED,
            event=PoliceTransferEvent.NOT_FILED,
            guards=(_text_given("reason", "请填写公安机关不予立案的理由。", "reason_required"),),
        ),
        Action(
            name="return_file",
            label="公安机关退回案卷",
            sources=(
                PoliceTransferState.NOT_FILED,
                PoliceTransferState.REVIEW_REFUSED,
                PoliceTransferState.SUPERVISION,
            ),
            target=PoliceTransferState.RETURNED,
            event=PoliceTransferEvent.RETURNED,
        ),
        Action(
            name="hand_over",
            label="移交涉案物品和材料",
            sources=(PoliceTransferState.FILED,),
            target=PoliceTransferState.HANDED_OVER,
            event=PoliceTransferEvent.HANDED_OVER,
            guards=(_text_given("items", "请填写移交的涉案物品和材料。", "items_required"),),
        ),
        # 国务院令第310号 第九条 (decision 0093)
        Action(
            name="request_review",
            label="提请公安机关复议",
            sources=(PoliceTransferState.NOT_FILED,),
            target=PoliceTransferState.REVIEW_REQUESTED,
            event=PoliceTransferEvent.REVIEW_REQUESTED,
            guards=(_text_given("grounds", "请填写认为应当立案的理由。", "grounds_required"),),
        ),
        Action(
            name="review_file",
            label="公安机关复议决定立案",
            sources=(PoliceTransferState.REVIEW_REQUESTED,),
            target=PoliceTransferState.FILED,
            event=PoliceTransferEvent.REVIEW_FILED,
        ),
        Action(
            name="review_not_file",
            label="公安机关复议决定不予立案",
            sources=(PoliceTransferState.REVIEW_REQUESTED,),
            target=PoliceTransferState.REVIEW_REFUSED,
            event=PoliceTransferEvent.REVIEW_REFUSED,
        ),
        Action(
            name="suggest_supervision",
            label="建议人民检察院立案监督",
            sources=(PoliceTransferState.NOT_FILED, PoliceTransferState.REVIEW_REFUSED),
            target=PoliceTransferState.SUPERVISION,
            event=PoliceTransferEvent.SUPERVISION_SUGGESTED,
            guards=(
                _text_given("procuratorate", "请填写人民检察院。", "procuratorate_required"),
                _text_given("grounds", "请填写认为应当立案的理由。", "grounds_required"),
            ),
        ),
    ],
)
