"""The one practice-points store (decision 0083): credit's migration copies the directory's older
``PracticePoints`` rows into point entries before registry removes its model; the entity page
links to the credit list narrowed to the entity."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from fazhi.core import clock as fazhi_clock
from fazhi.credit.models import PointEntry
from fazhi.credit.services import points
from fazhi.credit.tests.support import clinic, world

BEFORE = [
    ("credit", "0001_credit_records_points_lists"),
    ("registry", "0004_import_format_xls_ods"),
]


def _migrate(targets: list[tuple[str, str]] | None = None) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    plan_targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(plan_targets)
    return executor.loader.project_state(plan_targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_registry_points_are_copied_into_point_entries(clock: Any) -> None:
    cw = world(clock)
    entity = clinic(cw)
    old = _migrate(BEFORE)
    reason = "超范围执业" * 80  # 400 characters: the basis keeps all of it
    old.get_model("registry", "PracticePoints").objects.create(
        entity_id=entity.pk,
        points=6,
        recorded_on=dt.date(2024, 12, 31),
        reason=reason,
        by_id=cw.handler.pk,
    )
    _migrate()
    entry = PointEntry.objects.get()
    assert (entry.entity, entry.organisation) == (entity, entity.organisation)
    assert (entry.subject, entry.behaviour, entry.points) == ("institution", "历史记分（迁移）", 6)
    assert (entry.scored_on, entry.cycle) == (dt.date(2024, 12, 31), 2024)
    assert entry.basis == reason and entry.recorded_by == cw.handler
    assert entry.case is None and not entry.practitioner_number
    # the copy counts in its cycle's score like any entry
    assert (
        points.score(entity=entity, subject="institution", practitioner_number="", cycle=2024) == 6
    )


@pytest.mark.django_db
def test_the_points_list_narrowed_to_one_entity(clock: Any, client: Any) -> None:
    cw = world(clock)
    mine, other = clinic(cw, name="甲诊所"), clinic(cw, name="乙诊所")
    behaviour = next(
        iter(
            points.behaviours(
                subject="institution", organisation=mine.organisation, on=fazhi_clock.today()
            )
        )
    )
    for entity in (mine, other):
        points.points_record(
            actor=cw.handler, entity=entity, subject="institution", behaviour=behaviour
        )
    client.force_login(cw.handler)
    url = reverse("credit:point_list")
    body = client.get(f"{url}?entity={mine.pk}").content.decode()
    assert "甲诊所" in body and "乙诊所" not in body
    assert client.get(f"{url}?entity=abc").status_code == 400
    unknown = client.get(f"{url}?entity=999999").content.decode()
    assert "甲诊所" not in unknown and "没有符合条件的记分" in unknown
