"""Services: a penalty decision changed or revoked after it was made, and the withdrawal of its
publication (行政处罚法 第四十八条第二款, decision 0082).

A decision stops standing as made either by the agency's own correction (``case_decision_change``
/ ``case_decision_revoke``: a reason and the head's capability, each its own transaction) or by a
reconsideration decision or judgment (``case_decision_alter_within``, called by the ``appeals``
app inside its own transaction, like ``case_challenges``). Either way, in that transaction:

- a published decision gets the ``penalty.publicity_withdraw`` deadline (3 working days), which
  ``case_publicity_withdraw`` closes; from then on the portal no longer shows it;
- a decision revoked or confirmed void ends its pending obligations (service, payment, publicity);
  a published decision confirmed illegal loses its pending republication (decision 0092);
- a decision revoked, confirmed illegal or void sends ``decision_revoked`` (the credit app
  withdraws the credit record and the black-list entry that rested on it).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from fazhi.core import audit, errors
from fazhi.core.models import Deadline, User
from fazhi.core.models.deadlines import DeadlineState
from fazhi.core.roles import Cap
from fazhi.core.services.deadlines import deadlines_cancel_for, deadlines_close_for
from fazhi.enforcement.events import CaseEvent
from fazhi.enforcement.models import (
    DECISION_ANNULLED,
    CaseOutcome,
    DecisionAlteration,
    PenaltyCase,
)
from fazhi.enforcement.services import case_common as common
from fazhi.enforcement.services.case_change_content import (
    NewContent,
    change_record,
    content_of,
    new_content_clean,
)
from fazhi.enforcement.signals import decision_revoked
from fazhi.enforcement.workflows import PENALTY_CASE

WITHDRAW_RULE = "penalty.publicity_withdraw"
PUBLICITY_RULE = "penalty.publicity"  # the first publication's period, opened again on a change
PENDING = (
    DeadlineState.OPEN,
    DeadlineState.OVERDUE,
    DeadlineState.STOPPED,
    DeadlineState.CALENDAR_UNKNOWN,
)
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


def _running_since(case: PenaltyCase, rule_key: str) -> dt.date | None:
    """The start of ``case``'s deadline under ``rule_key`` still running, if any."""
    return (
        Deadline.objects.filter(
            content_type=ContentType.objects.get_for_model(PenaltyCase),
            object_id=str(case.pk),
            rule_key=rule_key,
            state__in=PENDING,
            met_on__isnull=True,
        )
        .values_list("start_date", flat=True)
        .first()
    )


def _pending(case: PenaltyCase, rule_key: str) -> bool:
    return _running_since(case, rule_key) is not None


def _withdrawal_due(case: PenaltyCase) -> bool:
    """A withdrawal already running (a decision changed, then revoked): one is enough."""
    return _pending(case, WITHDRAW_RULE)


def original_on_portal(case: PenaltyCase) -> bool:
    return case.published_on is not None and case.publicity_withdrawn_on is None


def republication_on_portal(case: PenaltyCase) -> bool:
    return case.republished_on is not None and case.republication_withdrawn_on is None


def withdrawal_offered(case: PenaltyCase) -> bool:
    """Whether the page offers 撤回处罚决定公示: the first publication of an altered decision, or
    the republished one altered again (its withdrawal deadline running)."""
    if original_on_portal(case):
        return bool(case.decision_altered)
    return republication_on_portal(case) and _withdrawal_due(case)


def republication_offered(case: PenaltyCase) -> bool:
    """Whether the page offers 公示变更后的处罚决定 (decision 0085): a changed decision whose
    earlier publication was withdrawn and which is not on the portal now."""
    return (
        case.decision_altered == DecisionAlteration.CHANGED
        and case.published_on is not None
        and case.publicity_withdrawn_on is not None
        and not republication_on_portal(case)
    )


