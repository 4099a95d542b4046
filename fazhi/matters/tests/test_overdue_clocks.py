"""A third-party consultation and an overdue reply clock (decision 0076): a consultation begun
within the reply period stops the clock even when it is recorded after the due date (and after
the daily refresh marked the clock overdue); one begun after the period ran out leaves the
clock running, whether or not the refresh has run, and the consultation still goes ahead."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine

from fazhi.core import errors
from fazhi.core.models import AuditEvent
from fazhi.core.periods import compute_due
from fazhi.core.services.deadlines import deadline_stop, deadlines_refresh
from fazhi.core.testing import at
from fazhi.matters.events import MatterEvent
from fazhi.matters.models import Matter, MatterState
from fazhi.matters.selectors import matters as matter_selectors
from fazhi.matters.services import disclosure as svc
from fazhi.matters.tests.support import World, disclosure, make_world

pytestmark = pytest.mark.django_db

RECEIVED = dt.date(2025, 9, 26)
DUE = dt.date(2025, 10, 30)
TODAY = dt.date(2025, 11, 20)


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(at(TODAY), tick=True):
        yield


@pytest.fixture
def world() -> World:
    return make_world()


def reply_clock(matter: Matter):
    [clock] = [
        d
        for d in matter_selectors.matter_deadlines(matter=matter)
        if d.rule_key == "disclosure.reply"
    ]
    return clock


def registered_before_due(world: World) -> Matter:
    """A request registered while its reply clock ran (open), read after the due date."""
    with time_machine.travel(at(dt.date(2025, 10, 20)), tick=True):
        matter = disclosure(world)
    assert reply_clock(matter).state == "open"
    return matter


def consult_event(matter: Matter) -> AuditEvent:
    return AuditEvent.objects.get(action=MatterEvent.CONSULTATION_STARTED, object_id=str(matter.pk))


@pytest.mark.parametrize("refreshed", [False, True])
def test_consultation_begun_within_the_period_stops_an_overdue_clock(world, refreshed):
    matter = registered_before_due(world)
    assert reply_clock(matter).due_date == DUE
    if refreshed:
        assert deadlines_refresh(today=TODAY) >= 1
        assert reply_clock(matter).state == "overdue"
    began, ended = dt.date(2025, 10, 28), dt.date(2025, 11, 10)
    matter = svc.disclosure_consult(
        actor=world.officer, matter=matter, on=began, third_party="某医院"
    )
    assert reply_clock(matter).state == "stopped"
    assert consult_event(matter).details["reply_clock_stopped"] is True
    matter = svc.disclosure_end_consultation(actor=world.officer, matter=matter, on=ended)
    clock = reply_clock(matter)
    expected = compute_due("disclosure.reply", RECEIVED, stops=[(began, ended)]).due
    assert clock.due_date == expected and expected > ended
    assert clock.state == ("overdue" if expected < TODAY else "open")


@pytest.mark.parametrize("refreshed", [False, True])
def test_consultation_begun_after_the_period_leaves_the_clock_running(world, refreshed):
    matter = registered_before_due(world)
    if refreshed:
        deadlines_refresh(today=TODAY)
    began = dt.date(2025, 11, 10)
    matter = svc.disclosure_consult(
        actor=world.officer, matter=matter, on=began, third_party="某医院"
    )
    assert matter.state == MatterState.CONSULTING
    clock = reply_clock(matter)
    assert clock.due_date == DUE and clock.state in ("open", "overdue")
    assert not clock.stops.exists()
    assert consult_event(matter).details["reply_clock_stopped"] is False
    third = [
        d
        for d in matter_selectors.matter_deadlines(matter=matter)
        if d.rule_key == "disclosure.third_party"
    ]
    assert len(third) == 1 and third[0].start_date == began
    matter = svc.disclosure_end_consultation(
        actor=world.officer, matter=matter, on=dt.date(2025, 11, 18)
    )
    assert matter.state == MatterState.RECEIVED
    assert reply_clock(matter).due_date == DUE  # nothing to resume, nothing moved


def test_the_core_refuses_a_stop_after_the_due_date_of_an_overdue_clock(world):
    matter = disclosure(world)
    deadlines_refresh(today=TODAY)
    clock = reply_clock(matter)
    assert clock.state == "overdue"
    with pytest.raises(errors.ValidationFailed) as exc:
        deadline_stop(
            actor=world.head,
            deadline=clock,
            on=dt.date(2025, 11, 3),
            reason="补充材料",
            today=TODAY,
        )
    assert exc.value.code == "stop_after_due"
    clock.refresh_from_db()
    assert clock.state == "overdue" and not clock.stops.exists()
    # a stop from a day within the period is taken on the overdue clock
    stopped = deadline_stop(
        actor=world.head, deadline=clock, on=dt.date(2025, 10, 29), reason="补充材料", today=TODAY
    )
    assert stopped.state == "stopped"
