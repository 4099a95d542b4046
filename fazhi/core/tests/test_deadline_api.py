"""API: /api/rules/, /api/deadlines/compute/, /api/deadlines/ (scoped), /api/calendar/days/."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from fazhi.core import testing
from fazhi.core.models import AuditEvent, CalendarDay, Deadline, Role, User
from fazhi.core.services import calendar as calendar_services
from fazhi.core.services import deadlines as deadline_services
from fazhi.core.tests.factories import make_org_tree, make_user

D = dt.date


@pytest.fixture
def seeded(db):
    calendar_services.calendar_seed_from_package(actor=None, years=[2024, 2025, 2026])


@pytest.fixture
def tree(db):
    return make_org_tree(province_code="35")


def api_for(user: User) -> APIClient:
    client = APIClient()
    token = Token.objects.create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_anonymous_is_refused(db):
    assert APIClient().get("/api/rules/").status_code == 401
    assert APIClient().post("/api/deadlines/compute/", {}).status_code == 401


def test_rules_list_and_detail(tree):
    client = api_for(make_user(tree.districts[0], Role.SUPERVISOR))
    body = client.get("/api/rules/").json()
    keys = [r["key"] for r in body]
    assert "penalty.decision" in keys and keys == sorted(keys)
    detail = client.get("/api/rules/penalty.hearing_request/").json()
    assert [v["effective_from"] for v in detail["versions"]] == ["1996-10-01", "2021-07-15"]
    assert detail["versions"][1]["unit"] == "working_days"
    assert "第八十五条" in detail["versions"][1]["citation"]
    missing = client.get("/api/rules/penalty.nope/")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "unknown_rule"
    hebei = client.get("/api/rules/inspection.result_publicity/?province=13").json()
    assert hebei["versions"][0]["status"] == "V-page"


def test_compute(seeded, tree):
    client = api_for(make_user(tree.districts[0], Role.SUPERVISOR))
    response = client.post(
        "/api/deadlines/compute/",
        {"rule_key": "penalty.publicity", "start_date": "2025-09-26", "trace": True},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["due_date"] == "2025-10-13"
    assert "国办发〔2018〕118号" in body["citation"]
    assert body["trace"][-1] == "届满日 2025-10-13"
    ext = client.post(
        "/api/deadlines/compute/",
        {
            "rule_key": "disclosure.reply",
            "start_date": "2025-09-26",
            "extensions": ["disclosure.extension"],
        },
        format="json",
    ).json()
    assert ext["due_date"] == "2025-11-27" and len(ext["citations"]) == 2


def test_compute_errors(seeded, tree):
    client = api_for(make_user(tree.districts[0], Role.SUPERVISOR))
    unknown_year = client.post(
        "/api/deadlines/compute/",
        {"rule_key": "penalty.decision", "start_date": "2026-11-15"},
        format="json",
    )
    assert unknown_year.status_code == 422
    error = unknown_year.json()["error"]
    assert error["code"] == "calendar_unknown" and error["details"]["year"] == 2027
    unknown_rule = client.post(
        "/api/deadlines/compute/",
        {"rule_key": "penalty.nope", "start_date": "2025-01-01"},
        format="json",
    )
    assert unknown_rule.status_code == 404
    assert unknown_rule.json()["error"]["code"] == "unknown_rule"
    bad_date = client.post(
        "/api/deadlines/compute/",
        {"rule_key": "penalty.payment", "start_date": "2025-02-30"},
        format="json",
    )
    assert bad_date.status_code == 400
    assert bad_date.json()["error"]["code"] == "validation_failed"
    not_period = client.post(
        "/api/deadlines/compute/",
        {"rule_key": "penalty.late_surcharge", "start_date": "2025-01-01"},
        format="json",
    )
    assert not_period.status_code == 400
    assert not_period.json()["error"]["code"] == "rule_not_a_period"


def _open(tree, org, title="公示"):
    actor = make_user(org, Role.SUPERVISOR)
    return deadline_services.deadline_open(
        actor=actor,
        organisation=org,
        title=title,
        rule_key="penalty.publicity",
        start_date=D(2025, 9, 26),
        today=D(2025, 9, 26),
    )


def test_deadline_list_and_detail_are_scoped(seeded, tree, django_assert_max_num_queries):
    mine = _open(tree, tree.districts[0])
    other = _open(tree, tree.districts[2])
    user = make_user(tree.districts[0], Role.SUPERVISOR)
    client = api_for(user)
    with django_assert_max_num_queries(6):
        body = client.get("/api/deadlines/").json()
    assert [row["id"] for row in body["results"]] == [mine.pk]
    assert body["results"][0]["due_date"] == "2025-10-13"
    detail = client.get(f"/api/deadlines/{mine.pk}/").json()
    assert detail["stops"] == [] and detail["extensions"] == []
    assert "国办发〔2018〕118号" in detail["citation"]
    leak = client.get(f"/api/deadlines/{other.pk}/")
    assert leak.status_code == 404
    assert leak.json()["error"]["code"] == "not_found"
    province = api_for(make_user(tree.province, Role.VIEWER))
    assert province.get("/api/deadlines/").json()["count"] == 2
    assert province.get(f"/api/deadlines/{other.pk}/").status_code == 200


def test_deadline_filters(seeded, tree):
    a = _open(tree, tree.districts[0])
    client = api_for(make_user(tree.province, Role.LEADER))
    assert client.get("/api/deadlines/?state=open").json()["count"] == 1
    assert client.get("/api/deadlines/?state=met").json()["count"] == 0
    assert client.get(f"/api/deadlines/?organisation={a.organisation_id}").json()["count"] == 1
    assert client.get("/api/deadlines/?due_from=2025-10-14").json()["count"] == 0
    assert client.get("/api/deadlines/?due_to=2025-10-13").json()["count"] == 1
    assert client.get("/api/deadlines/?due_to=soon").status_code == 400
    assert client.get("/api/deadlines/?organisation=x").status_code == 400


def test_calendar_days(seeded, tree):
    reader = api_for(make_user(tree.districts[0], Role.SUPERVISOR))
    days = reader.get("/api/calendar/days/?year=2025").json()
    assert {"date": "2025-10-01", "kind": "holiday", "name": "国庆节"} in days
    assert {"date": "2025-09-28", "kind": "workday", "name": "国庆节"} in days
    refused = reader.post(
        "/api/calendar/days/", {"date": "2025-03-03", "kind": "holiday"}, format="json"
    )
    assert refused.status_code == 403
    assert AuditEvent.objects.filter(action="access.denied").exists()
    assert not CalendarDay.objects.filter(date=D(2025, 3, 3)).exists()

    admin = api_for(make_user(tree.province, Role.SYSTEM_ADMIN))
    created = admin.post(
        "/api/calendar/days/",
        {"date": "2025-03-03", "kind": "holiday", "name": "更正"},
        format="json",
    )
    assert created.status_code == 201
    assert CalendarDay.objects.get(date=D(2025, 3, 3)).name == "更正"
    bad = admin.post(
        "/api/calendar/days/", {"date": "2025-03-04", "kind": "workday"}, format="json"
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "workday_not_weekend"
    assert admin.delete("/api/calendar/days/2025-03-03/").status_code == 204
    assert admin.delete("/api/calendar/days/2025-03-03/").status_code == 404
    assert admin.delete("/api/calendar/days/someday/").status_code == 400


def test_schema_lists_the_endpoints(db, tree):
    client = api_for(make_user(tree.province, Role.SYSTEM_ADMIN))
    schema = client.get("/api/schema/?format=json").json()
    for route in (
        "/api/rules/",
        "/api/deadlines/compute/",
        "/api/deadlines/",
        "/api/calendar/days/",
    ):
        assert route in schema["paths"]


def test_deadline_actions_through_the_api(seeded, tree, clock):
    today = D(2025, 11, 3)  # pinned: the whole period stays in a year the calendar knows
    clock.move_to(testing.at(today))
    org = tree.districts[0]
    sup = make_user(org, Role.SUPERVISOR)
    client = api_for(sup)
    start = today - dt.timedelta(days=8)
    opened = client.post(
        "/api/deadlines/open/",
        {
            "organisation": org.pk,
            "title": "答复政府信息公开申请",
            "rule_key": "disclosure.reply",
            "start_date": start.isoformat(),
            "assignee": sup.pk,
        },
        format="json",
    )
    assert opened.status_code == 201, opened.content
    pk = opened.json()["id"]
    due = D.fromisoformat(opened.json()["due_date"])
    stop_on = today - dt.timedelta(days=3)
    stopped = client.post(
        f"/api/deadlines/{pk}/stop/",
        {"on": stop_on.isoformat(), "reason": "征求第三方意见"},
        format="json",
    )
    assert stopped.status_code == 200 and stopped.json()["state"] == "stopped"
    resumed = client.post(f"/api/deadlines/{pk}/resume/", {"on": today.isoformat()}, format="json")
    assert resumed.status_code == 200 and resumed.json()["state"] == "open"
    assert D.fromisoformat(resumed.json()["due_date"]) > due
    # extension needs the approval capability: refused for a supervisor, and audited
    refused = client.post(f"/api/deadlines/{pk}/extend/", {"reason": "情况复杂"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"
    assert AuditEvent.objects.filter(action="access.denied").exists()
    leader = api_for(make_user(tree.cities[0], Role.LEADER))
    extended = leader.post(f"/api/deadlines/{pk}/extend/", {"reason": "情况复杂"}, format="json")
    assert extended.status_code == 200 and len(extended.json()["extensions"]) == 1
    done = client.post(f"/api/deadlines/{pk}/complete/", {"on": today.isoformat()}, format="json")
    assert done.status_code == 200 and done.json()["state"] == "met"
    # a decided date
    fixed = client.post(
        "/api/deadlines/open/",
        {
            "organisation": org.pk,
            "title": "整改复查",
            "rule_key": "fixed",
            "start_date": today.isoformat(),
            "due_date": (today + dt.timedelta(days=10)).isoformat(),
        },
        format="json",
    )
    assert fixed.status_code == 201 and fixed.json()["rule_key"] == "fixed"


def test_deadline_actions_bad_input_and_scope(seeded, tree):
    org = tree.districts[0]
    mine = _open(tree, org)
    other = _open(tree, tree.districts[2])
    client = api_for(make_user(org, Role.SUPERVISOR))
    bad = client.post(f"/api/deadlines/{mine.pk}/stop/", {"on": "tomorrow"}, format="json")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "validation_failed"
    leak = client.post(f"/api/deadlines/{other.pk}/complete/", {"on": "2025-10-01"}, format="json")
    assert leak.status_code == 404 and leak.json()["error"]["code"] == "not_found"
    outside = client.post(
        "/api/deadlines/open/",
        {
            "organisation": tree.districts[2].pk,
            "title": "x",
            "rule_key": "penalty.publicity",
            "start_date": "2025-09-26",
        },
        format="json",
    )
    assert outside.status_code == 404
    unknown = client.post(
        "/api/deadlines/open/",
        {"organisation": org.pk, "title": "x", "rule_key": "nope", "start_date": "2025-09-26"},
        format="json",
    )
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "unknown_rule"
    assert Deadline.objects.count() == 2
