"""Credit records from penalty decisions, through enforcement's ``decision_effective`` signal;
the automatic black list; the record rolls back with the service it rides on."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from fazhi.core import errors
from fazhi.core.models import AuditEvent
from fazhi.credit.events import CreditEvent, CreditListEvent
from fazhi.credit.models import CreditListEntry, CreditRecord, ListKind, ListState
from fazhi.credit.services import records
from fazhi.credit.tests.support import clinic, served_case, served_heavy_case, world
from fazhi.enforcement.models import CaseState, PenaltyCase
from fazhi.enforcement.services import case_steps, cases
from fazhi.enforcement.tests.case_support import (
    SPOT_PROVISIONS,
    file_case,
    investigate,
    notify,
    to_decision,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cw(clock: Any) -> Any:
    return world(clock)


def test_a_served_penalty_decision_is_recorded_once_against_the_entity(cw):
    case = served_case(cw)
    record = CreditRecord.objects.get(case=case)
    assert (record.entity, record.organisation) == (case.entity, case.organisation)
    assert record.decision_number == case.decision_number
    assert record.effective_on == case.served_on
    assert "罚款2,000.00元" in record.penalty
    assert (
        AuditEvent.objects.filter(action=CreditEvent.RECORDED, object_id=str(record.pk)).count()
        == 1
    )
    assert not CreditListEntry.objects.exists()  # a small fine: no black list


def test_a_decided_but_unserved_decision_is_not_yet_recorded(cw):
    to_decision(cw, file_case(cw, entity=clinic(cw)))
    assert not CreditRecord.objects.exists()


def test_a_decision_without_penalty_leaves_no_record(cw):
    case = notify(cw, investigate(cw, file_case(cw)), fine="100")
    case = case_steps.case_waive_rights(actor=cw.handler, case=case)
    case = case_steps.case_decide(actor=cw.leader, case=case, outcome="no_penalty")
    case_steps.case_serve(actor=cw.handler, case=case)
    assert not CreditRecord.objects.exists()


def test_a_decision_on_the_spot_is_recorded_at_once(cw):
    case = cases.case_decide_on_the_spot(
        actor=cw.handler,
        organisation=cw.org,
        entity=clinic(cw),
        handler=cw.handler,
        cause="未按规定公示",
        facts="现场检查发现。",
        kinds=["warning"],
        fine=None,
        officers=[cw.w.officer_a, cw.w.officer_b],
        **SPOT_PROVISIONS,
    )
    assert case.state == CaseState.DECIDED
    assert CreditRecord.objects.get(case=case).effective_on == case.decided_on


def test_a_heavy_fine_enters_the_black_list_with_its_grounds_and_exit_date(cw):
    case = served_heavy_case(cw)
    entry = CreditListEntry.objects.get(case=case)
    assert case.served_on is not None
    assert (entry.kind, entry.state) == (ListKind.BLACK, ListState.LISTED)
    assert "200,000.00元" in entry.grounds and case.decision_number in entry.grounds
    assert entry.earliest_exit_on == case.served_on.replace(year=case.served_on.year + 1)
    assert AuditEvent.objects.filter(action=CreditListEvent.ENTERED).count() == 1


def test_black_list_grounds_follow_the_penalty_kinds_and_the_province_amount(cw):
    case = served_case(cw)
    assert case.decided_on is not None
    assert records.black_list_grounds(case, case.decided_on) == []
    case.penalty_kinds = ["warning", "suspension"]
    assert records.black_list_grounds(case, case.decided_on) == [
        "处罚种类含“责令停产停业、责令关闭、限制从业”"
    ]
    case.penalty_kinds, case.fine = ["fine"], Decimal("200000.00")
    assert "达到200,000.00元的标准" in records.black_list_grounds(case, case.decided_on)[0]


def test_a_failing_credit_record_rolls_the_service_back(cw, monkeypatch):
    case = to_decision(cw, file_case(cw, entity=clinic(cw)))

    def broken(*, actor: Any, case: PenaltyCase) -> None:
        raise errors.Conflict("信用记录失败。", code="credit_broken")

    monkeypatch.setattr(records, "credit_record_from_case", broken)
    with pytest.raises(errors.Conflict):
        case_steps.case_serve(actor=cw.handler, case=case)
    case.refresh_from_db()
    assert (case.state, case.served_on) == (CaseState.DECIDED, None)
