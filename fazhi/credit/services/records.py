"""Credit records (行政处罚信息) from penalty decisions, and the black list they may lead to.

Enforcement knows nothing of credit: it sends ``decision_effective`` inside the transaction in
which a penalty decision takes effect, and ``on_decision_effective`` (connected in
``CreditConfig.ready``) records the decision against the entity in that transaction and, when
the province's rule says so, enters the entity on the black list (decision 0067). When the
decision is revoked (or confirmed illegal or void) it sends ``decision_revoked``, and
``on_decision_revoked`` withdraws the record and the list entries that rested on it (0082).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import connection

from fazhi.core import audit, workflow
from fazhi.core.models import User
from fazhi.core.periods import add_months
from fazhi.credit.events import CreditEvent, CreditListEvent
from fazhi.credit.models import CreditListEntry, CreditRecord, ListKind, ListState
from fazhi.credit.services._common import province_rule
from fazhi.credit.workflows import CREDIT_LIST
from fazhi.enforcement.models import PenaltyCase, PenaltyKind

FINE_THRESHOLD = "credit.blacklist.fine_threshold"
MIN_PUBLICATION = "credit.blacklist.min_publication"
# Penalties that put the party on the black list whatever the amount (decision 0067).
BLACK_LIST_KINDS = (PenaltyKind.QUALIFICATION, PenaltyKind.SUSPENSION)


def on_decision_effective(sender: Any, *, actor: User, case: PenaltyCase, **kwargs: Any) -> None:
    credit_record_from_case(actor=actor, case=case)


def on_decision_revoked(
    sender: Any, *, actor: User, case: PenaltyCase, reason: str, on: dt.date, **kwargs: Any
) -> None:
    credit_record_withdraw_for_case(actor=actor, case=case, reason=reason, on=on)


def credit_record_withdraw_for_case(
    *, actor: User, case: PenaltyCase, reason: str, on: dt.date
) -> CreditRecord | None:
    """In the caller's transaction: ``case``'s decision was revoked (confirmed illegal or void),
    so its credit record is withdrawn (kept, marked with the date and reason) and every red or
    black list entry resting on it leaves the list (decision 0082). A case without a record (a
    decision revoked before it took effect) has nothing to withdraw."""
    if not connection.in_atomic_block:
        raise RuntimeError("credit_record_withdraw_for_case runs inside the decision's transaction")
    why = f"处罚决定（{case.decision_number}）被{case.get_decision_altered_display()}：{reason}"
    for entry in CreditListEntry.objects.filter(case=case).exclude(state=ListState.REMOVED):
        workflow.transition(
            CREDIT_LIST,
            entry,
            "basis_revoked",
            actor=actor,
            ctx={"reason": why},
            changes={"decision_note": why, "decided_on": on, "decided_by": actor, "removed_on": on},
            details={"on": on.isoformat(), "reason": why, "case": case.pk},
        )
    record = CreditRecord.objects.select_for_update().filter(case=case).first()
    if record is None or record.withdrawn_on is not None:
        return record
    record.withdrawn_on, record.withdrawn_reason = on, why
    record.save(update_fields=["withdrawn_on", "withdrawn_reason"])
    audit.append(
        actor=actor,
        action=CreditEvent.WITHDRAWN,
        obj=record,
        details={"case": case.pk, "on": on.isoformat(), "reason": why},
    )
    return record


def _penalty_text(case: PenaltyCase) -> str:
    labels = dict(PenaltyKind.choices)
    parts = [str(labels.get(kind, kind)) for kind in case.penalty_kinds or []]
    if case.fine:
        parts.append(f"罚款{case.fine:,.2f}元")
    if case.confiscation:
        parts.append(f"没收{case.confiscation:,.2f}元")
    return "；".join(dict.fromkeys(parts))[:300] or "行政处罚"


def credit_record_from_case(*, actor: User, case: PenaltyCase) -> CreditRecord:
    """The decision on the entity's credit record, once (a second call answers the record), in
    the caller's transaction; then the black list when the decision meets the province's rule."""
    if not connection.in_atomic_block:
        raise RuntimeError("credit_record_from_case runs inside the decision's transaction")
    existing = CreditRecord.objects.filter(case=case).first()
    if existing is not None:
        return existing
    effective_on = case.served_on or case.decided_on
    assert effective_on is not None and case.decided_on is not None
    record = CreditRecord.objects.create(
        organisation=case.organisation,
        entity=case.entity,
        case=case,
        cause=case.cause,
        decision_number=case.decision_number,
        decided_on=case.decided_on,
        effective_on=effective_on,
        penalty=_penalty_text(case),
    )
    audit.append(
        actor=actor,
        action=CreditEvent.RECORDED,
        obj=record,
        details={"case": case.pk, "entity": case.entity_id, "on": effective_on.isoformat()},
    )
    grounds = black_list_grounds(case, effective_on)
    if grounds:
        _enter_black_list(actor, case, grounds, effective_on)
    return record


def black_list_grounds(case: PenaltyCase, on: dt.date) -> list[str]:
    """Why this decision puts the party on the black list (an empty list: it does not)."""
    reasons: list[str] = []
    kinds = set(case.penalty_kinds or [])
    for kind in BLACK_LIST_KINDS:
        if kind in kinds:
            reasons.append(f"处罚种类含“{PenaltyKind(kind).label}”")
    rule = province_rule(FINE_THRESHOLD, case.organisation, on)
    if rule is not None and case.fine:
        names = ("公民经营活动", "公民") if case.entity.is_individual else ("法人或者其他组织",)
        for name in names:
            if name in rule.value.amounts:
                threshold = Decimal(str(rule.value.amounts[name]))
                if case.fine >= threshold:
                    reasons.append(
                        f"罚款{case.fine:,.2f}元，达到{threshold:,.2f}元的标准（{rule.citation}）"
                    )
                break
    return reasons


def earliest_exit(organisation: Any, on: dt.date) -> tuple[dt.date | None, str]:
    """The first day a black list entry may be repaired, and the rule's citation."""
    rule = province_rule(MIN_PUBLICATION, organisation, on)
    if rule is None:
        return None, ""
    if rule.value.unit == "months":
        return add_months(on, rule.value.amount), rule.citation
    return on + dt.timedelta(days=rule.value.amount), rule.citation


def _enter_black_list(actor: User, case: PenaltyCase, grounds: list[str], on: dt.date) -> None:
    exit_on, exit_basis = earliest_exit(case.organisation, on)
    entry = CreditListEntry.objects.create(
        organisation=case.organisation,
        entity=case.entity,
        kind=ListKind.BLACK,
        case=case,
        grounds="；".join(grounds) + f"（{case.decision_number}）",
        basis="决定0067：处罚决定生效时按省规则包列入" + (f"；{exit_basis}" if exit_basis else ""),
        listed_on=on,
        earliest_exit_on=exit_on,
        created_by=actor,
    )
    audit.append(
        actor=actor,
        action=CreditListEvent.ENTERED,
        obj=entry,
        details={"to": entry.state, "kind": entry.kind, "case": case.pk, "automatic": True},
    )
