"""Leader-owned petitions (领导包案) and supervision orders (督办): services with their guards,
the overdue order on the workbench, the pages and the API (decision 0077)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from fazhi.core import errors
from fazhi.core.models import AuditEvent, Deadline, Role
from fazhi.core.testing import at
from fazhi.core.tests.factories import make_user
from fazhi.core.todo import todo_for
from fazhi.matters.events import MatterEvent
from fazhi.matters.models import LeaderAssignment, SupervisionOrder, SupervisionState
from fazhi.matters.selectors import matters as matter_selectors
from fazhi.matters.services import oversight as svc
from fazhi.matters.services import petitions as petition_services
from fazhi.matters.tests.support import TODAY, World, disclosure, make_world, petition

pytestmark = pytest.mark.django_db

RECEIVED = dt.date(2025, 9, 20)


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(at(TODAY), tick=True):
        yield


@pytest.fixture
def world() -> World:
    return make_world()


def city_head(world: World):
    assert world.org.parent is not None
    return make_user(world.org.parent, Role.LEADER)


def order_deadline(order: SupervisionOrder) -> Deadline:
    return Deadline.objects.get(object_id=str(order.pk), content_type__model="supervisionorder")


# --- leader-owned petitions ----------------------------------------------------------------


def test_leader_owns_a_petition_and_sees_it_on_the_workbench(world):
    matter = petition(world)
    owned = svc.matter_assign_leader(
        actor=world.officer,
        matter=matter,
        leader=world.head,
        on=dt.date(2025, 9, 22),
        note="亲自协调",
    )
    assert owned.ended_on is None and owned.leader == world.head
    assert AuditEvent.objects.filter(
        action=MatterEvent.LEADER_ASSIGNED, object_id=str(matter.pk)
    ).exists()
    todo = {item.label: item.count for item in todo_for(world.head)}
    assert todo["我包案的信访事项"] == 1
    mine = matter_selectors.matter_list(user=world.head, owned_by=world.head)
    assert list(mine) == [matter]

    # handing it to another head ends the first ownership that day
    other = make_user(world.org, Role.LEADER)
    svc.matter_assign_leader(actor=world.head, matter=matter, leader=other, on=dt.date(2025, 10, 8))
    first = LeaderAssignment.objects.get(pk=owned.pk)
    assert first.ended_on == dt.date(2025, 10, 8) and first.end_reason == "更换包案领导"
    assert "我包案的信访事项" not in {i.label for i in todo_for(world.head)}  # none left
    released = svc.matter_release_leader(
        actor=world.officer, matter=matter, on=dt.date(2025, 11, 1), reason="事项已化解"
    )
    assert released.leader == other and released.ended_on == dt.date(2025, 11, 1)
    assert not LeaderAssignment.objects.filter(matter=matter, ended_on__isnull=True).exists()


def test_supervision_todo_counts_waiting_and_overdue_in_one_query(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fazhi.matters.selectors.todo import todo_items

    head = city_head(world)
    for due_on in (dt.date(2025, 10, 31), dt.date(2025, 11, 10), dt.date(2099, 1, 1)):
        svc.supervision_issue(
            actor=head,
            matter=petition(world),
            on=dt.date(2025, 10, 9),
            due_on=due_on,
            requirement="请报告办理结果。",
        )
    with CaptureQueriesContext(connection) as read:
        counts = {item.label: item.count for item in todo_items(world.officer)}
    assert counts["逾期未报告结果的督办件"] == 2 and counts["待报告结果的督办件"] == 1
    orders = [q for q in read.captured_queries if "matters_supervisionorder" in q["sql"]]
    assert len(orders) == 1  # both counts in one query


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"leader": None}, "leader_not_head"),
        ({"on": None}, "on_required"),
        ({"on": dt.date(2025, 9, 1)}, "date_before_receipt"),
        ({"on": TODAY + dt.timedelta(days=1)}, "date_in_future"),
    ],
)
def test_assign_leader_refuses_bad_input(world, kw, code):
    matter = petition(world)
    values = {"leader": world.head, "on": dt.date(2025, 9, 22)} | kw
    with pytest.raises(errors.ValidationFailed) as exc:
        svc.matter_assign_leader(actor=world.officer, matter=matter, **values)
    assert exc.value.code == code
    assert not LeaderAssignment.objects.exists()


def test_assign_leader_guards(world):
    matter = petition(world)
    # a petition officer is not a leader
    with pytest.raises(errors.ValidationFailed) as exc:
        svc.matter_assign_leader(
            actor=world.officer, matter=matter, leader=world.officer, on=dt.date(2025, 9, 22)
        )
    assert exc.value.code == "leader_not_head"
    svc.matter_assign_leader(
        actor=world.officer, matter=matter, leader=world.head, on=dt.date(2025, 9, 22)
    )
    with pytest.raises(errors.Conflict) as conflict:
        svc.matter_assign_leader(
            actor=world.officer, matter=matter, leader=world.head, on=dt.date(2025, 9, 23)
        )
    assert conflict.value.code == "already_owner"
    request = disclosure(world)
    with pytest.raises(errors.Conflict) as conflict:
        svc.matter_assign_leader(actor=world.officer, matter=request, leader=world.head, on=TODAY)
    assert conflict.value.code == "not_a_petition"
    with pytest.raises(errors.Conflict) as conflict:
        svc.matter_release_leader(
            actor=world.officer, matter=petition(world), on=TODAY, reason="无"
        )
    assert conflict.value.code == "no_owner"


def test_assign_leader_needs_the_capability_and_scope(world):
    matter = petition(world)
    with pytest.raises(errors.PermissionDenied):
        svc.matter_assign_leader(
            actor=world.viewer, matter=matter, leader=world.head, on=dt.date(2025, 9, 22)
        )
    with pytest.raises(errors.OutOfScope):
        svc.matter_assign_leader(
            actor=world.stranger, matter=matter, leader=world.head, on=dt.date(2025, 9, 22)
        )
    assert not LeaderAssignment.objects.exists()


# --- supervision orders --------------------------------------------------------------------


def test_supervision_order_reported_on_time_and_late(world):
    head = city_head(world)
    matter = petition(world)
    order = svc.supervision_issue(
        actor=head,
        matter=matter,
        on=dt.date(2025, 10, 9),
        due_on=dt.date(2025, 10, 31),
        requirement="请于10月31日前报告办理结果。",
        reference="市信督〔2025〕3号",
    )
    assert order.state == SupervisionState.ISSUED and order.issuer == world.org.parent
    clock = order_deadline(order)
    assert clock.due_date == dt.date(2025, 10, 31)
    answered = svc.supervision_answer(
        actor=world.officer, order=order, on=dt.date(2025, 10, 30), answer="已约谈诊所并退费。"
    )
    assert answered.state == SupervisionState.ANSWERED
    assert order_deadline(order).state == "met"

    late = svc.supervision_issue(
        actor=head,
        matter=matter,
        on=dt.date(2025, 11, 3),
        due_on=dt.date(2025, 11, 10),
        requirement="再次督办。",
    )
    assert order_deadline(late).state == "overdue"  # today is past the date
    todo = {item.label: item.count for item in todo_for(world.officer)}
    assert todo["逾期未报告结果的督办件"] == 1
    svc.supervision_answer(actor=world.officer, order=late, on=TODAY, answer="已办结。")
    assert order_deadline(late).state == "late"
    event = AuditEvent.objects.filter(action=MatterEvent.SUPERVISION_ANSWERED).last()
    assert event is not None and event.details["late"] is True


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"due_on": None}, "due_on_required"),
        ({"due_on": dt.date(2025, 10, 9)}, "due_before_issue"),
        ({"on": dt.date(2025, 9, 1)}, "date_before_receipt"),
        ({"requirement": " "}, "requirement_required"),
    ],
)
def test_supervision_refuses_bad_input(world, kw, code):
    head = city_head(world)
    values = {
        "on": dt.date(2025, 10, 9),
        "due_on": dt.date(2025, 10, 31),
        "requirement": "请报告。",
    } | kw
    with pytest.raises(errors.ValidationFailed) as exc:
        svc.supervision_issue(actor=head, matter=petition(world), **values)
    assert exc.value.code == code
    assert (
        not SupervisionOrder.objects.exists()
        and not Deadline.objects.filter(content_type__model="supervisionorder").exists()
    )


def test_supervision_comes_from_a_higher_organisation(world):
    matter = petition(world)
    with pytest.raises(errors.PermissionDenied) as exc:  # the district's own head
        svc.supervision_issue(
            actor=world.head,
            matter=matter,
            on=TODAY,
            due_on=TODAY + dt.timedelta(days=10),
            requirement="请报告。",
        )
    assert exc.value.code == "not_a_higher_organisation"
    with pytest.raises(errors.PermissionDenied):  # a petition officer cannot supervise
        svc.supervision_issue(
            actor=world.officer,
            matter=matter,
            on=TODAY,
            due_on=TODAY + dt.timedelta(days=10),
            requirement="请报告。",
        )
    routed = petition_services.petition_route(
        actor=world.officer,
        matter=petition(world),
        route="litigation",
        on=dt.date(2025, 9, 25),
        note="请向人民法院起诉。",
    )
    with pytest.raises(errors.Conflict) as conflict:
        svc.supervision_issue(
            actor=city_head(world),
            matter=routed,
            on=TODAY,
            due_on=TODAY + dt.timedelta(days=5),
            requirement="请报告。",
        )
    assert conflict.value.code == "matter_not_open"
    assert not SupervisionOrder.objects.exists()


def test_answer_guards(world):
    order = svc.supervision_issue(
        actor=city_head(world),
        matter=petition(world),
        on=dt.date(2025, 10, 9),
        due_on=dt.date(2025, 10, 31),
        requirement="请报告。",
    )
    with pytest.raises(errors.ValidationFailed) as exc:
        svc.supervision_answer(actor=world.officer, order=order, on=TODAY, answer="")
    assert exc.value.code == "answer_required"
    with pytest.raises(errors.ValidationFailed) as exc:
        svc.supervision_answer(
            actor=world.officer, order=order, on=dt.date(2025, 10, 1), answer="好"
        )
    assert exc.value.code == "date_before_receipt"
    with pytest.raises(errors.OutOfScope):
        svc.supervision_answer(actor=world.stranger, order=order, on=TODAY, answer="已办结。")
    svc.supervision_answer(actor=world.officer, order=order, on=TODAY, answer="已办结。")
    with pytest.raises(errors.InvalidTransition):
        svc.supervision_answer(actor=world.officer, order=order, on=TODAY, answer="再次报告。")


# --- pages and API -------------------------------------------------------------------------


def test_pages_show_ownership_and_orders(world, django_assert_max_num_queries):
    head = city_head(world)
    matter = petition(world)
    client = Client()
    client.force_login(world.officer)
    response = client.post(
        reverse("matters:leader_assign", args=[matter.pk]),
        {"leader": world.head.pk, "on": "2025-09-22", "note": "亲自协调"},
    )
    assert response.status_code == 302
    bad = client.post(reverse("matters:leader_assign", args=[matter.pk]), {"leader": "", "on": ""})
    assert bad.status_code == 302
    city = Client()
    city.force_login(head)
    city.post(
        reverse("matters:supervision_issue", args=[matter.pk]),
        {"on": "2025-11-03", "due_on": "2025-11-10", "requirement": "请报告办理结果。"},
    )
    order = SupervisionOrder.objects.get()
    page = client.get(reverse("matters:matter_detail", args=[matter.pk])).content.decode()
    assert "包案领导" in page and world.head.full_name in page and "请报告办理结果" in page
    assert "报告督办结果" in page
    with django_assert_max_num_queries(12):
        listing = client.get(reverse("matters:supervision_list") + "?overdue=1")
    assert listing.status_code == 200 and matter.title in listing.content.decode()
    client.post(
        reverse("matters:supervision_answer", args=[order.pk]),
        {"on": TODAY.isoformat(), "answer": "已办结。"},
    )
    order.refresh_from_db()
    assert order.state == SupervisionState.ANSWERED
    empty = client.get(reverse("matters:supervision_list") + "?overdue=1").content.decode()
    assert "没有督办件" in empty


def test_api(world):
    head = city_head(world)
    matter = petition(world)
    api = APIClient()
    api.force_authenticate(world.officer)
    created = api.post(
        f"/api/matters/{matter.pk}/leader/",
        {"leader": world.head.pk, "on": "2025-09-22"},
        format="json",
    )
    assert created.status_code == 201 and created.json()["leader_name"] == world.head.full_name
    refused = api.post(
        f"/api/matters/{matter.pk}/leader/",
        {"leader": world.officer.pk, "on": "2025-09-22"},
        format="json",
    )
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "leader_not_head"
    city = APIClient()
    city.force_authenticate(head)
    issued = city.post(
        f"/api/matters/{matter.pk}/supervision/",
        {"on": "2025-11-03", "due_on": "2025-11-10", "requirement": "请报告。"},
        format="json",
    )
    assert issued.status_code == 201
    assert (
        api.post(
            f"/api/matters/{matter.pk}/supervision/",
            {"on": "2025-11-03", "due_on": "2025-11-10", "requirement": "请报告。"},
            format="json",
        ).status_code
        == 403
    )
    overdue = api.get("/api/matters/supervision/?overdue=true").json()
    assert [row["id"] for row in overdue["results"]] == [issued.json()["id"]]
    answer = api.post(
        f"/api/matters/supervision/{issued.json()['id']}/answer/",
        {"on": TODAY.isoformat(), "answer": "已办结。"},
        format="json",
    )
    assert answer.status_code == 200 and answer.json()["state"] == "answered"
    again = api.post(
        f"/api/matters/supervision/{issued.json()['id']}/answer/",
        {"on": TODAY.isoformat(), "answer": "已办结。"},
        format="json",
    )
    assert again.status_code == 409
