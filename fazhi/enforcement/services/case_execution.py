"""Services: after the decision. A reconsideration or a lawsuit lodged and ended (the late
surcharge pauses meanwhile; the decision is still executed, Art. 73 para 1), and the surcharge
owed on a given day (``surcharge_for``, used by ``case_steps.case_execute``)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from fazhi.core import audit, errors
from fazhi.core.models import User
from fazhi.core.periods import compute_due
from fazhi.core.roles import Cap
from fazhi.enforcement import execution
from fazhi.enforcement.events import CaseEvent
from fazhi.enforcement.models import (
    CaseChallenge,
    CaseOutcome,
    CaseState,
    ChallengeKind,
    PenaltyCase,
)
from fazhi.enforcement.services import case_common as common
from fazhi.enforcement.workflows import PENALTY_CASE

PAYMENT_RULE = "penalty.payment"


def payment_due(case: PenaltyCase) -> dt.date | None:
    """The last day of the payment period (15 days from service, rolled off a holiday)."""
    if case.served_on is None or case.outcome != CaseOutcome.PENALTY or not case.fine:
        return None
    province = case.organisation.province_code()
    return compute_due(PAYMENT_RULE, case.served_on, province=province, provisional=True).due


def surcharge_for(case: PenaltyCase, until: dt.date) -> execution.Surcharge | None:
    due = payment_due(case)
    if due is None or case.fine is None:
        return None
    from fazhi.enforcement.execution_models import ArrangementState
    from fazhi.enforcement.services import execution_payments

    arrangement = execution_payments.arrangement_of(
        case, ArrangementState.APPROVED, ArrangementState.COMPLETED
    )
    if arrangement is not None:  # the schedule replaces the payment period (decision 0063)
        return execution_payments.arrangement_surcharge(case, arrangement, until)
    pauses = [(c.started_on, c.ended_on) for c in case.challenges.all()]
    return execution.late_surcharge(
        fine=case.fine,
        payment_due=due,
        until=until,
        pauses=pauses,
        province=case.organisation.province_code(),
    )


def case_challenge_start(
    *, actor: User, case: PenaltyCase, kind: str, on: dt.date | None = None
) -> CaseChallenge:
    """The party lodged a reconsideration or a lawsuit against the decision."""
    common.require_case_cap(actor, case, Cap.CASE_HANDLE, CaseEvent.CHALLENGED)
    if kind not in ChallengeKind.values:
        raise errors.ValidationFailed("未知的救济类型。", code="unknown_challenge", field="kind")
    on = common.day(on, field="on", label="申请日期", not_before=case.decided_on)
    with transaction.atomic(durable=True):
        row = PENALTY_CASE.lock(case)
        if row.state not in (CaseState.DECIDED, CaseState.SERVED):
            raise errors.InvalidTransition(
                f"行政处罚案件当前状态为“{row.get_state_display()}”，不能登记复议或诉讼。",
                code="not_challengeable",
            )
        if row.challenges.filter(ended_on__isnull=True).exists():
            raise errors.Conflict("已有未结束的复议或诉讼。", code="challenge_open")
        challenge = CaseChallenge.objects.create(case=row, kind=kind, started_on=on)
        audit.append(
            actor=actor,
            action=CaseEvent.CHALLENGED,
            obj=row,
            details={"kind": kind, "on": on.isoformat()},
        )
    return challenge


def case_challenge_end(
    *, actor: User, case: PenaltyCase, result: str, on: dt.date | None = None
) -> CaseChallenge:
    common.require_case_cap(actor, case, Cap.CASE_HANDLE, CaseEvent.CHALLENGE_ENDED)
    result = common.text(result, field="result", label="结果", max_length=200)
    if not result:
        raise errors.ValidationFailed("请填写复议或诉讼结果。", code="result_required")
    with transaction.atomic(durable=True):
        row = PENALTY_CASE.lock(case)
        challenge = row.challenges.select_for_update().filter(ended_on__isnull=True).first()
        if challenge is None:
            raise errors.Conflict("没有未结束的复议或诉讼。", code="no_open_challenge")
        on = common.day(on, field="on", label="结束日期", not_before=challenge.started_on)
        challenge.ended_on, challenge.result = on, result
        challenge.save(update_fields=["ended_on", "result"])
        audit.append(
            actor=actor,
            action=CaseEvent.CHALLENGE_ENDED,
            obj=row,
            details={"on": on.isoformat(), "result": result},
        )
    return challenge
