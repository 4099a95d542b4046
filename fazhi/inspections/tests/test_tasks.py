"""Tasks and results (掌上执法): start, findings, photos, outcomes, re-check, publication."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType

from fazhi.core import clock, errors
from fazhi.core.models import Attachment, AuditEvent, Deadline, Role
from fazhi.core.models.deadlines import DeadlineState
from fazhi.core.periods import FIXED_RULE
from fazhi.core.services import calendar as calendar_services
from fazhi.core.tests.factories import make_officer, make_user
from fazhi.core.tests.images import image_bytes
from fazhi.core.tests.jobs_support import job_from
from fazhi.enforcement.models import CaseLead, CaseLeadState
from fazhi.inspections.models import (
    InspectionTask,
    TaskFinding,
    TaskOutcome,
    TaskPhoto,
    TaskState,
)
from fazhi.inspections.selectors import tasks as task_selectors
from fazhi.inspections.services import publicity as publicity_services
from fazhi.inspections.services import tasks as task_services
from fazhi.inspections.tests.task_support import (
    make_entity,
    make_item,
    make_plan,
    make_task,
    make_task_world,
)

pytestmark = pytest.mark.django_db
JPEG = image_bytes("JPEG")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def world():
    return make_task_world()


@pytest.fixture
def setup(world):
    items = [make_item(world), make_item(world)]
    plan = make_plan(world, items=items)
    entity = make_entity(world, name="某某宾馆")
    task = make_task(world, plan=plan, entity=entity)
    return world, items, plan, task


def _record_all(world, task, items, results=("pass", "pass")):
    for item, result in zip(items, results, strict=True):
        task_services.task_record_finding(
            actor=world.inspector_a,
            task=task,
            item=item,
            result=result,
            note="问题" * (result == "fail"),
        )


def _started(world, task):
    return task_services.task_start(actor=world.inspector_a, task=task)


def _deadlines(task, rule_key):
    ct = ContentType.objects.get_for_model(InspectionTask)
    return Deadline.objects.filter(content_type=ct, object_id=str(task.pk), rule_key=rule_key)


# --- start and assignment -------------------------------------------------------------------


def test_start_by_assigned_inspector(setup):
    world, _, _, task = setup
    task = _started(world, task)
    assert task.state == TaskState.IN_PROGRESS
    assert AuditEvent.objects.filter(action="inspection_task.started").count() == 1
    with pytest.raises(errors.InvalidTransition):
        task_services.task_start(actor=world.inspector_b, task=task)


def test_not_assigned_is_refused(setup):
    world, items, _, task = setup
    for attempt in (
        lambda: task_services.task_start(actor=world.outsider, task=task),
        lambda: task_services.task_record_finding(
            actor=world.outsider, task=task, item=items[0], result="pass"
        ),
        lambda: task_services.task_complete(
            actor=world.outsider, task=task, outcome="not_inspected", reason="closed"
        ),
    ):
        with pytest.raises(errors.PermissionDenied) as exc:
            attempt()
        assert exc.value.code == "not_assigned"
    # a leader lacks the capability to record results at all
    with pytest.raises(errors.PermissionDenied) as exc2:
        task_services.task_start(actor=world.leader, task=task)
    assert exc2.value.code == "permission_denied"
    task.refresh_from_db()
    assert task.state == TaskState.ASSIGNED


# --- findings -------------------------------------------------------------------------------


def test_record_finding(setup):
    world, items, _, task = setup
    with pytest.raises(errors.InvalidTransition) as exc:
        task_services.task_record_finding(
            actor=world.inspector_a, task=task, item=items[0], result="pass"
        )
    assert exc.value.code == "task_not_in_progress"
    _started(world, task)
    finding = task_services.task_record_finding(
        actor=world.inspector_b, task=task, item=items[0], result="pass"
    )
    again = task_services.task_record_finding(
        actor=world.inspector_a, task=task, item=items[0], result="fail", note="无健康合格证明"
    )
    assert again.pk == finding.pk and again.result == "fail"
    event = AuditEvent.objects.filter(action="inspection_task.finding_recorded").last()
    assert event is not None
    assert '"previous":"pass"' in event.details_json


@pytest.mark.parametrize(
    ("result", "note", "code"),
    [("maybe", "", "bad_result"), ("fail", "  ", "note_required")],
)
def test_record_finding_bad_input(setup, result, note, code):
    world, items, _, task = setup
    _started(world, task)
    with pytest.raises(errors.ValidationFailed) as exc:
        task_services.task_record_finding(
            actor=world.inspector_a, task=task, item=items[0], result=result, note=note
        )
    assert exc.value.code == code
    assert not TaskFinding.objects.exists()


def test_item_outside_task_refused(setup):
    world, _, _, task = setup
    _started(world, task)
    stray = make_item(world, cat="drinking_water")
    with pytest.raises(errors.ValidationFailed) as exc:
        task_services.task_record_finding(
            actor=world.inspector_a, task=task, item=stray, result="pass"
        )
    assert exc.value.code == "item_not_in_task"


def test_items_fall_back_to_category_when_plan_lists_none(world):
    a = make_item(world)
    make_item(world, cat="drinking_water")
    plan = make_plan(world, items=[])
    task = make_task(world, plan=plan, entity=make_entity(world))
    assert task_services.task_items(task) == [a]


# --- photos ---------------------------------------------------------------------------------


def test_attach_photo(setup):
    world, _, _, task = setup
    with pytest.raises(errors.InvalidTransition):
        task_services.task_attach_photo(
            actor=world.inspector_a, task=task, file=io.BytesIO(JPEG), filename="a.jpg"
        )
    _started(world, task)
    with pytest.raises(errors.ValidationFailed) as exc:
        task_services.task_attach_photo(
            actor=world.inspector_a, task=task, file=io.BytesIO(b"%PDF-1.4 xx"), filename="a.jpg"
        )
    assert exc.value.code == "not_an_image"
    assert not Attachment.objects.exists()
    photo = task_services.task_attach_photo(
        actor=world.inspector_a,
        task=task,
        file=io.BytesIO(JPEG),
        filename="现场.jpg",
        content_type="image/jpeg",
        caption="前台",
    )
    assert photo.attachment.size == len(JPEG)
    assert AuditEvent.objects.filter(action="attachment.stored").exists()
    event = AuditEvent.objects.get(action="inspection_task.photo_attached")
    assert photo.attachment.sha256 in event.details_json
    # linked to its task through the one attachment-link table, in the task's transaction
    from fazhi.core.selectors.attachments import attachments_for

    linked = list(attachments_for(user=world.leader, subject=task))
    assert [link.attachment_id for link in linked] == [photo.attachment_id]
    assert linked[0].kind == "photo"
    with pytest.raises(errors.PermissionDenied):
        task_services.task_attach_photo(
            actor=world.outsider, task=task, file=io.BytesIO(JPEG), filename="b.jpg"
        )
    assert TaskPhoto.objects.count() == 1


# --- completion -----------------------------------------------------------------------------


def test_complete_no_problem_opens_publicity_deadline(setup, django_capture_on_commit_callbacks):
    world, items, _, task = setup
    _started(world, task)
    _record_all(world, task, items)
    with django_capture_on_commit_callbacks(execute=True):
        task = task_services.task_complete(actor=world.inspector_a, task=task, outcome="no_problem")
    assert task.state == TaskState.DONE and task.completed_at is not None
    deadline = _deadlines(task, "inspection.result_publicity").get()
    assert deadline.start_date == clock.today()
    assert deadline.organisation == world.org
    event = AuditEvent.objects.get(action="inspection_task.completed")
    assert '"pass":2' in event.details_json
    with pytest.raises(errors.InvalidTransition):
        task_services.task_complete(actor=world.inspector_a, task=task, outcome="no_problem")


def test_complete_guards(setup):
    world, items, _, task = setup
    with pytest.raises(errors.InvalidTransition):  # not started
        task_services.task_complete(actor=world.inspector_a, task=task, outcome="no_problem")
    _started(world, task)
    task_services.task_record_finding(
        actor=world.inspector_a, task=task, item=items[0], result="fail", note="无证"
    )
    with pytest.raises(errors.ValidationFailed) as exc:
        task_services.task_complete(actor=world.inspector_a, task=task, outcome="no_problem")
    assert exc.value.code == "findings_incomplete"
    task_services.task_record_finding(
        actor=world.inspector_a, task=task, item=items[1], result="not_applicable"
    )
    cases: list[tuple[dict[str, Any], str]] = [
        ({"outcome": "no_problem"}, "findings_contradict_outcome"),
        ({"outcome": "bogus"}, "bad_outcome"),
        ({"outcome": "ordered_to_correct"}, "recheck_date_required"),
        (
            {"outcome": "ordered_to_correct", "recheck_date": clock.today()},
            "recheck_date_not_future",
        ),
        ({"outcome": "no_problem", "recheck_date": clock.today()}, "recheck_not_allowed"),
        ({"outcome": "referred", "facts": " "}, "facts_required"),
        ({"outcome": "not_inspected"}, "reason_required"),
        ({"outcome": "not_inspected", "reason": "other"}, "notes_required"),
        ({"outcome": "no_problem", "reason": "closed"}, "reason_not_allowed"),
    ]
    for values, code in cases:
        with pytest.raises(errors.ValidationFailed) as exc:
            task_services.task_complete(actor=world.inspector_a, task=task, **values)
        assert exc.value.code == code, values
    task.refresh_from_db()
    assert task.state == TaskState.IN_PROGRESS and not task.outcome
    assert not CaseLead.objects.exists()


def test_ordered_to_correct_needs_a_failed_item(setup):
    world, items, _, task = setup
    _started(world, task)
    _record_all(world, task, items)
    with pytest.raises(errors.ValidationFailed) as exc:
        task_services.task_complete(
            actor=world.inspector_a,
            task=task,
            outcome="ordered_to_correct",
            recheck_date=clock.today() + dt.timedelta(days=15),
        )
    assert exc.value.code == "no_failed_finding"


def test_referral_creates_case_lead(setup, django_capture_on_commit_callbacks):
    world, items, _, task = setup
    _started(world, task)
    _record_all(world, task, items, ("fail", "pass"))
    with django_capture_on_commit_callbacks(execute=True):
        task = task_services.task_complete(
            actor=world.inspector_b,
            task=task,
            outcome="referred",
            facts="未取得公共场所卫生许可证擅自营业",
        )
    lead = CaseLead.objects.get()
    assert lead.state == CaseLeadState.NEW
    assert lead.entity == task.entity and lead.source_task == task
    assert lead.created_by == world.inspector_b and lead.organisation == world.org
    assert AuditEvent.objects.filter(action="case_lead.created", object_id=str(lead.pk)).exists()


def test_could_not_inspect_from_assigned(setup, django_capture_on_commit_callbacks):
    world, _, _, task = setup
    with django_capture_on_commit_callbacks(execute=True):
        task = task_services.task_complete(
            actor=world.inspector_a, task=task, outcome="not_inspected", reason="not_found"
        )
    assert task.state == TaskState.COULD_NOT_INSPECT
    assert task.outcome == TaskOutcome.NOT_INSPECTED and task.outcome_reason == "not_found"
    assert _deadlines(task, "inspection.result_publicity").exists()


# --- re-check -------------------------------------------------------------------------------


def _ordered(world, task, items):
    _started(world, task)
    _record_all(world, task, items, ("fail", "pass"))
    return task_services.task_complete(
        actor=world.inspector_a,
        task=task,
        outcome="ordered_to_correct",
        recheck_date=clock.today() + dt.timedelta(days=10),
    )


def test_recheck(setup):
    world, items, _, task = setup
    with pytest.raises(errors.InvalidTransition) as exc:
        task_services.task_recheck(
            actor=world.inspector_a, task=task, on=clock.today(), passed=True
        )
    assert exc.value.code == "no_recheck_due"
    task = _ordered(world, task, items)
    with pytest.raises(errors.ValidationFailed):
        task_services.task_recheck(
            actor=world.inspector_a, task=task, on=clock.today() + dt.timedelta(days=1), passed=True
        )
    with pytest.raises(errors.ValidationFailed):
        task_services.task_recheck(
            actor=world.inspector_a, task=task, on=clock.today(), passed=False
        )
    with pytest.raises(errors.PermissionDenied):
        task_services.task_recheck(actor=world.outsider, task=task, on=clock.today(), passed=True)
    recheck = _deadlines(task, FIXED_RULE).get()
    assert recheck.due_date == clock.today() + dt.timedelta(days=10)
    assert recheck.state == DeadlineState.OPEN and recheck.assignee == world.inspector_a
    task = task_services.task_recheck(
        actor=world.inspector_a, task=task, on=clock.today(), passed=True
    )
    assert task.recheck_passed is True and task.rechecked_on == clock.today()
    recheck.refresh_from_db()
    assert recheck.state == DeadlineState.MET and recheck.met_on == clock.today()
    with pytest.raises(errors.InvalidTransition):
        task_services.task_recheck(
            actor=world.inspector_a, task=task, on=clock.today(), passed=True
        )


def test_failed_recheck_referred(setup):
    world, items, _, task = setup
    task = _ordered(world, task, items)
    task_services.task_recheck(
        actor=world.inspector_a,
        task=task,
        on=clock.today(),
        passed=False,
        notes="逾期未整改",
        facts="责令整改逾期未改正",
    )
    lead = CaseLead.objects.get()
    assert lead.source_task_id == task.pk and "逾期" in lead.facts


# --- publication ----------------------------------------------------------------------------


def test_publish(setup, django_capture_on_commit_callbacks):
    world, items, _plan, task = setup
    if clock.today().year not in calendar_services.package_years():
        pytest.skip("the chinesecalendar package does not know this year")
    calendar_services.calendar_seed_from_package(actor=None, years=[clock.today().year])
    with pytest.raises(errors.InvalidTransition) as exc:
        publicity_services.task_publish(actor=world.planner, task=task)
    assert exc.value.code == "task_not_finished"
    _started(world, task)
    _record_all(world, task, items)
    with django_capture_on_commit_callbacks(execute=True):
        task_services.task_complete(actor=world.inspector_a, task=task, outcome="no_problem")
    with pytest.raises(errors.OutOfScope):
        publicity_services.task_publish(actor=world.stranger, task=task)
    with django_capture_on_commit_callbacks(execute=True):
        task = publicity_services.task_publish(actor=world.planner, task=task)
    assert task.published_at is not None
    deadline = _deadlines(task, "inspection.result_publicity").get()
    assert deadline.met_on == clock.today()
    with pytest.raises(errors.InvalidTransition):
        publicity_services.task_publish(actor=world.planner, task=task)


def test_plan_publish_results(setup):
    world, _items, plan, task = setup
    other = make_task(world, plan=plan, entity=make_entity(world))
    task_services.task_complete(
        actor=world.inspector_a, task=task, outcome="not_inspected", reason="closed"
    )
    assert publicity_services.plan_publish_results(actor=world.planner, plan=plan) == 1
    assert publicity_services.plan_publish_results(actor=world.planner, plan=plan) == 0
    other.refresh_from_db()
    assert other.published_at is None


# --- selectors ------------------------------------------------------------------------------


def test_selectors_scope_and_queries(setup, django_assert_max_num_queries):
    world, _items, plan, task = setup
    for _ in range(4):
        make_task(world, plan=plan, entity=make_entity(world))
    their_plan_world = world
    theirs = make_task(
        their_plan_world,
        plan=plan,
        entity=make_entity(world),
        inspectors=(make_officer(world.org), make_officer(world.org)),
    )
    with django_assert_max_num_queries(3):
        rows = list(task_selectors.task_list(user=world.planner))
        for t in rows:
            assert t.entity.name and t.plan.title
            assert len(t.task_inspectors.all()) == 2
            assert [ti.officer.name for ti in t.task_inspectors.all()]
    assert len(rows) == 6
    mine = list(task_selectors.my_tasks(user=world.inspector_a))
    assert theirs not in mine and task in mine
    assert list(task_selectors.task_list(user=world.stranger)) == []
    with pytest.raises(errors.OutOfScope):
        task_selectors.task_get(user=world.stranger, pk=task.pk)
    with pytest.raises(errors.PermissionDenied):
        task_selectors.my_tasks(user=world.leader)


def test_assigned_inspector_of_another_organisation(setup, django_capture_on_commit_callbacks):
    world, _, plan, _ = setup
    guest_user = make_user(world.other_org, Role.SUPERVISOR)
    guest = make_officer(world.other_org, user=guest_user)
    task = make_task(
        world, plan=plan, entity=make_entity(world), inspectors=(guest, world.officer_a)
    )
    assert task_selectors.task_get(user=guest_user, pk=task.pk) == task
    assert list(task_selectors.my_tasks(user=guest_user)) == [task]
    # the guest records the result; the publicity deadline opens in the same transaction, on
    # the plan organisation's workbench, assigned to the plan's author
    task_services.task_complete(
        actor=guest_user, task=task, outcome="not_inspected", reason="not_found"
    )
    event = AuditEvent.objects.filter(action="deadline.opened").last()
    assert event is not None and event.actor_id == guest_user.pk
    deadline = _deadlines(task, "inspection.result_publicity").get()
    assert deadline.organisation_id == task.organisation_id
    assert deadline.assignee_id == plan.created_by_id


def test_completion_and_its_deadline_commit_together(setup, monkeypatch):
    """A deadline that cannot be opened (here: an unknown rule) refuses the whole completion."""
    world, items, _, task = setup
    _started(world, task)
    _record_all(world, task, items, ("pass", "pass"))
    monkeypatch.setattr(task_services, "PUBLICITY_RULE", "inspection.no_such_rule")
    with pytest.raises(errors.UnknownRule):
        task_services.task_complete(actor=world.inspector_a, task=task, outcome="no_problem")
    task.refresh_from_db()
    assert task.state == "in_progress" and task.outcome == ""
    assert not _deadlines(task, "inspection.no_such_rule").exists()
    assert not AuditEvent.objects.filter(action="inspection_task.completed").exists()


def test_entity_history(setup):
    world, items, _plan, task = setup
    other_plan = make_plan(world, items=items)
    second = make_task(world, plan=other_plan, entity=task.entity)
    history = list(task_selectors.entity_inspection_history(user=world.planner, entity=task.entity))
    assert set(history) == {task, second}
    assert (
        list(task_selectors.entity_inspection_history(user=world.stranger, entity=task.entity))
        == []
    )


# --- pages and API --------------------------------------------------------------------------


def test_phone_pages(client, setup):
    world, items, _, task = setup
    client.force_login(world.inspector_a)
    page = client.get("/inspections/tasks/mine/")
    assert page.status_code == 200 and "某某宾馆" in page.content.decode()
    assert client.post(f"/inspections/tasks/{task.pk}/start/").status_code == 302
    page = client.get(f"/inspections/tasks/{task.pk}/")
    assert "保存本项" in page.content.decode()
    response = client.post(
        f"/inspections/tasks/{task.pk}/findings/{items[0].pk}/",
        {"result": "fail", "note": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "不合格时须写明" in response.content.decode()
    response = client.post(
        f"/inspections/tasks/{task.pk}/findings/{items[0].pk}/",
        {"result": "pass", "note": ""},
        HTTP_HX_REQUEST="true",
    )
    assert "已保存" in response.content.decode()
    client.post(f"/inspections/tasks/{task.pk}/findings/{items[1].pk}/", {"result": "pass"})
    upload = io.BytesIO(JPEG)
    upload.name = "site.jpg"
    client.post(f"/inspections/tasks/{task.pk}/photos/", {"photo": upload, "caption": "门口"})
    photo = TaskPhoto.objects.get(task=task)
    assert client.get(f"/inspections/tasks/{task.pk}/photos/{photo.pk}/").status_code == 200
    client.post(f"/inspections/tasks/{task.pk}/complete/", {"outcome": "no_problem"})
    task.refresh_from_db()
    assert task.state == TaskState.DONE


def test_page_not_assigned_is_audited(client, setup):
    world, _, _, task = setup
    client.force_login(world.outsider)
    response = client.post(f"/inspections/tasks/{task.pk}/start/")
    assert response.status_code == 403
    denial = AuditEvent.objects.get(action="access.denied")
    assert '"reason":"not_assigned"' in denial.details_json
    assert denial.actor_id == world.outsider.pk
    client.force_login(world.stranger)
    assert client.get(f"/inspections/tasks/{task.pk}/").status_code == 404


def test_api_flow(client, setup):
    world, items, _, task = setup
    client.force_login(world.inspector_a)
    assert client.get("/api/inspections/tasks/?mine=1").json()["count"] == 1
    base = f"/api/inspections/tasks/{task.pk}"
    assert client.post(f"{base}/start/").status_code == 200
    for item in items:
        response = client.post(
            f"{base}/findings/",
            {"item": item.pk, "result": "fail", "note": "问题"},
            content_type="application/json",
        )
        assert response.status_code == 200
    response = client.post(
        f"{base}/complete/",
        {"outcome": "referred", "facts": "无证经营"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["outcome"] == "referred" and len(body["findings"]) == 2
    assert CaseLead.objects.filter(source_task=task).exists()


def test_api_not_assigned_and_scope(client, setup):
    world, _items, _, task = setup
    client.force_login(world.outsider)
    response = client.post(f"/api/inspections/tasks/{task.pk}/start/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_assigned"
    assert AuditEvent.objects.filter(action="access.denied").count() == 1
    client.force_login(world.stranger)
    assert client.get(f"/api/inspections/tasks/{task.pk}/").status_code == 404
    assert client.post(f"/api/inspections/tasks/{task.pk}/start/").status_code == 404
    assert client.get("/api/inspections/tasks/").json()["count"] == 0
    task.refresh_from_db()
    assert task.state == TaskState.ASSIGNED


def test_entity_page_shows_inspection_history(client, setup):
    world, _, _, task = setup
    client.force_login(world.planner)
    page = client.get(f"/registry/{task.entity_id}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "抽查检查记录" in body and task.number in body


def test_api_photo_recheck_publish(client, setup):
    world, items, _, task = setup
    client.force_login(world.inspector_a)
    base = f"/api/inspections/tasks/{task.pk}"
    client.post(f"{base}/start/")
    upload = io.BytesIO(JPEG)
    upload.name = "site.jpg"
    photo = client.post(f"{base}/photos/", {"photo": upload, "caption": "门口"})
    assert photo.status_code == 201, photo.content
    assert len(photo.json()["sha256"]) == 64
    for item, result in zip(items, ("fail", "pass"), strict=True):
        client.post(
            f"{base}/findings/",
            {"item": item.pk, "result": result, "note": "问题"},
            content_type="application/json",
        )
    recheck_date = (clock.today() + dt.timedelta(days=10)).isoformat()
    done = client.post(
        f"{base}/complete/",
        {"outcome": "ordered_to_correct", "recheck_date": recheck_date},
        content_type="application/json",
    )
    assert done.status_code == 200, done.content
    rechecked = client.post(
        f"{base}/recheck/",
        {"on": clock.today().isoformat(), "passed": True},
        content_type="application/json",
    )
    assert rechecked.status_code == 200 and rechecked.json()["recheck_passed"] is True
    assert len(client.get(f"{base}/").json()["photos"]) == 1
    client.force_login(world.planner)
    published = client.post(f"{base}/publish/")
    assert published.status_code == 200 and published.json()["published_at"]
    assert client.post(f"{base}/publish/").json()["error"]["code"] == "already_published"


def test_publish_a_plan_from_page_and_api(client, setup, run_jobs):
    world, _, plan, task = setup
    task_services.task_complete(
        actor=world.inspector_a, task=task, outcome="not_inspected", reason="closed"
    )
    client.force_login(world.stranger)
    assert client.post(f"/api/inspections/tasks/publish-plan/{plan.pk}/").status_code == 404
    client.force_login(world.planner)
    page = client.get(f"/inspections/tasks/?plan={plan.pk}")
    assert "公示本计划全部已完成任务的结果" in page.content.decode()
    with run_jobs():
        response = client.post(f"/inspections/tasks/publish-plan/{plan.pk}/")
    job = job_from(response)
    task.refresh_from_db()
    assert task.published_at is not None
    job.refresh_from_db()
    assert (job.state, job.done, job.result_summary) == ("succeeded", 1, "已公示1项检查结果。")
    with run_jobs():
        response = client.post(f"/api/inspections/tasks/publish-plan/{plan.pk}/")
    assert response.status_code == 202
    again = client.get(f"/api/jobs/{response.json()['id']}/").json()
    assert again["state"] == "succeeded" and again["result"]["summary"] == "已公示0项检查结果。"


def test_last_finished_task_meets_the_plan_window_deadline(setup):
    from django.db import transaction

    from fazhi.inspections.services.plans import plan_window_deadline_ensure

    world, items, plan, task = setup
    other = make_task(world, plan=plan, entity=make_entity(world))
    with transaction.atomic():
        plan_window_deadline_ensure(actor=world.planner, plan=plan)
        plan_window_deadline_ensure(actor=world.planner, plan=plan)  # opened once only
    window = Deadline.objects.get(object_id=str(plan.pk), rule_key=FIXED_RULE)
    _started(world, task)
    _record_all(world, task, items, ("pass", "pass"))
    task_services.task_complete(actor=world.inspector_a, task=task, outcome="no_problem")
    window.refresh_from_db()
    assert window.met_on is None  # another task is still open
    task_services.task_complete(
        actor=world.inspector_a, task=other, outcome="not_inspected", reason="closed"
    )
    window.refresh_from_db()
    assert window.met_on == clock.today()
    assert window.state in (DeadlineState.MET, DeadlineState.LATE)


def test_migration_links_photos_stored_before_the_link_table(setup):
    import importlib

    from django.apps import apps

    from fazhi.core.models import AttachmentLink

    world, _, _, task = setup
    _started(world, task)
    photo = task_services.task_attach_photo(
        actor=world.inspector_a, task=task, file=io.BytesIO(JPEG), filename="a.jpg"
    )
    AttachmentLink.objects.all().delete()  # as the rows were before the link table
    migration = importlib.import_module("fazhi.inspections.migrations.0007_task_photos_linked")
    migration.link(apps, None)
    migration.link(apps, None)  # idempotent
    link = AttachmentLink.objects.get()
    assert (link.attachment_id, link.object_id, link.kind) == (
        photo.attachment_id,
        str(task.pk),
        "photo",
    )
