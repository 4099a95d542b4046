"""Test state for disputes, built through the real services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fazhi.core.models import Organisation, Role, User
from fazhi.core.tests.factories import make_org_tree, make_user
from fazhi.disputes.models import DisputeRoute, MedicalDispute
from fazhi.disputes.services import disputes as dispute_services
from fazhi.registry.models import Entity
from fazhi.registry.tests.helpers import make_entity

TODAY = dt.date(2025, 12, 31)


@dataclass
class World:
    city: Organisation
    org: Organisation
    other_org: Organisation
    officer: User  # 信访办理人员 of ``org`` (handles disputes)
    head: User  # 分管领导 of the city (oversees, does not handle)
    stranger: User  # 信访办理人员 of ``other_org``
    viewer: User  # 上级只读查看 of the city
    hospital: Entity  # in ``org``'s reach
    far_hospital: Entity  # in ``other_org``'s reach


def make_world() -> World:
    tree = make_org_tree(province_code="35")
    city = tree.cities[0]
    org, other = tree.districts[0], tree.districts[2]
    officer = make_user(org, Role.PETITION_OFFICER)
    registrar = make_user(org, Role.SUPERVISOR)
    far_registrar = make_user(other, Role.SUPERVISOR)
    return World(
        city=city,
        org=org,
        other_org=other,
        officer=officer,
        head=make_user(city, Role.LEADER),
        stranger=make_user(other, Role.PETITION_OFFICER),
        viewer=make_user(city, Role.VIEWER),
        hospital=make_entity(registrar, name="松溪区人民医院", kind="hospital"),
        far_hospital=make_entity(far_registrar, name="远方医院", kind="hospital"),
    )


def dispute(world: World, **kw: Any) -> MedicalDispute:
    values: dict[str, Any] = {
        "actor": world.officer,
        "organisation": world.org,
        "entity": world.hospital,
        "occurred_on": dt.date(2025, 10, 10),
        "reported_on": dt.date(2025, 10, 12),
        "patient_name": "陈某",
        "summary": "术后感染，患方要求赔偿。",
        "route": DisputeRoute.NEGOTIATION,
    }
    values.update(kw)
    return dispute_services.dispute_register(**values)
