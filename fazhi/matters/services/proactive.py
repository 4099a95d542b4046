"""Services: proactive disclosure (主动公开, 政府信息公开条例 第二十六条): an item of government
information is registered with the day it was made; it is to be published within 20 working days
(rule ``disclosure.proactive``, a core deadline on the item); each publication is recorded with
its channel and place, met or late; a change of the information (变更) starts a new version and a
new clock from the day of the change.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from fazhi.core import audit, workflow
from fazhi.core.models import Organisation, User
from fazhi.core.services.deadlines import deadline_attach, deadlines_close_for
from fazhi.matters.events import MatterEvent
from fazhi.matters.models import ProactiveCategory, ProactiveItem, ProactivePublication
from fazhi.matters.services._common import (
    NOTE_MAX,
    TITLE_MAX,
    choice,
    day,
    require_handle,
    text,
)
from fazhi.matters.workflows import PROACTIVE

RULE = "disclosure.proactive"


def _clock(actor: User, item: ProactiveItem, start: dt.date) -> None:
    deadline_attach(
        actor=actor,
        organisation=item.organisation,
        title=f"主动公开：{item.title}"[:200],
        rule_key=RULE,
        start_date=start,
        subject=item,
        assignee=actor,
    )


def proactive_register(
    *,
    actor: User,
    organisation: Organisation,
    title: str,
    made_on: dt.date | None,
    category: str = ProactiveCategory.OTHER,
) -> ProactiveItem:
    """Register information to publish proactively, made on ``made_on``."""
    require_handle(actor, organisation, action=MatterEvent.PROACTIVE_REGISTERED)
    title = text(title, field="title", label="信息名称", max_length=TITLE_MAX)
    category = choice(category, ProactiveCategory.values, field="category", label="类别")
    made = day(made_on, field="made_on", label="形成日期")
    with transaction.atomic(durable=True):
        item = ProactiveItem.objects.create(
            organisation=organisation,
            title=title,
            category=category,
            made_on=made,
            created_by=actor,
        )
        _clock(actor, item, made)
        audit.append(
            actor=actor,
            action=MatterEvent.PROACTIVE_REGISTERED,
            obj=item,
            details={"made_on": made.isoformat(), "category": category},
        )
    return item


def proactive_publish(
    *, actor: User, item: ProactiveItem, on: dt.date | None, channel: str, location: str = ""
) -> ProactivePublication:
    """Record the publication (公开记录): the clock closes met or late."""
    require_handle(actor, item.organisation, action=MatterEvent.PROACTIVE_PUBLISHED)
    on = day(on, field="on", label="公开日期", not_before=item.made_on, not_before_label="形成日期")
    channel = text(channel, field="channel", label="公开渠道", max_length=100)
    location = text(location, field="location", label="公开位置", max_length=300, required=False)
    with transaction.atomic(durable=True):
        item = workflow.transition(
            PROACTIVE,
            item,
            "publish",
            actor=actor,
            details={"on": on.isoformat(), "channel": channel, "location": location},
        )
        closed = deadlines_close_for(actor=actor, subject=item, rule_key=RULE, on=on)
        on_time = all(clock.state != "late" for clock in closed)
        publication = ProactivePublication.objects.create(
            item=item,
            version=item.version,
            published_on=on,
            channel=channel,
            location=location,
            on_time=on_time,
            published_by=actor,
        )
    return publication


def proactive_change(
    *, actor: User, item: ProactiveItem, changed_on: dt.date | None, note: str
) -> ProactiveItem:
    """The published information changed (变更): a new version to publish within 20 working days
    of ``changed_on``; the earlier publications stay in the record."""
    require_handle(actor, item.organisation, action=MatterEvent.PROACTIVE_CHANGED)
    changed = day(
        changed_on,
        field="changed_on",
        label="变更日期",
        not_before=item.made_on,
        not_before_label="形成日期",
    )
    note = text(note, field="note", label="变更说明", max_length=min(NOTE_MAX, 200))
    with transaction.atomic(durable=True):
        item = workflow.transition(
            PROACTIVE,
            item,
            "change",
            actor=actor,
            ctx={"reason": note},
            changes={"made_on": changed, "change_note": note, "version": item.version + 1},
            details={"changed_on": changed.isoformat(), "note": note},
        )
        _clock(actor, item, changed)
    return item
