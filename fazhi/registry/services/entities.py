"""Services: every state change of the entity directory's entities (and their risk grade)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction

from fazhi.core import audit, errors
from fazhi.core.models import Organisation, User
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap, require_in_scope
from fazhi.registry.events import EntityEvent
from fazhi.registry.models import (
    Entity,
    EntityKind,
    EntityStatus,
    RiskGrade,
    SupervisionCategory,
)
from fazhi.registry.services._common import check_choice, clean_reason, lock_entity

NAME_MAX = 200


# Registry rows that belong to an entity and go with it; any other relation (inspection tasks,
# cases, ...) is "history" and blocks deletion.
_OWN_RELATIONS = {"licences", "categories", "Entity_categories+"}


# --- validation helpers (shared with the importer) -----------------------------------------------


def normalise_uscc(value: str) -> str:
    """The normalised USCC, or raise ValidationFailed (GB 32100 check via core validators)."""
    from fazhi.core.validators import normalise_uscc as _normalise

    return _normalise(value)


def normalise_id_number(value: str) -> str:
    from fazhi.core.validators import normalise_id_number as _normalise

    return _normalise(value)


def normalise_division_code(value: str) -> str:
    from fazhi.core.validators import normalise_division_code as _normalise

    return _normalise(value)


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise errors.ValidationFailed("名称不能为空。", code="missing_name")
    if len(name) > NAME_MAX:
        raise errors.ValidationFailed(f"名称不能超过{NAME_MAX}个字符。", code="name_too_long")
    return name


def _codes(*, is_individual: bool, uscc: str, id_number: str) -> tuple[str, str]:
    uscc = normalise_uscc(uscc) if uscc.strip() else ""
    id_number = normalise_id_number(id_number) if id_number.strip() else ""
    if is_individual and not id_number:
        raise errors.ValidationFailed("个人须填写公民身份号码。", code="missing_id_number")
    if not is_individual and not uscc:
        raise errors.ValidationFailed("单位须填写统一社会信用代码。", code="missing_uscc")
    if not is_individual and id_number:
        raise errors.ValidationFailed(
            "单位不填写公民身份号码，请填写统一社会信用代码。", code="id_number_for_organisation"
        )
    return uscc, id_number


def _check_unique(*, uscc: str, id_number: str, exclude_pk: int | None = None) -> None:
    others = Entity.objects.all()
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    # The directory is one register: a code can be held once, whichever organisation holds it.
    if uscc and others.filter(uscc=uscc).exists():
        raise errors.ValidationFailed(
            "该统一社会信用代码已在名录库中。", code="already_in_directory", field="uscc"
        )
    if id_number and others.filter(id_number=id_number).exists():
        raise errors.ValidationFailed(
            "该公民身份号码已在名录库中。", code="already_in_directory", field="id_number"
        )


def resolve_categories(values: Iterable[SupervisionCategory | str | int]) -> list[int]:
    """Category ids from instances, ids, codes or Chinese names; unknown -> ValidationFailed."""
    wanted = list(values)
    known = {c.code: c.pk for c in SupervisionCategory.objects.filter(is_active=True)}
    names = {c.name: c.pk for c in SupervisionCategory.objects.filter(is_active=True)}
    ids = set(known.values())
    out: list[int] = []
    for value in wanted:
        if isinstance(value, SupervisionCategory):
            pk: int | None = value.pk
        elif isinstance(value, int):
            pk = value if value in ids else None
        else:
            pk = known.get(value.strip()) or names.get(value.strip())
        if pk is None:
            raise errors.ValidationFailed(f"未知的专业类别：{value}", code="unknown_category")
        if pk not in out:
            out.append(pk)
    return out


def _integrity(exc: IntegrityError) -> errors.ValidationFailed:
    return errors.ValidationFailed(
        "代码已在名录库中（可能刚被他人登记）。", code="already_in_directory", detail=str(exc)[:200]
    )


def entity_create(
    *,
    actor: User,
    organisation: Organisation,
    name: str,
    kind: str,
    division_code: str,
    uscc: str = "",
    id_number: str = "",
    is_individual: bool = False,
    categories: Sequence[SupervisionCategory | str | int] = (),
    address: str = "",
    legal_representative: str = "",
    status: str = EntityStatus.OPERATING,
    risk_grade: str = RiskGrade.B,
) -> Entity:
    require_cap(actor, Cap.REGISTRY_MANAGE, action=EntityEvent.CREATED)
    require_in_scope(actor, organisation, action=EntityEvent.CREATED)
    name = _clean_name(name)
    check_choice(kind, EntityKind, code="unknown_kind", label="类型")
    check_choice(status, EntityStatus, code="unknown_status", label="经营状态")
    check_choice(risk_grade, RiskGrade, code="bad_risk_grade", label="风险等级")
    uscc, id_number = _codes(is_individual=is_individual, uscc=uscc, id_number=id_number)
    division_code = normalise_division_code(division_code)
    category_ids = resolve_categories(categories)
    try:
        with transaction.atomic(durable=True):
            _check_unique(uscc=uscc, id_number=id_number)
            entity = Entity.objects.create(
                organisation=organisation,
                name=name,
                uscc=uscc,
                id_number=id_number,
                is_individual=is_individual,
                kind=kind,
                division_code=division_code,
                address=address.strip()[:300],
                legal_representative=legal_representative.strip()[:100],
                status=status,
                risk_grade=risk_grade,
            )
            entity.categories.set(category_ids)
            audit.append(
                actor=actor,
                action=EntityEvent.CREATED,
                obj=entity,
                details={"name": name, "code": entity.code, "categories": category_ids},
            )
    except IntegrityError as exc:
        raise _integrity(exc) from exc
    return entity


_UPDATABLE = (
    "name",
    "kind",
    "division_code",
    "uscc",
    "id_number",
    "is_individual",
    "address",
    "legal_representative",
    "status",
)


def entity_update(
    *,
    actor: User,
    entity_id: int,
    name: str | None = None,
    kind: str | None = None,
    division_code: str | None = None,
    uscc: str | None = None,
    id_number: str | None = None,
    is_individual: bool | None = None,
    categories: Sequence[SupervisionCategory | str | int] | None = None,
    address: str | None = None,
    legal_representative: str | None = None,
    status: str | None = None,
) -> Entity:
    """Change the given fields (None = unchanged). Risk grade has its own service."""
    require_cap(actor, Cap.REGISTRY_MANAGE, action=EntityEvent.UPDATED)
    if name is not None:
        name = _clean_name(name)
    if kind is not None:
        check_choice(kind, EntityKind, code="unknown_kind", label="类型")
    if status is not None:
        check_choice(status, EntityStatus, code="unknown_status", label="经营状态")
    if division_code is not None:
        division_code = normalise_division_code(division_code)
    category_ids = resolve_categories(categories) if categories is not None else None
    try:
        with transaction.atomic(durable=True):
            entity = lock_entity(actor, entity_id, action=EntityEvent.UPDATED)
            new_values: dict[str, Any] = {
                "name": name,
                "kind": kind,
                "division_code": division_code,
                "address": None if address is None else address.strip()[:300],
                "legal_representative": (
                    None if legal_representative is None else legal_representative.strip()[:100]
                ),
                "status": status,
                "is_individual": is_individual,
            }
            if uscc is not None or id_number is not None or is_individual is not None:
                new_uscc, new_id = _codes(
                    is_individual=entity.is_individual if is_individual is None else is_individual,
                    uscc=entity.uscc if uscc is None else uscc,
                    id_number=entity.id_number if id_number is None else id_number,
                )
                _check_unique(uscc=new_uscc, id_number=new_id, exclude_pk=entity.pk)
                new_values["uscc"] = new_uscc
                new_values["id_number"] = new_id
            changes: dict[str, list[Any]] = {}
            for field in _UPDATABLE:
                value = new_values.get(field)
                if value is not None and getattr(entity, field) != value:
                    changes[field] = [getattr(entity, field), value]
                    setattr(entity, field, value)
            if category_ids is not None:
                old = sorted(entity.categories.values_list("pk", flat=True))
                if old != sorted(category_ids):
                    changes["categories"] = [old, sorted(category_ids)]
                    entity.categories.set(category_ids)
            if not changes:
                return entity
            entity.save()
            audit.append(actor=actor, action=EntityEvent.UPDATED, obj=entity, details=changes)
    except IntegrityError as exc:
        raise _integrity(exc) from exc
    return entity


def entity_deactivate(*, actor: User, entity_id: int, reason: str) -> Entity:
    """Take an entity out of the directory's active list (no longer drawn); kept for history."""
    require_cap(actor, Cap.REGISTRY_MANAGE, action=EntityEvent.DEACTIVATED)
    reason = clean_reason(reason)
    with transaction.atomic(durable=True):
        entity = lock_entity(actor, entity_id, action=EntityEvent.DEACTIVATED)
        if not entity.is_active:
            raise errors.InvalidTransition("该检查对象已停用。", code="already_inactive")
        entity.is_active = False
        entity.deactivated_reason = reason
        entity.save(update_fields=["is_active", "deactivated_reason", "updated_at"])
        audit.append(
            actor=actor,
            action=EntityEvent.DEACTIVATED,
            obj=entity,
            details={"reason": reason},
        )
    return entity


