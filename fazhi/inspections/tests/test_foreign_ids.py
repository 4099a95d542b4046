"""Ids of another branch of the tree given as input (an item in a plan, an officer in a team, an
entity code in an imported list, an officer on leave) are answered exactly like ids that do not
exist: never with the other organisation's names. A plan once answered an item id of another
city with that item's name."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import Workbook
from rest_framework.test import APIClient

from fazhi.core import clock, errors
from fazhi.core.models import Role
from fazhi.core.tests.factories import make_officer, make_user
from fazhi.inspections.models import InspectionItem, InspectionPlan, InspectionTask, PlanKind
from fazhi.inspections.services import items as item_services
from fazhi.inspections.services.plans import (
    IMPORT_COLUMNS,
    plan_import_tasks,
    plan_update,
)
from fazhi.inspections.services.teams import task_assign_inspectors
from fazhi.inspections.tests.draw_support import (
    DrawWorld,
    add_entity,
    add_inspector,
    category,
    make_draw_world,
    make_plan,
)

pytestmark = pytest.mark.django_db

SECRET = "另一城市的保密事项名称"
MISSING = 987_654_321


def _item(w: DrawWorld, *, foreign: bool, name: str = "本机构的抽查事项") -> InspectionItem:
    actor, org = (w.stranger, w.other_org) if foreign else (w.planner, w.org)
    return item_services.item_create(
        actor=actor,
        organisation=org,
        category=category("public_places"),
        code=f"GG-{'F' if foreign else 'H'}-{org.pk}",
        name=SECRET if foreign else name,
        legal_basis="《公共场所卫生管理条例》第三条",
        content="检查卫生许可证。",
        applicable_kinds=["public_place_lodging"],
        default_ratio="5",
        frequency="每年一次",
    )


@pytest.fixture
def world() -> DrawWorld:
    return make_draw_world(entities=1, officers=2)


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_service_refuses_another_branchs_item_by_id_only(world):
    foreign = _item(world, foreign=True)
    with pytest.raises(errors.ValidationFailed) as created:
        make_plan(world, items=[_item(world, foreign=False), foreign])
    assert created.value.code == "unknown_item"
    assert created.value.details == {"items": [foreign.pk]}
    assert SECRET not in created.value.message
    plan = make_plan(world)
    with pytest.raises(errors.ValidationFailed) as updated:
        plan_update(actor=world.planner, plan=plan, items=[foreign])
    assert (updated.value.code, updated.value.message) == (
        created.value.code,
        created.value.message,
    )
    assert not plan.items.exists()


def test_an_item_of_a_higher_level_is_usable_below_it(world):
    higher = item_services.item_create(
        actor=make_user(world.tree.province, Role.SUPERVISOR),
        organisation=world.tree.province,
        category=category("public_places"),
        code="GG-P-1",
        name="省级事项",
        legal_basis="《公共场所卫生管理条例》第三条",
        content="检查卫生许可证。",
        applicable_kinds=["public_place_lodging"],
        default_ratio="5",
        frequency="每年一次",
    )
    plan = make_plan(world, items=[higher])
    assert list(plan.items.all()) == [higher]


def test_the_api_answers_another_branchs_item_like_a_missing_one(world):
    foreign = _item(world, foreign=True)
    client = _api(world.planner)
    start = clock.today()
    body = {
        "organisation": world.org.pk,
        "kind": PlanKind.RANDOM,
        "title": "接口新建计划",
        "year": start.year,
        "window_start": start.isoformat(),
        "window_end": start.isoformat(),
    }
    answers = []
    for item_id in (foreign.pk, MISSING):
        response = client.post(
            "/api/inspections/plans/", {**body, "items": [item_id]}, format="json"
        )
        assert response.status_code == 400
        assert SECRET not in response.content.decode()
        error = response.json()["error"]
        assert error["details"] == {"items": [item_id]}
        answers.append((error["code"], error["message"]))
    assert answers[0] == answers[1] and answers[0][0] == "unknown_item"
    assert not InspectionPlan.objects.filter(title="接口新建计划").exists()
    plan = make_plan(world)
    patched = client.patch(
        f"/api/inspections/plans/{plan.pk}/", {"items": [foreign.pk]}, format="json"
    )
    assert patched.status_code == 400 and SECRET not in patched.content.decode()
    assert patched.json()["error"]["code"] == "unknown_item"
    mine = _item(world, foreign=False)
    ok = client.patch(f"/api/inspections/plans/{plan.pk}/", {"items": [mine.pk]}, format="json")
    assert ok.status_code == 200 and ok.json()["items"] == [mine.pk]


def test_the_plan_form_neither_lists_nor_names_another_branchs_items(world):
    foreign = _item(world, foreign=True)
    mine = _item(world, foreign=False)
    page = Client()
    page.force_login(world.planner)
    form = page.get("/inspections/plans/new/").content.decode()
    assert mine.name in form and SECRET not in form
    start = clock.today()
    response = page.post(
        "/inspections/plans/new/",
        {
            "organisation": world.org.pk,
            "kind": PlanKind.RANDOM,
            "title": "页面新建计划",
            "year": start.year,
            "window_start": start.isoformat(),
            "window_end": start.isoformat(),
            "team_size": 2,
            "items": [foreign.pk],
        },
    )
    assert response.status_code == 200 and SECRET not in response.content.decode()
    assert not InspectionPlan.objects.filter(title="页面新建计划").exists()


def test_a_team_with_another_branchs_officer_does_not_name_them(world):
    plan = make_plan(world, kind=PlanKind.IMPORTED, external_source="国家随机监督抽查计划")
    entity = world.entities[0]
    sheet = Workbook()
    sheet.active.append(list(IMPORT_COLUMNS))
    sheet.active.append(["GJ-1", entity.uscc, "公共场所卫生", ""])
    content = io.BytesIO()
    sheet.save(content)
    plan_import_tasks(actor=world.planner, plan=plan, content=content.getvalue())
    task = InspectionTask.objects.get(plan=plan)
    foreign = make_officer(world.other_org, name="外市执法员王某某")
    messages = []
    for stranger_id in (foreign.pk, MISSING):
        with pytest.raises(errors.ValidationFailed) as exc:
            task_assign_inspectors(
                actor=world.planner,
                task=task,
                officer_ids=[world.officers[0].pk, stranger_id],
            )
        assert exc.value.details["problems"] == {str(stranger_id): "not_in_pool"}
        assert foreign.name not in exc.value.message
        messages.append(exc.value.message.replace(str(stranger_id), "ID"))
    assert messages[0] == messages[1]
    # the plan's own officers are still named
    outsider = make_officer(world.org, name="本所未入库人员")
    with pytest.raises(errors.ValidationFailed) as own:
        task_assign_inspectors(
            actor=world.planner, task=task, officer_ids=[world.officers[0].pk, outsider.pk]
        )
    assert "本所未入库人员" in own.value.message


def test_an_imported_list_cannot_tell_another_branchs_entity_from_a_missing_one(world):
    foreign = add_entity(world, org=world.other_org)
    plan = make_plan(world, kind=PlanKind.IMPORTED, external_source="上级下达")
    sheet = Workbook()
    sheet.active.append(list(IMPORT_COLUMNS))
    sheet.active.append(["GJ-1", foreign.uscc, "公共场所卫生", ""])
    sheet.active.append(["GJ-2", "91350000MA00000000", "公共场所卫生", ""])
    content = io.BytesIO()
    sheet.save(content)
    with pytest.raises(errors.ValidationFailed) as exc:
        plan_import_tasks(actor=world.planner, plan=plan, content=content.getvalue())
    reasons = [e["reason"] for e in exc.value.details["errors"]]
    assert len(reasons) == 2 and reasons[0] == reasons[1]


def test_leave_for_another_branchs_officer_is_the_answer_for_a_missing_one(world):
    own = add_inspector(world)
    stranger_officer = make_officer(world.other_org)
    client = _api(world.planner)
    start = clock.today().isoformat()
    answers = []
    for officer_id in (stranger_officer.pk, MISSING):
        response = client.post(
            "/api/inspections/pool/leaves/",
            {"officer": officer_id, "start": start, "end": start},
            format="json",
        )
        answers.append((response.status_code, response.json()))
    assert answers[0] == answers[1] and answers[0][0] == 404
    ok = client.post(
        "/api/inspections/pool/leaves/",
        {"officer": own.pk, "start": start, "end": start},
        format="json",
    )
    assert ok.status_code == 201 and ok.json()["officer"] == own.pk
