"""Reads of the monthly screening: which units were expected to report for a month, which
reported (on time, late, zero), which are missing, and the year's figures (decision 0075).

Every active organisation in the user's scope is a reporting unit: each screens its own area and
reports, a zero report included. A unit is *missing* for a month once the month's report is past
due and it has none; before that it is *not yet due*."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from fazhi.core import clock, errors
from fazhi.core.models import Organisation, User
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap, scoped, visible_organisations
from fazhi.disputes.events import ScreeningEvent
from fazhi.disputes.models import ScreeningReport
from fazhi.disputes.services.screening import month_start, report_due

ON_TIME, LATE, MISSING, NOT_DUE = "on_time", "late", "missing", "not_due"
STATUS_LABELS = {ON_TIME: "按时报送", LATE: "逾期报送", MISSING: "未报送", NOT_DUE: "未到报送期限"}


@dataclass(frozen=True)
class UnitStatus:
    organisation: Organisation
    report: ScreeningReport | None
    due_on: dt.date
    status: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def reporting_units(*, user: User | Any) -> QuerySet[Organisation]:
    require_cap(user, Cap.DISPUTE_VIEW, action=ScreeningEvent.LISTED)
    return visible_organisations(user).filter(is_active=True).order_by("path")


def screening_reports(*, user: User | Any) -> QuerySet[ScreeningReport]:
    require_cap(user, Cap.DISPUTE_VIEW, action=ScreeningEvent.LISTED)
    return scoped(ScreeningReport.objects.all(), user)


def own_report(*, user: User | Any, month: dt.date) -> ScreeningReport:
    """The user's own unit's report for ``month`` (to correct it); ``NotFound`` if none."""
    reports = screening_reports(user=user).filter(month=month_start(month))
    report = (
        reports.filter(organisation_id=user.organisation_id).first()
        if user.organisation_id is not None
        else None
    )
    if report is None:
        raise errors.NotFound(
            f"本单位尚未报送{month:%Y年%m月}的排查报告。", code="report_not_found"
        )
    return report


def _status(report: ScreeningReport | None, due: dt.date, today: dt.date) -> str:
    if report is not None:
        return LATE if report.late else ON_TIME
    return MISSING if today > due else NOT_DUE


def screening_month(*, user: User | Any, month: dt.date) -> list[UnitStatus]:
    """Each reporting unit's status for ``month``, in the tree's order."""
    month = month_start(month)
    units = list(reporting_units(user=user))
    reports = {
        r.organisation_id: r
        for r in screening_reports(user=user).filter(month=month).select_related("submitted_by")
    }
    today = clock.today()
    rows = []
    for unit in units:
        report = reports.get(unit.pk)
        due = report.due_on if report is not None else report_due(unit, month)
        rows.append(UnitStatus(unit, report, due, _status(report, due, today)))
    return rows


@dataclass(frozen=True)
class ScreeningFigures:
    """A year's screening over the months begun so far: unit-months expected, reports, zero
    reports, late and missing ones, disputes found and resolved."""

    year: int
    expected: int
    reported: int
    zero: int
    late: int
    missing: int
    not_due: int
    found: int
    resolved: int


def screening_figures(*, user: User | Any, year: int) -> ScreeningFigures:
    today = clock.today()
    months = [dt.date(year, m, 1) for m in range(1, 13) if dt.date(year, m, 1) <= today]
    units = list(reporting_units(user=user))
    reports = list(screening_reports(user=user).filter(month__year=year, month__lte=today))
    by_key = {(r.organisation_id, r.month): r for r in reports}
    counts = {ON_TIME: 0, LATE: 0, MISSING: 0, NOT_DUE: 0}
    for month in months:
        for unit in units:
            report = by_key.get((unit.pk, month))
            due = report.due_on if report is not None else report_due(unit, month)
            counts[_status(report, due, today)] += 1
    unit_ids = {u.pk for u in units}
    mine = [r for r in reports if r.organisation_id in unit_ids]
    return ScreeningFigures(
        year=year,
        expected=len(months) * len(units),
        reported=len(mine),
        zero=sum(1 for r in mine if r.found == 0),
        late=counts[LATE],
        missing=counts[MISSING],
        not_due=counts[NOT_DUE],
        found=sum(r.found for r in mine),
        resolved=sum(r.resolved for r in mine),
    )


def last_due_month(today: dt.date | None = None) -> dt.date:
    """The latest month whose report can be missing: the month before the current one."""
    today = today or clock.today()
    return month_start(month_start(today) - dt.timedelta(days=1))