def entity_reactivate(*, actor: User, entity_id: int, reason: str) -> Entity:
    require_cap(actor, Cap.REGISTRY_MANAGE, action=EntityEvent.REACTIVATED)
    reason = clean_reason(reason)
    with transaction.atomic(durable=True):
        entity = lock_entity(actor, entity_id, action=EntityEvent.REACTIVATED)
        if entity.is_active:
            raise errors.InvalidTransition("该检查对象处于在册状态。", code="already_active")
        entity.is_active = True
        entity.deactivated_reason = ""
        entity.save(update_fields=["is_active", "deactivated_reason", "updated_at"])
        audit.append(
            actor=actor,
            action=EntityEvent.REACTIVATED,
            obj=entity,
            details={"reason": reason},
        )
    return entity


def entity_history_blockers(entity: Entity) -> list[str]:
    """Names of other apps' relations that hold rows for ``entity`` (inspection history etc.)."""
    blockers = []
    for rel in Entity._meta.related_objects:
        accessor = rel.get_accessor_name() or rel.name
        if rel.related_model._meta.app_label == "registry" or accessor in _OWN_RELATIONS:
            continue
        model = rel.related_model
        if model._default_manager.filter(**{rel.field.name: entity}).exists():
            blockers.append(str(model._meta.verbose_name))
    return blockers


