"""Pages and API of disputes, screening and insurance: lists with query counts, registration,
steps with their refusals, the month's table, figures and Excel, scope and permission."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client
from openpyxl import load_workbook
from rest_framework.test import APIClient

from fazhi.core.testing import at
from fazhi.disputes.models import DisputeState, MedicalDispute, ScreeningReport
from fazhi.disputes.tests.support import TODAY, World, dispute, make_world

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
    for n in range(10):
        dispute(world, patient_name=f"患者{n}")
    client = login(world.head)
    with django_assert_max_num_queries(14):
        response = client.get("/disputes/")
    body = response.content.decode()
    assert response.status_code == 200 and "患者9" in body and "松溪区人民医院" in body
    assert "negotiation" not in body.split("<table", 1)[1]
    assert "患者9" not in client.get("/disputes/?route=litigation").content.decode()
    assert client.get("/disputes/?route=court").status_code == 400
    assert "患者9" not in login(world.stranger).get("/disputes/").content.decode()


def test_register_detail_and_steps(world):
    client = login(world.officer)
    assert "松溪区人民医院" in client.get("/disputes/new/").content.decode()
    response = client.post(
        "/disputes/new/",
        {
            "entity": world.hospital.pk,
            "occurred_on": "2025-11-01",
            "reported_on": "2025-11-02",
            "patient_name": "刘某",
            "summary": "误诊纠纷",
            "route": "mediation",
            "claim_amount": "5万",
        },
    )
    assert response.status_code == 200 and "金额" in response.content.decode()
    assert not MedicalDispute.objects.exists()
    response = client.post(
        "/disputes/new/",
        {
            "entity": world.far_hospital.pk,
            "occurred_on": "2025-11-01",
            "reported_on": "2025-11-02",
            "patient_name": "刘某",
            "summary": "误诊纠纷",
            "route": "mediation",
        },
    )
    assert response.status_code == 404  # another district's institution
    d = dispute(world)
    page = client.get(f"/disputes/{d.pk}/").content.decode()
    assert "变更处理途径" in page and "结案" in page
    response = client.post(
        f"/disputes/{d.pk}/conclude/", {"outcome": "mediated", "on": "2025-12-01"}, follow=True
    )
    assert "请填写赔偿" in response.content.decode()
    client.post(
        f"/disputes/{d.pk}/conclude/",
        {"outcome": "mediated", "compensation": "30000.00", "on": "2025-12-01"},
    )
    d.refresh_from_db()
    assert d.state == DisputeState.CONCLUDED
    assert login(world.stranger).get(f"/disputes/{d.pk}/").status_code == 404
    assert login(world.head).post(f"/disputes/{d.pk}/conclude/", {}).status_code == 403


def test_screening_page_shows_the_units_and_takes_the_own_report(
    world, django_assert_max_num_queries
):
    client = login(world.officer)
    response = client.post(
        "/disputes/screening/submit/", {"month": "2025-11", "found": "0", "resolved": "0"}
    )
    assert response.status_code == 302
    report = ScreeningReport.objects.get()
    assert report.found == 0 and report.submitted_on == TODAY and report.late
    head = login(world.head)
    with django_assert_max_num_queries(14):
        page = head.get("/disputes/screening/?month=2025-11")
    body = page.content.decode()
    assert "逾期报送" in body and "未报送" in body and "零报告" in body
    assert head.get("/disputes/screening/?month=2025-13").status_code == 400
    again = client.post(
        "/disputes/screening/submit/",
        {"month": "2025-11", "found": "1", "resolved": "0"},
        follow=True,
    )
    assert "已报送" in again.content.decode()
    assert ScreeningReport.objects.count() == 1
    with time_machine.travel(at(TODAY + dt.timedelta(days=10)), tick=True):
        response = login(world.head).get("/")
        assert response.status_code == 200, response
        workbench = response.content.decode()
    assert "医疗纠纷排查未报送的单位" in workbench


def test_insurance_page_and_figures_export(world, django_assert_max_num_queries):
    client = login(world.officer)
    response = client.post(
        "/disputes/insurance/new/",
        {
            "entity": world.hospital.pk,
            "year": "2025",
            "insurer": "某保险公司",
            "starts_on": "2025-01-01",
            "ends_on": "2025-12-31",
            "coverage": "1000000",
        },
    )
    assert response.status_code == 302
    with django_assert_max_num_queries(14):
        page = client.get("/disputes/insurance/?year=2025")
    assert "某保险公司" in page.content.decode()
    dispute(world)
    figures = login(world.head).get("/disputes/figures/?year=2025").content.decode()
    assert "参加医疗责任保险的机构" in figures
    xlsx = login(world.head).get("/disputes/figures/?year=2025&format=xlsx")
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["2025年统计", "医疗纠纷", "医疗责任保险"]
    assert book["医疗纠纷"].max_row == 2 and book["医疗责任保险"].max_row == 2


def test_api(world):
    api = APIClient()
    api.force_authenticate(world.officer)
    body = {
        "entity": world.hospital.pk,
        "occurred_on": "2025-11-01",
        "reported_on": "2025-11-02",
        "patient_name": "周某",
        "summary": "用药纠纷",
        "route": "negotiation",
        "claim_amount": "1000.50",
    }
    created = api.post("/api/disputes/", body, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["claim_amount"] == "1000.50"
    assert (
        api.post("/api/disputes/", {**body, "claim_amount": "-3"}, format="json").status_code == 400
    )
    routed = api.post(
        f"/api/disputes/{pk}/change_route/",
        {"route": "negotiation", "on": "2025-11-03"},
        format="json",
    )
    assert routed.status_code == 409 and routed.json()["error"]["code"] == "same_route"
    done = api.post(
        f"/api/disputes/{pk}/conclude/",
        {"outcome": "agreed", "compensation": "800.00", "on": "2025-11-05"},
        format="json",
    )
    assert done.status_code == 200 and done.json()["compensation"] == "800.00"
    report = api.post(
        "/api/disputes/screening/", {"month": "2025-11", "found": 0, "resolved": 0}, format="json"
    )
    assert report.status_code == 201 and report.json()["month"] == "2025-11"
    dup = api.post(
        "/api/disputes/screening/", {"month": "2025-11", "found": 0, "resolved": 0}, format="json"
    )
    assert dup.status_code == 409
    status = api.get("/api/disputes/screening/?month=2025-11").json()
    assert status[0]["status"] == "late"
    figures = {
        row["item"]: row["value"] for row in api.get("/api/disputes/figures/?year=2025").json()
    }
    assert (
        figures["其中零报告"] == "1" and figures["本年结案的赔偿（补偿）金额合计（元）"] == "800.00"
    )
    insured = api.post(
        "/api/disputes/insurance/",
        {
            "entity": world.hospital.pk,
            "year": 2025,
            "insurer": "某保险公司",
            "starts_on": "2025-01-01",
            "ends_on": "2025-12-31",
        },
        format="json",
    )
    assert insured.status_code == 201
    assert api.get("/api/disputes/insurance/?year=2025").json()["count"] == 1
    viewer = APIClient()
    viewer.force_authenticate(world.viewer)
    assert viewer.post("/api/disputes/", body, format="json").status_code == 403
    assert viewer.get("/api/disputes/").status_code == 200
