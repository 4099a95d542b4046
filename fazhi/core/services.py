"""Core services: every state change of organisations, departments, users, officers and
credentials.

Each service checks the actor's capability and scope first, validates its input, then writes in
one durable transaction that also appends the audit event. ``actor=None`` is the system itself
(the ``fazhi demo`` bootstrap and other CLI commands); a web request always passes its user.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import Enum
from typing import Any, Final

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model, Value
from django.db.models.functions import Concat, Substr

from fazhi.core import audit, clock, errors
from fazhi.core.models import (
    Credential,
    Department,
    Officer,
    Organisation,
    OrganisationKind,
    OrganisationLevel,
    Role,
    User,
)
from fazhi.core.models.org import CredentialStatus
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap, require_in_scope
from fazhi.core.validators import division_level, normalise_division_code


class _Unset(Enum):
    UNSET = "unset"


UNSET: Final = _Unset.UNSET
"""Marks an optional argument that was not given (``None`` is a meaningful value there)."""

_LEVEL_RANK = {
    OrganisationLevel.PROVINCE: 0,
    OrganisationLevel.CITY: 1,
    OrganisationLevel.DISTRICT: 2,
}
# Significant digits of a division code at each level: a child's code starts with them.
_CODE_PREFIX = {OrganisationLevel.PROVINCE: 2, OrganisationLevel.CITY: 4}
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@+-]{3,150}$")

# Credential status transitions: (from, to). A revoked credential stays revoked; a new one is
# issued instead.
CREDENTIAL_TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {
        (CredentialStatus.VALID, CredentialStatus.SUSPENDED),
        (CredentialStatus.VALID, CredentialStatus.REVOKED),
        (CredentialStatus.SUSPENDED, CredentialStatus.VALID),
        (CredentialStatus.SUSPENDED, CredentialStatus.REVOKED),
    }
)


# --- guards and validation helpers ---------------------------------------------------------------


def _require_manage(actor: User | None, organisation: Organisation | None, *, action: str) -> None:
    """ORG_MANAGE, and the organisation inside the actor's subtree. ``None`` actor is the system."""
    if actor is None:
        return
    require_cap(actor, Cap.ORG_MANAGE, action=action)
    if organisation is None:
        # A root organisation is created once, at installation, by the system (CLI).
        raise errors.PermissionDenied("只有系统初始化可以创建顶级机构。", attempted=action)
    require_in_scope(actor, organisation, action=action)


