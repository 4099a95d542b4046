"""Scoped reads of users, officers and credentials.

Every function narrows through ``fazhi.core.scope`` so that a row outside the user's data scope is
never returned; ``*_get`` reads through ``scope.get_scoped``: such a row is a 404 like a missing
one, but raised as ``errors.OutOfScope`` so that the boundary records the attempt.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet

from fazhi.core import clock
from fazhi.core.models import Credential, Officer, Organisation, User
from fazhi.core.models.org import CredentialState
from fazhi.core.scope import get_scoped, scoped

EXPIRY_WARNING_DAYS = 90


# --- users ---------------------------------------------------------------------------------------


def user_list(
    *,
    user: User,
    organisation: Organisation | None = None,
    role: str | None = None,
    q: str | None = None,
    active: bool | None = None,
) -> QuerySet[User]:
    qs = scoped(User.objects.select_related("organisation", "department"), user)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    if role:
        qs = qs.filter(role=role)
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by("organisation__path", "username")


def user_get(*, user: User, pk: int | str) -> User:
    return get_scoped(user_list(user=user), pk)


def locked_usernames(usernames: list[str]) -> set[str]:
    """Which of these usernames django-axes currently locks out (one query)."""
    from axes.models import AccessAttempt

    if not usernames:
        return set()
    since = clock.now() - settings.AXES_COOLOFF_TIME
    return set(
        AccessAttempt.objects.filter(
            username__in=usernames,
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=since,
        ).values_list("username", flat=True)
    )


# --- officers and credentials --------------------------------------------------------------------


def officer_list(
    *,
    user: User,
    organisation: Organisation | None = None,
    q: str | None = None,
    active: bool | None = None,
) -> QuerySet[Officer]:
    """Officers in scope with their credentials prefetched (newest expiry first)."""
    qs = scoped(
        Officer.objects.select_related("organisation", "department", "user").prefetch_related(
            Prefetch("credentials", queryset=Credential.objects.order_by("-expires_on", "-pk"))
        ),
        user,
    )
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(credentials__number__icontains=q)).distinct()
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by("organisation__path", "name", "pk")


def officer_get(*, user: User, pk: int | str) -> Officer:
    return get_scoped(officer_list(user=user), pk)


def credential_list(
    *, user: User, officer: Officer | None = None, state: str | None = None
) -> QuerySet[Credential]:
    qs = scoped(
        Credential.objects.select_related("officer", "officer__organisation"),
        user,
        field="officer__organisation",
    )
    if officer is not None:
        qs = qs.filter(officer=officer)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("expires_on", "pk")


def credential_get(*, user: User, pk: int | str) -> Credential:
    return get_scoped(credential_list(user=user), pk)


def credentials_expiring(
    *, user: User, within_days: int, today: dt.date | None = None
) -> QuerySet[Credential]:
    """Valid credentials of active officers that expire from today to ``within_days`` ahead."""
    today = today or clock.today()
    return credential_list(user=user, state=CredentialState.VALID).filter(
        officer__is_active=True,
        expires_on__gte=today,
        expires_on__lte=today + dt.timedelta(days=within_days),
    )


@dataclass(frozen=True)
class CredentialStanding:
    """How a credential looks on a given day, for display."""

    credential: Credential | None
    label: str
    css: str  # "ok", "expiring", "expired", "inactive", "none"
    days_left: int | None


def credential_standing(
    officer: Officer, *, today: dt.date, warn_days: int = EXPIRY_WARNING_DAYS
) -> CredentialStanding:
    """The officer's most relevant credential (uses the prefetched list: no query)."""
    credentials = list(officer.credentials.all())
    if not credentials:
        return CredentialStanding(None, "无执法证", "none", None)
    valid = [c for c in credentials if c.state == CredentialState.VALID]
    current = max(valid, key=lambda c: c.expires_on) if valid else credentials[0]
    if current.state != CredentialState.VALID:
        return CredentialStanding(current, current.get_state_display(), "inactive", None)
    days_left = (current.expires_on - today).days
    if days_left < 0:
        return CredentialStanding(current, "已过期", "expired", days_left)
    if current.issued_on > today:
        return CredentialStanding(current, "未生效", "inactive", days_left)
    if days_left <= warn_days:
        return CredentialStanding(current, f"{days_left}天后到期", "expiring", days_left)
    return CredentialStanding(current, "有效", "ok", days_left)
