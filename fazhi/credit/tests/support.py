"""Test support for credit: a case world (清源省, whose sample pack has the credit rules) on Mon
2025-09-01, a clinic, and a penalty decision walked to service through the real services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fazhi.core.testing import at
from fazhi.enforcement.models import PenaltyCase, PenaltyKind
from fazhi.enforcement.services import case_steps
from fazhi.enforcement.tests.case_support import (
    CaseWorld,
    file_case,
    investigate,
    make_case_world,
    notify,
    to_decision,
)
from fazhi.inspections.tests.task_support import category, make_entity
from fazhi.registry.models import Entity

MON = dt.date(2025, 9, 1)


def world(clock: Any) -> CaseWorld:
    clock.move_to(at(MON))
    return make_case_world()


def clinic(cw: CaseWorld, **kw: Any) -> Entity:
    category("medical")
    return make_entity(cw.w, kind="clinic", categories=("medical",), **kw)


def served_case(cw: CaseWorld, *, entity: Entity | None = None, fine: str = "2000") -> PenaltyCase:
    """A small fine (no hearing right, no review) decided and served: in effect."""
    case = to_decision(cw, file_case(cw, entity=entity or clinic(cw)), fine=fine)
    return case_steps.case_serve(actor=cw.handler, case=case)


def served_heavy_case(cw: CaseWorld, *, entity: Entity | None = None) -> PenaltyCase:
    """A fine of 200,000 yuan against an organisation (the sample pack's black-list amount):
    the party waives its rights, the legal review is done, decided and served."""
    case = notify(
        cw,
        investigate(cw, file_case(cw, entity=entity or clinic(cw))),
        fine="200000",
        kinds=[PenaltyKind.WARNING, PenaltyKind.FINE],
    )
    case = case_steps.case_waive_rights(actor=cw.handler, case=case)
    case = case_steps.case_review(actor=cw.reviewer, case=case, opinion="同意")
    case = case_steps.case_decide(actor=cw.leader, case=case, outcome="penalty", fine="200000")
    return case_steps.case_serve(actor=cw.handler, case=case)
