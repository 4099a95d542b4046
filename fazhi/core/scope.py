"""Data scope by organisation tree. Every selector narrows its queryset through ``scoped``."""

from __future__ import annotations

import re
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist, ValidationError
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


def has_root_cap(user: User | Any, cap: Cap) -> bool:
    """Whether ``user`` holds ``cap`` in the root organisation (the one without a parent).

    Some things belong to no organisation below the root: the national holiday calendar (every
    organisation's deadlines are computed on it) and the audit chain as a whole. Their
    capabilities (``calendar.manage``, ``audit.verify``) act only there; a city's system
    administrator holds the same role, and reads them, but does not change them."""
    return (
        has_cap(user, cap) and user.organisation is not None and user.organisation.parent_id is None
    )


def require_root_cap(user: User, cap: Cap, *, action: str, message: str) -> None:
    """Raise PermissionDenied (403, recorded at the boundary) unless ``has_root_cap``."""
    require_cap(user, cap, action=action)
    if not has_root_cap(user, cap):
        raise errors.PermissionDenied(message, attempted=action)


CALENDAR_ROOT_ONLY = "节假日日历是全国统一的基础数据，只有根机构的系统管理员可以修改。"


def require_calendar_admin(actor: User | None, action: str) -> None:
    """The calendar is national reference data: every organisation's deadlines are computed on
    it, so only the root organisation's administrators change it (``has_root_cap``).
    ``actor=None`` is the system itself (CLI, scheduled jobs), which the shell already trusts."""
    if actor is not None:
        require_root_cap(actor, Cap.CALENDAR_MANAGE, action=action, message=CALENDAR_ROOT_ONLY)


def organisation_filter(user: User | Any, field: str = "organisation") -> Q:
    """The Q that limits ``field`` (a FK to Organisation) to what ``user`` may read."""
    if not getattr(user, "is_authenticated", False) or user.organisation_id is None:
        return Q(pk__in=[])
    grant = grant_for(user.role)
    if grant.scope == Scope.OWN:
        return Q(**{f"{field}_id": user.organisation_id})
    return Q(**{f"{field}__path__startswith": _org_path(user)})


def lineage_ids(organisation: Organisation) -> list[int]:
    """The ids of ``organisation`` and of every organisation above it (read from its path)."""
    return [int(part) for part in organisation.path.split("/") if part]


def visible_organisations(user: User | Any) -> QuerySet[Organisation]:
    if not getattr(user, "is_authenticated", False) or user.organisation_id is None:
        return Organisation.objects.none()
    grant = grant_for(user.role)
    if grant.scope == Scope.OWN:
        return Organisation.objects.filter(pk=user.organisation_id)
    return Organisation.objects.filter(path__startswith=_org_path(user))


def scoped(qs: QuerySet[M], user: User | Any, field: str = "organisation") -> QuerySet[M]:
    return qs.filter(organisation_filter(user, field))


def read_action(model: type[Model]) -> str:
    """The event name of reading one row of ``model`` (``InspectionTask`` →
    ``inspection_task.viewed``): what a refused read is recorded as."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", model.__name__).lower() + ".viewed"


def get_scoped(
    qs: QuerySet[M], pk: object, *, lookup: str = "pk", among: QuerySet[M] | None = None
) -> M:
    """The one way to read a single row by an id that came from outside (URL, form, API body).

    ``qs`` is the scoped queryset (``scoped(...)`` or a ``*_list`` selector); the row is the one
    whose ``lookup`` equals ``pk``. When it is not there, ``among`` (default: the whole table;
    pass the unscoped parent filter for rows numbered within a parent, e.g. a plan's draws) tells
    the two refusals apart: a row that exists outside the scope raises ``OutOfScope`` (a 404 to the
    user, exactly like a missing row, but recorded as ``access.denied`` at the boundary, the
    attempt named ``<entity>.viewed``), a row that does not exist raises ``NotFound``. A malformed
    id is a missing row.
    """
    try:
        return qs.get(**{lookup: pk})
    except (ObjectDoesNotExist, ValidationError, ValueError, TypeError) as exc:
        universe = among if among is not None else qs.model._default_manager.all()
        try:
            exists = universe.filter(**{lookup: pk}).exists()
        except (ValidationError, ValueError, TypeError):
            exists = False
        if exists:
            raise errors.OutOfScope(attempted=read_action(qs.model), object_id=str(pk)) from exc
        raise errors.NotFound() from exc


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
