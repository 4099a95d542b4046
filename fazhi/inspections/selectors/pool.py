"""Selectors: the inspector pool, its leave periods and conflict declarations."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from fazhi.core import errors, params
from fazhi.core.models import Credential, Officer, Organisation, User
from fazhi.core.models.org import CredentialState
from fazhi.core.roles import Cap
from fazhi.core.scope import get_scoped, require_cap, scoped
from fazhi.inspections.events import ConflictEvents, InspectorEvents
from fazhi.inspections.models import ConflictDeclaration, InspectorLeave, InspectorProfile
from fazhi.registry.models import Entity


def _with_related(qs: QuerySet[InspectorProfile]) -> QuerySet[InspectorProfile]:
    return qs.select_related("officer", "organisation").prefetch_related(
        "categories", Prefetch("officer__credentials", queryset=Credential.objects.all())
    )


def pool_list(
    *,
    user: User,
    in_pool: bool | None = None,
    category: str | None = None,
    q: str = "",
) -> QuerySet[InspectorProfile]:
    require_cap(user, Cap.INSPECTION_VIEW, action=InspectorEvents.LISTED)
    qs = scoped(InspectorProfile.objects.all(), user)
    if in_pool is not None:
        qs = qs.filter(in_pool=in_pool)
    if category:
        qs = qs.filter(categories__code=category)
    if q:
        qs = qs.filter(officer__name__icontains=q)
    return _with_related(qs.distinct()).order_by("organisation__path", "officer__name", "id")


def pool_get(*, user: User, pk: int) -> InspectorProfile:
    require_cap(user, Cap.INSPECTION_VIEW, action=InspectorEvents.VIEWED)
    return get_scoped(_with_related(scoped(InspectorProfile.objects.all(), user)), pk)


def officer_for_enrolment(*, user: User, pk: int) -> Officer:
    """An officer of the user's scope (to enrol or to record leave/conflicts for)."""
    require_cap(user, Cap.INSPECTION_VIEW, action=InspectorEvents.VIEWED)
    return get_scoped(scoped(Officer.objects.all(), user).select_related("organisation"), pk)


def officers_not_enrolled(*, user: User) -> QuerySet[Officer]:
    require_cap(user, Cap.INSPECTION_PLAN, action=InspectorEvents.ENROLLED)
    return (
        scoped(Officer.objects.filter(is_active=True), user)
        .filter(inspector_profile__isnull=True)
        .select_related("organisation")
        .order_by("name", "id")
    )


def pool_eligible(*, organisation: Organisation, on: dt.date) -> QuerySet[InspectorProfile]:
    """Inspectors of ``organisation`` who may be drawn on ``on``: in the pool, officer in post,
    a credential valid on that day, not on leave that day. Per-entity constraints (回避,
    qualified category, region, workload) are the draw's to apply; the officers' declarations
    in force that day are prefetched as ``profile.officer.active_conflicts``."""
    valid_credential = Credential.objects.filter(
        officer=OuterRef("officer"),
        state=CredentialState.VALID,
        issued_on__lte=on,
        expires_on__gte=on,
    )
    on_leave = InspectorLeave.objects.filter(
        officer=OuterRef("officer"), start__lte=on, end__gte=on
    )
    return (
        InspectorProfile.objects.filter(
            organisation=organisation, in_pool=True, officer__is_active=True
        )
        .filter(Exists(valid_credential))
        .exclude(Exists(on_leave))
        .select_related("officer")
        .prefetch_related(
            "categories",
            Prefetch(
                "officer__conflict_declarations",
                queryset=ConflictDeclaration.objects.filter(
                    Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on), declared_on__lte=on
                ),
                to_attr="active_conflicts",
            ),
        )
        .order_by("officer_id")
    )


def leave_list(*, user: User, officer: Officer | None = None) -> QuerySet[InspectorLeave]:
    require_cap(user, Cap.INSPECTION_VIEW, action=InspectorEvents.LEAVES_LISTED)
    qs = scoped(InspectorLeave.objects.all(), user, "officer__organisation")
    if officer is not None:
        qs = qs.filter(officer=officer)
    return qs.select_related("officer").order_by("officer__name", "start", "id")


def leave_get(*, user: User, pk: int) -> InspectorLeave:
    return get_scoped(leave_list(user=user), pk)


def conflict_list(
    *,
    user: User,
    officer: Officer | None = None,
    active: bool | None = None,
) -> QuerySet[ConflictDeclaration]:
    require_cap(user, Cap.INSPECTION_VIEW, action=ConflictEvents.LISTED)
    qs = scoped(ConflictDeclaration.objects.all(), user, "officer__organisation")
    if officer is not None:
        qs = qs.filter(officer=officer)
    if active is not None:
        qs = qs.filter(withdrawn_on__isnull=active)
    return qs.select_related("officer", "entity").order_by("officer__name", "-declared_on", "id")


def conflict_get(*, user: User, pk: int) -> ConflictDeclaration:
    return get_scoped(conflict_list(user=user), pk)


def entity_for_conflict(*, user: User, ref: str) -> Entity:
    """An entity of the user's scope named by its code (USCC / ID number) or its id."""
    ref = (ref or "").strip().upper()
    qs = scoped(Entity.objects.all(), user)
    if params.is_id(ref) and len(ref) < 18:
        found = qs.filter(pk=int(ref)).first()
    else:
        found = qs.filter(Q(uscc=ref) | Q(id_number=ref)).first() if ref else None
    if found is None:
        raise errors.NotFound("名录库中没有该检查对象，或不在您的数据范围内。")
    return found
