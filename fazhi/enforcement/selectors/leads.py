"""Every read of case leads, narrowed to the user's data scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from fazhi.core.models import User
from fazhi.core.roles import Cap
from fazhi.core.scope import get_scoped, require_cap, scoped
from fazhi.enforcement.events import CaseLeadEvent
from fazhi.enforcement.models import CaseLead


def _leads(user: User | Any) -> QuerySet[CaseLead]:
    return scoped(CaseLead.objects.all(), user).select_related(
        "organisation", "entity", "created_by", "source_task", "decided_by"
    )


def case_lead_list(*, user: User | Any, state: str | None = None) -> QuerySet[CaseLead]:
    """The leads in scope, newest first; refused without ``case_lead.view``."""
    require_cap(user, Cap.CASE_LEAD_VIEW, action=CaseLeadEvent.LISTED)
    qs = _leads(user)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-created_at", "-id")


def case_lead_get(*, user: User | Any, lead_id: int) -> CaseLead:
    return get_scoped(_leads(user), lead_id)
