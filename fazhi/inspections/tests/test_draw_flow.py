"""The announcement and draw services: success paths, guards, refusals, scope.

Tests of version 1's own behaviour (the public number typed at the draw, witness reveals at the
draw, lists and pool re-checked at the draw, announcing again when they changed) build their
version-1 announcements with ``tests/v1_support.py``; the others announce with fazhi-draw/2
(``draw_support``). Version 2's guards are in ``test_draw_v2_flow.py``."""

from __future__ import annotations

import copy

import pytest

from fazhi.core import clock, errors
from fazhi.core.models import AuditEvent, Deadline
from fazhi.core.models.deadlines import DeadlineState
from fazhi.core.periods import FIXED_RULE
from fazhi.inspections import drawengine as de
from fazhi.inspections.models import (
    Draw,
    DrawState,
    InspectionTask,
    InspectorRole,
    PlanState,
    TaskInspector,
    TaskState,
)
from fazhi.inspections.selectors.draws import draw_export, draw_verify
from fazhi.inspections.services.draws import draw_run
from fazhi.inspections.services.plans import stratum_add
from fazhi.inspections.tests.draw_support import (
    add_entity,
    announce_past,
    category,
    drawn_plan,
    make_draw_world,
    make_plan,
    secret_pair,
)
from fazhi.inspections.tests.v1_support import plan_announce_v1
from fazhi.registry.models import Entity

pytestmark = pytest.mark.django_db


def test_announce_and_draw_public_number():
    w = make_draw_world()
    plan, draw = drawn_plan(w, quota=4)
    assert plan.state == PlanState.DRAWN
    assert draw.state == DrawState.EFFECTIVE and draw.number == 1
    tasks = list(InspectionTask.objects.filter(draw=draw))
    assert len(tasks) == 4 == draw.task_count
    assert len({t.entity_id for t in tasks}) == 4
    for task in tasks:
        team = list(TaskInspector.objects.filter(task=task))
        assert len(team) == 2
        assert {m.role for m in team} == {"lead", "member"}
    event = AuditEvent.objects.filter(action="inspection_plan.drawn").get()
    assert draw.seed in event.details_json and draw.result_hash in event.details_json
    assert draw_verify(user=w.planner, draw=draw) is None
    # the plan's window end is now a deadline on the workbench, opened with the draw
    window = Deadline.objects.get(object_id=str(plan.pk), rule_key=FIXED_RULE)
    assert window.due_date == plan.window_end and window.organisation_id == plan.organisation_id
    assert window.state in (DeadlineState.OPEN, DeadlineState.OVERDUE)


def test_witness_draw_checks_reveals():
    w = make_draw_world()
    plan = make_plan(w)
    stratum_add(actor=w.planner, plan=plan, key="gg", category=w.public_places, quota=3)
    s1, c1 = secret_pair("x")
    s2, c2 = secret_pair("y")
    plan_announce_v1(
        actor=w.planner, plan=plan, entropy_kind="witnesses", witnesses=[("甲", c1), ("乙", c2)]
    )
    with pytest.raises(errors.ValidationFailed) as exc:
        draw_run(actor=w.planner, plan=plan, reveals=[s1, "wrong"])
    assert exc.value.code == "witness_reveal_mismatch"
    assert not Draw.objects.filter(plan=plan).exists()
    assert AuditEvent.objects.filter(action="inspection_draw.refused").count() == 1
    with pytest.raises(errors.ValidationFailed) as exc:
        draw_run(actor=w.planner, plan=plan, reveals=[s1])
    assert exc.value.code == "reveals_required"
    draw = draw_run(actor=w.planner, plan=plan, reveals=[s1, s2])
    assert draw.task_count == 3
    export = draw_export(user=w.planner, draw=draw)
    assert [x["secret"] for x in export["entropy"]["witnesses"]] == [s1, s2]
    assert draw_verify(user=w.planner, draw=draw) is None


