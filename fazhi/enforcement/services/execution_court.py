"""Services: the court enforcement of a fine left unpaid (行政强制法 Arts. 35, 53, 54; 行政处罚法
Art. 72 para 1 (4)). A demand notice (催告书) once the payment is overdue; ten working days after
its service, and once the periods to seek reconsideration (60 days) and to sue (6 months) have
passed with no challenge running, the head applies to the court, within three months of the
end of those periods (of the approved deferral or instalments, Art. 72 para 2) — a deadline
opened with the demand. The court's ruling is recorded; its enforcement executes the case, a
refusal lets the case close without it (decision 0064)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from fazhi.core import audit, errors, workflow
from fazhi.core.models import DocumentType, User
from fazhi.core.periods import compute_due
from fazhi.core.roles import Cap
from fazhi.core.services.deadlines import (
    deadline_attach,
    deadlines_cancel_for,
    deadlines_close_for,
)
from fazhi.core.services.numbering import document_number_issue
from fazhi.enforcement.execution_events import CourtEnforcementEvent
from fazhi.enforcement.execution_models import (
    ArrangementState,
    CourtEnforcement,
    CourtEnforcementState,
)
from fazhi.enforcement.execution_workflows import COURT_ENFORCEMENT
from fazhi.enforcement.models import CaseOutcome, CaseState, PenaltyCase
from fazhi.enforcement.services import case_common as common
from fazhi.enforcement.services import execution_payments
from fazhi.enforcement.services.case_execution import payment_due, surcharge_for
from fazhi.enforcement.services.cases import numbering_organisation
from fazhi.enforcement.workflows import PENALTY_CASE

APPLICATION_RULE = "penalty.court_application"
DEMAND_DOCUMENT = "demand_notice"  # the agency's document type for 催告书, when it keeps one
DEMAND_RULE = "penalty.demand_wait"
RECONSIDERATION_RULE = "penalty.reconsideration_window"
LITIGATION_RULE = "penalty.litigation_window"
PAYMENT_RULE = "penalty.payment"


def challenge_periods_end(case: PenaltyCase) -> dt.date:
    """The last day on which the party could still seek reconsideration or sue (from service),
    or the end of an approved deferral or instalment plan when later (Art. 72 para 2)."""
    assert case.served_on is not None
    province = case.organisation.province_code()
    ends = [
        compute_due(rule, case.served_on, province=province, provisional=True).due
        for rule in (RECONSIDERATION_RULE, LITIGATION_RULE)
    ]
    arrangement = execution_payments.arrangement_of(
        case, ArrangementState.APPROVED, ArrangementState.COMPLETED
    )
    if arrangement is not None:
        ends.extend(i.due_on for i in arrangement.instalments.all())
    return max(ends)


def application_due(case: PenaltyCase) -> dt.date:
    start = challenge_periods_end(case)
    province = case.organisation.province_code()
    return compute_due(APPLICATION_RULE, start, province=province, provisional=True).due


def _overdue(case: PenaltyCase, on: dt.date) -> bool:
    arrangement = execution_payments.arrangement_of(case, ArrangementState.APPROVED)
    if arrangement is not None:
        return any(i.paid_on is None and i.due_on < on for i in arrangement.instalments.all())
    due = payment_due(case)
    return due is not None and on > due


def outstanding(case: PenaltyCase, on: dt.date) -> Decimal:
    """What the party still owes on ``on``: the fine and confiscation not yet paid under an
    arrangement, and the late surcharge."""
    zero = Decimal("0.00")
    confiscation = case.confiscation or zero
    owed = (case.fine or zero) + confiscation
    arrangement = execution_payments.arrangement_of(case, ArrangementState.APPROVED)
    if arrangement is not None:
        for i in arrangement.instalments.all():
            if i.paid_on is not None:
                owed -= Decimal(i.amount) + (confiscation if i.number == 1 else zero)
    surcharge = surcharge_for(case, on)
    paid_surcharge = Decimal("0.00")
    if arrangement is not None:
        paid_surcharge = sum(
            (i.surcharge or zero for i in arrangement.instalments.all()), Decimal("0.00")
        )
    extra = (surcharge.amount if surcharge else Decimal("0.00")) - paid_surcharge
    return Decimal(owed + extra).quantize(Decimal("0.01"))


def _enforcement(case: PenaltyCase) -> CourtEnforcement:
    found = CourtEnforcement.objects.filter(case=case).first()
    if found is None:
        raise errors.Conflict("本案尚未送达催告书。", code="no_demand")
    return found


def _demand_number(actor: User, case: PenaltyCase) -> str:
    """The 催告书's number, issued with the demand (linked to the case, as its documents read
    their numbers) when the agency keeps that series; otherwise none (the notice keeps a blank
    for the pen, and the record says it is unnumbered)."""
    organisation = numbering_organisation(case.organisation)
    if not DocumentType.objects.filter(organisation=organisation, key=DEMAND_DOCUMENT).exists():
        return ""
    return document_number_issue(
        actor=actor, organisation=organisation, type_key=DEMAND_DOCUMENT, subject=case
    )


def court_demand(*, actor: User, case: PenaltyCase, on: dt.date | None = None) -> CourtEnforcement:
    """The demand notice served (催告, 行政强制法 Art. 35): the payment is overdue; opens the
    deadline to apply to the court."""
    common.require_case_cap(actor, case, Cap.CASE_HANDLE, CourtEnforcementEvent.DEMANDED)
    on = common.day(on, field="on", label="催告书送达日期", not_before=case.served_on)
    with transaction.atomic(durable=True):
        row = PENALTY_CASE.lock(case)
        if (
            row.state != CaseState.SERVED
            or row.outcome != CaseOutcome.PENALTY
            or not (row.fine or row.confiscation)
        ):
            raise errors.Conflict(
                "只有已送达、尚未执行完毕的罚没款决定可以催告。", code="nothing_to_demand"
            )
        if CourtEnforcement.objects.filter(case=row).exists():
            raise errors.Conflict("本案已送达催告书。", code="already_demanded")
        if not _overdue(row, on):
            raise errors.Conflict(
                "当事人的缴纳期限尚未届满，不能催告。", code="payment_not_overdue"
            )
        amount = outstanding(row, on)
        enforcement = CourtEnforcement.objects.create(
            case=row,
            state=CourtEnforcementState.DEMANDED,
            demand_served_on=on,
            demanded_amount=amount,
            demand_number=_demand_number(actor, row),
        )
        audit.append(
            actor=actor,
            action=CourtEnforcementEvent.DEMANDED,
            obj=enforcement,
            details={
                "case_id": row.pk,
                "on": on.isoformat(),
                "amount": str(amount),
                "demand_number": enforcement.demand_number,
            },
        )
        deadline_attach(
            actor=actor,
            organisation=row.organisation,
            title=common.title(row, "申请人民法院强制执行"),
            rule_key=APPLICATION_RULE,
            start_date=challenge_periods_end(row),
            subject=enforcement,
            assignee=row.handler,
        )
    return enforcement


def court_apply(
    *, actor: User, case: PenaltyCase, court: str, on: dt.date | None = None
) -> CourtEnforcement:
    """The head applies to the court (行政强制法 Arts. 53, 54); the table's guards say when."""
    common.require_case_cap(actor, case, Cap.CASE_DECIDE, CourtEnforcementEvent.APPLIED)
    court = common.text(court, field="court", label="受理法院", max_length=200)
    with transaction.atomic(durable=True):
        row = PENALTY_CASE.lock(case)
        enforcement = _enforcement(row)
        on = common.day(on, field="on", label="申请日期", not_before=enforcement.demand_served_on)
        if row.state != CaseState.SERVED:
            raise errors.Conflict("案件已执行完毕，无须申请强制执行。", code="already_executed")
        ctx = {
            "on": on,
            "court": court,
            "demand_wait_ends": compute_due(
                DEMAND_RULE,
                enforcement.demand_served_on,
                province=row.organisation.province_code(),
                provisional=True,
            ).due,
            "challenge_periods_end": challenge_periods_end(row),
            "open_challenge": row.challenges.filter(ended_on__isnull=True).exists(),
            "application_due": application_due(row),
        }
        enforcement = workflow.transition(
            COURT_ENFORCEMENT,
            enforcement,
            "apply",
            actor=actor,
            ctx=ctx,
            changes={"applied_on": on, "court": court},
            details={
                "case_id": row.pk,
                "court": court,
                "on": on.isoformat(),
                # the application cites the demand it follows (行政强制法 Art. 54)
                "demand": enforcement.demand_citation,
                "demand_number": enforcement.demand_number,
                "demand_served_on": enforcement.demand_served_on.isoformat(),
            },
        )
        deadlines_close_for(actor=actor, subject=enforcement, rule_key=APPLICATION_RULE, on=on)
    return enforcement


