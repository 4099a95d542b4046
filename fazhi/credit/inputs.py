"""The records a page or an API request names by id, read through their apps' selectors."""

from __future__ import annotations

from typing import Any

from fazhi.core import errors
from fazhi.enforcement.models import PenaltyCase
from fazhi.enforcement.selectors.cases import penalty_case_get
from fazhi.registry.models import Entity
from fazhi.registry.selectors.entities import entity_get


def entity_named(user: Any, entity_id: int | None) -> Entity:
    if entity_id is None:
        raise errors.ValidationFailed("请选择主体。", code="entity_required", field="entity")
    return entity_get(user=user, entity_id=entity_id)


def case_named(user: Any, case_id: int | None) -> PenaltyCase | None:
    return None if case_id is None else penalty_case_get(user=user, case_id=case_id)
