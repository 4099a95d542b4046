"""Who may read and write inspections: list selectors refuse a user without the capability
(instead of answering an empty list), and pages and the API check the capability at the boundary
through ``acting_user``, recording the refusal under the event the request would have written."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from fazhi.core import errors
from fazhi.core.models import AuditEvent, Role
from fazhi.core.tests.factories import make_user
from fazhi.inspections.events import InspectorEvents, PlanEvents, TaskEvents
from fazhi.inspections.models import InspectionPlan
from fazhi.inspections.selectors import pool as pool_selectors
from fazhi.inspections.selectors import tasks as task_selectors
from fazhi.inspections.selectors.items import item_choices_for_planning
from fazhi.inspections.tests.task_support import (
    make_entity,
    make_item,
    make_plan,
    make_task,
    make_task_world,
)

pytestmark = pytest.mark.django_db


def _refused(client: Client, method: str, url: str, **kw: object) -> dict[str, object]:
    before = AuditEvent.objects.filter(action="access.denied").count()
    response = getattr(client, method)(url, **kw)
    assert response.status_code == 403, (url, response.status_code)
    denials = AuditEvent.objects.filter(action="access.denied").order_by("seq")
    assert denials.count() == before + 1
    details: dict[str, object] = json.loads(denials.last().details_json)  # type: ignore[union-attr]
    return details


def test_task_list_refuses_a_user_who_neither_views_nor_records():
    world = make_task_world()
    plan = make_plan(world, items=[make_item(world)])
    make_task(world, plan=plan, entity=make_entity(world))
    petitions = make_user(world.org, Role.PETITION_OFFICER)
    with pytest.raises(errors.PermissionDenied) as exc:
        task_selectors.task_list(user=petitions)
    assert exc.value.details["attempted"] == TaskEvents.LISTED
    with pytest.raises(errors.PermissionDenied):
        task_selectors.task_get(user=petitions, pk=InspectionPlan.objects.get().tasks.get().pk)
    # an inspector reads the tasks they are assigned to
    assert task_selectors.task_list(user=world.inspector_a).count() == 1


def test_choice_selectors_refuse_a_user_who_does_not_plan():
    world = make_task_world()
    viewer = make_user(world.tree.province, Role.VIEWER)
    with pytest.raises(errors.PermissionDenied) as items:
        item_choices_for_planning(user=viewer)
    assert items.value.details["attempted"] == PlanEvents.CREATED
    with pytest.raises(errors.PermissionDenied) as officers:
        pool_selectors.officers_not_enrolled(user=viewer)
    assert officers.value.details["attempted"] == InspectorEvents.ENROLLED
    assert item_choices_for_planning(user=world.planner).count() == 0  # none yet, but allowed


def test_pages_check_the_capability_and_record_the_attempt(client: Client):
    world = make_task_world()
    petitions = make_user(world.org, Role.PETITION_OFFICER)
    client.force_login(petitions)
    assert _refused(client, "get", "/inspections/tasks/")["refused"] == TaskEvents.LISTED
    assert _refused(client, "get", "/inspections/tasks/mine/")["refused"] == TaskEvents.LISTED
    viewer = make_user(world.tree.province, Role.VIEWER)
    client.force_login(viewer)
    assert client.get("/inspections/pool/").status_code == 200  # reads; no enrolment form
    denial = _refused(client, "post", "/inspections/plans/new/", data={"title": "x"})
    assert denial["refused"] == PlanEvents.CREATED
    assert not InspectionPlan.objects.exists()


def test_api_checks_the_capability_and_records_the_attempt(client: Client):
    world = make_task_world()
    viewer = make_user(world.tree.province, Role.VIEWER)
    client.force_login(viewer)
    denial = _refused(
        client,
        "post",
        "/api/inspections/plans/",
        data={"organisation": world.org.pk},
        content_type="application/json",
    )
    assert denial["refused"] == PlanEvents.CREATED
    assert client.get("/api/inspections/plans/").status_code == 200
