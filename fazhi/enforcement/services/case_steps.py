"""Services: a penalty case from the notice to the archive, and its early ends.

The party's steps (statement, waiver, hearing request) are recorded by the case handlers; the
legal review by a reviewer who did not investigate; the collective deliberation, the decision,
a withdrawal and a transfer by the agency's head. Each is one action of ``PENALTY_CASE``; the
deadlines move with it in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from fazhi.core import audit, errors
from fazhi.core.models import AuditEvent, User
from fazhi.core.roles import Cap
from fazhi.core.services.deadlines import (
    deadlines_cancel_for,
    deadlines_close_for,
)
from fazhi.core.services.numbering import document_number_issue
from fazhi.enforcement.events import CaseEvent
from fazhi.enforcement.models import DECISION_ANNULLED, CaseOutcome, CaseState, PenaltyCase
from fazhi.enforcement.services import case_common as common
from fazhi.enforcement.services import file_review
from fazhi.enforcement.services.cases import (
    DECISION_DOCUMENT,
    DECISION_RULE,
    numbering_organisation,
)
from fazhi.enforcement.signals import decision_effective
from fazhi.enforcement.workflows import PENALTY_CASE, window_end, window_rule

SERVICE_RULE = "penalty.service"
PAYMENT_RULE = "penalty.payment"
PUBLICITY_RULE = "penalty.publicity"
PUBLISHABLE = (CaseState.DECIDED, CaseState.SERVED, CaseState.EXECUTED, CaseState.CLOSED)


def _close_window(actor: User, case: PenaltyCase, on: dt.date) -> None:
    deadlines_close_for(actor=actor, subject=case, rule_key=window_rule(case), on=on)


def case_record_statement(
    *, actor: User, case: PenaltyCase, statement: str, on: dt.date | None = None
) -> PenaltyCase:
    """The party's statement and defence (陈述、申辩, Art. 45), heard and recorded."""
    common.require_case_cap(actor, case, Cap.CASE_HANDLE, CaseEvent.STATEMENT_RECORDED)
    statement = common.text(statement, field="statement", label="陈述申辩意见")
    on = common.day(on, field="on", label="陈述申辩日期", not_before=case.notified_on)
    with transaction.atomic(durable=True):
        return common.move(
            case,
            "record_statement",
            actor=actor,
            ctx={"statement": statement},
            changes={"statement": statement},
            details={"on": on.isoformat()},
            stay=True,
        )


def case_waive_rights(*, actor: User, case: PenaltyCase, on: dt.date | None = None) -> PenaltyCase:
    """The party expressly waives the statement (and hearing): the decision may follow at once."""
    common.require_case_cap(actor, case, Cap.CASE_HANDLE, CaseEvent.RIGHTS_WAIVED)
    on = common.day(on, field="on", label="放弃日期", not_before=case.notified_on)
    with transaction.atomic(durable=True):
        row = common.move(
            case, "waive_rights", actor=actor, changes={"rights_waived_on": on}, stay=True
        )
        _close_window(actor, row, on)
    return row


def case_request_hearing(
    *, actor: User, case: PenaltyCase, on: dt.date | None = None
) -> PenaltyCase:
    """The party asks for a hearing within 5 working days of the notice (Art. 64)."""
    common.require_case_cap(actor, case, Cap.CASE_HANDLE, CaseEvent.HEARING_REQUESTED)
    on = common.day(on, field="on", label="申请听证日期", not_before=case.notified_on)
    with transaction.atomic(durable=True):
        row = common.move(
            case,
            "request_hearing",
            actor=actor,
            ctx={"on": on},
            changes={"hearing_requested_on": on},
        )
        _close_window(actor, row, on)
    return row


