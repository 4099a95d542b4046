"""Test support for the item list, pool, tasks, figures and portal tests: ``make_task_world``.

State is built through the real services. The one exception is ``make_task``: it stands in for
the draw (``services.draws``), writing the task and its two inspectors the way a draw stores
them, so that result recording can be tested without running a whole draw.
"""

from __future__ import annotations

import datetime as dt
import importlib
import itertools
from dataclasses import dataclass
from typing import Any

from fazhi.core import clock
from fazhi.core.models import Officer, Organisation, Role, User
from fazhi.core.tests.factories import OrgTree, make_officer, make_org_tree, make_user
from fazhi.inspections.models import (
    InspectionItem,
    InspectionPlan,
    InspectionTask,
    InspectorRole,
    NamesPublic,
    PlanKind,
    TaskInspector,
)
from fazhi.inspections.services import items as item_services
from fazhi.inspections.services.plans import plan_create
from fazhi.registry.codes import make_id_number, make_uscc
from fazhi.registry.models import Entity, SupervisionCategory
from fazhi.registry.services.entities import entity_create

_serial = itertools.count(1000)


@dataclass
class TaskWorld:
    tree: OrgTree
    org: Organisation  # a district supervision institute
    other_org: Organisation  # another district's institute
    planner: User  # supervisor of ``org``: plans, records, manages the pool
    leader: User  # leader of the district commission (subtree)
    inspector_a: User
    inspector_b: User
    outsider: User  # supervisor of ``org`` not assigned to tasks
    stranger: User  # supervisor of ``other_org``
    officer_a: Officer
    officer_b: Officer
    public_places: SupervisionCategory
    water: SupervisionCategory


def category(code: str) -> SupervisionCategory:
    """A seeded category. A transactional test elsewhere in the suite flushes the tables, seeds
    included, so they are put back from the seeding migration's own list when missing."""
    found = SupervisionCategory.objects.filter(code=code).first()
    if found is not None:
        return found
    seed = importlib.import_module("fazhi.registry.migrations.0002_seed_supervision_categories")
    for order, (seed_code, name) in enumerate(seed.CATEGORIES, start=1):
        SupervisionCategory.objects.get_or_create(
            code=seed_code, defaults={"name": name, "sort_order": order * 10}
        )
    return SupervisionCategory.objects.get(code=code)


def make_task_world() -> TaskWorld:
    tree = make_org_tree()
    district = tree.districts[0]
    org = tree.institute_of(district)
    other_org = tree.institute_of(tree.districts[2])
    planner = make_user(org, Role.SUPERVISOR, full_name="计划员")
    inspector_a = make_user(org, Role.SUPERVISOR, full_name="检查员甲")
    inspector_b = make_user(org, Role.SUPERVISOR, full_name="检查员乙")
    officer_a = make_officer(org, name="检查员甲", user=inspector_a)
    officer_b = make_officer(org, name="检查员乙", user=inspector_b)
    return TaskWorld(
        tree=tree,
        org=org,
        other_org=other_org,
        planner=planner,
        leader=make_user(district, Role.LEADER),
        inspector_a=inspector_a,
        inspector_b=inspector_b,
        outsider=make_user(org, Role.SUPERVISOR),
        stranger=make_user(other_org, Role.SUPERVISOR),
        officer_a=officer_a,
        officer_b=officer_b,
        public_places=category("public_places"),
        water=category("drinking_water"),
    )


def make_entity(
    world: TaskWorld,
    *,
    org: Organisation | None = None,
    name: str | None = None,
    kind: str = "public_place_lodging",
    categories: tuple[str, ...] = ("public_places",),
    individual: bool = False,
    actor: User | None = None,
) -> Entity:
    org = org or world.org
    serial = next(_serial)
    division = org.division_code
    codes: dict[str, Any] = (
        {"id_number": make_id_number(division, dt.date(1980, 1, 1), serial % 1000)}
        if individual
        else {"uscc": make_uscc(division, serial)}
    )
    if actor is None:
        actor = world.planner if org == world.org else world.stranger
    return entity_create(
        actor=actor,
        organisation=org,
        name=name or f"测试单位{serial}",
        kind=kind,
        division_code=division,
        is_individual=individual,
        categories=list(categories),
        **codes,
    )


