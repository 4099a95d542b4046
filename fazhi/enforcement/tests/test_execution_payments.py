"""Deferral and instalments of a fine (行政处罚法 Art. 66 para 2): the application with its
schedule, the approval by another person than the recorder, the payments against the
instalments with their own late surcharge (decision 0063), the execution with the last one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from fazhi.core import errors
from fazhi.core.models import Deadline
from fazhi.core.testing import at
from fazhi.enforcement.execution_models import ArrangementState, Instalment
from fazhi.enforcement.execution_workflows import PAYMENT_ARRANGEMENT
from fazhi.enforcement.models import CaseState
from fazhi.enforcement.services import case_execution, case_steps
from fazhi.enforcement.services import execution_payments as pay
from fazhi.enforcement.tests.case_support import CaseWorld, file_case, make_case_world, to_decision

pytestmark = pytest.mark.django_db

SCHEDULE = "2025-10-15 1000\n2025-11-14 1000\n2025-12-15 1000"


@pytest.fixture
def cw(clock: Any) -> CaseWorld:
    clock.move_to(at(dt.date(2025, 9, 1)))
    return make_case_world()


def served(cw: CaseWorld, clock: Any, fine: str = "3000") -> Any:
    case = to_decision(cw, file_case(cw), fine=fine)
    clock.move_to(at(dt.date(2025, 9, 3)))
    return case_steps.case_serve(actor=cw.handler, case=case)  # payment due 09-18


def test_instalments_applied_approved_paid_and_the_case_executed(cw, clock):
    case = served(cw, clock)
    clock.move_to(at(dt.date(2025, 9, 10)))
    arrangement = pay.payment_arrangement_apply(
        actor=cw.handler,
        case=case,
        kind="instalments",
        reason="经营困难，无力一次缴清",
        schedule=SCHEDULE,
    )
    assert arrangement.state == ArrangementState.APPLIED
    assert [i.amount for i in arrangement.instalments.all()] == [Decimal("1000.00")] * 3
    with pytest.raises(errors.PermissionDenied) as refused:  # the recorder cannot approve
        pay.payment_arrangement_approve(actor=cw.handler, case=case)
    assert refused.value.code == "permission_denied"  # a supervisor is not the head
    with pytest.raises(errors.PermissionDenied) as same:  # nor may the recorder, whoever it is
        PAYMENT_ARRANGEMENT.check(arrangement, "approve", {"actor": cw.handler})
    assert same.value.code == "approver_is_recorder"
    arrangement = pay.payment_arrangement_approve(actor=cw.leader, case=case)
    assert arrangement.state == ArrangementState.APPROVED and arrangement.decided_by == cw.leader
    # the decision's payment period gives way; each instalment has its deadline
    instalment_deadlines = Deadline.objects.filter(title__contains="分期缴纳第")
    assert instalment_deadlines.count() == 3
    # paying in full outside the schedule is refused
    with pytest.raises(errors.Conflict) as outside:
        case_steps.case_execute(actor=cw.handler, case=case, paid_amount="3000")
    assert outside.value.code == "arrangement_approved"
    clock.move_to(at(dt.date(2025, 10, 15)))
    first = pay.instalment_pay(actor=cw.handler, case=case, paid_amount="1000")
    assert (first.number, first.surcharge) == (1, None)
    clock.move_to(at(dt.date(2025, 11, 17)))  # 3 days late: 3 × 3% × 1000 = 90
    with pytest.raises(errors.ValidationFailed) as short:
        pay.instalment_pay(actor=cw.handler, case=case, paid_amount="1000")
    assert short.value.code == "underpaid" and "1,090.00" in short.value.message
    second = pay.instalment_pay(actor=cw.handler, case=case, paid_amount="1090")
    assert second.surcharge == Decimal("90.00")
    owed = case_execution.surcharge_for(case, dt.date(2025, 11, 17))
    assert owed is not None and owed.amount == Decimal("90.00")
    clock.move_to(at(dt.date(2025, 12, 15)))
    pay.instalment_pay(actor=cw.handler, case=case, paid_amount="1000")
    case.refresh_from_db()
    assert case.state == CaseState.EXECUTED
    assert (case.paid_amount, case.late_surcharge) == (Decimal("3090.00"), Decimal("90.00"))
    completed = pay.arrangement_of(case)
    assert completed is not None and completed.state == ArrangementState.COMPLETED
    assert not Deadline.objects.filter(title__contains="分期缴纳第", state="running").exists()


def test_a_deferral_is_one_date_and_a_refusal_needs_a_reason(cw, clock):
    case = served(cw, clock)
    with pytest.raises(errors.ValidationFailed) as two:
        pay.payment_arrangement_apply(
            actor=cw.handler, case=case, kind="deferral", reason="困难", schedule=SCHEDULE
        )
    assert two.value.code == "bad_schedule"
    pay.payment_arrangement_apply(
        actor=cw.handler, case=case, kind="deferral", reason="困难", schedule="2025-12-31 3000"
    )
    with pytest.raises(errors.Conflict) as again:
        pay.payment_arrangement_apply(
            actor=cw.handler, case=case, kind="deferral", reason="困难", schedule="2025-12-31 3000"
        )
    assert again.value.code == "arrangement_exists"
    with pytest.raises(errors.ValidationFailed):
        pay.payment_arrangement_refuse(actor=cw.leader, case=case, reason="")
    refused = pay.payment_arrangement_refuse(
        actor=cw.leader, case=case, reason="不属于确有经济困难"
    )
    assert refused.state == ArrangementState.REFUSED
    # after a refusal the party may apply again
    pay.payment_arrangement_apply(
        actor=cw.handler, case=case, kind="deferral", reason="补充材料", schedule="2025-12-31 3000"
    )


@pytest.mark.parametrize(
    ("kind", "schedule"),
    [
        ("instalments", "2025-10-15 1000\n2025-11-14 1000"),  # sums to 2000, not 3000
        ("instalments", "2025-11-14 1500\n2025-10-15 1500"),  # out of order
        ("instalments", "2025-08-01 1500\n2025-10-15 1500"),  # before the application
        ("instalments", "2025-10-15 -1500\n2025-11-15 4500"),  # negative
        ("instalments", "2025-10-15 1500.001\n2025-11-15 1499.999"),  # three decimals
        ("instalments", "2025-10-15 1500\n2030-11-15 1500"),  # absurd span
        ("instalments", "2025-10-15 3000"),  # one row is not instalments
        ("instalments", "十月 1500\n2025-11-15 1500"),  # not a date
        ("deferral", ""),
        ("monthly", "2025-12-31 3000"),
    ],
)
def test_bad_schedules_are_refused_and_nothing_is_written(cw, clock, kind, schedule):
    case = served(cw, clock)
    with pytest.raises(errors.ValidationFailed):
        pay.payment_arrangement_apply(
            actor=cw.handler, case=case, kind=kind, reason="困难", schedule=schedule
        )
    assert not Instalment.objects.exists() and pay.arrangement_of(case) is None


def test_only_a_served_fine_and_only_permitted_users(cw, clock):
    case = to_decision(cw, file_case(cw), fine="3000")  # decided, not served
    with pytest.raises(errors.Conflict) as early:
        pay.payment_arrangement_apply(
            actor=cw.handler, case=case, kind="deferral", reason="困难", schedule="2025-12-31 3000"
        )
    assert early.value.code == "no_fine_to_arrange"
    clock.move_to(at(dt.date(2025, 9, 3)))
    case = case_steps.case_serve(actor=cw.handler, case=case)
    with pytest.raises(errors.PermissionDenied):
        pay.payment_arrangement_apply(
            actor=cw.w.stranger,
            case=case,
            kind="deferral",
            reason="困难",
            schedule="2025-12-31 3000",
        )
    pay.payment_arrangement_apply(
        actor=cw.handler, case=case, kind="deferral", reason="困难", schedule="2025-12-31 3000"
    )
    with pytest.raises(errors.PermissionDenied):  # approving needs the head's capability
        pay.payment_arrangement_approve(actor=cw.reviewer, case=case)
    with pytest.raises(errors.Conflict) as none:
        pay.instalment_pay(actor=cw.handler, case=case, paid_amount="3000")
    assert none.value.code == "no_approved_arrangement"