def case_schedule_hearing(
    *,
    actor: User,
    case: PenaltyCase,
    hearing_on: dt.date,
    served_on: dt.date | None = None,
) -> PenaltyCase:
    """The hearing notice, served at least 7 working days before the hearing (Art. 64)."""
    common.require_case_cap(actor, case, Cap.CASE_HANDLE, CaseEvent.HEARING_SCHEDULED)
    served_on = common.day(served_on, field="served_on", label="听证通知送达日期")
    with transaction.atomic(durable=True):
        return common.move(
            case,
            "schedule_hearing",
            actor=actor,
            ctx={"served_on": served_on, "hearing_on": hearing_on},
            changes={"hearing_notice_served_on": served_on, "hearing_on": hearing_on},
            details={"hearing_on": hearing_on.isoformat(), "served_on": served_on.isoformat()},
            stay=True,
        )


def case_hold_hearing(*, actor: User, case: PenaltyCase, on: dt.date | None = None) -> PenaltyCase:
    common.require_case_cap(actor, case, Cap.CASE_HANDLE, CaseEvent.HEARING_HELD)
    on = common.day(on, field="on", label="听证举行日期")
    with transaction.atomic(durable=True):
        return common.move(
            case, "hold_hearing", actor=actor, ctx={"on": on}, changes={"hearing_held_on": on}
        )


def case_review(
    *, actor: User, case: PenaltyCase, opinion: str, on: dt.date | None = None
) -> PenaltyCase:
    """The legal review (法制审核, Art. 58) by a reviewer who did not investigate the case; a
    reviewer's first review needs the legal professional qualification."""
    common.require_case_cap(actor, case, Cap.CASE_REVIEW, CaseEvent.REVIEWED)
    opinion = common.text(opinion, field="opinion", label="法制审核意见")
    on = common.day(on, field="on", label="法制审核日期", not_before=case.investigated_on)
    first = not AuditEvent.objects.filter(action=CaseEvent.REVIEWED, actor=actor).exists()
    officer = getattr(actor, "officer", None)
    qualified = bool(officer and officer.has_legal_qualification)
    with transaction.atomic(durable=True):
        return common.move(
            case,
            "review",
            actor=actor,
            ctx={
                "reviewer": actor,
                "first_review": first,
                "qualified": qualified,
                "opinion": opinion,
            },
            changes={
                "legal_reviewer": actor,
                "legal_review_on": on,
                "legal_review_opinion": opinion,
            },
            details={"on": on.isoformat(), "first_review": first},
            stay=True,
        )


def case_deliberate(
    *, actor: User, case: PenaltyCase, summary: str, on: dt.date | None = None
) -> PenaltyCase:
    """The leaders' collective deliberation (集体讨论, Art. 57 para 2)."""
    common.require_case_cap(actor, case, Cap.CASE_DECIDE, CaseEvent.DELIBERATED)
    summary = common.text(summary, field="summary", label="集体讨论意见")
    on = common.day(on, field="on", label="集体讨论日期", not_before=case.investigated_on)
    with transaction.atomic(durable=True):
        return common.move(
            case,
            "deliberate",
            actor=actor,
            ctx={"summary": summary},
            changes={"deliberated_on": on, "deliberation_summary": summary},
            details={"on": on.isoformat()},
            stay=True,
        )


