"""Incoming matters' workflows: one table per matter type on the one ``Matter`` row.

A petition (信访工作条例): registered → accepted with notice (or routed to another procedure
with notice) → handled → replied (支持 / 解释说明 / 不予支持) → review and re-review (复查, 复核)
→ closed; a closed matter is reopened only with a reason. A disclosure request (政府信息公开条例):
registered → correction notice (补正) and corrected request, or third-party consultation (the
reply clock stops) → replied with its type and reason; an uncorrected request is abandoned.
The dates and the clocks are the services' (``services/petitions.py``,
``services/disclosure.py``); the guards here are what must hold whatever the caller.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fazhi.core import errors
from fazhi.core.workflow import Action, Guard, Workflow
from fazhi.matters.events import HotlineEvent, MatterEvent
from fazhi.matters.hotline_models import HotlineState, TicketType
from fazhi.matters.models import (
    DISCLOSURE_REPLIES,
    HOTLINE_REPLIES,
    PETITION_REPLIES,
    REPLY_REASONS,
    DisclosureState,
    Matter,
    PetitionState,
    ProactiveItem,
    ProactiveState,
    SupervisionOrder,
    SupervisionState,
)

REASON_MIN = 2


def _reason_given(matter: Matter, ctx: Mapping[str, Any]) -> None:
    if len(str(ctx.get("reason") or "").strip()) < REASON_MIN:
        raise errors.ValidationFailed("请写明理由。", code="reason_required")


def _approved(matter: Matter, ctx: Mapping[str, Any]) -> None:
    if ctx.get("approved_by") is None:
        raise errors.ValidationFailed(
            "延长期限须经负责人批准，请填写批准人。", code="approval_required"
        )


def _petition_reply_type(matter: Matter, ctx: Mapping[str, Any]) -> None:
    if ctx.get("reply_type") not in PETITION_REPLIES:
        raise errors.ValidationFailed(
            "请选择答复类型（支持、解释说明或不予支持）。", code="reply_type_required"
        )


def _disclosure_reply_type(matter: Matter, ctx: Mapping[str, Any]) -> None:
    reply_type = ctx.get("reply_type")
    if reply_type not in DISCLOSURE_REPLIES:
        raise errors.ValidationFailed("请选择答复类型。", code="reply_type_required")
    reasons = dict(REPLY_REASONS.get(str(reply_type), ()))
    if reasons and ctx.get("reason") not in reasons:
        raise errors.ValidationFailed("请选择该答复类型的理由。", code="reply_reason_required")


def _has_reply(matter: Matter, ctx: Mapping[str, Any]) -> None:
    if not matter.reply_type or matter.replied_on is None:
        raise errors.Conflict("未作出书面答复的信访事项不能办结。", code="reply_required")


def _review_levels_left(matter: Matter, ctx: Mapping[str, Any]) -> None:
    if matter.review_level >= 2:  # 复查 then 复核 (第三十六条第三款)
        raise errors.Conflict(
            "已经复核的信访事项，以同一事实和理由提出的请求不再受理。", code="review_exhausted"
        )


def _no_inspection_yet(matter: Matter, ctx: Mapping[str, Any]) -> None:
    if matter.inspection_task_id is not None:
        raise errors.Conflict("已为该事项启动投诉举报核查。", code="inspection_exists")


PETITION: Workflow[Matter] = Workflow(
    name="petition",
    label="信访事项",
    model=Matter,
    states=PetitionState,
    initial=(PetitionState.RECEIVED,),
    actions=[
        Action(
            name="accept",
            label="受理并告知",
            sources=(PetitionState.RECEIVED,),
            target=PetitionState.ACCEPTED,
            event=MatterEvent.ACCEPTED,
        ),
        Action(
            name="route",
            label="导入其他程序并告知",
            sources=(PetitionState.RECEIVED,),
            target=PetitionState.ROUTED,
            event=MatterEvent.ROUTED,
        ),
        Action(
            name="extend",
            label="延长办理期限",
            sources=(PetitionState.ACCEPTED,),
            target=PetitionState.ACCEPTED,
            event=MatterEvent.EXTENDED,
            guards=(Guard("负责人批准", _approved), Guard("写明延期理由", _reason_given)),
        ),
        Action(
            name="reply",
            label="作出书面答复",
            sources=(PetitionState.ACCEPTED,),
            target=PetitionState.REPLIED,
            event=MatterEvent.REPLIED,
            guards=(Guard("答复类型为支持、解释说明或不予支持", _petition_reply_type),),
        ),
        Action(
            name="request_review",
            label="登记复查（复核）请求",
            sources=(PetitionState.REPLIED, PetitionState.CLOSED),
            target=PetitionState.REVIEW,
            event=MatterEvent.REVIEW_REQUESTED,
            guards=(Guard("复核以后不再受理", _review_levels_left),),
        ),
        Action(
            name="review",
            label="作出复查（复核）意见",
            sources=(PetitionState.REVIEW,),
            target=PetitionState.REPLIED,
            event=MatterEvent.REVIEWED,
            guards=(Guard("答复类型为支持、解释说明或不予支持", _petition_reply_type),),
        ),
        Action(
            name="close",
            label="办结",
            sources=(PetitionState.ACCEPTED, PetitionState.REPLIED),
            target=PetitionState.CLOSED,
            event=MatterEvent.CLOSED,
            guards=(Guard("已作出书面答复", _has_reply),),
        ),
        Action(
            name="reopen",
            label="重新办理",
            sources=(PetitionState.CLOSED,),
            target=PetitionState.ACCEPTED,
            event=MatterEvent.REOPENED,
            guards=(Guard("写明重新办理的理由", _reason_given),),
        ),
        # a petition complaining about an institution: a targeted inspection (decision 0091)
        Action(
            name="inspection",
            label="启动投诉举报核查",
            sources=(PetitionState.ACCEPTED,),
            target=PetitionState.ACCEPTED,
            event=MatterEvent.INSPECTION_STARTED,
            guards=(Guard("尚未启动核查", _no_inspection_yet),),
        ),
    ],
)


DISCLOSURE: Workflow[Matter] = Workflow(
    name="disclosure",
    label="政府信息公开申请",
    model=Matter,
    states=DisclosureState,
    initial=(DisclosureState.RECEIVED,),
    actions=[
        Action(
            name="request_correction",
            label="告知补正",
            sources=(DisclosureState.RECEIVED,),
            target=DisclosureState.CORRECTION,
            event=MatterEvent.CORRECTION_REQUESTED,
            guards=(Guard("写明需要补正的事项", _reason_given),),
        ),
        Action(
            name="correct",
            label="收到补正申请",
            sources=(DisclosureState.CORRECTION,),
            target=DisclosureState.RECEIVED,
            event=MatterEvent.CORRECTED,
        ),
        Action(
            name="abandon",
            label="逾期不补正，视为放弃",
            sources=(DisclosureState.CORRECTION,),
            target=DisclosureState.ABANDONED,
            event=MatterEvent.ABANDONED,
        ),
        Action(
            name="consult",
            label="征求第三方意见",
            sources=(DisclosureState.RECEIVED,),
            target=DisclosureState.CONSULTING,
            event=MatterEvent.CONSULTATION_STARTED,
            guards=(Guard("写明征求意见的对象", _reason_given),),
        ),
        Action(
            name="end_consultation",
            label="征求意见结束",
            sources=(DisclosureState.CONSULTING,),
            target=DisclosureState.RECEIVED,
            event=MatterEvent.CONSULTATION_ENDED,
        ),
        Action(
            name="extend",
            label="延长答复期限",
            sources=(DisclosureState.RECEIVED,),
            target=DisclosureState.RECEIVED,
            event=MatterEvent.EXTENDED,
            guards=(
                Guard("政府信息公开工作机构负责人同意", _approved),
                Guard("写明延期理由", _reason_given),
            ),
        ),
        Action(
            name="reply",
            label="作出答复",
            sources=(DisclosureState.RECEIVED,),
            target=DisclosureState.REPLIED,
            event=MatterEvent.REPLIED,
            guards=(Guard("答复类型及其理由（年报口径）", _disclosure_reply_type),),
        ),
    ],
)


def _answer_given(order: SupervisionOrder, ctx: Mapping[str, Any]) -> None:
    if len(str(ctx.get("answer") or "").strip()) < REASON_MIN:
        raise errors.ValidationFailed("请填写办理结果。", code="answer_required")


SUPERVISION: Workflow[SupervisionOrder] = Workflow(
    name="supervision",
    label="督办",
    model=SupervisionOrder,
    states=SupervisionState,
    initial=(SupervisionState.ISSUED,),
    actions=[
        Action(
            name="answer",
            label="报告督办结果",
            sources=(SupervisionState.ISSUED,),
            target=SupervisionState.ANSWERED,
            event=MatterEvent.SUPERVISION_ANSWERED,
            guards=(Guard("写明办理结果", _answer_given),),
        ),
    ],
)


def _hotline_reply_type(matter: Matter, ctx: Mapping[str, Any]) -> None:
    if ctx.get("reply_type") not in HOTLINE_REPLIES:
        raise errors.ValidationFailed(
            "请选择办理结果（已解决、解释说明或未能解决）。", code="reply_type_required"
        )


def _complaint_ticket(matter: Matter, ctx: Mapping[str, Any]) -> None:
    if matter.ticket.ticket_type != TicketType.COMPLAINT:
        raise errors.Conflict("只有投诉类工单可以转为案源。", code="not_a_complaint")
    if matter.case_lead_id is not None:
        raise errors.Conflict("该工单已转为案源。", code="case_lead_exists")


def _complaint_for_inspection(matter: Matter, ctx: Mapping[str, Any]) -> None:
    if matter.ticket.ticket_type != TicketType.COMPLAINT:
        raise errors.Conflict("只有投诉类工单可以启动投诉举报核查。", code="not_a_complaint")
    _no_inspection_yet(matter, ctx)


def _satisfaction_given(matter: Matter, ctx: Mapping[str, Any]) -> None:
    if not ctx.get("satisfaction"):
        raise errors.ValidationFailed("请选择回访的满意度。", code="satisfaction_required")


HOTLINE: Workflow[Matter] = Workflow(
    name="hotline",
    label="热线工单",
    model=Matter,
    states=HotlineState,
    initial=(HotlineState.RECEIVED,),
    actions=[
        Action(
            name="accept",
            label="签收办理",
            sources=(HotlineState.RECEIVED,),
            target=HotlineState.ACCEPTED,
            event=HotlineEvent.ACCEPTED,
        ),
        Action(
            name="return",
            label="退单",
            sources=(HotlineState.RECEIVED, HotlineState.ACCEPTED),
            target=HotlineState.RETURNED,
            event=HotlineEvent.RETURNED,
            guards=(Guard("写明退单理由", _reason_given),),
        ),
        Action(
            name="extend",
            label="延期（经批准）",
            sources=(HotlineState.ACCEPTED,),
            target=HotlineState.ACCEPTED,
            event=HotlineEvent.EXTENDED,
            guards=(Guard("负责人批准", _approved), Guard("写明延期理由", _reason_given)),
        ),
        Action(
            name="case_lead",
            label="转为案源",
            sources=(HotlineState.ACCEPTED,),
            target=HotlineState.ACCEPTED,
            event=HotlineEvent.CASE_LEAD_STARTED,
            guards=(Guard("投诉类工单，尚未转为案源", _complaint_ticket),),
        ),
        # a targeted inspection of the institution complained about (decision 0091)
        Action(
            name="inspection",
            label="启动投诉举报核查",
            sources=(HotlineState.ACCEPTED,),
            target=HotlineState.ACCEPTED,
            event=MatterEvent.INSPECTION_STARTED,
            guards=(Guard("投诉类工单，尚未启动核查", _complaint_for_inspection),),
        ),
        Action(
            name="reply",
            label="办结答复",
            sources=(HotlineState.ACCEPTED,),
            target=HotlineState.REPLIED,
            event=HotlineEvent.REPLIED,
            guards=(Guard("办理结果为已解决、解释说明或未能解决", _hotline_reply_type),),
        ),
        Action(
            name="call_back",
            label="回访",
            sources=(HotlineState.REPLIED,),
            target=HotlineState.CLOSED,
            event=HotlineEvent.CALLED_BACK,
            guards=(Guard("登记满意度", _satisfaction_given),),
        ),
        Action(
            name="rehandle",
            label="重办",
            sources=(HotlineState.REPLIED, HotlineState.CLOSED),
            target=HotlineState.ACCEPTED,
            event=HotlineEvent.REHANDLED,
            guards=(Guard("写明重办理由", _reason_given),),
        ),
    ],
)

PROACTIVE: Workflow[ProactiveItem] = Workflow(
    name="proactive",
    label="主动公开事项",
    model=ProactiveItem,
    states=ProactiveState,
    initial=(ProactiveState.PENDING,),
    actions=[
        Action(
            name="publish",
            label="公开",
            sources=(ProactiveState.PENDING,),
            target=ProactiveState.PUBLISHED,
            event=MatterEvent.PROACTIVE_PUBLISHED,
        ),
        Action(
            name="change",
            label="信息变更，重新公开",
            sources=(ProactiveState.PUBLISHED,),
            target=ProactiveState.PENDING,
            event=MatterEvent.PROACTIVE_CHANGED,
            guards=(Guard("写明变更内容", _reason_given),),
        ),
    ],
)

# deputies' suggestions and CPPCC proposals: their tables are in their own module
from fazhi.matters.workflows_proposals import PROPOSAL as PROPOSAL  # noqa: E402
from fazhi.matters.workflows_proposals import SUGGESTION as SUGGESTION  # noqa: E402

WORKFLOWS = {
    "petition": PETITION,
    "disclosure": DISCLOSURE,
    "suggestion": SUGGESTION,
    "proposal": PROPOSAL,
    "hotline": HOTLINE,
}


def workflow_of(matter: Matter) -> Workflow[Matter]:
    return WORKFLOWS[matter.kind]
