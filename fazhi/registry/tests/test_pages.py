from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from fazhi.core.models import AuditEvent, Job
from fazhi.core.tests.jobs_support import download, job_from
from fazhi.registry.models import Entity, ImportBatch
from fazhi.registry.selectors import entities as entity_selectors
from fazhi.registry.tests.helpers import World, good_row, make_entity, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return World()


def login(client, user):
    client.force_login(user)
    return client


def test_list_shows_only_the_users_scope_with_bounded_queries(
    world, client, django_assert_max_num_queries
):
    mine = [make_entity(world.sup0, name=f"本区单位{i}") for i in range(3)]
    theirs = make_entity(world.sup1, name="外区单位")
    login(client, world.sup0)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("registry:entity_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert all(e.name in body for e in mine)
    assert theirs.name not in body
    # the city leader sees both districts
    login(client, world.city_leader)
    body = client.get(reverse("registry:entity_list")).content.decode()
    assert theirs.name in body and mine[0].name in body


def test_list_query_count_does_not_grow_with_rows(world, client, django_assert_max_num_queries):
    for i in range(30):
        make_entity(world.sup0, name=f"单位{i}", categories=["medical", "radiation"])
    login(client, world.sup0)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("registry:entity_list"), {"category": "medical"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 30


def test_selector_filters(world, django_assert_max_num_queries):
    a = make_entity(world.sup0, name="甲医院", kind="hospital", risk_grade="D")
    b = make_entity(
        world.sup0, name="乙游泳馆", kind="public_place_swimming", categories=["public_places"]
    )
    c = make_entity(world.sup0, name="丙诊所")
    from fazhi.registry.services import entities as entity_services

    entity_services.entity_deactivate(actor=world.sup0, entity_id=c.pk, reason="关闭")

    def names(**kw):
        filters = entity_selectors.EntityFilters(**kw)
        with django_assert_max_num_queries(2):
            return {e.name for e in entity_selectors.entity_list(user=world.sup0, filters=filters)}

    assert names() == {"甲医院", "乙游泳馆"}
    assert names(active=None) == {"甲医院", "乙游泳馆", "丙诊所"}
    assert names(active=False) == {"丙诊所"}
    assert names(q="医院") == {"甲医院"}
    assert names(q=b.uscc.lower()) == {"乙游泳馆"}
    assert names(kind="hospital") == {"甲医院"}
    assert names(category="public_places") == {"乙游泳馆"}
    assert names(risk_grade="D") == {"甲医院"}
    assert names(division=a.division_code[:4]) == {"甲医院", "乙游泳馆"}
    assert names(division="999") == set()
    assert names(organisation=world.inst1.pk) == set()


def test_detail_edit_and_actions_through_pages(world, client):
    entity = make_entity(world.sup0, name="页面单位")
    login(client, world.sup0)
    url = reverse("registry:entity_detail", args=[entity.pk])
    response = client.get(url)
    assert response.status_code == 200 and "页面单位" in response.content.decode()
    response = client.post(
        reverse("registry:entity_edit", args=[entity.pk]),
        {
            "name": "页面单位（改）",
            "uscc": entity.uscc,
            "id_number": "",
            "kind": "hospital",
            "categories": ["medical"],
            "division_code": entity.division_code,
            "address": "新地址",
            "legal_representative": "",
            "status": "operating",
        },
    )
    assert response.status_code == 302
    entity.refresh_from_db()
    assert entity.name == "页面单位（改）" and entity.kind == "hospital"
    client.post(reverse("registry:risk_grade_set", args=[entity.pk]), {"grade": "A"})
    client.post(
        reverse("registry:licence_add", args=[entity.pk]),
        {"kind": "medical_institution", "number": "Y-1", "valid_from": "2024-01-01"},
    )
    client.post(reverse("registry:entity_deactivate", args=[entity.pk]), {"reason": ""})
    entity.refresh_from_db()
    assert entity.is_active  # no reason: refused
    client.post(reverse("registry:entity_deactivate", args=[entity.pk]), {"reason": "歇业"})
    entity.refresh_from_db()
    assert entity.risk_grade == "A" and not entity.is_active
    assert entity.licences.count() == 1
    body = client.get(url).content.decode()
    assert "Y-1" in body and "歇业" in body
    # the points are credit's: the page links to its list narrowed to the entity
    assert f"{reverse('credit:point_list')}?entity={entity.pk}" in body


def test_create_page(world, client):
    login(client, world.sup0)
    assert client.get(reverse("registry:entity_create")).status_code == 200
    from fazhi.registry.tests.helpers import next_uscc

    response = client.post(
        reverse("registry:entity_create"),
        {
            "organisation": world.inst0.pk,
            "name": "新登记单位",
            "uscc": next_uscc(),
            "kind": "school",
            "categories": ["school"],
            "division_code": "350102",
            "status": "operating",
            "risk_grade": "B",
        },
    )
    assert response.status_code == 302
    entity = Entity.objects.get(name="新登记单位")
    assert entity.organisation == world.inst0
    # a bad code comes back as a form error, nothing written
    response = client.post(
        reverse("registry:entity_create"),
        {
            "organisation": world.inst0.pk,
            "name": "坏代码单位",
            "uscc": "91350102000000019C",
            "kind": "school",
            "division_code": "350102",
            "status": "operating",
            "risk_grade": "B",
        },
    )
    assert response.status_code == 200 and response["X-Error-Code"] == "uscc_check"
    assert "uscc_check" not in response.content.decode()
    assert not Entity.objects.filter(name="坏代码单位").exists()


def test_other_districts_entities_are_404_on_every_page(world, client):
    theirs = make_entity(world.sup1, name="外区单位")
    login(client, world.sup0)
    for name in ("entity_detail", "entity_edit"):
        assert client.get(reverse(f"registry:{name}", args=[theirs.pk])).status_code == 404
    for name in ("entity_deactivate", "entity_delete", "risk_grade_set"):
        response = client.post(
            reverse(f"registry:{name}", args=[theirs.pk]),
            {"reason": "越权操作", "grade": "D", "points": "1", "recorded_on": "2025-01-01"},
        )
        assert response.status_code == 404, name
    theirs.refresh_from_db()
    assert theirs.is_active and theirs.risk_grade == "B"
    assert AuditEvent.objects.filter(action="access.denied").exists()


def test_viewer_cannot_reach_write_pages(world, client):
    login(client, world.viewer0)
    assert client.get(reverse("registry:entity_list")).status_code == 200
    assert client.get(reverse("registry:entity_create")).status_code == 403
    assert client.get(reverse("registry:import_upload")).status_code == 403


def test_export_is_scoped_filtered_and_audited(world, client, run_jobs):
    make_entity(world.sup0, name="本区医院", kind="hospital")
    make_entity(world.sup0, name="本区诊所", kind="clinic")
    make_entity(world.sup1, name="外区医院", kind="hospital")
    login(client, world.viewer0)  # a read-only viewer may export: no write capability needed
    with run_jobs():
        response = client.post(reverse("registry:entity_export"), {"format": "xlsx"})
    job = job_from(response)
    sheet = load_workbook(io.BytesIO(download(client, job))).active
    names = {r[1] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert names == {"本区医院", "本区诊所"}
    job.refresh_from_db()
    assert job.result_summary == "已导出2个检查对象。" and job.done == 2
    page = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert "下载文件" in page and "已导出2个检查对象" in page
    with run_jobs():
        response = client.post(
            reverse("registry:entity_export") + "?kind=hospital", {"format": "csv"}
        )
    text = download(client, job_from(response)).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert [r[1] for r in rows[1:]] == ["本区医院"]
    assert AuditEvent.objects.filter(action="entity.exported").count() == 2
    # the file is the viewer's: another district's supervisor cannot reach the job or its file
    login(client, world.sup1)
    assert client.get(reverse("core:job_download", args=[job.pk])).status_code == 404
    # starting an export is a POST; a bad filter is refused before any job exists
    login(client, world.sup0)
    assert client.get(reverse("registry:entity_export")).status_code == 405
    jobs_before = Job.objects.count()
    response = client.post(reverse("registry:entity_export") + "?kind=飞船", {"format": "csv"})
    assert response.status_code == 400 and Job.objects.count() == jobs_before


def test_import_pages_upload_preview_confirm(world, client, run_jobs):
    login(client, world.sup0)
    assert client.get(reverse("registry:import_template")).status_code == 200
    bad = io.BytesIO(xlsx_bytes([good_row(kind="飞船")]))
    bad.name = "bad.xlsx"
    with run_jobs():
        response = client.post(
            reverse("registry:import_upload"), {"organisation": world.inst0.pk, "file": bad}
        )
    job = job_from(response)
    batch = ImportBatch.objects.get(file_name="bad.xlsx")
    job.refresh_from_db()
    assert (job.kind, job.state, job.result_id) == (
        "registry.import_stage",
        "succeeded",
        str(batch.pk),
    )
    assert job.result_summary == "预检完成：共1行，发现1处错误。"
    # the job page links to the preview; its polling fragment sends the browser there
    page = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert reverse("registry:import_preview", args=[batch.pk]) in page
    fragment = client.get(reverse("core:job_status", args=[job.pk]), headers={"HX-Request": "true"})
    assert fragment["HX-Redirect"] == reverse("registry:import_preview", args=[batch.pk])
    body = client.get(reverse("registry:import_preview", args=[batch.pk])).content.decode()
    assert "unknown_kind" in body and "确认导入" not in body
    errors_csv = client.get(reverse("registry:import_errors", args=[batch.pk]))
    assert "unknown_kind" in errors_csv.content.decode("utf-8-sig")
    with run_jobs():
        response = client.post(reverse("registry:import_confirm", args=[batch.pk]))
    failed = job_from(response)
    failed.refresh_from_db()
    assert (failed.state, failed.error_code) == ("failed", "batch_has_errors")
    assert not Entity.objects.exists()
    page = client.get(reverse("core:job_detail", args=[failed.pk])).content.decode()
    assert "该批次存在错误，请修改文件后重新上传。" in page and "batch_has_errors" not in page

    good = io.BytesIO(xlsx_bytes([good_row(), good_row()]))
    good.name = "good.xlsx"
    with run_jobs():
        client.post(
            reverse("registry:import_upload"), {"organisation": world.inst0.pk, "file": good}
        )
    batch = ImportBatch.objects.get(file_name="good.xlsx")
    body = client.get(reverse("registry:import_preview", args=[batch.pk])).content.decode()
    assert "确认导入" in body
    with run_jobs():
        response = client.post(reverse("registry:import_confirm", args=[batch.pk]))
    confirmed = job_from(response)
    assert Entity.objects.filter(organisation=world.inst0).count() == 2
    page = client.get(reverse("core:job_detail", args=[confirmed.pk])).content.decode()
    assert "已导入2个检查对象。" in page and "查看导入的批次" in page
    # another district cannot see or confirm the batch, nor see the jobs
    login(client, world.sup1)
    assert client.get(reverse("registry:import_preview", args=[batch.pk])).status_code == 404
    assert client.post(reverse("registry:import_confirm", args=[batch.pk])).status_code == 404
    assert client.get(reverse("core:job_detail", args=[confirmed.pk])).status_code == 404
