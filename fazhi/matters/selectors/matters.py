"""Every read of incoming matters, narrowed to the user's data scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from fazhi.core.models import AuditEvent, Deadline, User
from fazhi.core.roles import ROLE_GRANTS, Cap, Scope
from fazhi.core.scope import get_scoped, lineage_ids, require_cap, scoped
from fazhi.matters.events import MatterEvent
from fazhi.matters.models import Matter


def _matters(user: User | Any) -> QuerySet[Matter]:
    return scoped(Matter.objects.all(), user).select_related("organisation")


def matter_list(
    *,
    user: User | Any,
    kind: str | None = None,
    state: str | None = None,
    channel: str | None = None,
    year: int | None = None,
    q: str | None = None,
    owned_by: User | None = None,
) -> QuerySet[Matter]:
    """The matters in scope, newest receipt first; refused without ``matter.view``;
    ``owned_by``: the petitions that leader currently owns (领导包案)."""
    require_cap(user, Cap.MATTER_VIEW, action=MatterEvent.LISTED)
    qs = _matters(user)
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(state=state)
    if channel:
        qs = qs.filter(channel=channel)
    if year:
        qs = qs.filter(received_on__gte=dt.date(year, 1, 1), received_on__lte=dt.date(year, 12, 31))
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(requester_name__icontains=q))
    if owned_by is not None:
        qs = qs.filter(
            leader_assignments__leader=owned_by, leader_assignments__ended_on__isnull=True
        )
    return qs.order_by("-received_on", "-id")


def matter_get(*, user: User | Any, matter_id: int) -> Matter:
    require_cap(user, Cap.MATTER_VIEW, action=MatterEvent.VIEWED)
    return get_scoped(
        _matters(user).select_related(
            "entity",
            "case_lead",
            "inspection_task",
            "origin",
            "created_by",
            "proposal_detail",
            "ticket",
        ),
        matter_id,
    )


def matter_deadlines(*, matter: Matter) -> list[Deadline]:
    """The matter's clocks, earlier ones (cancelled, met) included, oldest first."""
    return list(
        Deadline.objects.filter(
            content_type=ContentType.objects.get_for_model(Matter), object_id=str(matter.pk)
        ).order_by("start_date", "pk")
    )


def matter_timeline(*, matter: Matter) -> list[AuditEvent]:
    """The matter's own events, oldest first (the deadlines' events are on their pages). The
    caller has read the matter through ``matter_get``, so it is in the user's scope."""
    return list(
        AuditEvent.objects.filter(
            object_type=Matter._meta.label_lower, object_id=str(matter.pk)
        ).order_by("seq")
    )


def matter_approvers(*, matter: Matter) -> QuerySet[User]:
    """Who may approve an extension of ``matter``'s limit: the active heads of its organisation,
    or of one above it whose scope covers it."""
    roles = [role for role, grant in ROLE_GRANTS.items() if Cap.MATTER_APPROVE in grant.caps]
    subtree = [role for role in roles if ROLE_GRANTS[role].scope == Scope.SUBTREE]
    return User.objects.filter(
        Q(organisation=matter.organisation, role__in=roles)
        | Q(organisation_id__in=lineage_ids(matter.organisation), role__in=subtree),
        is_active=True,
    ).order_by("full_name", "pk")
