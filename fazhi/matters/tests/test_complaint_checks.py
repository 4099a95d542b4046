"""A complaint starts a targeted inspection (投诉举报核查, decision 0091): from a complaint
ticket's page and from a petition through the API; each guard (not a complaint, already
started, entity out of scope or inactive, state, permission, scope); the links between the
matter and the task both ways; the task's workflow afterwards; list query counts unchanged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from fazhi.core import errors
from fazhi.core.models import Role, User
from fazhi.core.testing import at
from fazhi.core.tests.factories import make_user
from fazhi.inspections.models import InspectionTask, PlanKind, TaskState
from fazhi.inspections.services.teams import task_assign_inspectors
from fazhi.inspections.tests.draw_support import DrawWorld, add_entity, add_inspector
from fazhi.inspections.tests.draw_support import make_draw_world as make_inspection_world
from fazhi.matters.hotline_models import HotlinePlatform, TicketType
from fazhi.matters.models import Channel, Matter, MatterState, RequesterKind
from fazhi.matters.services import complaint_checks as svc
from fazhi.matters.services import hotline as hotline_services
from fazhi.matters.services import petitions as petition_services
from fazhi.matters.steps import run_step
from fazhi.matters.tests.hotline_support import moment
from fazhi.matters.tests.support import TODAY
from fazhi.registry.services.entities import entity_deactivate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(at(TODAY), tick=True):
        yield


@pytest.fixture
def w() -> DrawWorld:
    return make_inspection_world(entities=2, officers=0, province_code="36")


@pytest.fixture
def officer(w: DrawWorld) -> User:
    return make_user(w.org, Role.PETITION_OFFICER, full_name="信访员")


_numbers = iter(range(1, 10**6))


def complaint(w: DrawWorld, officer: User, **kw: Any) -> Matter:
    values: dict[str, Any] = {
        "actor": officer,
        "organisation": w.org,
        "platform": HotlinePlatform.H12345,
        "ticket_no": f"GD{next(_numbers):06d}",
        "ticket_type": TicketType.COMPLAINT,
        "called_at": moment(TODAY - dt.timedelta(days=2)),
        "content": "某宾馆无卫生许可证经营，请求查处。",
    }
    values.update(kw)
    matter = hotline_services.hotline_register(**values)
    return hotline_services.hotline_accept(actor=officer, matter=matter, on=TODAY)


def petition(w: DrawWorld, officer: User) -> Matter:
    matter = petition_services.petition_register(
        actor=officer,
        organisation=w.org,
        channel=Channel.LETTER,
        received_on=TODAY - dt.timedelta(days=3),
        requester_kind=RequesterKind.PERSON,
        requester_name="张三",
        title="反映某宾馆卫生问题",
        content="某宾馆床上用品不更换。",
        entity=w.entities[1],
    )
    return petition_services.petition_accept(actor=officer, matter=matter, on=TODAY)


def start(w: DrawWorld, officer: User, matter: Matter, **kw: Any) -> Matter:
    values: dict[str, Any] = {"entity": w.entities[0], "category": w.public_places}
    values.update(kw)
    return svc.hotline_start_inspection(actor=officer, matter=matter, reason="核查", **values)


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_complaint_ticket_starts_an_inspection_from_its_page(w: DrawWorld, officer: User) -> None:
    matter = complaint(w, officer)
    client = login(officer)
    page = client.get(f"/matters/{matter.pk}/").content.decode()
    assert "启动投诉举报核查" in page and 'id="step-inspection"' in page
    assert w.public_places.name in page  # the category picker
    response = client.post(
        f"/matters/{matter.pk}/inspection/",
        {"entity": w.entities[0].pk, "category": w.public_places.pk, "reason": "核查无证经营"},
    )
    assert response.status_code == 302
    matter.refresh_from_db()
    task = InspectionTask.objects.get()
    assert matter.inspection_task == task and matter.entity == w.entities[0]
    assert matter.state == MatterState.ACCEPTED  # the reply to the platform is still owed
    assert task.origin == matter and task.plan.kind == PlanKind.COMPLAINT
    assert task.origin_label == f"热线工单{matter.ticket.ticket_no}号"
    assert task.origin_reason == "核查无证经营"
    page = client.get(f"/matters/{matter.pk}/").content.decode()
    assert task.number in page and 'id="step-inspection"' not in page  # once per matter
    # the petition officer reads no inspection pages: the number without a link
    assert f"/inspections/tasks/{task.pk}/" not in page


def test_the_links_go_both_ways(w: DrawWorld, officer: User) -> None:
    matter = start(w, officer, complaint(w, officer))
    task = matter.inspection_task
    assert task is not None
    leader = login(w.leader)  # reads matters and inspections in the district's subtree
    page = leader.get(f"/matters/{matter.pk}/").content.decode()
    assert f'href="/inspections/tasks/{task.pk}/"' in page
    task_page = leader.get(f"/inspections/tasks/{task.pk}/").content.decode()
    assert f'来源：投诉举报（<a href="/matters/{matter.pk}/">热线工单' in task_page
    # an inspector without matter.view sees the origin, not the link
    task_page = login(w.planner).get(f"/inspections/tasks/{task.pk}/").content.decode()
    assert f"热线工单{matter.ticket.ticket_no}号" in task_page
    assert f'href="/matters/{matter.pk}/"' not in task_page


def test_a_petition_starts_an_inspection_through_the_api(w: DrawWorld, officer: User) -> None:
    matter = petition(w, officer)
    client = APIClient()
    client.force_authenticate(officer)
    response = client.post(
        f"/api/matters/{matter.pk}/inspection/",
        {"category": w.public_places.pk, "reason": "核查床上用品更换"},
        format="json",
    )
    assert response.status_code == 200, response.content
    task = InspectionTask.objects.get()
    assert response.json()["inspection_task"] == task.pk
    assert task.entity == w.entities[1]  # the petition's own institution
    assert task.origin_label == f"信访事项{matter.pk}号"
    again = client.post(
        f"/api/matters/{matter.pk}/inspection/", {"category": w.public_places.pk}, format="json"
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "inspection_exists"
    assert InspectionTask.objects.count() == 1


def test_guards(w: DrawWorld, officer: User) -> None:
    consultation = complaint(w, officer, ticket_type=TicketType.CONSULTATION)
    with pytest.raises(errors.Conflict) as exc:
        start(w, officer, consultation)
    assert exc.value.code == "not_a_complaint"
    received = hotline_services.hotline_register(
        actor=officer,
        organisation=w.org,
        platform=HotlinePlatform.H12345,
        ticket_no="GD-RECEIVED",
        ticket_type=TicketType.COMPLAINT,
        called_at=moment(TODAY),
        content="投诉",
    )
    with pytest.raises(errors.InvalidTransition):
        start(w, officer, received)
    matter = complaint(w, officer)
    with pytest.raises(errors.ValidationFailed) as bad:
        start(w, officer, matter, entity=add_entity(w, org=w.other_org))
    assert bad.value.code == "entity_out_of_reach"
    with pytest.raises(errors.ValidationFailed) as bad:
        run_step(
            actor=officer,
            matter=matter,
            action="inspection",
            data={"entity": str(add_entity(w, org=w.other_org).pk), "category": "1"},
        )
    assert bad.value.code == "entity_out_of_reach"
    gone = entity_deactivate(actor=w.planner, entity_id=w.entities[1].pk, reason="注销")
    with pytest.raises(errors.ValidationFailed) as bad:
        start(w, officer, matter, entity=gone)
    assert bad.value.code == "entity_inactive"
    with pytest.raises(errors.ValidationFailed) as bad:
        start(w, officer, matter, category=None)
    assert bad.value.code == "category_required"
    assert not InspectionTask.objects.exists()
    matter = start(w, officer, matter)
    with pytest.raises(errors.Conflict) as exc:
        start(w, officer, matter)
    assert exc.value.code == "inspection_exists"
    assert InspectionTask.objects.count() == 1


def test_permission_and_scope(w: DrawWorld, officer: User) -> None:
    matter = complaint(w, officer)
    for refused in (w.planner, w.leader):  # no matter.handle / no inspection.complaint
        with pytest.raises(errors.PermissionDenied):
            start(w, refused, matter)
    stranger = make_user(w.other_org, Role.PETITION_OFFICER)
    with pytest.raises(errors.OutOfScope):
        start(w, stranger, matter)
    response = login(w.leader).post(
        f"/matters/{matter.pk}/inspection/",
        {"entity": w.entities[0].pk, "category": w.public_places.pk},
    )
    assert response.status_code == 403
    assert not InspectionTask.objects.exists()


def test_the_task_is_then_staffed_like_an_imported_one(w: DrawWorld, officer: User) -> None:
    matter = start(w, officer, complaint(w, officer))
    task = matter.inspection_task
    assert task is not None
    team = [add_inspector(w).pk, add_inspector(w).pk]
    task = task_assign_inspectors(actor=w.planner, task=task, officer_ids=team)
    assert task.state == TaskState.ASSIGNED
    assert sorted(task.task_inspectors.values_list("officer_id", flat=True)) == sorted(team)


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_list_query_counts_are_unchanged(w: DrawWorld, officer: User) -> None:
    complaint(w, officer)
    complaint(w, officer)
    leader = login(w.leader)
    matters_before = _queries(leader, "/matters/")
    hotline_before = _queries(leader, "/matters/hotline/")
    start(w, officer, complaint(w, officer))
    start(w, officer, complaint(w, officer), entity=w.entities[1])
    assert _queries(leader, "/matters/") == matters_before
    assert _queries(leader, "/matters/hotline/") == hotline_before
    tasks_one = _queries(leader, "/inspections/tasks/")
    start(w, officer, complaint(w, officer))
    assert _queries(leader, "/inspections/tasks/") == tasks_one
    assert "TS" in leader.get("/inspections/tasks/").content.decode()
