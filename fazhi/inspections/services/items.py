"""Services: the random-inspection item list (随机抽查事项清单, the 一单 of 一单两库).

No inspection without a basis in law: every item carries its legal basis.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from django.db import transaction

from fazhi.core import audit, errors
from fazhi.core.models import Organisation, User
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap, require_in_scope
from fazhi.inspections.events import ItemEvents
from fazhi.inspections.models import InspectionItem
from fazhi.registry.models import EntityKind, SupervisionCategory

CODE_MAX = 40


def _clean_text(value: str, *, label: str, code: str, max_length: int | None = None) -> str:
    value = (value or "").strip()
    if not value:
        raise errors.ValidationFailed(f"请填写{label}。", code=code)
    if max_length is not None and len(value) > max_length:
        raise errors.ValidationFailed(f"{label}不能超过{max_length}个字符。", code=code)
    return value


def _clean_kinds(kinds: Sequence[str]) -> list[str]:
    valid = set(EntityKind.values)
    cleaned: list[str] = []
    for kind in kinds:
        if kind not in valid:
            raise errors.ValidationFailed(
                f"未知的检查对象类型：{kind}。", code="unknown_entity_kind", kind=kind
            )
        if kind not in cleaned:
            cleaned.append(kind)
    return sorted(cleaned)


def _clean_ratio(value: Decimal | str | float | None) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        ratio = Decimal(str(value))
    except InvalidOperation as exc:
        raise errors.ValidationFailed("抽查比例须为数字。", code="bad_ratio") from exc
    if not ratio.is_finite() or ratio <= 0 or ratio > 100:
        raise errors.ValidationFailed("抽查比例须大于0且不超过100（%）。", code="bad_ratio")
    return ratio.quantize(Decimal("0.01"))


def _clean_category(category: SupervisionCategory) -> SupervisionCategory:
    if not category.is_active:
        raise errors.ValidationFailed("该专业类别已停用。", code="inactive_category")
    return category


def _snapshot(item: InspectionItem) -> dict[str, object]:
    return {
        "code": item.code,
        "name": item.name,
        "category": item.category.code,
        "legal_basis": item.legal_basis,
        "content": item.content,
        "applicable_kinds": list(item.applicable_kinds),
        "default_ratio": str(item.default_ratio) if item.default_ratio is not None else None,
        "frequency": item.frequency,
        "is_active": item.is_active,
    }


def item_create(
    *,
    actor: User,
    organisation: Organisation,
    category: SupervisionCategory,
    code: str,
    name: str,
    legal_basis: str,
    content: str = "",
    applicable_kinds: Sequence[str] = (),
    default_ratio: Decimal | str | float | None = None,
    frequency: str = "",
) -> InspectionItem:
    require_cap(actor, Cap.INSPECTION_PLAN, action=ItemEvents.CREATED)
    require_in_scope(actor, organisation, action=ItemEvents.CREATED)
    code = _clean_text(code, label="事项编码", code="code_required", max_length=CODE_MAX)
    name = _clean_text(name, label="抽查事项名称", code="name_required", max_length=200)
    legal_basis = _clean_text(legal_basis, label="检查依据", code="legal_basis_required")
    kinds = _clean_kinds(applicable_kinds)
    ratio = _clean_ratio(default_ratio)
    _clean_category(category)
    frequency = (frequency or "").strip()[:100]
    with transaction.atomic(durable=True):
        if InspectionItem.objects.filter(organisation=organisation, code=code).exists():
            raise errors.ValidationFailed(
                f"事项编码 {code} 已存在。", code="duplicate_code", item_code=code
            )
        item = InspectionItem.objects.create(
            organisation=organisation,
            category=category,
            code=code,
            name=name,
            legal_basis=legal_basis,
            content=(content or "").strip(),
            applicable_kinds=kinds,
            default_ratio=ratio,
            frequency=frequency,
        )
        audit.append(actor=actor, action=ItemEvents.CREATED, obj=item, details=_snapshot(item))
    return item


def item_update(
    *,
    actor: User,
    item: InspectionItem,
    category: SupervisionCategory,
    name: str,
    legal_basis: str,
    content: str = "",
    applicable_kinds: Sequence[str] = (),
    default_ratio: Decimal | str | float | None = None,
    frequency: str = "",
) -> InspectionItem:
    """Replace the editable fields of an item (its code is its identity and stays)."""
    require_cap(actor, Cap.INSPECTION_PLAN, action=ItemEvents.UPDATED)
    require_in_scope(actor, item.organisation, action=ItemEvents.UPDATED)
    name = _clean_text(name, label="抽查事项名称", code="name_required", max_length=200)
    legal_basis = _clean_text(legal_basis, label="检查依据", code="legal_basis_required")
    kinds = _clean_kinds(applicable_kinds)
    ratio = _clean_ratio(default_ratio)
    _clean_category(category)
    with transaction.atomic(durable=True):
        locked = InspectionItem.objects.select_for_update().get(pk=item.pk)
        before = _snapshot(locked)
        locked.category = category
        locked.name = name
        locked.legal_basis = legal_basis
        locked.content = (content or "").strip()
        locked.applicable_kinds = kinds
        locked.default_ratio = ratio
        locked.frequency = (frequency or "").strip()[:100]
        locked.save()
        after = _snapshot(locked)
        changed = {k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]}
        audit.append(
            actor=actor, action=ItemEvents.UPDATED, obj=locked, details={"changed": changed}
        )
    return locked


def item_deactivate(*, actor: User, item: InspectionItem, reason: str) -> InspectionItem:
    """Take an item off the list for new plans; plans that already use it keep it."""
    require_cap(actor, Cap.INSPECTION_PLAN, action=ItemEvents.DEACTIVATED)
    require_in_scope(actor, item.organisation, action=ItemEvents.DEACTIVATED)
    reason = _clean_text(reason, label="停用理由", code="reason_required", max_length=500)
    with transaction.atomic(durable=True):
        locked = InspectionItem.objects.select_for_update().get(pk=item.pk)
        if not locked.is_active:
            raise errors.InvalidTransition("该事项已停用。", code="already_inactive")
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        audit.append(
            actor=actor,
            action=ItemEvents.DEACTIVATED,
            obj=locked,
            details={"reason": reason},
        )
    return locked


def item_reactivate(*, actor: User, item: InspectionItem) -> InspectionItem:
    require_cap(actor, Cap.INSPECTION_PLAN, action=ItemEvents.REACTIVATED)
    require_in_scope(actor, item.organisation, action=ItemEvents.REACTIVATED)
    with transaction.atomic(durable=True):
        locked = InspectionItem.objects.select_for_update().get(pk=item.pk)
        if locked.is_active:
            raise errors.InvalidTransition("该事项已在启用状态。", code="already_active")
        locked.is_active = True
        locked.save(update_fields=["is_active"])
        audit.append(actor=actor, action=ItemEvents.REACTIVATED, obj=locked)
    return locked