def make_item(
    world: TaskWorld, *, code: str | None = None, cat: str = "public_places"
) -> InspectionItem:
    serial = next(_serial)
    return item_services.item_create(
        actor=world.planner,
        organisation=world.org,
        category=category(cat),
        code=code or f"GG-{serial}",
        name=f"检查事项{serial}",
        legal_basis="《公共场所卫生管理条例》第三条",
        content="检查卫生许可证、从业人员健康合格证明。",
        applicable_kinds=["public_place_lodging"],
        default_ratio="5",
        frequency="每年一次",
    )


def make_plan(
    world: TaskWorld,
    *,
    items: list[InspectionItem],
    year: int | None = None,
    is_joint: bool = False,
    uses_risk_ratio: bool = False,
    title: str | None = None,
    names_public: str | None = None,
) -> InspectionPlan:
    year = year or clock.today().year
    return plan_create(
        actor=world.planner,
        organisation=world.org,
        kind=PlanKind.RANDOM,
        title=title or f"{year}年双随机抽查计划{next(_serial)}",
        year=year,
        window_start=dt.date(year, 1, 1),
        window_end=dt.date(year, 12, 31),
        items=items,
        is_joint=is_joint,
        joint_departments=["市场监督管理局"] if is_joint else [],
        names_public=names_public or NamesPublic.RESULT_PUBLISHED,
        uses_risk_ratio=uses_risk_ratio,
    )


def make_task(
    world: TaskWorld,
    *,
    plan: InspectionPlan,
    entity: Entity,
    cat: SupervisionCategory | None = None,
    inspectors: tuple[Officer, ...] | None = None,
) -> InspectionTask:
    """What a draw stores for one task: the task and its inspectors (stand-in for the draw)."""
    task = InspectionTask.objects.create(
        plan=plan,
        entity=entity,
        organisation=plan.organisation,
        category=cat or world.public_places,
        stratum_key=(cat or world.public_places).code,
        number=f"T{next(_serial):06d}",
    )
    chosen = inspectors if inspectors is not None else (world.officer_a, world.officer_b)
    for index, officer in enumerate(chosen):
        TaskInspector.objects.create(
            task=task,
            officer=officer,
            role=InspectorRole.LEAD if index == 0 else InspectorRole.MEMBER,
        )
    return task


def make_drawn_plan(
    world: TaskWorld,
    *,
    entities: int = 4,
    quota: int = 3,
    individuals: int = 0,
    names_public: str | None = None,
) -> InspectionPlan:
    """A plan drawn end to end through the real services: items, pool, stratum, a fazhi-draw/2
    announcement (published before a past lottery draw), the draw. ``individuals`` of the
    entities are natural persons."""
    from fazhi.inspections.services.plans import stratum_add
    from fazhi.inspections.services.pool import inspector_enrol
    from fazhi.inspections.tests.draw_support import announce_and_draw

    item = make_item(world)
    for officer in (world.officer_a, world.officer_b):
        if not hasattr(officer, "inspector_profile"):
            inspector_enrol(
                actor=world.planner,
                officer=officer,
                on=clock.today(),
                categories=[world.public_places, world.water],
            )
    for index in range(entities):
        person = index < individuals
        name = f"{'张王李赵'[index % 4]}三{'丰' * (index + 1)}" if person else None
        make_entity(world, individual=person, name=name)
    plan = make_plan(world, items=[item], names_public=names_public)
    stratum_add(
        actor=world.planner,
        plan=plan,
        key="gg",
        category=world.public_places,
        quota=quota,
    )
    announce_and_draw(world.planner, plan)
    plan.refresh_from_db()
    return plan
