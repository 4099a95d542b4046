"""Medical disputes: registration, route changes, conclusion with exact compensation; guards,
bad input, permission and scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
import time_machine

from fazhi.core import errors, workflow
from fazhi.core.models import AuditEvent
from fazhi.core.testing import at
from fazhi.disputes.events import DisputeEvent
from fazhi.disputes.models import DisputeOutcome, DisputeRoute, DisputeState, MedicalDispute
from fazhi.disputes.services import disputes as svc
from fazhi.disputes.tests.support import TODAY, World, dispute, make_world
from fazhi.disputes.workflows import DISPUTE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(at(TODAY), tick=True):
        yield


@pytest.fixture
def world() -> World:
    return make_world()


def test_table_is_registered():
    assert workflow._registry["medical_dispute"] is DISPUTE


def test_register_records_the_dispute_and_its_event(world):
    d = dispute(world, claim_amount="120000.50")
    assert d.state == DisputeState.OPEN and d.route == DisputeRoute.NEGOTIATION
    assert d.claim_amount == Decimal("120000.50")
    assert AuditEvent.objects.filter(action=DisputeEvent.REGISTERED, object_id=str(d.pk)).exists()


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"entity": None}, "entity_required"),
        ({"route": "court"}, "route_required"),
        ({"patient_name": " "}, "patient_name_required"),
        ({"summary": ""}, "summary_required"),
        ({"occurred_on": None}, "occurred_on_required"),
        ({"reported_on": dt.date(2025, 10, 1)}, "date_before_start"),
        ({"reported_on": TODAY + dt.timedelta(days=1)}, "date_in_future"),
        ({"claim_amount": "-1"}, "bad_amount"),
        ({"claim_amount": "12.345"}, "bad_amount"),
        ({"claim_amount": "abc"}, "bad_amount"),
        ({"claim_amount": "NaN"}, "bad_amount"),
    ],
)
def test_register_refuses_bad_input(world, kw, code):
    with pytest.raises(errors.ValidationFailed) as exc:
        dispute(world, **kw)
    assert exc.value.code == code
    assert not MedicalDispute.objects.exists()


def test_register_refuses_an_institution_out_of_reach(world):
    with pytest.raises(errors.ValidationFailed) as exc:
        dispute(world, entity=world.far_hospital)
    assert exc.value.code == "entity_out_of_reach"


def test_register_needs_the_capability_and_the_scope(world):
    with pytest.raises(errors.PermissionDenied):
        dispute(world, actor=world.head)  # oversees, does not handle
    with pytest.raises(errors.PermissionDenied):
        dispute(world, actor=world.stranger)
    assert not MedicalDispute.objects.exists()


def test_route_changes_then_conclusion_with_exact_compensation(world):
    d = dispute(world)
    with pytest.raises(errors.Conflict) as exc:
        svc.dispute_change_route(
            actor=world.officer, dispute=d, route=DisputeRoute.NEGOTIATION, on=dt.date(2025, 11, 1)
        )
    assert exc.value.code == "same_route"
    with pytest.raises(errors.ValidationFailed) as exc_v:
        svc.dispute_change_route(
            actor=world.officer, dispute=d, route=DisputeRoute.MEDIATION, on=dt.date(2025, 10, 1)
        )
    assert exc_v.value.code == "date_before_start"
    d = svc.dispute_change_route(
        actor=world.officer,
        dispute=d,
        route=DisputeRoute.MEDIATION,
        on=dt.date(2025, 11, 1),
        note="协商不成",
    )
    assert d.route == DisputeRoute.MEDIATION and d.route_changed_on == dt.date(2025, 11, 1)
    event = AuditEvent.objects.get(action=DisputeEvent.ROUTE_CHANGED, object_id=str(d.pk))
    assert event.details["from_route"] == "negotiation"
    with pytest.raises(errors.ValidationFailed) as exc_v:
        svc.dispute_conclude(
            actor=world.officer,
            dispute=d,
            outcome=DisputeOutcome.MEDIATED,
            compensation=None,
            on=dt.date(2025, 12, 1),
        )
    assert exc_v.value.code == "compensation_required"
    with pytest.raises(errors.ValidationFailed) as exc_v:
        svc.dispute_conclude(
            actor=world.officer, dispute=d, outcome="", compensation="0", on=dt.date(2025, 12, 1)
        )
    assert exc_v.value.code == "outcome_required"
    d.refresh_from_db()
    assert d.state == DisputeState.OPEN and d.compensation is None
    d = svc.dispute_conclude(
        actor=world.officer,
        dispute=d,
        outcome=DisputeOutcome.MEDIATED,
        compensation="85000.10",
        on=dt.date(2025, 12, 1),
    )
    d.refresh_from_db()
    assert d.state == DisputeState.CONCLUDED and d.compensation == Decimal("85000.10")
    with pytest.raises(errors.Conflict) as exc:
        svc.dispute_conclude(
            actor=world.officer,
            dispute=d,
            outcome=DisputeOutcome.AGREED,
            compensation="1",
            on=dt.date(2025, 12, 2),
        )
    assert exc.value.code == "invalid_transition"


def test_a_withdrawn_dispute_needs_no_sum(world):
    d = svc.dispute_conclude(
        actor=world.officer,
        dispute=dispute(world),
        outcome=DisputeOutcome.WITHDRAWN,
        compensation="",
        on=dt.date(2025, 10, 20),
    )
    assert d.compensation is None and d.outcome == DisputeOutcome.WITHDRAWN


def test_steps_need_the_capability_and_the_scope(world):
    d = dispute(world)
    with pytest.raises(errors.PermissionDenied):
        svc.dispute_change_route(
            actor=world.viewer, dispute=d, route=DisputeRoute.LITIGATION, on=TODAY
        )
    with pytest.raises(errors.PermissionDenied):
        svc.dispute_conclude(
            actor=world.stranger,
            dispute=d,
            outcome=DisputeOutcome.WITHDRAWN,
            compensation=None,
            on=TODAY,
        )
    d.refresh_from_db()
    assert d.state == DisputeState.OPEN
