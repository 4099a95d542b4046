"""Services: petitions (信访事项, 信访工作条例), from registration to the reply, the reviews and
the satisfaction.

Clocks (core deadlines attached to the matter): the acceptance notice (``petition.accept``, 15
days from receipt, 第二十三条; none for an anonymous petition, whose notice cannot be given),
the handling (``petition.handle``, 60 days from acceptance, +30 with the head's approval,
第三十四条), the review and re-review replies (``petition.review``, ``petition.re_review``, 30
days, 第三十五条、第三十六条). The petitioner's own windows to ask for a review are checked when
the request is registered.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction

from fazhi.core import audit, errors, workflow
from fazhi.core.models import Organisation, User
from fazhi.core.periods import compute_due
from fazhi.core.services.deadlines import (
    deadline_attach,
    deadlines_close_for,
)
from fazhi.enforcement.models import CaseLeadSource
from fazhi.enforcement.services.leads import case_lead_create
from fazhi.matters.events import MatterEvent
from fazhi.matters.models import (
    PETITION_CHANNELS,
    Category,
    Channel,
    Matter,
    MatterKind,
    RequesterKind,
    Route,
    Urgency,
)
from fazhi.matters.services import disclosure as disclosure_services
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
from fazhi.matters.workflows import PETITION

if TYPE_CHECKING:  # the FK names the model by string
    from fazhi.registry.models import Entity

PETITION_REQUESTERS = (RequesterKind.PERSON, RequesterKind.GROUP, RequesterKind.ANONYMOUS)
GROUP_MIN = 2
REVIEW_RULES = {1: ("petition.review_request", "petition.review", "复查")}
REVIEW_RULES[2] = ("petition.re_review_request", "petition.re_review", "复核")

# a petition asking for information becomes a disclosure request received the same way
DISCLOSURE_CHANNEL_OF = {
    Channel.LETTER: Channel.POST_SIGNED,
    Channel.VISIT: Channel.IN_PERSON,
    Channel.GROUP_VISIT: Channel.IN_PERSON,
    Channel.ONLINE: Channel.INTERNET,
}


def _check_entity(entity: Entity | None, organisation: Organisation) -> None:
    if entity is not None and not entity.organisation.path.startswith(organisation.path):
        raise errors.ValidationFailed(
            "涉及单位不在该机构的监管范围内。", code="entity_out_of_reach", field="entity"
        )


def petition_register(
    *,
    actor: User,
    organisation: Organisation,
    channel: str,
    received_on: dt.date | None,
    requester_kind: str,
    title: str,
    content: str,
    requester_name: str = "",
    requester_contact: str = "",
    headcount: int = 1,
    category: str = Category.OTHER,
    urgency: str = Urgency.NORMAL,
    entity: Entity | None = None,
) -> Matter:
    """Register a petition received directly (登记). The receipt is the day it came in."""
    require_handle(actor, organisation, action=MatterEvent.RECEIVED)
    channel = choice(channel, PETITION_CHANNELS, field="channel", label="信访渠道")
    requester_kind = choice(
        requester_kind, PETITION_REQUESTERS, field="requester", label="信访人类型"
    )
    category = choice(category, Category.values, field="category", label="类别")
    urgency = choice(urgency, Urgency.values, field="urgency", label="紧急程度")
    received = day(received_on, field="received_on", label="收到日期")
    name = text(
        requester_name,
        field="requester_name",
        label="信访人姓名（名称）",
        max_length=NAME_MAX,
        required=requester_kind != RequesterKind.ANONYMOUS,
    )
    if requester_kind == RequesterKind.ANONYMOUS:
        name = ""
    if headcount is None or headcount < 1:
        raise errors.ValidationFailed("人数至少为1。", code="bad_headcount", field="headcount")
    if channel == Channel.GROUP_VISIT and (
        headcount < GROUP_MIN or requester_kind != RequesterKind.GROUP
    ):
        raise errors.ValidationFailed(
            "集体访须登记为多人（群体）并填写来访人数。", code="group_headcount", field="headcount"
        )
    _check_entity(entity, organisation)
    fields: dict[str, Any] = {
        "title": text(title, field="title", label="事由", max_length=TITLE_MAX),
        "content": text(content, field="content", label="信访内容", max_length=CONTENT_MAX),
        "requester_contact": text(
            requester_contact,
            field="contact",
            label="联系方式",
            max_length=NAME_MAX,
            required=False,
        ),
    }
    with transaction.atomic(durable=True):
        matter = Matter.objects.create(
            organisation=organisation,
            kind=MatterKind.PETITION,
            channel=channel,
            submitted_on=received,
            received_on=received,
            requester_kind=requester_kind,
            requester_name=name,
            headcount=headcount,
            category=category,
            urgency=urgency,
            entity=entity,
            created_by=actor,
            **fields,
        )
        audit.append(
            actor=actor,
            action=MatterEvent.RECEIVED,
            obj=matter,
            details={"kind": matter.kind, "channel": channel, "received_on": received.isoformat()},
        )
        if requester_kind != RequesterKind.ANONYMOUS:
            deadline_attach(
                actor=actor,
                organisation=organisation,
                title=f"信访事项受理告知：{matter.title}"[:200],
                rule_key="petition.accept",
                start_date=received,
                subject=matter,
                assignee=actor,
            )
    return matter


def petition_accept(*, actor: User, matter: Matter, on: dt.date | None) -> Matter:
    """Accept the petition and notify the petitioner in writing (受理告知): the handling clock
    (60 days, 第三十四条) starts on the day of the notice."""
    require_handle(actor, matter.organisation, action=MatterEvent.ACCEPTED)
    on = day(on, field="on", label="受理告知日期", not_before=matter.received_on)
    with transaction.atomic(durable=True):
        matter = workflow.transition(
            PETITION,
            matter,
            "accept",
            actor=actor,
            changes={"accepted_on": on},
            details={"on": on.isoformat()},
        )
        deadlines_close_for(actor=actor, subject=matter, rule_key="petition.accept", on=on)
        deadline_attach(
            actor=actor,
            organisation=matter.organisation,
            title=f"信访事项办理：{matter.title}"[:200],
            rule_key="petition.handle",
            start_date=on,
            subject=matter,
            assignee=actor,
        )
    return matter


def petition_route(
    *,
    actor: User,
    matter: Matter,
    route: str,
    on: dt.date | None,
    note: str = "",
    entity: Entity | None = None,
) -> Matter:
    """Divert the petition into the procedure it belongs to, with the written notice
    (第二十三条、第三十一条): a complaint about an institution becomes a case lead, a request for
    information a disclosure request, a matter for a court, arbitration or reconsideration (or of
    another agency) is redirected with the notice saying where to go."""
    require_handle(actor, matter.organisation, action=MatterEvent.ROUTED)
    route = choice(route, Route.values, field="route", label="导入程序")
    on = day(on, field="on", label="告知日期", not_before=matter.received_on)
    note = text(
        note,
        field="note",
        label="告知内容",
        max_length=NOTE_MAX,
        required=route in (Route.LITIGATION, Route.OTHER_AGENCY),
    )
    entity = entity or matter.entity
    if route == Route.CASE_LEAD:
        if entity is None:
            raise errors.ValidationFailed(
                "转为案源须选择被投诉的单位。", code="entity_required", field="entity"
            )
        _check_entity(entity, matter.organisation)
    if route == Route.DISCLOSURE and matter.channel not in DISCLOSURE_CHANNEL_OF:
        raise errors.ValidationFailed(
            "来电不能作为政府信息公开申请，请告知申请人以书面形式提出。",
            code="channel_not_for_disclosure",
        )
    with transaction.atomic(durable=True):
        changes: dict[str, Any] = {"route": route, "routed_on": on, "route_note": note}
        if route == Route.CASE_LEAD:
            assert entity is not None
            changes["case_lead"] = case_lead_create(
                actor=actor,
                organisation=matter.organisation,
                entity=entity,
                source=CaseLeadSource.COMPLAINT,
                facts=matter.content,
            )
            changes["entity"] = entity
        matter = workflow.transition(
            PETITION,
            matter,
            "route",
            actor=actor,
            changes=changes,
            details={"route": route, "on": on.isoformat()},
        )
        deadlines_close_for(actor=actor, subject=matter, rule_key="petition.accept", on=on)
        if route == Route.DISCLOSURE:
            disclosure_services.disclosure_create_from(
                actor=actor,
                origin=matter,
                channel=DISCLOSURE_CHANNEL_OF[Channel(matter.channel)],
                on=on,
            )
    return matter


def petition_extend(
    *,
    actor: User,
    matter: Matter,
    approved_by: User | None,
    approved_on: dt.date | None,
    reason: str,
) -> Matter:
    """The head's approved extension of the handling limit (+30 days at most, once, with the
    reasons told to the petitioner: 第三十四条)."""
    require_handle(actor, matter.organisation, action=MatterEvent.EXTENDED)
    check_approver(approved_by, matter)
    reason = text(reason, field="reason", label="延期理由", max_length=200, required=False)
    approved = (
        day(
            approved_on,
            field="approved_on",
            label="批准日期",
            not_before=matter.accepted_on,
            not_before_label="受理日期",
        )
        if approved_by is not None
        else None
    )
    return extend_limit(
        actor=actor,
        matter=matter,
        table=PETITION,
        rule_key="petition.handle",
        approved_by=approved_by,
        approved=approved,
        reason=reason,
    )


def _reply_fields(reply_type: str, reply_text: str, on: dt.date) -> dict[str, Any]:
    return {
        "reply_type": reply_type,
        "reply_reason": "",
        "reply_text": reply_text,
        "replied_on": on,
    }


def petition_reply(
    *, actor: User, matter: Matter, reply_type: str, reply_text: str, on: dt.date | None
) -> Matter:
    """The written reply (信访处理意见书, 第三十二条): 支持, 解释说明 or 不予支持."""
    require_handle(actor, matter.organisation, action=MatterEvent.REPLIED)
    on = day(
        on,
        field="on",
        label="答复日期",
        not_before=matter.accepted_on or matter.received_on,
        not_before_label="受理日期",
    )
    reply_text = text(reply_text, field="reply_text", label="答复内容", max_length=CONTENT_MAX)
    with transaction.atomic(durable=True):
        matter = workflow.transition(
            PETITION,
            matter,
            "reply",
            actor=actor,
            ctx={"reply_type": reply_type},
            changes=_reply_fields(reply_type, reply_text, on),
            details={"reply_type": reply_type, "on": on.isoformat()},
        )
        deadlines_close_for(actor=actor, subject=matter, rule_key="petition.handle", on=on)
    return matter


def petition_request_review(*, actor: User, matter: Matter, on: dt.date | None) -> Matter:
    """Register the petitioner's request for a review (复查, then 复核): within 30 days of the
    written reply; the reviewer's 30 days start on the day it is received."""
    require_handle(actor, matter.organisation, action=MatterEvent.REVIEW_REQUESTED)
    level = matter.review_level + 1
    if level > max(REVIEW_RULES):
        PETITION.check(matter, "request_review")  # refuses with the table's reason
    window_rule, reply_rule, label = REVIEW_RULES[min(level, max(REVIEW_RULES))]
    on = day(
        on,
        field="on",
        label=f"{label}请求日期",
        not_before=matter.replied_on,
        not_before_label="答复日期",
    )
    if matter.replied_on is not None:
        window = compute_due(
            window_rule, matter.replied_on, province=matter.organisation.province_code()
        )
        if on > window.due:
            raise errors.ValidationFailed(
                f"请求{label}的期限已于{window.due:%Y-%m-%d}届满（{window.citation}）。",
                code="review_window_passed",
                field="on",
            )
    with transaction.atomic(durable=True):
        matter = workflow.transition(
            PETITION,
            matter,
            "request_review",
            actor=actor,
            changes={"review_level": level, "review_requested_on": on, "closed_on": None},
            details={"level": level, "on": on.isoformat()},
        )
        deadline_attach(
            actor=actor,
            organisation=matter.organisation,
            title=f"信访事项{label}：{matter.title}"[:200],
            rule_key=reply_rule,
            start_date=on,
            subject=matter,
            assignee=actor,
        )
    return matter


