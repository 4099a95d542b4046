"""After the decision: the late surcharge (3% a day, capped, paused during a challenge) and
the challenge records."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fazhi.core import errors
from fazhi.core.testing import at
from fazhi.enforcement.execution import late_surcharge
from fazhi.enforcement.services import case_execution, case_steps
from fazhi.enforcement.tests.case_support import (
    CaseWorld,
    file_case,
    make_case_world,
    to_decision,
)

pytestmark = pytest.mark.django_db

DUE = dt.date(2025, 9, 18)


def test_the_surcharge_counts_days_after_the_period_caps_and_pauses():
    fine = Decimal("1000.00")
    assert late_surcharge(fine=fine, payment_due=DUE, until=DUE).amount == Decimal("0.00")
    ten = late_surcharge(fine=fine, payment_due=DUE, until=dt.date(2025, 9, 28))
    assert (ten.days, ten.amount, ten.capped) == (10, Decimal("300.00"), False)
    capped = late_surcharge(fine=fine, payment_due=DUE, until=dt.date(2025, 12, 31))
    assert (capped.amount, capped.capped) == (fine, True)
    paused = late_surcharge(
        fine=fine,
        payment_due=DUE,
        until=dt.date(2025, 9, 28),
        pauses=[(dt.date(2025, 9, 20), dt.date(2025, 9, 25))],
    )
    assert (paused.days, paused.paused_days, paused.amount) == (4, 6, Decimal("120.00"))
    still_open = late_surcharge(
        fine=Decimal("333.33"),
        payment_due=DUE,
        until=dt.date(2025, 9, 28),
        pauses=[(dt.date(2025, 9, 27), None)],
    )
    assert (still_open.days, still_open.amount) == (8, Decimal("80.00"))


@pytest.fixture
def cw(clock: Any) -> CaseWorld:
    clock.move_to(at(dt.date(2025, 9, 1)))
    return make_case_world()


def test_execution_owes_the_surcharge_and_a_challenge_pauses_it(cw, clock):
    case = to_decision(cw, file_case(cw), fine="2000")
    clock.move_to(at(dt.date(2025, 9, 3)))
    case = case_steps.case_serve(actor=cw.handler, case=case)  # payment due Thu 09-18
    clock.move_to(at(dt.date(2025, 9, 20)))
    with pytest.raises(errors.ValidationFailed):
        case_execution.case_challenge_start(actor=cw.handler, case=case, kind="appeal")
    case_execution.case_challenge_start(actor=cw.handler, case=case, kind="reconsideration")
    with pytest.raises(errors.Conflict) as clash:
        case_execution.case_challenge_start(actor=cw.handler, case=case, kind="litigation")
    assert clash.value.code == "challenge_open"
    clock.move_to(at(dt.date(2025, 9, 25)))
    case_execution.case_challenge_end(actor=cw.handler, case=case, result="复议维持")
    with pytest.raises(errors.Conflict):
        case_execution.case_challenge_end(actor=cw.handler, case=case, result="再次")
    clock.move_to(at(dt.date(2025, 9, 28)))
    # 10 days late, 6 of them paused: 4 × 3% × 2000 = 240
    with pytest.raises(errors.ValidationFailed) as bad:
        case_steps.case_execute(actor=cw.handler, case=case, paid_amount="2000")
    assert bad.value.code == "underpaid" and "240.00" in bad.value.message
    case = case_steps.case_execute(actor=cw.handler, case=case, paid_amount="2240")
    assert case.late_surcharge == Decimal("240.00")
    with pytest.raises(errors.InvalidTransition):
        case_execution.case_challenge_start(actor=cw.handler, case=case, kind="litigation")


@settings(max_examples=60, deadline=None)
@given(
    fine=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000000"), places=2),
    late=st.integers(min_value=0, max_value=120),
    pause=st.tuples(st.integers(min_value=0, max_value=60), st.integers(min_value=0, max_value=30)),
)
def test_the_surcharge_never_passes_the_fine_and_a_pause_never_adds(fine, late, pause):
    until = DUE + dt.timedelta(days=late)
    plain = late_surcharge(fine=fine, payment_due=DUE, until=until)
    start = DUE + dt.timedelta(days=pause[0])
    paused = late_surcharge(
        fine=fine,
        payment_due=DUE,
        until=until,
        pauses=[(start, start + dt.timedelta(days=pause[1]))],
    )
    assert Decimal("0") <= paused.amount <= plain.amount <= fine
    assert plain.days == late and paused.days + paused.paused_days == late
    if not plain.capped:
        # 四舍五入 to the fen, as the service rounds
        expected = (fine * Decimal("0.03") * late).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert plain.amount == expected
