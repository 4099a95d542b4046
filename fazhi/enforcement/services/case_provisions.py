"""The violated provision and the penalty provision of a case (违法条款、处罚依据).

With the discretion assistant the officer picks a benchmark item (裁量基准事项): its
``violated_article`` and ``penalty_article`` become the case's, and the item is kept. Without an
item, or with an item's text changed, the officer writes the articles and a reason (decision
0068). The notice of the proposed penalty and the decision print what the case holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from fazhi.core import errors
from fazhi.core.models import User
from fazhi.core.roles import Cap
from fazhi.enforcement.events import CaseEvent
from fazhi.enforcement.models import PenaltyCase
from fazhi.enforcement.services import case_common as common

PROVISION_MAX = 500


@dataclass(frozen=True)
class Provisions:
    """Checked provisions: the texts, the item they came from, whether unchanged from it, and
    the reason (kept only when they were not)."""

    violated: str
    penalty: str
    item: Any
    from_item: bool
    reason: str

    def changes(self) -> dict[str, Any]:
        return {
            "violated_provision": self.violated,
            "penalty_provision": self.penalty,
            "provision_item": self.item,
            "provision_reason": "" if self.from_item else self.reason,
        }

    def details(self) -> dict[str, Any]:
        return {
            "violated": self.violated,
            "penalty": self.penalty,
            "item": getattr(self.item, "code", None),
            "from_item": self.from_item,
            **({} if self.from_item else {"reason": self.reason}),
        }


def provisions_clean(
    *, item: Any = None, violated: str = "", penalty: str = "", reason: str = ""
) -> Provisions:
    """The texts checked, an empty one taking ``item``'s article; both are required. Whether a
    text not taken unchanged from the item has its reason is the caller's guard
    (``provisions_sourced``)."""
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
    return Provisions(violated, penalty, item, from_item, reason)


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
    found = provisions_clean(item=item, violated=violated, penalty=penalty, reason=reason)
    with transaction.atomic(durable=True):
        return common.move(
            case,
            "set_provisions",
            actor=actor,
            ctx={"from_item": found.from_item, "reason": found.reason},
            changes=found.changes(),
            details=found.details(),
            stay=True,
        )
