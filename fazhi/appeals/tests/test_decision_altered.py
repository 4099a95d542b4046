"""An appeal's adverse outcome on a linked penalty case changes or revokes the case's decision in
the appeal's transaction: the publication must be withdrawn and, when revoked, the credit record
goes (decision 0082)."""

from __future__ import annotations

import datetime as dt

import pytest

from fazhi.appeals import services
from fazhi.appeals.models import Appeal, Outcome
from fazhi.appeals.tests.support import TODAY, World, make_world, register
from fazhi.core import errors
from fazhi.core.models import Deadline
from fazhi.core.testing import clock_at
from fazhi.credit.models import CreditRecord
from fazhi.enforcement.models import PenaltyCase
from fazhi.enforcement.services import case_steps
from fazhi.enforcement.services.case_decisions import WITHDRAW_RULE
from fazhi.enforcement.tests.case_support import file_case, to_decision

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with clock_at(TODAY):
        yield


@pytest.fixture
def world() -> World:
    return make_world()


def _appealed(world: World) -> tuple[PenaltyCase, Appeal]:
    with clock_at(TODAY - dt.timedelta(days=60)):
        case = to_decision(world.cw, file_case(world.cw))
        case = case_steps.case_serve(actor=world.cw.handler, case=case, on=case.decided_on)
        case = case_steps.case_publish(actor=world.cw.handler, case=case)
    assert case.decided_on is not None
    lodged = case.decided_on + dt.timedelta(days=5)
    appeal = register(
        world,
        actor=world.head,
        penalty_case=case,
        reference="某复〔2026〕1号",
        lodged_on=lodged,
        received_on=lodged + dt.timedelta(days=2),
    )
    appeal = services.appeal_answer(actor=world.legal, appeal=appeal, on=appeal.received_on)
    return case, appeal


def test_a_revoking_outcome_revokes_the_decision_and_its_credit_record(world):
    case, appeal = _appealed(world)
    decided = TODAY - dt.timedelta(days=1)
    services.appeal_decide(actor=world.legal, appeal=appeal, on=decided, outcome=Outcome.REVOKED)
    case.refresh_from_db()
    assert (case.decision_altered, case.decision_altered_on) == ("revoked", decided)
    assert case.decision_altered_reason == "行政复议某复〔2026〕1号：撤销（部分撤销）"
    assert Deadline.objects.filter(object_id=str(case.pk), rule_key=WITHDRAW_RULE).exists()
    assert CreditRecord.objects.get(case=case).withdrawn_on == decided


@pytest.mark.parametrize(
    ("outcome", "altered", "withdrawn"),
    [(Outcome.CHANGED, "changed", False), (Outcome.CONFIRMED_ILLEGAL, "confirmed_illegal", True)],
)
def test_other_adverse_outcomes(world, outcome, altered, withdrawn):
    case, appeal = _appealed(world)
    services.appeal_decide(actor=world.legal, appeal=appeal, on=TODAY, outcome=outcome)
    case.refresh_from_db()
    assert case.decision_altered == altered
    assert (CreditRecord.objects.get(case=case).withdrawn_on is not None) is withdrawn


def test_an_upheld_decision_stays(world):
    case, appeal = _appealed(world)
    services.appeal_decide(actor=world.legal, appeal=appeal, on=TODAY, outcome=Outcome.UPHELD)
    case.refresh_from_db()
    assert case.decision_altered == ""
    assert not Deadline.objects.filter(rule_key=WITHDRAW_RULE).exists()


def test_a_refused_outcome_leaves_the_case_untouched(world):
    case, appeal = _appealed(world)
    with pytest.raises(errors.ValidationFailed):
        services.appeal_decide(
            actor=world.legal,
            appeal=appeal,
            on=TODAY + dt.timedelta(days=1),
            outcome=Outcome.REVOKED,
        )
    case.refresh_from_db()
    assert case.decision_altered == ""
