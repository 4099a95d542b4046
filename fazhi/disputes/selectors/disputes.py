"""Reads of medical disputes, narrowed to the user's data scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from fazhi.core.models import User
from fazhi.core.roles import Cap
from fazhi.core.scope import get_scoped, require_cap, scoped
from fazhi.disputes.events import DisputeEvent
from fazhi.disputes.models import MedicalDispute


def dispute_list(
    *,
    user: User | Any,
    state: str | None = None,
    route: str | None = None,
    year: int | None = None,
    q: str | None = None,
) -> QuerySet[MedicalDispute]:
    """The disputes in scope, latest registration first; refused without ``dispute.view``."""
    require_cap(user, Cap.DISPUTE_VIEW, action=DisputeEvent.LISTED)
    qs = scoped(MedicalDispute.objects.all(), user).select_related("organisation", "entity")
    if state:
        qs = qs.filter(state=state)
    if route:
        qs = qs.filter(route=route)
    if year:
        qs = qs.filter(reported_on__year=year)
    if q:
        qs = qs.filter(Q(patient_name__icontains=q) | Q(entity__name__icontains=q))
    return qs.order_by("-reported_on", "-id")


def dispute_get(*, user: User | Any, dispute_id: int) -> MedicalDispute:
    require_cap(user, Cap.DISPUTE_VIEW, action=DisputeEvent.VIEWED)
    return get_scoped(dispute_list(user=user), dispute_id)


MEDICAL_KINDS = ("hospital", "clinic", "community_health_centre", "medical_aesthetics")
CHOICES_MAX = 1_000


def institution_choices(*, user: User | Any) -> list[tuple[int, str]]:
    """The medical institutions in the user's scope (for a form's select), by name."""
    from fazhi.registry.models import Entity

    require_cap(user, Cap.DISPUTE_VIEW, action=DisputeEvent.LISTED)
    return list(
        scoped(Entity.objects.filter(kind__in=MEDICAL_KINDS), user)
        .order_by("name", "pk")
        .values_list("pk", "name")[:CHOICES_MAX]
    )


def institution_get(*, user: User | Any, entity_id: int) -> Any:
    """One institution in the user's scope (a recorded 404 otherwise)."""
    from fazhi.registry.models import Entity

    require_cap(user, Cap.DISPUTE_VIEW, action=DisputeEvent.VIEWED)
    return get_scoped(scoped(Entity.objects.select_related("organisation"), user), entity_id)
