"""Reads of hotline tickets and their imports, narrowed to the user's data scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from fazhi.core.models import User
from fazhi.core.roles import Cap
from fazhi.core.scope import get_scoped, require_cap, scoped
from fazhi.matters.events import HotlineEvent, MatterEvent
from fazhi.matters.hotline_models import HotlineImport
from fazhi.matters.models import Matter, MatterKind


def hotline_list(
    *,
    user: User | Any,
    state: str | None = None,
    ticket_type: str | None = None,
    platform: str | None = None,
    year: int | None = None,
    q: str | None = None,
) -> QuerySet[Matter]:
    """The tickets in scope, newest receipt first, with their ticket row (one query a page)."""
    require_cap(user, Cap.MATTER_VIEW, action=MatterEvent.LISTED)
    qs = scoped(Matter.objects.filter(kind=MatterKind.HOTLINE), user).select_related(
        "organisation", "ticket"
    )
    if state:
        qs = qs.filter(state=state)
    if ticket_type:
        qs = qs.filter(ticket__ticket_type=ticket_type)
    if platform:
        qs = qs.filter(ticket__platform=platform)
    if year:
        qs = qs.filter(received_on__gte=dt.date(year, 1, 1), received_on__lte=dt.date(year, 12, 31))
    if q:
        qs = qs.filter(
            Q(ticket__ticket_no=q) | Q(content__icontains=q) | Q(requester_name__icontains=q)
        )
    return qs.order_by("-received_on", "-id")


def hotline_import_get(*, user: User | Any, import_id: int) -> HotlineImport:
    require_cap(user, Cap.MATTER_VIEW, action=HotlineEvent.IMPORTED)
    return get_scoped(
        scoped(HotlineImport.objects.select_related("organisation", "created_by"), user),
        import_id,
    )


ENTITY_CHOICES = 200


def complaint_entities(*, matter: Matter) -> list[tuple[int, str]]:
    """The institutions a complaint ticket may be turned into a case lead against: those under
    the matter's organisation (the first ``ENTITY_CHOICES`` by name; the reader has the matter)."""
    from fazhi.registry.models import Entity

    return list(
        Entity.objects.filter(
            organisation__path__startswith=matter.organisation.path, is_active=True
        )
        .order_by("name", "pk")
        .values_list("pk", "name")[:ENTITY_CHOICES]
    )


def inspection_categories() -> list[tuple[int, str]]:
    """The supervision categories (专业类别) a complaint check may be opened under: the active
    ones, in their order (a short, fixed list)."""
    from fazhi.registry.models import SupervisionCategory

    return list(SupervisionCategory.objects.filter(is_active=True).values_list("pk", "name"))
