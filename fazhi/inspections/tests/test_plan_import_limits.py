"""The imported task list goes through the same import limits as the entity import."""

from __future__ import annotations

import io
import time

import pytest

from fazhi.core import errors
from fazhi.core.tests.spreadsheets import with_sheet_comment, xlsx
from fazhi.inspections.models import InspectionTask, PlanKind
from fazhi.inspections.services.plans import IMPORT_COLUMNS, plan_import_tasks
from fazhi.inspections.tests.draw_support import make_draw_world, make_plan

pytestmark = pytest.mark.django_db
MIB = 1024 * 1024


@pytest.fixture
def setup():
    world = make_draw_world(entities=1, officers=0)
    plan = make_plan(world, kind=PlanKind.IMPORTED, external_source="国家随机监督抽查计划")
    return world, plan


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (lambda: with_sheet_comment(xlsx([IMPORT_COLUMNS]), 60 * MIB), "import_unzipped_too_large"),
        (lambda: xlsx([IMPORT_COLUMNS], cells=[(1_048_576, 1, "GJ-1")]), "import_too_many_rows"),
    ],
)
def test_pathological_lists_are_refused_early(setup, settings, content, code):
    world, plan = setup
    settings.FAZHI_IMPORT_MAX_ROWS = 1000
    started = time.monotonic()
    with pytest.raises(errors.TooLarge) as info:
        plan_import_tasks(actor=world.planner, plan=plan, content=content())
    assert time.monotonic() - started < 5
    assert info.value.code == code
    assert not InspectionTask.objects.filter(plan=plan).exists()


def test_only_the_first_problems_are_listed_with_the_count_of_all(setup, settings, client):
    world, plan = setup
    settings.FAZHI_IMPORT_MAX_ERRORS = 3
    bad = xlsx([IMPORT_COLUMNS, *[[f"GJ-{n}", "", "公共场所卫生", ""] for n in range(10)]])
    with pytest.raises(errors.ValidationFailed) as info:
        plan_import_tasks(actor=world.planner, plan=plan, content=bad)
    assert info.value.details["error_count"] == 10
    assert len(info.value.details["errors"]) == 3
    client.force_login(world.planner)
    upload = io.BytesIO(bad)
    upload.name = "list.xlsx"
    page = client.post(f"/inspections/plans/{plan.pk}/import/", {"file": upload})
    assert "共10处，以下列出前3处" in page.content.decode()


def test_page_and_api_refuse_an_oversized_upload(setup, settings, client):
    world, plan = setup
    settings.FAZHI_IMPORT_MAX_BYTES = 1000
    client.force_login(world.planner)
    upload = io.BytesIO(b"x" * 1001)
    upload.name = "list.xlsx"
    page = client.post(f"/inspections/plans/{plan.pk}/import/", {"file": upload}, follow=True)
    assert "超过导入大小上限" in page.content.decode()
    upload.seek(0)
    response = client.post(f"/api/inspections/plans/{plan.pk}/import/", {"file": upload})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "import_too_large"
    assert not InspectionTask.objects.filter(plan=plan).exists()
