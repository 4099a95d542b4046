"""Appeal services: the answer clocks by kind and procedure, every step, each guard, bad input,
permissions, and the penalty case's surcharge pause through the enforcement challenge."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from fazhi.appeals import services
from fazhi.appeals.events import AppealEvent
from fazhi.appeals.models import Appeal, AppealKind, AppealState, Outcome, Procedure
from fazhi.appeals.tests.support import TODAY, World, make_world, register
from fazhi.core import errors
from fazhi.core.models import AuditEvent, Deadline
from fazhi.core.models.deadlines import DeadlineState
from fazhi.core.periods import compute_due
from fazhi.core.testing import clock_at
from fazhi.enforcement.models import CaseChallenge
from fazhi.enforcement.services import case_challenges, case_steps
from fazhi.enforcement.services.case_execution import payment_due, surcharge_for
from fazhi.enforcement.tests.case_support import file_case, to_decision

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with clock_at(TODAY):
        yield


@pytest.fixture
def world() -> World:
    return make_world()


def _deadline(appeal: Appeal) -> Deadline:
    return Deadline.objects.get(object_id=str(appeal.pk), content_type__model="appeal")


@pytest.mark.parametrize(
    ("kind", "procedure", "rule", "at_least"),
    [
        # ten working days always span two weekends
        (AppealKind.RECONSIDERATION, Procedure.ORDINARY, "reconsideration.answer", 14),
        (AppealKind.RECONSIDERATION, Procedure.SIMPLIFIED, "reconsideration.answer_simple", 7),
        (AppealKind.LITIGATION, Procedure.ORDINARY, "litigation.defence", 15),
    ],
)
def test_register_opens_the_answer_clock_of_its_kind(world, kind, procedure, rule, at_least):
    received = dt.date(2026, 9, 28)  # the National Day week falls inside
    appeal = register(
        world, kind=kind, procedure=procedure, lodged_on=received, received_on=received
    )
    deadline = _deadline(appeal)
    assert deadline.rule_key == rule
    assert deadline.due_date == compute_due(rule, received, province="36").due
    assert deadline.due_date is not None
    assert (deadline.due_date - received).days >= at_least
    assert appeal.state == AppealState.RECEIVED
    assert AuditEvent.objects.filter(action=AppealEvent.RECEIVED, object_id=str(appeal.pk)).exists()


def test_the_ten_days_are_working_days(world):
    received = dt.date(2026, 9, 28)
    appeal = register(world, lodged_on=received, received_on=received)
    due = _deadline(appeal).due_date
    assert due is not None and due > received + dt.timedelta(days=10)


def test_litigation_has_no_simplified_answer_period(world):
    appeal = register(world, kind=AppealKind.LITIGATION, procedure=Procedure.SIMPLIFIED)
    assert appeal.procedure == Procedure.ORDINARY
    assert _deadline(appeal).rule_key == "litigation.defence"


def test_the_whole_way_answered_heard_decided_closed(world):
    appeal = register(world, kind=AppealKind.LITIGATION)
    received = appeal.received_on
    appeal = services.appeal_answer(
        actor=world.legal, appeal=appeal, on=received + dt.timedelta(days=3), note="答辩要点"
    )
    assert appeal.state == AppealState.ANSWERED
    assert _deadline(appeal).state == DeadlineState.MET
    hearing = services.appeal_record_hearing(
        actor=world.legal,
        appeal=appeal,
        held_on=received + dt.timedelta(days=10),
        attended_by="局长、法制科长",
        head_appeared=True,
    )
    assert hearing.head_appeared
    services.appeal_record_hearing(
        actor=world.legal,
        appeal=appeal,
        held_on=received + dt.timedelta(days=12),
        attended_by="法制科长",
    )
    appeal.refresh_from_db()
    assert appeal.head_appeared  # a later session without the head does not undo it
    appeal = services.appeal_decide(
        actor=world.legal,
        appeal=appeal,
        on=received + dt.timedelta(days=20),
        outcome=Outcome.REQUEST_DISMISSED,
    )
    assert (appeal.state, appeal.corrected, appeal.lost) == (AppealState.DECIDED, False, False)
    appeal = services.appeal_close(
        actor=world.legal, appeal=appeal, on=received + dt.timedelta(days=21)
    )
    assert appeal.state == AppealState.CLOSED
    actions = list(
        AuditEvent.objects.filter(object_id=str(appeal.pk), object_type="appeals.appeal")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        AppealEvent.RECEIVED,
        AppealEvent.ANSWERED,
        AppealEvent.HEARING_RECORDED,
        AppealEvent.HEARING_RECORDED,
        AppealEvent.DECIDED,
        AppealEvent.CLOSED,
    ]


def test_a_late_answer_is_recorded_as_late(world):
    appeal = register(world)
    services.appeal_answer(actor=world.legal, appeal=appeal, on=TODAY)
    assert _deadline(appeal).state == DeadlineState.LATE


@pytest.mark.parametrize(
    ("kind", "outcome", "corrected", "lost"),
    [
        (AppealKind.RECONSIDERATION, Outcome.REVOKED, True, False),
        (AppealKind.RECONSIDERATION, Outcome.CHANGED, True, False),
        (AppealKind.RECONSIDERATION, Outcome.UPHELD, False, False),
        (AppealKind.RECONSIDERATION, Outcome.WITHDRAWN, False, False),
        (AppealKind.LITIGATION, Outcome.CONFIRMED_ILLEGAL, False, True),
        (AppealKind.LITIGATION, Outcome.ORDERED_TO_ACT, False, True),
        (AppealKind.LITIGATION, Outcome.SETTLED, False, False),
        (AppealKind.LITIGATION, Outcome.SUIT_DISMISSED, False, False),
    ],
)
def test_corrected_and_lost(world, kind, outcome, corrected, lost):
    appeal = register(world, kind=kind)
    appeal = services.appeal_answer(actor=world.legal, appeal=appeal, on=appeal.received_on)
    appeal = services.appeal_decide(actor=world.legal, appeal=appeal, on=TODAY, outcome=outcome)
    assert (appeal.corrected, appeal.lost) == (corrected, lost)


def test_a_corrected_act_closes_only_after_its_follow_up(world):
    appeal = register(world)
    appeal = services.appeal_answer(actor=world.legal, appeal=appeal, on=appeal.received_on)
    appeal = services.appeal_decide(
        actor=world.legal, appeal=appeal, on=TODAY, outcome=Outcome.REVOKED
    )
    with pytest.raises(errors.Conflict) as refused:
        services.appeal_close(actor=world.legal, appeal=appeal, on=TODAY)
    assert refused.value.code == "follow_up_required"
    appeal.refresh_from_db()
    assert appeal.state == AppealState.DECIDED
    with pytest.raises(errors.ValidationFailed) as empty:
        services.appeal_follow_up(actor=world.legal, appeal=appeal, on=TODAY, text=" ")
    assert empty.value.code == "text_required"
    appeal = services.appeal_follow_up(
        actor=world.legal, appeal=appeal, on=TODAY, text="撤销原决定，重新调查后作出决定。"
    )
    assert appeal.followed_up_on == TODAY
    assert services.appeal_close(actor=world.legal, appeal=appeal, on=TODAY).state == "closed"


def test_follow_up_of_an_upheld_act_is_refused(world):
    appeal = register(world)
    appeal = services.appeal_decide(
        actor=world.legal, appeal=appeal, on=TODAY, outcome=Outcome.UPHELD
    )
    with pytest.raises(errors.Conflict) as refused:
        services.appeal_follow_up(actor=world.legal, appeal=appeal, on=TODAY, text="无")
    assert refused.value.code == "nothing_to_follow_up"


def test_decided_before_the_answer_cancels_the_clock(world):
    appeal = register(world)
    services.appeal_decide(actor=world.legal, appeal=appeal, on=TODAY, outcome=Outcome.WITHDRAWN)
    assert _deadline(appeal).state == DeadlineState.CANCELLED


def test_an_outcome_of_the_other_kind_is_refused_and_nothing_written(world):
    appeal = register(world, kind=AppealKind.LITIGATION)
    for outcome in (Outcome.UPHELD, "", "nonsense"):  # 维持 is no judgment of a court
        with pytest.raises(errors.ValidationFailed) as refused:
            services.appeal_decide(actor=world.legal, appeal=appeal, on=TODAY, outcome=outcome)
        assert refused.value.code == "outcome_required"
    appeal.refresh_from_db()
    assert (appeal.state, appeal.outcome, appeal.decided_on) == (AppealState.RECEIVED, "", None)


def test_steps_out_of_order_are_refused(world):
    appeal = register(world)
    with pytest.raises(errors.InvalidTransition):
        services.appeal_record_hearing(
            actor=world.legal, appeal=appeal, held_on=TODAY, attended_by="法制科长"
        )
    services.appeal_answer(actor=world.legal, appeal=appeal, on=TODAY)
    with pytest.raises(errors.InvalidTransition) as twice:
        services.appeal_answer(actor=world.legal, appeal=appeal, on=TODAY)
    assert "审理中" in twice.value.message


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"kind": "appeal"}, "bad_kind"),
        ({"procedure": "fast"}, "bad_procedure"),
        ({"applicant": ""}, "applicant_required"),
        ({"applicant": "某" * 201}, "applicant_too_long"),
        ({"reviewing_body": ""}, "reviewing_body_required"),
        ({"act": ""}, "act_required"),
        ({"lodged_on": None}, "lodged_on_required"),
        ({"received_on": TODAY + dt.timedelta(days=1)}, "date_in_future"),
        ({"received_on": TODAY - dt.timedelta(days=40)}, "date_too_early"),
    ],
)
def test_bad_input_is_refused_and_nothing_written(world, change, code):
    with pytest.raises(errors.ValidationFailed) as refused:
        register(world, **change)
    assert refused.value.code == code
    assert not Appeal.objects.exists()
    assert not Deadline.objects.filter(content_type__model="appeal").exists()


def test_step_dates_before_the_receipt_are_refused(world):
    appeal = register(world)
    with pytest.raises(errors.ValidationFailed) as refused:
        services.appeal_answer(
            actor=world.legal, appeal=appeal, on=appeal.received_on - dt.timedelta(days=1)
        )
    assert refused.value.code == "date_too_early"
    appeal.refresh_from_db()
    assert appeal.state == AppealState.RECEIVED


def test_who_may_handle(world):
    with pytest.raises(errors.PermissionDenied):
        register(world, actor=world.supervisor)  # an inspector has no appeal capability
    with pytest.raises(errors.PermissionDenied):
        register(world, actor=world.viewer)
    with pytest.raises(errors.OutOfScope):
        register(world, actor=world.stranger)
    appeal = register(world)
    with pytest.raises(errors.OutOfScope):
        services.appeal_answer(actor=world.stranger, appeal=appeal, on=TODAY)
    assert not Appeal.objects.filter(state=AppealState.ANSWERED).exists()


# --- a challenged penalty case -----------------------------------------------------------


def _decided_case(world: World):
    """A fine decided and served 60 days ago: the payment period ended 45 days ago."""
    with clock_at(TODAY - dt.timedelta(days=60)):
        case = to_decision(world.cw, file_case(world.cw))
        return case_steps.case_serve(actor=world.cw.handler, case=case, on=case.decided_on)


def test_a_challenged_case_pauses_its_surcharge_while_the_appeal_runs(world):
    case = _decided_case(world)
    lodged = case.decided_on + dt.timedelta(days=5)
    appeal = register(
        world,
        actor=world.head,
        act="",
        penalty_case=case,
        lodged_on=lodged,
        received_on=lodged + dt.timedelta(days=2),
    )
    assert appeal.act.startswith("行政处罚决定")
    challenge = CaseChallenge.objects.get(case=case)
    assert appeal.challenge == challenge
    assert (challenge.kind, challenge.started_on, challenge.ended_on) == (
        "reconsideration",
        lodged,
        None,
    )
    # the legal office answers and records the decision: the institute's case is outside its
    # own scope, the appeal is not
    appeal = services.appeal_answer(actor=world.legal, appeal=appeal, on=appeal.received_on)
    decided = TODAY - dt.timedelta(days=10)
    services.appeal_decide(actor=world.legal, appeal=appeal, on=decided, outcome=Outcome.UPHELD)
    challenge.refresh_from_db()
    assert challenge.ended_on == decided
    assert challenge.result == "行政复议：维持"
    case.refresh_from_db()
    due = payment_due(case)
    assert due is not None and due < decided
    surcharge = surcharge_for(case, TODAY)
    assert surcharge is not None
    # every day from the day after the payment period (or the lodging) to the decision
    assert surcharge.paused_days == (decided - max(lodged, due + dt.timedelta(days=1))).days + 1
    assert surcharge.days == (TODAY - due).days - surcharge.paused_days


def test_one_open_challenge_per_case_and_nothing_half_written(world):
    case = _decided_case(world)
    register(world, actor=world.head, penalty_case=case)
    with pytest.raises(errors.Conflict) as refused:
        register(world, actor=world.head, penalty_case=case, kind=AppealKind.LITIGATION)
    assert refused.value.code == "challenge_open"
    assert Appeal.objects.count() == 1
    assert Deadline.objects.filter(content_type__model="appeal").count() == 1


def test_a_case_lodged_before_its_decision_is_refused(world):
    case = _decided_case(world)
    with pytest.raises(errors.ValidationFailed) as refused:
        register(
            world,
            actor=world.head,
            penalty_case=case,
            lodged_on=case.decided_on - dt.timedelta(days=1),
        )
    assert refused.value.code == "date_before_decision"
    assert not Appeal.objects.exists()
    assert not CaseChallenge.objects.exists()


def test_a_case_of_another_commission_is_refused(world):
    other_case = None
    with clock_at(TODAY - dt.timedelta(days=60)):
        other_case = to_decision(world.cw, file_case(world.cw))
    far = make_world()  # another province's commission
    with pytest.raises(errors.ValidationFailed) as refused:
        register(far, actor=far.head, penalty_case=other_case)
    assert refused.value.code == "case_out_of_reach"


def test_an_undecided_case_cannot_be_challenged(world):
    with clock_at(TODAY - dt.timedelta(days=60)):
        case = file_case(world.cw)
    with pytest.raises(errors.Conflict) as refused:
        register(world, actor=world.head, penalty_case=case)
    assert refused.value.code == "not_challengeable"
    assert not Appeal.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_enforcement_challenge_services_need_the_callers_transaction(world):
    case = _decided_case(world)
    with pytest.raises(RuntimeError):
        case_challenges.case_challenge_open_within(
            actor=world.head, case=case, kind="reconsideration", on=TODAY
        )
    with transaction.atomic():
        challenge = case_challenges.case_challenge_open_within(
            actor=world.head, case=case, kind="reconsideration", on=TODAY
        )
    with pytest.raises(RuntimeError):
        case_challenges.case_challenge_end_within(
            actor=world.head, challenge=challenge, on=TODAY, result="维持"
        )
    with pytest.raises(errors.OutOfScope), transaction.atomic():
        case_challenges.case_challenge_open_within(
            actor=world.stranger, case=case, kind="litigation", on=TODAY
        )


def test_each_kind_names_its_outcome(world):
    suit = register(world, kind=AppealKind.LITIGATION)
    suit = services.appeal_decide(
        actor=world.legal, appeal=suit, on=TODAY, outcome=Outcome.REQUEST_DISMISSED
    )
    assert suit.outcome_label == "驳回诉讼请求"
    recon = register(world)
    recon = services.appeal_decide(
        actor=world.legal, appeal=recon, on=TODAY, outcome=Outcome.WITHDRAWN
    )
    assert recon.outcome_label == "撤回申请（终止）"
    assert _deadline(recon).state == DeadlineState.CANCELLED
