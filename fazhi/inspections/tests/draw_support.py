"""Builders for the plan and draw tests (``make_draw_world``), through the real services."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from dataclasses import dataclass, field
from typing import Any

from fazhi.core import clock, testing
from fazhi.core.models import Officer, Organisation, Role, User
from fazhi.core.tests.factories import OrgTree, make_officer, make_org_tree, make_user
from fazhi.inspections.models import Draw, InspectionPlan, PlanKind
from fazhi.inspections.services import pool as pool_services
from fazhi.inspections.services.announcements_v2 import (
    Announced,
    WitnessInput,
    plan_announce_v2,
    witness_reveal,
)
from fazhi.inspections.services.draws import draw_run
from fazhi.inspections.services.plans import plan_create, stratum_add
from fazhi.registry.codes import make_uscc
from fazhi.registry.models import Entity, SupervisionCategory
from fazhi.registry.services.entities import entity_create

_serial = itertools.count(50_000)


@dataclass
class DrawWorld:
    tree: OrgTree
    org: Organisation
    other_org: Organisation
    planner: User  # supervisor: plans and draws
    leader: User  # district commission leader: approves re-draws
    stranger: User  # supervisor of another district
    viewer: User  # read-only
    public_places: SupervisionCategory
    water: SupervisionCategory
    officers: list[Officer] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)


def category(code: str) -> SupervisionCategory:
    return SupervisionCategory.objects.get(code=code)


def make_draw_world(
    *, entities: int = 12, officers: int = 4, province_code: str | None = None
) -> DrawWorld:
    tree = make_org_tree(province_code=province_code)
    district = tree.districts[0]
    org = tree.institute_of(district)
    other = tree.institute_of(tree.districts[2])
    w = DrawWorld(
        tree=tree,
        org=org,
        other_org=other,
        planner=make_user(org, Role.SUPERVISOR, full_name="计划员"),
        leader=make_user(district, Role.LEADER, full_name="分管领导"),
        stranger=make_user(other, Role.SUPERVISOR),
        viewer=make_user(tree.province, Role.VIEWER),
        public_places=category("public_places"),
        water=category("drinking_water"),
    )
    for _ in range(entities):
        w.entities.append(add_entity(w))
    for _ in range(officers):
        w.officers.append(add_inspector(w))
    return w


def add_entity(
    w: DrawWorld,
    *,
    categories: tuple[str, ...] = ("public_places",),
    risk_grade: str = "B",
    org: Organisation | None = None,
    kind: str = "public_place_lodging",
) -> Entity:
    org = org or w.org
    serial = next(_serial)
    actor = w.planner if org == w.org else w.stranger
    return entity_create(
        actor=actor,
        organisation=org,
        name=f"抽查测试单位{serial}",
        kind=kind,
        division_code=org.division_code,
        uscc=make_uscc(org.division_code, serial),
        categories=list(categories),
        risk_grade=risk_grade,
    )


def add_inspector(
    w: DrawWorld,
    *,
    categories: tuple[str, ...] = ("public_places",),
    regions: tuple[str, ...] = (),
    max_tasks: int | None = None,
    credential_days: int | None = 365,
) -> Officer:
    officer = make_officer(w.org, credential_days=365)
    pool_services.inspector_enrol(
        actor=w.planner,
        officer=officer,
        on=clock.today(),
        categories=[category(c) for c in categories],
        regions=list(regions),
        max_tasks_per_plan=max_tasks,
    )
    return officer


def make_plan(w: DrawWorld, *, kind: str = PlanKind.RANDOM, **kw: Any) -> InspectionPlan:
    start = clock.today()
    return plan_create(
        actor=w.planner,
        organisation=w.org,
        kind=kind,
        title=kw.pop("title", f"{start.year}年公共场所双随机抽查{next(_serial)}"),
        year=start.year,
        window_start=start,
        window_end=start + dt.timedelta(days=20),
        **kw,
    )


def secret_pair(label: str) -> tuple[str, str]:
    """A version-1 witness secret and its commitment (for the tests about version 1)."""
    secret = f"secret-{label}"
    return secret, hashlib.sha256(secret.encode()).hexdigest()


def lottery(day: dt.date) -> tuple[str, dict[str, Any]]:
    """The 福彩3D draw of ``day`` as a declared source (period numbered by the day of the year)."""
    return "cwl-3d", {"period": f"{day.year}{day.timetuple().tm_yday:03d}", "date": day.isoformat()}


def announce_past(
    actor: User,
    plan: InspectionPlan,
    *,
    witnesses: int = 0,
    reveal: int = 0,
    days_ago: int = 1,
) -> Announced:
    """A fazhi-draw/2 announcement of ``plan`` published two days before the 福彩3D draw of
    ``days_ago`` days ago (the project clock replayed), so that the plan can be drawn now.
    ``witnesses`` get generated secrets; the first ``reveal`` of them reveal the day before."""
    event_day = clock.today() - dt.timedelta(days=days_ago)
    with clock.replaying(testing.at(event_day - dt.timedelta(days=2))):
        announced = plan_announce_v2(
            actor=actor,
            plan=plan,
            sources=[lottery(event_day)],
            witnesses=[WitnessInput(name=f"见证人{i}") for i in range(1, witnesses + 1)],
            reveal_deadline=testing.at(event_day, hour=12) if witnesses else None,
        )
    with clock.replaying(testing.at(event_day - dt.timedelta(days=1))):
        for position, (_name, text) in enumerate(announced.reveals[:reveal], start=1):
            witness_reveal(
                actor=actor, announcement=announced.announcement, position=position, reveal=text
            )
    return announced


def announce_future(actor: User, plan: InspectionPlan, *, days: int = 1) -> Announced:
    """A fazhi-draw/2 announcement of ``plan`` published now for the 福彩3D draw in ``days`` days
    (a re-draw's announcement must follow its approval); draw it inside ``after_event(days)``."""
    event_day = clock.today() + dt.timedelta(days=days)
    return plan_announce_v2(actor=actor, plan=plan, sources=[lottery(event_day)])


def after_event(days: int = 1) -> Any:
    """The project clock replayed to the evening of the 福彩3D draw in ``days`` days."""
    return clock.replaying(testing.at(clock.today() + dt.timedelta(days=days), hour=22))


def announce_and_draw(
    actor: User, plan: InspectionPlan, *, value: str = "314", **announce: Any
) -> Draw:
    """``announce_past`` then the draw now, with ``value`` as the lottery's result."""
    announce_past(actor, plan, **announce)
    return draw_run(actor=actor, plan=plan, values=[value])


def drawn_plan(
    w: DrawWorld, *, quota: int = 4, entropy: str = "public_event"
) -> tuple[InspectionPlan, Draw]:
    """A plan with one public-places stratum, announced (fazhi-draw/2) and drawn;
    ``entropy="witnesses"`` adds two witnesses, the first revealed and the second withheld."""
    plan = make_plan(w)
    stratum_add(actor=w.planner, plan=plan, key="gg", category=w.public_places, quota=quota)
    if entropy == "witnesses":
        draw = announce_and_draw(w.planner, plan, witnesses=2, reveal=1)
    else:
        draw = announce_and_draw(w.planner, plan)
    plan.refresh_from_db()
    return plan, draw
