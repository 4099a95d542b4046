"""The holiday calendar is national reference data: only the root organisation's administrators
change it. A city's administrator (same role, same capability) once moved another city's due
dates through ``POST /api/calendar/days/``; now every way in refuses them, records the refusal and
changes nothing, while a root administrator's change recomputes every organisation's deadlines
with an audit event each."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from rest_framework.test import APIClient

from fazhi.core import errors, testing
from fazhi.core.models import AuditEvent, CalendarDay, CalendarYear, Deadline, Role
from fazhi.core.models.calendar import DayKind
from fazhi.core.services import calendar as calendar_services
from fazhi.core.services import deadlines as deadline_services
from fazhi.core.tests.factories import make_org_tree, make_user

D = dt.date
TODAY = D(2025, 9, 26)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _setup():
    with testing.clock_at(TODAY):
        calendar_services.calendar_seed_from_package(actor=None, years=[2024, 2025, 2026])
        yield


@pytest.fixture
def world():
    tree = make_org_tree()
    other_city = tree.districts[2]
    deadline = deadline_services.deadline_open(
        actor=make_user(other_city, Role.SUPERVISOR),
        organisation=other_city,
        title="公示处罚决定",
        rule_key="penalty.publicity",
        start_date=TODAY,
        today=TODAY,
    )
    assert deadline.due_date == D(2025, 10, 13)
    return {
        "tree": tree,
        "root_admin": make_user(tree.province, Role.SYSTEM_ADMIN),
        "city_admin": make_user(tree.cities[0], Role.SYSTEM_ADMIN),
        "deadline": deadline,
    }


def _denials(user) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="access.denied", actor_id=user.pk))


def _calls(user):
    return [
        lambda: calendar_services.calendar_seed_from_package(actor=user, years=[2024]),
        lambda: calendar_services.calendar_year_publish(
            actor=user, year=2027, source="通知", holidays=[D(2027, 1, 1)], workdays=[]
        ),
        lambda: calendar_services.calendar_day_set(
            actor=user, day=D(2025, 10, 13), kind=DayKind.HOLIDAY, today=TODAY
        ),
        lambda: calendar_services.calendar_day_delete(actor=user, day=D(2025, 10, 1), today=TODAY),
        lambda: deadline_services.deadlines_refresh(actor=user, today=D(2025, 12, 1)),
    ]


def test_a_city_administrator_cannot_change_the_calendar_services(world):
    before = CalendarDay.objects.count()
    for call in _calls(world["city_admin"]):
        with pytest.raises(errors.PermissionDenied) as exc:
            call()
        assert "根机构" in exc.value.message
    assert CalendarDay.objects.count() == before
    assert not CalendarYear.objects.filter(year=2027).exists()
    world["deadline"].refresh_from_db()
    assert world["deadline"].due_date == D(2025, 10, 13)
    assert world["deadline"].state == "open"


def test_a_city_administrator_is_refused_by_the_api_and_it_is_recorded(world):
    admin = world["city_admin"]
    client = APIClient()
    client.force_authenticate(admin)
    response = client.post(
        "/api/calendar/days/", {"date": "2025-10-13", "kind": "holiday"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert client.delete("/api/calendar/days/2025-10-01/").status_code == 403
    assert [d.details_json.count("/api/calendar/days/") for d in _denials(admin)] == [1, 1]
    assert not CalendarDay.objects.filter(date=D(2025, 10, 13)).exists()
    assert CalendarDay.objects.filter(date=D(2025, 10, 1)).exists()
    world["deadline"].refresh_from_db()
    assert world["deadline"].due_date == D(2025, 10, 13)
    assert not AuditEvent.objects.filter(action="deadline.recomputed").exists()


def test_a_city_administrator_reads_the_calendar_pages_without_the_controls(world):
    client = Client()
    client.force_login(world["city_admin"])
    index = client.get("/calendar/").content.decode()
    year = client.get("/calendar/2025/").content.decode()
    assert "2025" in index and "根机构的系统管理员维护" in index
    assert "/calendar/seed/" not in index and 'name="holidays"' not in index
    assert 'name="delete"' not in year and 'name="kind"' not in year
    assert "2025-10-01" in year  # the data is there to read
    posts = [
        ("/calendar/", {"year": "2027", "source": "通知", "holidays": "2027-01-01"}),
        ("/calendar/seed/", {}),
        ("/calendar/2025/", {"date": "2025-10-13", "kind": "holiday"}),
        ("/calendar/2025/", {"date": "2025-10-01", "delete": "1"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert len(_denials(world["city_admin"])) == len(posts)
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert CalendarDay.objects.filter(date=D(2025, 10, 1)).exists()
    assert not CalendarDay.objects.filter(date=D(2025, 10, 13)).exists()


def test_the_root_administrator_changes_it_and_every_recomputation_is_audited(world):
    client = Client()
    client.force_login(world["root_admin"])
    index = client.get("/calendar/").content.decode()
    year = client.get("/calendar/2025/").content.decode()
    assert "/calendar/seed/" in index and 'name="holidays"' in index
    assert 'name="delete"' in year and 'name="kind"' in year
    api = APIClient()
    api.force_authenticate(world["root_admin"])
    response = api.post(
        "/api/calendar/days/", {"date": "2025-10-13", "kind": "holiday"}, format="json"
    )
    assert response.status_code == 201
    deadline = Deadline.objects.get(pk=world["deadline"].pk)
    assert deadline.due_date == D(2025, 10, 14)
    event = AuditEvent.objects.get(action="deadline.recomputed", object_id=str(deadline.pk))
    assert event.actor_id == world["root_admin"].pk
    assert event.organisation_id == deadline.organisation_id
    assert '"old_due_date":"2025-10-13"' in event.details_json
    assert '"due_date":"2025-10-14"' in event.details_json
    assert '"recomputed":1' in AuditEvent.objects.get(action="calendar_day.set").details_json
    assert api.delete("/api/calendar/days/2025-10-13/").status_code == 204
    deadline.refresh_from_db()
    assert deadline.due_date == D(2025, 10, 13)
    assert AuditEvent.objects.filter(action="deadline.recomputed").count() == 2
    assert not _denials(world["root_admin"])
