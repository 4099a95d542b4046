"""Services: every state change of users, officers and credentials."""

from __future__ import annotations

import datetime as dt
import re
from enum import Enum
from typing import Any, Final

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model

from fazhi.core import audit, clock, errors, workflow
from fazhi.core.audit_events import OfficerEvents, UserEvents
from fazhi.core.models import (
    Credential,
    Department,
    Officer,
    Organisation,
    Role,
    User,
)
from fazhi.core.services._common import clean_text, lock_active, require_manage
from fazhi.core.workflows import CREDENTIAL


class _Unset(Enum):
    UNSET = "unset"


UNSET: Final = _Unset.UNSET
"""Marks an optional argument that was not given (``None`` is a meaningful value there)."""


USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@+-]{3,150}$")


def _password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise errors.ValidationFailed(
            "；".join(exc.messages), code="weak_password", field="password"
        ) from exc


def _department_of(department: Department | None, organisation: Organisation) -> None:
    if department is not None and department.organisation_id != organisation.pk:
        raise errors.ValidationFailed(
            "科室不属于所选机构。", code="department_mismatch", field="department"
        )


def _role(role: str) -> str:
    if role not in Role.values:
        raise errors.ValidationFailed("角色无效。", code="invalid_role", field="role")
    return role


# --- users ---------------------------------------------------------------------------------------


def _save_changes(*, actor: Any, locked: Model, changes: dict[str, Any], action: str) -> None:
    """Write the fields of ``changes`` that differ from the locked row, with one audit event
    holding before and after; nothing at all when nothing differs."""
    before = {field: getattr(locked, field) for field in changes}
    changed = {k: v for k, v in changes.items() if before[k] != v}
    if not changed:
        return
    for field, value in changed.items():
        setattr(locked, field, value)
    locked.save(update_fields=list(changed))
    audit.append(
        actor=actor,
        action=action,
        obj=locked,
        details={"before": {k: before[k] for k in changed}, "after": changed},
    )


def user_create(
    *,
    actor: User | None,
    username: str,
    full_name: str,
    organisation: Organisation,
    role: str,
    password: str,
    department: Department | None = None,
    email: str = "",
) -> User:
    require_manage(actor, organisation, action=UserEvents.USER_CREATED)
    username = (username or "").strip()
    if not USERNAME_RE.fullmatch(username):
        raise errors.ValidationFailed(
            "用户名须为3至150位字母、数字或 _ . @ + -。", code="invalid_username", field="username"
        )
    full_name = clean_text(full_name, field="full_name", label="姓名", max_length=50)
    role = _role(role)
    _department_of(department, organisation)
    candidate = User(username=username, full_name=full_name, email=email)
    _password(password, candidate)
    with transaction.atomic(durable=True):
        lock_active(organisation)
        if User.objects.filter(username__iexact=username).exists():
            raise errors.ValidationFailed(
                "用户名已被使用。", code="username_taken", field="username"
            )
        user = User(
            username=username,
            full_name=full_name,
            email=email,
            organisation=organisation,
            department=department,
            role=role,
            is_staff=role == Role.SYSTEM_ADMIN,
            password_changed_at=clock.now(),
        )
        user.set_password(password)
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError as exc:  # a concurrent create of the same username
            raise errors.ValidationFailed(
                "用户名已被使用。", code="username_taken", field="username"
            ) from exc
        audit.append(
            actor=actor,
            action=UserEvents.USER_CREATED,
            obj=user,
            details={"username": username, "role": role, "organisation_id": organisation.pk},
        )
    return user


def user_update(
    *,
    actor: User | None,
    user: User,
    full_name: str | None = None,
    email: str | None = None,
    role: str | None = None,
    organisation: Organisation | None = None,
    department: Department | _Unset | None = UNSET,
) -> User:
    """Change a user's name, role, organisation or department, all within the actor's scope.

    Nobody changes their own role or organisation: that is how privileges would be escalated or an
    administrator would lock themselves out.
    """
    assert user.organisation is not None
    require_manage(actor, user.organisation, action=UserEvents.USER_UPDATED)
    if organisation is not None:
        require_manage(actor, organisation, action=UserEvents.USER_UPDATED)
    changes_self = (role is not None and role != user.role) or (
        organisation is not None and organisation.pk != user.organisation_id
    )
    if actor is not None and actor.pk == user.pk and changes_self:
        raise errors.ValidationFailed("不能修改自己的角色或所属机构。", code="cannot_change_self")
    changes: dict[str, Any] = {}
    if full_name is not None:
        changes["full_name"] = clean_text(full_name, field="full_name", label="姓名", max_length=50)
    if email is not None:
        changes["email"] = email.strip()
    if role is not None:
        changes["role"] = _role(role)
        changes["is_staff"] = role == Role.SYSTEM_ADMIN
    target_org = organisation or user.organisation
    if organisation is not None:
        changes["organisation_id"] = organisation.pk
    if department is not UNSET:
        _department_of(department, target_org)
        changes["department_id"] = department.pk if department else None
    with transaction.atomic(durable=True):
        if organisation is not None and organisation.pk != user.organisation_id:
            lock_active(organisation)
        locked = User.objects.select_for_update().get(pk=user.pk)
        if (
            department is UNSET
            and organisation is not None
            and locked.department_id is not None
            and Department.objects.get(pk=locked.department_id).organisation_id != organisation.pk
        ):
            changes["department_id"] = None  # the old section does not exist in the new place
        _save_changes(actor=actor, locked=locked, changes=changes, action=UserEvents.USER_UPDATED)
    return locked


