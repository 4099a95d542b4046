"""Proactive disclosure (主动公开, 条例 第二十六条): the 20 working days from the day the
information was made or changed, the publication record met or late, the overdue items on the
workbench, bad input, permission, the page and the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from fazhi.core import errors
from fazhi.core.models import Deadline
from fazhi.core.periods import compute_due
from fazhi.core.testing import at
from fazhi.core.todo import todo_for
from fazhi.matters.models import ProactiveItem, ProactivePublication, ProactiveState
from fazhi.matters.services import proactive as svc
from fazhi.matters.tests.support import World, make_world

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 11, 20)
MADE = dt.date(2025, 9, 26)  # the Friday before National Day


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(at(TODAY), tick=True):
        yield


@pytest.fixture
def world() -> World:
    return make_world()


def clocks(item: ProactiveItem) -> list[Deadline]:
    return list(
        Deadline.objects.filter(
            content_type__model="proactiveitem", object_id=str(item.pk)
        ).order_by("pk")
    )


def register(world: World, made: dt.date = MADE) -> ProactiveItem:
    return svc.proactive_register(
        actor=world.officer,
        organisation=world.org,
        title="2025年第三季度医疗机构校验结果",
        made_on=made,
        category="licensing",
    )


def test_twenty_working_days_then_published_on_time(world):
    item = register(world, made=dt.date(2025, 11, 10))
    [clock] = clocks(item)
    assert clock.due_date == compute_due("disclosure.proactive", dt.date(2025, 11, 10)).due
    publication = svc.proactive_publish(
        actor=world.officer,
        item=item,
        on=dt.date(2025, 11, 14),
        channel="门户网站",
        location="政府信息公开专栏",
    )
    assert publication.on_time and publication.version == 1
    item.refresh_from_db()
    assert item.state == ProactiveState.PUBLISHED
    assert clocks(item)[0].state == "met"


def test_late_publication_and_the_overdue_item_on_the_workbench(world):
    item = register(world)
    [clock] = clocks(item)
    # 09-28 (make-up working day) … holidays 10-01..10-08 skipped … 10-30 is the 20th
    assert clock.due_date == dt.date(2025, 10, 30) and clock.state == "overdue"
    todo = {t.label: t.count for t in todo_for(world.officer)}
    assert todo["逾期未公开的主动公开信息"] == 1
    publication = svc.proactive_publish(
        actor=world.officer, item=item, on=dt.date(2025, 11, 3), channel="门户网站"
    )
    assert publication.on_time is False and clocks(item)[0].state == "late"
    assert "逾期未公开的主动公开信息" not in {t.label for t in todo_for(world.officer)}


def test_a_change_starts_a_new_version_and_clock_and_keeps_the_record(world):
    item = register(world, made=dt.date(2025, 11, 3))
    svc.proactive_publish(actor=world.officer, item=item, on=dt.date(2025, 11, 5), channel="公报")
    item = svc.proactive_change(
        actor=world.officer, item=item, changed_on=dt.date(2025, 11, 17), note="补充两家机构"
    )
    assert item.state == ProactiveState.PENDING and item.version == 2
    first, second = clocks(item)
    assert first.state == "met" and second.start_date == dt.date(2025, 11, 17)
    assert second.state == "open"
    svc.proactive_publish(actor=world.officer, item=item, on=TODAY, channel="门户网站")
    assert list(
        ProactivePublication.objects.filter(item=item).values_list("version", flat=True)
    ) == [1, 2]


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"title": " "}, "title_required"),
        ({"made_on": None}, "made_on_required"),
        ({"made_on": TODAY + dt.timedelta(days=1)}, "date_in_future"),
        ({"category": "x"}, "bad_category"),
    ],
)
def test_register_refuses_bad_input(world, kw, code):
    values = {"title": "信息", "made_on": MADE, "category": "other"} | kw
    with pytest.raises(errors.ValidationFailed) as exc:
        svc.proactive_register(actor=world.officer, organisation=world.org, **values)
    assert exc.value.code == code
    assert not ProactiveItem.objects.exists()


def test_publish_and_change_guards(world):
    item = register(world)
    with pytest.raises(errors.ValidationFailed) as exc:
        svc.proactive_publish(actor=world.officer, item=item, on=dt.date(2025, 9, 1), channel="网")
    assert exc.value.code == "date_before_receipt"
    with pytest.raises(errors.ValidationFailed) as exc:
        svc.proactive_publish(actor=world.officer, item=item, on=TODAY, channel="")
    assert exc.value.code == "channel_required"
    with pytest.raises(errors.InvalidTransition):  # nothing published yet to change
        svc.proactive_change(actor=world.officer, item=item, changed_on=TODAY, note="变更内容")
    svc.proactive_publish(actor=world.officer, item=item, on=TODAY, channel="网站")
    with pytest.raises(errors.InvalidTransition):
        svc.proactive_publish(actor=world.officer, item=item, on=TODAY, channel="网站")
    with pytest.raises(errors.ValidationFailed) as exc:
        svc.proactive_change(actor=world.officer, item=item, changed_on=TODAY, note="")
    assert exc.value.code == "note_required"
    assert ProactivePublication.objects.count() == 1


def test_permission_and_scope(world):
    with pytest.raises(errors.PermissionDenied):
        svc.proactive_register(
            actor=world.viewer, organisation=world.org, title="信息", made_on=MADE
        )
    item = register(world)
    with pytest.raises(errors.OutOfScope):
        svc.proactive_publish(actor=world.stranger, item=item, on=TODAY, channel="网站")


def test_page_and_api(world, django_assert_max_num_queries):
    client = Client()
    client.force_login(world.officer)
    client.post(
        reverse("matters:proactive_register"),
        {"title": "双随机抽查结果", "made_on": "2025-09-26", "category": "inspection"},
    )
    bad = client.post(reverse("matters:proactive_register"), {"title": "", "made_on": ""})
    assert bad.status_code == 302 and bad["X-Error-Code"] == "title_required"
    item = ProactiveItem.objects.get()
    with django_assert_max_num_queries(14):
        page = client.get(reverse("matters:proactive_list") + "?overdue=1")
    assert "双随机抽查结果" in page.content.decode()
    client.post(
        reverse("matters:proactive_publish", args=[item.pk]),
        {"on": "2025-11-03", "channel": "门户网站"},
    )
    assert "逾期公开" in client.get(reverse("matters:proactive_list")).content.decode()
    api = APIClient()
    api.force_authenticate(world.officer)
    created = api.post(
        "/api/matters/proactive/", {"title": "规范性文件", "made_on": "2025-11-10"}, format="json"
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    published = api.post(
        f"/api/matters/proactive/{pk}/publish/",
        {"on": "2025-11-12", "channel": "门户网站"},
        format="json",
    )
    assert published.status_code == 200 and published.json()["publications"][0]["on_time"]
    assert (
        api.post(
            f"/api/matters/proactive/{pk}/publish/",
            {"on": "2025-11-12", "channel": "网站"},
            format="json",
        ).status_code
        == 409
    )
    listed = api.get("/api/matters/proactive/?state=published").json()
    assert {row["id"] for row in listed["results"]} == {item.pk, pk}
    stranger = APIClient()
    stranger.force_authenticate(world.stranger)
    assert (
        stranger.post(
            f"/api/matters/proactive/{pk}/change/",
            {"changed_on": "2025-11-13", "note": "改"},
            format="json",
        ).status_code
        == 404
    )
