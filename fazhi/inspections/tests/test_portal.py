"""The public portal (一公开): no login, masking of natural persons, retention, verification."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from fazhi.core import clock
from fazhi.core.validators import normalise_id_number
from fazhi.inspections import drawengine, drawv2
from fazhi.inspections.models import InspectionTask, PlanState, TaskState
from fazhi.inspections.services import publicity as publicity_services
from fazhi.inspections.services import tasks as task_services
from fazhi.inspections.tests.task_support import (
    make_drawn_plan,
    make_item,
    make_plan,
    make_task_world,
)
from fazhi.portal import selectors
from fazhi.portal.masking import mask_id_number, mask_person_name, mask_text
from fazhi.registry.codes import make_id_number

# --- masking (pure) ------------------------------------------------------------------------


def test_mask_person_name_examples():
    assert mask_person_name("张三") == "张*"
    assert mask_person_name("张三丰") == "张*"
    assert mask_person_name("欧阳娜娜") == "欧阳*"
    assert mask_person_name("欧阳") == "欧*"
    assert mask_person_name("  ") == ""


@given(st.text(alphabet="张王李赵欧阳司马三丰娜华明", min_size=1, max_size=6))
def test_mask_person_name_keeps_at_most_the_surname(name):
    masked = mask_person_name(name)
    assert masked.endswith("*") and masked.count("*") == 1
    assert name.startswith(masked[:-1])
    assert len(masked) - 1 <= 2


def test_mask_id_number():
    number = make_id_number("110101", dt.date(1990, 5, 17), 123)
    masked = mask_id_number(number)
    assert masked == number[:6] + "********" + number[14:]
    assert "19900517" not in masked
    assert mask_id_number("12345") == "*****"


@given(
    st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2010, 12, 31)),
    st.integers(min_value=0, max_value=999),
)
def test_mask_text_hides_every_id_number_and_mobile(birth, serial):
    number = normalise_id_number(make_id_number("350503", birth, serial))
    text = f"当事人身份证号{number}，电话13812345678，地址某路1号。"
    masked = mask_text(text)
    assert birth.strftime("%Y%m%d") not in masked
    assert "13812345678" not in masked and "138****5678" in masked
    assert re.search(r"\d{6}\*{8}\d{3}[\dX]", masked)


# --- public pages ---------------------------------------------------------------------------


@pytest.fixture
def world(db):
    return make_task_world()


@pytest.fixture
def drawn(world):
    # names public from the window's start (1 January): the draw's page shows them now
    return world, make_drawn_plan(
        world, entities=4, quota=4, individuals=2, names_public="window_start"
    )


def _finish_all(world, plan, *, publish=True):
    for task in InspectionTask.objects.filter(plan=plan):
        task_services.task_start(actor=world.inspector_a, task=task)
        for item in task_services.task_items(task):
            task_services.task_record_finding(
                actor=world.inspector_a, task=task, item=item, result="pass"
            )
        task_services.task_complete(actor=world.inspector_a, task=task, outcome="no_problem")
    if publish:
        publicity_services.plan_publish_results(actor=world.planner, plan=plan)


def test_no_login_needed_and_draft_plans_hidden(client: Client, world):
    draft = make_plan(world, items=[make_item(world)], title="草稿计划")
    assert client.get("/public/").status_code == 200
    assert "草稿计划" not in client.get("/public/plans/").content.decode()
    assert client.get(f"/public/plans/{draft.pk}/").status_code == 404


def test_plan_and_draw_pages(client: Client, drawn, django_assert_max_num_queries):
    _, plan = drawn
    assert plan.state == PlanState.DRAWN
    announcement = plan.announcements.get()
    with django_assert_max_num_queries(10):
        page = client.get(f"/public/plans/{plan.pk}/")
    body = page.content.decode()
    assert announcement.announcement_hash in body and announcement.pool_hash in body
    # strata by the staff pages' Chinese label, never by key ("gg")
    label = f"{plan.strata.get().category.name}"
    assert f"候选名单 {label}" in body and ">gg<" not in body and "候选名单 gg" not in body
    with django_assert_max_num_queries(8):
        page = client.get(f"/public/plans/{plan.pk}/draws/1/")
    body = page.content.decode()
    assert "张*" in body and "王*" in body
    assert ">gg<" not in body and f"<td>{label}</td>" in body
    assert "张三丰" not in body and "王三丰丰" not in body
    people = [t.entity for t in InspectionTask.objects.filter(plan=plan) if t.entity.is_individual]
    for person in people:
        assert person.id_number not in body
        assert mask_id_number(person.id_number) in body
    assert "不能由公众独立验证" not in body  # a declared public event, not server entropy


def test_export_verifies_and_downloads(client: Client, drawn):
    _, plan = drawn
    response = client.get(f"/public/plans/{plan.pk}/draws/1/export.json")
    assert response.status_code == 200
    export = json.loads(response.content)
    assert drawv2.verify_export(export) is None
    export["draw"]["seed"] = "0" * 64
    assert drawv2.verify_export(export) is not None
    download = client.get("/public/downloads/verify_draw.py")
    assert download.status_code == 200
    assert b"def " in b"".join(download.streaming_content)  # type: ignore[attr-defined]
    engine = client.get("/public/downloads/drawengine.zip")
    assert engine.status_code == 200 and engine["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(engine.content)) as archive:
        assert "drawengine/__init__.py" in archive.namelist()
        assert b"ALGORITHM_VERSION" in archive.read("drawengine/encoding.py")
    assert client.get("/public/downloads/drawengine.py").status_code == 404
    assert client.get("/public/downloads/settings.py").status_code == 404
    schema = client.get("/public/downloads/draw-export.schema.json")
    assert schema["Content-Type"].startswith("application/schema+json")
    body = json.loads(b"".join(schema.streaming_content))  # type: ignore[attr-defined]
    assert body["properties"]["format"]["const"] == drawengine.EXPORT_FORMAT
    assert client.get("/public/downloads/draw-export-2.schema.json").status_code == 200
    assert client.get("/public/downloads/draw-protocol.md").status_code == 200


def test_results_published_masked_and_searchable(
    client: Client, drawn, django_assert_max_num_queries
):
    world, plan = drawn
    _finish_all(world, plan, publish=False)
    assert selectors.public_results().count() == 0  # nothing before publication
    publicity_services.plan_publish_results(actor=world.planner, plan=plan)
    assert selectors.public_results().count() == 4
    with django_assert_max_num_queries(6):
        page = client.get("/public/results/")
    body = page.content.decode()
    assert "张*" in body and "张三丰" not in body
    assert "保留5年" in body and "保留2年" in body
    with django_assert_max_num_queries(6):
        home = client.get("/public/").content.decode()
    assert "张*" in home and "张三丰" not in home
    person = next(
        t.entity for t in InspectionTask.objects.filter(plan=plan) if t.entity.is_individual
    )
    # a natural person cannot be looked up by name
    assert selectors.public_results(q=person.name).count() == 0
    company = next(
        t.entity for t in InspectionTask.objects.filter(plan=plan) if not t.entity.is_individual
    )
    assert list(selectors.public_results(q=company.uscc).values_list("entity", flat=True)) == [
        company.pk
    ]
    with django_assert_max_num_queries(6):
        detail = client.get(f"/public/results/entities/{person.pk}/")
    assert detail.status_code == 200
    text = detail.content.decode()
    assert person.name not in text and person.id_number not in text
    assert "合格" in text


def test_retention(drawn):
    world, plan = drawn
    _finish_all(world, plan)
    published = InspectionTask.objects.filter(plan=plan, state=TaskState.DONE)
    people = published.filter(entity__is_individual=True).count()
    assert people == 2
    later = clock.today()
    assert selectors.public_results(today=later).count() == 4
    in_two_years = clock.today() + dt.timedelta(days=2 * 366 + 1)
    assert selectors.public_results(today=in_two_years).count() == 2  # natural persons left
    in_five_years = clock.today() + dt.timedelta(days=5 * 366 + 1)
    assert selectors.public_results(today=in_five_years).count() == 0
    person = published.filter(entity__is_individual=True).first()
    assert person is not None
    with pytest.raises(Exception) as exc:
        selectors.public_entity_results(entity_id=person.entity_id, today=in_two_years)
    assert getattr(exc.value, "code", "") == "not_found"


def test_retention_rule_from_the_pack():
    kept = selectors.retention()
    assert (kept.years, kept.natural_person_years) == (5, 2)
    assert kept.citation.startswith("《")
