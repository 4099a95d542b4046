"""Services: a penalty decision changed or revoked after it was made, and the withdrawal of its
publication (行政处罚法 第四十八条第二款, decision 0082).

A decision stops standing as made either by the agency's own correction (``case_decision_change``
/ ``case_decision_revoke``: a reason and the head's capability, each its own transaction) or by a
reconsideration decision or judgment (``case_decision_alter_within``, called by the ``appeals``
app inside its own transaction, like ``case_challenges``). Either way, in that transaction:

- a published decision gets the ``penalty.publicity_withdraw`` deadline (3 working days), which
  ``case_publicity_withdraw`` closes; from then on the portal no longer shows it;
- a decision revoked or confirmed void ends its pending obligations (service, payment, publicity);
- a decision revoked, confirmed illegal or void sends ``decision_revoked`` (the credit app
  withdraws the credit record and the black-list entry that rested on it).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from fazhi.core import audit, errors
from fazhi.core.models import Deadline, User
from fazhi.core.roles import Cap
from fazhi.core.services.deadlines import (
    deadline_attach,
    deadlines_cancel_for,
    deadlines_close_for,
)
from fazhi.enforcement.events import CaseEvent
from fazhi.enforcement.models import (
    DECISION_ANNULLED,
    CaseOutcome,
    DecisionAlteration,
    PenaltyCase,
)
from fazhi.enforcement.services import case_common as common
from fazhi.enforcement.signals import decision_revoked
from fazhi.enforcement.workflows import PENALTY_CASE

WITHDRAW_RULE = "penalty.publicity_withdraw"
# the decision is gone: nothing is left to serve, collect or publish
ENDS_OBLIGATIONS = (DecisionAlteration.REVOKED, DecisionAlteration.CONFIRMED_VOID)


def _action(alteration: str) -> str:
    return "change_decision" if alteration == DecisionAlteration.CHANGED else "revoke_decision"


def decision_alterable(case: PenaltyCase, alteration: str) -> bool:
    """Whether an outcome ``alteration`` (another app's word for it: 变更, 撤销, 确认违法, 确认
    无效) touches ``case``: a penalty decision that still stands."""
    return (
        alteration in DecisionAlteration.values
        and case.outcome == CaseOutcome.PENALTY
        and case.decision_altered not in DECISION_ANNULLED
        and PENALTY_CASE.allows(case, _action(alteration))
    )


def _withdrawal_due(case: PenaltyCase) -> bool:
    """A withdrawal already running (a decision changed, then revoked): one is enough."""
    return Deadline.objects.filter(
        content_type=ContentType.objects.get_for_model(PenaltyCase),
        object_id=str(case.pk),
        rule_key=WITHDRAW_RULE,
    ).exists()


def case_decision_change(
    *, actor: User, case: PenaltyCase, reason: str, on: dt.date | None = None
) -> PenaltyCase:
    """The agency corrects its own decision (变更处罚决定), with the reason."""
    common.require_case_cap(actor, case, Cap.CASE_DECIDE, CaseEvent.DECISION_CHANGED)
    on = common.day(on, field="on", label="变更日期")
    with transaction.atomic(durable=True):
        return case_decision_alter_within(
            actor=actor, case=case, alteration=DecisionAlteration.CHANGED, reason=reason, on=on
        )


def case_decision_revoke(
    *, actor: User, case: PenaltyCase, reason: str, on: dt.date | None = None
) -> PenaltyCase:
    """The agency revokes its own decision (撤销处罚决定), with the reason."""
    common.require_case_cap(actor, case, Cap.CASE_DECIDE, CaseEvent.DECISION_REVOKED)
    on = common.day(on, field="on", label="撤销日期")
    with transaction.atomic(durable=True):
        return case_decision_alter_within(
            actor=actor, case=case, alteration=DecisionAlteration.REVOKED, reason=reason, on=on
        )


def case_decision_alter_within(
    *, actor: User, case: PenaltyCase, alteration: str, reason: str, on: dt.date
) -> PenaltyCase:
    """Inside the caller's transaction (``RuntimeError`` outside one): ``case``'s decision was
    changed, revoked, confirmed illegal or void on ``on`` for ``reason``. No scope check of its
    own when called by another app: the caller's record (an appeal against this decision) is
    what the actor was allowed to change, as in ``case_challenge_end_within``."""
    if not connection.in_atomic_block:
        raise RuntimeError("case_decision_alter_within must run inside the caller's transaction")
    if alteration not in DecisionAlteration.values:
        raise errors.ValidationFailed(
            "未知的变更（撤销）方式。", code="unknown_alteration", field="alteration"
        )
    reason = common.text(reason, field="reason", label="理由", max_length=common.REASON_MAX)
    row = common.move(
        case,
        _action(alteration),
        actor=actor,
        ctx={"reason": reason, "on": on},
        changes={
            "decision_altered": alteration,
            "decision_altered_on": on,
            "decision_altered_reason": reason,
        },
        details={"alteration": alteration, "on": on.isoformat(), "reason": reason},
        stay=True,
    )
    if alteration in ENDS_OBLIGATIONS:
        label = DecisionAlteration(alteration).label
        deadlines_cancel_for(actor=actor, subject=row, reason=f"处罚决定被{label}：{reason}"[:200])
    if (
        row.published_on is not None
        and row.publicity_withdrawn_on is None
        and not _withdrawal_due(row)
    ):
        deadline_attach(
            actor=actor,
            organisation=row.organisation,
            title=common.title(row, "撤回处罚决定公示"),
            rule_key=WITHDRAW_RULE,
            start_date=on,
            subject=row,
            assignee=row.handler,
        )
    if alteration in DECISION_ANNULLED:
        decision_revoked.send(sender=PenaltyCase, actor=actor, case=row, reason=reason, on=on)
    return row


def case_publicity_withdraw(
    *, actor: User, case: PenaltyCase, on: dt.date | None = None
) -> PenaltyCase:
    """The published decision taken off the portal after it was changed or revoked (撤回公示):
    closes the withdrawal deadline. Not a state change."""
    common.require_case_cap(actor, case, Cap.CASE_HANDLE, CaseEvent.PUBLICITY_WITHDRAWN)
    on = common.day(on, field="on", label="撤回日期", not_before=case.decision_altered_on)
    with transaction.atomic(durable=True):
        row = PENALTY_CASE.lock(case)
        if not row.decision_altered or row.published_on is None:
            raise errors.Conflict(
                "只有已公示且被变更、撤销的处罚决定需要撤回公示。", code="nothing_to_withdraw"
            )
        if row.publicity_withdrawn_on is not None:
            raise errors.Conflict("该处罚决定的公示已撤回。", code="already_withdrawn")
        row.publicity_withdrawn_on = on
        row.save(update_fields=["publicity_withdrawn_on"])
        deadlines_close_for(actor=actor, subject=row, rule_key=WITHDRAW_RULE, on=on)
        audit.append(
            actor=actor,
            action=CaseEvent.PUBLICITY_WITHDRAWN,
            obj=row,
            details={"on": on.isoformat(), "reason": row.decision_altered_reason},
        )
    return row
