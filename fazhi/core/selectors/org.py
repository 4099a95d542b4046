"""Scoped reads of organisations and departments.

Every function narrows through ``fazhi.core.scope`` so that a row outside the user's data scope is
never returned; ``*_get`` reads through ``scope.get_scoped``: such a row is a 404 like a missing
one, but raised as ``errors.OutOfScope`` so that the boundary records the attempt.
"""

from __future__ import annotations

from django.db.models import QuerySet

from fazhi.core.models import Department, Organisation, User
from fazhi.core.scope import get_scoped, scoped, visible_organisations

# --- organisations -------------------------------------------------------------------------------


def organisation_list(
    *, user: User, include_inactive: bool = True, kind: str | None = None
) -> QuerySet[Organisation]:
    """The organisations in the user's scope, in tree (path) order."""
    qs = visible_organisations(user).select_related("parent").order_by("path")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def organisation_get(*, user: User, pk: int | str) -> Organisation:
    return get_scoped(organisation_list(user=user), pk)


def organisation_parent_choices(*, user: User) -> QuerySet[Organisation]:
    """Active commissions in scope: where a new organisation may be placed."""
    return organisation_list(user=user, include_inactive=False, kind="commission")


# --- departments ---------------------------------------------------------------------------------


def department_list(
    *, user: User, organisation: Organisation | None = None
) -> QuerySet[Department]:
    qs = scoped(Department.objects.select_related("organisation"), user)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs.order_by("organisation__path", "name")


def department_get(*, user: User, pk: int | str) -> Department:
    return get_scoped(department_list(user=user), pk)
