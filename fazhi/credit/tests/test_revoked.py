"""A penalty decision revoked (confirmed illegal or void): enforcement's ``decision_revoked``
signal withdraws its credit record and takes the black-list entry that rested on it off the list,
in the same transaction (decision 0082)."""

from __future__ import annotations

from typing import Any

import pytest

from fazhi.core import errors
from fazhi.core.models import AuditEvent
from fazhi.credit.events import CreditEvent, CreditListEvent
from fazhi.credit.models import CreditListEntry, CreditRecord, ListState
from fazhi.credit.selectors.credit import public_list_entries
from fazhi.credit.services import records
from fazhi.credit.tests.support import MON, served_case, served_heavy_case, world
from fazhi.enforcement.services import case_decisions

LOWER: dict[str, Any] = {"kinds": ["warning", "fine"], "fine": "1500"}  # the changed penalty

pytestmark = pytest.mark.django_db


@pytest.fixture
def cw(clock: Any) -> Any:
    return world(clock)


def test_a_revoked_decision_withdraws_its_record_and_black_list_entry(cw):
    case = served_heavy_case(cw)
    entry = CreditListEntry.objects.get(case=case)
    assert entry in public_list_entries()
    case_decisions.case_decision_revoke(actor=cw.leader, case=case, reason="事实不清，自行撤销")
    record = CreditRecord.objects.get(case=case)
    assert record.withdrawn_on == MON
    assert "事实不清，自行撤销" in record.withdrawn_reason
    assert case.decision_number in record.withdrawn_reason
    entry.refresh_from_db()
    assert (entry.state, entry.removed_on, entry.decided_by) == (ListState.REMOVED, MON, cw.leader)
    assert "被撤销" in entry.decision_note
    assert entry not in public_list_entries()
    assert AuditEvent.objects.filter(action=CreditEvent.WITHDRAWN).count() == 1
    assert AuditEvent.objects.filter(action=CreditListEvent.BASIS_REVOKED).count() == 1


def test_a_changed_decision_keeps_its_record(cw):
    case = served_case(cw)
    case_decisions.case_decision_change(**LOWER, actor=cw.leader, case=case, reason="变更罚款金额")
    assert CreditRecord.objects.get(case=case).withdrawn_on is None


def test_a_failing_withdrawal_rolls_the_revocation_back(cw, monkeypatch):
    case = served_heavy_case(cw)

    def boom(**kw: Any) -> None:
        raise errors.Conflict("测试", code="boom")

    monkeypatch.setattr(records, "credit_record_withdraw_for_case", boom)
    with pytest.raises(errors.Conflict):
        case_decisions.case_decision_revoke(actor=cw.leader, case=case, reason="撤销")
    case.refresh_from_db()
    assert case.decision_altered == ""
    assert CreditListEntry.objects.get(case=case).state == ListState.LISTED


def test_a_second_withdrawal_changes_nothing(cw):
    case = served_case(cw)
    case_decisions.case_decision_revoke(actor=cw.leader, case=case, reason="撤销")
    first = CreditRecord.objects.get(case=case)
    again = records.credit_record_withdraw_for_case(
        actor=cw.leader, case=case, reason="又一次", on=MON
    )
    assert again is not None and again.withdrawn_reason == first.withdrawn_reason
    assert AuditEvent.objects.filter(action=CreditEvent.WITHDRAWN).count() == 1
