"""The fazhi-draw/2 API: announce with declared events and witnesses, reveal, draw with the
events' results, re-announcement request and decision, the registered source kinds."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from rest_framework.test import APIClient

from fazhi.core import clock as project_clock
from fazhi.core import testing
from fazhi.inspections import drawv2
from fazhi.inspections.tests.draw_support import make_draw_world

pytestmark = pytest.mark.django_db


def api(user: Any) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


def _plan(w: Any, c: APIClient) -> int:
    start = project_clock.today()
    response = c.post(
        "/api/inspections/plans/",
        {
            "organisation": w.org.pk,
            "kind": "random",
            "title": "第2版接口计划",
            "year": start.year,
            "window_start": start.isoformat(),
            "window_end": (start + dt.timedelta(days=10)).isoformat(),
            "names_public": "window_start",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["names_public"] == "window_start"
    pk = int(response.json()["id"])
    response = c.post(
        f"/api/inspections/plans/{pk}/strata/",
        {"key": "gg", "category": "public_places", "quota": 3},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return pk


def test_v2_flow_by_api(clock: Any) -> None:
    w = make_draw_world()
    c = api(w.planner)
    kinds = c.get("/api/inspections/draw-source-kinds/").json()
    assert {k["kind"] for k in kinds} == {"cwl-3d", "sports-pl5", "drand-quicknet"}
    pk = _plan(w, c)
    day = project_clock.today() + dt.timedelta(days=1)
    deadline = project_clock.now() + dt.timedelta(hours=3)
    body = {
        "sources": [
            {"kind": "sports-pl5", "period": f"{day.year % 100:02d}123", "date": day.isoformat()}
        ],
        "witnesses": [{"name": "见证人甲"}],
        "reveal_deadline": deadline.isoformat(),
    }
    response = c.post(f"/api/inspections/plans/{pk}/announce-v2/", body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["announcement"]["algorithm_version"] == "fazhi-draw/2"
    assert data["announcement"]["sources"][0]["kind"] == "sports-pl5"
    reveal = data["witness_reveals"][0]["reveal"]
    assert drawv2.reveal_matches(data["announcement"]["witnesses"][0]["commitment"], reveal)
    # the secret is not stored: the announcement read back carries no reveal
    again = c.get(f"/api/inspections/plans/{pk}/announcements/1/").json()
    assert again["witnesses"][0]["revealed_secret"] is None
    assert reveal not in str(again)
    bad = c.post(
        f"/api/inspections/plans/{pk}/announcements/1/reveal/",
        {"position": 1, "reveal": "00" * 16 + ":x"},
        format="json",
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "witness_reveal_mismatch"
    ok = c.post(
        f"/api/inspections/plans/{pk}/announcements/1/reveal/",
        {"position": 1, "reveal": reveal},
        format="json",
    )
    assert ok.status_code == 200, ok.json()
    early = c.post(f"/api/inspections/plans/{pk}/draw/", {"values": ["12345"]}, format="json")
    assert early.status_code == 409 and early.json()["error"]["code"] == "event_not_yet"
    # re-announcement: request, refused to self-approve, approved by the leader
    requested = c.post(
        f"/api/inspections/plans/{pk}/reannouncements/", {"reason": "见证人名单有误"}, format="json"
    )
    assert requested.status_code == 201, requested.json()
    rid = requested.json()["id"]
    own = c.post(
        f"/api/inspections/reannouncements/{rid}/decide/", {"approve": True}, format="json"
    )
    assert own.status_code == 403
    rejected = api(w.leader).post(
        f"/api/inspections/reannouncements/{rid}/decide/",
        {"approve": False, "note": "理由不足"},
        format="json",
    )
    assert rejected.status_code == 200 and rejected.json()["state"] == "rejected"
    clock.move_to(testing.at(day, hour=22))
    out_of_range = c.post(f"/api/inspections/plans/{pk}/draw/", {"values": ["123"]}, format="json")
    assert out_of_range.status_code == 400
    assert out_of_range.json()["error"]["code"] == "entropy_value_invalid"
    drawn = c.post(f"/api/inspections/plans/{pk}/draw/", {"values": ["1 2 3 4 5"]}, format="json")
    assert drawn.status_code == 201, drawn.json()
    export = c.get(f"/api/inspections/plans/{pk}/draws/1/export/").json()
    assert export["entropy"]["record"]["witnesses"][0]["reveal"] == reveal
    assert drawv2.verify_export(export) is None
    verified = c.post(f"/api/inspections/plans/{pk}/draws/1/verify/").json()
    assert verified == {"ok": True, "difference": None}


def test_server_randomness_refused_for_a_random_plan_by_api() -> None:
    w = make_draw_world()
    c = api(w.planner)
    pk = _plan(w, c)
    response = c.post(f"/api/inspections/plans/{pk}/announce-v2/", {"server": True}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "server_entropy_not_allowed"
    viewer = api(w.viewer).post(
        f"/api/inspections/plans/{pk}/announce-v2/", {"server": True}, format="json"
    )
    assert viewer.status_code in (403, 404)
