"""Services: hotline tickets (热线工单) from the 12345 hotline and similar platforms.

A ticket is a ``Matter`` of kind ``hotline`` with its ``HotlineTicket`` row. Its one clock is the
service level of its type (``hotline.consultation`` / ``.request`` / ``.complaint`` /
``.suggestion``, from the province's rule pack), started on the receipt day (the day the platform
dispatched it) and closed by the reply (met or late); an approved extension (``hotline.extension``)
moves it; a returned ticket (退单) cancels it. A complaint may become a case lead in enforcement
(``case_lead_create``, in the same transaction). Imports: ``services/hotline_import.py``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from fazhi.core import audit, clock, errors, rules, workflow
from fazhi.core.models import Organisation, User
from fazhi.core.services.deadlines import (
    deadline_attach,
    deadlines_cancel_for,
    deadlines_close_for,
)
from fazhi.enforcement.models import CaseLeadSource
from fazhi.enforcement.services.leads import case_lead_create
from fazhi.matters.events import HotlineEvent
from fazhi.matters.hotline_models import HotlinePlatform, HotlineTicket, TicketType
from fazhi.matters.models import (
    Category,
    Channel,
    Matter,
    MatterKind,
    RequesterKind,
    Satisfaction,
)
from fazhi.matters.services._common import (
    CONTENT_MAX,
    NAME_MAX,
    NOTE_MAX,
    check_approver,
    choice,
    day,
    extend_limit,
    require_handle,
    text,
)
from fazhi.matters.workflows import HOTLINE

if TYPE_CHECKING:
    from fazhi.registry.models import Entity

TICKET_NO_MAX = 64
TITLE_CHARS = 30
UNIT_MAX = 100


def service_level_key(ticket_type: str) -> str:
    return f"hotline.{ticket_type}"


def check_service_level(organisation: Organisation, ticket_type: str, on: dt.date) -> None:
    """The province's rule pack must set the ticket type's time limit (there is no national
    one): a province without it cannot take tickets."""
    try:
        rules.rule(service_level_key(ticket_type), on=on, province=organisation.province_code())
    except errors.UnknownRule as exc:
        raise errors.ValidationFailed(
            "本省规则包未规定该类热线工单的办理时限，请先由管理员补充规则包。",
            code="service_level_missing",
        ) from exc


def ticket_title(content: str) -> str:
    first = content.strip().splitlines()[0] if content.strip() else ""
    return first[:TITLE_CHARS] or "热线工单"


def clean_ticket_no(value: str) -> str:
    number = text(value, field="ticket_no", label="工单编号", max_length=TICKET_NO_MAX)
    if any(c.isspace() for c in number):
        raise errors.ValidationFailed(
            "工单编号不能包含空格。", code="bad_ticket_no", field="ticket_no"
        )
    return number


def hotline_register(
    *,
    actor: User,
    organisation: Organisation,
    platform: str,
    ticket_no: str,
    ticket_type: str,
    called_at: dt.datetime | None,
    content: str,
    received_on: dt.date | None = None,
    caller_name: str = "",
    caller_phone: str = "",
    category: str = Category.OTHER,
    platform_due: dt.date | None = None,
    handling_unit: str = "",
    entity: Entity | None = None,
) -> Matter:
    """Register a ticket by hand (登记), keeping the platform's ticket number. The receipt is
    the day the platform dispatched it (default: the day of the call)."""
    require_handle(actor, organisation, action=HotlineEvent.RECEIVED)
    platform = choice(platform, HotlinePlatform.values, field="platform", label="来源平台")
    ticket_type = choice(ticket_type, TicketType.values, field="ticket_type", label="诉求类型")
    category = choice(category, Category.values, field="category", label="类别")
    number = clean_ticket_no(ticket_no)
    if called_at is None:
        raise errors.ValidationFailed("请填写来电时间。", code="called_at_required")
    if called_at > clock.now():
        raise errors.ValidationFailed("来电时间不能晚于现在。", code="date_in_future")
    call_day = timezone.localdate(called_at)
    received = day(
        received_on or call_day,
        field="received_on",
        label="派单日期",
        not_before=call_day,
        not_before_label="来电日期",
    )
    if platform_due is not None and platform_due < call_day:
        raise errors.ValidationFailed(
            "平台办理时限不能早于来电日期。", code="date_before_receipt", field="platform_due"
        )
    body = text(content, field="content", label="诉求内容", max_length=CONTENT_MAX)
    name = text(
        caller_name, field="caller_name", label="来电人", max_length=NAME_MAX, required=False
    )
    phone = text(caller_phone, field="phone", label="电话", max_length=NAME_MAX, required=False)
    unit = text(
        handling_unit, field="handling_unit", label="承办单位", max_length=UNIT_MAX, required=False
    )
    if entity is not None and not entity.organisation.path.startswith(organisation.path):
        raise errors.ValidationFailed(
            "涉及单位不在该机构的监管范围内。", code="entity_out_of_reach", field="entity"
        )
    check_service_level(organisation, ticket_type, received)
    if HotlineTicket.objects.filter(platform=platform, ticket_no=number).exists():
        raise errors.Conflict("该平台的这个工单编号已登记。", code="duplicate_ticket")
    try:
        with transaction.atomic(durable=True):
            matter = Matter.objects.create(
                organisation=organisation,
                kind=MatterKind.HOTLINE,
                channel=Channel.HOTLINE,
                submitted_on=call_day,
                received_on=received,
                requester_kind=RequesterKind.PERSON if name else RequesterKind.ANONYMOUS,
                requester_name=name,
                requester_contact=phone,
                title=ticket_title(body),
                content=body,
                category=category,
                entity=entity,
                created_by=actor,
            )
            HotlineTicket.objects.create(
                matter=matter,
                platform=platform,
                ticket_no=number,
                ticket_type=ticket_type,
                called_at=called_at,
                platform_due=platform_due,
                handling_unit=unit,
            )
            audit.append(
                actor=actor,
                action=HotlineEvent.RECEIVED,
                obj=matter,
                details={
                    "platform": platform,
                    "ticket_no": number,
                    "ticket_type": ticket_type,
                    "received_on": received.isoformat(),
                },
            )
            deadline_attach(
                actor=actor,
                organisation=organisation,
                title=f"热线工单办理：{number}"[:200],
                rule_key=service_level_key(ticket_type),
                start_date=received,
                subject=matter,
                assignee=actor,
            )
    except IntegrityError as exc:  # registered meanwhile by someone else
        raise errors.Conflict("该平台的这个工单编号已登记。", code="duplicate_ticket") from exc
    return matter


def _ticket(matter: Matter) -> HotlineTicket:
    if matter.kind != MatterKind.HOTLINE:
        raise errors.NotFound("没有该办理步骤。", code="unknown_step")
    return matter.ticket


def hotline_accept(*, actor: User, matter: Matter, on: dt.date | None = None) -> Matter:
    """Take the ticket on (签收): the clock already runs from the dispatch."""
    require_handle(actor, matter.organisation, action=HotlineEvent.ACCEPTED)
    _ticket(matter)
    on = day(on or clock.today(), field="on", label="签收日期", not_before=matter.received_on)
    with transaction.atomic(durable=True):
        matter = workflow.transition(
            HOTLINE,
            matter,
            "accept",
            actor=actor,
            changes={"accepted_on": on},
            details={"on": on.isoformat()},
        )
    return matter


def hotline_return(*, actor: User, matter: Matter, on: dt.date | None, reason: str) -> Matter:
    """Send the ticket back to the platform (退单: not this unit's matter), with the reason;
    its clock is cancelled (the platform dispatches it again elsewhere)."""
    require_handle(actor, matter.organisation, action=HotlineEvent.RETURNED)
    ticket = _ticket(matter)
    on = day(on, field="on", label="退单日期", not_before=matter.received_on)
    reason = str(reason or "").strip()
    if len(reason) > NOTE_MAX:
        raise errors.ValidationFailed(
            f"退单理由不能超过{NOTE_MAX}个字符。", code="reason_too_long", field="reason"
        )
    with transaction.atomic(durable=True):
        matter = workflow.transition(
            HOTLINE,
            matter,
            "return",
            actor=actor,
            ctx={"reason": reason},
            changes={"closed_on": on},
            details={"on": on.isoformat(), "reason": reason},
        )
        ticket.returned_on = on
        ticket.return_reason = reason
        ticket.save(update_fields=["returned_on", "return_reason"])
        deadlines_cancel_for(actor=actor, subject=matter, reason=f"退单：{reason}"[:200])
    return matter


def hotline_extend(
    *,
    actor: User,
    matter: Matter,
    approved_by: User | None,
    approved_on: dt.date | None,
    reason: str,
) -> Matter:
    """The approved extension (延期) of the ticket's service level, once (``hotline.extension``)."""
    require_handle(actor, matter.organisation, action=HotlineEvent.EXTENDED)
    ticket = _ticket(matter)
    approved = (
        day(approved_on, field="approved_on", label="批准日期", not_before=matter.received_on)
        if approved_by is not None
        else approved_on
    )
    check_approver(approved_by, matter)
    return extend_limit(
        actor=actor,
        matter=matter,
        table=HOTLINE,
        rule_key=service_level_key(ticket.ticket_type),
        approved_by=approved_by,
        approved=approved,
        reason=str(reason or "").strip(),
    )


def hotline_start_case_lead(*, actor: User, matter: Matter, entity: Entity | None = None) -> Matter:
    """A complaint ticket about an institution becomes a case lead (投诉转案源) in enforcement,
    in the same transaction; the ticket stays open for its reply to the platform."""
    require_handle(actor, matter.organisation, action=HotlineEvent.CASE_LEAD_STARTED)
    _ticket(matter)
    entity = entity or matter.entity
    if entity is None:
        raise errors.ValidationFailed(
            "转为案源须选择被投诉的单位。", code="entity_required", field="entity"
        )
    if not entity.organisation.path.startswith(matter.organisation.path):
        raise errors.ValidationFailed(
            "涉及单位不在该机构的监管范围内。", code="entity_out_of_reach", field="entity"
        )
    with transaction.atomic(durable=True):
        HOTLINE.check(matter, "case_lead")  # nothing created for a ticket that may not
        lead = case_lead_create(
            actor=actor,
            organisation=matter.organisation,
            entity=entity,
            source=CaseLeadSource.COMPLAINT,
            facts=matter.content,
        )
        matter = workflow.transition(
            HOTLINE,
            matter,
            "case_lead",
            actor=actor,
            changes={"case_lead": lead, "entity": entity},
            details={"case_lead": lead.pk, "entity": entity.pk},
        )
    return matter


def hotline_reply(
    *, actor: User, matter: Matter, reply_type: str, reply_text: str, on: dt.date | None
) -> Matter:
    """Report the result to the platform (办结答复): the service-level clock closes, met or
    late against ``on``."""
    require_handle(actor, matter.organisation, action=HotlineEvent.REPLIED)
    ticket = _ticket(matter)
    on = day(on, field="on", label="答复日期", not_before=matter.received_on)
    body = text(reply_text, field="reply_text", label="答复内容", max_length=CONTENT_MAX)
    with transaction.atomic(durable=True):
        matter = workflow.transition(
            HOTLINE,
            matter,
            "reply",
            actor=actor,
            ctx={"reply_type": reply_type},
            changes={"reply_type": reply_type, "reply_text": body, "replied_on": on},
            details={"reply_type": reply_type, "on": on.isoformat()},
        )
        deadlines_close_for(
            actor=actor, subject=matter, rule_key=service_level_key(ticket.ticket_type), on=on
        )
    return matter


def hotline_call_back(
    *, actor: User, matter: Matter, on: dt.date | None, satisfaction: str, note: str = ""
) -> Matter:
    """The call-back (回访) after the reply, with the caller's satisfaction: the ticket is
    closed (办结)."""
    require_handle(actor, matter.organisation, action=HotlineEvent.CALLED_BACK)
    ticket = _ticket(matter)
    not_before = matter.replied_on or matter.received_on
    on = day(on, field="on", label="回访日期", not_before=not_before, not_before_label="答复日期")
    if satisfaction and satisfaction not in Satisfaction.values:
        raise errors.ValidationFailed("满意度无效。", code="bad_satisfaction", field="satisfaction")
    note = text(note, field="note", label="回访情况", max_length=NOTE_MAX, required=False)
    with transaction.atomic(durable=True):
        matter = workflow.transition(
            HOTLINE,
            matter,
            "call_back",
            actor=actor,
            ctx={"satisfaction": satisfaction},
            changes={"satisfaction": satisfaction, "closed_on": on},
            details={"on": on.isoformat(), "satisfaction": satisfaction},
        )
        ticket.callback_on = on
        ticket.callback_note = note
        ticket.save(update_fields=["callback_on", "callback_note"])
    return matter


def hotline_rehandle(*, actor: User, matter: Matter, on: dt.date | None, reason: str) -> Matter:
    """Re-handling (重办): the platform sends a replied or closed ticket back (the caller was
    dissatisfied, or the reply was inadequate). The ticket is taken on again with the reason
    (required), and a new service-level clock opens on ``on``, the day it was sent back; the
    earlier clock, its due dates and the earlier reply and call-back stay in the record (the
    event keeps them). Decision 0089."""
    require_handle(actor, matter.organisation, action=HotlineEvent.REHANDLED)
    ticket = _ticket(matter)
    not_before = ticket.callback_on or matter.replied_on or matter.received_on
    on = day(
        on,
        field="on",
        label="重办日期",
        not_before=not_before,
        not_before_label="回访日期" if ticket.callback_on else "答复日期",
    )
    reason = text(reason, field="reason", label="重办理由", max_length=NOTE_MAX, required=False)
    check_service_level(matter.organisation, ticket.ticket_type, on)
    earlier = {
        "earlier_reply": matter.reply_type,
        "earlier_replied_on": matter.replied_on.isoformat() if matter.replied_on else None,
        "earlier_satisfaction": matter.satisfaction,
        "earlier_callback_on": ticket.callback_on.isoformat() if ticket.callback_on else None,
    }
    with transaction.atomic(durable=True):
        matter = workflow.transition(
            HOTLINE,
            matter,
            "rehandle",
            actor=actor,
            ctx={"reason": reason},
            changes={"reopen_reason": reason, "closed_on": None},
            details={"on": on.isoformat(), "reason": reason, **earlier},
        )
        deadline_attach(
            actor=actor,
            organisation=matter.organisation,
            title=f"热线工单重办：{ticket.ticket_no}"[:200],
            rule_key=service_level_key(ticket.ticket_type),
            start_date=on,
            subject=matter,
            assignee=actor,
        )
    return matter
