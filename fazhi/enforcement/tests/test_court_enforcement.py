"""Court enforcement of an unpaid fine (行政强制法 Arts. 35, 53, 54): the demand, the waits
(ten working days after the demand; the 60-day and 6-month challenge periods), the deadline to
apply within three months, the ruling, the enforcement that executes the case, and the refusal
that lets it close (decision 0064)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from fazhi.core import errors
from fazhi.core.models import Deadline
from fazhi.core.testing import at
from fazhi.enforcement.execution_models import CourtEnforcementState
from fazhi.enforcement.models import CaseState
from fazhi.enforcement.services import case_execution, case_steps
from fazhi.enforcement.services import execution_court as court
from fazhi.enforcement.tests.case_support import CaseWorld, file_case, make_case_world, to_decision

pytestmark = pytest.mark.django_db

COURT = "清源市江北区人民法院"


@pytest.fixture
def cw(clock: Any) -> CaseWorld:
    clock.move_to(at(dt.date(2025, 9, 1)))
    return make_case_world()


def served(cw: CaseWorld, clock: Any) -> Any:
    case = to_decision(cw, file_case(cw), fine="2000")
    clock.move_to(at(dt.date(2025, 9, 3)))
    return case_steps.case_serve(actor=cw.handler, case=case)  # payment due Thu 09-18


def test_demand_apply_ruling_enforcement_and_closure(cw, clock):
    case = served(cw, clock)
    clock.move_to(at(dt.date(2025, 9, 18)))
    with pytest.raises(errors.Conflict) as early:
        court.court_demand(actor=cw.handler, case=case)
    assert early.value.code == "payment_not_overdue"
    clock.move_to(at(dt.date(2025, 9, 22)))  # 4 days late: 240 surcharge
    row = court.court_demand(actor=cw.handler, case=case)
    assert row.demanded_amount == Decimal("2240.00")
    assert court.challenge_periods_end(case) == dt.date(2026, 3, 3)
    deadline = Deadline.objects.get(title__contains="申请人民法院强制执行")
    assert deadline.start_date == dt.date(2026, 3, 3)
    assert deadline.due_date == court.application_due(case)
    with pytest.raises(errors.Conflict) as twice:
        court.court_demand(actor=cw.handler, case=case)
    assert twice.value.code == "already_demanded"
    clock.move_to(at(dt.date(2025, 10, 20)))  # the demand wait is over, the 6 months are not
    with pytest.raises(errors.Conflict) as running:
        court.court_apply(actor=cw.leader, case=case, court=COURT)
    assert running.value.code == "challenge_period_running"
    clock.move_to(at(dt.date(2026, 3, 4)))
    with pytest.raises(errors.PermissionDenied):  # the head applies
        court.court_apply(actor=cw.handler, case=case, court=COURT)
    with pytest.raises(errors.ValidationFailed) as no_court:
        court.court_apply(actor=cw.leader, case=case, court="")
    assert no_court.value.code == "court_required"
    row = court.court_apply(actor=cw.leader, case=case, court=COURT)
    assert row.state == CourtEnforcementState.APPLIED and row.applied_on == dt.date(2026, 3, 4)
    deadline.refresh_from_db()
    assert deadline.state == "met"
    with pytest.raises(errors.InvalidTransition):  # not yet accepted
        court.court_enforced(actor=cw.handler, case=case, amount="4000")
    clock.move_to(at(dt.date(2026, 3, 20)))
    court.court_ruling(actor=cw.handler, case=case, accepted=True, note="裁定准予强制执行")
    clock.move_to(at(dt.date(2026, 4, 20)))
    with pytest.raises(errors.ValidationFailed):
        court.court_enforced(actor=cw.handler, case=case, amount="-1")
    row = court.court_enforced(actor=cw.handler, case=case, amount="4000")
    assert row.state == CourtEnforcementState.ENFORCED
    case.refresh_from_db()
    assert (case.state, case.paid_amount) == (CaseState.EXECUTED, Decimal("4000.00"))
    case = case_steps.case_close(actor=cw.handler, case=case)
    assert case.state == CaseState.CLOSED


def test_a_running_challenge_blocks_the_application(cw, clock):
    case = served(cw, clock)
    clock.move_to(at(dt.date(2025, 9, 22)))
    court.court_demand(actor=cw.handler, case=case)
    clock.move_to(at(dt.date(2026, 3, 2)))
    case_execution.case_challenge_start(actor=cw.handler, case=case, kind="litigation")
    clock.move_to(at(dt.date(2026, 3, 10)))
    with pytest.raises(errors.Conflict) as open_:
        court.court_apply(actor=cw.leader, case=case, court=COURT)
    assert open_.value.code == "challenge_open"


def test_demand_wait_and_the_three_months(cw, clock):
    case = served(cw, clock)
    clock.move_to(at(dt.date(2026, 3, 2)))
    court.court_demand(actor=cw.handler, case=case)
    clock.move_to(at(dt.date(2026, 3, 13)))  # 9 working days after service of the demand
    with pytest.raises(errors.Conflict) as wait:
        court.court_apply(actor=cw.leader, case=case, court=COURT)
    assert wait.value.code == "demand_period_running"
    clock.move_to(at(dt.date(2026, 6, 10)))  # 3 months after 03-03 ran out on 06-03
    with pytest.raises(errors.Conflict) as late:
        court.court_apply(actor=cw.leader, case=case, court=COURT)
    assert late.value.code == "application_period_passed"


def test_a_refused_enforcement_lets_the_case_close(cw, clock):
    case = served(cw, clock)
    clock.move_to(at(dt.date(2025, 9, 22)))
    court.court_demand(actor=cw.handler, case=case)
    clock.move_to(at(dt.date(2026, 3, 4)))
    court.court_apply(actor=cw.leader, case=case, court=COURT)
    with pytest.raises(errors.Conflict):  # served, unpaid, no ruling: cannot close
        case_steps.case_close(actor=cw.handler, case=case)
    with pytest.raises(errors.ValidationFailed) as why:
        court.court_ruling(actor=cw.handler, case=case, accepted=False, note="")
    assert why.value.code == "note_required"
    court.court_ruling(actor=cw.handler, case=case, accepted=False, note="明显缺乏事实根据")
    case = case_steps.case_close(actor=cw.handler, case=case)
    assert case.state == CaseState.CLOSED


def test_only_an_unpaid_served_fine_is_demanded(cw, clock):
    case = to_decision(cw, file_case(cw), fine="2000")
    with pytest.raises(errors.Conflict) as decided:
        court.court_demand(actor=cw.handler, case=case)
    assert decided.value.code == "nothing_to_demand"
    with pytest.raises(errors.Conflict) as none:
        court.court_apply(actor=cw.leader, case=case, court=COURT)
    assert none.value.code == "no_demand"
    with pytest.raises(errors.PermissionDenied):
        court.court_demand(actor=cw.w.stranger, case=case)


def test_the_figures_count_court_applications_and_enforcements_by_their_dates(cw, clock):
    from fazhi.enforcement.selectors.case_figures import COLUMNS, case_figures

    case = served(cw, clock)
    clock.move_to(at(dt.date(2025, 9, 22)))
    court.court_demand(actor=cw.handler, case=case)
    clock.move_to(at(dt.date(2026, 3, 4)))
    court.court_apply(actor=cw.leader, case=case, court=COURT)
    court.court_ruling(actor=cw.handler, case=case, accepted=True)
    court.court_enforced(actor=cw.handler, case=case, amount="4000")
    keys = [key for key, _ in COLUMNS]

    def total(year: int) -> dict[str, Any]:
        return dict(zip(keys, case_figures(user=cw.leader, year=year).total.values(), strict=True))

    assert (total(2025)["court_applied"], total(2025)["court_enforced"]) == (0, 0)
    in_2026 = total(2026)
    assert (in_2026["court_applied"], in_2026["court_enforced"], in_2026["filed"]) == (1, 1, 0)
    assert total(2026)["police"] == 0


def test_a_payment_after_the_demand_cancels_the_court_deadline(cw, clock):
    case = served(cw, clock)
    clock.move_to(at(dt.date(2025, 9, 22)))
    court.court_demand(actor=cw.handler, case=case)
    clock.move_to(at(dt.date(2025, 9, 25)))  # 7 days late: 420
    case = case_steps.case_execute(actor=cw.handler, case=case, paid_amount="2420")
    assert case.state == CaseState.EXECUTED
    deadline = Deadline.objects.get(title__contains="申请人民法院强制执行")
    assert deadline.state == "cancelled"
