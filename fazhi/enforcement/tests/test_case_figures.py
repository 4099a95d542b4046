"""Penalty-case figures: the definitions on real cases, scope, the page and the Excel export."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from fazhi.core import errors
from fazhi.core.models import Role
from fazhi.core.testing import at
from fazhi.core.tests.factories import make_user
from fazhi.enforcement.selectors.case_figures import COLUMNS, case_figures
from fazhi.enforcement.services import case_steps
from fazhi.enforcement.tests.case_support import (
    CaseWorld,
    file_case,
    make_case_world,
    to_decision,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cw(clock: Any) -> CaseWorld:
    clock.move_to(at(dt.date(2025, 9, 1)))
    return make_case_world()


def counts(row: Any) -> dict[str, Any]:
    return dict(zip([key for key, _ in COLUMNS], row.values(), strict=True))


def test_the_figures_follow_their_definitions(cw, clock):
    decided = to_decision(cw, file_case(cw), fine="2000")  # complaint
    case_steps.case_serve(actor=cw.handler, case=decided)
    file_case(cw)  # in progress
    gone = file_case(cw, source="routine")
    case_steps.case_withdraw(actor=cw.leader, case=gone, reason="当事人已注销")
    late = file_case(cw, source="routine")
    clock.move_to(at(dt.date(2025, 12, 5)))  # the decision period ended Mon 12-01
    from fazhi.core.services.deadlines import deadlines_refresh

    deadlines_refresh(today=dt.date(2025, 12, 5))
    figures = case_figures(user=cw.leader, year=2025)
    total = counts(figures.total)
    assert total["filed"] == 4
    assert total["decided"] == total["punished"] == 1
    assert total["fines"] == Decimal("2000.00")
    assert total["in_progress"] == 3  # two filed, one decided and served (not closed)
    assert total["withdrawn"] == 1 and total["transferred"] == 0
    assert total["review_rate"] == Decimal("0.0")
    assert total["overdue"] == 2  # the open case and the late one, both past 12-01
    complaint = counts(next(r for r in figures.by_source if r.label == "投诉举报"))
    assert complaint["filed"] == 2 and complaint["fines"] == Decimal("2000.00")
    lodging = counts(figures.by_category[0])
    assert lodging["filed"] == 4  # every party of the test world is a public place
    assert late.pk
    assert counts(case_figures(user=cw.w.stranger, year=2025).total)["filed"] == 0
    with pytest.raises(errors.PermissionDenied):
        case_figures(user=make_user(cw.org, Role.PETITION_OFFICER), year=2025)


def test_the_page_and_the_workbook(cw, django_assert_max_num_queries):
    to_decision(cw, file_case(cw), fine="2000")
    client = Client()
    client.force_login(cw.leader)
    with django_assert_max_num_queries(15):
        page = client.get("/enforcement/cases/figures/?year=2025")
    assert page.status_code == 200 and "法制审核率" in page.content.decode()
    response = client.get("/enforcement/cases/figures/export.xlsx?year=2025")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["2025年按案件来源", "2025年按监督类别", "统计口径"]
    rows = list(book["2025年按案件来源"].values)
    assert rows[-1][0] == "合计" and rows[-1][1] == 1
