"""Plan and stratum services, imported task lists, and the yearly visit-cap warning."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import Workbook

from fazhi.core import clock, errors
from fazhi.core.models import AuditEvent, Deadline
from fazhi.core.periods import FIXED_RULE
from fazhi.inspections.models import (
    InspectionPlan,
    InspectionTask,
    PlanKind,
    PlanState,
    PlanStratum,
    TaskInspector,
)
from fazhi.inspections.selectors.draws import draw_verify
from fazhi.inspections.selectors.plans import plan_get, plan_list, plan_visit_cap_report
from fazhi.inspections.services.announcements_v2 import plan_announce_v2
from fazhi.inspections.services.plans import (
    IMPORT_COLUMNS,
    import_template,
    plan_create,
    plan_import_tasks,
    plan_update,
    stratum_add,
    stratum_remove,
)
from fazhi.inspections.tests.draw_support import (
    add_entity,
    add_inspector,
    announce_and_draw,
    announce_future,
    drawn_plan,
    make_draw_world,
    make_plan,
)

pytestmark = pytest.mark.django_db


def test_plan_create_and_update_audited():
    w = make_draw_world(entities=0, officers=0)
    plan = make_plan(w, is_joint=True, joint_departments=["市场监管局"])
    assert plan.state == PlanState.DRAFT
    assert AuditEvent.objects.filter(action="inspection_plan.created").count() == 1
    plan = plan_update(actor=w.planner, plan=plan, title="改名后的计划", team_size=3)
    assert plan.title == "改名后的计划" and plan.team_size == 3
    assert AuditEvent.objects.filter(action="inspection_plan.updated").count() == 1


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"title": " "}, "title_required"),
        ({"window_end": dt.date(2000, 1, 1)}, "window_order"),
        ({"team_size": 1}, "bad_team_size"),
        ({"per_entity_yearly_cap": 0}, "bad_visit_cap"),
        ({"is_joint": True, "joint_departments": []}, "joint_departments_required"),
        ({"year": 1999}, "bad_year"),
        ({"state": "closed"}, "bad_fields"),
    ],
)
def test_plan_update_bad_input(changes, code):
    w = make_draw_world(entities=0, officers=0)
    plan = make_plan(w)
    with pytest.raises(errors.ValidationFailed) as exc:
        plan_update(actor=w.planner, plan=plan, **changes)
    assert exc.value.code == code
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAFT and plan.team_size == 2


def test_plan_create_guards():
    w = make_draw_world(entities=0, officers=0)
    start = clock.today()
    base: dict[str, Any] = {
        "organisation": w.org,
        "kind": PlanKind.RANDOM,
        "title": "x",
        "year": start.year,
        "window_start": start,
        "window_end": start,
    }
    with pytest.raises(errors.PermissionDenied):
        plan_create(actor=w.viewer, **base)
    with pytest.raises(errors.OutOfScope):
        plan_create(actor=w.stranger, **base)
    with pytest.raises(errors.ValidationFailed) as exc:
        plan_create(actor=w.planner, **{**base, "kind": "lottery"})
    assert exc.value.code == "bad_plan_kind"
    with pytest.raises(errors.ValidationFailed) as exc:
        plan_create(actor=w.planner, **{**base, "kind": PlanKind.IMPORTED})
    assert exc.value.code == "external_source_required"


def test_strata_add_remove_and_guards():
    w = make_draw_world(entities=0, officers=0)
    plan = make_plan(w)
    stratum = stratum_add(actor=w.planner, plan=plan, key="gg", category=w.public_places, quota=5)
    stratum_add(
        actor=w.planner, plan=plan, key="water-d", category=w.water, ratio="12.5", risk_grade="D"
    )
    cases: list[tuple[dict[str, Any], str]] = [
        ({"key": "gg", "quota": 1}, "duplicate_stratum_key"),
        ({"key": "Bad Key!", "quota": 1}, "bad_stratum_key"),
        ({"key": "a", "quota": 1, "ratio": "5"}, "quota_and_ratio"),
        ({"key": "a", "ratio": "0"}, "bad_ratio"),
        ({"key": "a", "ratio": "abc"}, "bad_ratio"),
        ({"key": "a", "ratio": "101"}, "bad_ratio"),
        ({"key": "a", "quota": 0}, "bad_quota"),
        ({"key": "a"}, "quota_or_ratio_required"),
        ({"key": "a", "quota": 1, "risk_grade": "E"}, "bad_risk_grade"),
        ({"key": "a", "quota": 1, "weighted": True, "risk_grade": "A"}, "weighted_with_grade"),
        ({"key": "a", "quota": 1, "filter": {"colour": "red"}}, "bad_filter"),
        ({"key": "a", "quota": 1, "filter": {"kind": ["castle"]}}, "bad_filter_kind"),
        ({"key": "a", "quota": 1, "filter": {"division_prefix": ["35x"]}}, "bad_filter_division"),
    ]
    for kwargs, code in cases:
        with pytest.raises(errors.ValidationFailed) as exc:
            stratum_add(actor=w.planner, plan=plan, category=w.public_places, **kwargs)
        assert exc.value.code == code, kwargs
    with pytest.raises(errors.OutOfScope):
        stratum_add(actor=w.stranger, plan=plan, key="x", category=w.water, quota=1)
    stratum_remove(actor=w.planner, stratum=stratum)
    assert list(PlanStratum.objects.filter(plan=plan).values_list("key", flat=True)) == ["water-d"]


def test_strata_frozen_after_announcement():
    w = make_draw_world(entities=3, officers=2)
    plan = make_plan(w)
    stratum = stratum_add(actor=w.planner, plan=plan, key="gg", category=w.public_places, quota=1)
    announce_future(w.planner, plan)
    with pytest.raises(errors.InvalidTransition) as exc:
        stratum_add(actor=w.planner, plan=plan, key="b", category=w.water, quota=1)
    assert exc.value.code == "plan_not_draft"
    with pytest.raises(errors.InvalidTransition):
        stratum_remove(actor=w.planner, stratum=stratum)
    with pytest.raises(errors.InvalidTransition):
        plan_update(actor=w.planner, plan=plan, title="晚了")


def test_campaign_filter_takes_every_match():
    w = make_draw_world(entities=3, officers=4)
    clinic = add_entity(w, categories=("medical",), kind="clinic")
    add_entity(w, categories=("medical",), kind="hospital")
    plan = make_plan(w, kind=PlanKind.CAMPAIGN)
    stratum_add(
        actor=w.planner,
        plan=plan,
        key="clinics",
        category=clinic.categories.get(),
        filter={"kind": ["clinic"]},
    )
    draw = announce_and_draw(w.planner, plan)
    assert list(InspectionTask.objects.filter(draw=draw).values_list("entity_id", flat=True)) == [
        clinic.pk
    ]


def test_routine_plan_takes_every_match_and_assigns_inspectors_at_random():
    from fazhi.inspections.services.draws import draw_run

    w = make_draw_world(entities=0, officers=0)
    for _ in range(4):
        add_inspector(w, categories=("medical",))
    clinics = [add_entity(w, categories=("medical",), kind="clinic") for _ in range(3)]
    add_entity(w, categories=("medical",), kind="hospital")
    plan = make_plan(w, kind=PlanKind.ROUTINE)
    stratum_add(
        actor=w.planner,
        plan=plan,
        key="clinics",
        category=clinics[0].categories.get(),
        filter={"kind": ["clinic"]},
    )
    # server randomness: allowed for routine supervision only (marked not publicly verifiable)
    plan_announce_v2(actor=w.planner, plan=plan, server=True)
    draw = draw_run(actor=w.planner, plan=plan)
    tasks = InspectionTask.objects.filter(draw=draw)
    assert sorted(tasks.values_list("entity_id", flat=True)) == sorted(c.pk for c in clinics)
    teams = [TaskInspector.objects.filter(task=task).count() for task in tasks]
    assert teams == [2, 2, 2]
    assert draw_verify(user=w.planner, draw=draw) is None
    # a plan of the higher level's imported list is never announced or drawn
    imported = make_plan(w, kind=PlanKind.IMPORTED, external_source="国家随机监督抽查计划")
    with pytest.raises(errors.ValidationFailed) as exc:
        announce_future(w.planner, imported)
    assert exc.value.code == "plan_kind_not_drawn"


def _xlsx(rows: list[list[str]], header: list[str] | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header or list(IMPORT_COLUMNS))
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_import_keeps_numbers_and_reports_every_bad_row():
    w = make_draw_world(entities=3, officers=0)
    foreign = add_entity(w, org=w.other_org)
    plan = make_plan(w, kind=PlanKind.IMPORTED, external_source="国家随机监督抽查计划")
    a, b = w.entities[0], w.entities[1]
    bad = _xlsx(
        [
            ["GJ-1", a.uscc, "公共场所卫生", ""],
            ["GJ-1", b.uscc, "公共场所卫生", ""],  # duplicate number
            ["", b.uscc, "公共场所卫生", ""],  # no number
            ["GJ-3", "91350000XXXXXXXXXX", "公共场所卫生", ""],  # unknown entity
            ["GJ-4", foreign.uscc, "公共场所卫生", ""],  # outside the plan's scope
            ["GJ-5", b.uscc, "火星卫生", ""],  # unknown category
        ]
    )
    with pytest.raises(errors.ValidationFailed) as exc:
        plan_import_tasks(actor=w.planner, plan=plan, content=bad)
    assert exc.value.code == "import_rows_invalid"
    reported = {(e["row"], e["column"]) for e in exc.value.details["errors"]}
    assert reported == {
        (3, IMPORT_COLUMNS[0]),
        (4, IMPORT_COLUMNS[0]),
        (5, IMPORT_COLUMNS[1]),
        (6, IMPORT_COLUMNS[1]),
        (7, IMPORT_COLUMNS[2]),
    }
    assert not InspectionTask.objects.filter(plan=plan).exists()
    good = _xlsx(
        [["GJ-1", a.uscc, "公共场所卫生", "上级备注"], ["GJ-2", b.uscc, "public_places", ""]]
    )
    assert plan_import_tasks(actor=w.planner, plan=plan, content=good) == 2
    assert sorted(InspectionTask.objects.filter(plan=plan).values_list("number", flat=True)) == [
        "GJ-1",
        "GJ-2",
    ]
    plan.refresh_from_db()
    assert plan.state == PlanState.IN_PROGRESS
    window = Deadline.objects.get(object_id=str(plan.pk), rule_key=FIXED_RULE)
    assert window.due_date == plan.window_end


def test_import_reports_a_code_excel_turned_into_a_number_and_reads_title_rows():
    w = make_draw_world(entities=1, officers=0)
    plan = make_plan(w, kind=PlanKind.IMPORTED, external_source="上级")
    entity = w.entities[0]
    wb = Workbook()
    hidden = wb.active
    hidden.title = "选项"
    hidden.sheet_state = "hidden"
    ws = wb.create_sheet("任务清单")
    ws.append([])  # a blank row above the header
    ws.append(list(IMPORT_COLUMNS))
    ws.append(["GJ-1", 913501001234567000, "公共场所卫生", ""])  # Excel made the code a number
    ws.append(["GJ-2", entity.uscc, "公共场所卫生", ""])
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(errors.ValidationFailed) as exc:
        plan_import_tasks(actor=w.planner, plan=plan, content=out.getvalue())
    (problem,) = exc.value.details["errors"]
    assert (problem["row"], problem["column"]) == (3, IMPORT_COLUMNS[1])
    assert "该列请设置为文本格式后重新录入" in problem["reason"]
    ws.delete_rows(3)  # the damaged row removed: the rest imports, under the hidden sheet
    out = io.BytesIO()
    wb.save(out)
    assert plan_import_tasks(actor=w.planner, plan=plan, content=out.getvalue()) == 1
    assert InspectionTask.objects.get(plan=plan).number == "GJ-2"


def test_import_rejects_bad_files_and_wrong_plans():
    w = make_draw_world(entities=1, officers=0)
    plan = make_plan(w, kind=PlanKind.IMPORTED, external_source="上级")
    for content, code in [
        (b"not a spreadsheet", "bad_file"),
        (_xlsx([], header=["编号", "名称"]), "bad_header"),
        (_xlsx([]), "empty_file"),
    ]:
        with pytest.raises(errors.ValidationFailed) as exc:
            plan_import_tasks(actor=w.planner, plan=plan, content=content)
        assert exc.value.code == code
    random_plan = make_plan(w)
    with pytest.raises(errors.ValidationFailed) as exc:
        plan_import_tasks(actor=w.planner, plan=random_plan, content=import_template())
    assert exc.value.code == "plan_not_imported"
    with pytest.raises(errors.OutOfScope):
        plan_import_tasks(actor=w.stranger, plan=plan, content=import_template())


def test_visit_cap_warns_not_refuses():
    # The cap is a province's figure: the demo province's sample pack (36) carries one.
    w = make_draw_world(entities=2, officers=4, province_code="36")
    plans = []
    for _ in range(3):
        plan, _draw = drawn_plan(w, quota=2)  # every plan draws both entities
        plans.append(plan)
    report = plan_visit_cap_report(user=w.planner, plan=plans[-1])
    assert report.cap == 2  # the province pack's inspection.visit_cap, same level
    assert report.over_count == 2
    assert all(visits == 3 for _, _, visits in report.over)
    first = plan_visit_cap_report(user=w.planner, plan=plans[0])
    assert first.over_count == 2  # the same entities, the same year
    upcoming = make_plan(w)
    stratum_add(actor=w.planner, plan=upcoming, key="gg", category=w.public_places, quota=1)
    assert plan_visit_cap_report(user=w.planner, plan=upcoming).candidates_at_cap is None
    report = plan_visit_cap_report(user=w.planner, plan=upcoming, check_candidates=True)
    assert report.candidates_at_cap == 2
    override = make_plan(w, per_entity_yearly_cap=5)
    assert plan_visit_cap_report(user=w.planner, plan=override).cap == 5


def test_selectors_scope(django_assert_max_num_queries):
    w = make_draw_world(entities=0, officers=0)
    plan = make_plan(w)
    with pytest.raises(errors.OutOfScope):
        plan_get(user=w.stranger, pk=plan.pk)
    assert plan_get(user=w.viewer, pk=plan.pk) == plan
    with django_assert_max_num_queries(1):
        assert [p.pk for p in plan_list(user=w.planner)] == [plan.pk]
    assert list(plan_list(user=w.stranger)) == []


def _imported_task(w):
    plan = make_plan(w, kind=PlanKind.IMPORTED, external_source="国家随机监督抽查计划")
    entity = w.entities[0]
    plan_import_tasks(
        actor=w.planner, plan=plan, content=_xlsx([["GJ-9", entity.uscc, "公共场所卫生", ""]])
    )
    return InspectionTask.objects.get(plan=plan)


def test_imported_task_gets_a_checked_team():
    import datetime as dt

    from fazhi.core.models import AuditEvent as Event
    from fazhi.inspections.services import pool as pool_services
    from fazhi.inspections.services.teams import task_assign_inspectors

    w = make_draw_world(entities=2, officers=0)
    lead, member, away, conflicted = (add_inspector(w) for _ in range(4))
    unqualified = add_inspector(w, categories=("drinking_water",))
    task = _imported_task(w)
    pool_services.inspector_leave_add(
        actor=w.planner, officer=away, start=clock.today(), end=clock.today() + dt.timedelta(days=2)
    )
    pool_services.conflict_declare(
        actor=w.planner,
        officer=conflicted,
        entity=task.entity,
        reason="亲属",
        declared_on=clock.today(),
    )
    assign = task_assign_inspectors
    with pytest.raises(errors.ValidationFailed) as exc:
        assign(actor=w.planner, task=task, officer_ids=[lead.pk])
    assert exc.value.code == "team_too_small"
    with pytest.raises(errors.ValidationFailed) as exc:
        assign(
            actor=w.planner,
            task=task,
            officer_ids=[lead.pk, away.pk, conflicted.pk, unqualified.pk],
        )
    assert exc.value.code == "inspector_not_eligible"
    assert exc.value.details["problems"] == {
        str(away.pk): "on_leave",
        str(conflicted.pk): "conflict",
        str(unqualified.pk): "not_qualified",
    }
    with pytest.raises(errors.PermissionDenied):
        assign(actor=w.stranger, task=task, officer_ids=[lead.pk, member.pk])
    assert not TaskInspector.objects.filter(task=task).exists()
    assign(actor=w.planner, task=task, officer_ids=[lead.pk, member.pk])
    team = list(TaskInspector.objects.filter(task=task).order_by("role"))
    assert [(t.officer_id, t.role) for t in team] == [(lead.pk, "lead"), (member.pk, "member")]
    event = Event.objects.filter(action="inspection_task.team_assigned").get()
    assert event.object_id == str(task.pk)
    # a drawn task keeps the team its draw gave it
    _plan, draw = drawn_plan(w, quota=1)
    drawn = InspectionTask.objects.get(draw=draw)
    with pytest.raises(errors.InvalidTransition) as refused:
        assign(actor=w.planner, task=drawn, officer_ids=[lead.pk, member.pk])
    assert refused.value.code == "drawn_task"


def test_imported_task_team_through_page_and_api():
    from django.test import Client
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    w = make_draw_world(entities=2, officers=0)
    first, second = add_inspector(w), add_inspector(w)
    task = _imported_task(w)
    page = Client()
    page.force_login(w.planner)
    body = page.get(f"/inspections/tasks/{task.pk}/").content.decode()
    assert "确定检查组" in body and f'value="{first.pk}"' in body
    response = page.post(
        f"/inspections/tasks/{task.pk}/team/",
        {"officers": [str(first.pk), str(second.pk)], "lead": str(second.pk)},
    )
    assert response.status_code == 302
    lead = TaskInspector.objects.get(task=task, role="lead")
    assert lead.officer_id == second.pk
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=w.planner).key}")
    ok = api.post(
        f"/api/inspections/tasks/{task.pk}/team/",
        {"officers": [first.pk, second.pk]},
        format="json",
    )
    assert ok.status_code == 200, ok.content
    assert TaskInspector.objects.get(task=task, role="lead").officer_id == first.pk
    too_small = api.post(
        f"/api/inspections/tasks/{task.pk}/team/", {"officers": [first.pk]}, format="json"
    )
    assert too_small.status_code == 400
    assert too_small.json()["error"]["code"] == "team_too_small"
    outsider = APIClient()
    outsider.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=w.stranger).key}")
    leak = outsider.post(
        f"/api/inspections/tasks/{task.pk}/team/", {"officers": [first.pk]}, format="json"
    )
    assert leak.status_code == 404


def test_no_visit_cap_without_a_province_figure():
    """No national default (国办发〔2024〕54号 leaves it to each ministry and province)."""
    w = make_draw_world(entities=2, officers=4, province_code="35")
    plan, _draw = drawn_plan(w, quota=2)
    report = plan_visit_cap_report(user=w.planner, plan=plan)
    assert report.cap is None and report.over == [] and "未规定" in report.source


def test_page_adds_a_stratum_without_a_key_and_shows_it_by_name(client):
    w = make_draw_world(entities=0, officers=0)
    plan = make_plan(w)
    client.force_login(w.planner)
    before = client.get(f"/inspections/plans/{plan.pk}/")
    assert (
        before.context["progress"]["current"] == "分层"
        and "下一步：添加分层" in before.content.decode()
    )
    url = f"/inspections/plans/{plan.pk}/strata/add/"
    for _ in range(2):
        client.post(url, {"category": w.public_places.pk, "risk_grade": "B", "quota": 3})
    keys = sorted(plan.strata.values_list("key", flat=True))
    assert keys == ["public_places_b", "public_places_b_2"]  # generated, unique
    body = client.get(f"/inspections/plans/{plan.pk}/").content.decode()
    assert "public_places_b" not in body.replace('value="public_places', "")
    assert f"{w.public_places.name}·B级" in body
    assert 'class="current" aria-current="step">公告' in body  # the next step: the announcement
    # the shell's detail header: state badge, the next step as the main button, then 修改
    header = body.split('id="detail-header"')[1].split("</header>")[0]
    assert 'id="detail-state">草稿' in header
    actions = header.split('id="detail-actions"')[1]
    assert actions.index("发布抽取公告") < actions.index("修改")
    assert 'btn-primary" href="/inspections/plans/' in actions
    client.force_login(w.viewer)
    viewer_body = client.get(f"/inspections/plans/{plan.pk}/").content.decode()
    assert 'id="detail-header"' in viewer_body and 'id="detail-actions"' not in viewer_body


def test_new_plan_goes_to_the_strata_step_before_leaving(client):
    """Creating a plan leads to its strata (step 2) with the form open, not to a collapsed
    section of the plan page; adding and removing a stratum stay on that step."""
    w = make_draw_world(entities=0, officers=0)
    client.force_login(w.planner)
    start = clock.today()
    created = client.post(
        "/inspections/plans/new/",
        {
            "organisation": w.org.pk,
            "kind": "random",
            "title": "分层步骤计划",
            "year": start.year,
            "window_start": start.isoformat(),
            "window_end": start.isoformat(),
            "team_size": 2,
        },
    )
    plan = InspectionPlan.objects.get(title="分层步骤计划")
    step = f"/inspections/plans/{plan.pk}/strata/"
    assert created.status_code == 302 and created["Location"] == step
    body = client.get(step).content.decode()
    assert 'aria-current="step">分层' in body and 'id="stratum-form"' in body
    assert "<details" not in body and "下一步：发布抽取公告" not in body  # no stratum yet
    added = client.post(f"{step}add/", {"category": w.public_places.pk, "quota": 2})
    assert added.status_code == 302 and added["Location"] == step
    body = client.get(step).content.decode()
    assert w.public_places.name in body and "下一步：发布抽取公告" in body
    stratum = plan.strata.get()
    removed = client.post(f"{step}{stratum.pk}/remove/")
    assert removed["Location"] == step and not plan.strata.exists()
    detail = client.get(f"/inspections/plans/{plan.pk}/").content.decode()
    assert "<details" not in detail and f'href="{step}"' in detail
    # strata are for planners, and only until the announcement
    client.force_login(w.viewer)
    assert client.get(step).status_code in (403, 404)


def test_the_strata_step_of_an_announced_plan_goes_back_to_the_plan(client):
    w = make_draw_world(entities=3, officers=4)
    plan, _draw = drawn_plan(w, quota=2)
    client.force_login(w.planner)
    response = client.get(f"/inspections/plans/{plan.pk}/strata/")
    assert response.status_code == 302 and response["Location"] == f"/inspections/plans/{plan.pk}/"


def test_new_plan_form_starts_with_this_year_from_the_clock(client):
    from fazhi.core import clock

    w = make_draw_world(entities=0, officers=0)
    client.force_login(w.planner)
    body = client.get("/inspections/plans/new/").content.decode()
    today = clock.today()
    assert f'name="year" value="{today.year}"' in body
    assert f'value="{today.isoformat()}"' in body and f'value="{today.year}-12-31"' in body


def test_a_refused_stratum_keeps_the_input_and_shows_the_error_beside_its_field(client):
    w = make_draw_world(entities=0, officers=0)
    plan = make_plan(w)
    client.force_login(w.planner)
    response = client.post(
        f"/inspections/plans/{plan.pk}/strata/add/",
        {"category": w.public_places.pk, "quota": "-3", "division_prefix": "3501"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'class="invalid-feedback d-block"' in body and 'value="3501"' in body
    assert "alert-danger" in body and not plan.strata.exists()
