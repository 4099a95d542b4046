"""Reads of medical liability insurance, narrowed to the user's data scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from fazhi.core.models import User
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap, scoped
from fazhi.disputes.events import InsuranceEvent
from fazhi.disputes.models import LiabilityInsurance


def insurance_list(
    *, user: User | Any, year: int | None = None, q: str | None = None
) -> QuerySet[LiabilityInsurance]:
    require_cap(user, Cap.DISPUTE_VIEW, action=InsuranceEvent.LISTED)
    qs = scoped(LiabilityInsurance.objects.all(), user).select_related("entity", "organisation")
    if year:
        qs = qs.filter(year=year)
    if q:
        qs = qs.filter(Q(entity__name__icontains=q) | Q(insurer__icontains=q))
    return qs.order_by("-year", "entity__name", "pk")
