"""Services: deputies' suggestions (人大代表建议) and CPPCC proposals (政协提案), from the
assignment to the reply, the deputy's feedback, the follow-up of an unsatisfied one and the close
(decision 0074).

Clocks (core deadlines attached to the matter, rules marked as samples in the national pack):
the lead unit's reply (``proposal.reply``, 3 months from the assignment), the co-handling unit's
opinion to the lead (``proposal.co_opinion``, 1 month), the reply after an unsatisfied answer
(``proposal.follow_up``, from the day it is handled again).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from fazhi.core import audit, errors, workflow
from fazhi.core.models import Organisation, User
from fazhi.core.services.deadlines import deadline_attach, deadlines_close_for
from fazhi.matters.events import MatterEvent
from fazhi.matters.models import (
    PROPOSAL_KINDS,
    Category,
    Channel,
    Matter,
    MatterKind,
    RequesterKind,
)
from fazhi.matters.models_proposals import HandlingRole, ProposalDetail
from fazhi.matters.services._common import (
    CONTENT_MAX,
    NAME_MAX,
    NOTE_MAX,
    TITLE_MAX,
    choice,
    day,
    require_handle,
    text,
)
from fazhi.matters.workflows import workflow_of

REFERENCE_MAX = 40
SESSION_MAX = 60
UNITS_MAX = 300
HEADCOUNT_MAX = 1_000
PROPOSERS = {
    MatterKind.SUGGESTION: (RequesterKind.DEPUTY,),
    MatterKind.PROPOSAL: (RequesterKind.MEMBER, RequesterKind.CPPCC_BODY),
}
REPLY_RULES = ("proposal.reply", "proposal.follow_up")


def _detail(matter: Matter) -> ProposalDetail:
    detail = ProposalDetail.objects.filter(matter=matter).first()
    if detail is None:
        raise errors.NotFound("不是建议提案。", code="not_a_proposal")
    return detail


def _require_kind(matter: Matter) -> None:
    if matter.kind not in PROPOSAL_KINDS:
        raise errors.ValidationFailed("该来件不是建议提案。", code="not_a_proposal")


def proposal_register(
    *,
    actor: User,
    organisation: Organisation,
    kind: str,
    reference: str,
    role: str,
    assigned_on: dt.date | None,
    requester_kind: str,
    requester_name: str,
    title: str,
    content: str,
    session: str = "",
    headcount: int = 1,
    lead_unit: str = "",
    co_units: str = "",
    category: str = Category.OTHER,
) -> Matter:
    """Register a suggestion or proposal assigned to ``organisation`` (交办): the reply clock (a
    lead unit) or the opinion clock (a co-handling unit) starts on the day of assignment."""
    require_handle(actor, organisation, action=MatterEvent.RECEIVED)
    kind = choice(kind, PROPOSAL_KINDS, field="kind", label="类型")
    role = choice(role, HandlingRole.values, field="role", label="办理方式")
    requester_kind = choice(
        requester_kind, PROPOSERS[MatterKind(kind)], field="requester", label="提出人类型"
    )
    category = choice(category, Category.values, field="category", label="类别")
    assigned = day(assigned_on, field="assigned_on", label="交办日期")
    if headcount is None or not 1 <= headcount <= HEADCOUNT_MAX:
        raise errors.ValidationFailed(
            f"提出人数应为1至{HEADCOUNT_MAX}。", code="bad_headcount", field="headcount"
        )
    reference = text(reference, field="reference", label="编号", max_length=REFERENCE_MAX)
    lead = text(
        lead_unit,
        field="lead_unit",
        label="主办单位",
        max_length=NAME_MAX,
        required=role == HandlingRole.CO,
    )
    fields: dict[str, Any] = {
        "requester_name": text(
            requester_name, field="requester_name", label="提出人", max_length=NAME_MAX
        ),
        "title": text(title, field="title", label="案由", max_length=TITLE_MAX),
        "content": text(content, field="content", label="内容", max_length=CONTENT_MAX),
    }
    extra = {
        "session": text(
            session, field="session", label="届次会议", max_length=SESSION_MAX, required=False
        ),
        "co_units": text(
            co_units, field="co_units", label="协办单位", max_length=UNITS_MAX, required=False
        ),
    }
    with transaction.atomic(durable=True):
        if ProposalDetail.objects.filter(
            matter__organisation=organisation,
            matter__kind=kind,
            reference=reference,
            session=extra["session"],
            assigned_on__year=assigned.year,
        ).exists():
            raise errors.Conflict(
                f"本单位已登记编号为{reference}的{MatterKind(kind).label}。",
                code="duplicate_reference",
            )
        matter = Matter.objects.create(
            organisation=organisation,
            kind=kind,
            channel=Channel.ASSIGNED,
            submitted_on=assigned,
            received_on=assigned,
            requester_kind=requester_kind,
            headcount=headcount,
            category=category,
            created_by=actor,
            **fields,
        )
        ProposalDetail.objects.create(
            matter=matter,
            reference=reference,
            role=role,
            assigned_on=assigned,
            lead_unit=lead,
            **extra,
        )
        audit.append(
            actor=actor,
            action=MatterEvent.RECEIVED,
            obj=matter,
            details={
                "kind": kind,
                "reference": reference,
                "role": role,
                "assigned_on": assigned.isoformat(),
            },
        )
        lead_role = role == HandlingRole.LEAD
        deadline_attach(
            actor=actor,
            organisation=organisation,
            title=(
                f"{MatterKind(kind).label}答复：{reference}"
                if lead_role
                else f"{MatterKind(kind).label}协办意见：{reference}"
            )[:200],
            rule_key="proposal.reply" if lead_role else "proposal.co_opinion",
            start_date=assigned,
            subject=matter,
            assignee=actor,
        )
    return matter


def proposal_reply(
    *, actor: User, matter: Matter, reply_type: str, reply_text: str, on: dt.date | None
) -> Matter:
    """The lead unit's written reply to the deputy (A/B/C), first or after a follow-up."""
    require_handle(actor, matter.organisation, action=MatterEvent.REPLIED)
    _require_kind(matter)
    detail = _detail(matter)
    start = detail.followed_up_on or matter.received_on
    on = day(
        on,
        field="on",
        label="答复日期",
        not_before=start,
        not_before_label="再次办理日期" if detail.followed_up_on else "交办日期",
    )
    body = text(
        reply_text, field="reply_text", label="答复内容", max_length=CONTENT_MAX, required=False
    )
    with transaction.atomic(durable=True):
        matter = workflow.transition(
            workflow_of(matter),
            matter,
            "reply",
            actor=actor,
            ctx={"reply_type": reply_type},
            changes={"reply_type": reply_type, "reply_text": body, "replied_on": on},
            details={
                "reply_type": reply_type,
                "on": on.isoformat(),
                "round": detail.follow_ups + 1,
            },
        )
        for rule_key in REPLY_RULES:
            deadlines_close_for(actor=actor, subject=matter, rule_key=rule_key, on=on)
    return matter


