"""The inspection workflows (``fazhi.inspections.workflows``): the tables themselves, the states
the services now record (announcements, superseded draws, used re-draw requests, cancelled
tasks), each guard's refusal with nothing written, and the announcement-state migration."""

from __future__ import annotations

import datetime as dt
import importlib
import json

import pytest
from django.apps import apps

from fazhi.core import errors, events, workflow
from fazhi.core.models import AuditEvent, User
from fazhi.inspections import events as inspection_events
from fazhi.inspections import workflows
from fazhi.inspections.events import (
    AnnouncementEvents,
    DrawEvents,
    RedrawEvents,
    TaskEvents,
)
from fazhi.inspections.models import (
    AnnouncementState,
    Draw,
    DrawAnnouncement,
    DrawState,
    InspectionPlan,
    InspectionTask,
    PlanState,
    RedrawRequest,
    RedrawState,
    TaskState,
)
from fazhi.inspections.services.draws import draw_run
from fazhi.inspections.services.plans import stratum_add
from fazhi.inspections.services.publicity import task_publish
from fazhi.inspections.services.redraws import redraw_approve, redraw_reject, redraw_request
from fazhi.inspections.services.tasks import task_complete, task_start
from fazhi.inspections.tests import task_support
from fazhi.inspections.tests.draw_support import (
    add_entity,
    after_event,
    announce_future,
    drawn_plan,
    make_draw_world,
    make_plan,
)
from fazhi.inspections.tests.v1_support import plan_announce_v1

pytestmark = pytest.mark.django_db

TABLES = (
    workflows.PLAN,
    workflows.ANNOUNCEMENT,
    workflows.DRAW,
    workflows.REDRAW,
    workflows.TASK,
)


