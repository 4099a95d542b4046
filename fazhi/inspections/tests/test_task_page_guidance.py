"""The phone task page guides the inspector: nothing to submit before 开始检查, closing a task
(未检查) and starting before the plan's window both ask for confirmation, and an error keeps what
the user chose (a 不合格 without its note, the outcome and its fields)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from fazhi.core import clock as project_clock
from fazhi.core import testing
from fazhi.inspections.models import InspectionTask, TaskFinding, TaskState
from fazhi.inspections.services import tasks as task_services
from fazhi.inspections.tests.task_support import (
    make_entity,
    make_item,
    make_plan,
    make_task,
    make_task_world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    world = make_task_world()
    item = make_item(world)
    plan = make_plan(world, items=[item])
    task = make_task(world, plan=plan, entity=make_entity(world))
    client = Client()
    client.force_login(world.inspector_a)
    return world, item, task, client


def _url(task: InspectionTask, suffix: str = "") -> str:
    return f"/inspections/tasks/{task.pk}/{suffix}"


def _state(task: InspectionTask) -> str:
    return InspectionTask.objects.get(pk=task.pk).state


def test_before_start_the_page_offers_start_and_closing_but_no_result_form(setup):
    _world, _item, task, client = setup
    body = client.get(_url(task)).content.decode()
    assert 'id="start-button"' in body
    assert 'id="complete-form"' not in body
    assert ">提交检查结果<" not in body
    assert "关闭任务（未检查）" in body
    # a result posted anyway is refused by the workflow and nothing changes
    response = client.post(_url(task, "complete/"), {"outcome": "no_problem"})
    assert response.status_code == 400
    assert _state(task) == TaskState.ASSIGNED
    assert 'id="start-button"' in response.content.decode()


def test_closing_a_task_asks_for_confirmation_first(setup):
    _world, _item, task, client = setup
    response = client.post(
        _url(task, "complete/"), {"outcome": "not_inspected", "reason": "closed", "notes": "已搬迁"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="confirm-close"' in body
    assert "已关闭/停业" in body
    assert 'name="notes" value="已搬迁"' in body
    assert _state(task) == TaskState.ASSIGNED  # not yet
    response = client.post(
        _url(task, "complete/"),
        {"outcome": "not_inspected", "reason": "closed", "notes": "已搬迁", "confirmed": "1"},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.state == TaskState.COULD_NOT_INSPECT
    assert task.outcome_reason == "closed"
    assert task.notes == "已搬迁"


def test_closing_with_other_and_no_note_keeps_the_choice(setup):
    _world, _item, task, client = setup
    response = client.post(
        _url(task, "complete/"), {"outcome": "not_inspected", "reason": "other", "confirmed": "1"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "原因为“其他”时须在备注中说明" in body
    assert '<option value="other" selected>' in body
    assert "<details" in body and 'id="close-task" open' in body
    assert _state(task) == TaskState.ASSIGNED


def test_starting_before_the_plans_window_asks_for_confirmation(setup, clock):
    _world, _item, task, client = setup
    window_start = task.plan.window_start
    clock.move_to(testing.at(window_start - dt.timedelta(days=3)))
    response = client.post(_url(task, "start/"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="confirm-start"' in body
    assert f"{window_start.year}年{window_start.month}月{window_start.day}日起实施" in body
    assert _state(task) == TaskState.ASSIGNED
    response = client.post(_url(task, "start/"), {"early": "1"})
    assert response.status_code == 302
    assert _state(task) == TaskState.IN_PROGRESS


def test_starting_inside_the_window_needs_no_confirmation(setup):
    _world, _item, task, client = setup
    assert task.plan.window_start <= project_clock.today()
    response = client.post(_url(task, "start/"))
    assert response.status_code == 302
    assert _state(task) == TaskState.IN_PROGRESS


def test_a_fail_without_its_note_keeps_the_choice_with_htmx_and_without(setup):
    world, item, task, client = setup
    task_services.task_start(actor=world.inspector_a, task=task)
    url = _url(task, f"findings/{item.pk}/")
    checked = f'id="r-{item.pk}-fail" value="fail" checked'
    response = client.post(url, {"result": "fail", "note": ""}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "结论为不合格时须写明存在的问题" in body
    assert checked in body
    response = client.post(url, {"result": "fail", "note": " "})
    assert response.status_code == 400
    body = response.content.decode()
    assert "结论为不合格时须写明存在的问题" in body
    assert checked in body
    assert not TaskFinding.objects.filter(task=task).exists()


def test_a_result_error_keeps_the_outcome_and_its_fields(setup):
    world, item, task, client = setup
    task_services.task_start(actor=world.inspector_a, task=task)
    task_services.task_record_finding(
        actor=world.inspector_a, task=task, item=item, result="fail", note="无消毒记录"
    )
    response = client.post(
        _url(task, "complete/"), {"outcome": "referred", "facts": "", "notes": "店主不在"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "移交立案须写明违法事实" in body
    assert '<option value="referred" selected>' in body
    assert "店主不在</textarea>" in body
    assert _state(task) == TaskState.IN_PROGRESS


def test_the_confirmation_pages_need_the_record_capability(setup):
    world, _item, task, _client = setup
    planner = Client()
    planner.force_login(world.leader)
    assert planner.post(_url(task, "start/")).status_code == 403
    assert (
        planner.post(
            _url(task, "complete/"), {"outcome": "not_inspected", "reason": "closed"}
        ).status_code
        == 403
    )
    assert _state(task) == TaskState.ASSIGNED


def test_a_refused_recheck_keeps_the_conclusion_and_the_text(setup):
    world, item, task, client = setup
    task_services.task_start(actor=world.inspector_a, task=task)
    task_services.task_record_finding(
        actor=world.inspector_a, task=task, item=item, result="fail", note="无消毒记录"
    )
    today = project_clock.today()
    task_services.task_complete(
        actor=world.inspector_a,
        task=task,
        outcome="ordered_to_correct",
        recheck_date=today + dt.timedelta(days=7),
    )
    on = today.isoformat()
    response = client.post(
        _url(task, "recheck/"), {"on": on, "passed": "0", "notes": "", "facts": "仍无记录"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "复查不合格时须写明情况" in body
    assert 'id="passed-0" value="0" checked' in body
    assert "仍无记录</textarea>" in body
    assert f'value="{on}"' in body
    task.refresh_from_db()
    assert task.rechecked_on is None
