"""Test state for appeals, built through the real services, on a fixed day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fazhi.appeals import services
from fazhi.appeals.models import Appeal, AppealKind
from fazhi.core.models import Organisation, Role, User
from fazhi.core.tests.factories import make_user
from fazhi.enforcement.tests.case_support import CaseWorld, make_case_world

TODAY = dt.date(2026, 11, 30)


@dataclass
class World:
    cw: CaseWorld
    district: Organisation  # the commission, respondent
    legal: User  # its legal office (own scope): answers and appears
    head: User  # the district's head (subtree): reaches the institute's cases
    stranger: User  # a legal officer of another district
    viewer: User  # read-only, above
    supervisor: User  # an inspector of the institute: no appeal capability


def make_world() -> World:
    cw = make_case_world()
    district = cw.w.tree.districts[0]
    other = cw.w.tree.districts[2]
    return World(
        cw=cw,
        district=district,
        legal=make_user(district, Role.LEGAL_REVIEWER, full_name="法制科"),
        head=cw.leader,
        stranger=make_user(other, Role.LEGAL_REVIEWER),
        viewer=make_user(cw.w.tree.cities[0], Role.VIEWER),
        supervisor=cw.handler,
    )


def register(world: World, **kw: Any) -> Appeal:
    values: dict[str, Any] = {
        "actor": world.legal,
        "organisation": world.district,
        "kind": AppealKind.RECONSIDERATION,
        "applicant": "某诊所",
        "reviewing_body": "某区人民政府",
        "act": "行政处罚决定（罚款二千元）",
        "lodged_on": TODAY - dt.timedelta(days=30),
        "received_on": TODAY - dt.timedelta(days=25),
    }
    values.update(kw)
    return services.appeal_register(**values)
