"""Pages of plans, announcements, draws and re-draws: rendering, flows, scope, query counts."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from fazhi.core import clock, testing
from fazhi.core.models import AuditEvent
from fazhi.inspections.models import Draw, DrawAnnouncement, InspectionPlan, PlanStratum
from fazhi.inspections.tests.draw_support import (
    announce_future,
    drawn_plan,
    lottery,
    make_draw_world,
    make_plan,
)

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_plan_list_scoped_and_bounded_queries(django_assert_max_num_queries):
    w = make_draw_world(entities=2, officers=0)
    mine = [make_plan(w) for _ in range(5)]
    c = client_for(w.planner)
    with django_assert_max_num_queries(12):
        response = c.get(reverse("inspections:plan_list"))
    assert response.status_code == 200
    for plan in mine:
        assert plan.title in response.content.decode()
    stranger = client_for(w.stranger).get(reverse("inspections:plan_list"))
    assert mine[0].title not in stranger.content.decode()
    viewer = client_for(w.viewer).get(reverse("inspections:plan_list"))
    assert mine[0].title in viewer.content.decode()  # the province viewer sees the subtree


def test_plan_pages_404_outside_scope():
    w = make_draw_world(entities=2, officers=0)
    plan = make_plan(w)
    c = client_for(w.stranger)
    for name in ("inspections:plan_detail", "inspections:plan_edit"):
        assert c.get(reverse(name, args=[plan.pk])).status_code == 404


def test_create_plan_add_stratum_announce_draw_by_pages():
    w = make_draw_world()
    c = client_for(w.planner)
    start = clock.today()
    response = c.post(
        reverse("inspections:plan_create"),
        {
            "organisation": w.org.pk,
            "kind": "random",
            "title": "页面新建计划",
            "year": start.year,
            "window_start": start.isoformat(),
            "window_end": start.isoformat(),
            "team_size": 2,
        },
    )
    assert response.status_code == 302, response.content.decode()
    plan = InspectionPlan.objects.get(title="页面新建计划")
    response = c.post(
        reverse("inspections:stratum_add", args=[plan.pk]),
        {"key": "gg", "category": w.public_places.pk, "quota": 3},
    )
    assert response.status_code == 302
    assert PlanStratum.objects.filter(plan=plan, key="gg", quota=3).exists()
    assert c.get(reverse("inspections:plan_detail", args=[plan.pk])).status_code == 200
    # the version-1 form is retired (decision 0057)
    assert c.get(f"/inspections/plans/{plan.pk}/announce/v1/").status_code == 404
    response = _announce_by_page(c, plan)
    assert response.status_code == 302
    announcement = DrawAnnouncement.objects.get(plan=plan)
    assert announcement.algorithm_version == "fazhi-draw/2"
    page = c.get(reverse("inspections:announcement_detail", args=[plan.pk, 1]))
    assert announcement.announcement_hash in page.content.decode()
    assert c.get(reverse("inspections:draw_run", args=[plan.pk])).status_code == 200
    bad = c.post(reverse("inspections:draw_run", args=[plan.pk]), {"value_1": "1"})
    assert bad.status_code == 200 and not Draw.objects.filter(plan=plan).exists()
    response = c.post(reverse("inspections:draw_run", args=[plan.pk]), {"value_1": "314"})
    assert response.status_code == 302
    draw = Draw.objects.get(plan=plan)
    page = c.get(reverse("inspections:draw_detail", args=[plan.pk, 1]))
    assert draw.seed in page.content.decode()
    verified = c.post(reverse("inspections:draw_verify", args=[plan.pk, 1]), follow=True)
    assert "验证通过" in verified.content.decode()
    export = c.get(reverse("inspections:draw_export", args=[plan.pk, 1]))
    assert json.loads(export.content)["draw"]["seed"] == draw.seed


def _announce_by_page(c: Client, plan: InspectionPlan, *, future: bool = False) -> Any:
    """The announce page posted two days before yesterday's 福彩3D draw (the clock replayed), or
    now (``future``: a re-draw's announcement follows its approval) for tomorrow's."""
    event_day = clock.today() + dt.timedelta(days=1 if future else -1)
    kind, event = lottery(event_day)
    data = {"kind_1": kind, "period_1": event["period"], "date_1": event["date"]}
    url = reverse("inspections:plan_announce", args=[plan.pk])
    if future:
        return c.post(url, data)
    with clock.replaying(testing.at(event_day - dt.timedelta(days=2))):
        return c.post(url, data)


def test_draw_detail_query_count_does_not_grow_with_tasks(django_assert_max_num_queries):
    w = make_draw_world(entities=30, officers=6)
    plan, draw = drawn_plan(w, quota=25)
    c = client_for(w.planner)
    with django_assert_max_num_queries(25):
        response = c.get(reverse("inspections:draw_detail", args=[plan.pk, draw.number]))
    assert response.status_code == 200
    assert response.content.decode().count("<tr>") >= 25


def test_redraw_flow_by_pages():
    w = make_draw_world()
    plan, first = drawn_plan(w, quota=3)
    planner = client_for(w.planner)
    planner.post(reverse("inspections:redraw_request", args=[plan.pk]), {"reason": "名单录入有误"})
    request = plan.redraws.get()
    leader = client_for(w.leader)
    denied = client_for(w.planner).post(
        reverse("inspections:redraw_decide", args=[request.pk]), {"decision": "approve"}
    )
    assert denied.status_code == 403
    assert AuditEvent.objects.filter(action="access.denied").exists()
    leader.post(reverse("inspections:redraw_decide", args=[request.pk]), {"decision": "approve"})
    assert _announce_by_page(planner, plan, future=True).status_code == 302
    with clock.replaying(testing.at(clock.today() + dt.timedelta(days=1), hour=22)):
        response = planner.post(reverse("inspections:draw_run", args=[plan.pk]), {"value_1": "271"})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.state == "superseded"
    page = planner.get(reverse("inspections:plan_detail", args=[plan.pk])).content.decode()
    assert "已被重新抽取替代" in page and "名单录入有误" in page


def test_engine_download_is_the_package_zipped_and_importable_alone(tmp_path):
    import subprocess
    import sys
    import zipfile

    response = Client().get(reverse("inspections:drawengine_download"))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    body = response.getvalue()
    assert body == Client().get(reverse("inspections:drawengine_download")).getvalue()
    path = tmp_path / "drawengine.zip"
    path.write_bytes(body)
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            assert b"import django" not in archive.read(name), name
    # importable from the zip alone, outside the project (standard library only)
    probe = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            "import sys; sys.path.insert(0, sys.argv[1]); "
            "import drawengine; print(drawengine.ALGORITHM_VERSION, drawengine.list_hash([1, 2]))",
            str(path),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    from fazhi.inspections import drawengine

    assert probe.stdout.split() == ["fazhi-draw/1", drawengine.list_hash([1, 2])], probe.stderr


def test_plan_page_offers_only_the_next_possible_step(django_assert_max_num_queries):
    from fazhi.inspections.selectors.draws import plan_draw_steps
    from fazhi.inspections.services.redraws import redraw_approve, redraw_request

    w = make_draw_world()
    plan = make_plan(w)
    planner = client_for(w.planner)
    url = reverse("inspections:plan_detail", args=[plan.pk])

    def buttons() -> set[str]:
        page = planner.get(url).content.decode()
        labels = ("发布抽取公告", "发布重新抽取公告", "重新公告</a>", ">抽取</a>")
        return {label for label in labels if label in page}

    assert plan_draw_steps(user=w.planner, plan=plan) == {"announce": "first", "draw": False}
    assert buttons() == {"发布抽取公告"}
    plan, _draw = drawn_plan(w, quota=2)  # a second plan, announced and drawn
    url = reverse("inspections:plan_detail", args=[plan.pk])
    # drawn: nothing to announce or draw until a re-draw is approved
    assert plan_draw_steps(user=w.planner, plan=plan) == {"announce": None, "draw": False}
    assert buttons() == set()
    request = redraw_request(actor=w.planner, plan=plan, reason="名单有误")
    assert buttons() == set()
    redraw_approve(actor=w.leader, request=request)
    assert plan_draw_steps(user=w.planner, plan=plan)["announce"] == "redraw"
    assert buttons() == {"发布重新抽取公告"}
    announce_future(w.planner, plan)
    # announced again: the draw is next; replacing the announcement needs an approved request
    assert plan_draw_steps(user=w.planner, plan=plan) == {"announce": None, "draw": True}
    assert buttons() == {">抽取</a>"}
    with django_assert_max_num_queries(40):
        planner.get(url)
    # a viewer sees no buttons at all
    viewer = client_for(w.viewer)
    page = viewer.get(url).content.decode()
    assert ">抽取</a>" not in page and "重新公告" not in page


def test_no_page_endpoint_or_loader_reaches_the_version_1_announce_code():
    """Decision 0057: the v1 announce code lives in ``tests/v1_support.py`` only."""
    from pathlib import Path

    import fazhi

    root = Path(fazhi.__file__).resolve().parent
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.relative_to(root).parts
        and (
            "v1_support" in (text := path.read_text(encoding="utf-8")) or "plan_announce_v1" in text
        )
    ]
    assert offenders == []