def entity_delete(*, actor: User, entity_id: int, reason: str) -> None:
    """Delete a wrongly entered entity. Refused once it has any history in other modules."""
    require_cap(actor, Cap.REGISTRY_MANAGE, action=EntityEvent.DELETED)
    reason = clean_reason(reason)
    with transaction.atomic(durable=True):
        entity = lock_entity(actor, entity_id, action=EntityEvent.DELETED)
        blockers = entity_history_blockers(entity)
        if blockers:
            raise errors.Conflict(
                "该检查对象已有" + "、".join(blockers) + "记录，不能删除，只能停用。",
                code="entity_has_history",
            )
        snapshot = {
            "reason": reason,
            "name": entity.name,
            "code": entity.code,
            "kind": entity.kind,
            "division_code": entity.division_code,
            "licences": list(entity.licences.values_list("number", flat=True)),
        }
        audit.append(actor=actor, action=EntityEvent.DELETED, obj=entity, details=snapshot)
        entity.delete()


def risk_grade_set(*, actor: User, entity_id: int, grade: str, reason: str = "") -> Entity:
    require_cap(actor, Cap.REGISTRY_MANAGE, action=EntityEvent.REGRADED)
    check_choice(grade, RiskGrade, code="bad_risk_grade", label="风险等级")
    with transaction.atomic(durable=True):
        entity = lock_entity(actor, entity_id, action=EntityEvent.REGRADED)
        old = entity.risk_grade
        if old == grade:
            return entity
        entity.risk_grade = grade
        entity.save(update_fields=["risk_grade", "updated_at"])
        audit.append(
            actor=actor,
            action=EntityEvent.REGRADED,
            obj=entity,
            details={"old": old, "new": grade, "reason": reason.strip()[:500]},
        )
    return entity
