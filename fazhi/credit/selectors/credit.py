"""Every read of credit records, practice points, alerts and list entries, narrowed to the
user's data scope; the portal's public list (``public_list_entries``) masks nothing itself: the
portal masks personal data on the way out."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from fazhi.core.models import User
from fazhi.core.roles import Cap
from fazhi.core.scope import get_scoped, require_cap, scoped
from fazhi.credit.events import CreditEvent, CreditListEvent, PointsEvent
from fazhi.credit.models import (
    AlertState,
    CreditListEntry,
    CreditRecord,
    ListState,
    PointAlert,
    PointEntry,
)
from fazhi.registry.models import Entity


def credit_record_list(
    *, user: User | Any, year: int | None = None, q: str | None = None
) -> QuerySet[CreditRecord]:
    require_cap(user, Cap.CREDIT_VIEW, action=CreditEvent.LISTED)
    qs = scoped(CreditRecord.objects.select_related("entity", "organisation", "case"), user)
    if year:
        qs = qs.filter(effective_on__year=year)
    if q:
        qs = qs.filter(Q(entity__name__icontains=q) | Q(decision_number__icontains=q))
    return qs.order_by("-effective_on", "-id")


def point_entry_list(
    *,
    user: User | Any,
    cycle: int | None = None,
    subject: str | None = None,
    entity_id: int | None = None,
) -> QuerySet[PointEntry]:
    require_cap(user, Cap.CREDIT_VIEW, action=PointsEvent.LISTED)
    qs = scoped(PointEntry.objects.select_related("entity", "organisation", "case"), user)
    if cycle:
        qs = qs.filter(cycle=cycle)
    if subject:
        qs = qs.filter(subject=subject)
    if entity_id:
        qs = qs.filter(entity_id=entity_id)
    return qs.order_by("-scored_on", "-id")


def point_entity_name(*, user: User | Any, entity_id: int) -> str | None:
    """The name of the entity the points list is narrowed to (the entity page's link), if the
    user sees it."""
    return scoped(Entity.objects.filter(pk=entity_id), user).values_list("name", flat=True).first()


def point_scores(*, user: User | Any, cycle: int, subject: str | None = None) -> Any:
    """One row per scored institution or practitioner in ``cycle``: its total and entries,
    highest first (the score of the cycle, decision 0066)."""
    qs = point_entry_list(user=user, cycle=cycle, subject=subject)
    return (
        qs.order_by()
        .values(
            "entity_id",
            "entity__name",
            "subject",
            "practitioner_name",
            "practitioner_number",
        )
        .annotate(total=Sum("points"), entries=Count("id"))
        .order_by("-total", "entity__name", "practitioner_number")
    )


def points_alert_list(
    *, user: User | Any, state: str | None = None, cycle: int | None = None
) -> QuerySet[PointAlert]:
    require_cap(user, Cap.CREDIT_VIEW, action=PointsEvent.ALERT_LISTED)
    qs = scoped(PointAlert.objects.select_related("entity", "organisation"), user)
    if state:
        qs = qs.filter(state=state)
    if cycle:
        qs = qs.filter(cycle=cycle)
    return qs.order_by("state", "-reached_on", "-id")


def points_alert_get(*, user: User | Any, alert_id: int) -> PointAlert:
    require_cap(user, Cap.CREDIT_VIEW, action=PointsEvent.ALERT_LISTED)
    return get_scoped(points_alert_list(user=user), alert_id)


def credit_list_entries(
    *, user: User | Any, kind: str | None = None, state: str | None = None, q: str | None = None
) -> QuerySet[CreditListEntry]:
    require_cap(user, Cap.CREDIT_VIEW, action=CreditListEvent.LISTED)
    qs = scoped(CreditListEntry.objects.select_related("entity", "organisation", "case"), user)
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(state=state)
    if q:
        qs = qs.filter(entity__name__icontains=q)
    return qs.order_by("-listed_on", "-id")


def credit_list_entry_get(*, user: User | Any, entry_id: int) -> CreditListEntry:
    require_cap(user, Cap.CREDIT_VIEW, action=CreditListEvent.VIEWED)
    return get_scoped(
        credit_list_entries(user=user).select_related("decided_by", "created_by"), entry_id
    )


def public_list_entries(*, kind: str | None = None) -> QuerySet[CreditListEntry]:
    """What the portal publishes: entries still listed (a repair application pending keeps the
    entry published), newest first. No user: the portal is public."""
    qs = CreditListEntry.objects.select_related("entity", "organisation").filter(
        state__in=[ListState.LISTED, ListState.REPAIR_REQUESTED]
    )
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-listed_on", "-id")


def open_alert_count(*, user: User | Any) -> int:
    return scoped(PointAlert.objects.filter(state=AlertState.OPEN), user).count()


def repair_pending_count(*, user: User | Any) -> int:
    return scoped(CreditListEntry.objects.filter(state=ListState.REPAIR_REQUESTED), user).count()
