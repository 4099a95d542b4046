"""Reads of proactive disclosure items (主动公开), narrowed to the user's data scope."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from fazhi.core.models import Deadline, User
from fazhi.core.models.deadlines import DeadlineState
from fazhi.core.roles import Cap
from fazhi.core.scope import get_scoped, require_cap, scoped
from fazhi.matters.events import MatterEvent
from fazhi.matters.models import ProactiveItem, ProactiveState


def _overdue_ids(qs: QuerySet[ProactiveItem]) -> QuerySet[Any]:
    return Deadline.objects.filter(
        content_type=ContentType.objects.get_for_model(ProactiveItem),
        rule_key="disclosure.proactive",
        state=DeadlineState.OVERDUE,
        met_on__isnull=True,
        organisation_id__in=qs.values("organisation_id"),
    ).values_list("object_id", flat=True)


def proactive_list(
    *, user: User | Any, state: str | None = None, overdue: bool = False
) -> QuerySet[ProactiveItem]:
    """The items in scope, the newest first; ``overdue``: not published and past the 20 working
    days (as the deadline engine marked them)."""
    require_cap(user, Cap.MATTER_VIEW, action=MatterEvent.LISTED)
    qs = scoped(ProactiveItem.objects.select_related("organisation"), user)
    if state:
        qs = qs.filter(state=state)
    if overdue:
        ids = [int(pk) for pk in _overdue_ids(qs)]
        qs = qs.filter(state=ProactiveState.PENDING, pk__in=ids)
    return qs.prefetch_related("publications").order_by("-made_on", "-id")


def proactive_get(*, user: User | Any, proactive_id: int) -> ProactiveItem:
    require_cap(user, Cap.MATTER_VIEW, action=MatterEvent.VIEWED)
    return get_scoped(proactive_list(user=user), proactive_id)
