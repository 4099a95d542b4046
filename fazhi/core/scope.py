"""Data scope by organisation tree. Every selector narrows its queryset through ``scoped``."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet

from fazhi.core import errors
from fazhi.core.models import Organisation, User
from fazhi.core.roles import Cap, Scope, grant_for

M = TypeVar("M", bound=Model)


def _org_path(user: User | Any) -> str:
    org = user.organisation
    assert org is not None
    return str(org.path)


def has_cap(user: User | Any, cap: Cap) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.organisation_id is None:
        return False
    return cap in grant_for(user.role).caps


def require_cap(user: User, cap: Cap, *, action: str = "") -> None:
    """Raise PermissionDenied unless ``user`` has ``cap``.

    The denial is recorded in the audit chain at the boundary (page middleware, API exception
    handler, CLI), after the service's transaction has rolled back, so the record survives.
    """
    if not has_cap(user, cap):
        raise errors.PermissionDenied(attempted=action or str(cap))


def organisation_filter(user: User | Any, field: str = "organisation") -> Q:
    """The Q that limits ``field`` (a FK to Organisation) to what ``user`` may read."""
    if not getattr(user, "is_authenticated", False) or user.organisation_id is None:
        return Q(pk__in=[])
    grant = grant_for(user.role)
    if grant.scope == Scope.OWN:
        return Q(**{f"{field}_id": user.organisation_id})
    return Q(**{f"{field}__path__startswith": _org_path(user)})


def visible_organisations(user: User | Any) -> QuerySet[Organisation]:
    if not getattr(user, "is_authenticated", False) or user.organisation_id is None:
        return Organisation.objects.none()
    grant = grant_for(user.role)
    if grant.scope == Scope.OWN:
        return Organisation.objects.filter(pk=user.organisation_id)
    return Organisation.objects.filter(path__startswith=_org_path(user))


def scoped(qs: QuerySet[M], user: User | Any, field: str = "organisation") -> QuerySet[M]:
    return qs.filter(organisation_filter(user, field))


def can_act_in(user: User, organisation: Organisation) -> bool:
    """Whether ``user`` may write rows belonging to ``organisation``."""
    if not has_cap(user, Cap.WRITE):
        return False
    grant = grant_for(user.role)
    if grant.scope == Scope.OWN:
        return organisation.pk == user.organisation_id
    return organisation.path.startswith(_org_path(user))


def require_in_scope(user: User, organisation: Organisation, *, action: str) -> None:
    """Writes outside the user's scope are refused as "not found" (recorded at the boundary)."""
    if not can_act_in(user, organisation):
        raise errors.OutOfScope(attempted=action, organisation_id=organisation.pk)
