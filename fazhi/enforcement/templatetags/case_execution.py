"""``{% case_after_decision case as after %}``: the case's deferral or instalments, court
enforcement and police transfers, with their deadlines and steps, for the case page."""

from __future__ import annotations

from django import template

from fazhi.enforcement.models import PenaltyCase
from fazhi.enforcement.selectors.execution import AfterDecision
from fazhi.enforcement.selectors.execution import case_after_decision as _read

register = template.Library()


@register.simple_tag
def case_after_decision(case: PenaltyCase) -> AfterDecision:
    return _read(case)