def _text(value: str, *, field: str, label: str, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise errors.ValidationFailed(f"{label}不能为空。", code=f"{field}_required", field=field)
    if len(value) > max_length:
        raise errors.ValidationFailed(
            f"{label}不能超过{max_length}个字符。", code=f"{field}_too_long", field=field
        )
    return value


def _division_code(code: str) -> str:
    try:
        return normalise_division_code(code)
    except errors.ValidationFailed as exc:
        raise errors.ValidationFailed(exc.message, code=exc.code, field="division_code") from exc


def _check_placement(
    *, kind: str, level: str, division_code: str | None, parent: Organisation | None
) -> None:
    """Kind and level must fit the parent: commission → lower commission, commission → its
    supervision institute at the same level. ``division_code`` None skips the code checks."""
    if kind not in OrganisationKind.values:
        raise errors.ValidationFailed("机构类型无效。", code="invalid_kind", field="kind")
    if level not in OrganisationLevel.values:
        raise errors.ValidationFailed("机构层级无效。", code="invalid_level", field="level")
    if (
        kind == OrganisationKind.COMMISSION
        and division_code is not None
        and division_level(division_code) != level
    ):
        raise errors.ValidationFailed(
            "行政区划代码与机构层级不符（省级以0000结尾，市级以00结尾）。",
            code="division_code_level",
            field="division_code",
        )
    if parent is None:
        if kind != OrganisationKind.COMMISSION:
            raise errors.ValidationFailed(
                "监督所必须隶属于同级卫生健康委。", code="institute_needs_parent", field="parent"
            )
        return
    if not parent.is_active:
        raise errors.ValidationFailed("上级机构已停用。", code="parent_inactive", field="parent")
    if parent.kind != OrganisationKind.COMMISSION:
        raise errors.ValidationFailed(
            "监督所下不能设立下级机构。", code="parent_not_commission", field="parent"
        )
    if kind == OrganisationKind.SUPERVISION_INSTITUTE:
        if level != parent.level:
            raise errors.ValidationFailed(
                "监督所的层级须与其所属卫生健康委相同。", code="level_mismatch", field="level"
            )
        if division_code is not None and division_code != parent.division_code:
            raise errors.ValidationFailed(
                "监督所的行政区划代码须与其所属卫生健康委相同。",
                code="division_code_mismatch",
                field="division_code",
            )
        return
    if _LEVEL_RANK[OrganisationLevel(level)] <= _LEVEL_RANK[OrganisationLevel(parent.level)]:
        raise errors.ValidationFailed(
            "下级卫生健康委的层级须低于上级。", code="level_mismatch", field="level"
        )
    if division_code is not None:
        digits = _CODE_PREFIX.get(OrganisationLevel(parent.level), 6)
        if division_code[:digits] != parent.division_code[:digits] or (
            division_code == parent.division_code
        ):
            raise errors.ValidationFailed(
                f"行政区划代码须属于上级（{parent.division_code}）的辖区。",
                code="division_code_mismatch",
                field="division_code",
            )


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


def _lock_active(organisation: Organisation) -> None:
    """Inside the transaction: lock the organisation row and require it active, so that adding
    a user or officer and deactivating the organisation cannot interleave."""
    if not Organisation.objects.select_for_update().filter(pk=organisation.pk, is_active=True):
        raise errors.ValidationFailed("机构已停用。", code="organisation_inactive")


def _role(role: str) -> str:
    if role not in Role.values:
        raise errors.ValidationFailed("角色无效。", code="invalid_role", field="role")
    return role


# --- organisations -------------------------------------------------------------------------------


def organisation_create(
    *,
    actor: User | None,
    name: str,
    kind: str,
    level: str,
    division_code: str,
    parent: Organisation | None,
    short_name: str = "",
) -> Organisation:
    _require_manage(actor, parent, action="organisation.create")
    name = _text(name, field="name", label="名称", max_length=100)
    short_name = _text(
        short_name, field="short_name", label="机关代字", max_length=20, required=False
    )
    division_code = _division_code(division_code)
    _check_placement(kind=kind, level=level, division_code=division_code, parent=parent)
    with transaction.atomic(durable=True):
        if parent is not None:
            _lock_active(parent)  # the parent may have been deactivated since the check above
            parent = Organisation.objects.get(pk=parent.pk)
        if Organisation.objects.filter(parent=parent, name=name).exists():
            raise errors.ValidationFailed(
                "同一上级下已有同名机构。", code="duplicate_name", field="name"
            )
        org = Organisation.objects.create(
            name=name,
            short_name=short_name,
            kind=kind,
            level=level,
            division_code=division_code,
            parent=parent,
        )
        org.path = (parent.path if parent else "") + f"{org.pk:06d}/"
        org.save(update_fields=["path"])
        audit.append(
            actor=actor,
            action="organisation.created",
            obj=org,
            organisation_id=org.pk,
            details={
                "name": name,
                "kind": kind,
                "level": level,
                "division_code": division_code,
                "parent_id": parent.pk if parent else None,
            },
        )
    return org


def organisation_update(
    *,
    actor: User | None,
    organisation: Organisation,
    name: str | None = None,
    short_name: str | None = None,
    division_code: str | None = None,
) -> Organisation:
    """Rename, change the code-word or the division code. Kind and level are fixed at creation
    (children depend on them); a move is ``organisation_move``."""
    _require_manage(actor, organisation, action="organisation.update")
    changes: dict[str, Any] = {}
    if name is not None:
        changes["name"] = _text(name, field="name", label="名称", max_length=100)
    if short_name is not None:
        changes["short_name"] = _text(
            short_name, field="short_name", label="机关代字", max_length=20, required=False
        )
    if division_code is not None:
        changes["division_code"] = _division_code(division_code)
        if changes["division_code"] != organisation.division_code:
            _check_placement(
                kind=organisation.kind,
                level=organisation.level,
                division_code=changes["division_code"],
                parent=organisation.parent,
            )
    with transaction.atomic(durable=True):
        org = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if (
            "name" in changes
            and Organisation.objects.filter(parent_id=org.parent_id, name=changes["name"])
            .exclude(pk=org.pk)
            .exists()
        ):
            raise errors.ValidationFailed(
                "同一上级下已有同名机构。", code="duplicate_name", field="name"
            )
        before = {field: getattr(org, field) for field in changes}
        changed = {k: v for k, v in changes.items() if before[k] != v}
        if not changed:
            return org
        for field, value in changed.items():
            setattr(org, field, value)
        org.save(update_fields=list(changed))
        audit.append(
            actor=actor,
            action="organisation.updated",
            obj=org,
            organisation_id=org.pk,
            details={"before": {k: before[k] for k in changed}, "after": changed},
        )
    return org


def _check_move(organisation: Organisation, new_parent: Organisation, division_code: str) -> None:
    if new_parent.path.startswith(organisation.path):
        raise errors.ValidationFailed(
            "不能把机构移到其自身或其下级之下。", code="cycle", field="parent"
        )
    _check_placement(
        kind=organisation.kind,
        level=organisation.level,
        division_code=division_code,
        parent=new_parent,
    )


def organisation_move(
    *,
    actor: User | None,
    organisation: Organisation,
    new_parent: Organisation,
    division_code: str | None = None,
) -> Organisation:
    """Move a subtree under another commission; every path below it is rewritten.

    The division code must lie in the new parent's area: ``division_code`` gives the new one
    (a move across areas changes it), written in the same transaction; default: unchanged."""
    _require_manage(actor, organisation, action="organisation.move")
    _require_manage(actor, new_parent, action="organisation.move")
    code = (
        _division_code(division_code) if division_code is not None else organisation.division_code
    )
    _check_move(organisation, new_parent, code)
    with transaction.atomic(durable=True):
        org = Organisation.objects.select_for_update().get(pk=organisation.pk)
        parent = Organisation.objects.select_for_update().get(pk=new_parent.pk)
        if org.parent_id == parent.pk:
            return org
        if division_code is None:
            code = org.division_code
        _check_move(org, parent, code)  # again on the locked rows: either may have moved since
        old_code = org.division_code
        if Organisation.objects.filter(parent=parent, name=org.name).exists():
            raise errors.ValidationFailed(
                "目标上级下已有同名机构。", code="duplicate_name", field="name"
            )
        old_path, old_parent_id = org.path, org.parent_id
        new_path = parent.path + f"{org.pk:06d}/"
        subtree = Organisation.objects.filter(path__startswith=old_path)
        list(subtree.select_for_update().values_list("pk", flat=True))
        subtree.update(path=Concat(Value(new_path), Substr("path", len(old_path) + 1)))
        Organisation.objects.filter(pk=org.pk).update(parent=parent, division_code=code)
        org.refresh_from_db()
        audit.append(
            actor=actor,
            action="organisation.moved",
            obj=org,
            organisation_id=org.pk,
            details={
                "from_parent_id": old_parent_id,
                "to_parent_id": parent.pk,
                "old_path": old_path,
                "new_path": new_path,
                **({"division_code": [old_code, code]} if code != old_code else {}),
            },
        )
    return org


def organisation_deactivate(
    *, actor: User | None, organisation: Organisation, reason: str
) -> Organisation:
    """Deactivate an organisation with no active children and no active users left."""
    _require_manage(actor, organisation, action="organisation.deactivate")
    reason = _text(reason, field="reason", label="停用原因", max_length=200)
    if actor is not None and organisation.pk == actor.organisation_id:
        raise errors.ValidationFailed("不能停用自己所在的机构。", code="cannot_deactivate_own")
    with transaction.atomic(durable=True):
        org = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if not org.is_active:
            raise errors.Conflict("该机构已停用。", code="already_inactive")
        if org.children.filter(is_active=True).exists():
            raise errors.Conflict("请先停用其下级机构。", code="has_active_children")
        if org.users.filter(is_active=True).exists():
            raise errors.Conflict("请先停用或调出该机构的用户。", code="has_active_users")
        org.is_active = False
        org.save(update_fields=["is_active"])
        audit.append(
            actor=actor,
            action="organisation.deactivated",
            obj=org,
            organisation_id=org.pk,
            details={"reason": reason},
        )
    return org


# --- departments ---------------------------------------------------------------------------------


def department_create(*, actor: User | None, organisation: Organisation, name: str) -> Department:
    _require_manage(actor, organisation, action="department.create")
    name = _text(name, field="name", label="科室名称", max_length=100)
    with transaction.atomic(durable=True):
        if Department.objects.filter(organisation=organisation, name=name).exists():
            raise errors.ValidationFailed(
                "该机构已有同名科室。", code="duplicate_name", field="name"
            )
        department = Department.objects.create(organisation=organisation, name=name)
        audit.append(
            actor=actor, action="department.created", obj=department, details={"name": name}
        )
    return department


def department_rename(*, actor: User | None, department: Department, name: str) -> Department:
    _require_manage(actor, department.organisation, action="department.rename")
    name = _text(name, field="name", label="科室名称", max_length=100)
    with transaction.atomic(durable=True):
        dept = Department.objects.select_for_update().get(pk=department.pk)
        if (
            Department.objects.filter(organisation_id=dept.organisation_id, name=name)
            .exclude(pk=dept.pk)
            .exists()
        ):
            raise errors.ValidationFailed(
                "该机构已有同名科室。", code="duplicate_name", field="name"
            )
        old = dept.name
        dept.name = name
        dept.save(update_fields=["name"])
        audit.append(
            actor=actor, action="department.renamed", obj=dept, details={"from": old, "to": name}
        )
    return dept


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
    _require_manage(actor, organisation, action="user.create")
    username = (username or "").strip()
    if not USERNAME_RE.fullmatch(username):
        raise errors.ValidationFailed(
            "用户名须为3至150位字母、数字或 _ . @ + -。", code="invalid_username", field="username"
        )
    full_name = _text(full_name, field="full_name", label="姓名", max_length=50)
    role = _role(role)
    _department_of(department, organisation)
    candidate = User(username=username, full_name=full_name, email=email)
    _password(password, candidate)
    with transaction.atomic(durable=True):
        _lock_active(organisation)
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
            action="user.created",
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
    _require_manage(actor, user.organisation, action="user.update")
    if organisation is not None:
        _require_manage(actor, organisation, action="user.update")
    changes_self = (role is not None and role != user.role) or (
        organisation is not None and organisation.pk != user.organisation_id
    )
    if actor is not None and actor.pk == user.pk and changes_self:
        raise errors.ValidationFailed("不能修改自己的角色或所属机构。", code="cannot_change_self")
    changes: dict[str, Any] = {}
    if full_name is not None:
        changes["full_name"] = _text(full_name, field="full_name", label="姓名", max_length=50)
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
            _lock_active(organisation)
        locked = User.objects.select_for_update().get(pk=user.pk)
        if (
            department is UNSET
            and organisation is not None
            and locked.department_id is not None
            and Department.objects.get(pk=locked.department_id).organisation_id != organisation.pk
        ):
            changes["department_id"] = None  # the old section does not exist in the new place
        _save_changes(actor=actor, locked=locked, changes=changes, action="user.updated")
    return locked


def _drop_tokens(user: User) -> None:
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=user).delete()


