"""The records a page or an API request names by id, read through their apps' selectors."""

from __future__ import annotations

import contextlib
from typing import Any

from fazhi.core import clock, errors, params
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap
from fazhi.enforcement.models import PenaltyCase
from fazhi.enforcement.selectors.cases import penalty_case_get
from fazhi.enforcement.widgets import case_label
from fazhi.registry.models import Entity
from fazhi.registry.selectors.entities import entity_get


def entity_named(user: Any, entity_id: int | None) -> Entity:
    if entity_id is None:
        raise errors.ValidationFailed("请选择主体。", code="entity_required", field="entity")
    return entity_get(user=user, entity_id=entity_id)


def case_named(user: Any, case_id: int | None) -> PenaltyCase | None:
    return None if case_id is None else penalty_case_get(user=user, case_id=case_id)


def picked(user: Any, form: Any) -> dict[str, Any]:
    """What the entity and case pickers show as chosen when a form is shown again (after an
    error, or from a link with ``?entity=``/``?case=``): each one's id and name, read through the
    scoped selectors; nothing for an id the user cannot see. Also today's date, the forms'
    default."""
    chosen: dict[str, Any] = {"today": clock.today().isoformat()}
    raw = str(form.get("entity") or "")
    if params.is_id(raw) and has_cap(user, Cap.REGISTRY_VIEW):
        with contextlib.suppress(errors.NotFound, errors.OutOfScope):
            chosen["entity"] = (int(raw), entity_get(user=user, entity_id=int(raw)).name)
    raw = str(form.get("case") or "")
    if params.is_id(raw) and has_cap(user, Cap.CASE_VIEW):
        try:
            case = penalty_case_get(user=user, case_id=int(raw))
            chosen["case"] = (case.pk, case_label(case))
        except (errors.NotFound, errors.OutOfScope):
            pass
    return chosen
