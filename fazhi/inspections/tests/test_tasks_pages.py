"""List pages run a fixed number of queries, whatever the number of rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from fazhi.core import clock
from fazhi.core.tests.factories import make_officer
from fazhi.inspections.services.pool import inspector_enrol
from fazhi.inspections.tests.task_support import (
    make_entity,
    make_item,
    make_plan,
    make_task,
    make_task_world,
)

pytestmark = pytest.mark.django_db


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize(
    "url",
    [
        "/inspections/tasks/mine/",
        "/inspections/tasks/",
        "/inspections/items/",
        "/inspections/pool/",
        "/inspections/figures/",
    ],
)
def test_list_pages_do_not_grow_with_rows(client: Client, url):
    world = make_task_world()
    items = [make_item(world)]
    plan = make_plan(world, items=items)
    client.force_login(world.inspector_a)

    def grow(n: int) -> None:
        for _ in range(n):
            make_item(world)
            make_task(world, plan=plan, entity=make_entity(world))
            inspector_enrol(
                actor=world.planner,
                officer=make_officer(world.org),
                on=clock.today(),
                categories=[world.public_places],
            )

    grow(2)
    few = _queries(client, url)
    grow(6)
    many = _queries(client, url)
    assert many == few, (url, few, many)


def test_task_list_filters_by_name_inspector_and_plan_and_pages(client: Client):
    world = make_task_world()
    plan = make_plan(world, items=[make_item(world)])
    mine = make_task(world, plan=plan, entity=make_entity(world), inspectors=(world.officer_a,))
    other = make_task(world, plan=plan, entity=make_entity(world), inspectors=(world.officer_b,))
    client.force_login(world.planner)
    by_inspector = client.get("/inspections/tasks/", {"inspector": world.officer_a.pk})
    assert [t.pk for t in by_inspector.context["page"].object_list] == [mine.pk]
    by_name = client.get("/inspections/tasks/", {"q": other.entity.name})
    assert [t.pk for t in by_name.context["page"].object_list] == [other.pk]
    body = by_name.content.decode()
    assert 'for="filter-plan"' in body and 'for="filter-inspector"' in body and "共 1 条" in body
    paged = client.get("/inspections/tasks/", {"plan": plan.pk, "size": 20})
    assert paged.context["listing"].total == 2
    assert client.get("/inspections/tasks/", {"inspector": "x"}).status_code == 400


def test_workbench_lists_what_waits_for_each_user(client: Client):
    from fazhi.core.models import Role
    from fazhi.core.tests.factories import make_user

    world = make_task_world()
    plan = make_plan(world, items=[make_item(world)])
    make_task(world, plan=plan, entity=make_entity(world), inspectors=(world.officer_a,))
    client.force_login(world.inspector_a)
    body = client.get("/").content.decode()
    assert "我的未完成检查任务：<strong>1</strong>" in body
    # a petition officer has no inspection task (their own to-dos - petitions, the monthly dispute
    # screening report - come from the other domains' providers)
    client.force_login(make_user(world.org, Role.PETITION_OFFICER))
    assert "我的未完成检查任务" not in client.get("/").content.decode()


def test_task_list_exports_every_filtered_row_as_a_job(client: Client, run_jobs):
    import io

    from openpyxl import load_workbook

    from fazhi.core.models import Attachment, Job
    from fazhi.core.selectors.attachments import attachment_open

    world = make_task_world()
    plan = make_plan(world, items=[make_item(world)])
    for _ in range(3):
        make_task(world, plan=plan, entity=make_entity(world), inspectors=(world.officer_a,))
    make_task(world, plan=plan, entity=make_entity(world), inspectors=(world.officer_b,))
    client.force_login(world.planner)
    listed = client.get("/inspections/tasks/", {"inspector": world.officer_a.pk})
    assert "导出Excel（按当前筛选，共3项）" in listed.content.decode()
    with run_jobs():
        response = client.post(f"/inspections/tasks/export/?inspector={world.officer_a.pk}")
    job = Job.objects.get()
    assert response["Location"].endswith(f"/jobs/{job.pk}/")
    assert (job.state, job.done, job.total) == ("succeeded", 3, 3)
    attachment = Attachment.objects.get(pk=job.result_id)
    _, handle = attachment_open(user=world.planner, pk=attachment.pk)
    sheet = load_workbook(io.BytesIO(handle.read()))["抽查任务"]
    assert sheet.max_row == 4 and sheet["A1"].value == "任务编号"
    assert client.post("/inspections/tasks/export/?inspector=x").status_code == 400