def user_deactivate(*, actor: User | None, user: User, reason: str = "") -> User:
    assert user.organisation is not None
    _require_manage(actor, user.organisation, action="user.deactivate")
    if actor is not None and actor.pk == user.pk:
        raise errors.ValidationFailed("不能停用自己的账号。", code="cannot_change_self")
    reason = _text(reason, field="reason", label="原因", max_length=200, required=False)
    with transaction.atomic(durable=True):
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not locked.is_active:
            raise errors.Conflict("该账号已停用。", code="already_inactive")
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        _drop_tokens(locked)  # API tokens stop working at once
        audit.append(actor=actor, action="user.deactivated", obj=locked, details={"reason": reason})
    return locked


def user_reactivate(*, actor: User | None, user: User) -> User:
    assert user.organisation is not None
    _require_manage(actor, user.organisation, action="user.reactivate")
    with transaction.atomic(durable=True):
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.is_active:
            raise errors.Conflict("该账号已启用。", code="already_active")
        if locked.organisation is not None and not locked.organisation.is_active:
            raise errors.ValidationFailed("机构已停用。", code="organisation_inactive")
        locked.is_active = True
        locked.save(update_fields=["is_active"])
        audit.append(actor=actor, action="user.reactivated", obj=locked)
    return locked


def user_reset_password(*, actor: User | None, user: User, new_password: str) -> User:
    """An administrator sets a new password (e.g. a forgotten one); API tokens are revoked."""
    assert user.organisation is not None
    _require_manage(actor, user.organisation, action="user.reset_password")
    _password(new_password, user)
    with transaction.atomic(durable=True):
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.set_password(new_password)
        locked.password_changed_at = clock.now()
        locked.save(update_fields=["password", "password_changed_at"])
        _drop_tokens(locked)
        audit.append(actor=actor, action="user.password_reset", obj=locked)
    return locked


