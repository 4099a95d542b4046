"""The workbench's to-do items of appeals: answers (defences) waiting, by urgency, and the list
filter they link to."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from fazhi.appeals import services
from fazhi.appeals.models import Appeal, AppealKind
from fazhi.appeals.selectors import answers_due, appeal_list
from fazhi.appeals.tests.support import TODAY, World, make_world, register
from fazhi.appeals.todo import LABELS
from fazhi.core.models import Deadline
from fazhi.core.testing import clock_at
from fazhi.core.todo import todo_for

pytestmark = pytest.mark.django_db
SUIT = AppealKind.LITIGATION


@pytest.fixture(autouse=True)
def _today():
    with clock_at(TODAY):
        yield


@pytest.fixture
def world() -> World:
    return make_world()


@pytest.fixture
def appeals(world: World) -> dict[str, Appeal]:
    days = dt.timedelta(days=1)

    def suit(applicant: str, received_days_ago: int) -> Appeal:
        received = TODAY - received_days_ago * days
        return register(
            world,
            kind=SUIT,
            applicant=applicant,
            lodged_on=received - 2 * days,
            received_on=received,
        )

    # the defence period is 15 days from the copy received (Mon 2026-11-30 is today)
    made = {"late": suit("甲", 20), "soon": suit("乙", 13), "later": suit("丙", 0)}
    services.appeal_answer(
        actor=world.legal, appeal=suit("丁", 20), on=TODAY - 2 * days, note="答辩"
    )
    return made


def _due(appeal: Appeal) -> dt.date:
    due = Deadline.objects.get(object_id=str(appeal.pk), content_type__model="appeal").due_date
    assert due is not None
    return due


def test_answers_waiting_by_urgency(world, appeals):
    late, soon, later = appeals["late"], appeals["soon"], appeals["later"]
    assert _due(late) < TODAY <= _due(soon) <= TODAY + dt.timedelta(days=3)
    assert _due(later) > TODAY + dt.timedelta(days=3)
    due = answers_due(user=world.legal)
    assert due == {"overdue": [late.pk], "soon": [soon.pk], "later": [later.pk]}
    todo = {item.label: item for item in todo_for(world.legal)}
    assert {label: todo[label].count for label in LABELS.values()} == dict.fromkeys(
        LABELS.values(), 1
    )
    assert todo[LABELS["overdue"]].url == "/appeals/?due=overdue"
    assert [a.pk for a in appeal_list(user=world.legal, due="soon")] == [soon.pk]


def test_only_those_who_handle_appeals_in_scope_see_them(world, appeals):
    labels = set(LABELS.values())
    assert not labels & {item.label for item in todo_for(world.stranger)}
    assert not labels & {item.label for item in todo_for(world.viewer)}
    assert not labels & {item.label for item in todo_for(world.supervisor)}


def test_the_list_page_filters_by_urgency_and_refuses_a_bad_value(world, appeals):
    client = Client()
    client.force_login(world.legal)
    page = client.get("/appeals/?due=overdue").content.decode()
    assert "甲" in page and "乙" not in page and "丙" not in page
    assert client.get("/appeals/?due=whenever").status_code == 400
