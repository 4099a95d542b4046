"""Services: licences of entities (practice points are credit's: decision 0083)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction

from fazhi.core import audit, errors
from fazhi.core.models import User
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap
from fazhi.registry.events import LicenceEvent
from fazhi.registry.models import Licence, LicenceKind
from fazhi.registry.services._common import check_choice, lock_entity


def _check_licence(*, kind: str, number: str, valid_from: dt.date, valid_to: dt.date | None) -> str:
    check_choice(kind, LicenceKind, code="unknown_licence_kind", label="许可证类型")
    number = (number or "").strip()
    if not number:
        raise errors.ValidationFailed("许可证号不能为空。", code="missing_licence_number")
    if len(number) > 60:
        raise errors.ValidationFailed("许可证号过长。", code="licence_number_too_long")
    if valid_to is not None and valid_to < valid_from:
        raise errors.ValidationFailed("有效期至不能早于有效期起。", code="bad_validity")
    return number


def licence_add(
    *,
    actor: User,
    entity_id: int,
    kind: str,
    number: str,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    scope: str = "",
) -> Licence:
    require_cap(actor, Cap.REGISTRY_MANAGE, action=LicenceEvent.ADDED)
    number = _check_licence(kind=kind, number=number, valid_from=valid_from, valid_to=valid_to)
    try:
        with transaction.atomic(durable=True):
            entity = lock_entity(actor, entity_id, action=LicenceEvent.ADDED)
            if Licence.objects.filter(kind=kind, number=number).exists():
                raise errors.ValidationFailed("该许可证号已登记。", code="duplicate_licence")
            licence = Licence.objects.create(
                entity=entity,
                kind=kind,
                number=number,
                scope=scope.strip()[:500],
                valid_from=valid_from,
                valid_to=valid_to,
            )
            audit.append(
                actor=actor,
                action=LicenceEvent.ADDED,
                obj=entity,
                details={"licence_id": licence.pk, "kind": kind, "number": number},
            )
    except IntegrityError as exc:
        raise errors.ValidationFailed("该许可证号已登记。", code="duplicate_licence") from exc
    return licence


def licence_update(
    *,
    actor: User,
    licence_id: int,
    number: str | None = None,
    scope: str | None = None,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    clear_valid_to: bool = False,
) -> Licence:
    require_cap(actor, Cap.REGISTRY_MANAGE, action=LicenceEvent.UPDATED)
    try:
        with transaction.atomic(durable=True):
            licence = Licence.objects.select_for_update().filter(pk=licence_id).first()
            if licence is None:
                raise errors.NotFound()
            entity = lock_entity(actor, licence.entity_id, action=LicenceEvent.UPDATED)
            new_to = None if clear_valid_to else (valid_to or licence.valid_to)
            new_number = _check_licence(
                kind=licence.kind,
                number=licence.number if number is None else number,
                valid_from=valid_from or licence.valid_from,
                valid_to=new_to,
            )
            if (
                new_number != licence.number
                and Licence.objects.filter(kind=licence.kind, number=new_number).exists()
            ):
                raise errors.ValidationFailed("该许可证号已登记。", code="duplicate_licence")
            changes: dict[str, list[Any]] = {}
            for field, value in (
                ("number", new_number),
                ("scope", None if scope is None else scope.strip()[:500]),
                ("valid_from", valid_from),
                ("valid_to", new_to),
            ):
                if field != "valid_to" and value is None:
                    continue
                if getattr(licence, field) != value:
                    changes[field] = [getattr(licence, field), value]
                    setattr(licence, field, value)
            if not changes:
                return licence
            licence.save()
            audit.append(
                actor=actor,
                action=LicenceEvent.UPDATED,
                obj=entity,
                details={"licence_id": licence.pk, **changes},
            )
    except IntegrityError as exc:
        raise errors.ValidationFailed("该许可证号已登记。", code="duplicate_licence") from exc
    return licence
