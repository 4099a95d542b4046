"""Re-draws: request with a reason, a leader's approval, a new announcement, both draws kept."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fazhi.core import errors
from fazhi.core.models import AuditEvent, Role
from fazhi.core.tests.factories import make_user
from fazhi.inspections.models import (
    Draw,
    DrawState,
    InspectionTask,
    RedrawState,
    TaskState,
)
from fazhi.inspections.selectors.draws import draw_verify
from fazhi.inspections.services.draws import draw_run
from fazhi.inspections.services.plans import stratum_add
from fazhi.inspections.services.redraws import redraw_approve, redraw_reject, redraw_request
from fazhi.inspections.tests.draw_support import (
    add_inspector,
    after_event,
    announce_future,
    drawn_plan,
    make_draw_world,
    make_plan,
)
from fazhi.inspections.tests.v1_support import plan_announce_v1

pytestmark = pytest.mark.django_db


def test_redraw_flow_keeps_both_draws():
    w = make_draw_world()
    plan, first = drawn_plan(w, quota=4)
    # without approval: neither a new announcement nor a draw
    with pytest.raises(errors.InvalidTransition) as not_approved:
        announce_future(w.planner, plan)
    assert not_approved.value.code == "redraw_not_approved"
    request = redraw_request(actor=w.planner, plan=plan, reason="抽取现场断电，结果未当场公示")
    with pytest.raises(errors.Conflict) as exc:
        redraw_request(actor=w.planner, plan=plan, reason="再次申请")
    assert exc.value.code == "redraw_open"
    with pytest.raises(errors.PermissionDenied):
        redraw_approve(actor=w.planner, request=request)  # no INSPECTION_APPROVE
    other_leader = make_user(w.tree.districts[2], Role.LEADER)
    with pytest.raises(errors.OutOfScope):
        redraw_approve(actor=other_leader, request=request)
    request = redraw_approve(actor=w.leader, request=request, note="同意")
    assert request.state == RedrawState.APPROVED
    # approved, but the old announcement's entropy is spent: a new announcement is required
    with pytest.raises(errors.Conflict) as exc:
        draw_run(actor=w.planner, plan=plan, values=["999"])
    assert exc.value.code == "already_drawn"
    # the re-draw's announcement follows the approval and declares a future event
    announce_future(w.planner, plan)
    with after_event():
        second = draw_run(actor=w.planner, plan=plan, values=["5 5 5"])
    first.refresh_from_db()
    request.refresh_from_db()
    assert (first.state, second.state) == (DrawState.SUPERSEDED, DrawState.EFFECTIVE)
    assert second.number == 2 and second.reason.startswith("抽取现场断电")
    assert second.approved_by == w.leader
    assert request.state == RedrawState.USED
    assert set(InspectionTask.objects.filter(draw=first).values_list("state", flat=True)) == {
        TaskState.CANCELLED
    }
    assert InspectionTask.objects.filter(draw=second, state=TaskState.ASSIGNED).count() == 4
    # both stay verifiable
    assert draw_verify(user=w.planner, draw=first) is None
    assert draw_verify(user=w.planner, draw=second) is None
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    for action in ("inspection_redraw.requested", "inspection_redraw.approved"):
        assert action in actions
    assert actions.count("inspection_plan.drawn") == 2


def test_rejected_redraw_needs_note_and_blocks_draw():
    w = make_draw_world()
    plan, _first = drawn_plan(w, quota=2)
    request = redraw_request(actor=w.planner, plan=plan, reason="想换一批对象")
    with pytest.raises(errors.ValidationFailed) as exc:
        redraw_reject(actor=w.leader, request=request, note="  ")
    assert exc.value.code == "note_required"
    redraw_reject(actor=w.leader, request=request, note="理由不成立")
    with pytest.raises(errors.InvalidTransition):
        redraw_approve(actor=w.leader, request=request)
    with pytest.raises(errors.InvalidTransition):
        announce_future(w.planner, plan)
    assert Draw.objects.filter(plan=plan).count() == 1


def test_redraw_request_guards():
    w = make_draw_world()
    plan = make_plan(w)
    with pytest.raises(errors.ValidationFailed) as no_reason:
        redraw_request(actor=w.planner, plan=plan, reason="  ")
    assert no_reason.value.code == "reason_required"
    with pytest.raises(errors.InvalidTransition) as exc:
        redraw_request(actor=w.planner, plan=plan, reason="没有抽取也申请")
    assert exc.value.code == "no_effective_draw"
    with pytest.raises(errors.PermissionDenied):
        redraw_request(actor=w.viewer, plan=plan, reason="只读用户")


def test_announce_guards():
    w = make_draw_world()
    plan = make_plan(w)
    with pytest.raises(errors.ValidationFailed) as exc:
        plan_announce_v1(actor=w.planner, plan=plan, entropy_kind="server")
    assert exc.value.code == "no_strata"
    cases: list[tuple[dict[str, Any], str]] = [
        ({"entropy_kind": "dice"}, "bad_entropy_kind"),
        ({"entropy_kind": "public_number", "entropy_spec": "x"}, "entropy_spec_required"),
        ({"entropy_kind": "witnesses"}, "witnesses_required"),
        ({"entropy_kind": "witnesses", "witnesses": [("甲", "abc")]}, "bad_commitment"),
        ({"entropy_kind": "witnesses", "witnesses": [("", "a" * 64)]}, "witness_name_required"),
        (
            {"entropy_kind": "witnesses", "witnesses": [("甲", "a" * 64), ("乙", "A" * 64)]},
            "duplicate_commitment",
        ),
    ]
    for kwargs, code in cases:
        with pytest.raises(errors.ValidationFailed) as exc:
            plan_announce_v1(actor=w.planner, plan=plan, **kwargs)
        assert exc.value.code == code
    with pytest.raises(errors.PermissionDenied):
        plan_announce_v1(actor=w.viewer, plan=plan, entropy_kind="server")


def test_pool_change_after_announcement_refused():
    w = make_draw_world()
    plan = make_plan(w)
    stratum_add(actor=w.planner, plan=plan, key="gg", category=w.public_places, quota=2)
    plan_announce_v1(actor=w.planner, plan=plan, entropy_kind="server")
    add_inspector(w)
    with pytest.raises(errors.Conflict) as exc:
        draw_run(actor=w.planner, plan=plan)
    assert exc.value.code == "pool_changed"
    assert AuditEvent.objects.filter(action="inspection_draw.refused").count() == 1


def test_announce_again_refused_unless_the_inputs_changed():
    w = make_draw_world()
    plan = make_plan(w)
    stratum_add(actor=w.planner, plan=plan, key="gg", category=w.public_places, quota=2)
    plan_announce_v1(actor=w.planner, plan=plan, entropy_kind="server")
    with pytest.raises(errors.InvalidTransition) as exc:
        plan_announce_v1(actor=w.planner, plan=plan, entropy_kind="server")
    assert exc.value.code == "already_announced"
    assert plan.announcements.count() == 1
    # after an approved re-draw: one new announcement, not a series of them
    draw_run(actor=w.planner, plan=plan)
    request = redraw_request(actor=w.planner, plan=plan, reason="人员安排冲突")
    redraw_approve(actor=w.leader, request=request)
    plan_announce_v1(actor=w.planner, plan=plan, entropy_kind="server")
    with pytest.raises(errors.InvalidTransition) as again:
        plan_announce_v1(actor=w.planner, plan=plan, entropy_kind="server")
    assert again.value.code == "already_announced"
    assert plan.announcements.count() == 2
    assert draw_run(actor=w.planner, plan=plan).number == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks")
def test_redraw_locks_the_old_tasks_before_checking_them():
    w = make_draw_world()
    plan, _first = drawn_plan(w, quota=2)
    request = redraw_request(actor=w.planner, plan=plan, reason="人员安排冲突")
    redraw_approve(actor=w.leader, request=request)
    announce_future(w.planner, plan)
    table = InspectionTask._meta.db_table
    with CaptureQueriesContext(connection) as ctx, after_event():
        draw_run(actor=w.planner, plan=plan, values=["271"])
    assert any(
        "FOR UPDATE" in q["sql"] and f'FROM "{table}"' in q["sql"] for q in ctx.captured_queries
    )