def case_decide(
    *,
    actor: User,
    case: PenaltyCase,
    outcome: str,
    fine: Any = None,
    confiscation: Any = None,
    on: dt.date | None = None,
) -> PenaltyCase:
    """The decision (Art. 57): a penalty no heavier than the notice proposed (Art. 45), or one
    of the outcomes without a penalty; numbered in the same transaction. Closes the decision
    period; opens the service period and, for a penalty, the publicity period."""
    common.require_case_cap(actor, case, Cap.CASE_DECIDE, CaseEvent.DECIDED)
    if not PENALTY_CASE.allows(case, "decide"):  # no decision before the notice: say so first
        raise PENALTY_CASE.refuse(case, PENALTY_CASE.action("decide"))
    if outcome not in CaseOutcome.values:
        raise errors.ValidationFailed("未知的处理结果。", code="unknown_outcome", field="outcome")
    fine_amount = common.money(fine, field="fine", label="罚款金额")
    confiscated = common.money(confiscation, field="confiscation", label="没收金额")
    if outcome == CaseOutcome.PENALTY:
        common.check_not_heavier(
            case,
            fine_amount,
            confiscated,
            why="，不得因当事人陈述申辩加重处罚（行政处罚法第四十五条）。",
        )
    elif fine_amount or confiscated:
        raise errors.ValidationFailed(
            "不予处罚的决定不能有罚没金额。", code="amount_without_penalty"
        )
    on = common.day(on, field="on", label="决定日期", not_before=case.notified_on)
    with transaction.atomic(durable=True):
        row = common.move(
            case,
            "decide",
            actor=actor,
            ctx={"on": on, "outcome": outcome},
            changes={
                "outcome": outcome,
                "fine": fine_amount if outcome == CaseOutcome.PENALTY else None,
                "confiscation": confiscated if outcome == CaseOutcome.PENALTY else None,
                "decided_on": on,
                "decided_by": actor,
            },
            details={
                "outcome": outcome,
                "fine": str(fine_amount) if fine_amount is not None else None,
                "confiscation": str(confiscated) if confiscated is not None else None,
            },
        )
        row.decision_number = document_number_issue(
            actor=actor,
            organisation=numbering_organisation(row.organisation),
            type_key=DECISION_DOCUMENT,
            subject=row,
        )
        row.save(update_fields=["decision_number"])
        deadlines_close_for(actor=actor, subject=row, rule_key=DECISION_RULE, on=on)
        if row.notified_on is not None:  # a window that ran out was met on its last day
            _close_window(actor, row, min(on, window_end(row)))
        _attach(actor, row, SERVICE_RULE, "送达处理决定书", on)
        if outcome == CaseOutcome.PENALTY:
            _attach(actor, row, PUBLICITY_RULE, "公示行政处罚决定", on)
    return row


_attach = common.attach


def case_serve(*, actor: User, case: PenaltyCase, on: dt.date | None = None) -> PenaltyCase:
    """The decision served (Art. 61): closes the service period; a fine's payment period (15
    days, Art. 67) starts from the day of service."""
    common.require_case_cap(actor, case, Cap.CASE_HANDLE, CaseEvent.SERVED)
    on = common.day(on, field="on", label="送达日期")
    with transaction.atomic(durable=True):
        row = common.move(case, "serve", actor=actor, ctx={"on": on}, changes={"served_on": on})
        deadlines_close_for(actor=actor, subject=row, rule_key=SERVICE_RULE, on=on)
        if row.outcome == CaseOutcome.PENALTY and (row.fine or row.confiscation):
            _attach(actor, row, PAYMENT_RULE, "缴纳罚没款", on)
        if row.outcome == CaseOutcome.PENALTY:
            decision_effective.send(sender=PenaltyCase, actor=actor, case=row)
    return row


def case_publish(*, actor: User, case: PenaltyCase, on: dt.date | None = None) -> PenaltyCase:
    """The decision published (双公示): closes the publicity period and puts it on the portal's
    list of penalty decisions. Not a state change."""
    common.require_case_cap(actor, case, Cap.CASE_HANDLE, CaseEvent.PUBLISHED)
    on = common.day(on, field="on", label="公示日期", not_before=case.decided_on)
    with transaction.atomic(durable=True):
        row = PENALTY_CASE.lock(case)
        if (
            row.outcome != CaseOutcome.PENALTY
            or row.state not in PUBLISHABLE
            or row.decision_altered in DECISION_ANNULLED
        ):
            raise errors.Conflict("该案件没有待公示的处罚决定。", code="nothing_to_publish")
        closed = deadlines_close_for(actor=actor, subject=row, rule_key=PUBLICITY_RULE, on=on)
        if not closed or row.published_on is not None:
            raise errors.Conflict("该处罚决定已公示。", code="already_published")
        row.published_on = on  # the portal shows it from now on (decision 0082)
        row.save(update_fields=["published_on"])
        audit.append(
            actor=actor, action=CaseEvent.PUBLISHED, obj=row, details={"on": on.isoformat()}
        )
    return row


