"""The violated provision and the penalty provision of a case (违法条款、处罚依据).

With the discretion assistant the officer picks a benchmark item (裁量基准事项): its
``violated_article`` and ``penalty_article`` become the case's, and the item is kept. Without an
item, or with an item's text changed, the officer writes the articles and a reason (decision
0068). The notice of the proposed penalty and the decision print what the case holds.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from fazhi.core import errors
from fazhi.core.models import User
from fazhi.core.roles import Cap
from fazhi.enforcement.events import CaseEvent
from fazhi.enforcement.models import PenaltyCase
from fazhi.enforcement.services import case_common as common

PROVISION_MAX = 500


def case_provisions_set(
    *,
    actor: User,
    case: PenaltyCase,
    item: Any = None,
    violated: str = "",
    penalty: str = "",
    reason: str = "",
) -> PenaltyCase:
    """Record the case's provisions, from ``item`` (a ``discretion.BenchmarkItem`` the caller
    read in the actor's scope) where given; a text left empty takes the item's."""
    common.require_case_cap(actor, case, Cap.CASE_HANDLE, CaseEvent.PROVISIONS_SET)
    violated = common.text(
        violated, field="violated", label="违反的法律条款", max_length=PROVISION_MAX
    )
    penalty = common.text(penalty, field="penalty", label="处罚依据条款", max_length=PROVISION_MAX)
    reason = common.text(reason, field="reason", label="理由", max_length=common.REASON_MAX)
    if item is not None:
        violated = violated or item.violated_article
        penalty = penalty or item.penalty_article
    for value, field, label in (
        (violated, "violated", "违反的法律条款"),
        (penalty, "penalty", "处罚依据条款"),
    ):
        if not value:
            raise errors.ValidationFailed(f"请填写{label}。", code=f"{field}_required", field=field)
    from_item = (
        item is not None and violated == item.violated_article and penalty == item.penalty_article
    )
    with transaction.atomic(durable=True):
        return common.move(
            case,
            "set_provisions",
            actor=actor,
            ctx={"from_item": from_item, "reason": reason},
            changes={
                "violated_provision": violated,
                "penalty_provision": penalty,
                "provision_item": item,
                "provision_reason": "" if from_item else reason,
            },
            details={
                "violated": violated,
                "penalty": penalty,
                "item": getattr(item, "code", None),
                "from_item": from_item,
                **({} if from_item else {"reason": reason}),
            },
            stay=True,
        )