def case_decision_change(
    *,
    actor: User,
    case: PenaltyCase,
    reason: str,
    kinds: Any,
    fine: Any = None,
    confiscation: Any = None,
    item: Any = None,
    violated: str = "",
    penalty: str = "",
    provisions_reason: str = "",
    on: dt.date | None = None,
) -> PenaltyCase:
    """The agency corrects its own decision (变更处罚决定): the new penalty (kinds, exact
    amounts, provisions as ``case_provisions_set`` takes them; ``item`` read in the actor's
    scope) and the reason; a 变更决定书 numbered in the same transaction (decision 0092)."""
    common.require_case_cap(actor, case, Cap.CASE_DECIDE, CaseEvent.DECISION_CHANGED)
    content = new_content_clean(
        case,
        kinds=kinds,
        fine=fine,
        confiscation=confiscation,
        item=item,
        violated=violated,
        penalty=penalty,
        provisions_reason=provisions_reason,
    )
    on = common.day(on, field="on", label="变更日期")
    with transaction.atomic(durable=True):
        return case_decision_alter_within(
            actor=actor,
            case=case,
            alteration=DecisionAlteration.CHANGED,
            reason=reason,
            on=on,
            content=content,
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
    *,
    actor: User,
    case: PenaltyCase,
    alteration: str,
    reason: str,
    on: dt.date,
    content: NewContent | None = None,
) -> PenaltyCase:
    """Inside the caller's transaction (``RuntimeError`` outside one): ``case``'s decision was
    changed, revoked, confirmed illegal or void on ``on`` for ``reason``. No scope check of its
    own when called by another app: the caller's record (an appeal against this decision) is
    what the actor was allowed to change, as in ``case_challenge_end_within``. A change records
    a ``DecisionChange``: with ``content`` (the agency's correction) the case takes it; without,
    the body's ruling is the new content and the case's fields stay (decision 0092)."""
    if not connection.in_atomic_block:
        raise RuntimeError("case_decision_alter_within must run inside the caller's transaction")
    if alteration not in DecisionAlteration.values:
        raise errors.ValidationFailed(
            "未知的变更（撤销）方式。", code="unknown_alteration", field="alteration"
        )
    reason = common.text(reason, field="reason", label="理由", max_length=common.REASON_MAX)
    changed = alteration == DecisionAlteration.CHANGED
    if content is not None and not changed:
        raise errors.ValidationFailed("只有变更处罚决定有新的处罚内容。", code="content_not_change")
    before = content_of(PENALTY_CASE.lock(case))
    row = common.move(
        case,
        _action(alteration),
        actor=actor,
        ctx={"reason": reason, "on": on},
        changes={
            "decision_altered": alteration,
            "decision_altered_on": on,
            "decision_altered_reason": reason,
            **(content.changes() if content is not None else {}),
        },
        details={
            "alteration": alteration,
            "on": on.isoformat(),
            "reason": reason,
            **({"before": before, "after": content.record(before)} if content is not None else {}),
        },
        stay=True,
    )
    if content is not None and content.record(before) == before:  # after the table's guards
        raise errors.ValidationFailed(
            "变更后的处罚与原决定相同。", code="nothing_changed", field="kinds"
        )
    if changed:
        change_record(actor=actor, row=row, before=before, content=content, reason=reason, on=on)
    withdrawal_since = _running_since(row, WITHDRAW_RULE)  # a change's, before a revocation
    label = DecisionAlteration(alteration).label
    if alteration in ENDS_OBLIGATIONS:
        deadlines_cancel_for(actor=actor, subject=row, reason=f"处罚决定被{label}：{reason}"[:200])
    elif alteration in DECISION_ANNULLED and row.published_on is not None:
        # confirmed illegal while the changed decision waits to be published anew: there is no
        # changed decision to publish any more (decision 0092); the other obligations run on
        deadlines_cancel_for(
            actor=actor,
            subject=row,
            reason=f"处罚决定被{label}，不再公示变更后的决定：{reason}"[:200],
            rule_key=PUBLICITY_RULE,
        )
    on_portal = original_on_portal(row) or republication_on_portal(row)
    if on_portal and not _withdrawal_due(row):  # the withdrawal outlives the obligations
        common.attach(actor, row, WITHDRAW_RULE, "撤回处罚决定公示", withdrawal_since or on)
    if (
        alteration == DecisionAlteration.CHANGED
        and row.published_on is not None  # published once: the changed decision is, again
        and not _pending(row, PUBLICITY_RULE)
    ):
        common.attach(actor, row, PUBLICITY_RULE, "公示变更后的处罚决定", on)
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
        if original_on_portal(row):
            field, which = "publicity_withdrawn_on", "original"
        elif republication_on_portal(row) and _withdrawal_due(row):
            field, which = "republication_withdrawn_on", "republication"
        else:
            raise errors.Conflict("该处罚决定的公示已撤回。", code="already_withdrawn")
        setattr(row, field, on)
        row.save(update_fields=[field])
        deadlines_close_for(actor=actor, subject=row, rule_key=WITHDRAW_RULE, on=on)
        audit.append(
            actor=actor,
            action=CaseEvent.PUBLICITY_WITHDRAWN,
            obj=row,
            details={
                "on": on.isoformat(),
                "reason": row.decision_altered_reason,
                "publication": which,
            },
        )
    return row


def case_republish(*, actor: User, case: PenaltyCase, on: dt.date | None = None) -> PenaltyCase:
    """The changed decision published anew (公示变更后的处罚决定, decision 0085): after the
    earlier publication was withdrawn, the portal shows the decision as changed; closes the
    publicity deadline the change opened. Not a state change."""
    common.require_case_cap(actor, case, Cap.CASE_HANDLE, CaseEvent.REPUBLISHED)
    earliest = max(
        (d for d in (case.decided_on, case.decision_altered_on, case.publicity_withdrawn_on) if d),
        default=None,
    )
    on = common.day(on, field="on", label="公示日期", not_before=earliest)
    with transaction.atomic(durable=True):
        row = PENALTY_CASE.lock(case)
        if row.decision_altered != DecisionAlteration.CHANGED or row.published_on is None:
            raise errors.Conflict(
                "只有已公示后被变更的处罚决定需要重新公示。", code="nothing_to_republish"
            )
        if row.publicity_withdrawn_on is None:
            raise errors.Conflict(
                "请先撤回原处罚决定的公示（行政处罚法第四十八条第二款），再公示变更后的决定。",
                code="withdraw_first",
            )
        if republication_on_portal(row):
            raise errors.Conflict("变更后的处罚决定已公示。", code="already_republished")
        again = row.republished_on is not None
        row.republished_on = on
        row.republication_withdrawn_on = None
        row.save(update_fields=["republished_on", "republication_withdrawn_on"])
        deadlines_close_for(actor=actor, subject=row, rule_key=PUBLICITY_RULE, on=on)
        audit.append(
            actor=actor,
            action=CaseEvent.REPUBLISHED,
            obj=row,
            details={
                "on": on.isoformat(),
                "changed_on": row.decision_altered_on.isoformat()
                if row.decision_altered_on
                else None,
                "again": again,
            },
        )
    return row