def test_changed_candidates_refused_and_audited():
    w = make_draw_world()
    plan = make_plan(w)
    stratum_add(actor=w.planner, plan=plan, key="gg", category=w.public_places, quota=3)
    plan_announce_v1(actor=w.planner, plan=plan, entropy_kind="server")
    add_entity(w)  # a new public place after the announcement
    with pytest.raises(errors.Conflict) as exc:
        draw_run(actor=w.planner, plan=plan)
    assert exc.value.code == "candidates_changed"
    assert not Draw.objects.filter(plan=plan).exists()
    assert not InspectionTask.objects.filter(plan=plan).exists()
    refused = AuditEvent.objects.filter(action="inspection_draw.refused").get()
    assert "candidates_changed" in refused.details_json
    # a fresh announcement freezes the new list, and the draw goes through
    plan_announce_v1(actor=w.planner, plan=plan, entropy_kind="server")
    assert draw_run(actor=w.planner, plan=plan).task_count == 3


def test_second_draw_of_one_announcement_refused():
    w = make_draw_world()
    plan, _ = drawn_plan(w)
    with pytest.raises(errors.Conflict) as exc:
        draw_run(actor=w.planner, plan=plan, public_number="1")
    assert exc.value.code == "already_drawn"
    assert Draw.objects.filter(plan=plan).count() == 1


def test_draw_needs_cap_and_scope():
    w = make_draw_world()
    plan = make_plan(w)
    stratum_add(actor=w.planner, plan=plan, key="gg", category=w.public_places, quota=3)
    announce_past(w.planner, plan)
    with pytest.raises(errors.PermissionDenied):
        draw_run(actor=w.leader, plan=plan, values=["314"])  # leaders approve, they do not draw
    with pytest.raises(errors.OutOfScope):
        draw_run(actor=w.stranger, plan=plan, values=["314"])
    assert not Draw.objects.filter(plan=plan).exists()


def test_quota_above_candidates_reported_not_filled():
    w = make_draw_world(entities=3)
    _plan, draw = drawn_plan(w, quota=5)
    assert draw.task_count == 3
    assert draw.infeasible["strata"]["gg"]["code"] == "quota_exceeds_candidates"


def test_pool_constraints_from_the_database():
    import datetime as dt
    import json

    from fazhi.inspections.services import pool as pool_services
    from fazhi.inspections.tests.draw_support import add_inspector

    w = make_draw_world(entities=4, officers=0)
    on_leave, conflicted, _a, _b = (add_inspector(w) for _ in range(4))
    pool_services.inspector_leave_add(
        actor=w.planner,
        officer=on_leave,
        start=clock.today() + dt.timedelta(days=2),
        end=clock.today() + dt.timedelta(days=4),
        reason="培训",
    )
    target = w.entities[0]
    pool_services.conflict_declare(
        actor=w.planner,
        officer=conflicted,
        entity=target,
        reason="亲属任职",
        declared_on=clock.today(),
    )
    plan, draw = drawn_plan(w, quota=4)
    export = draw_export(user=w.planner, draw=draw)
    result = export["result"]
    assert result["pool_excluded"] == {str(on_leave.pk): "on_leave"}
    # the published pool tells only that the officer is away during the window, not when
    leave_date = (clock.today() + dt.timedelta(days=2)).isoformat()
    assert leave_date not in json.dumps(export)
    window = [plan.window_start.isoformat(), plan.window_end.isoformat()]
    published = next(o for o in export["pool"] if o["id"] == on_leave.pk)
    assert published["leaves"] == [window]
    team_of = {t[1]: set(t[2]) for t in result["tasks"]}
    assert conflicted.pk not in team_of[target.pk]
    assert all(on_leave.pk not in team for team in team_of.values())
    assert draw_verify(user=w.planner, draw=draw) is None


def test_weighted_stratum_round_trip():
    w = make_draw_world(entities=0, officers=3)
    for grade in "ABCDD":
        add_entity(w, risk_grade=grade)
    plan = make_plan(w, uses_risk_ratio=True)
    stratum_add(
        actor=w.planner, plan=plan, key="risk", category=w.public_places, quota=2, weighted=True
    )
    announcement = announce_past(w.planner, plan).announcement
    assert announcement.strata[0]["weighted"] is True
    draw = draw_run(actor=w.planner, plan=plan, values=["314"])
    export = draw_export(user=w.planner, draw=draw)
    assert sorted(export["strata"][0]["weights"]) == [1, 2, 3, 4, 4]
    assert draw_verify(user=w.planner, draw=draw) is None


