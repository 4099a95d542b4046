"""The monthly screening: zero reports, late and missing ones visible to the commission, one
report per unit and month, the todo, bad input and permission; the insurance records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from fazhi.core import errors
from fazhi.core.models import AuditEvent, Role
from fazhi.core.testing import at
from fazhi.core.tests.factories import make_user
from fazhi.core.todo import todo_for
from fazhi.disputes.events import ScreeningEvent
from fazhi.disputes.models import LiabilityInsurance, ScreeningReport
from fazhi.disputes.selectors.figures import year_figures
from fazhi.disputes.selectors.screening import (
    LATE,
    MISSING,
    NOT_DUE,
    ON_TIME,
    reporting_units,
    screening_figures,
    screening_month,
)
from fazhi.disputes.services.insurance import insurance_record
from fazhi.disputes.services.screening import report_due, screening_report_submit
from fazhi.disputes.tests.support import TODAY, World, make_world

pytestmark = pytest.mark.django_db
NOV = dt.date(2025, 11, 1)


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(at(TODAY), tick=True):
        yield


@pytest.fixture
def world() -> World:
    return make_world()


def submit(world: World, **kw: Any) -> ScreeningReport:
    values: dict[str, Any] = {
        "actor": world.officer,
        "organisation": world.org,
        "month": NOV,
        "found": 0,
        "resolved": 0,
        "submitted_on": dt.date(2025, 12, 3),
    }
    values.update(kw)
    return screening_report_submit(**values)


def test_the_report_is_due_five_days_after_the_month(world):
    assert report_due(world.org, NOV) == dt.date(2025, 12, 5)
    # 2025-09's report: 5 days after 09-30 is 10-05, inside the National Day holiday
    assert report_due(world.org, dt.date(2025, 9, 1)) == dt.date(2025, 10, 9)


def test_a_zero_report_on_time(world):
    report = submit(world, month=dt.date(2025, 11, 17))
    assert report.month == NOV and report.found == 0 and not report.late
    assert report.due_on == dt.date(2025, 12, 5)
    event = AuditEvent.objects.get(action=ScreeningEvent.SUBMITTED, object_id=str(report.pk))
    assert event.details["zero"] is True


def test_a_late_report_is_marked_late(world):
    report = submit(world, found=3, resolved=2, submitted_on=dt.date(2025, 12, 8))
    assert report.late


def test_one_report_per_unit_and_month(world):
    submit(world)
    with pytest.raises(errors.Conflict) as exc:
        submit(world, found=1, resolved=1)
    assert exc.value.code == "already_reported"
    assert ScreeningReport.objects.count() == 1


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"month": None}, "month_required"),
        ({"month": dt.date(2026, 1, 1)}, "month_in_future"),
        ({"found": -1}, "bad_found"),
        ({"found": None}, "bad_found"),
        ({"found": "3"}, "bad_found"),
        ({"found": 1, "resolved": 2}, "resolved_above_found"),
        ({"submitted_on": dt.date(2025, 10, 31)}, "date_before_start"),
        ({"submitted_on": TODAY + dt.timedelta(days=1)}, "date_in_future"),
    ],
)
def test_bad_input_is_refused(world, kw, code):
    with pytest.raises(errors.ValidationFailed) as exc:
        submit(world, **kw)
    assert exc.value.code == code
    assert not ScreeningReport.objects.exists()


def test_reporting_needs_the_capability_and_the_scope(world):
    with pytest.raises(errors.PermissionDenied):
        submit(world, actor=world.head)
    with pytest.raises(errors.PermissionDenied):
        submit(world, actor=world.stranger)
    assert not ScreeningReport.objects.exists()


def test_the_commission_sees_on_time_late_missing_and_not_due(world):
    submit(world)  # org: on time, zero
    city_officer = make_user(world.city, Role.SUPERVISOR)
    screening_report_submit(
        actor=city_officer,
        organisation=world.city,
        month=NOV,
        found=2,
        resolved=1,
        submitted_on=dt.date(2025, 12, 10),
    )
    rows = {r.organisation.pk: r for r in screening_month(user=world.head, month=NOV)}
    units = list(reporting_units(user=world.head))
    assert len(rows) == len(units) > 2
    assert rows[world.org.pk].status == ON_TIME
    assert rows[world.city.pk].status == LATE
    others = [r for pk, r in rows.items() if pk not in (world.org.pk, world.city.pk)]
    assert {r.status for r in others} == {MISSING}
    december = screening_month(user=world.head, month=dt.date(2025, 12, 1))
    assert {r.status for r in december} == {NOT_DUE}
    # a unit's own officer sees only its own unit
    assert [r.organisation for r in screening_month(user=world.officer, month=NOV)] == [world.org]


def test_the_year_figures_count_zero_late_and_missing(world):
    submit(world)
    submit(
        world, month=dt.date(2025, 10, 1), found=1, resolved=1, submitted_on=dt.date(2025, 11, 20)
    )
    figures = screening_figures(user=world.officer, year=2025)
    # the officer's scope is its own unit: 12 months begun, 2 reported (1 late), December not due
    assert (figures.expected, figures.reported, figures.zero) == (12, 2, 1)
    assert (figures.late, figures.missing, figures.not_due) == (1, 9, 1)
    assert (figures.found, figures.resolved) == (1, 1)


def test_the_todo_names_missing_units_and_the_own_report(world):
    with time_machine.travel(at(dt.date(2025, 12, 10)), tick=True):
        labels = {t.label: t.count for t in todo_for(world.head)}
        assert any("未报送的单位" in label for label in labels)
        own = {t.label for t in todo_for(world.officer)}
        assert "本单位2025年11月医疗纠纷排查报告待报送" in own
        submit(world)
        assert "本单位2025年11月医疗纠纷排查报告待报送" not in {
            t.label for t in todo_for(world.officer)
        }


def test_insurance_one_per_institution_and_year(world):
    row = insurance_record(
        actor=world.officer,
        entity=world.hospital,
        year=2025,
        insurer="某财产保险公司",
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2025, 12, 31),
        coverage="2000000.00",
    )
    assert row.coverage == Decimal("2000000.00")
    with pytest.raises(errors.Conflict) as exc:
        insurance_record(
            actor=world.officer,
            entity=world.hospital,
            year=2025,
            insurer="另一家",
            starts_on=dt.date(2025, 3, 1),
            ends_on=dt.date(2026, 2, 28),
        )
    assert exc.value.code == "already_insured"
    assert year_figures(user=world.head, year=2025).insured == 1
    assert year_figures(user=world.head, year=2024).insured == 0


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"entity": None}, "entity_required"),
        ({"year": None}, "year_required"),
        ({"insurer": ""}, "insurer_required"),
        ({"starts_on": None}, "period_required"),
        ({"ends_on": dt.date(2024, 12, 31)}, "period_reversed"),
        (
            {"starts_on": dt.date(2026, 1, 1), "ends_on": dt.date(2026, 12, 31)},
            "period_outside_year",
        ),
        ({"coverage": "1.001"}, "bad_amount"),
    ],
)
def test_insurance_bad_input(world, kw, code):
    values = {
        "actor": world.officer,
        "entity": world.hospital,
        "year": 2025,
        "insurer": "某财产保险公司",
        "starts_on": dt.date(2025, 1, 1),
        "ends_on": dt.date(2025, 12, 31),
    }
    values.update(kw)
    with pytest.raises(errors.ValidationFailed) as exc:
        insurance_record(**values)
    assert exc.value.code == code
    assert not LiabilityInsurance.objects.exists()


def test_insurance_needs_the_capability_and_the_scope(world):
    for actor, entity in ((world.head, world.hospital), (world.officer, world.far_hospital)):
        with pytest.raises(errors.PermissionDenied):
            insurance_record(
                actor=actor,
                entity=entity,
                year=2025,
                insurer="某财产保险公司",
                starts_on=dt.date(2025, 1, 1),
                ends_on=dt.date(2025, 12, 31),
            )
    assert not LiabilityInsurance.objects.exists()