def _drop_tokens(user: User) -> None:
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=user).delete()


def user_deactivate(*, actor: User | None, user: User, reason: str = "") -> User:
    assert user.organisation is not None
    require_manage(actor, user.organisation, action=UserEvents.USER_DEACTIVATED)
    if actor is not None and actor.pk == user.pk:
        raise errors.ValidationFailed("不能停用自己的账号。", code="cannot_change_self")
    reason = clean_text(reason, field="reason", label="原因", max_length=200, required=False)
    with transaction.atomic(durable=True):
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not locked.is_active:
            raise errors.Conflict("该账号已停用。", code="already_inactive")
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        _drop_tokens(locked)  # API tokens stop working at once
        audit.append(
            actor=actor, action=UserEvents.USER_DEACTIVATED, obj=locked, details={"reason": reason}
        )
    return locked


def user_reactivate(*, actor: User | None, user: User) -> User:
    assert user.organisation is not None
    require_manage(actor, user.organisation, action=UserEvents.USER_REACTIVATED)
    with transaction.atomic(durable=True):
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.is_active:
            raise errors.Conflict("该账号已启用。", code="already_active")
        if locked.organisation is not None and not locked.organisation.is_active:
            raise errors.ValidationFailed("机构已停用。", code="organisation_inactive")
        locked.is_active = True
        locked.save(update_fields=["is_active"])
        audit.append(actor=actor, action=UserEvents.USER_REACTIVATED, obj=locked)
    return locked


def user_reset_password(*, actor: User | None, user: User, new_password: str) -> User:
    """An administrator sets a new password (e.g. a forgotten one); API tokens are revoked."""
    assert user.organisation is not None
    require_manage(actor, user.organisation, action=UserEvents.PASSWORD_RESET)
    _password(new_password, user)
    with transaction.atomic(durable=True):
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.set_password(new_password)
        locked.password_changed_at = clock.now()
        locked.save(update_fields=["password", "password_changed_at"])
        _drop_tokens(locked)
        audit.append(actor=actor, action=UserEvents.PASSWORD_RESET, obj=locked)
    return locked


def user_unlock(*, actor: User | None, user: User) -> int:
    """Clear the django-axes lockout of this username; returns how many attempt rows went."""
    from axes.models import AccessAttempt

    assert user.organisation is not None
    require_manage(actor, user.organisation, action=UserEvents.USER_UNLOCKED)
    with transaction.atomic(durable=True):
        count, _ = AccessAttempt.objects.filter(username=user.username).delete()
        audit.append(
            actor=actor, action=UserEvents.USER_UNLOCKED, obj=user, details={"attempts": count}
        )
    return int(count)


def user_change_password(*, actor: User, old_password: str, new_password: str) -> User:
    if not actor.check_password(old_password):
        raise errors.ValidationFailed("原密码不正确。", code="wrong_password")
    _password(new_password, actor)
    with transaction.atomic(durable=True):
        user = User.objects.select_for_update().get(pk=actor.pk)
        user.set_password(new_password)
        user.password_changed_at = clock.now()
        user.save(update_fields=["password", "password_changed_at"])
        _drop_tokens(user)  # a token obtained with the old password stops working
        audit.append(actor=actor, action=UserEvents.PASSWORD_CHANGED, obj=user)
    return user


# --- officers and credentials --------------------------------------------------------------------


def _officer_user(user: User | None, organisation: Organisation, officer_pk: int | None) -> None:
    if user is None:
        return
    if user.organisation_id != organisation.pk:
        raise errors.ValidationFailed(
            "登录账号须属于执法人员所在机构。", code="user_mismatch", field="user"
        )
    others = Officer.objects.filter(user=user)
    if officer_pk is not None:
        others = others.exclude(pk=officer_pk)
    if others.exists():
        raise errors.ValidationFailed(
            "该登录账号已关联其他执法人员。", code="user_taken", field="user"
        )


def officer_create(
    *,
    actor: User | None,
    organisation: Organisation,
    name: str,
    department: Department | None = None,
    user: User | None = None,
    title: str = "",
    phone: str = "",
    has_legal_qualification: bool = False,
) -> Officer:
    require_manage(actor, organisation, action=OfficerEvents.OFFICER_CREATED)
    name = clean_text(name, field="name", label="姓名", max_length=50)
    title = clean_text(title, field="title", label="职务", max_length=50, required=False)
    phone = clean_text(phone, field="phone", label="联系电话", max_length=30, required=False)
    _department_of(department, organisation)
    with transaction.atomic(durable=True):
        lock_active(organisation)
        _officer_user(user, organisation, None)
        officer = Officer.objects.create(
            organisation=organisation,
            department=department,
            user=user,
            name=name,
            title=title,
            phone=phone,
            has_legal_qualification=has_legal_qualification,
        )
        audit.append(
            actor=actor,
            action=OfficerEvents.OFFICER_CREATED,
            obj=officer,
            details={"name": name, "user_id": user.pk if user else None},
        )
    return officer