def proposal_submit_opinion(
    *, actor: User, matter: Matter, reply_text: str, on: dt.date | None
) -> Matter:
    """A co-handling unit's opinion sent to the lead unit (协办意见): its part is done."""
    require_handle(actor, matter.organisation, action=MatterEvent.OPINION_SUBMITTED)
    _require_kind(matter)
    on = day(on, field="on", label="提交日期", not_before=matter.received_on)
    body = str(reply_text or "").strip()
    if len(body) > CONTENT_MAX:
        raise errors.ValidationFailed(
            f"协办意见不能超过{CONTENT_MAX}个字符。", code="reply_text_too_long", field="reply_text"
        )
    with transaction.atomic(durable=True):
        matter = workflow.transition(
            workflow_of(matter),
            matter,
            "submit_opinion",
            actor=actor,
            ctx={"reply_text": body},
            changes={"reply_text": body, "replied_on": on, "closed_on": on},
            details={"on": on.isoformat()},
        )
        deadlines_close_for(actor=actor, subject=matter, rule_key="proposal.co_opinion", on=on)
    return matter


def proposal_follow_up(*, actor: User, matter: Matter, reason: str, on: dt.date | None) -> Matter:
    """Handle again after the deputy said 不满意 (再次办理): the earlier reply and feedback stay
    in the events; a new reply clock starts on ``on``."""
    require_handle(actor, matter.organisation, action=MatterEvent.FOLLOWED_UP)
    _require_kind(matter)
    on = day(
        on,
        field="on",
        label="再次办理日期",
        not_before=matter.replied_on or matter.received_on,
        not_before_label="答复日期",
    )
    reason = str(reason or "").strip()[:NOTE_MAX]
    with transaction.atomic(durable=True):
        matter = workflow.transition(
            workflow_of(matter),
            matter,
            "follow_up",
            actor=actor,
            ctx={"reason": reason},
            changes={"satisfaction": ""},
            details={
                "on": on.isoformat(),
                "reason": reason,
                "earlier_reply_type": matter.reply_type,
                "earlier_replied_on": matter.replied_on.isoformat() if matter.replied_on else None,
                "earlier_satisfaction": matter.satisfaction,
            },
        )
        detail = ProposalDetail.objects.select_for_update().get(matter=matter)
        detail.follow_ups += 1
        detail.followed_up_on = on
        detail.save(update_fields=["follow_ups", "followed_up_on"])
        deadline_attach(
            actor=actor,
            organisation=matter.organisation,
            title=f"{matter.get_kind_display()}再次办理答复：{detail.reference}"[:200],
            rule_key="proposal.follow_up",
            start_date=on,
            subject=matter,
            assignee=actor,
        )
    return matter


def proposal_close(*, actor: User, matter: Matter, on: dt.date | None) -> Matter:
    """Close a replied suggestion or proposal once the deputy's feedback is in (办结)."""
    require_handle(actor, matter.organisation, action=MatterEvent.CLOSED)
    _require_kind(matter)
    on = day(
        on, field="on", label="办结日期", not_before=matter.replied_on, not_before_label="答复日期"
    )
    with transaction.atomic(durable=True):
        return workflow.transition(
            workflow_of(matter),
            matter,
            "close",
            actor=actor,
            changes={"closed_on": on},
            details={"on": on.isoformat()},
        )
