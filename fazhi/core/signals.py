"""Logins, logouts, failed logins and lockouts go into the audit chain."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver

from fazhi.core import audit
from fazhi.core.audit_events import AccessEvents
from fazhi.core.middleware import session_renewed_now


def _ip(request: Any) -> str:
    if request is None:
        return ""
    return str(request.META.get("REMOTE_ADDR", ""))


@receiver(user_logged_in)
def _on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        session_renewed_now(request.session)
    with transaction.atomic():
        audit.append(
            actor=user, action=AccessEvents.SESSION_STARTED, obj=user, details={"ip": _ip(request)}
        )


@receiver(user_logged_out)
def _on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    with transaction.atomic():
        audit.append(
            actor=user, action=AccessEvents.SESSION_ENDED, obj=user, details={"ip": _ip(request)}
        )


@receiver(user_login_failed)
def _on_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kw: Any
) -> None:
    username = str(credentials.get("username", ""))[:150]
    known = get_user_model().objects.filter(username=username).first()
    with transaction.atomic():
        audit.append(
            actor=None,
            action=AccessEvents.LOGIN_FAILED,
            object_type="core.user",
            object_id=str(known.pk) if known else "",
            organisation_id=known.organisation_id if known else None,
            details={"username": username, "ip": _ip(request)},
        )


@receiver(user_locked_out)
def _on_locked_out(sender: Any, request: Any = None, username: str = "", **kwargs: Any) -> None:
    with transaction.atomic():
        audit.append(
            actor=None,
            action=AccessEvents.ACCOUNT_LOCKED,
            object_type="core.user",
            details={"username": username, "ip": _ip(request)},
        )
