"""Scoped reads of deadlines: lists, one deadline, the workbench and the calendar wait."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q, QuerySet

from fazhi.core import calendar as workcal
from fazhi.core import clock
from fazhi.core.audit_events import DeadlineEvents
from fazhi.core.models import (
    Deadline,
    User,
)
from fazhi.core.models.deadlines import DeadlineState
from fazhi.core.roles import Cap
from fazhi.core.scope import (
    get_scoped,
    has_cap,
    has_root_cap,
    require_cap,
    scoped,
)


def deadline_list(
    *,
    user: User,
    state: str | None = None,
    rule_key: str | None = None,
    organisation_id: int | None = None,
    assignee_id: int | None = None,
    due_from: dt.date | None = None,
    due_to: dt.date | None = None,
) -> QuerySet[Deadline]:
    """The deadlines in the user's scope, filtered; refused without ``deadline.view``."""
    require_cap(user, Cap.DEADLINE_VIEW, action=DeadlineEvents.DEADLINE_LISTED)
    qs = scoped(Deadline.objects.all(), user).select_related("organisation", "assignee")
    if state:
        qs = qs.filter(state=state)
    if rule_key:
        qs = qs.filter(rule_key=rule_key)
    if organisation_id:
        qs = qs.filter(organisation_id=organisation_id)
    if assignee_id:
        qs = qs.filter(assignee_id=assignee_id)
    if due_from:
        qs = qs.filter(due_date__gte=due_from)
    if due_to:
        qs = qs.filter(due_date__lte=due_to)
    return qs.order_by(models.F("due_date").asc(nulls_first=True), "id")


def deadline_get(*, user: User, pk: int) -> Deadline:
    require_cap(user, Cap.DEADLINE_VIEW, action=DeadlineEvents.DEADLINE_VIEWED)
    return get_scoped(
        deadline_list(user=user).prefetch_related("stops", "extensions__approved_by"), pk
    )


@dataclass
class Workbench:
    overdue: list[Deadline] = field(default_factory=list)
    due_soon: list[Deadline] = field(default_factory=list)
    calendar_unknown: list[Deadline] = field(default_factory=list)  # due date not yet known
    stopped: list[Deadline] = field(default_factory=list)


def deadline_workbench(*, user: User, today: dt.date, soon_days: int = 7) -> Workbench:
    """The user's deadlines that need attention: those assigned to them, or, for users who
    approve (leaders), every deadline in their scope. A deadline already fulfilled while its due
    date waits for the calendar needs nobody's attention. Nothing for a user who may not see
    deadlines (the workbench is everyone's home page)."""
    if not has_cap(user, Cap.DEADLINE_VIEW):
        return Workbench()
    qs = deadline_list(user=user)
    if not has_cap(user, Cap.DEADLINE_APPROVE):
        qs = qs.filter(assignee=user)
    horizon = today + dt.timedelta(days=soon_days)
    active = qs.filter(
        Q(state=DeadlineState.OVERDUE)
        | Q(state=DeadlineState.OPEN, due_date__lte=horizon)
        | Q(state__in=(DeadlineState.CALENDAR_UNKNOWN, DeadlineState.STOPPED), met_on__isnull=True)
    )
    board = Workbench()
    for deadline in active[:500]:
        if deadline.state == DeadlineState.CALENDAR_UNKNOWN:
            board.calendar_unknown.append(deadline)
        elif deadline.state == DeadlineState.STOPPED:
            board.stopped.append(deadline)
        elif deadline.state == DeadlineState.OVERDUE or (
            deadline.due_date is not None and deadline.due_date < today
        ):
            board.overdue.append(deadline)
        else:
            board.due_soon.append(deadline)
    return board


@dataclass(frozen=True)
class CalendarWait:
    """Deadlines whose due date waits for a year the calendar does not know yet."""

    count: int
    next_year: int  # the first year after the last one published


def calendar_wait(*, user: User) -> CalendarWait | None:
    """For the calendar's administrators (root organisation): how many deadlines wait for a
    missing year (one query), or None when none do or the user cannot publish the year."""
    if not has_root_cap(user, Cap.CALENDAR_MANAGE):
        return None
    count = Deadline.objects.filter(state=DeadlineState.CALENDAR_UNKNOWN).count()
    if not count:
        return None
    years = workcal.current().years
    return CalendarWait(count=count, next_year=(max(years) + 1) if years else clock.this_year())


def deadlines_of(*, user: User, subject: models.Model) -> QuerySet[Deadline]:
    """The deadlines attached to one record (``deadline_attach(subject=…)``), in scope; nothing
    for a user without ``deadline.view`` (the record's page still shows)."""
    from django.contrib.contenttypes.models import ContentType

    if not has_cap(user, Cap.DEADLINE_VIEW):
        return Deadline.objects.none()
    return (
        scoped(Deadline.objects.all(), user)
        .filter(content_type=ContentType.objects.get_for_model(subject), object_id=str(subject.pk))
        .select_related("organisation", "assignee")
        .order_by(models.F("due_date").asc(nulls_first=True), "id")
    )