def test_copy_path_stores_what_the_draw_says(monkeypatch):
    from django.db import connection

    from fazhi.inspections.services import draws as draw_services

    if connection.vendor != "postgresql":
        pytest.skip("COPY is the PostgreSQL path")
    monkeypatch.setattr(draw_services, "COPY_THRESHOLD", 0)
    w = make_draw_world(entities=8, officers=4)
    _plan, draw = drawn_plan(w, quota=6)
    assert InspectionTask.objects.filter(draw=draw).count() == 6
    assert TaskInspector.objects.filter(task__draw=draw).count() == 12
    assert draw_verify(user=w.planner, draw=draw) is None
    # every column the rendered rows carry, row by row, against the draw's own result
    expected = de.unpack_result(bytes(draw.result_blob))["tasks"]
    stored = list(InspectionTask.objects.filter(draw=draw).order_by("number"))
    for n, (task, (key, entity, team)) in enumerate(zip(stored, expected, strict=True), 1):
        assert task.number == f"{draw.plan.year}-{draw.plan_id}-{draw.number}-{n:06d}"
        assert (task.stratum_key, task.entity_id) == (key, entity)
        assert task.category_id == w.public_places.pk
        assert task.organisation_id == draw.plan.organisation_id
        assert task.state == TaskState.ASSIGNED
        members = list(task.task_inspectors.all())
        assert [m.officer_id for m in members if m.role == InspectorRole.LEAD] == team[:1]
        assert sorted(m.officer_id for m in members) == sorted(team)


def test_copy_text_escapes():
    from fazhi.inspections.services.draws import _copy_text

    assert _copy_text(None) == "\\N"
    assert _copy_text(True) == "t"
    assert _copy_text(12) == "12"
    assert _copy_text("a\tb\nc\\d") == "a\\tb\\nc\\\\d"


@pytest.mark.parametrize(
    ("raw", "code"), [("", "public_number_required"), ("3 1 四", "public_number_invalid")]
)
def test_public_number_bad_input_refused(raw, code):
    w = make_draw_world()
    plan = make_plan(w)
    stratum_add(actor=w.planner, plan=plan, key="gg", category=w.public_places, quota=2)
    plan_announce_v1(
        actor=w.planner, plan=plan, entropy_kind="public_number", entropy_spec="福彩3D开奖号码"
    )
    with pytest.raises(errors.ValidationFailed) as exc:
        draw_run(actor=w.planner, plan=plan, public_number=raw)
    assert exc.value.code == code
    assert not InspectionTask.objects.filter(plan=plan).exists()


def test_public_number_full_width_and_separators_give_the_same_seed():
    for raw in ("314", "３,１,４"):
        w = make_draw_world()
        plan = make_plan(w)
        stratum_add(actor=w.planner, plan=plan, key="gg", category=w.public_places, quota=2)
        plan_announce_v1(
            actor=w.planner, plan=plan, entropy_kind="public_number", entropy_spec="福彩3D开奖号码"
        )
        draw = draw_run(actor=w.planner, plan=plan, public_number=raw)
        assert draw.entropy_value == "314"
        assert draw_verify(user=w.planner, draw=draw) is None


def announced_draw(announcement, entropy: str) -> de.DrawOutcome:
    """The draw the announcement's published inputs give for ``entropy``, by the engine alone."""
    lists = de.unpack_lists(bytes(announcement.candidates_blob))
    fixed = de.unpack_context(bytes(announcement.context_blob))
    strata = [
        de.Stratum(
            key=m["key"],
            category=m["category"],
            candidates=lists[m["key"]][0],
            quota=m["quota"],
            ratio_bp=m["ratio_bp"],
            weighted=m["weighted"],
            weights=lists[m["key"]][1],
        )
        for m in announcement.strata
    ]
    params = announcement.params
    inputs = de.DrawInputs(
        plan_id=announcement.plan_id,
        strata=strata,
        pool=announcement.pool,
        plan_date=params["plan_date"],
        window=(params["window"][0], params["window"][1]),
        team_size=params["team_size"],
        entropy=entropy,
    )
    return de.run(inputs, lambda ids: {i: tuple(fixed[str(i)]) for i in ids})


