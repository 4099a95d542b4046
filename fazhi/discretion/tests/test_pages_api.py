"""The pages and the API of discretion benchmarks: reads in scope, the assistant, the import."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from fazhi.core.models import Role
from fazhi.core.tests.factories import make_user
from fazhi.discretion.models import BenchmarkImport
from fazhi.discretion.sample import load_sample
from fazhi.discretion.tests.support import make_benchmark
from fazhi.discretion.tests.test_imports import GOOD, xlsx
from fazhi.inspections.tests.task_support import TaskWorld, make_entity, make_task_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> TaskWorld:
    return make_task_world()


@pytest.fixture
def page(world: TaskWorld) -> Client:
    client = Client()
    client.force_login(world.planner)
    return client


@pytest.fixture
def api(world: TaskWorld) -> APIClient:
    client = APIClient()
    client.force_authenticate(world.planner)
    return client


def test_list_shows_own_and_provincial_benchmarks_with_bounded_queries(
    world, page, django_assert_max_num_queries
):
    sample, _ = load_sample(organisation=world.tree.province)
    reviewer = make_user(world.org, Role.LEGAL_REVIEWER)
    for n in range(5):
        make_benchmark(reviewer, world.org, title=f"基准{n}")
    with django_assert_max_num_queries(12):
        response = page.get(reverse("discretion:benchmark_list"))
    assert response.status_code == 200
    text = response.content.decode()
    assert sample.title in text and "示例" in text and "基准4" in text
    assert "导入裁量基准" not in text  # a supervisor does not publish
    assert page.get(reverse("discretion:benchmark_list"), {"on": "x"}).status_code == 400


def test_detail_and_assistant_pages(world, page, django_assert_max_num_queries):
    sample, _ = load_sample(organisation=world.tree.province)
    with django_assert_max_num_queries(14):
        response = page.get(reverse("discretion:benchmark_detail", args=[sample.pk]))
    assert response.status_code == 200
    assert "未取得医疗机构执业许可证擅自执业" in response.content.decode()
    item = sample.items.get(code="GG-02")
    url = reverse("discretion:item_assist", args=[item.pk])
    assert page.get(url).status_code == 200
    entity = make_entity(world)
    response = page.get(
        url,
        {
            "go": "1",
            "circumstances": ["first_violation", "minor_harm", "corrected"],
            "entity_code": entity.code.lower(),
        },
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "建议适用：不予处罚" in text and "未发现此前的违法行为" in text
    response = page.get(url, {"go": "1", "amount": "20000"})
    text = response.content.decode()
    assert "建议适用：一般处罚" in text and "须书面说明理由，并提交法制审核" in text
    bad = page.get(url, {"go": "1", "amount": "-3"})
    assert bad.status_code == 400 and "不能为负数" in bad.content.decode()
    unknown = page.get(url, {"go": "1", "entity_code": "91350100MA0000000X"})
    assert unknown.status_code == 400 and "名录库中没有该代码" in unknown.content.decode()


def test_a_sibling_benchmark_is_not_found(world, page, api):
    sibling = make_benchmark(make_user(world.other_org, Role.LEGAL_REVIEWER), world.other_org)
    item = sibling.items.get()
    assert page.get(reverse("discretion:benchmark_detail", args=[sibling.pk])).status_code == 404
    assert page.get(reverse("discretion:item_assist", args=[item.pk])).status_code == 404
    assert api.get(f"/api/discretion/benchmarks/{sibling.pk}/").status_code == 404
    assert (
        api.post(f"/api/discretion/items/{item.pk}/propose/", {}, format="json").status_code == 404
    )


def test_pages_refuse_a_user_without_the_capability(world):
    client = Client()
    client.force_login(make_user(world.org, Role.PETITION_OFFICER))
    assert client.get(reverse("discretion:benchmark_list")).status_code == 403
    supervisor = Client()
    supervisor.force_login(world.planner)
    assert supervisor.get(reverse("discretion:import_upload")).status_code == 403


def test_api_list_detail_and_propose(world, api, django_assert_max_num_queries):
    sample, _ = load_sample(organisation=world.tree.province)
    with django_assert_max_num_queries(10):
        listed = api.get("/api/discretion/benchmarks/", {"sample": "true"})
    assert listed.status_code == 200 and listed.json()["count"] == 1
    with django_assert_max_num_queries(10):
        detail = api.get(f"/api/discretion/benchmarks/{sample.pk}/")
    body = detail.json()
    assert len(body["items"]) >= 10
    assert body["items"][0]["tiers"][0]["multiple_min"] == "0.00"
    item = sample.items.get(code="YL-01")
    answer = api.post(
        f"/api/discretion/items/{item.pk}/propose/",
        {"circumstances": ["repeat"], "illegal_gains": "20000", "amount": "500000"},
        format="json",
    )
    assert answer.status_code == 200, answer.content
    data = answer.json()
    assert data["tier"] == "heavier" and data["range"]["minimum"] == "300000.00"
    assert data["range"]["maximum"] == "400000.00"
    assert data["check"]["outside"] and data["check"]["legal_review_required"]
    for bad in (
        {"illegal_gains": "-1"},
        {"amount": "99999999999"},
        {"circumstances": ["bribed"]},
        {"entity": "x"},
    ):
        response = api.post(f"/api/discretion/items/{item.pk}/propose/", bad, format="json")
        assert response.status_code == 400, (bad, response.content)


def test_import_page_and_api_start_the_job(world, run_jobs):
    reviewer = make_user(world.org, Role.LEGAL_REVIEWER)
    client = Client()
    client.force_login(reviewer)
    assert client.get(reverse("discretion:import_template")).status_code == 200
    form = {
        "organisation": world.org.pk,
        "title": "页面导入的基准",
        "issuing_body": "测试卫生健康委员会",
        "effective_from": "2025-01-01",
    }
    with run_jobs():
        response = client.post(
            reverse("discretion:import_upload"),
            {**form, "file": SimpleUploadedFile("基准.xlsx", xlsx(GOOD))},
        )
    assert response.status_code == 302
    record = BenchmarkImport.objects.get()
    assert record.benchmark is not None
    detail = client.get(reverse("discretion:import_detail", args=[record.pk]))
    assert "已导入" in detail.content.decode()
    api = APIClient()
    api.force_authenticate(reviewer)
    with run_jobs():
        started = api.post(
            "/api/discretion/imports/",
            {**form, "title": "接口导入的基准", "file": SimpleUploadedFile("b.xlsx", xlsx(GOOD))},
            format="multipart",
        )
    assert started.status_code == 202, started.content
    latest = BenchmarkImport.objects.latest("id")
    assert api.get(f"/api/discretion/imports/{latest.pk}/").json()["benchmark"] is not None
    bad = api.post(
        "/api/discretion/imports/",
        {**form, "effective_to": "2024-01-01", "file": SimpleUploadedFile("b.xlsx", xlsx(GOOD))},
        format="multipart",
    )
    assert bad.status_code == 400


def test_export_from_the_page_and_the_api(world, page, api, run_jobs):
    sample, _ = load_sample(organisation=world.tree.province)
    with run_jobs():
        response = page.post(reverse("discretion:benchmark_export", args=[sample.pk]))
    assert response.status_code == 302 and "/jobs/" in response["Location"]
    with run_jobs():
        started = api.post(f"/api/discretion/benchmarks/{sample.pk}/export/")
    assert started.status_code == 202 and started.json()["kind"] == "discretion.benchmark_export"
    sibling = make_benchmark(make_user(world.other_org, Role.LEGAL_REVIEWER), world.other_org)
    assert api.post(f"/api/discretion/benchmarks/{sibling.pk}/export/").status_code == 404
    assert page.get(reverse("discretion:benchmark_export", args=[sample.pk])).status_code == 405