def user_unlock(*, actor: User | None, user: User) -> int:
    """Clear the django-axes lockout of this username; returns how many attempt rows went."""
    from axes.models import AccessAttempt

    assert user.organisation is not None
    _require_manage(actor, user.organisation, action="user.unlock")
    with transaction.atomic(durable=True):
        count, _ = AccessAttempt.objects.filter(username=user.username).delete()
        audit.append(actor=actor, action="user.unlocked", obj=user, details={"attempts": count})
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
        audit.append(actor=actor, action="user.password_changed", obj=user)
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
    _require_manage(actor, organisation, action="officer.create")
    name = _text(name, field="name", label="姓名", max_length=50)
    title = _text(title, field="title", label="职务", max_length=50, required=False)
    phone = _text(phone, field="phone", label="联系电话", max_length=30, required=False)
    _department_of(department, organisation)
    with transaction.atomic(durable=True):
        _lock_active(organisation)
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
            action="officer.created",
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
    _require_manage(actor, organisation, action="officer.update")
    changes: dict[str, Any] = {}
    if name is not None:
        changes["name"] = _text(name, field="name", label="姓名", max_length=50)
    if title is not None:
        changes["title"] = _text(title, field="title", label="职务", max_length=50, required=False)
    if phone is not None:
        changes["phone"] = _text(
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
        _save_changes(actor=actor, locked=locked, changes=changes, action="officer.updated")
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
    _require_manage(actor, officer.organisation, action="credential.issue")
    number = _text(number, field="number", label="证件编号", max_length=40)
    issuing_authority = _text(
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
            action="credential.issued",
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


def credential_update_status(
    *,
    actor: User | None,
    credential: Credential,
    status: str,
    reason: str,
    on: dt.date | None = None,
) -> Credential:
    """Suspend (暂扣), revoke (注销/吊销) or reinstate a credential, always with a reason."""
    _require_manage(actor, credential.officer.organisation, action="credential.update_status")
    if status not in CredentialStatus.values:
        raise errors.ValidationFailed("证件状态无效。", code="invalid_status", field="status")
    reason = _text(reason, field="reason", label="原因", max_length=200)
    on = on or clock.today()
    with transaction.atomic(durable=True):
        locked = Credential.objects.select_for_update().get(pk=credential.pk)
        if (locked.status, status) not in CREDENTIAL_TRANSITIONS:
            raise errors.InvalidTransition(
                f"证件当前状态为“{locked.get_status_display()}”，不能变更为该状态。",
                **{"from": locked.status, "to": status},
            )
        old = locked.status
        locked.status = status
        locked.status_reason = reason
        locked.status_changed_on = on
        locked.save(update_fields=["status", "status_reason", "status_changed_on"])
        audit.append(
            actor=actor,
            action="credential.status_changed",
            obj=locked,
            organisation_id=credential.officer.organisation_id,
            details={"from": old, "to": status, "reason": reason, "on": on.isoformat()},
        )
    return locked
