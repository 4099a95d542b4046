"""Core services: every state change of organisations, users, officers and credentials."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from fazhi.core import audit
from fazhi.core.models import User


def user_change_password(*, actor: User, old_password: str, new_password: str) -> User:
    from django.contrib.auth.password_validation import validate_password

    from fazhi.core import errors

    if not actor.check_password(old_password):
        raise errors.ValidationFailed("原密码不正确。", code="wrong_password")
    try:
        validate_password(new_password, actor)
    except Exception as exc:  # django ValidationError
        raise errors.ValidationFailed("；".join(getattr(exc, "messages", [str(exc)]))) from exc
    with transaction.atomic(durable=True):
        user = User.objects.select_for_update().get(pk=actor.pk)
        user.set_password(new_password)
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "password_changed_at"])
        audit.append(actor=actor, action="user.password_changed", obj=user)
    return user
