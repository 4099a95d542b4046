"""Reads of leader-owned petitions (领导包案) and supervision orders (督办), narrowed to the
user's data scope through the petition's handling organisation."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from fazhi.core import clock
from fazhi.core.models import User
from fazhi.core.roles import Cap
from fazhi.core.scope import get_scoped, require_cap, scoped
from fazhi.matters.events import MatterEvent
from fazhi.matters.models import LeaderAssignment, Matter, SupervisionOrder, SupervisionState


def supervision_list(
    *, user: User | Any, state: str | None = None, overdue: bool = False
) -> QuerySet[SupervisionOrder]:
    """Supervision orders on petitions in scope, the earliest report date first; ``overdue``:
    not reported and past the date."""
    require_cap(user, Cap.MATTER_VIEW, action=MatterEvent.LISTED)
    qs = scoped(
        SupervisionOrder.objects.select_related("matter", "issuer"),
        user,
        field="matter__organisation",
    )
    if state:
        qs = qs.filter(state=state)
    if overdue:
        qs = qs.filter(state=SupervisionState.ISSUED, due_on__lt=clock.today())
    return qs.order_by("due_on", "id")


def supervision_get(*, user: User | Any, order_id: int) -> SupervisionOrder:
    require_cap(user, Cap.MATTER_VIEW, action=MatterEvent.VIEWED)
    return get_scoped(supervision_list(user=user), order_id)


def matter_supervision_orders(*, matter: Matter) -> list[SupervisionOrder]:
    """The orders on a petition the caller has read through ``matter_get``."""
    return list(matter.supervision_orders.select_related("issuer").order_by("issued_on", "pk"))


def matter_leader_assignments(*, matter: Matter) -> list[LeaderAssignment]:
    """Every ownership of a petition, the current one first."""
    return list(matter.leader_assignments.select_related("leader").order_by("-assigned_on", "-pk"))


def leader_owned(*, user: User | Any) -> QuerySet[Matter]:
    """The petitions ``user`` currently owns as their leader (包案), in scope."""
    require_cap(user, Cap.MATTER_VIEW, action=MatterEvent.LISTED)
    return scoped(Matter.objects.all(), user).filter(
        leader_assignments__leader=user, leader_assignments__ended_on__isnull=True
    )
