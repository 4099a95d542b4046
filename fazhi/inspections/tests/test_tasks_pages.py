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