def _chinese(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


def test_tables_are_registered_with_declared_events():
    registered = {w.name for w in workflow.all_workflows()}
    for table in TABLES:
        assert table.name in registered
        assert table.field == "state"
        assert _chinese(table.label)
        for action in table.actions:
            assert events.known(action.event), action.event
            assert _chinese(action.label) and _chinese(action.event.label)
            for guard in action.guards:
                assert _chinese(guard.describe)


def test_old_event_names_keep_a_chinese_label():
    for old in ("inspection.drawn", "inspection.plan_created", "task.complete", "item.list"):
        assert not events.known(old)
        assert _chinese(events.label(old))
    assert events.LEGACY["inspection.drawn"][0] == "inspection_plan.drawn"


def test_events_of_a_redraw_are_all_declared():
    w = make_draw_world()
    plan, _first = drawn_plan(w, quota=4)
    request = redraw_request(actor=w.planner, plan=plan, reason="抽取现场断电，结果未当场公示")
    redraw_approve(actor=w.leader, request=request, note="同意")
    announce_future(w.planner, plan)
    with after_event():
        draw_run(actor=w.planner, plan=plan, values=["271"])
    ours = {str(e).split(".")[0] for enum in inspection_events.ALL for e in enum} | {"inspection"}
    names = {
        name
        for name in AuditEvent.objects.values_list("action", flat=True)
        if name.split(".")[0] in ours
    }
    assert len(names) >= 10 and all(events.known(name) for name in names), sorted(names)


def test_announcement_states_from_publication_to_draw():
    """Version 1's own path: an announcement whose inputs changed replaced by a new one."""
    w = make_draw_world()
    plan = make_plan(w)
    stratum_add(actor=w.planner, plan=plan, key="gg", category=w.public_places, quota=2)
    first = plan_announce_v1(actor=w.planner, plan=plan, entropy_kind="server")
    assert first.state == AnnouncementState.PUBLISHED
    add_entity(w)  # the announced list no longer matches: a new announcement replaces it
    second = plan_announce_v1(actor=w.planner, plan=plan, entropy_kind="server")
    first.refresh_from_db()
    assert (first.state, second.state) == (AnnouncementState.SUPERSEDED, "published")
    superseded = AuditEvent.objects.get(action=AnnouncementEvents.SUPERSEDED)
    assert superseded.object_id == str(first.pk)
    assert superseded.organisation_id == plan.organisation_id
    assert json.loads(superseded.details_json)["to"] == AnnouncementState.SUPERSEDED
    draw = draw_run(actor=w.planner, plan=plan)
    second.refresh_from_db()
    plan.refresh_from_db()
    assert second.state == AnnouncementState.DRAWN and plan.state == PlanState.DRAWN
    assert draw.announcement_id == second.pk and draw.state == DrawState.EFFECTIVE
    used = AuditEvent.objects.get(action=AnnouncementEvents.DRAWN)
    assert json.loads(used.details_json)["draw"] == draw.number


def test_redraw_supersedes_the_draw_and_cancels_its_tasks_in_one_event():
    w = make_draw_world()
    plan, first = drawn_plan(w, quota=4)
    request = redraw_request(actor=w.planner, plan=plan, reason="人员安排冲突")
    assert request.state == RedrawState.PENDING
    redraw_approve(actor=w.leader, request=request, note="同意")
    announcement = announce_future(w.planner, plan).announcement
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAWN  # the effective draw stands until the new one
    with after_event():
        second = draw_run(actor=w.planner, plan=plan, values=["271"])
    first.refresh_from_db()
    request.refresh_from_db()
    announcement.refresh_from_db()
    assert first.state == DrawState.SUPERSEDED and second.state == DrawState.EFFECTIVE
    assert request.state == RedrawState.USED
    assert announcement.state == AnnouncementState.DRAWN
    old_ids = sorted(InspectionTask.objects.filter(draw=first).values_list("pk", flat=True))
    assert len(old_ids) == 4
    assert set(InspectionTask.objects.filter(pk__in=old_ids).values_list("state", flat=True)) == {
        TaskState.CANCELLED
    }
    cancelled = AuditEvent.objects.get(action=TaskEvents.CANCELLED)
    assert (cancelled.object_type, cancelled.object_id) == ("inspections.draw", str(first.pk))
    details = json.loads(cancelled.details_json)
    assert sorted(details["ids"]) == old_ids
    assert (details["from"], details["to"]) == (["assigned"], "cancelled")
    assert AuditEvent.objects.filter(action=DrawEvents.SUPERSEDED).count() == 1
    assert AuditEvent.objects.filter(action=RedrawEvents.USED).count() == 1
    for event in AuditEvent.objects.filter(
        action__in=[DrawEvents.SUPERSEDED, RedrawEvents.USED, TaskEvents.CANCELLED]
    ):
        assert event.organisation_id == plan.organisation_id


def _redraw_refused(plan: InspectionPlan, first: Draw, actor: User, code: str) -> None:
    """The re-draw is refused with ``code`` and nothing but the refusal is written."""
    events_before = AuditEvent.objects.count()
    with pytest.raises(errors.Conflict) as exc, after_event():
        draw_run(actor=actor, plan=plan, values=["271"])
    assert exc.value.code == code
    first.refresh_from_db()
    assert first.state == DrawState.EFFECTIVE
    assert not InspectionTask.objects.filter(draw=first, state=TaskState.CANCELLED).exists()
    assert RedrawRequest.objects.get(plan=plan).state == RedrawState.APPROVED
    pending = DrawAnnouncement.objects.filter(plan=plan).order_by("-number").first()
    assert pending is not None and pending.state == AnnouncementState.PUBLISHED
    # only the refusal itself was recorded, after the rollback
    assert AuditEvent.objects.count() == events_before + 1
    assert AuditEvent.objects.order_by("-seq").first().action == DrawEvents.REFUSED  # type: ignore[union-attr]


def test_redraw_refused_once_a_task_started_and_nothing_written():
    world = task_support.make_task_world()
    plan = task_support.make_drawn_plan(world, entities=3, quota=2)
    first = Draw.objects.get(plan=plan)
    request = redraw_request(actor=world.planner, plan=plan, reason="人员安排冲突")
    redraw_approve(actor=world.leader, request=request)
    announce_future(world.planner, plan)
    task = InspectionTask.objects.filter(draw=first).order_by("pk").first()
    assert task is not None
    lead = task.task_inspectors.get(role="lead").officer.user
    assert lead is not None
    task_start(actor=lead, task=task)
    _redraw_refused(plan, first, world.planner, "tasks_started")


def test_redraw_of_an_announcement_older_than_the_approval_refused():
    w = make_draw_world()
    plan, first = drawn_plan(w, quota=2)
    request = redraw_request(actor=w.planner, plan=plan, reason="人员安排冲突")
    request = redraw_approve(actor=w.leader, request=request)
    announcement = announce_future(w.planner, plan).announcement
    # data written before announcements had states: published before the approval
    assert request.decided_at is not None
    DrawAnnouncement.objects.filter(pk=announcement.pk).update(
        published_at=request.decided_at - dt.timedelta(minutes=1)
    )
    _redraw_refused(plan, first, w.planner, "announcement_predates_redraw")


def test_redraw_decisions_and_their_refusals():
    w = make_draw_world()
    plan, _first = drawn_plan(w, quota=2)
    request = redraw_request(actor=w.planner, plan=plan, reason="人员安排冲突")
    requested = AuditEvent.objects.get(action=RedrawEvents.REQUESTED)
    assert requested.object_id == str(request.pk)
    assert requested.organisation_id == plan.organisation_id
    # the requester may not decide their own request (no role both requests and approves, so
    # the guard is checked on the table itself)
    with pytest.raises(errors.PermissionDenied) as own:
        workflows.REDRAW.check(request, "approve", {"actor": w.planner})
    assert own.value.code == "self_approval"
    rejected = redraw_reject(actor=w.leader, request=request, note="理由不成立")
    assert rejected.state == RedrawState.REJECTED and rejected.decided_by == w.leader
    before = AuditEvent.objects.count()
    for decide in (redraw_approve, redraw_reject):
        with pytest.raises(errors.InvalidTransition) as exc:
            decide(actor=w.leader, request=request, note="再议")
        assert exc.value.code == "redraw_not_pending"
    request.refresh_from_db()
    assert request.state == RedrawState.REJECTED and request.decision_note == "理由不成立"
    assert AuditEvent.objects.count() == before
    event = AuditEvent.objects.get(action=RedrawEvents.REJECTED)
    assert json.loads(event.details_json)["note"] == "理由不成立"


def test_draw_of_a_draft_plan_refused_and_recorded():
    w = make_draw_world()
    plan = make_plan(w)
    with pytest.raises(errors.InvalidTransition) as exc:
        draw_run(actor=w.planner, plan=plan)
    assert exc.value.code == "plan_not_announced"
    refused = AuditEvent.objects.get(action=DrawEvents.REFUSED)
    assert json.loads(refused.details_json)["code"] == "plan_not_announced"
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAFT


def test_announcing_a_drawn_plan_needs_an_approved_redraw():
    w = make_draw_world()
    plan, _first = drawn_plan(w, quota=2)
    before = AuditEvent.objects.count()
    with pytest.raises(errors.InvalidTransition) as exc:
        announce_future(w.planner, plan)
    assert exc.value.code == "redraw_not_approved"
    assert DrawAnnouncement.objects.filter(plan=plan).count() == 1
    assert AuditEvent.objects.count() == before


def test_a_task_that_could_not_be_inspected_is_published_from_its_own_state():
    world = task_support.make_task_world()
    item = task_support.make_item(world)
    plan = task_support.make_plan(world, items=[item])
    task = task_support.make_task(world, plan=plan, entity=task_support.make_entity(world))
    task_complete(actor=world.inspector_a, task=task, outcome="not_inspected", reason="closed")
    published = task_publish(actor=world.planner, task=task)
    assert published.state == TaskState.COULD_NOT_INSPECT and published.published_at
    event = AuditEvent.objects.get(action=TaskEvents.PUBLISHED)
    details = json.loads(event.details_json)
    assert (details["from"], details["to"]) == ("could_not_inspect", "could_not_inspect")
    with pytest.raises(errors.InvalidTransition) as again:
        task_publish(actor=world.planner, task=task)
    assert again.value.code == "already_published"


def test_workflows_offer_only_the_next_steps():
    w = make_draw_world()
    plan = make_plan(w)
    assert [a.name for a in workflows.PLAN.available(plan)] == [
        "update",
        "add_stratum",
        "remove_stratum",
        "import_tasks",
        "add_complaint_task",  # by state; its guard refuses every plan but a complaint list
        "announce",
    ]
    with pytest.raises(errors.InvalidTransition) as refused:
        workflows.PLAN.check(plan, "add_complaint_task")
    assert refused.value.code == "plan_not_complaint"
    assert workflows.first_allowed(workflows.PLAN, plan, workflows.ANNOUNCE_STEPS) == "announce"
    imported = InspectionPlan(state=PlanState.IN_PROGRESS)  # in memory: none announces it
    assert workflows.first_allowed(workflows.PLAN, imported, workflows.ANNOUNCE_STEPS) == "announce"
    with pytest.raises(errors.InvalidTransition) as exc:
        workflows.PLAN.check(imported, "announce")
    assert exc.value.code == "plan_not_announceable"


# --- the migration that gave announcements their state ----------------------------------------


def test_migration_sets_the_state_of_existing_announcements():
    migration = importlib.import_module(
        "fazhi.inspections.migrations.0006_state_fields_and_announcement_state"
    )
    w = make_draw_world()
    drawn, _draw = drawn_plan(w, quota=2)  # one announcement, drawn
    waiting = make_plan(w)
    stratum_add(actor=w.planner, plan=waiting, key="gg", category=w.public_places, quota=2)
    replaced = plan_announce_v1(actor=w.planner, plan=waiting, entropy_kind="server")
    add_entity(w)
    latest = plan_announce_v1(actor=w.planner, plan=waiting, entropy_kind="server")
    never = make_plan(w)  # no announcement at all
    # as the rows were before the migration: no state yet, so the field's default
    DrawAnnouncement.objects.update(state=AnnouncementState.PUBLISHED)
    migration.set_announcement_states(apps, None)
    states = dict(DrawAnnouncement.objects.values_list("pk", "state"))
    assert states == {
        drawn.announcements.get().pk: AnnouncementState.DRAWN,
        replaced.pk: AnnouncementState.SUPERSEDED,
        latest.pk: AnnouncementState.PUBLISHED,
    }
    assert not never.announcements.exists()
