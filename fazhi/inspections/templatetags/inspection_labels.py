"""Template filters that show inspection records by name, never by key:
``{{ stratum|stratum_label }}``, ``{{ grade|risk_grade_label }}``, ``{{ kinds|kind_labels }}``,
``{{ names|lookup:key }}``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import template

from fazhi.inspections.models import PlanStratum
from fazhi.inspections.selectors import items as item_selectors
from fazhi.inspections.selectors import plans as plan_selectors
from fazhi.registry.models import RiskGrade

register = template.Library()


@register.filter
def stratum_label(stratum: PlanStratum) -> str:
    return plan_selectors.stratum_label(stratum)


@register.filter
def risk_grade_label(grade: str | None) -> str:
    """A stratum's risk grade letter as users read it (B级（较低风险）); none means every grade."""
    return dict(RiskGrade.choices).get(grade or "", "不限")


@register.filter
def kind_labels(kinds: Iterable[str] | None) -> str:
    return item_selectors.kind_labels(kinds or ())


@register.filter
def lookup(names: Mapping[str, Any] | None, key: str) -> Any:
    return (names or {}).get(key, "")


@register.filter
def basis_points_percent(value: Any) -> str:
    """A ratio frozen in basis points (1250) as users read it: 12.5%."""
    if value in (None, ""):
        return "—"
    return f"{int(value) / 100:g}%"
