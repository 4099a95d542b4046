"""Pages and API of appeals: the list with its filters, query count and export, the figures
(matching the seeds: 2 reconsiderations and 3 lawsuits, nothing corrected or lost) with their
workbook, registration, the detail with its next steps, each step with its refusal, scope and
permission."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook
from rest_framework.test import APIClient

from fazhi.appeals import selectors, services
from fazhi.appeals.models import Appeal, AppealKind, AppealState, Outcome
from fazhi.appeals.tests.support import TODAY, World, make_world, register
from fazhi.core.models import AttachmentLink
from fazhi.core.testing import clock_at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with clock_at(TODAY):
        yield


@pytest.fixture
def world() -> World:
    return make_world()


def login(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _seeds(world: World) -> list[Appeal]:
    """2 reconsiderations and 3 lawsuits, none corrected or lost; the head appeared once."""
    made = [
        register(world, applicant="甲诊所"),
        register(world, applicant="乙诊所"),
        register(world, kind=AppealKind.LITIGATION, applicant="丙公司"),
        register(world, kind=AppealKind.LITIGATION, applicant="丁公司"),
        register(world, kind=AppealKind.LITIGATION, applicant="戊某"),
    ]
    first = services.appeal_answer(
        actor=world.legal, appeal=made[2], on=made[2].received_on + dt.timedelta(days=2)
    )
    services.appeal_record_hearing(
        actor=world.legal, appeal=first, held_on=TODAY, attended_by="局长", head_appeared=True
    )
    services.appeal_decide(
        actor=world.legal, appeal=first, on=TODAY, outcome=Outcome.REQUEST_DISMISSED
    )
    services.appeal_decide(actor=world.legal, appeal=made[0], on=TODAY, outcome=Outcome.UPHELD)
    return made


def test_figures_match_the_seeds(world):
    _seeds(world)
    rows = {row.label: row.values for row in selectors.appeal_figures(user=world.legal, year=2026)}
    keys = [key for key, _ in selectors.COLUMNS]
    total = dict(zip(keys, rows["合计"], strict=True))
    recon = dict(zip(keys, rows["行政复议"], strict=True))
    suits = dict(zip(keys, rows["行政诉讼"], strict=True))
    assert (recon["received"], suits["received"], total["received"]) == (2, 3, 5)
    assert (total["corrected"], total["lost"]) == (0, 0)
    assert total["head_appeared"] == 1
    assert total["on_time"] == 1
    assert (total["upheld"], total["request_dismissed"], total["pending"]) == (1, 1, 3)
    assert selectors.appeal_figures(user=world.legal, year=2025)[-1].values[0] == 0


def test_figures_page_and_workbook(world, django_assert_max_num_queries):
    _seeds(world)
    client = login(world.viewer)
    with django_assert_max_num_queries(10):
        response = client.get("/appeals/figures/?year=2026")
    assert response.status_code == 200
    body = response.content.decode()
    assert "行政复议" in body and "纠错" in body and "统计口径" in body
    response = client.get("/appeals/figures/export.xlsx?year=2026")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "类型" and rows[-1][0] == "合计" and rows[-1][1] == 5
    assert client.get("/appeals/figures/?year=abc").status_code == 400


def test_list_filters_counts_queries_and_exports(world, django_assert_max_num_queries):
    _seeds(world)
    client = login(world.legal)
    with django_assert_max_num_queries(12):
        response = client.get("/appeals/")
    assert response.status_code == 200
    body = response.content.decode()
    assert all(name in body for name in ("甲诊所", "乙诊所", "丙公司", "丁公司", "戊某"))
    body = client.get("/appeals/?kind=litigation").content.decode()
    assert "丙公司" in body and "甲诊所" not in body
    body = client.get("/appeals/?outcome=upheld").content.decode()
    assert "甲诊所" in body and "乙诊所" not in body
    assert client.get("/appeals/?state=nonsense").status_code == 400
    response = client.get("/appeals/export.xlsx?kind=reconsideration")
    rows = list(
        load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True)
    )
    assert len(rows) == 3 and {r[2] for r in rows[1:]} == {"甲诊所", "乙诊所"}


def test_who_sees_the_pages(world):
    register(world)
    assert login(world.supervisor).get("/appeals/").status_code == 403
    assert login(world.viewer).get("/appeals/").status_code == 200
    assert login(world.viewer).get("/appeals/new/").status_code == 403
    body = login(world.stranger).get("/appeals/").content.decode()
    assert "某诊所" not in body
    appeal = Appeal.objects.get()
    assert login(world.stranger).get(f"/appeals/{appeal.pk}/").status_code == 404


def test_register_from_the_page(world):
    client = login(world.legal)
    assert client.get("/appeals/new/").status_code == 200
    response = client.post(
        "/appeals/new/",
        {
            "kind": "litigation",
            "applicant": "某宾馆",
            "reviewing_body": "某区人民法院",
            "act": "责令改正通知",
            "lodged_on": "2026-11-20",
            "received_on": "2026-11-25",
        },
    )
    appeal = Appeal.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/appeals/{appeal.pk}/"
    response = client.post(
        "/appeals/new/",
        {
            "kind": "litigation",
            "applicant": "某宾馆",
            "reviewing_body": "法院",
            "act": "x",
            "lodged_on": "2026-11-25",
            "received_on": "2026-11-20",
        },
    )
    assert response.status_code == 200
    assert "收到副本日期不能早于申请（起诉）日期" in response.content.decode()
    assert response["X-Error-Code"] == "date_too_early"
    response = client.post("/appeals/new/", {"kind": "x", "lodged_on": "2026-13-01"})
    assert response.status_code == 200 and response["X-Error-Code"] == "invalid_date"
    assert Appeal.objects.count() == 1


def test_detail_offers_the_next_steps_and_runs_them(world):
    appeal = register(world)
    client = login(world.legal)
    body = client.get(f"/appeals/{appeal.pk}/").content.decode()
    assert "提交书面答复（答辩状）和证据" in body and "登记复议决定或裁判结果" in body
    assert "登记纠错整改情况" not in body and "reconsideration" not in body
    upload = SimpleUploadedFile("答复书.pdf", b"%PDF-1.4 answer", content_type="application/pdf")
    response = client.post(
        f"/appeals/{appeal.pk}/answer/", {"on": "2026-11-28", "note": "要点", "file": upload}
    )
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.state == AppealState.ANSWERED
    assert AttachmentLink.objects.filter(object_id=str(appeal.pk)).count() == 1
    response = client.post(f"/appeals/{appeal.pk}/decide/", {"on": "2026-11-29", "outcome": ""})
    assert response.status_code == 302
    body = client.get(f"/appeals/{appeal.pk}/").content.decode()
    assert "请选择行政复议的结果" in body
    client.post(f"/appeals/{appeal.pk}/decide/", {"on": "2026-11-29", "outcome": "revoked"})
    body = client.get(f"/appeals/{appeal.pk}/").content.decode()
    assert "纠错" in body and "登记纠错整改情况" in body
    response = client.post(f"/appeals/{appeal.pk}/close/", {"on": "x"})
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.state == AppealState.DECIDED
    assert (
        login(world.viewer).post(f"/appeals/{appeal.pk}/close/", {"on": "2026-11-30"}).status_code
        == 403
    )


def test_api_register_steps_and_refusals(world):
    api = APIClient()
    api.force_authenticate(world.legal)
    response = api.post(
        "/api/appeals/",
        {
            "kind": "reconsideration",
            "procedure": "simplified",
            "applicant": "某诊所",
            "reviewing_body": "某区人民政府",
            "act": "警告",
            "lodged_on": "2026-11-20",
            "received_on": "2026-11-23",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["deadlines"][0]["rule_key"] == "reconsideration.answer_simple"
    assert data["next_steps"] == ["answer", "decide"]
    pk = data["id"]
    response = api.post(
        f"/api/appeals/{pk}/record_hearing/",
        {"held_on": "2026-11-24", "attended_by": "局长"},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"
    response = api.post(f"/api/appeals/{pk}/answer/", {"on": "2026-11-25"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "answered"
    response = api.post(
        f"/api/appeals/{pk}/record_hearing/",
        {"held_on": "2026-11-26", "attended_by": "局长", "head_appeared": True},
        format="json",
    )
    assert response.status_code == 200 and response.json()["head_appeared"] is True
    response = api.post(f"/api/appeals/{pk}/decide/", {"on": "2026-11-27"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "outcome_required"
    assert api.post(f"/api/appeals/{pk}/decide/", {"on": "bad"}, format="json").status_code == 400
    response = api.get("/api/appeals/?kind=reconsideration")
    assert response.status_code == 200 and response.json()["count"] == 1
    response = api.get("/api/appeals/figures/?year=2026")
    assert response.json()["rows"][-1]["values"][0] == 1
    assert api.post("/api/appeals/", {"kind": "x"}, format="json").status_code == 400
    outsider = APIClient()
    outsider.force_authenticate(world.stranger)
    assert outsider.get(f"/api/appeals/{pk}/").status_code == 404


def test_documents_are_kept_as_the_appeals_attachments(world):
    appeal = register(world)
    client = login(world.legal)
    judgment = SimpleUploadedFile(
        "复议决定书.pdf", b"%PDF-1.4 decision", content_type="application/pdf"
    )
    assert client.post(f"/appeals/{appeal.pk}/documents/", {"file": judgment}).status_code == 302
    links = AttachmentLink.objects.filter(object_id=str(appeal.pk))
    assert [link.kind for link in links] == ["document"]
    assert "复议决定书.pdf" in client.get(f"/appeals/{appeal.pk}/").content.decode()
    response = client.post(f"/appeals/{appeal.pk}/documents/", {})
    assert response.status_code == 302 and links.count() == 1
    viewer = login(world.viewer)
    other = SimpleUploadedFile("x.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    assert viewer.post(f"/appeals/{appeal.pk}/documents/", {"file": other}).status_code == 403
    assert links.count() == 1
