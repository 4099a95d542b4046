"""What every matter service shares: permission, text and date checks, the approver check."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from fazhi.core import errors, inputs, workflow
from fazhi.core.models import Organisation, User
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap, require_cap, require_in_scope, visible_organisations
from fazhi.core.services.deadlines import deadlines_extend_for
from fazhi.matters.models import Matter

TITLE_MAX = 200
CONTENT_MAX = 20_000
NAME_MAX = 100
NOTE_MAX = 2_000


def require_handle(actor: User, organisation: Organisation, *, action: str) -> None:
    require_cap(actor, Cap.MATTER_HANDLE, action=action)
    require_in_scope(actor, organisation, action=action)


text = inputs.text
choice = inputs.choice


def day(
    value: dt.date | None,
    *,
    field: str,
    label: str,
    not_before: dt.date | None = None,
    not_before_label: str = "收到日期",
) -> dt.date:
    """A date of a matter's step (``fazhi.core.inputs.day``): before receipt is refused with
    ``date_before_receipt``."""
    return inputs.day(
        value,
        field=field,
        label=label,
        not_before=not_before,
        not_before_label=not_before_label,
        before_code="date_before_receipt",
    )


def check_approver(approver: User | None, matter: Matter) -> None:
    """The extension's approver: the head (``matter.approve``) with the matter in scope."""
    if approver is None:
        return  # the table's guard refuses it with its reason
    if (
        not has_cap(approver, Cap.MATTER_APPROVE)
        or not visible_organisations(approver).filter(pk=matter.organisation_id).exists()
    ):
        raise errors.ValidationFailed(
            "批准人须为本机关负责人。", code="approver_not_head", field="approved_by"
        )


def extend_limit(
    *,
    actor: User,
    matter: Matter,
    table: workflow.Workflow[Matter],
    rule_key: str,
    approved_by: User | None,
    approved: dt.date | None,
    reason: str,
) -> Matter:
    """The approved extension of a matter's limit, one shape for every matter type: the
    workflow's ``extend`` step (its guard wants the approver and the reason) and the deadline
    extended by the core, in one transaction; nothing to extend is a conflict."""
    with transaction.atomic(durable=True):
        matter = workflow.transition(
            table,
            matter,
            "extend",
            actor=actor,
            ctx={"approved_by": approved_by, "reason": reason},
            details={
                "approved_by": approved_by.pk if approved_by else None,
                "approved_on": approved.isoformat() if approved else None,
                "reason": reason,
            },
        )
        assert approved_by is not None and approved is not None
        extended = deadlines_extend_for(
            actor=actor,
            subject=matter,
            rule_key=rule_key,
            reason=reason,
            approved_by=approved_by,
            approved_on=approved,
        )
        if not extended:
            raise errors.Conflict(
                "没有正在计算的办理期限可以延长（期限已届满、已中止或已办结）。",
                code="nothing_to_extend",
            )
    return matter