def test_context_edited_after_announcement_cannot_reach_the_draw():
    w = make_draw_world()
    plan = make_plan(w)
    stratum_add(actor=w.planner, plan=plan, key="gg", category=w.public_places, quota=3)
    plan_announce_v1(
        actor=w.planner, plan=plan, entropy_kind="public_number", entropy_spec="福彩3D开奖号码"
    )
    announced = plan.announcements.get()
    assert len(announced.strata[0]["context_hash"]) == 64
    expected = announced_draw(announced, "271")
    drawn = [t[1] for t in expected.result["tasks"]]
    assert len(drawn) == 3
    entity = Entity.objects.get(pk=drawn[1])
    announced_division = entity.division_code
    # a drawn entity's division code edited once the public number is known, and every entity
    # given a new last team by another plan: neither can move the draw
    Entity.objects.filter(pk=entity.pk).update(division_code=entity.division_code[:-1] + "9")
    _other, other_draw = drawn_plan(w, quota=len(w.entities))
    assert not other_draw.infeasible.get("tasks")
    draw = draw_run(actor=w.planner, plan=plan, public_number="271")
    assert draw.result_hash == expected.result_hash
    assert draw.context[str(entity.pk)] == [announced_division, []]
    assert draw_verify(user=w.planner, draw=draw) is None
    # the announced context hash is covered by the announcement hash
    export = draw_export(user=w.planner, draw=draw)
    assert de.verify_export(export) is None
    tampered = copy.deepcopy(export)
    tampered["announcement"]["strata"][0]["context_hash"] = "0" * 64
    assert "announcement hash" in (de.verify_export(tampered) or "")
    # the published context is checked against the announced hash ...
    tampered = copy.deepcopy(export)
    tampered["announcement"]["context"][str(entity.pk)][0] = "110101"
    assert "context hash" in (de.verify_export(tampered) or "")
    # ... and the draw is recomputed from it, not from the result's own copy
    tampered = copy.deepcopy(export)
    tampered["result"]["context"][str(entity.pk)][0] = "110101"
    assert de.verify_export(tampered) is not None
    tampered = copy.deepcopy(export)
    del tampered["announcement"]["context"]
    assert "lacks the announced context" in (de.verify_export(tampered) or "")


def test_announcement_without_fixed_context_reads_it_at_the_draw():
    """Announcements made before the context was fixed carry none: the draw reads it then."""
    w = make_draw_world()
    first, _first_draw = drawn_plan(w, quota=len(w.entities))  # every entity gets a last team
    plan = make_plan(w)
    stratum_add(actor=w.planner, plan=plan, key="gg", category=w.public_places, quota=3)
    plan_announce_v1(actor=w.planner, plan=plan, entropy_kind="server")
    announcement = plan.announcements.get()
    legacy = [{k: v for k, v in m.items() if k != "context_hash"} for m in announcement.strata]
    type(announcement).objects.filter(pk=announcement.pk).update(context_blob=b"", strata=legacy)
    draw = draw_run(actor=w.planner, plan=plan)
    last_teams = {
        t.entity_id: sorted(t.task_inspectors.values_list("officer_id", flat=True))
        for t in InspectionTask.objects.filter(plan=first)
    }
    for entity_id, (division, team) in draw.context.items():
        entity = Entity.objects.get(pk=int(entity_id))
        assert division == entity.division_code
        assert team == last_teams[entity.pk]


def test_last_teams_scan_path_equals_the_id_list_path(monkeypatch):
    from fazhi.inspections import frozen

    w = make_draw_world()
    plan, _draw = drawn_plan(w, quota=4)  # gives some entities a last team
    ids = {e.pk for e in w.entities}
    by_list = frozen.last_teams(ids)
    monkeypatch.setattr(frozen, "_SCAN_ABOVE", 0)
    by_scan = frozen.last_teams(ids)
    assert by_scan == by_list
    assert len(by_list) == 4 and all(len(team) == 2 for team in by_list.values())
    # the teams are the drawn tasks' teams, officer ids ascending
    for task in InspectionTask.objects.filter(plan=plan):
        team = sorted(task.task_inspectors.values_list("officer_id", flat=True))
        assert by_list[task.entity_id] == team
    # and a whole draw through the scan path still verifies
    _plan2, draw2 = drawn_plan(w, quota=3)
    assert draw_verify(user=w.planner, draw=draw2) is None


