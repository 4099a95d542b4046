"""The working-day engine: is a date a working day, and what is the n-th working day after it.

The official calendar lives in the database: ``CalendarYear`` (a year is known only when it has a
row) and ``CalendarDay`` (exceptions to Monday–Friday: weekday holidays and make-up working days).
A question about a year without a row raises ``CalendarUnknown``: never a weekend-only guess.

Each process keeps a snapshot of the tables. Every calendar service bumps the version in
``CalendarRevision``; ``current()`` compares that number (one primary-key read) and reloads the
snapshot only when it changed. Writes made in this process invalidate the snapshot at once
(services call ``invalidate()``, and ORM saves of the two models do through signals).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models.signals import post_delete, post_save

from fazhi.core import errors
from fazhi.core.models import CalendarDay, CalendarRevision, CalendarYear
from fazhi.core.models.calendar import DayKind

ONE_DAY = dt.timedelta(days=1)
WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


@dataclass(frozen=True)
class Calendar:
    """An immutable snapshot of the official calendar."""

    version: int
    years: frozenset[int]
    holidays: frozenset[dt.date]  # days off, on weekdays or weekends
    workdays: frozenset[dt.date]  # make-up working days (on weekends)
    names: dict[dt.date, str]

    def require_year(self, year: int) -> None:
        if year not in self.years:
            raise errors.CalendarUnknown(year)

    def is_workday(self, day: dt.date) -> bool:
        if day.year not in self.years:
            raise errors.CalendarUnknown(day.year)
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def describe(self, day: dt.date) -> str:
        """A Chinese label for the trace: "2025-10-01 周三 国庆节（休息）"."""
        label = f"{day.isoformat()} {WEEKDAY_NAMES[day.weekday()]}"
        if day.year not in self.years:
            return f"{label} 日历未知"
        name = self.names.get(day, "")
        if day in self.workdays:
            return f"{label} {name}调休上班"
        if day in self.holidays:
            return f"{label} {name}（法定节假日）" if name else f"{label} 法定节假日"
        return f"{label} 工作日" if day.weekday() < 5 else f"{label} 休息日"

    def next_workday(self, day: dt.date) -> dt.date:
        """The first working day strictly after ``day``."""
        day += ONE_DAY
        while not self.is_workday(day):
            day += ONE_DAY
        return day

    def roll_forward(self, day: dt.date) -> dt.date:
        """``day`` if it is a working day, else the next working day."""
        return day if self.is_workday(day) else self.next_workday(day)

    def add_working_days(
        self, day: dt.date, n: int, *, skip: frozenset[dt.date] = frozenset()
    ) -> dt.date:
        """The ``n``-th working day after ``day`` (``day`` itself not counted); days in ``skip``
        (a stopped clock) do not count either."""
        if n < 0:
            raise ValueError("n must be >= 0")
        while n:
            day += ONE_DAY
            if day not in skip and self.is_workday(day):
                n -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """How many working days are in (start, end]."""
        count = 0
        day = start
        while day < end:
            day += ONE_DAY
            if self.is_workday(day):
                count += 1
        return count


_lock = threading.Lock()
_snapshot: Calendar | None = None
_signals_connected = False


def invalidate(**_: object) -> None:
    """Forget this process's snapshot; the next question reloads it."""
    global _snapshot
    _snapshot = None


def _connect_signals() -> None:
    # Connected on first use: before the first load there is no snapshot to go stale.
    global _signals_connected
    if _signals_connected:
        return
    for model in (CalendarDay, CalendarYear):
        post_save.connect(invalidate, sender=model, dispatch_uid=f"calendar-invalidate-{model}")
        post_delete.connect(
            invalidate, sender=model, dispatch_uid=f"calendar-invalidate-del-{model}"
        )
    _signals_connected = True


def db_version() -> int:
    table = CalendarRevision._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT version FROM {table} WHERE id = 1")  # noqa: S608
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def _load(version: int) -> Calendar:
    years = frozenset(CalendarYear.objects.values_list("year", flat=True))
    holidays: set[dt.date] = set()
    workdays: set[dt.date] = set()
    names: dict[dt.date, str] = {}
    for day, kind, name in CalendarDay.objects.values_list("date", "kind", "name"):
        (workdays if kind == DayKind.WORKDAY else holidays).add(day)
        if name:
            names[day] = name
    return Calendar(
        version=version,
        years=years,
        holidays=frozenset(holidays),
        workdays=frozenset(workdays),
        names=names,
    )


def current() -> Calendar:
    """The calendar as the database has it now (one cheap version read when warm)."""
    global _snapshot
    _connect_signals()
    version = db_version()
    snapshot = _snapshot
    if snapshot is not None and snapshot.version == version:
        return snapshot
    with _lock:
        snapshot = _load(version)
        _snapshot = snapshot
    return snapshot


def lock_revision() -> None:
    """Share-lock the revision row for the rest of the transaction (deadline writers).

    Call it first in the transaction, before any deadline row lock (calendar services take the
    revision row first, then the deadlines), and read ``current()`` after it: a calendar change
    in progress is waited for, and none can start until this transaction ends, so a deadline
    is never computed and committed with a calendar that a concurrent change just replaced.
    SQLite has no row locks and serialises writers on the whole database.
    """
    if connection.vendor != "postgresql":
        return
    table = CalendarRevision._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT version FROM {table} WHERE id = 1 FOR SHARE")  # noqa: S608


def bump_version() -> int:
    """Called first by every calendar service inside its transaction.

    The UPDATE takes the row lock, so calendar writers from any number of processes run one after
    the other, and each sees what the previous one committed.
    """
    from django.db.models import F

    if CalendarRevision.objects.filter(pk=1).update(version=F("version") + 1) == 0:
        CalendarRevision.objects.bulk_create([CalendarRevision(pk=1)], ignore_conflicts=True)
        CalendarRevision.objects.filter(pk=1).update(version=F("version") + 1)
    invalidate()
    return db_version()


# Module-level conveniences over the current snapshot.


def is_workday(day: dt.date) -> bool:
    return current().is_workday(day)


def next_workday(day: dt.date) -> dt.date:
    return current().next_workday(day)


def add_working_days(day: dt.date, n: int) -> dt.date:
    return current().add_working_days(day, n)


def working_days_between(start: dt.date, end: dt.date) -> int:
    return current().working_days_between(start, end)


def known_years() -> list[int]:
    return sorted(current().years)


def years_of(days: Iterable[dt.date]) -> set[int]:
    return {d.year for d in days}


def calendar_seed_from_package(*, actor: Any, years: Sequence[int] | None = None) -> list[int]:
    """Seed from the ``chinesecalendar`` package; the service is ``services.calendar``
    (kept here too because the demo loader looks for it in this module)."""
    from fazhi.core.services.calendar import calendar_seed_from_package as seed

    return seed(actor=actor, years=years)
