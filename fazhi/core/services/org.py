"""Services: every state change of organisations and departments."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr

from fazhi.core import audit, errors
from fazhi.core.audit_events import OrganisationEvents
from fazhi.core.models import (
    Department,
    Organisation,
    OrganisationKind,
    OrganisationLevel,
    User,
)
from fazhi.core.services._common import clean_text, lock_active, require_manage
from fazhi.core.validators import division_level, normalise_division_code

_LEVEL_RANK = {
    OrganisationLevel.PROVINCE: 0,
    OrganisationLevel.CITY: 1,
    OrganisationLevel.DISTRICT: 2,
}
# Significant digits of a division code at each level: a child's code starts with them.
_CODE_PREFIX = {OrganisationLevel.PROVINCE: 2, OrganisationLevel.CITY: 4}


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
    require_manage(actor, parent, action=OrganisationEvents.ORGANISATION_CREATED)
    name = clean_text(name, field="name", label="名称", max_length=100)
    short_name = clean_text(
        short_name, field="short_name", label="机关代字", max_length=20, required=False
    )
    division_code = _division_code(division_code)
    _check_placement(kind=kind, level=level, division_code=division_code, parent=parent)
    with transaction.atomic(durable=True):
        if parent is not None:
            lock_active(parent)  # the parent may have been deactivated since the check above
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
            action=OrganisationEvents.ORGANISATION_CREATED,
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
    require_manage(actor, organisation, action=OrganisationEvents.ORGANISATION_UPDATED)
    changes: dict[str, Any] = {}
    if name is not None:
        changes["name"] = clean_text(name, field="name", label="名称", max_length=100)
    if short_name is not None:
        changes["short_name"] = clean_text(
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
            action=OrganisationEvents.ORGANISATION_UPDATED,
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
    require_manage(actor, organisation, action=OrganisationEvents.ORGANISATION_MOVED)
    require_manage(actor, new_parent, action=OrganisationEvents.ORGANISATION_MOVED)
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
            action=OrganisationEvents.ORGANISATION_MOVED,
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
    require_manage(actor, organisation, action=OrganisationEvents.ORGANISATION_DEACTIVATED)
    reason = clean_text(reason, field="reason", label="停用原因", max_length=200)
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
            action=OrganisationEvents.ORGANISATION_DEACTIVATED,
            obj=org,
            organisation_id=org.pk,
            details={"reason": reason},
        )
    return org


# --- departments ---------------------------------------------------------------------------------


def department_create(*, actor: User | None, organisation: Organisation, name: str) -> Department:
    require_manage(actor, organisation, action=OrganisationEvents.DEPARTMENT_CREATED)
    name = clean_text(name, field="name", label="科室名称", max_length=100)
    with transaction.atomic(durable=True):
        if Department.objects.filter(organisation=organisation, name=name).exists():
            raise errors.ValidationFailed(
                "该机构已有同名科室。", code="duplicate_name", field="name"
            )
        department = Department.objects.create(organisation=organisation, name=name)
        audit.append(
            actor=actor,
            action=OrganisationEvents.DEPARTMENT_CREATED,
            obj=department,
            details={"name": name},
        )
    return department


def department_rename(*, actor: User | None, department: Department, name: str) -> Department:
    require_manage(actor, department.organisation, action=OrganisationEvents.DEPARTMENT_RENAMED)
    name = clean_text(name, field="name", label="科室名称", max_length=100)
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
            actor=actor,
            action=OrganisationEvents.DEPARTMENT_RENAMED,
            obj=dept,
            details={"from": old, "to": name},
        )
    return dept