def officer_update(
    *,
    actor: User | None,
    officer: Officer,
    name: str | None = None,
    title: str | None = None,
    phone: str | None = None,
    has_legal_qualification: bool | None = None,
    is_active: bool | None = None,
    department: Department | _Unset | None = UNSET,
    user: User | _Unset | None = UNSET,
) -> Officer:
    organisation = officer.organisation
    require_manage(actor, organisation, action=OfficerEvents.OFFICER_UPDATED)
    changes: dict[str, Any] = {}
    if name is not None:
        changes["name"] = clean_text(name, field="name", label="姓名", max_length=50)
    if title is not None:
        changes["title"] = clean_text(
            title, field="title", label="职务", max_length=50, required=False
        )
    if phone is not None:
        changes["phone"] = clean_text(
            phone, field="phone", label="联系电话", max_length=30, required=False
        )
    if has_legal_qualification is not None:
        changes["has_legal_qualification"] = has_legal_qualification
    if is_active is not None:
        changes["is_active"] = is_active
    if department is not UNSET:
        _department_of(department, organisation)
        changes["department_id"] = department.pk if department else None
    with transaction.atomic(durable=True):
        locked = Officer.objects.select_for_update().get(pk=officer.pk)
        if user is not UNSET:
            _officer_user(user, organisation, locked.pk)
            changes["user_id"] = user.pk if user else None
        _save_changes(
            actor=actor, locked=locked, changes=changes, action=OfficerEvents.OFFICER_UPDATED
        )
    return locked


def credential_issue(
    *,
    actor: User | None,
    officer: Officer,
    number: str,
    issued_on: dt.date,
    expires_on: dt.date,
    issuing_authority: str = "",
) -> Credential:
    require_manage(actor, officer.organisation, action=OfficerEvents.CREDENTIAL_ISSUED)
    number = clean_text(number, field="number", label="证件编号", max_length=40)
    issuing_authority = clean_text(
        issuing_authority,
        field="issuing_authority",
        label="发证机关",
        max_length=100,
        required=False,
    )
    if expires_on < issued_on:
        raise errors.ValidationFailed(
            "有效期至不能早于发证日期。", code="expiry_before_issue", field="expires_on"
        )
    if not officer.is_active:
        raise errors.ValidationFailed("该执法人员已不在岗。", code="officer_inactive")
    with transaction.atomic(durable=True):
        if Credential.objects.filter(number=number).exists():
            raise errors.ValidationFailed(
                "证件编号已存在。", code="duplicate_number", field="number"
            )
        credential = Credential.objects.create(
            officer=officer,
            number=number,
            issued_on=issued_on,
            expires_on=expires_on,
            issuing_authority=issuing_authority,
        )
        audit.append(
            actor=actor,
            action=OfficerEvents.CREDENTIAL_ISSUED,
            obj=credential,
            organisation_id=officer.organisation_id,
            details={
                "officer_id": officer.pk,
                "number": number,
                "issued_on": issued_on.isoformat(),
                "expires_on": expires_on.isoformat(),
            },
        )
    return credential


def _credential_transition(
    *, actor: User | None, credential: Credential, action: str, reason: str, on: dt.date | None
) -> Credential:
    """One step of the credential table (``workflows.CREDENTIAL``), always with a reason."""
    event = CREDENTIAL.action(action).event
    require_manage(actor, credential.officer.organisation, action=event)
    reason = clean_text(reason, field="reason", label="原因", max_length=200)
    on = on or clock.today()
    with transaction.atomic(durable=True):
        return workflow.transition(
            CREDENTIAL,
            credential,
            action,
            actor=actor,
            changes={"state_reason": reason, "state_changed_on": on},
            details={"reason": reason, "on": on.isoformat()},
        )


def credential_suspend(
    *, actor: User | None, credential: Credential, reason: str, on: dt.date | None = None
) -> Credential:
    """Suspend (暂扣) a valid credential."""
    return _credential_transition(
        actor=actor, credential=credential, action="suspend", reason=reason, on=on
    )


def credential_revoke(
    *, actor: User | None, credential: Credential, reason: str, on: dt.date | None = None
) -> Credential:
    """Revoke (注销/吊销) a valid or suspended credential: for good, a new one is issued instead."""
    return _credential_transition(
        actor=actor, credential=credential, action="revoke", reason=reason, on=on
    )


def credential_reinstate(
    *, actor: User | None, credential: Credential, reason: str, on: dt.date | None = None
) -> Credential:
    """Make a suspended credential valid again."""
    return _credential_transition(
        actor=actor, credential=credential, action="reinstate", reason=reason, on=on
    )
