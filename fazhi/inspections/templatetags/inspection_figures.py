"""Template helpers for the figures pages and the entity's inspection history."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template

from fazhi.inspections.selectors.figures import FIGURE_LABELS, Figures

register = template.Library()

_CARDS = (
    "drawn",
    "completed",
    "inspected",
    "not_inspected",
    "problems",
    "ordered_to_correct",
    "referrals",
    "cases_filed",
    "joint_tasks",
)


@register.filter
def figure_cards(figures: Figures) -> list[tuple[str, str, Any]]:
    return [(key, FIGURE_LABELS[key], getattr(figures, key)) for key in _CARDS]


@register.filter
def figure_query(figures: Figures, key: str) -> str:
    return urlencode(figures.links[key])


@register.filter
def urlencode_dict(values: dict[str, str]) -> str:
    return urlencode(values)


@register.inclusion_tag("inspections/task_entity_history.html", takes_context=True)
def entity_inspection_history(context: template.Context, entity: Any) -> dict[str, Any]:
    """The entity's inspections the user may read, for the registry's entity page, which
    includes ``inspections/_entity_history.html`` with ``entity`` in its context."""
    from fazhi.core.roles import Cap
    from fazhi.core.scope import has_cap
    from fazhi.inspections.selectors.tasks import entity_inspection_history as history

    user = context["request"].user
    if not has_cap(user, Cap.INSPECTION_VIEW):
        return {"tasks": [], "allowed": False}
    return {"tasks": list(history(user=user, entity=entity)[:50]), "allowed": True}
