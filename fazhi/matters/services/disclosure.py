"""Services: disclosure requests (政府信息公开申请, 政府信息公开条例 第二十九条至第三十九条).

The receipt date follows art. 31 by channel; the reply clock (``disclosure.reply``, 20 working
days, +20 with the approval of the head of the disclosure office, art. 33) starts on it. A
correction notice (补正, within 7 working days, art. 30) cancels that clock, and a new one
starts on the day the corrected request arrives; a third-party consultation (art. 32, 15
working days for the third party) stops it until the consultation ends (art. 33 para. 3).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from fazhi.core import audit, errors, workflow
from fazhi.core.models import Deadline, Organisation, User
from fazhi.core.models.deadlines import DeadlineState
from fazhi.core.periods import compute_due
from fazhi.core.services.deadlines import (
    deadline_attach,
    deadlines_cancel_for,
    deadlines_close_for,
    deadlines_resume_for,
    deadlines_stop_for,
)
from fazhi.matters.events import MatterEvent
from fazhi.matters.models import (
    CONFIRMED_CHANNELS,
    DISCLOSURE_CHANNELS,
    REPLY_REASONS,
    Category,
    Matter,
    MatterKind,
    ReplyType,
    RequesterKind,
)
from fazhi.matters.services._common import (
    CONTENT_MAX,
    NAME_MAX,
    NOTE_MAX,
    TITLE_MAX,
    check_approver,
    choice,
    day,
    extend_limit,
    require_handle,
    text,
)
from fazhi.matters.workflows import DISCLOSURE

DISCLOSURE_REQUESTERS = tuple(
    k for k in RequesterKind.values if k not in (RequesterKind.GROUP, RequesterKind.ANONYMOUS)
)


def receipt_date(channel: str, submitted_on: dt.date, confirmed_on: dt.date | None) -> dt.date:
    """Art. 31: in person, the day of submission; registered post, the day it is signed for (the
    submitted date given for this channel); ordinary mail, online or fax, the day the office and
    the applicant confirm it."""
    if channel not in CONFIRMED_CHANNELS:
        return submitted_on
    if confirmed_on is None:
        raise errors.ValidationFailed(
            "平常信函、互联网和传真提交的申请，以与申请人确认之日为收到日期，请填写确认日期。",
            code="confirmation_required",
            field="confirmed_on",
        )
    if confirmed_on < submitted_on:
        raise errors.ValidationFailed(
            "确认日期不能早于提交日期。", code="date_before_receipt", field="confirmed_on"
        )
    return confirmed_on


def _attach_reply_clock(actor: User, matter: Matter, start: dt.date) -> None:
    deadline_attach(
        actor=actor,
        organisation=matter.organisation,
        title=f"答复政府信息公开申请：{matter.title}"[:200],
        rule_key="disclosure.reply",
        start_date=start,
        subject=matter,
        assignee=actor,
    )


def _create(actor: User, fields: dict[str, Any]) -> Matter:
    matter = Matter.objects.create(kind=MatterKind.DISCLOSURE, created_by=actor, **fields)
    audit.append(
        actor=actor,
        action=MatterEvent.RECEIVED,
        obj=matter,
        details={
            "kind": matter.kind,
            "channel": matter.channel,
            "received_on": matter.received_on.isoformat(),
            "origin": matter.origin_id,
        },
    )
    _attach_reply_clock(actor, matter, matter.received_on)
    return matter


def disclosure_register(
    *,
    actor: User,
    organisation: Organisation,
    channel: str,
    submitted_on: dt.date | None,
    requester_kind: str,
    requester_name: str,
    title: str,
    content: str,
    confirmed_on: dt.date | None = None,
    requester_contact: str = "",
) -> Matter:
    """Register a disclosure request; its receipt date is fixed by art. 31 from the channel."""
    require_handle(actor, organisation, action=MatterEvent.RECEIVED)
    channel = choice(channel, DISCLOSURE_CHANNELS, field="channel", label="申请方式")
    requester_kind = choice(
        requester_kind, DISCLOSURE_REQUESTERS, field="requester", label="申请人类型"
    )
    submitted = day(submitted_on, field="submitted_on", label="提交日期")
    if confirmed_on is not None:
        day(confirmed_on, field="confirmed_on", label="确认日期")
    received = receipt_date(channel, submitted, confirmed_on)
    fields: dict[str, Any] = {
        "organisation": organisation,
        "channel": channel,
        "submitted_on": submitted,
        "confirmed_on": confirmed_on if channel in [str(c) for c in CONFIRMED_CHANNELS] else None,
        "received_on": received,
        "requester_kind": requester_kind,
        "requester_name": text(
            requester_name, field="requester_name", label="申请人姓名（名称）", max_length=NAME_MAX
        ),
        "requester_contact": text(
            requester_contact,
            field="contact",
            label="联系方式",
            max_length=NAME_MAX,
            required=False,
        ),
        "title": text(title, field="title", label="申请公开的信息", max_length=TITLE_MAX),
        "content": text(content, field="content", label="申请内容", max_length=CONTENT_MAX),
        "category": Category.INFORMATION,
    }
    with transaction.atomic(durable=True):
        return _create(actor, fields)


def disclosure_create_from(*, actor: User, origin: Matter, channel: str, on: dt.date) -> Matter:
    """Inside the petition's transaction: the petition asked for information, so it is handled
    as a disclosure request received on ``on`` (the day it was routed)."""
    if not connection.in_atomic_block:
        raise RuntimeError("disclosure_create_from must run inside the caller's transaction")
    requester_kind = (
        origin.requester_kind
        if origin.requester_kind in DISCLOSURE_REQUESTERS
        else RequesterKind.PERSON
    )
    return _create(
        actor,
        {
            "organisation": origin.organisation,
            "channel": channel,
            "submitted_on": on,
            "confirmed_on": on if channel in [str(c) for c in CONFIRMED_CHANNELS] else None,
            "received_on": on,
            "requester_kind": requester_kind,
            "requester_name": origin.requester_name or "（信访人）",
            "requester_contact": origin.requester_contact,
            "title": origin.title,
            "content": origin.content,
            "category": Category.INFORMATION,
            "origin": origin,
        },
    )


def disclosure_request_correction(
    *, actor: User, matter: Matter, on: dt.date | None, items: str
) -> Matter:
    """The one-time notice to correct an unclear request (art. 30): the reply clock is cancelled
    and starts again when the corrected request arrives. Whether the notice went out within 7
    working days is kept in the event."""
    require_handle(actor, matter.organisation, action=MatterEvent.CORRECTION_REQUESTED)
    on = day(on, field="on", label="告知补正日期", not_before=matter.received_on)
    items = text(items, field="items", label="需要补正的事项", max_length=NOTE_MAX, required=False)
    limit = compute_due(
        "disclosure.correction_notice",
        matter.received_on,
        province=matter.organisation.province_code(),
    )
    with transaction.atomic(durable=True):
        matter = workflow.transition(
            DISCLOSURE,
            matter,
            "request_correction",
            actor=actor,
            ctx={"reason": items},
            changes={"correction_requested_on": on, "route_note": items},
            details={
                "on": on.isoformat(),
                "items": items,
                "limit": limit.due.isoformat(),
                "on_time": on <= limit.due,
            },
        )
        deadlines_cancel_for(
            actor=actor, subject=matter, reason="告知补正，答复期限自收到补正申请之日起重新计算"
        )
    return matter


def disclosure_correct(*, actor: User, matter: Matter, on: dt.date | None) -> Matter:
    """The corrected request arrived: a new reply clock starts on that day."""
    require_handle(actor, matter.organisation, action=MatterEvent.CORRECTED)
    on = day(
        on,
        field="on",
        label="收到补正日期",
        not_before=matter.correction_requested_on,
        not_before_label="告知补正日期",
    )
    with transaction.atomic(durable=True):
        matter = workflow.transition(
            DISCLOSURE,
            matter,
            "correct",
            actor=actor,
            changes={"corrected_on": on},
            details={"on": on.isoformat()},
        )
        _attach_reply_clock(actor, matter, on)
    return matter


def disclosure_abandon(*, actor: User, matter: Matter, on: dt.date | None) -> Matter:
    """No correction came without good reason: the request is deemed withdrawn (art. 30), counted
    as "其他处理" in the annual report."""
    require_handle(actor, matter.organisation, action=MatterEvent.ABANDONED)
    on = day(
        on,
        field="on",
        label="日期",
        not_before=matter.correction_requested_on,
        not_before_label="告知补正日期",
    )
    with transaction.atomic(durable=True):
        return workflow.transition(
            DISCLOSURE,
            matter,
            "abandon",
            actor=actor,
            changes={
                "reply_type": ReplyType.OTHER,
                "reply_reason": "no_correction",
                "replied_on": on,
                "closed_on": on,
            },
            details={"on": on.isoformat()},
        )


def _reply_clock_lapsed(matter: Matter, on: dt.date) -> bool:
    """Whether the reply period had already run out before the consultation began: then there
    is no time left to leave out (art. 33 para. 3), the clock keeps running and the reply will
    be late; the consultation itself still goes ahead (art. 32). Decision 0076."""
    return Deadline.objects.filter(
        content_type=ContentType.objects.get_for_model(Matter),
        object_id=str(matter.pk),
        rule_key="disclosure.reply",
        met_on__isnull=True,
        state__in=(DeadlineState.OPEN, DeadlineState.OVERDUE),
        due_date__lt=on,
    ).exists()


def disclosure_consult(
    *, actor: User, matter: Matter, on: dt.date | None, third_party: str
) -> Matter:
    """Consult a third party in writing (art. 32): the reply clock stops from ``on`` (art. 33
    para. 3) and the third party's 15 working days run. A consultation begun after the reply
    period ran out leaves the clock running (decision 0076)."""
    require_handle(actor, matter.organisation, action=MatterEvent.CONSULTATION_STARTED)
    on = day(on, field="on", label="征求意见日期", not_before=matter.received_on)
    third_party = text(
        third_party, field="third_party", label="征求意见的对象", max_length=200, required=False
    )
    with transaction.atomic(durable=True):
        lapsed = _reply_clock_lapsed(matter, on)
        matter = workflow.transition(
            DISCLOSURE,
            matter,
            "consult",
            actor=actor,
            ctx={"reason": third_party},
            changes={"consultation_started_on": on, "consultation_ended_on": None},
            details={
                "on": on.isoformat(),
                "third_party": third_party,
                "reply_clock_stopped": not lapsed,
            },
        )
        if not lapsed:
            deadlines_stop_for(
                actor=actor,
                subject=matter,
                on=on,
                reason=f"征求第三方意见：{third_party}"[:200],
                rule_key="disclosure.reply",
            )
        deadline_attach(
            actor=actor,
            organisation=matter.organisation,
            title=f"第三方提出意见：{third_party}"[:200],
            rule_key="disclosure.third_party",
            start_date=on,
            subject=matter,
            assignee=actor,
        )
    return matter


def disclosure_end_consultation(*, actor: User, matter: Matter, on: dt.date | None) -> Matter:
    """The third party answered (or its 15 working days ran out): the reply clock resumes."""
    require_handle(actor, matter.organisation, action=MatterEvent.CONSULTATION_ENDED)
    on = day(
        on,
        field="on",
        label="意见征求结束日期",
        not_before=matter.consultation_started_on,
        not_before_label="征求意见日期",
    )
    with transaction.atomic(durable=True):
        matter = workflow.transition(
            DISCLOSURE,
            matter,
            "end_consultation",
            actor=actor,
            changes={"consultation_ended_on": on},
            details={"on": on.isoformat()},
        )
        deadlines_close_for(actor=actor, subject=matter, rule_key="disclosure.third_party", on=on)
        deadlines_resume_for(actor=actor, subject=matter, on=on, rule_key="disclosure.reply")
    return matter


def disclosure_extend(
    *,
    actor: User,
    matter: Matter,
    approved_by: User | None,
    approved_on: dt.date | None,
    reason: str,
) -> Matter:
    """The extension approved by the head of the disclosure office (art. 33: +20 working days at
    most, once, told to the applicant)."""
    require_handle(actor, matter.organisation, action=MatterEvent.EXTENDED)
    check_approver(approved_by, matter)
    reason = text(reason, field="reason", label="延期理由", max_length=200, required=False)
    approved = (
        day(approved_on, field="approved_on", label="批准日期", not_before=matter.received_on)
        if approved_by is not None
        else None
    )
    return extend_limit(
        actor=actor,
        matter=matter,
        table=DISCLOSURE,
        rule_key="disclosure.reply",
        approved_by=approved_by,
        approved=approved,
        reason=reason,
    )


def disclosure_reply(
    *,
    actor: User,
    matter: Matter,
    reply_type: str,
    reply_text: str,
    on: dt.date | None,
    reason: str = "",
) -> Matter:
    """The reply (art. 36, 37) with its type and, where the annual report counts reasons, the
    reason."""
    require_handle(actor, matter.organisation, action=MatterEvent.REPLIED)
    on = day(on, field="on", label="答复日期", not_before=matter.corrected_on or matter.received_on)
    reply_text = text(reply_text, field="reply_text", label="答复内容", max_length=CONTENT_MAX)
    reason = reason if reason in dict(REPLY_REASONS.get(reply_type, ())) else ""
    with transaction.atomic(durable=True):
        matter = workflow.transition(
            DISCLOSURE,
            matter,
            "reply",
            actor=actor,
            ctx={"reply_type": reply_type, "reason": reason or None},
            changes={
                "reply_type": reply_type,
                "reply_reason": reason,
                "reply_text": reply_text,
                "replied_on": on,
                "closed_on": on,
            },
            details={"reply_type": reply_type, "reason": reason, "on": on.isoformat()},
        )
        deadlines_close_for(actor=actor, subject=matter, rule_key="disclosure.reply", on=on)
    return matter
