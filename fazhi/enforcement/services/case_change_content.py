"""The new content of a changed penalty decision (decision 0092): checked like the decision
(kinds, exact amounts, no heavier than the notice: 行政处罚法 第四十五条), its provisions as
``case_provisions_set`` takes them, and the change recorded — the earlier content kept on the
``DecisionChange`` row and in the event, the case's fields replaced, the 变更决定书 numbered from
the decision's register, a fine paid above the new amount flagged as a refund owed."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from fazhi.core import errors
from fazhi.core.models import User
from fazhi.core.services.deadlines import deadlines_cancel_for
from fazhi.core.services.numbering import document_number_issue
from fazhi.enforcement.models import ChangeBasis, DecisionChange, PenaltyCase, PenaltyKind
from fazhi.enforcement.services import case_common as common
from fazhi.enforcement.services.case_provisions import provisions_clean
from fazhi.enforcement.services.cases import DECISION_DOCUMENT, numbering_organisation
from fazhi.enforcement.workflows import provisions_sourced

PAYMENT_RULE = "penalty.payment"


@dataclass(frozen=True)
class NewContent:
    """The changed decision's penalty, checked; ``provisions`` is ``None`` when unchanged."""

    kinds: list[str]
    fine: Decimal | None
    confiscation: Decimal | None
    provisions: Any

    def changes(self) -> dict[str, Any]:
        return {
            "penalty_kinds": self.kinds,
            "fine": self.fine,
            "confiscation": self.confiscation,
            **(self.provisions.changes() if self.provisions is not None else {}),
        }

    def record(self, before: dict[str, Any]) -> dict[str, Any]:
        """The content as ``content_of`` writes it, the provisions ``before`` when unchanged."""
        found = self.provisions
        return {
            "kinds": self.kinds,
            "fine": str(self.fine) if self.fine is not None else None,
            "confiscation": str(self.confiscation) if self.confiscation is not None else None,
            "violated": found.violated if found is not None else before["violated"],
            "penalty": found.penalty if found is not None else before["penalty"],
        }


def content_of(case: PenaltyCase) -> dict[str, Any]:
    """What the decision says now, as kept on a ``DecisionChange`` (amounts as exact strings)."""
    return {
        "kinds": list(case.penalty_kinds or []),
        "fine": str(case.fine) if case.fine is not None else None,
        "confiscation": str(case.confiscation) if case.confiscation is not None else None,
        "violated": case.violated_provision,
        "penalty": case.penalty_provision,
    }


def new_content_clean(
    case: PenaltyCase,
    *,
    kinds: Any,
    fine: Any = None,
    confiscation: Any = None,
    item: Any = None,
    violated: str = "",
    penalty: str = "",
    provisions_reason: str = "",
) -> NewContent:
    """The new content checked as the decision is; provisions left empty stay as they are."""
    if isinstance(kinds, str) or not isinstance(kinds, list | tuple):
        raise errors.ValidationFailed(
            "请选择处罚种类。", code="unknown_penalty_kind", field="kinds"
        )
    chosen = common.kinds(kinds)
    if not chosen:
        raise errors.ValidationFailed(
            "变更后的决定须至少有一种处罚；不再处罚的，应撤销原决定。",
            code="no_penalty_kind",
            field="kinds",
        )
    fine_amount = common.money(fine, field="fine", label="罚款金额")
    confiscated = common.money(confiscation, field="confiscation", label="没收金额")
    common.check_money_kinds(chosen, fine_amount, confiscated)
    common.check_not_heavier(
        case,
        fine_amount,
        confiscated,
        prefix="变更后的",
        why="；加重处罚须重新告知（行政处罚法第四十四条、第四十五条）。",
    )
    provisions = None
    if item is not None or violated or penalty:
        provisions = provisions_clean(
            item=item, violated=violated, penalty=penalty, reason=provisions_reason
        )
        provisions_sourced(None, {"from_item": provisions.from_item, "reason": provisions.reason})
    return NewContent(chosen, fine_amount, confiscated, provisions)


def paid_so_far(case: PenaltyCase) -> Decimal:
    """The fine paid: the whole when executed, else the instalments paid."""
    if case.paid_amount is not None:
        return Decimal(case.paid_amount)
    from fazhi.enforcement.execution_models import Instalment

    return sum(
        (
            Decimal(i.paid_amount or 0)
            for i in Instalment.objects.filter(arrangement__case=case, paid_amount__isnull=False)
        ),
        Decimal("0.00"),
    )


def change_record(
    *,
    actor: User,
    row: PenaltyCase,
    before: dict[str, Any],
    content: NewContent | None,
    reason: str,
    on: Any,
) -> DecisionChange:
    """Inside the change's transaction, after ``row`` took the new content: the change kept, its
    document numbered (the agency's correction), a refund owed flagged, and no payment period
    left running when nothing remains to pay."""
    number = ""
    refund = None
    if content is not None:
        number = document_number_issue(
            actor=actor,
            organisation=numbering_organisation(row.organisation),
            type_key=DECISION_DOCUMENT,
            subject=row,
        )
        paid = paid_so_far(row)
        if paid > (content.fine or 0):
            refund = paid - (content.fine or Decimal("0.00"))
        if PenaltyKind.FINE not in content.kinds and PenaltyKind.CONFISCATION not in content.kinds:
            deadlines_cancel_for(
                actor=actor,
                subject=row,
                reason="处罚决定变更后无罚没款",
                rule_key=PAYMENT_RULE,
            )
    return DecisionChange.objects.create(
        case=row,
        changed_on=on,
        basis=ChangeBasis.CORRECTION if content is not None else ChangeBasis.RULING,
        reason=reason,
        document_number=number,
        before=before,
        after=content.record(before) if content is not None else None,
        refund_owed=refund,
    )