def court_ruling(
    *, actor: User, case: PenaltyCase, accepted: bool, note: str = "", on: dt.date | None = None
) -> CourtEnforcement:
    """The court's ruling: enforcement granted (准予执行) or refused (不予执行, with why)."""
    event = CourtEnforcementEvent.ACCEPTED if accepted else CourtEnforcementEvent.REFUSED
    common.require_case_cap(actor, case, Cap.CASE_HANDLE, event)
    note = common.text(note, field="note", label="裁定内容", max_length=500)
    with transaction.atomic(durable=True):
        PENALTY_CASE.lock(case)
        enforcement = _enforcement(case)
        on = common.day(on, field="on", label="裁定日期", not_before=enforcement.applied_on)
        return workflow.transition(
            COURT_ENFORCEMENT,
            enforcement,
            "accept" if accepted else "refuse",
            actor=actor,
            ctx={"note": note},
            changes={"ruling_on": on, "ruling_note": note},
            details={"case_id": case.pk, "on": on.isoformat(), "note": note},
        )


def court_enforced(
    *, actor: User, case: PenaltyCase, amount: Any, on: dt.date | None = None
) -> CourtEnforcement:
    """The court enforced the decision: the amount recovered is recorded and the case is
    executed (the case then closes as usual)."""
    common.require_case_cap(actor, case, Cap.CASE_HANDLE, CourtEnforcementEvent.ENFORCED)
    recovered = common.money(amount, field="amount", label="执行到位金额")
    if not recovered:
        raise errors.ValidationFailed(
            "请填写大于零的执行到位金额。", code="bad_amount", field="amount"
        )
    with transaction.atomic(durable=True):
        row = PENALTY_CASE.lock(case)
        enforcement = _enforcement(row)
        on = common.day(on, field="on", label="执行完毕日期", not_before=enforcement.ruling_on)
        enforcement = workflow.transition(
            COURT_ENFORCEMENT,
            enforcement,
            "enforce",
            actor=actor,
            changes={"enforced_on": on, "recovered_amount": recovered},
            details={"case_id": row.pk, "amount": str(recovered), "on": on.isoformat()},
        )
        common.move(
            row,
            "execute",
            actor=actor,
            ctx={"via": "court"},
            changes={"executed_on": on, "paid_amount": recovered},
            details={"paid_amount": str(recovered), "court": True},
        )
        deadlines_close_for(actor=actor, subject=row, rule_key=PAYMENT_RULE, on=on)
    return enforcement


def payment_after_demand(*, actor: User, case: PenaltyCase) -> None:
    """Inside ``case_execute``'s transaction: the party paid after the demand, so the deadline
    to apply to the court is cancelled (the demand stays on record)."""
    found = CourtEnforcement.objects.filter(case=case, state=CourtEnforcementState.DEMANDED).first()
    if found is not None:
        deadlines_cancel_for(actor=actor, subject=found, reason="催告后当事人已履行缴纳义务")
