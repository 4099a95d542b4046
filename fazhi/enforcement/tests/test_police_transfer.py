"""Transfer of a suspected crime to the police (行政处罚法 Art. 27; 国务院令第310号): the report
by the team, the head's decision within 3 days, the transfer within 24 hours measured in hours
(decision 0065), the receipt, the police's decision and the return that opens a new lead."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fazhi.core import errors
from fazhi.core.models import AuditEvent, Deadline
from fazhi.core.testing import at
from fazhi.enforcement.execution_models import PoliceTransferState
from fazhi.enforcement.models import CaseLead, CaseLeadSource, CaseState
from fazhi.enforcement.services import cases
from fazhi.enforcement.services import police_transfer as pt
from fazhi.enforcement.tests.case_support import CaseWorld, file_case, make_case_world

pytestmark = pytest.mark.django_db

POLICE = "清源市公安局江北分局"


@pytest.fixture
def cw(clock: Any) -> CaseWorld:
    clock.move_to(at(dt.date(2025, 9, 1)))
    return make_case_world()


def with_team(cw: CaseWorld) -> Any:
    case = file_case(cw)
    cases.case_officer_assign(actor=cw.leader, case=case, officer=cw.w.officer_a)
    cases.case_officer_assign(actor=cw.leader, case=case, officer=cw.w.officer_b)
    return case


def test_report_approve_transfer_acknowledge_and_police_files(cw, clock):
    case = with_team(cw)
    clock.move_to(at(dt.date(2025, 9, 5)))
    row = pt.police_transfer_report(
        actor=cw.handler, case=case, report="非法行医致人伤害，涉嫌犯罪。"
    )
    approve = Deadline.objects.get(title__contains="批准是否移送")
    assert (approve.start_date, approve.due_date) == (dt.date(2025, 9, 5), dt.date(2025, 9, 8))
    assert approve.assignee == cw.leader
    with pytest.raises(errors.PermissionDenied):  # the head decides
        pt.police_transfer_approve(actor=cw.handler, case=case)
    clock.move_to(at(dt.date(2025, 9, 8), hour=9))
    row = pt.police_transfer_approve(actor=cw.leader, case=case, at=at(dt.date(2025, 9, 8), 9))
    assert row.state == PoliceTransferState.APPROVED
    approve.refresh_from_db()
    assert approve.state == "met"
    send = Deadline.objects.get(title__contains="24小时")
    assert send.due_date == dt.date(2025, 9, 9)  # the day on which the 24 hours run out
    clock.move_to(at(dt.date(2025, 9, 9), hour=15))  # 30 hours later: late, recorded as such
    with pytest.raises(errors.ValidationFailed) as no_police:
        pt.police_transfer_send(actor=cw.handler, case=case, police="")
    assert no_police.value.code == "police_required"
    row = pt.police_transfer_send(actor=cw.handler, case=case, police=POLICE)
    assert (row.state, row.transfer_hours) == (PoliceTransferState.TRANSFERRED, 30)
    assert row.transfer_late is True
    case.refresh_from_db()
    assert (case.state, case.transferred_to) == (CaseState.TRANSFERRED, POLICE)
    clock.move_to(at(dt.date(2025, 9, 10)))
    pt.police_transfer_acknowledge(actor=cw.handler, case=case)
    assert Deadline.objects.get(title__contains="是否立案决定").due_date == dt.date(
        2025, 9, 15
    )  # 3 days end on Saturday: rolled
    clock.move_to(at(dt.date(2025, 9, 12)))
    row = pt.police_transfer_decision(actor=cw.handler, case=case, filed=True)
    assert row.state == PoliceTransferState.FILED
    with pytest.raises(errors.InvalidTransition):
        pt.police_transfer_return(actor=cw.handler, case=case)


def test_the_police_refuse_and_return_the_file_a_new_lead(cw, clock):
    case = with_team(cw)
    pt.police_transfer_report(actor=cw.handler, case=case, report="涉嫌非法行医罪。")
    pt.police_transfer_approve(actor=cw.leader, case=case, at=at(dt.date(2025, 9, 1), hour=9))
    clock.move_to(at(dt.date(2025, 9, 1), hour=14))
    row = pt.police_transfer_send(actor=cw.handler, case=case, police=POLICE)
    assert row.transfer_hours == 5
    assert row.transfer_late is False
    pt.police_transfer_acknowledge(actor=cw.handler, case=case)
    with pytest.raises(errors.ValidationFailed):
        pt.police_transfer_decision(actor=cw.handler, case=case, filed=False, reason="")
    pt.police_transfer_decision(
        actor=cw.handler, case=case, filed=False, reason="情节显著轻微，不需要追究刑事责任"
    )
    clock.move_to(at(dt.date(2025, 9, 3)))
    row = pt.police_transfer_return(actor=cw.handler, case=case)
    assert row.state == PoliceTransferState.RETURNED and row.returned_on == dt.date(2025, 9, 3)
    lead = CaseLead.objects.get(entity=case.entity, source=CaseLeadSource.REFERRAL)
    assert "情节显著轻微" in lead.facts


def test_not_approved_keeps_the_case_open(cw, clock):
    case = with_team(cw)
    pt.police_transfer_report(actor=cw.handler, case=case, report="涉嫌犯罪。")
    with pytest.raises(errors.ValidationFailed):
        pt.police_transfer_not_approve(actor=cw.leader, case=case, reason=" ")
    row = pt.police_transfer_not_approve(actor=cw.leader, case=case, reason="未达到追诉标准")
    assert row.state == PoliceTransferState.NOT_APPROVED
    case.refresh_from_db()
    assert case.state == CaseState.FILED
    # a new report may follow
    pt.police_transfer_report(actor=cw.handler, case=case, report="补充证据后再次报告。")


def test_guards_of_the_report_and_the_times(cw, clock):
    case = file_case(cw)
    with pytest.raises(errors.ValidationFailed) as team:
        pt.police_transfer_report(actor=cw.handler, case=case, report="涉嫌犯罪。")
    assert team.value.code == "officers_required"
    case = with_team(cw)
    with pytest.raises(errors.ValidationFailed):
        pt.police_transfer_report(actor=cw.handler, case=case, report="")
    with pytest.raises(errors.PermissionDenied):
        pt.police_transfer_report(actor=cw.w.stranger, case=case, report="涉嫌犯罪。")
    pt.police_transfer_report(actor=cw.handler, case=case, report="涉嫌犯罪。")
    with pytest.raises(errors.Conflict) as twice:
        pt.police_transfer_report(actor=cw.handler, case=case, report="再次。")
    assert twice.value.code == "transfer_open"
    with pytest.raises(errors.InvalidTransition):  # not approved yet
        pt.police_transfer_send(actor=cw.handler, case=case, police=POLICE)
    with pytest.raises(errors.ValidationFailed) as future:
        pt.police_transfer_approve(actor=cw.leader, case=case, at=at(dt.date(2025, 9, 2)))
    assert future.value.code == "date_in_future"
    pt.police_transfer_approve(actor=cw.leader, case=case)
    with pytest.raises(errors.ValidationFailed) as before:
        pt.police_transfer_send(
            actor=cw.handler, case=case, police=POLICE, at=at(dt.date(2025, 9, 1), hour=8)
        )
    assert before.value.code == "date_too_early"


def test_the_figures_count_the_transfers_to_the_police(cw, clock):
    from fazhi.core.models import AuditEvent
    from fazhi.enforcement.selectors.case_figures import COLUMNS, case_figures

    case = with_team(cw)
    file_case(cw)  # another case, not transferred
    pt.police_transfer_report(actor=cw.handler, case=case, report="涉嫌犯罪。")
    pt.police_transfer_approve(actor=cw.leader, case=case, at=at(dt.date(2025, 9, 1), hour=8))
    clock.move_to(at(dt.date(2025, 9, 2), hour=13))  # 28 hours: late, in the event
    pt.police_transfer_send(
        actor=cw.handler, case=case, police=POLICE, at=at(dt.date(2025, 9, 2), hour=12)
    )
    event = AuditEvent.objects.get(action="police_transfer.transferred")
    assert event.details["late"] is True and event.details["hours"] == 28
    keys = [key for key, _ in COLUMNS]
    total = dict(zip(keys, case_figures(user=cw.leader, year=2025).total.values(), strict=True))
    assert (total["police"], total["transferred"], total["filed"]) == (1, 1, 2)
    stranger = case_figures(user=cw.w.stranger, year=2025).total.values()
    assert dict(zip(keys, stranger, strict=True))["police"] == 0


def test_the_heads_workbench_lists_the_reports_to_decide(cw, clock):
    from fazhi.enforcement.selectors.todo import todo_items

    case = with_team(cw)
    assert not [t for t in todo_items(cw.leader) if "移送" in t.label]
    pt.police_transfer_report(actor=cw.handler, case=case, report="涉嫌犯罪。")
    waiting = [t for t in todo_items(cw.leader) if "移送" in t.label]
    assert [(t.count, t.kind, t.url) for t in waiting] == [
        (1, "approval", f"/enforcement/cases/{case.pk}/")
    ]
    assert not [t for t in todo_items(cw.handler) if "移送" in t.label]  # not a head
    assert not [t for t in todo_items(cw.w.stranger) if "移送" in t.label]
    pt.police_transfer_approve(actor=cw.leader, case=case)
    assert not [t for t in todo_items(cw.leader) if "移送" in t.label]


def test_exactly_the_rules_24_hours_is_on_time_and_the_page_says_so(cw, clock):
    case = with_team(cw)
    pt.police_transfer_report(actor=cw.handler, case=case, report="涉嫌非法行医罪。")
    pt.police_transfer_approve(actor=cw.leader, case=case, at=at(dt.date(2025, 9, 1), hour=9))
    clock.move_to(at(dt.date(2025, 9, 2), hour=9))  # 24 hours to the minute: within the limit
    row = pt.police_transfer_send(actor=cw.handler, case=case, police=POLICE)
    assert (row.transfer_hours, row.transfer_late) == (24, False)
    event = AuditEvent.objects.filter(action="police_transfer.transferred").latest("seq")
    assert event.details["late"] is False