def case_execute(
    *, actor: User, case: PenaltyCase, paid_amount: Any, on: dt.date | None = None
) -> PenaltyCase:
    """The fine and confiscation paid in full (执行完毕), with the late surcharge owed on the
    day of payment (3% a day of the fine, capped at the fine, paused during a challenge):
    closes the payment period."""
    from fazhi.enforcement.services.case_execution import surcharge_for

    common.require_case_cap(actor, case, Cap.CASE_HANDLE, CaseEvent.EXECUTED)
    paid = common.money(paid_amount, field="paid_amount", label="实缴金额")
    on = common.day(on, field="on", label="执行完毕日期", not_before=case.served_on)
    surcharge = surcharge_for(case, on)
    extra = surcharge.amount if surcharge is not None else Decimal("0.00")
    due = (case.fine or 0) + (case.confiscation or 0) + extra
    if paid is None or paid < due:
        owed = f"（含加处罚款{extra:,.2f}元，{surcharge.citation}）" if surcharge and extra else ""
        raise errors.ValidationFailed(
            f"实缴金额不足应缴的{due:,.2f}元{owed}。", code="underpaid", field="paid_amount"
        )
    with transaction.atomic(durable=True):
        row = common.move(
            case,
            "execute",
            actor=actor,
            changes={"executed_on": on, "paid_amount": paid, "late_surcharge": extra or None},
            details={"paid_amount": str(paid), "late_surcharge": str(extra)},
        )
        deadlines_close_for(actor=actor, subject=row, rule_key=PAYMENT_RULE, on=on)
        from fazhi.enforcement.services.execution_court import payment_after_demand

        payment_after_demand(actor=actor, case=row)
    return row


def case_close(*, actor: User, case: PenaltyCase, on: dt.date | None = None) -> PenaltyCase:
    common.require_case_cap(actor, case, Cap.CASE_HANDLE, CaseEvent.CLOSED)
    on = common.day(on, field="on", label="结案日期", not_before=case.served_on)
    with transaction.atomic(durable=True):
        row = common.move(case, "close", actor=actor, changes={"closed_on": on})
        file_review.case_file_check_record(row)  # the automatic pre-check (decision 0069)
        return row


def case_archive(*, actor: User, case: PenaltyCase, on: dt.date | None = None) -> PenaltyCase:
    """The file archived once complete (the completeness check names what is missing)."""
    common.require_case_cap(actor, case, Cap.CASE_HANDLE, CaseEvent.ARCHIVED)
    on = common.day(on, field="on", label="归档日期", not_before=case.closed_on)
    with transaction.atomic(durable=True):
        return common.move(case, "archive", actor=actor, changes={"archived_on": on})


def case_withdraw(*, actor: User, case: PenaltyCase, reason: str) -> PenaltyCase:
    """撤销立案: every pending deadline of the case is cancelled."""
    common.require_case_cap(actor, case, Cap.CASE_DECIDE, CaseEvent.WITHDRAWN)
    reason = common.text(reason, field="reason", label="理由", max_length=common.REASON_MAX)
    with transaction.atomic(durable=True):
        row = common.move(
            case,
            "withdraw",
            actor=actor,
            ctx={"reason": reason},
            changes={"end_reason": reason},
            details={"reason": reason},
        )
        deadlines_cancel_for(actor=actor, subject=row, reason=f"撤销立案：{reason}"[:200])
    return row


def case_transfer(*, actor: User, case: PenaltyCase, to: str, reason: str) -> PenaltyCase:
    """移送 to another agency (no jurisdiction, or a crime suspected: Art. 27, 57(4))."""
    common.require_case_cap(actor, case, Cap.CASE_DECIDE, CaseEvent.TRANSFERRED)
    reason = common.text(reason, field="reason", label="理由", max_length=common.REASON_MAX)
    to = common.text(to, field="to", label="接收机关", max_length=200)
    with transaction.atomic(durable=True):
        row = common.move(
            case,
            "transfer",
            actor=actor,
            ctx={"reason": reason, "to": to},
            changes={"end_reason": reason, "transferred_to": to},
            details={"reason": reason, "to": to},
        )
        deadlines_cancel_for(actor=actor, subject=row, reason=f"移送{to}"[:200])
    return row
