"""Scoped reads of deadlines: lists, one deadline, the workbench and the calendar wait."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import F, Func, Q, QuerySet, Subquery

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

    However many deadlines wait, one query reads the board (decision 0088, after 0080): the
    rows of each section's first ``rows`` ids (per section an ``ORDER BY … LIMIT`` that walks an
    index and stops), most urgent first, with their organisation and assignee. Every row also
    carries the sections' counts: uncorrelated subqueries, computed once, each a range of the
    ``(organisation, state, due_date)`` index. No row: every section is empty."""
    if not has_cap(user, Cap.DEADLINE_VIEW):
        return Workbench()
    qs = deadline_list(user=user)
    # the subqueries' base: the same rows without the list's joins and order (less to build)
    mine = scoped(Deadline.objects.order_by(), user)
    if not has_cap(user, Cap.DEADLINE_APPROVE):
        qs, mine = qs.filter(assignee=user), mine.filter(assignee=user)
    sections = _sections(today, today + dt.timedelta(days=soon_days))
    counts = {
        f"{section.name}_count": sum(
            (_count(mine.filter(part)) for part in section.parts[1:]),
            _count(mine.filter(section.parts[0])),
        )
        for section in sections
    }
    firsts = [
        Deadline.objects.order_by()
        .filter(pk__in=mine.filter(section.where).order_by(*section.order).values("pk")[:rows])
        .values("pk")
        for section in sections
    ]
    board = Workbench()
    shown = qs.filter(pk__in=firsts[0].union(*firsts[1:], all=True)).annotate(**counts)
    for deadline in shown:  # in urgency order
        for name in counts:
            setattr(board, name, getattr(deadline, name))
        section = next(s for s in sections if s.holds(deadline, today))
        getattr(board, section.name).append(deadline)
    return board


@dataclass(frozen=True)
class _Section:
    """A section of the board: the deadlines matching any of ``parts`` (disjoint; each counted
    on its own so that its count is an index range), most urgent first by ``order``."""

    name: str
    parts: tuple[Q, ...]
    order: tuple[Any, ...]

    @property
    def where(self) -> Q:
        where = Q()
        for part in self.parts:
            where |= part
        return where

    def holds(self, deadline: Deadline, today: dt.date) -> bool:
        """Whether a row the board read belongs here (the sections are tried in order)."""
        running = deadline.state in (DeadlineState.OPEN, DeadlineState.OVERDUE)
        if self.name == "overdue":
            return deadline.state == DeadlineState.OVERDUE or (
                running and deadline.due_date is not None and deadline.due_date < today
            )
        if self.name == "due_soon":
            return running
        return self.name == deadline.state or self.name == "stopped"


def _sections(today: dt.date, horizon: dt.date) -> list[_Section]:
    """A running clock (open, overdue) always has a due date: its sections order by
    ``(due_date, id)``, which walks the partial index ``deadline_running_due`` and stops at the
    LIMIT; the other sections put a due date not yet known first."""
    running = ("due_date", "id")
    urgency = (F("due_date").asc(nulls_first=True), F("id").asc())
    return [
        _Section(
            "overdue",
            (Q(state=DeadlineState.OVERDUE), Q(state=DeadlineState.OPEN, due_date__lt=today)),
            running,
        ),
        _Section(
            "due_soon",
            (Q(state=DeadlineState.OPEN, due_date__gte=today, due_date__lte=horizon),),
            running,
        ),
        _Section(
            "calendar_unknown",
            (Q(state=DeadlineState.CALENDAR_UNKNOWN, met_on__isnull=True),),
            urgency,
        ),
        _Section("stopped", (Q(state=DeadlineState.STOPPED, met_on__isnull=True),), urgency),
    ]


def _count(qs: QuerySet[Deadline]) -> Subquery:
    """``COUNT(*)``, not of a column: an index-only scan of the filter's index answers it."""
    rows = Func(template="COUNT(*)", output_field=models.IntegerField())
    return Subquery(qs.order_by().values(n=rows))


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
