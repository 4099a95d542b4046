"""Public selectors: the penalty decisions published on the portal (行政处罚决定公示). No user:
what they return is public by design (decision 0082).

A decision is on the portal from the day it was published (``case_publish``) until its
publication is withdrawn after the decision was changed or revoked (``case_publicity_withdraw``,
行政处罚法 第四十八条第二款); a changed decision is back on the portal, marked as changed, from
the day it is published anew (``case_republish``, decision 0085) until that publication is
withdrawn in turn; the list is ordered by the day each decision was (re)published, newest
first. The portal masks a natural person's personal data; the search never
matches a natural person's name or id number (a name typed in must not confirm a penalty).
"""

from __future__ import annotations

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce

from fazhi.core import errors
from fazhi.enforcement.models import CaseOutcome, PenaltyCase, PenaltyKind

Q_MAX = 100


def public_decisions(*, q: str = "", organisation_id: int | None = None) -> QuerySet[PenaltyCase]:
    qs = PenaltyCase.objects.filter(
        Q(published_on__isnull=False, publicity_withdrawn_on__isnull=True)
        | Q(republished_on__isnull=False, republication_withdrawn_on__isnull=True),
        outcome=CaseOutcome.PENALTY,
    ).select_related("organisation", "entity")
    if organisation_id is not None:
        qs = qs.filter(organisation_id=organisation_id)
    q = (q or "").strip()[:Q_MAX]
    if q:
        qs = qs.filter(
            Q(decision_number__icontains=q)
            | Q(cause__icontains=q)
            | Q(entity__is_individual=False, entity__name__icontains=q)
            | Q(entity__is_individual=False, entity__uscc__iexact=q)
        )
    # a republished decision sorts by its republication (it is on the portal only while its first
    # publication is withdrawn), any other by its publication
    return qs.order_by(Coalesce(F("republished_on"), F("published_on")).desc(), "-id")


def public_decision(*, pk: int) -> PenaltyCase:
    row = public_decisions().filter(pk=pk).first()
    if row is None:
        raise errors.NotFound()
    return row


def penalty_text(case: PenaltyCase) -> str:
    """The penalty as the public reads it: its kinds, the fine and the confiscation in yuan."""
    labels = dict(PenaltyKind.choices)
    parts = [
        str(labels.get(kind, kind))
        for kind in case.penalty_kinds or []
        if kind not in (PenaltyKind.FINE, PenaltyKind.CONFISCATION)
    ]
    if case.fine:
        parts.append(f"罚款{case.fine:,.2f}元")
    if case.confiscation:
        parts.append(f"没收违法所得（非法财物）{case.confiscation:,.2f}元")
    return "；".join(parts) or "行政处罚"
