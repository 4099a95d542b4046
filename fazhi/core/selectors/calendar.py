"""Reads of the official working-day calendar (national reference data: every user may read it)."""

from __future__ import annotations

from django.db.models import QuerySet

from fazhi.core.models import (
    CalendarDay,
    CalendarYear,
)


def calendar_year_list() -> QuerySet[CalendarYear]:
    """The calendar is national reference data: every signed-in user may read it."""
    return CalendarYear.objects.order_by("-year")


def calendar_day_list(*, year: int | None = None) -> QuerySet[CalendarDay]:
    qs = CalendarDay.objects.order_by("date")
    if year is not None:
        qs = qs.filter(date__year=year)
    return qs
