"""API under /api/inspections/: plans, strata, announce, draw, draws, export, verify, re-draws."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from fazhi.core import clock
from fazhi.core.models import AuditEvent
from fazhi.inspections.tests.draw_support import (
    add_entity,
    make_draw_world,
    secret_pair,
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


def test_full_flow_by_api():
    w = make_draw_world()
    c = api(w.planner)
    pk = _plan_via_api(w, c)
    s1, c1 = secret_pair("api1")
    response = c.post(
        f"/api/inspections/plans/{pk}/announce/",
        {"entropy_kind": "witnesses", "witnesses": [{"name": "甲", "commitment": c1}]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["strata"][0]["count"] == len(w.entities)
    response = c.post(f"/api/inspections/plans/{pk}/draw/", {"reveals": [s1]}, format="json")
    assert response.status_code == 201, response.json()
    seed = response.json()["seed"]
    assert c.get(f"/api/inspections/plans/{pk}/draws/").json()[0]["seed"] == seed
    tasks = c.get(f"/api/inspections/plans/{pk}/draws/1/tasks/").json()
    assert tasks["count"] == 4 and len(tasks["results"][0]["inspectors"]) == 2
    export = c.get(f"/api/inspections/plans/{pk}/draws/1/export/").json()
    assert export["draw"]["seed"] == seed
    verify = c.post(f"/api/inspections/plans/{pk}/draws/1/verify/").json()
    assert verify == {"ok": True, "difference": None}
    again = c.post(f"/api/inspections/plans/{pk}/draw/", {"reveals": [s1]}, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_drawn"


def test_changed_candidates_give_409_envelope_and_audit():
    w = make_draw_world()
    c = api(w.planner)
    pk = _plan_via_api(w, c)
    c.post(f"/api/inspections/plans/{pk}/announce/", {"entropy_kind": "server"}, format="json")
    add_entity(w)
    response = c.post(f"/api/inspections/plans/{pk}/draw/", {}, format="json")
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
    viewer = api(w.viewer)
    response = viewer.post(
        f"/api/inspections/plans/{pk}/announce/", {"entropy_kind": "server"}, format="json"
    )
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
    c.post(f"/api/inspections/plans/{pk}/announce/", {"entropy_kind": "server"}, format="json")
    c.post(f"/api/inspections/plans/{pk}/draw/", {}, format="json")
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
    c.post(f"/api/inspections/plans/{pk}/announce/", {"entropy_kind": "server"}, format="json")
    second = c.post(f"/api/inspections/plans/{pk}/draw/", {}, format="json")
    assert second.status_code == 201 and second.json()["number"] == 2
    draws = c.get(f"/api/inspections/plans/{pk}/draws/").json()
    assert [(d["number"], d["state"]) for d in draws] == [(2, "effective"), (1, "superseded")]
    assert draws[0]["reason"] == "抽取时断电"


def test_schema_is_valid():
    w = make_draw_world(entities=0, officers=0)
    response = api(w.planner).get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/inspections/plans/{id}/draw/" in response.content
