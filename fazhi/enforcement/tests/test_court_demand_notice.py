"""The demand notice (催告书) tied to the court enforcement (decision 0085): numbered with the
demand when the agency keeps the series, printed as served (its day, its amount), shown with its
number, date and link on the case page, cited by the application to the court."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from docx import Document

from fazhi.core import errors
from fazhi.core.models import AuditEvent, DocumentNumber
from fazhi.core.services.numbering import document_type_create
from fazhi.core.testing import at
from fazhi.enforcement.execution_events import CourtEnforcementEvent
from fazhi.enforcement.services import case_steps, cases
from fazhi.enforcement.services import execution_court as court
from fazhi.enforcement.tests.case_support import CaseWorld, file_case, make_case_world, to_decision
from fazhi.enforcement.tests.test_case_pages import login
from fazhi.enforcement.tests.test_court_enforcement import COURT, served

pytestmark = pytest.mark.django_db


@pytest.fixture
def cw(clock: Any) -> CaseWorld:
    clock.move_to(at(dt.date(2025, 9, 1)))
    return make_case_world()


def overdue(cw: CaseWorld, clock: Any) -> Any:
    """A 2,000-yuan fine served on 09-03, unpaid; today 09-22 (payment due 09-18)."""
    case = served(cw, clock)
    clock.move_to(at(dt.date(2025, 9, 22)))
    return case


def series(cw: CaseWorld) -> None:
    document_type_create(
        actor=None,
        organisation=cases.numbering_organisation(cw.org),
        key=court.DEMAND_DOCUMENT,
        name="催告书",
        prefix="测卫催",
    )


def text_of(response: Any) -> str:
    assert response.status_code == 200, response.content.decode()[:300]
    return "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)


def test_the_demand_is_numbered_printed_as_served_and_cited_by_the_application(cw, clock):
    series(cw)
    case = overdue(cw, clock)
    row = court.court_demand(actor=cw.handler, case=case)
    assert row.demand_number.startswith("测卫催")
    number = DocumentNumber.objects.get(text=row.demand_number)
    assert number.object_id == str(case.pk)  # linked to the case: its documents read it
    client = login(cw.handler)
    page = client.get(f"/enforcement/cases/{case.pk}/").content.decode()
    section = page.split('id="court-demand"', 1)[1].split("</p>", 1)[0]
    link = f"/enforcement/cases/{case.pk}/documents/demand_notice.docx"
    assert link in section and row.demand_number in section and "2025年9月22日送达" in section
    # later, the notice still reads as served: its number, its day, the surcharge of that day
    clock.move_to(at(dt.date(2026, 3, 4)))
    client = login(cw.handler)  # a new session on the new day
    text = text_of(client.get(link))
    assert row.demand_number in text and "2025年9月22日" in text
    assert "贰佰肆拾元" in text  # 4 days late on 09-22, not the surcharge of 2026-03-04
    court.court_apply(actor=cw.leader, case=case, court=COURT)
    applied = AuditEvent.objects.get(action=CourtEnforcementEvent.APPLIED)
    assert applied.details["demand_number"] == row.demand_number
    assert applied.details["demand_served_on"] == "2025-09-22"
    assert applied.details["demand"] == f"催告书（{row.demand_number}），2025年9月22日送达"
    page = client.get(f"/enforcement/cases/{case.pk}/").content.decode()
    assert f"依催告书（{row.demand_number}），2025年9月22日送达向{COURT}申请强制执行" in page
    response = login(cw.handler, api=True).get(f"/api/enforcement/cases/{case.pk}/after-decision/")
    assert response.json()["court_enforcement"]["demand_number"] == row.demand_number


def test_without_a_series_the_demand_is_unnumbered_and_says_so(cw, clock):
    case = overdue(cw, clock)
    row = court.court_demand(actor=cw.handler, case=case)
    assert row.demand_number == ""
    assert row.demand_citation == "催告书（未编号），2025年9月22日送达"
    page = login(cw.handler).get(f"/enforcement/cases/{case.pk}/").content.decode()
    section = page.split('id="court-demand"', 1)[1].split("</p>", 1)[0]
    assert "（未编号）" in section and "demand_notice.docx" in section


def test_a_refused_demand_issues_no_number(cw, clock):
    series(cw)
    case = to_decision(cw, file_case(cw), fine="2000")
    case = case_steps.case_serve(actor=cw.handler, case=case)
    with pytest.raises(errors.Conflict) as early:
        court.court_demand(actor=cw.handler, case=case)
    assert early.value.code == "payment_not_overdue"
    assert not DocumentNumber.objects.filter(text__startswith="测卫催").exists()
    page = login(cw.handler).get(f"/enforcement/cases/{case.pk}/").content.decode()
    assert "demand_notice.docx" not in page  # nothing demanded, nothing overdue yet
