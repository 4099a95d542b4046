"""Targeted inspection tasks opened for a complaint (投诉举报核查, decision 0091): the yearly
complaint plan, the task's origin, every guard, permission and scope, and the ordinary task
workflow afterwards (team, start, findings, referral, publicity)."""

from __future__ import annotations

import pytest
from django.db import transaction

from fazhi.core import clock, errors
from fazhi.core.models import AuditEvent, Organisation, Role
from fazhi.core.tests.factories import make_officer, make_user
from fazhi.enforcement.models import CaseLead, CaseLeadSource
from fazhi.inspections.models import InspectionPlan, PlanKind, PlanState, TaskState
from fazhi.inspections.selectors.figures import year_figures
from fazhi.inspections.services import items as item_services
from fazhi.inspections.services import pool as pool_services
from fazhi.inspections.services.complaints import task_open_for_complaint
from fazhi.inspections.services.publicity import task_publish
from fazhi.inspections.services.tasks import task_complete, task_record_finding, task_start
from fazhi.inspections.services.teams import task_assign_inspectors
from fazhi.inspections.tests.draw_support import DrawWorld, add_entity, make_draw_world, make_plan
from fazhi.registry.models import SupervisionCategory
from fazhi.registry.services.entities import entity_deactivate

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> DrawWorld:
    return make_draw_world(entities=2, officers=0)


def _opener(w: DrawWorld) -> object:
    return make_user(w.org, Role.PETITION_OFFICER, full_name="信访员")


def _open(w: DrawWorld, actor: object, **kw: object):
    values: dict[str, object] = {
        "actor": actor,
        "organisation": w.org,
        "entity": w.entities[0],
        "category": w.public_places,
        "reason": "投诉无证经营，核查经营资质",
        "origin": w.tree.districts[0],  # a stand-in for the matter (any saved row)
        "origin_label": "热线工单GD001号",
    }
    values.update(kw)
    with transaction.atomic():
        return task_open_for_complaint(**values)  # type: ignore[arg-type]


def test_tasks_join_the_yearly_complaint_plan_with_their_origin(w: DrawWorld) -> None:
    opener = _opener(w)
    first = _open(w, opener)
    second = _open(w, opener, entity=w.entities[1], origin_label="信访事项7号")
    plan = first.plan
    year = clock.today().year
    assert plan.kind == PlanKind.COMPLAINT and plan.year == year
    assert plan.state == PlanState.IN_PROGRESS and plan.title == f"{year}年投诉举报核查"
    assert second.plan_id == plan.pk
    assert InspectionPlan.objects.filter(kind=PlanKind.COMPLAINT).count() == 1
    assert (first.number, second.number) == (f"TS{year}-0001", f"TS{year}-0002")
    assert first.state == TaskState.ASSIGNED and first.draw_id is None
    assert first.origin == w.tree.districts[0] and first.origin_label == "热线工单GD001号"
    assert first.origin_reason == "投诉无证经营，核查经营资质"
    assert first.organisation_id == w.entities[0].organisation_id
    actions = list(
        AuditEvent.objects.filter(object_id__in=[str(first.pk), str(plan.pk)]).values_list(
            "action", flat=True
        )
    )
    assert "inspection_task.opened_for_complaint" in actions
    assert actions.count("inspection_plan.complaint_task_added") == 2


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"entity": None}, "entity_required"),
        ({"category": None}, "category_required"),
        ({"reason": "  "}, "reason_required"),
        ({"reason": "理" * 2001}, "reason_too_long"),
        ({"origin_label": ""}, "origin_required"),
    ],
)
def test_bad_input_is_refused(w: DrawWorld, change: dict[str, object], code: str) -> None:
    with pytest.raises(errors.ValidationFailed) as exc:
        _open(w, _opener(w), **change)
    assert exc.value.code == code
    assert not InspectionPlan.objects.filter(kind=PlanKind.COMPLAINT).exists()


def test_entity_outside_the_subtree_inactive_entity_and_category_are_refused(
    w: DrawWorld,
) -> None:
    opener = _opener(w)
    foreign = add_entity(w, org=w.other_org)
    with pytest.raises(errors.ValidationFailed) as exc:
        _open(w, opener, entity=foreign)
    assert exc.value.code == "entity_out_of_reach"
    gone = entity_deactivate(actor=w.planner, entity_id=w.entities[1].pk, reason="注销")
    with pytest.raises(errors.ValidationFailed) as exc:
        _open(w, opener, entity=gone)
    assert exc.value.code == "entity_inactive"
    retired = SupervisionCategory.objects.create(
        code="retired_cat", name="停用类别", is_active=False
    )
    with pytest.raises(errors.ValidationFailed) as exc:
        _open(w, opener, category=retired)
    assert exc.value.code == "category_inactive"


def test_permission_and_scope(w: DrawWorld) -> None:
    # a supervisor plans inspections but does not start complaint checks (no new grant)
    with pytest.raises(errors.PermissionDenied):
        _open(w, w.planner)
    stranger = make_user(w.other_org, Role.PETITION_OFFICER)
    with pytest.raises(errors.OutOfScope):
        _open(w, stranger)
    assert not InspectionPlan.objects.filter(kind=PlanKind.COMPLAINT).exists()


def test_a_complaint_plan_is_not_created_by_hand(w: DrawWorld) -> None:
    with pytest.raises(errors.ValidationFailed) as exc:
        make_plan(w, kind=PlanKind.COMPLAINT)
    assert exc.value.code == "complaint_plan_by_hand"


def _inspector(w: DrawWorld, name: str):
    user = make_user(w.org, Role.SUPERVISOR, full_name=name)
    officer = make_officer(w.org, name=name, user=user)
    pool_services.inspector_enrol(
        actor=w.planner, officer=officer, on=clock.today(), categories=[w.public_places]
    )
    return user, officer


def test_the_task_goes_through_the_ordinary_workflow(w: DrawWorld) -> None:
    task = _open(w, _opener(w))
    item = item_services.item_create(
        actor=w.planner,
        organisation=w.org,
        category=w.public_places,
        code="TS-1",
        name="卫生许可证",
        legal_basis="《公共场所卫生管理条例》第八条",
        content="查验卫生许可证。",
        applicable_kinds=["public_place_lodging"],
        default_ratio="5",
        frequency="每年一次",
    )
    (lead_user, lead), (_, member) = _inspector(w, "甲"), _inspector(w, "乙")
    task = task_assign_inspectors(actor=w.planner, task=task, officer_ids=[lead.pk, member.pk])
    task = task_start(actor=lead_user, task=task)
    assert task.state == TaskState.IN_PROGRESS
    task_record_finding(actor=lead_user, task=task, item=item, result="fail", note="无证")
    task = task_complete(actor=lead_user, task=task, outcome="referred", facts="未取得卫生许可证")
    assert task.state == TaskState.DONE
    lead_row = CaseLead.objects.get(source_task=task)
    assert lead_row.source == CaseLeadSource.COMPLAINT  # a complaint check's lead
    task = task_publish(actor=w.planner, task=task)
    assert task.published_at is not None


def test_complaint_checks_stay_out_of_the_random_inspection_figures(w: DrawWorld) -> None:
    _open(w, _opener(w))
    figures = year_figures(user=w.planner, year=clock.today().year)
    assert figures.drawn == 0 and figures.plans == 0


def test_stand_in_origin_is_any_saved_row(w: DrawWorld) -> None:
    with pytest.raises(errors.ValidationFailed) as exc:
        _open(w, _opener(w), origin=Organisation())
    assert exc.value.code == "origin_required"
