"""API under /api/inspections/: plans, strata, announce, draw, draws, export, verify, re-draws."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from fazhi.core import clock, testing
from fazhi.core.models import AuditEvent
from fazhi.inspections.tests.draw_support import (
    add_entity,
    after_event,
    lottery,
    make_draw_world,
)

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


def _plan_via_api(w, c) -> int:
    start = clock.today()
    response = c.post(
        "/api/inspections/plans/",
        {
            "organisation": w.org.pk,
            "kind": "random",
            "title": "接口计划",
            "year": start.year,
            "window_start": start.isoformat(),
            "window_end": start.isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = int(response.json()["id"])
    response = c.post(
        f"/api/inspections/plans/{pk}/strata/",
        {"key": "gg", "category": "public_places", "quota": 4},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return pk


def _announce(c, pk: int, *, future: bool = False):
    """POST announce-v2 declaring a 福彩3D draw: yesterday's (published two days before it, the
    clock replayed), or tomorrow's (``future``: published now)."""
    day = clock.today() + dt.timedelta(days=1 if future else -1)
    kind, event = lottery(day)
    body = {"sources": [{"kind": kind, **event}]}
    url = f"/api/inspections/plans/{pk}/announce-v2/"
    if future:
        return c.post(url, body, format="json")
    with clock.replaying(testing.at(day - dt.timedelta(days=2))):
        return c.post(url, body, format="json")


def test_full_flow_by_api():
    w = make_draw_world()
    c = api(w.planner)
    pk = _plan_via_api(w, c)
    # the version-1 announce endpoint is retired (decision 0057)
    retired = c.post(f"/api/inspections/plans/{pk}/announce/", {"entropy_kind": "server"})
    assert retired.status_code in (404, 405)
    response = _announce(c, pk)
    assert response.status_code == 201, response.json()
    announcement = response.json()["announcement"]
    assert announcement["strata"][0]["count"] == len(w.entities)
    assert announcement["algorithm_version"] == "fazhi-draw/2"
    bad = c.post(f"/api/inspections/plans/{pk}/draw/", {"values": ["1"]}, format="json")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "entropy_value_invalid"
    response = c.post(f"/api/inspections/plans/{pk}/draw/", {"values": ["314"]}, format="json")
    assert response.status_code == 201, response.json()
    seed = response.json()["seed"]
    assert c.get(f"/api/inspections/plans/{pk}/draws/").json()[0]["seed"] == seed
    tasks = c.get(f"/api/inspections/plans/{pk}/draws/1/tasks/").json()
    assert tasks["count"] == 4 and len(tasks["results"][0]["inspectors"]) == 2
    export = c.get(f"/api/inspections/plans/{pk}/draws/1/export/").json()
    assert export["draw"]["seed"] == seed
    verify = c.post(f"/api/inspections/plans/{pk}/draws/1/verify/").json()
    assert verify == {"ok": True, "difference": None}
    again = c.post(f"/api/inspections/plans/{pk}/draw/", {"values": ["314"]}, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_drawn"


def test_changed_candidates_of_a_version_1_announcement_give_409_envelope_and_audit():
    """A version-1 announcement published before version 2 is drawn by the API, and refused
    when its candidates changed (a version-2 draw uses the announced lists)."""
    from fazhi.inspections.models import InspectionPlan
    from fazhi.inspections.tests.v1_support import plan_announce_v1

    w = make_draw_world()
    c = api(w.planner)
    pk = _plan_via_api(w, c)
    plan = InspectionPlan.objects.get(pk=pk)
    plan_announce_v1(
        actor=w.planner, plan=plan, entropy_kind="public_number", entropy_spec="福彩3D"
    )
    add_entity(w)
    response = c.post(f"/api/inspections/plans/{pk}/draw/", {"public_number": "314"}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "candidates_changed"
    assert AuditEvent.objects.filter(action="inspection_draw.refused").exists()


def test_scope_and_permissions_by_api():
    w = make_draw_world(entities=3, officers=2)
    pk = _plan_via_api(w, api(w.planner))
    stranger = api(w.stranger)
    for url in (
        f"/api/inspections/plans/{pk}/",
        f"/api/inspections/plans/{pk}/strata/",
        f"/api/inspections/plans/{pk}/draws/",
        f"/api/inspections/plans/{pk}/draws/1/export/",
    ):
        response = stranger.get(url)
        assert response.status_code == 404, url
        assert response.json()["error"]["code"] == "not_found"
    assert stranger.get("/api/inspections/plans/").json()["count"] == 0
    response = _announce(api(w.viewer), pk)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    bad = api(w.planner).post(
        f"/api/inspections/plans/{pk}/strata/",
        {"key": "x", "category": "public_places", "quota": 1, "ratio": "5"},
        format="json",
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "quota_and_ratio"


def test_redraw_by_api():
    w = make_draw_world()
    c = api(w.planner)
    pk = _plan_via_api(w, c)
    _announce(c, pk)
    c.post(f"/api/inspections/plans/{pk}/draw/", {"values": ["314"]}, format="json")
    no_reason = c.post(f"/api/inspections/plans/{pk}/redraws/", {"reason": " "}, format="json")
    assert no_reason.status_code == 400
    request = c.post(
        f"/api/inspections/plans/{pk}/redraws/", {"reason": "抽取时断电"}, format="json"
    )
    assert request.status_code == 201
    rid = request.json()["id"]
    self_decide = c.post(
        f"/api/inspections/redraws/{rid}/decide/", {"approve": True}, format="json"
    )
    assert self_decide.status_code == 403
    ok = api(w.leader).post(
        f"/api/inspections/redraws/{rid}/decide/", {"approve": True}, format="json"
    )
    assert ok.status_code == 200 and ok.json()["state"] == "approved"
    # the re-draw's announcement follows the approval: tomorrow's draw, drawn after it
    assert _announce(c, pk, future=True).status_code == 201
    early = c.post(f"/api/inspections/plans/{pk}/draw/", {"values": ["271"]}, format="json")
    assert early.status_code == 409 and early.json()["error"]["code"] == "event_not_yet"
    with after_event():
        second = c.post(f"/api/inspections/plans/{pk}/draw/", {"values": ["271"]}, format="json")
    assert second.status_code == 201 and second.json()["number"] == 2
    draws = c.get(f"/api/inspections/plans/{pk}/draws/").json()
    assert [(d["number"], d["state"]) for d in draws] == [(2, "effective"), (1, "superseded")]
    assert draws[0]["reason"] == "抽取时断电"


def test_schema_is_valid():
    w = make_draw_world(entities=0, officers=0)
    response = api(w.planner).get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/inspections/plans/{id}/draw/" in response.content
