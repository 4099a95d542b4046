"""Scoped reads of deadlines: lists, one deadline, the workbench and the calendar wait."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Case, Count, F, Q, QuerySet, Value, When, Window
from django.db.models.functions import RowNumber

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


WORKBENCH_ROWS = 50  # rows shown per section of the workbench; the count says how many more


@dataclass
class Workbench:
    """Each section holds at most ``WORKBENCH_ROWS`` deadlines, the most urgent first; its
    ``*_count`` is how many there are in all (the page links to the full list for the rest)."""

    overdue: list[Deadline] = field(default_factory=list)
    due_soon: list[Deadline] = field(default_factory=list)
    calendar_unknown: list[Deadline] = field(default_factory=list)  # due date not yet known
    stopped: list[Deadline] = field(default_factory=list)
    overdue_count: int = 0
    due_soon_count: int = 0
    calendar_unknown_count: int = 0
    stopped_count: int = 0

    # how many more than shown, for "另有N项" under each section
    @property
    def overdue_more(self) -> int:
        return self.overdue_count - len(self.overdue)

    @property
    def due_soon_more(self) -> int:
        return self.due_soon_count - len(self.due_soon)

    @property
    def calendar_unknown_more(self) -> int:
        return self.calendar_unknown_count - len(self.calendar_unknown)

    @property
    def stopped_more(self) -> int:
        return self.stopped_count - len(self.stopped)


def deadline_workbench(
    *, user: User, today: dt.date, soon_days: int = 7, rows: int = WORKBENCH_ROWS
) -> Workbench:
    """The user's deadlines that need attention: those assigned to them, or, for users who
    approve (leaders), every deadline in their scope. A deadline already fulfilled while its due
    date waits for the calendar needs nobody's attention. Nothing for a user who may not see
    deadlines (the workbench is everyone's home page).

    However many deadlines wait, two queries read them (decision 0080): the first numbers each
    active deadline within its section (most urgent first) and counts the section, on the
    deadline's own narrow columns, and returns only the ids numbered within ``rows`` (the LIMIT is
    in SQL); the second reads those rows with their organisation and assignee."""
    if not has_cap(user, Cap.DEADLINE_VIEW):
        return Workbench()
    qs = deadline_list(user=user)
    if not has_cap(user, Cap.DEADLINE_APPROVE):
        qs = qs.filter(assignee=user)
    horizon = today + dt.timedelta(days=soon_days)
    overdue = Q(state=DeadlineState.OVERDUE) | Q(state=DeadlineState.OPEN, due_date__lt=today)
    section = Case(
        When(overdue, then=Value(0)),
        When(state=DeadlineState.OPEN, then=Value(1)),
        When(state=DeadlineState.CALENDAR_UNKNOWN, then=Value(2)),
        default=Value(3),
        output_field=models.IntegerField(),
    )
    urgency = [models.F("due_date").asc(nulls_first=True), models.F("id").asc()]
    firsts = (
        qs.filter(
            overdue
            | Q(state=DeadlineState.OPEN, due_date__lte=horizon)
            | Q(
                state__in=(DeadlineState.CALENDAR_UNKNOWN, DeadlineState.STOPPED),
                met_on__isnull=True,
            )
        )
        .order_by()
        .annotate(section=section)
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("section")], order_by=urgency),
            section_count=Window(Count("id"), partition_by=[F("section")]),
        )
        .filter(rank__lte=rows)
        .values_list("pk", "section", "section_count")
    )
    board = Workbench()
    names = ("overdue", "due_soon", "calendar_unknown", "stopped")
    section_of: dict[int, str] = {}
    for pk, number, count in firsts:
        section_of[pk] = names[number]
        setattr(board, f"{names[number]}_count", count)
    if section_of:
        for deadline in qs.filter(pk__in=list(section_of)):  # in urgency order
            getattr(board, section_of[deadline.pk]).append(deadline)
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
