"""Red and black lists (红名单 / 黑名单): entry by hand with its grounds (the black list is also
entered automatically from a decision, ``services/records.py``), and the exit: a red list entry
removed, a black list entry repaired (信用修复) on application once the minimum publication
period has passed and the penalty has been fulfilled. Steps: ``workflows.CREDIT_LIST``."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from fazhi.core import audit, errors, workflow
from fazhi.core.models import User
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap, require_in_scope
from fazhi.credit.events import CreditListEvent
from fazhi.credit.models import CreditListEntry, ListKind
from fazhi.credit.services._common import day, text
from fazhi.credit.services.records import earliest_exit
from fazhi.credit.workflows import CREDIT_LIST
from fazhi.enforcement.models import CaseOutcome, PenaltyCase
from fazhi.registry.models import Entity


def credit_list_enter(
    *,
    actor: User,
    entity: Entity,
    kind: str,
    grounds: str,
    basis: str,
    case: PenaltyCase | None = None,
    on: dt.date | None = None,
) -> CreditListEntry:
    """Enter an entity on the red or black list with its grounds and basis; published on the
    portal from that day. A black list entry by hand rests on a penalty decision."""
    require_cap(actor, Cap.CREDIT_DECIDE, action=CreditListEvent.ENTERED)
    require_in_scope(actor, entity.organisation, action=CreditListEvent.ENTERED)
    if kind not in ListKind.values:
        raise errors.ValidationFailed("请选择红名单或黑名单。", code="unknown_list", field="kind")
    grounds = text(grounds, field="grounds", label="列入事由", max_length=2000, required=True)
    basis = text(basis, field="basis", label="列入依据", max_length=300, required=True)
    on = day(on, field="on", label="列入日期")
    if kind == ListKind.BLACK and case is None:
        raise errors.ValidationFailed(
            "列入黑名单须依据已生效的行政处罚决定。", code="case_required", field="case"
        )
    if case is not None:
        require_in_scope(actor, case.organisation, action=CreditListEvent.ENTERED)
        if case.entity_id != entity.pk or case.outcome != CaseOutcome.PENALTY:
            raise errors.ValidationFailed(
                "依据的案件须为对该主体作出的行政处罚决定。", code="case_mismatch", field="case"
            )
    exit_on = earliest_exit(entity.organisation, on)[0] if kind == ListKind.BLACK else None
    with transaction.atomic(durable=True):
        Entity.objects.select_for_update().filter(pk=entity.pk).first()
        if CreditListEntry.objects.filter(
            entity=entity, kind=kind, state__in=["listed", "repair_requested"]
        ).exists():
            raise errors.Conflict("该主体已在此名单中。", code="already_listed")
        entry = CreditListEntry.objects.create(
            organisation=entity.organisation,
            entity=entity,
            kind=kind,
            case=case,
            grounds=grounds,
            basis=basis,
            listed_on=on,
            earliest_exit_on=exit_on,
            created_by=actor,
        )
        audit.append(
            actor=actor,
            action=CreditListEvent.ENTERED,
            obj=entry,
            details={"to": entry.state, "kind": kind, "case": case.pk if case else None},
        )
    return entry


def _step(
    *,
    actor: User,
    entry: CreditListEntry,
    action: str,
    cap: Cap,
    reason: str,
    on: dt.date | None,
    changes: dict[str, object],
) -> CreditListEntry:
    event = CREDIT_LIST.action(action).event
    require_cap(actor, cap, action=event)
    require_in_scope(actor, entry.organisation, action=event)
    reason = text(reason, field="reason", label="理由", max_length=2000, required=False)
    on = day(on, field="on", label="日期")
    values = {
        key: (reason if value == "reason" else on if value == "on" else value)
        for key, value in changes.items()
    }
    with transaction.atomic(durable=True):
        return workflow.transition(
            CREDIT_LIST,
            entry,
            action,
            actor=actor,
            ctx={"reason": reason, "on": on},
            changes=values,
            details={"on": on.isoformat(), "reason": reason},
        )


def credit_list_apply_repair(
    *, actor: User, entry: CreditListEntry, reason: str, on: dt.date | None = None
) -> CreditListEntry:
    """The party's application for credit repair, registered by an officer."""
    return _step(
        actor=actor,
        entry=entry,
        action="apply_repair",
        cap=Cap.CREDIT_RECORD,
        reason=reason,
        on=on,
        changes={"repair_reason": "reason", "repair_applied_on": "on"},
    )


def credit_list_approve_repair(
    *, actor: User, entry: CreditListEntry, reason: str = "", on: dt.date | None = None
) -> CreditListEntry:
    return _step(
        actor=actor,
        entry=entry,
        action="approve_repair",
        cap=Cap.CREDIT_DECIDE,
        reason=reason,
        on=on,
        changes={
            "decision_note": "reason",
            "decided_on": "on",
            "decided_by": actor,
            "removed_on": "on",
        },
    )


def credit_list_reject_repair(
    *, actor: User, entry: CreditListEntry, reason: str, on: dt.date | None = None
) -> CreditListEntry:
    return _step(
        actor=actor,
        entry=entry,
        action="reject_repair",
        cap=Cap.CREDIT_DECIDE,
        reason=reason,
        on=on,
        changes={"decision_note": "reason", "decided_on": "on", "decided_by": actor},
    )


def credit_list_remove(
    *, actor: User, entry: CreditListEntry, reason: str, on: dt.date | None = None
) -> CreditListEntry:
    return _step(
        actor=actor,
        entry=entry,
        action="remove",
        cap=Cap.CREDIT_DECIDE,
        reason=reason,
        on=on,
        changes={
            "decision_note": "reason",
            "decided_on": "on",
            "decided_by": actor,
            "removed_on": "on",
        },
    )
