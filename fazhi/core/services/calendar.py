"""Services: every change of the official working-day calendar (national reference data).

Only the root organisation's administrators change it (``scope.require_calendar_admin``). Every
change bumps the calendar's revision and recomputes the pending deadlines in the same transaction
(``services.deadlines.recompute_pending``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from django.db import transaction

from fazhi.core import audit, clock, errors
from fazhi.core import calendar as workcal
from fazhi.core.audit_events import CalendarEvents
from fazhi.core.models import (
    CalendarDay,
    CalendarYear,
    User,
)
from fazhi.core.models.calendar import DayKind
from fazhi.core.scope import (
    require_calendar_admin,
)
from fazhi.core.services.deadlines import recompute_pending

PACKAGE_HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def package_years() -> list[int]:
    from chinese_calendar import constants

    return sorted({d.year for d in constants.holidays})


def calendar_seed_from_package(
    *, actor: User | None, years: Sequence[int] | None = None, today: dt.date | None = None
) -> list[int]:
    """Load the years the ``chinesecalendar`` package knows. Idempotent: a year already in the
    table is left as it is (it may carry hand corrections). Returns the years added."""
    require_calendar_admin(actor, CalendarEvents.CALENDAR_SEEDED)
    from chinese_calendar import constants

    available = package_years()
    wanted = sorted(set(years)) if years is not None else available
    missing = [y for y in wanted if y not in available]
    if missing:
        raise errors.ValidationFailed(
            f"chinesecalendar 软件包没有 {', '.join(map(str, missing))} 年的数据"
            f"（可用：{available[0]}–{available[-1]}），请按国务院办公厅通知手工录入。",
            code="calendar_year_not_in_package",
        )
    try:
        with transaction.atomic(durable=True):
            version = workcal.bump_version()
            existing = set(CalendarYear.objects.values_list("year", flat=True))
            added = [y for y in wanted if y not in existing]
            if not added:
                return []
            source = "chinesecalendar 1.11.0（国务院办公厅部分节假日安排通知）"
            CalendarYear.objects.bulk_create([CalendarYear(year=y, source=source) for y in added])
            rows = []
            added_set = set(added)
            for kind, table in (
                (DayKind.HOLIDAY, constants.holidays),
                (DayKind.WORKDAY, constants.workdays),
            ):
                for day, name in table.items():
                    if day.year in added_set:
                        rows.append(
                            CalendarDay(
                                date=day, kind=kind, name=PACKAGE_HOLIDAY_NAMES.get(name, name)
                            )
                        )
            CalendarDay.objects.filter(date__year__in=added).delete()
            CalendarDay.objects.bulk_create(rows)
            workcal.invalidate()
            recomputed = recompute_pending(actor=actor, today=today or clock.today())
            audit.append(
                actor=actor,
                action=CalendarEvents.CALENDAR_SEEDED,
                object_type="core.calendaryear",
                details={
                    "years": added,
                    "days": len(rows),
                    "version": version,
                    "recomputed": recomputed,
                },
            )
    finally:
        workcal.invalidate()
    return added


def _check_dates(year: int, days: Sequence[dt.date], label: str) -> None:
    for day in days:
        if not isinstance(day, dt.date) or day.year != year:
            raise errors.ValidationFailed(
                f"{label} {day} 不在 {year} 年内。", code="date_outside_year"
            )


def calendar_year_publish(
    *,
    actor: User | None,
    year: int,
    source: str,
    holidays: Sequence[dt.date],
    workdays: Sequence[dt.date],
    names: Mapping[dt.date, str] | None = None,
    today: dt.date | None = None,
) -> CalendarYear:
    """Load a year from the State Council notice: its holidays and make-up working days."""
    require_calendar_admin(actor, CalendarEvents.YEAR_PUBLISHED)
    source = (source or "").strip()
    if not source:
        raise errors.ValidationFailed(
            "请填写依据（国务院办公厅通知名称及文号）。", code="source_required"
        )
    if not 1949 < year < 2200:
        raise errors.ValidationFailed("年度无效。", code="invalid_year")
    _check_dates(year, holidays, "放假日期")
    _check_dates(year, workdays, "调休上班日期")
    all_days = list(holidays) + list(workdays)
    if len(set(all_days)) != len(all_days):
        seen: set[dt.date] = set()
        dup = next(d for d in all_days if d in seen or seen.add(d))  # type: ignore[func-returns-value]
        raise errors.ValidationFailed(f"日期 {dup} 重复。", code="duplicate_date")
    for day in workdays:
        if day.weekday() < 5:
            raise errors.ValidationFailed(
                f"调休上班日 {day} 不是周六或周日。", code="workday_not_weekend"
            )
    names = names or {}
    try:
        with transaction.atomic(durable=True):
            version = workcal.bump_version()
            if CalendarYear.objects.filter(year=year).exists():
                raise errors.Conflict(f"{year} 年已录入；请逐日修改。", code="calendar_year_exists")
            row = CalendarYear.objects.create(year=year, source=source[:200])
            CalendarDay.objects.filter(date__year=year).delete()
            CalendarDay.objects.bulk_create(
                [
                    CalendarDay(date=d, kind=DayKind.HOLIDAY, name=names.get(d, "")[:50])
                    for d in holidays
                ]
                + [
                    CalendarDay(date=d, kind=DayKind.WORKDAY, name=names.get(d, "")[:50])
                    for d in workdays
                ]
            )
            workcal.invalidate()
            recomputed = recompute_pending(actor=actor, today=today or clock.today())
            audit.append(
                actor=actor,
                action=CalendarEvents.YEAR_PUBLISHED,
                obj=row,
                details={
                    "year": year,
                    "source": source,
                    "holidays": sorted(d.isoformat() for d in holidays),
                    "workdays": sorted(d.isoformat() for d in workdays),
                    "version": version,
                    "recomputed": recomputed,
                },
            )
    finally:
        workcal.invalidate()
    return row


def calendar_day_set(
    *,
    actor: User | None,
    day: dt.date,
    kind: str,
    name: str = "",
    today: dt.date | None = None,
) -> CalendarDay:
    """Correct one day of a known year: make it a holiday or a make-up working day."""
    require_calendar_admin(actor, CalendarEvents.DAY_SET)
    if kind not in DayKind.values:
        raise errors.ValidationFailed("类型应为放假或调休上班。", code="invalid_kind")
    if kind == DayKind.WORKDAY and day.weekday() < 5:
        raise errors.ValidationFailed(
            f"调休上班日 {day} 不是周六或周日。", code="workday_not_weekend"
        )
    try:
        with transaction.atomic(durable=True):
            version = workcal.bump_version()
            if not CalendarYear.objects.filter(year=day.year).exists():
                raise errors.ValidationFailed(
                    f"{day.year} 年尚未录入，请先按通知录入该年度。", code="calendar_year_missing"
                )
            row, created = CalendarDay.objects.select_for_update().get_or_create(
                date=day, defaults={"kind": kind, "name": name[:50]}
            )
            old = None if created else {"kind": row.kind, "name": row.name}
            if not created:
                row.kind = kind
                row.name = name[:50]
                row.save(update_fields=["kind", "name"])
            workcal.invalidate()
            recomputed = recompute_pending(actor=actor, today=today or clock.today())
            audit.append(
                actor=actor,
                action=CalendarEvents.DAY_SET,
                obj=row,
                details={
                    "date": day.isoformat(),
                    "kind": kind,
                    "name": name,
                    "old": old,
                    "version": version,
                    "recomputed": recomputed,
                },
            )
    finally:
        workcal.invalidate()
    return row


def calendar_day_delete(*, actor: User | None, day: dt.date, today: dt.date | None = None) -> None:
    """Remove an exception: the day follows the Monday–Friday rule again."""
    require_calendar_admin(actor, CalendarEvents.DAY_DELETED)
    try:
        with transaction.atomic(durable=True):
            version = workcal.bump_version()
            row = CalendarDay.objects.select_for_update().filter(date=day).first()
            if row is None:
                raise errors.NotFound(f"{day} 不是节假日或调休日。")
            old = {"kind": row.kind, "name": row.name}
            row_id = row.pk
            row.delete()
            workcal.invalidate()
            recomputed = recompute_pending(actor=actor, today=today or clock.today())
            audit.append(
                actor=actor,
                action=CalendarEvents.DAY_DELETED,
                object_type="core.calendarday",
                object_id=row_id,
                details={
                    "date": day.isoformat(),
                    "old": old,
                    "version": version,
                    "recomputed": recomputed,
                },
            )
    finally:
        workcal.invalidate()
