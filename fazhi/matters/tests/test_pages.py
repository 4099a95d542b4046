"""Pages and API of incoming matters: list with filters and query count, detail with clocks and
next steps, registration, steps with their refusals, scope and permission."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from fazhi.core.testing import at
from fazhi.matters.models import Matter, MatterState
from fazhi.matters.services import petitions as petition_services
from fazhi.matters.tests.support import TODAY, World, disclosure, make_world, petition

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(at(TODAY), tick=True):
        yield


@pytest.fixture
def world() -> World:
    return make_world()


def login(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_list_filters_and_counts_queries(world, django_assert_max_num_queries):
    for n in range(12):
        petition(world, title=f"信访{n}")
    disclosure(world)
    client = login(world.officer)
    with django_assert_max_num_queries(12):
        response = client.get("/matters/")
    assert response.status_code == 200
    assert "信访11" in response.content.decode()
    response = client.get("/matters/?kind=disclosure")
    body = response.content.decode()
    assert "医疗机构校验结果" in body and "信访11" not in body
    assert client.get("/matters/?year=abc").status_code == 400


def test_list_refuses_without_the_capability(world):
    response = login(world.head).get("/matters/")
    assert response.status_code == 200  # a head reads matters
    from fazhi.core.models import Role
    from fazhi.core.tests.factories import make_user

    supervisor = make_user(world.org, Role.SUPERVISOR)
    assert login(supervisor).get("/matters/").status_code == 403


def test_register_accept_and_refusal_on_the_page(world):
    client = login(world.officer)
    assert client.get("/matters/new/petition/").status_code == 200
    response = client.post(
        "/matters/new/petition/",
        {
            "channel": "visit",
            "received_on": "2025-12-01",
            "requester_kind": "person",
            "requester_name": "王五",
            "title": "反映医院服务态度",
            "content": "某医院医生态度恶劣。",
            "headcount": "1",
        },
    )
    matter = Matter.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/matters/{matter.pk}/"
    detail = client.get(f"/matters/{matter.pk}/").content.decode()
    assert "受理并告知" in detail and "信访事项受理告知" in detail
    response = client.post(f"/matters/{matter.pk}/accept/", {"on": "2025-11-30"}, follow=True)
    assert "不能早于收到日期" in response.content.decode()
    client.post(f"/matters/{matter.pk}/accept/", {"on": "2025-12-02"})
    matter.refresh_from_db()
    assert matter.state == MatterState.ACCEPTED
    response = client.post(f"/matters/{matter.pk}/close/", {"on": "2025-12-03"}, follow=True)
    assert "未作出书面答复的信访事项不能办结" in response.content.decode()


def test_register_a_disclosure_request_on_the_page(world):
    client = login(world.officer)
    response = client.post(
        "/matters/new/disclosure/",
        {
            "channel": "internet",
            "submitted_on": "2025-12-01",
            "confirmed_on": "2025-12-02",
            "requester_kind": "company",
            "requester_name": "某公司",
            "title": "某项许可信息",
            "content": "申请公开某项许可信息。",
        },
    )
    matter = Matter.objects.get()
    assert response.status_code == 302
    assert matter.received_on == dt.date(2025, 12, 2)


def test_another_organisations_matter_is_404(world):
    matter = petition(world)
    client = login(world.stranger)
    assert client.get(f"/matters/{matter.pk}/").status_code == 404
    assert client.post(f"/matters/{matter.pk}/accept/", {"on": "2025-09-22"}).status_code == 404


def test_api_register_step_and_refusals(world):
    api = APIClient()
    api.force_authenticate(world.officer)
    response = api.post(
        "/api/matters/petitions/",
        {
            "channel": "letter",
            "received_on": "2025-12-01",
            "requester_kind": "person",
            "requester_name": "赵六",
            "title": "反映诊所问题",
            "content": "诊所无证行医。",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    matter_id = response.json()["id"]
    assert response.json()["next_steps"] == ["accept", "route"]
    assert response.json()["deadlines"][0]["rule_key"] == "petition.accept"
    response = api.post(f"/api/matters/{matter_id}/accept/", {"on": "2025-12-02"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "accepted"
    response = api.post(f"/api/matters/{matter_id}/close/", {"on": "2025-12-03"}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "reply_required"
    response = api.post(f"/api/matters/{matter_id}/reply/", {"on": "2025-12-03"}, format="json")
    assert response.status_code == 400
    response = api.post(f"/api/matters/{matter_id}/accept/", {"on": "not-a-date"}, format="json")
    assert response.status_code == 400
    response = api.post(
        f"/api/matters/{matter_id}/extend/",
        {"approved_by": world.head.pk, "approved_on": "2025-12-03", "reason": "情况复杂"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["deadlines"][-1]["due_date"] == "2026-03-02"
    listed = api.get("/api/matters/?kind=petition")
    assert listed.status_code == 200 and listed.json()["count"] == 1


def test_api_refuses_other_scope_and_missing_capability(world):
    matter = petition(world)
    api = APIClient()
    api.force_authenticate(world.stranger)
    assert api.get(f"/api/matters/{matter.pk}/").status_code == 404
    api.force_authenticate(world.head)
    response = api.post(f"/api/matters/{matter.pk}/accept/", {"on": "2025-09-22"}, format="json")
    assert response.status_code == 403
    petition_services.petition_accept(actor=world.officer, matter=matter, on=dt.date(2025, 9, 22))


def test_registration_forms_default_their_dates_to_today_and_pick_no_typed_numbers(world):
    client = login(world.officer)
    today = TODAY.isoformat()
    petition_form = client.get("/matters/new/petition/").content.decode()
    assert f'type="date" name="received_on" value="{today}"' in petition_form
    assert 'inputmode="numeric"' not in petition_form and "单位编号" not in petition_form
    disclosure_form = client.get("/matters/new/disclosure/").content.decode()
    assert f'type="date" name="submitted_on" value="{today}"' in disclosure_form
    # after an error the user's own date is kept, not today's
    response = client.post(
        "/matters/new/petition/", {"channel": "visit", "received_on": "2025-12-01", "title": ""}
    )
    assert 'name="received_on" value="2025-12-01"' in response.content.decode()