def petition_review(
    *, actor: User, matter: Matter, reply_type: str, reply_text: str, on: dt.date | None
) -> Matter:
    """The review (复查) or re-review (复核) opinion, in writing."""
    require_handle(actor, matter.organisation, action=MatterEvent.REVIEWED)
    _, reply_rule, label = REVIEW_RULES.get(matter.review_level, REVIEW_RULES[1])
    on = day(
        on,
        field="on",
        label=f"{label}意见日期",
        not_before=matter.review_requested_on,
        not_before_label="请求日期",
    )
    reply_text = text(reply_text, field="reply_text", label=f"{label}意见", max_length=CONTENT_MAX)
    with transaction.atomic(durable=True):
        matter = workflow.transition(
            PETITION,
            matter,
            "review",
            actor=actor,
            ctx={"reply_type": reply_type},
            changes=_reply_fields(reply_type, reply_text, on),
            details={"reply_type": reply_type, "level": matter.review_level, "on": on.isoformat()},
        )
        deadlines_close_for(actor=actor, subject=matter, rule_key=reply_rule, on=on)
    return matter


def petition_close(*, actor: User, matter: Matter, on: dt.date | None) -> Matter:
    """Close the petition (办结); refused without a written reply."""
    require_handle(actor, matter.organisation, action=MatterEvent.CLOSED)
    on = day(
        on,
        field="on",
        label="办结日期",
        not_before=matter.replied_on or matter.received_on,
        not_before_label="答复日期",
    )
    with transaction.atomic(durable=True):
        return workflow.transition(
            PETITION,
            matter,
            "close",
            actor=actor,
            changes={"closed_on": on},
            details={"on": on.isoformat()},
        )


def petition_reopen(*, actor: User, matter: Matter, reason: str) -> Matter:
    """Reopen a closed petition for handling again, with the reason; the earlier reply stays in
    the event."""
    require_handle(actor, matter.organisation, action=MatterEvent.REOPENED)
    reason = text(reason, field="reason", label="重新办理理由", max_length=NOTE_MAX, required=False)
    with transaction.atomic(durable=True):
        return workflow.transition(
            PETITION,
            matter,
            "reopen",
            actor=actor,
            ctx={"reason": reason},
            changes={"reopen_reason": reason, "closed_on": None},
            details={
                "reason": reason,
                "earlier_reply": matter.reply_type,
                "earlier_replied_on": matter.replied_on.isoformat() if matter.replied_on else None,
            },
        )