def test_database_list_hash_equals_the_engine_list_hash():
    from django.db import connection

    from fazhi.inspections import frozen

    if connection.vendor != "postgresql":
        pytest.skip("the database computes the hash on PostgreSQL only")
    w = make_draw_world(entities=0, officers=3)
    for grade in "ABCDD":
        add_entity(w, risk_grade=grade)
    plan = make_plan(w, uses_risk_ratio=True)
    stratum_add(
        actor=w.planner, plan=plan, key="risk", category=w.public_places, quota=2, weighted=True
    )
    stratum_add(actor=w.planner, plan=plan, key="gg", category=w.public_places, quota=2)
    stratum_add(actor=w.planner, plan=plan, key="none", category=category("school"), quota=1)
    inputs = frozen.freeze(plan, with_context=False)
    by_key = {s.key: s for s in inputs.strata}
    assert len(by_key["none"].candidates) == 0
    with connection.cursor() as cursor:
        for stratum in plan.strata.all():
            cursor.execute(*frozen.list_hash_sql(plan, stratum))
            count, digest = cursor.fetchone()
            engine = by_key[stratum.key]
            assert (count, digest) == (len(engine.candidates), engine.hash())


def test_changed_risk_grade_of_a_weighted_stratum_refused():
    w = make_draw_world(entities=0, officers=3)
    entities = [add_entity(w, risk_grade=grade) for grade in "ABCDD"]
    plan = make_plan(w, uses_risk_ratio=True)
    stratum_add(
        actor=w.planner, plan=plan, key="risk", category=w.public_places, quota=2, weighted=True
    )
    plan_announce_v1(actor=w.planner, plan=plan, entropy_kind="server")
    # same ids, one weight changed: the weighted list's hash covers the weights
    Entity.objects.filter(pk=entities[0].pk).update(risk_grade="D")
    with pytest.raises(errors.Conflict) as exc:
        draw_run(actor=w.planner, plan=plan)
    assert exc.value.code == "candidates_changed"
    assert exc.value.details["strata"] == ["risk"]


def test_stored_list_not_matching_its_announced_hash_refused():
    w = make_draw_world()
    plan = make_plan(w)
    stratum_add(actor=w.planner, plan=plan, key="gg", category=w.public_places, quota=3)
    announcement = plan_announce_v1(actor=w.planner, plan=plan, entropy_kind="server")
    lists = de.unpack_lists(bytes(announcement.candidates_blob))
    ids, _weights = lists["gg"]
    # the stored list edited behind the application's back (one id swapped for another)
    forged = de.pack_lists({"gg": ([*ids[:-1], ids[-1] + 1000], None)})
    type(announcement).objects.filter(pk=announcement.pk).update(candidates_blob=forged)
    with pytest.raises(errors.Conflict) as exc:
        draw_run(actor=w.planner, plan=plan)
    assert exc.value.code == "candidates_changed"
    assert not Draw.objects.filter(plan=plan).exists()


def test_changed_context_alone_does_not_allow_a_new_announcement():
    """The draw uses the announced context, so the old announcement stays drawable: announcing
    anew (with a new entropy source) would let the outcome be chosen."""
    w = make_draw_world()
    plan = make_plan(w)
    stratum_add(actor=w.planner, plan=plan, key="gg", category=w.public_places, quota=3)
    plan_announce_v1(
        actor=w.planner, plan=plan, entropy_kind="public_number", entropy_spec="福彩3D开奖号码"
    )
    # every candidate gets a new last team from another plan: the context hash changes
    drawn_plan(w, quota=len(w.entities))
    with pytest.raises(errors.InvalidTransition) as exc:
        plan_announce_v1(actor=w.planner, plan=plan, entropy_kind="server")
    assert exc.value.code == "already_announced"
    assert plan.announcements.count() == 1
    assert draw_run(actor=w.planner, plan=plan, public_number="123").task_count == 3


def test_stored_pool_not_matching_its_announced_hash_refused():
    w = make_draw_world()
    plan = make_plan(w)
    stratum_add(actor=w.planner, plan=plan, key="gg", category=w.public_places, quota=3)
    announcement = plan_announce_v1(actor=w.planner, plan=plan, entropy_kind="server")
    pool = list(announcement.pool)
    pool[0] = {**pool[0], "max_tasks": 0}  # edited behind the application's back
    type(announcement).objects.filter(pk=announcement.pk).update(pool=pool)
    with pytest.raises(errors.Conflict) as exc:
        draw_run(actor=w.planner, plan=plan)
    assert exc.value.code == "pool_changed"
    assert not Draw.objects.filter(plan=plan).exists()
