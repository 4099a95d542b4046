"""The workbench's to-do items of appeals: answers (defences) waiting, by urgency, and the list
filter they link to."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from fazhi.appeals import services
from fazhi.appeals.models import AppealKind
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
    w = make_world()
    days = dt.timedelta(days=1)
    # the defence period is 15 days from the copy received (Mon 2026-11-30 is today)
    w.late = register(
        w, kind=SUIT, applicant="甲", lodged_on=TODAY - 25 * days, received_on=TODAY - 20 * days
    )  # type: ignore[attr-defined]
    w.soon = register(
        w, kind=SUIT, applicant="乙", lodged_on=TODAY - 14 * days, received_on=TODAY - 13 * days
    )  # type: ignore[attr-defined]
    w.later = register(w, kind=SUIT, applicant="丙", lodged_on=TODAY - 2 * days, received_on=TODAY)  # type: ignore[attr-defined]
    answered = register(
        w, kind=SUIT, applicant="丁", lodged_on=TODAY - 25 * days, received_on=TODAY - 20 * days
    )
    services.appeal_answer(actor=w.legal, appeal=answered, on=TODAY - 2 * days, note="答辩")
    return w


def _due(appeal) -> dt.date:
    return Deadline.objects.get(object_id=str(appeal.pk), content_type__model="appeal").due_date


def test_answers_waiting_by_urgency(world):
    assert _due(world.late) < TODAY <= _due(world.soon) <= TODAY + dt.timedelta(days=3)
    assert _due(world.later) > TODAY + dt.timedelta(days=3)
    due = answers_due(user=world.legal)
    assert due == {"overdue": [world.late.pk], "soon": [world.soon.pk], "later": [world.later.pk]}
    todo = {item.label: item for item in todo_for(world.legal)}
    assert {label: todo[label].count for label in LABELS.values()} == dict.fromkeys(
        LABELS.values(), 1
    )
    assert todo[LABELS["overdue"]].url == "/appeals/?due=overdue"
    assert [a.pk for a in appeal_list(user=world.legal, due="soon")] == [world.soon.pk]


def test_only_those_who_handle_appeals_in_scope_see_them(world):
    labels = set(LABELS.values())
    assert not labels & {item.label for item in todo_for(world.stranger)}
    assert not labels & {item.label for item in todo_for(world.viewer)}
    assert not labels & {item.label for item in todo_for(world.supervisor)}


def test_the_list_page_filters_by_urgency_and_refuses_a_bad_value(world):
    client = Client()
    client.force_login(world.legal)
    page = client.get("/appeals/?due=overdue").content.decode()
    assert "甲" in page and "乙" not in page and "丙" not in page
    assert client.get("/appeals/?due=whenever").status_code == 400
