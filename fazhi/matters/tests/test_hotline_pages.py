"""Pages and API of hotline tickets: the list with filters and its query count, registration,
the import upload and its result page, a ticket's page and steps, refusals, permission."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from fazhi.core.models import Job, Role
from fazhi.core.testing import at
from fazhi.core.tests.factories import make_user
from fazhi.matters.hotline_models import HotlineImport, HotlineTicket, TicketType
from fazhi.matters.models import Matter, MatterState
from fazhi.matters.services import hotline as svc
from fazhi.matters.tests.hotline_support import make_hotline_world, ticket, workbook
from fazhi.matters.tests.support import TODAY, World
from fazhi.matters.tests.test_hotline_import import good

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(at(TODAY), tick=True):
        yield


@pytest.fixture
def world() -> World:
    return make_hotline_world()


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_list_filters_and_counts_queries(world: World, django_assert_max_num_queries: Any) -> None:
    for n in range(12):
        ticket(world, ticket_no=f"GD{n:03d}", content=f"投诉内容{n}")
    ticket(world, ticket_no="ZX001", ticket_type=TicketType.CONSULTATION, content="咨询办证")
    client = login(world.officer)
    with django_assert_max_num_queries(12):
        response = client.get("/matters/hotline/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "GD011" in body and "投诉" in body and "12345政务服务便民热线" in body
    body = client.get("/matters/hotline/?type=consultation").content.decode()
    assert "ZX001" in body and "GD011" not in body
    body = client.get("/matters/hotline/?q=GD005").content.decode()
    assert "GD005" in body and "GD006" not in body
    assert client.get("/matters/hotline/?type=praise").status_code == 400
    assert client.get("/matters/hotline/?year=abc").status_code == 400


def test_list_needs_the_capability(world: World) -> None:
    supervisor = make_user(world.org, Role.SUPERVISOR)
    assert login(supervisor).get("/matters/hotline/").status_code == 403
    assert login(world.viewer).get("/matters/hotline/").status_code == 200


def test_register_page(world: World) -> None:
    client = login(world.officer)
    assert client.get("/matters/new/hotline/").status_code == 200
    data = {
        "platform": "12345",
        "ticket_no": "GD20250930001",
        "ticket_type": "complaint",
        "called_at": "2025-09-30T09:15",
        "content": "某诊所无证行医。",
    }
    response = client.post("/matters/new/hotline/", data)
    matter = Matter.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/matters/{matter.pk}/"
    # the same number again: refused with the reason, nothing written
    response = client.post("/matters/new/hotline/", data)
    assert response.status_code == 200 and "已登记" in response.content.decode()
    response = client.post("/matters/new/hotline/", {**data, "called_at": "昨天"})
    assert response.status_code == 200 and "时间无法识别" in response.content.decode()
    assert Matter.objects.count() == 1


def test_detail_shows_the_ticket_and_its_steps_run(world: World) -> None:
    matter = ticket(world, ticket_no="GD777")
    client = login(world.officer)
    body = client.get(f"/matters/{matter.pk}/").content.decode()
    assert "GD777" in body and "退单" in body and "签收办理" in body
    response = client.post(f"/matters/{matter.pk}/return/", {"on": "2025-10-09", "reason": ""})
    matter.refresh_from_db()
    assert matter.state == MatterState.RECEIVED
    client.post(f"/matters/{matter.pk}/return/", {"on": "2025-10-09", "reason": "不属于本部门职责"})
    matter.refresh_from_db()
    assert matter.state == MatterState.RETURNED
    body = client.get(f"/matters/{matter.pk}/").content.decode()
    assert "不属于本部门职责" in body
    assert response.status_code == 302


def test_import_upload_runs_the_job_and_shows_the_errors(world: World, run_jobs: Any) -> None:
    client = login(world.officer)
    assert client.get("/matters/hotline/import/").status_code == 200
    content = workbook([good("GD1"), good("GD1", content="")])
    from django.core.files.uploadedfile import SimpleUploadedFile

    with run_jobs():
        response = client.post(
            "/matters/hotline/import/",
            {"platform": "12345", "file": SimpleUploadedFile("工单.xlsx", content)},
        )
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    batch = HotlineImport.objects.get()
    body = client.get(f"/matters/hotline/imports/{batch.pk}/").content.decode()
    assert "未导入" in body and "诉求内容不能为空" in body and "与第2行的工单编号重复" in body
    assert not HotlineTicket.objects.exists()
    # another organisation's officer cannot read it
    assert login(world.stranger).get(f"/matters/hotline/imports/{batch.pk}/").status_code == 404


def test_api_register_list_steps_and_import(world: World, run_jobs: Any) -> None:
    client = api(world.officer)
    body = {
        "platform": "12345",
        "ticket_no": "GD1",
        "ticket_type": "complaint",
        "called_at": "2025-09-30T09:15",
        "content": "内容",
    }
    response = client.post("/api/matters/hotline/", body, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["ticket"]["ticket_no"] == "GD1" and created["next_steps"] == [
        "accept",
        "return",
    ]
    assert created["deadlines"][0]["due_date"] == "2025-10-14"
    again = client.post("/api/matters/hotline/", body, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "duplicate_ticket"
    bad = client.post(
        "/api/matters/hotline/", {**body, "ticket_no": "GD2", "called_at": "x"}, format="json"
    )
    assert bad.status_code == 400
    listed = client.get("/api/matters/hotline/").json()
    assert listed["count"] == 1 and listed["results"][0]["ticket"]["ticket_no"] == "GD1"
    pk = created["id"]
    assert (
        client.post(f"/api/matters/{pk}/accept/", {"on": "2025-09-30"}, format="json").status_code
        == 200
    )
    reply = {"reply_type": "resolved", "reply_text": "已处理", "on": "2025-10-10"}
    assert client.post(f"/api/matters/{pk}/reply/", reply, format="json").status_code == 200
    refused = client.post(f"/api/matters/{pk}/call_back/", {"on": "2025-10-11"}, format="json")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "satisfaction_required"
    done = client.post(
        f"/api/matters/{pk}/call_back/",
        {"on": "2025-10-11", "satisfaction": "basic"},
        format="json",
    )
    assert done.status_code == 200 and done.json()["state"] == "closed"
    from django.core.files.uploadedfile import SimpleUploadedFile

    with run_jobs():
        response = client.post(
            "/api/matters/hotline/import/",
            {"platform": "12345", "file": SimpleUploadedFile("a.xlsx", workbook([good("GD1")]))},
            format="multipart",
        )
    assert response.status_code == 202
    batch = HotlineImport.objects.get()
    result = client.get(f"/api/matters/hotline/imports/{batch.pk}/").json()
    assert (result["imported"], result["skipped"]) == (0, 1)
    assert result["skipped_rows"][0]["row"] == 2
    assert api(world.viewer).post("/api/matters/hotline/", body, format="json").status_code == 403


def test_a_returned_ticket_cannot_be_replied(world: World) -> None:
    matter = ticket(world)
    svc.hotline_return(
        actor=world.officer, matter=matter, on=dt.date(2025, 10, 9), reason="非本部门"
    )
    response = api(world.officer).post(
        f"/api/matters/{matter.pk}/reply/",
        {"reply_type": "resolved", "reply_text": "x", "on": "2025-10-10"},
        format="json",
    )
    assert response.status_code == 409
