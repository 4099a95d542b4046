from __future__ import annotations

import io

import pytest
from rest_framework.test import APIClient

from fazhi.core.models import AuditEvent
from fazhi.registry.models import Entity
from fazhi.registry.tests.helpers import World, good_row, make_entity, next_uscc, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return World()


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_list_is_scoped_and_filtered(world, django_assert_max_num_queries):
    make_entity(world.sup0, name="本区医院", kind="hospital")
    make_entity(world.sup0, name="本区诊所", kind="clinic")
    make_entity(world.sup1, name="外区医院", kind="hospital")
    client = api(world.sup0)
    with django_assert_max_num_queries(6):
        response = client.get("/api/registry/entities/")
    assert response.status_code == 200
    assert {r["name"] for r in response.data["results"]} == {"本区医院", "本区诊所"}
    response = client.get("/api/registry/entities/", {"kind": "hospital"})
    assert [r["name"] for r in response.data["results"]] == ["本区医院"]
    response = api(world.city_leader).get("/api/registry/entities/")
    assert response.data["count"] == 3


def test_detail_and_writes_across_districts_are_404(world):
    theirs = make_entity(world.sup1, name="外区单位")
    client = api(world.sup0)
    url = f"/api/registry/entities/{theirs.pk}/"
    for response in (
        client.get(url),
        client.patch(url, {"name": "改名"}, format="json"),
        client.post(url + "deactivate/", {"reason": "越权停用"}, format="json"),
        client.post(url + "delete/", {"reason": "越权删除"}, format="json"),
    ):
        assert response.status_code == 404
        assert response.data["error"]["code"] == "not_found"
    licences = client.get("/api/registry/licences/", {"entity": theirs.pk})
    assert licences.status_code == 200 and licences.data["results"] == []
    theirs.refresh_from_db()
    assert theirs.name == "外区单位" and theirs.is_active


def test_create_update_deactivate_via_api(world):
    client = api(world.sup0)
    uscc = next_uscc()
    response = client.post(
        "/api/registry/entities/",
        {
            "name": "接口单位",
            "kind": "hospital",
            "division_code": "350102",
            "uscc": uscc,
            "categories": ["medical"],
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    entity_id = response.data["id"]
    assert response.data["categories"] == ["medical"]
    assert Entity.objects.get(pk=entity_id).organisation == world.inst0
    response = client.post(
        "/api/registry/entities/",
        {"name": "重复", "kind": "hospital", "division_code": "350102", "uscc": uscc},
        format="json",
    )
    assert response.status_code == 400
    assert response.data["error"]["code"] == "already_in_directory"
    response = client.patch(
        f"/api/registry/entities/{entity_id}/",
        {"name": "接口单位（改）", "risk_grade": "D", "risk_reason": "抽查发现问题"},
        format="json",
    )
    assert response.status_code == 200
    assert response.data["name"] == "接口单位（改）" and response.data["risk_grade"] == "D"
    response = client.post(f"/api/registry/entities/{entity_id}/deactivate/", {}, format="json")
    assert response.status_code == 400
    response = client.post(
        f"/api/registry/entities/{entity_id}/deactivate/", {"reason": "注销"}, format="json"
    )
    assert response.status_code == 200 and response.data["is_active"] is False
    response = client.post(
        "/api/registry/licences/",
        {"entity": entity_id, "kind": "radiation", "number": "FS-9", "valid_from": "2024-01-01"},
        format="json",
    )
    assert response.status_code == 201
    response = client.post(
        f"/api/registry/entities/{entity_id}/delete/", {"reason": "误登记"}, format="json"
    )
    assert response.status_code == 204
    assert not Entity.objects.filter(pk=entity_id).exists()


def test_create_in_another_organisation_is_404_and_denial_recorded(world):
    response = api(world.sup0).post(
        "/api/registry/entities/",
        {
            "organisation": world.inst1.pk,
            "name": "越权",
            "kind": "hospital",
            "division_code": "350102",
            "uscc": next_uscc(),
        },
        format="json",
    )
    assert response.status_code == 404
    assert not Entity.objects.filter(name="越权").exists()


def test_viewer_is_refused_writes_with_a_recorded_denial(world):
    response = api(world.viewer0).post(
        "/api/registry/entities/",
        {"name": "只读", "kind": "hospital", "division_code": "350102", "uscc": next_uscc()},
        format="json",
    )
    assert response.status_code == 403
    assert response.data["error"]["code"] == "permission_denied"
    assert AuditEvent.objects.filter(action="access.denied").exists()


def test_categories_endpoint(world):
    response = api(world.viewer0).get("/api/registry/categories/")
    codes = {c["code"] for c in response.data}
    assert {"public_places", "drinking_water", "school", "medical", "radiation"} <= codes
    assert {"infectious", "disinfection", "occupational", "blood_safety", "maternal_child"} <= codes


def _finished(client, response):
    """The job an endpoint answered (202), as the jobs API shows it once it has run."""
    assert response.status_code == 202, response.content
    job = client.get(f"/api/jobs/{response.data['id']}/").data
    assert job["state"] in ("succeeded", "failed"), job
    return job


def test_import_upload_preview_and_confirm_via_api(world, run_jobs):
    client = api(world.sup0)
    bad = io.BytesIO(xlsx_bytes([good_row(), good_row(categories="占星术")]))
    bad.name = "bad.xlsx"
    with run_jobs():
        response = client.post("/api/registry/imports/", {"file": bad}, format="multipart")
    job = _finished(client, response)
    assert job["kind"] == "registry.import_stage" and job["state"] == "succeeded"
    assert job["result"]["object_type"] == "registry.importbatch"
    batch_id = int(job["result"]["object_id"])
    batch = client.get(f"/api/registry/imports/{batch_id}/").data
    assert batch["is_clean"] is False
    assert batch["errors"] == [
        {
            "row": 3,
            "column": "专业类别",
            "code": "unknown_category",
            "message": "未知的专业类别：占星术",
        }
    ]
    with run_jobs():
        response = client.post(f"/api/registry/imports/{batch_id}/confirm/")
    job = _finished(client, response)
    assert job["state"] == "failed"
    assert job["error"]["code"] == "batch_has_errors"

    good = io.BytesIO(xlsx_bytes([good_row(), good_row()]))
    good.name = "good.xlsx"
    with run_jobs():
        response = client.post("/api/registry/imports/", {"file": good}, format="multipart")
    batch_id = int(_finished(client, response)["result"]["object_id"])
    batch = client.get(f"/api/registry/imports/{batch_id}/").data
    assert batch["is_clean"] is True and batch["row_count"] == 2
    # another district: 404 on preview and confirm
    other = api(world.sup1)
    assert other.get(f"/api/registry/imports/{batch_id}/").status_code == 404
    assert other.post(f"/api/registry/imports/{batch_id}/confirm/").status_code == 404
    with run_jobs():
        response = client.post(f"/api/registry/imports/{batch_id}/confirm/")
    job = _finished(client, response)
    assert job["state"] == "succeeded" and job["result"]["summary"] == "已导入2个检查对象。"
    assert client.get(f"/api/registry/imports/{batch_id}/").data["state"] == "confirmed"
    assert Entity.objects.filter(organisation=world.inst0).count() == 2
    with run_jobs():
        response = client.post(f"/api/registry/imports/{batch_id}/confirm/")
    job = _finished(client, response)
    assert job["error"]["code"] == "batch_not_pending"


def test_schema_is_valid(client, world):
    client.force_login(world.sup0)
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/registry/entities/" in response.content
