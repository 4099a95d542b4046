"""Figures per plan and per year, computed from records built through the services."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from fazhi.core import clock, errors
from fazhi.enforcement.models import CaseLead
from fazhi.inspections.selectors import figures as figure_selectors
from fazhi.inspections.selectors import tasks as task_selectors
from fazhi.inspections.services import tasks as task_services
from fazhi.inspections.tests.task_support import (
    category,
    make_entity,
    make_item,
    make_plan,
    make_task,
    make_task_world,
)

pytestmark = pytest.mark.django_db
YEAR = clock.today().year


def _finish(world, task, outcome, *, fail=False):
    actor = world.inspector_a
    if outcome == "not_inspected":
        return task_services.task_complete(actor=actor, task=task, outcome=outcome, reason="closed")
    task_services.task_start(actor=actor, task=task)
    for item in task_services.task_items(task):
        task_services.task_record_finding(
            actor=actor,
            task=task,
            item=item,
            result="fail" if fail else "pass",
            note="问题" if fail else "",
        )
    extra: dict[str, Any] = {}
    if outcome == "ordered_to_correct":
        extra["recheck_date"] = clock.today() + dt.timedelta(days=7)
    if outcome == "referred":
        extra["facts"] = "违法事实"
    return task_services.task_complete(actor=actor, task=task, outcome=outcome, **extra)


@pytest.fixture
def data():
    world = make_task_world()
    places = make_item(world)
    water = make_item(world, cat="drinking_water")
    plan = make_plan(world, items=[places, water], uses_risk_ratio=True)
    joint = make_plan(world, items=[places], is_joint=True)
    tasks = []
    # plan: 4 public places, 2 water; joint: 2 public places
    for _ in range(4):
        tasks.append(make_task(world, plan=plan, entity=make_entity(world)))
    for _ in range(2):
        entity = make_entity(world, kind="water_supplier", categories=("drinking_water",))
        tasks.append(make_task(world, plan=plan, entity=entity, cat=world.water))
    for _ in range(2):
        tasks.append(make_task(world, plan=joint, entity=make_entity(world)))
    _finish(world, tasks[0], "no_problem")
    _finish(world, tasks[1], "ordered_to_correct", fail=True)
    _finish(world, tasks[2], "referred", fail=True)
    _finish(world, tasks[3], "not_inspected")
    _finish(world, tasks[4], "no_problem")
    # tasks[5] (water) stays open
    _finish(world, tasks[6], "referred", fail=True)
    # tasks[7] (joint) stays open
    return world, plan, joint, tasks


def test_year_figures(data, django_assert_max_num_queries):
    world, _, _, _ = data
    with django_assert_max_num_queries(8):
        f = figure_selectors.year_figures(user=world.planner, year=YEAR)
        text = f.sentence()
    assert (f.drawn, f.completed, f.inspected, f.not_inspected) == (8, 6, 5, 1)
    assert f.completion_rate == Decimal("75.00")
    assert (f.problems, f.ordered_to_correct, f.referrals, f.cases_filed) == (3, 1, 2, 0)
    assert f.joint_tasks == 2 and f.joint_share == Decimal("25.00")
    assert (f.plans, f.plans_with_risk_ratio, f.risk_ratio_share) == (2, 1, Decimal("50.00"))
    assert [(c.name, c.drawn, c.completed) for c in f.categories] == [
        ("公共场所卫生", 6, 5),
        ("生活饮用水卫生", 2, 1),
    ]
    assert text.startswith("共完成双随机监督抽查任务6家，其中公共场所卫生5家、生活饮用水卫生1家。")
    assert "监督完结率75%" in text and "移交立案2件" in text


def test_plan_figures(data):
    world, plan, joint, _ = data
    f = figure_selectors.plan_figures(user=world.planner, plan_id=plan.pk)
    assert (f.drawn, f.completed, f.referrals, f.joint_tasks) == (6, 5, 1, 0)
    j = figure_selectors.plan_figures(user=world.planner, plan_id=joint.pk)
    assert (j.drawn, j.completed, j.joint_share) == (2, 1, Decimal("100.00"))


def test_every_figure_links_to_its_records(data):
    world, _, _, _ = data
    f = figure_selectors.year_figures(user=world.planner, year=YEAR)
    for key, params in f.links.items():
        kwargs: dict[str, Any] = {"year": int(params["year"])}
        for name in ("finished", "problems", "referred", "case_filed", "joint"):
            if params.get(name) == "1":
                kwargs[name] = True
        for name in ("state", "outcome", "category"):
            if name in params:
                kwargs[name] = params[name]
        records = task_selectors.task_list(user=world.planner, **kwargs)
        assert records.count() == getattr(f, key), key
    for c in f.categories:
        records = task_selectors.task_list(
            user=world.planner, year=YEAR, category=c.link["category"], finished=True
        )
        assert records.count() == c.completed


def test_cases_that_followed(data):
    world, _, _, _ = data
    lead = CaseLead.objects.first()
    assert lead is not None
    # the penalty module files the case (its service will do this; here the state it leaves)
    CaseLead.objects.filter(pk=lead.pk).update(state="filed")
    f = figure_selectors.year_figures(user=world.planner, year=YEAR)
    assert f.cases_filed == 1
    assert "已立案1件" in f.sentence()


def test_scope(data):
    world, plan, _, _ = data
    theirs = figure_selectors.year_figures(user=world.stranger, year=YEAR)
    assert theirs.drawn == 0 and theirs.completion_rate is None
    assert theirs.sentence() == "共完成双随机监督抽查任务0家。"
    with pytest.raises(errors.OutOfScope):
        figure_selectors.plan_figures(user=world.stranger, plan_id=plan.pk)
    leader = figure_selectors.year_figures(user=world.leader, year=YEAR)
    assert leader.drawn == 8


def test_percent():
    assert figure_selectors.percent(1, 3) == Decimal("33.33")
    assert figure_selectors.percent(2, 3) == Decimal("66.67")
    assert figure_selectors.percent(0, 0) is None


@given(st.integers(min_value=1, max_value=10**7), st.data())
def test_percent_is_bounded_and_exact_at_the_ends(whole, data):
    part = data.draw(st.integers(min_value=0, max_value=whole))
    value = figure_selectors.percent(part, whole)
    assert value is not None and Decimal(0) <= value <= Decimal(100)
    assert abs(value - Decimal(part) * 100 / Decimal(whole)) <= Decimal("0.005")
    assert figure_selectors.percent(whole, whole) == Decimal("100.00")


def test_export(data):
    world, _, _, _ = data
    book = load_workbook(io.BytesIO(figure_selectors.figures_xlsx(user=world.planner, year=YEAR)))
    assert book.sheetnames == [f"{YEAR}年汇总", "分专业类别", "分计划", "任务明细"]
    summary = {row[0]: row[1] for row in book[f"{YEAR}年汇总"].iter_rows(values_only=True)}
    assert summary["抽取任务数"] == 8 and summary["监督完结率（%）"] == "75.00"
    assert len(list(book["任务明细"].iter_rows())) == 9


def test_pages_and_api(client, data):
    world, plan, _, _ = data
    client.force_login(world.planner)
    page = client.get(f"/inspections/figures/?year={YEAR}")
    assert page.status_code == 200
    body = page.content.decode()
    assert "共完成双随机监督抽查任务6家" in body
    assert f"year={YEAR}&amp;referred=1" in body
    assert client.get(f"/inspections/figures/plans/{plan.pk}/").status_code == 200
    assert client.get(f"/inspections/figures/export.xlsx?year={YEAR}").status_code == 200
    listed = client.get(f"/inspections/tasks/?year={YEAR}&referred=1")
    assert listed.status_code == 200 and "共 2 条" in listed.content.decode()
    api = client.get(f"/api/inspections/figures/years/{YEAR}/").json()
    assert api["drawn"] == 8 and api["completion_rate"] == "75.00"
    assert api["records"]["referrals"] == {"year": str(YEAR), "referred": "1"}
    tasks = client.get(f"/api/inspections/tasks/?year={YEAR}&referred=1").json()
    assert tasks["count"] == 2
    client.force_login(world.stranger)
    assert client.get(f"/api/inspections/figures/plans/{plan.pk}/").status_code == 404
    assert client.get(f"/inspections/figures/plans/{plan.pk}/").status_code == 404


def test_category_helper():
    assert category("drinking_water").code == "drinking_water"
