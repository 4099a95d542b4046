"""Penalty cases: filing, investigation, notice, hearing, review, decision and the rest, through
the real services; each guard, bad input, permission and scope. Days are fixed in 2025 (the
calendar knows the year): Mon 2025-09-01 unless a test says otherwise."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction

from fazhi.core import errors, events, workflow
from fazhi.core.models import AuditEvent, Deadline, Role
from fazhi.core.testing import at
from fazhi.core.tests.factories import make_officer, make_user
from fazhi.enforcement import policy
from fazhi.enforcement.events import CaseEvent
from fazhi.enforcement.models import (
    CaseLeadSource,
    CaseLeadState,
    CaseState,
    PenaltyCase,
    PenaltyKind,
)
from fazhi.enforcement.review import precheck
from fazhi.enforcement.selectors import cases as case_selectors
from fazhi.enforcement.services import case_clock, case_steps, cases
from fazhi.enforcement.services import leads as lead_services
from fazhi.enforcement.tests.case_support import (
    SPOT_PROVISIONS,
    CaseWorld,
    file_case,
    investigate,
    make_case_world,
    notify,
    to_decision,
)
from fazhi.enforcement.workflows import PENALTY_CASE
from fazhi.inspections.tests.task_support import make_entity

pytestmark = pytest.mark.django_db

MON = dt.date(2025, 9, 1)


@pytest.fixture
def cw(clock: Any) -> CaseWorld:
    clock.move_to(at(MON))
    return make_case_world()


def move(clock: Any, day: dt.date) -> None:
    clock.move_to(at(day))


def deadlines(case: PenaltyCase) -> dict[str, Deadline]:
    return {d.rule_key: d for d in case_selectors.case_deadlines(case)}


def code(exc: pytest.ExceptionInfo[errors.FazhiError]) -> str:
    return str(exc.value.code)


# --- the table --------------------------------------------------------------------------------


def test_the_table_is_registered_and_every_event_has_a_label():
    assert workflow._registry["penalty_case"] is PENALTY_CASE
    assert PENALTY_CASE.initial == (CaseState.FILED, CaseState.DECIDED)
    for member in CaseEvent:
        assert events.label(member.value) == member.label


# --- filing -------------------------------------------------------------------------------------


def test_filing_on_a_lead_files_the_lead_and_opens_the_decision_period(cw):
    entity = make_entity(cw.w)
    with transaction.atomic():
        lead = lead_services.case_lead_create(
            actor=cw.w.planner,
            organisation=cw.org,
            entity=entity,
            source=CaseLeadSource.COMPLAINT,
            facts="群众投诉无证经营",
        )
    case = file_case(cw, lead=lead, act_ended_on=dt.date(2025, 8, 1))
    lead.refresh_from_db()
    assert lead.state == CaseLeadState.FILED
    assert (case.state, case.entity, case.source, case.facts) == (
        CaseState.FILED,
        entity,
        CaseLeadSource.COMPLAINT,
        "群众投诉无证经营",
    )
    assert "在追责时效内" in case.limitation_note
    decision = deadlines(case)["penalty.decision"]
    # 90 days (the 2025 rule, unverified) from Mon 09-01: Sun 11-30 rolls to Mon 12-01
    assert (decision.due_date, decision.assignee) == (dt.date(2025, 12, 1), cw.handler)
    assert AuditEvent.objects.filter(action=CaseEvent.FILED, object_id=str(case.pk)).exists()
    with pytest.raises(errors.InvalidTransition):  # a lead is filed once
        file_case(cw, lead=lead)


def test_a_case_filed_before_june_2025_keeps_the_three_month_rule(cw, clock):
    move(clock, dt.date(2025, 5, 20))
    case = file_case(cw, act_ended_on=dt.date(2025, 5, 1))
    assert deadlines(case)["penalty.decision"].due_date == dt.date(2025, 8, 20)


def test_filing_refuses_an_expired_limitation_and_bad_input(cw):
    with pytest.raises(errors.Conflict) as clash:
        file_case(cw, act_ended_on=dt.date(2023, 8, 1))
    assert code(clash) == "limitation_expired"
    # five years where life and health were harmed
    assert file_case(cw, act_ended_on=dt.date(2023, 8, 1), life_or_health_harm=True).pk
    inputs: list[tuple[dict[str, Any], str]] = [
        ({"cause": " "}, "cause_required"),
        ({"act_ended_on": dt.date(2025, 9, 2)}, "act_after_filing"),
        ({"filed_on": dt.date(2025, 9, 2)}, "date_in_future"),
        ({"source": "rumour"}, "unknown_source"),
        ({"facts": ""}, "facts_required"),
        ({"act_ended_on": dt.date(2020, 1, 1)}, "limitation_unknown"),
        ({"handler": cw.w.stranger}, "bad_handler"),
        ({"entity": make_entity(cw.w, org=cw.w.other_org)}, "entity_out_of_reach"),
    ]
    for kw, expected in inputs:
        with pytest.raises(errors.ValidationFailed) as bad:
            file_case(cw, **kw)
        assert code(bad) == expected, kw
    assert PenaltyCase.objects.count() == 1


def test_filing_needs_a_leader_in_scope(cw):
    with pytest.raises(errors.PermissionDenied):
        file_case(cw, actor=cw.handler)
    other_leader = make_user(cw.w.tree.districts[2], Role.LEADER)
    with pytest.raises(errors.PermissionDenied):
        file_case(cw, actor=other_leader)
    assert not PenaltyCase.objects.exists()


# --- investigation ------------------------------------------------------------------------------


def test_the_investigation_needs_two_valid_unrecused_officers(cw):
    case = file_case(cw)
    with pytest.raises(errors.ValidationFailed) as bad:
        cases.case_end_investigation(actor=cw.handler, case=case, report="查明")
    assert code(bad) == "officers_required"
    expired = make_officer(cw.org, credential_days=-1)
    with pytest.raises(errors.ValidationFailed) as bad:
        cases.case_officer_assign(actor=cw.leader, case=case, officer=expired)
    assert code(bad) == "no_valid_credential"
    elsewhere = make_officer(cw.w.other_org)
    with pytest.raises(errors.ValidationFailed) as bad:
        cases.case_officer_assign(actor=cw.leader, case=case, officer=elsewhere)
    assert code(bad) == "officer_elsewhere"
    with pytest.raises(errors.PermissionDenied):
        cases.case_officer_assign(actor=cw.handler, case=case, officer=cw.w.officer_a)
    cases.case_officer_assign(actor=cw.leader, case=case, officer=cw.w.officer_a)
    with pytest.raises(errors.Conflict) as clash:
        cases.case_officer_assign(actor=cw.leader, case=case, officer=cw.w.officer_a)
    assert code(clash) == "already_assigned"
    cases.case_officer_assign(actor=cw.leader, case=case, officer=cw.w.officer_b)
    cases.case_officer_recuse(actor=cw.leader, case=case, officer=cw.w.officer_b, reason="近亲属")
    with pytest.raises(errors.ValidationFailed) as bad:
        cases.case_end_investigation(actor=cw.handler, case=case, report="查明")
    assert code(bad) == "officers_required"
    third = make_officer(cw.org)
    cases.case_officer_assign(actor=cw.leader, case=case, officer=third)
    with pytest.raises(errors.ValidationFailed) as bad:
        cases.case_end_investigation(actor=cw.handler, case=case, report="")
    assert code(bad) == "report_required"
    case = cases.case_end_investigation(actor=cw.handler, case=case, report="事实清楚。")
    assert (case.state, case.investigated_on) == (CaseState.INVESTIGATED, MON)


def test_preserved_evidence_is_decided_within_seven_working_days(cw, clock):
    case = file_case(cw)
    with pytest.raises(errors.ValidationFailed) as bad:
        cases.case_evidence_preserve(
            actor=cw.handler, case=case, items="消毒记录", approved_by=cw.handler
        )
    assert code(bad) == "bad_approver"
    kept = cases.case_evidence_preserve(
        actor=cw.handler, case=case, items="消毒记录一册", approved_by=cw.leader
    )
    deadline = Deadline.objects.get(rule_key="penalty.preservation_decision")
    assert deadline.due_date == dt.date(2025, 9, 10)  # 7 working days after Mon 09-01
    with pytest.raises(errors.Conflict) as clash:
        investigate(cw, case)
    assert code(clash) == "preservation_pending"
    move(clock, dt.date(2025, 9, 5))
    cases.case_preservation_decide(actor=cw.handler, preservation=kept, decision="解除登记保存")
    deadline.refresh_from_db()
    assert deadline.state == "met"
    with pytest.raises(errors.Conflict):
        cases.case_preservation_decide(actor=cw.handler, preservation=kept, decision="再次")
    case = cases.case_end_investigation(actor=cw.handler, case=case, report="查明")
    assert case.state == CaseState.INVESTIGATED


# --- notice, party's window, decision -----------------------------------------------------------


def test_the_notice_gives_the_hearing_right_by_the_province_threshold(cw):
    small = notify(cw, investigate(cw, file_case(cw)), fine="4999.99")
    assert not small.hearing_right
    assert deadlines(small)["penalty.statement"].due_date == dt.date(2025, 9, 4)
    large = notify(cw, investigate(cw, file_case(cw)), fine="5000")
    assert large.hearing_right
    assert deadlines(large)["penalty.hearing_request"].due_date == dt.date(2025, 9, 8)
    revoke = notify(cw, investigate(cw, file_case(cw)), fine=None, kinds=["qualification"])
    assert revoke.hearing_right


@pytest.mark.parametrize(
    ("fine", "kinds", "expected"),
    [
        ("1.234", ["fine"], "bad_amount"),
        ("-1", ["fine"], "bad_amount"),
        (12.5, ["fine"], "bad_amount"),
        ("abc", ["fine"], "bad_amount"),
        ("NaN", ["fine"], "bad_amount"),
        (None, ["fine"], "amount_kind_mismatch"),
        ("100", ["warning"], "amount_kind_mismatch"),
        ("100", ["fine", "caning"], "unknown_penalty_kind"),
        (None, [], "kinds_required"),
    ],
)
def test_the_notice_refuses_bad_amounts_and_kinds(cw, fine, kinds, expected):
    case = investigate(cw, file_case(cw))
    with pytest.raises(errors.ValidationFailed) as bad:
        notify(cw, case, fine=fine, kinds=kinds)
    assert code(bad) == expected
    case.refresh_from_db()
    assert case.state == CaseState.INVESTIGATED


def test_amounts_are_exact_decimals(cw):
    case = notify(cw, investigate(cw, file_case(cw)), fine="1,234.50")
    case.refresh_from_db()
    assert case.proposed_fine == Decimal("1234.50")


def test_no_decision_before_the_notice_or_while_the_window_is_open(cw, clock):
    case = investigate(cw, file_case(cw))
    with pytest.raises(errors.InvalidTransition) as wrong:
        case_steps.case_decide(actor=cw.leader, case=case, outcome="penalty", fine="100")
    assert "调查终结" in wrong.value.message
    case = notify(cw, case, fine="2000")
    with pytest.raises(errors.Conflict) as clash:
        case_steps.case_decide(actor=cw.leader, case=case, outcome="penalty", fine="2000")
    assert code(clash) == "window_open"
    assert "2025-09-04" in clash.value.message
    move(clock, dt.date(2025, 9, 5))
    with pytest.raises(errors.ValidationFailed) as bad:  # Art. 45: not heavier
        case_steps.case_decide(actor=cw.leader, case=case, outcome="penalty", fine="2000.01")
    assert code(bad) == "heavier_than_notice"
    with pytest.raises(errors.PermissionDenied):
        case_steps.case_decide(actor=cw.handler, case=case, outcome="penalty", fine="1500")
    case = case_steps.case_decide(actor=cw.leader, case=case, outcome="penalty", fine="1500")
    assert case.state == CaseState.DECIDED
    assert case.fine == Decimal("1500.00")
    assert case.decision_number.startswith("测卫罚")
    found = deadlines(case)
    assert found["penalty.decision"].state == "met"
    assert found["penalty.service"].due_date == dt.date(2025, 9, 16)
    # the party's window ran out on Thu 09-04: met then, not late
    assert (found["penalty.statement"].state, found["penalty.statement"].met_on) == (
        "met",
        dt.date(2025, 9, 4),
    )
    assert found["penalty.publicity"].state == "open"


def test_a_waiver_allows_the_decision_at_once(cw):
    case = to_decision(cw, file_case(cw))
    assert case.state == CaseState.DECIDED
    assert deadlines(case)["penalty.statement"].state == "met"


def test_a_decision_without_penalty_has_no_amount(cw):
    case = notify(cw, investigate(cw, file_case(cw)), fine="2000")
    case = case_steps.case_waive_rights(actor=cw.handler, case=case)
    with pytest.raises(errors.ValidationFailed) as bad:
        case_steps.case_decide(actor=cw.leader, case=case, outcome="first_minor", fine="10")
    assert code(bad) == "amount_without_penalty"
    with pytest.raises(errors.ValidationFailed):
        case_steps.case_decide(actor=cw.leader, case=case, outcome="maybe")
    case = case_steps.case_decide(actor=cw.leader, case=case, outcome="first_minor")
    assert "penalty.publicity" not in deadlines(case)
    case = case_steps.case_serve(actor=cw.handler, case=case)
    assert "penalty.payment" not in deadlines(case)
    with pytest.raises(errors.Conflict) as clash:
        case_steps.case_execute(actor=cw.handler, case=case, paid_amount="0")
    assert code(clash) == "nothing_to_execute"
    case = case_steps.case_close(actor=cw.handler, case=case)
    assert case_steps.case_archive(actor=cw.handler, case=case).state == CaseState.ARCHIVED


def test_a_failed_numbering_rolls_the_decision_back(cw):
    case = notify(cw, investigate(cw, file_case(cw)), fine="2000")
    case = case_steps.case_waive_rights(actor=cw.handler, case=case)
    from fazhi.core.models import DocumentType

    DocumentType.objects.filter(organisation=cw.org.parent).update(key="other")
    with pytest.raises(errors.UnknownDocumentType):
        case_steps.case_decide(actor=cw.leader, case=case, outcome="penalty", fine="2000")
    case.refresh_from_db()
    assert (case.state, case.decision_number, case.outcome) == (CaseState.NOTIFIED, "", "")


# --- legal review and deliberation --------------------------------------------------------------


def test_a_large_fine_needs_a_legal_review_by_a_qualified_non_investigator(cw):
    case = notify(cw, investigate(cw, file_case(cw)), fine="50000")
    assert policy.legal_review_reasons(case)
    case = case_steps.case_waive_rights(actor=cw.handler, case=case)
    with pytest.raises(errors.Conflict) as clash:
        case_steps.case_decide(actor=cw.leader, case=case, outcome="penalty", fine="50000")
    assert code(clash) == "legal_review_required"
    assert "50,000.00元" in clash.value.message
    with pytest.raises(errors.PermissionDenied):  # the handler holds no review capability
        case_steps.case_review(actor=cw.handler, case=case, opinion="同意")
    unqualified = make_user(cw.org, Role.LEGAL_REVIEWER)
    make_officer(cw.org, user=unqualified)
    with pytest.raises(errors.PermissionDenied) as denied:
        case_steps.case_review(actor=unqualified, case=case, opinion="同意")
    assert code(denied) == "reviewer_unqualified"
    investigator = make_user(cw.org, Role.LEGAL_REVIEWER)
    officer = make_officer(cw.org, user=investigator, has_legal_qualification=True)
    PenaltyCase.objects.get(pk=case.pk).case_officers.create(officer=officer, added_on=MON)
    with pytest.raises(errors.PermissionDenied) as denied:
        case_steps.case_review(actor=investigator, case=case, opinion="同意")
    assert code(denied) == "reviewer_investigated"
    case = case_steps.case_review(actor=cw.reviewer, case=case, opinion="事实清楚，同意。")
    assert (case.state, case.legal_reviewer) == (CaseState.NOTIFIED, cw.reviewer)
    # no longer a first review: an unqualified reviewer who has reviewed before may review
    case = case_steps.case_decide(actor=cw.leader, case=case, outcome="penalty", fine="50000")
    assert case.state == CaseState.DECIDED


def test_a_complex_case_needs_review_and_collective_deliberation(cw):
    case = notify(cw, investigate(cw, file_case(cw, complex_case=True)), fine="100")
    case = case_steps.case_waive_rights(actor=cw.handler, case=case)
    case = case_steps.case_review(actor=cw.reviewer, case=case, opinion="同意")
    with pytest.raises(errors.Conflict) as clash:
        case_steps.case_decide(actor=cw.leader, case=case, outcome="penalty", fine="100")
    assert code(clash) == "deliberation_required"
    with pytest.raises(errors.ValidationFailed):
        case_steps.case_deliberate(actor=cw.leader, case=case, summary="")
    case = case_steps.case_deliberate(actor=cw.leader, case=case, summary="集体讨论同意")
    assert case_steps.case_decide(actor=cw.leader, case=case, outcome="penalty", fine="100").pk


# --- hearing ------------------------------------------------------------------------------------


def test_the_hearing_request_window_and_notice_and_review_after_the_hearing(cw, clock):
    small = notify(cw, investigate(cw, file_case(cw)), fine="100")
    with pytest.raises(errors.Conflict) as clash:
        case_steps.case_request_hearing(actor=cw.handler, case=small)
    assert code(clash) == "no_hearing_right"
    case = notify(cw, investigate(cw, file_case(cw)), fine="8000")
    case = case_steps.case_review(actor=cw.reviewer, case=case, opinion="同意")
    move(clock, dt.date(2025, 9, 9))  # the 5th working day was Mon 09-08
    with pytest.raises(errors.Conflict) as clash:
        case_steps.case_request_hearing(actor=cw.handler, case=case, on=dt.date(2025, 9, 9))
    assert code(clash) == "hearing_request_late"
    case = case_steps.case_request_hearing(actor=cw.handler, case=case, on=dt.date(2025, 9, 8))
    assert case.state == CaseState.HEARING
    assert deadlines(case)["penalty.hearing_request"].state == "met"
    # served Tue 09-09: the 7th working day after is Thu 09-18
    with pytest.raises(errors.ValidationFailed) as bad:
        case_steps.case_schedule_hearing(
            actor=cw.handler, case=case, hearing_on=dt.date(2025, 9, 17)
        )
    assert code(bad) == "notice_too_short"
    with pytest.raises(errors.Conflict) as clash:
        case_steps.case_hold_hearing(actor=cw.handler, case=case)
    assert code(clash) == "hearing_not_scheduled"
    case = case_steps.case_schedule_hearing(
        actor=cw.handler, case=case, hearing_on=dt.date(2025, 9, 18)
    )
    with pytest.raises(errors.ValidationFailed) as bad:
        case_steps.case_hold_hearing(actor=cw.handler, case=case)
    assert code(bad) == "hearing_not_yet"
    move(clock, dt.date(2025, 9, 18))
    case = case_steps.case_hold_hearing(actor=cw.handler, case=case)
    assert case.state == CaseState.HEARD
    with pytest.raises(errors.Conflict) as clash:  # reviewed before the hearing: not enough
        case_steps.case_decide(actor=cw.leader, case=case, outcome="penalty", fine="8000")
    assert code(clash) == "legal_review_required"
    case = case_steps.case_review(actor=cw.reviewer, case=case, opinion="听证后审核同意")
    assert case_steps.case_decide(actor=cw.leader, case=case, outcome="penalty", fine="6000").pk


# --- service, execution, closure, archive ---------------------------------------------------------


def test_service_payment_execution_closure_and_archive(cw, clock):
    case = to_decision(cw, file_case(cw))
    move(clock, dt.date(2025, 9, 3))
    with pytest.raises(errors.ValidationFailed):
        case_steps.case_serve(actor=cw.handler, case=case, on=dt.date(2025, 8, 31))
    case = case_steps.case_serve(actor=cw.handler, case=case)
    found = deadlines(case)
    assert found["penalty.service"].state == "met"
    assert found["penalty.payment"].due_date == dt.date(2025, 9, 18)  # 15 days
    with pytest.raises(errors.Conflict) as clash:
        case_steps.case_close(actor=cw.handler, case=case)
    assert code(clash) == "not_executed"
    with pytest.raises(errors.ValidationFailed) as bad:
        case_steps.case_execute(actor=cw.handler, case=case, paid_amount="1999.99")
    assert code(bad) == "underpaid"
    case = case_steps.case_execute(actor=cw.handler, case=case, paid_amount="2000")
    assert deadlines(case)["penalty.payment"].state == "met"
    case = case_steps.case_publish(actor=cw.handler, case=case)
    assert deadlines(case)["penalty.publicity"].state == "met"
    with pytest.raises(errors.Conflict):
        case_steps.case_publish(actor=cw.handler, case=case)
    case = case_steps.case_close(actor=cw.handler, case=case)
    case = case_steps.case_archive(actor=cw.handler, case=case)
    assert case.state == CaseState.ARCHIVED
    actions = list(
        AuditEvent.objects.filter(object_id=str(case.pk), action__startswith="penalty_case.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions[0] == CaseEvent.FILED and actions[-1] == CaseEvent.ARCHIVED


def test_an_incomplete_file_is_not_archived(cw):
    case = notify(cw, investigate(cw, file_case(cw)), fine="100")
    case = case_steps.case_waive_rights(actor=cw.handler, case=case)
    case = case_steps.case_decide(actor=cw.leader, case=case, outcome="not_established")
    case = case_steps.case_close(
        actor=cw.handler, case=case_steps.case_serve(actor=cw.handler, case=case)
    )
    PenaltyCase.objects.filter(pk=case.pk).update(investigation_report="")
    case.refresh_from_db()
    with pytest.raises(errors.Conflict) as clash:
        case_steps.case_archive(actor=cw.handler, case=case)
    assert code(clash) == "case_file_incomplete"
    assert "缺少调查终结报告" in clash.value.message


# --- withdrawal, transfer -----------------------------------------------------------------------


def test_withdrawal_cancels_the_deadlines_and_transfer_needs_a_recipient(cw):
    case = notify(cw, investigate(cw, file_case(cw)), fine="100")
    with pytest.raises(errors.ValidationFailed):
        case_steps.case_withdraw(actor=cw.leader, case=case, reason="")
    with pytest.raises(errors.PermissionDenied):
        case_steps.case_withdraw(actor=cw.handler, case=case, reason="证据不足")
    case = case_steps.case_withdraw(actor=cw.leader, case=case, reason="当事人已注销")
    assert case.state == CaseState.WITHDRAWN
    assert {d.state for d in deadlines(case).values()} == {"cancelled"}
    other = file_case(cw)
    with pytest.raises(errors.ValidationFailed) as bad:
        case_steps.case_transfer(actor=cw.leader, case=other, to="", reason="涉嫌犯罪")
    assert code(bad) == "transfer_to_required"
    other = case_steps.case_transfer(
        actor=cw.leader, case=other, to="某区公安分局", reason="涉嫌非法行医罪"
    )
    assert (other.state, other.transferred_to) == (CaseState.TRANSFERRED, "某区公安分局")
    with pytest.raises(errors.InvalidTransition):
        case_steps.case_withdraw(actor=cw.leader, case=other, reason="再撤")


# --- the clock: stops, resumption, extensions -----------------------------------------------------


def test_a_clock_stop_moves_the_decision_due_date_across_holidays(cw, clock):
    case = file_case(cw)
    assert deadlines(case)["penalty.decision"].due_date == dt.date(2025, 12, 1)
    move(clock, dt.date(2025, 9, 26))
    with pytest.raises(errors.ValidationFailed):
        case_clock.case_clock_stop(actor=cw.handler, case=case, kind="weather", reason="检测")
    case = case_clock.case_clock_stop(
        actor=cw.handler, case=case, kind="testing", reason="送检水样", on=dt.date(2025, 9, 26)
    )
    assert deadlines(case)["penalty.decision"].state == "stopped"
    with pytest.raises(errors.Conflict):
        case_clock.case_clock_stop(actor=cw.handler, case=case, kind="testing", reason="再次")
    move(clock, dt.date(2025, 10, 10))
    case = case_clock.case_clock_resume(actor=cw.handler, case=case)
    decision = deadlines(case)["penalty.decision"]
    # 14 days stopped (09-26 … 10-09): 11-30 + 14 = Sun 12-14, rolled to Mon 12-15
    assert (decision.state, decision.due_date) == ("open", dt.date(2025, 12, 15))
    with pytest.raises(errors.Conflict):
        case_clock.case_clock_resume(actor=cw.handler, case=case)


def test_an_extension_under_the_old_rule_needs_the_upper_level(cw, clock):
    move(clock, dt.date(2025, 5, 20))
    case = file_case(cw, act_ended_on=dt.date(2025, 5, 1))
    move(clock, dt.date(2025, 8, 1))
    with pytest.raises(errors.PermissionDenied) as denied:
        case_clock.case_extend(actor=cw.leader, case=case, reason="等待鉴定结论")
    assert code(denied) == "not_approver"
    with pytest.raises(errors.PermissionDenied):
        case_clock.case_extend(actor=cw.handler, case=case, reason="等待鉴定结论")
    case = case_clock.case_extend(actor=cw.city_leader, case=case, reason="等待鉴定结论")
    decision = deadlines(case)["penalty.decision"]
    assert decision.due_date == dt.date(2025, 9, 19)  # 08-20 + 30 days


def test_an_extension_under_the_2025_rule_by_the_agency_head(cw, clock):
    case = file_case(cw)
    move(clock, dt.date(2025, 11, 20))
    case = case_clock.case_extend(actor=cw.leader, case=case, reason="当事人下落不明")
    # the unrolled end (Sun 11-30) + 30 days: Tue 12-30
    assert deadlines(case)["penalty.decision"].due_date == dt.date(2025, 12, 30)


# --- the simplified procedure ---------------------------------------------------------------------


def test_a_decision_on_the_spot(cw):
    entity = make_entity(cw.w)
    values: dict[str, Any] = {
        "actor": cw.handler,
        "organisation": cw.org,
        "entity": entity,
        "handler": cw.handler,
        "officers": [cw.w.officer_a, cw.w.officer_b],
        "cause": "从业人员未取得健康合格证明",
        "facts": "现场检查发现一名服务员无健康合格证明。",
        "kinds": [PenaltyKind.WARNING, PenaltyKind.FINE],
        **SPOT_PROVISIONS,
    }
    with pytest.raises(errors.ValidationFailed) as bad:
        cases.case_decide_on_the_spot(**values, fine="3000.01")
    assert code(bad) == "summary_over_limit"
    with pytest.raises(errors.ValidationFailed) as bad:
        cases.case_decide_on_the_spot(**{**values, "officers": [cw.w.officer_a]}, fine="100")
    assert code(bad) == "officers_required"
    with pytest.raises(errors.ValidationFailed) as bad:
        cases.case_decide_on_the_spot(**{**values, "kinds": ["suspension"]})
    assert code(bad) == "summary_kind"
    with pytest.raises(errors.PermissionDenied):
        cases.case_decide_on_the_spot(**{**values, "actor": cw.reviewer}, fine="100")
    # the provisions the decision states (decision 0068): required; typed ones need a reason
    for missing, want in (
        ({"violated": ""}, "violated_required"),
        ({"penalty": ""}, "penalty_required"),
    ):
        with pytest.raises(errors.ValidationFailed) as bad:
            cases.case_decide_on_the_spot(**{**values, **missing}, fine="100")
        assert code(bad) == want
    with pytest.raises(errors.ValidationFailed) as bad:
        cases.case_decide_on_the_spot(**{**values, "reason": ""}, fine="100")
    assert code(bad) == "provision_reason_required"
    assert not PenaltyCase.objects.filter(procedure="summary").exists()
    case = cases.case_decide_on_the_spot(**values, fine="3000")
    assert (case.state, case.procedure, case.fine) == (
        CaseState.DECIDED,
        "summary",
        Decimal("3000.00"),
    )
    assert case.decision_number
    assert case.violated_provision == SPOT_PROVISIONS["violated"]
    assert case.provision_reason == SPOT_PROVISIONS["reason"] and case.provision_item is None
    assert not [f for f in precheck.precheck(case) if f.kind == precheck.BASIS]
    case = case_steps.case_serve(actor=cw.handler, case=case)
    case = case_steps.case_execute(actor=cw.handler, case=case, paid_amount="3000")
    case = case_steps.case_close(actor=cw.handler, case=case)
    assert case_steps.case_archive(actor=cw.handler, case=case).state == CaseState.ARCHIVED


# --- reads ---------------------------------------------------------------------------------------


def test_reads_are_scoped(cw):
    case = file_case(cw)
    assert list(case_selectors.penalty_case_list(user=cw.handler)) == [case]
    assert not case_selectors.penalty_case_list(user=cw.w.stranger).exists()
    with pytest.raises(errors.OutOfScope):
        case_selectors.penalty_case_get(user=cw.w.stranger, case_id=case.pk)
    with pytest.raises(errors.NotFound):
        case_selectors.penalty_case_get(user=cw.handler, case_id=case.pk + 1000)
    nobody = make_user(cw.org, Role.PETITION_OFFICER)
    with pytest.raises(errors.PermissionDenied):
        case_selectors.penalty_case_list(user=nobody)
    with pytest.raises(errors.PermissionDenied):  # a stranger may not act on it either
        case_steps.case_withdraw(
            actor=make_user(cw.w.other_org, Role.LEADER), case=case, reason="无"
        )


# --- the workbench ------------------------------------------------------------------------------


def test_a_case_near_its_limit_is_on_the_workbench_of_its_handler_and_leader(cw, clock):
    from fazhi.core.selectors.deadlines import deadline_workbench

    case = file_case(cw)
    move(clock, dt.date(2025, 11, 26))  # due Mon 12-01
    for user in (cw.handler, cw.leader):
        board = deadline_workbench(user=user, today=dt.date(2025, 11, 26))
        assert [d.object_id for d in board.due_soon] == [str(case.pk)]
    assert not deadline_workbench(user=cw.w.inspector_b, today=dt.date(2025, 11, 26)).due_soon
    move(clock, dt.date(2025, 12, 2))
    board = deadline_workbench(user=cw.handler, today=dt.date(2025, 12, 2))
    assert [d.object_id for d in board.overdue] == [str(case.pk)]
