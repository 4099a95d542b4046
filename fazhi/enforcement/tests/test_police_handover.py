"""After the police open a case: the items and materials handed over within 3 days of the filing
notice (国务院令第310号 第十二条, decision 0086) — the deadline with its rule and citation, the
step, its guards, bad input, permission, the page and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fazhi.core import errors, rules
from fazhi.core.models import AuditEvent, Deadline
from fazhi.core.testing import at
from fazhi.enforcement.execution_events import PoliceTransferEvent
from fazhi.enforcement.execution_models import PoliceTransferState
from fazhi.enforcement.services import police_transfer as pt
from fazhi.enforcement.tests.case_support import CaseWorld, make_case_world
from fazhi.enforcement.tests.test_case_pages import login
from fazhi.enforcement.tests.test_police_transfer import POLICE, with_team

pytestmark = pytest.mark.django_db

ITEMS = "非法行医使用的器械三件、药品二箱，询问笔录及现场检查笔录复印件各一份"


@pytest.fixture
def cw(clock: Any) -> CaseWorld:
    clock.move_to(at(dt.date(2025, 9, 1)))
    return make_case_world()


def acknowledged(cw: CaseWorld, clock: Any) -> Any:
    case = with_team(cw)
    pt.police_transfer_report(actor=cw.handler, case=case, report="涉嫌非法行医罪。")
    pt.police_transfer_approve(actor=cw.leader, case=case, at=at(dt.date(2025, 9, 1), hour=9))
    clock.move_to(at(dt.date(2025, 9, 1), hour=14))
    pt.police_transfer_send(actor=cw.handler, case=case, police=POLICE)
    pt.police_transfer_acknowledge(actor=cw.handler, case=case)
    return case


def test_a_filed_case_opens_the_handover_and_the_handover_closes_it(cw, clock):
    case = acknowledged(cw, clock)
    with pytest.raises(errors.InvalidTransition):  # not before the police open a case
        pt.police_transfer_hand_over(actor=cw.handler, case=case, items=ITEMS)
    clock.move_to(at(dt.date(2025, 9, 3)))
    pt.police_transfer_decision(actor=cw.handler, case=case, filed=True)
    handover = Deadline.objects.get(rule_key=pt.HANDOVER_RULE)
    assert handover.start_date == dt.date(2025, 9, 3)
    assert handover.due_date == dt.date(2025, 9, 8)  # 3 days end on Saturday: rolled
    rule = rules.rule(pt.HANDOVER_RULE, on=dt.date(2025, 9, 3))
    assert rule.value.amount == 3 and "第十二条" in rule.citation
    with pytest.raises(errors.ValidationFailed) as bad:
        pt.police_transfer_hand_over(actor=cw.handler, case=case, items="  ")
    assert bad.value.code == "items_required"
    with pytest.raises(errors.ValidationFailed) as early:
        pt.police_transfer_hand_over(
            actor=cw.handler, case=case, items=ITEMS, on=dt.date(2025, 9, 2)
        )
    assert early.value.code == "date_too_early"
    with pytest.raises(errors.ValidationFailed) as future:
        pt.police_transfer_hand_over(
            actor=cw.handler, case=case, items=ITEMS, on=dt.date(2025, 9, 4)
        )
    assert future.value.code == "date_in_future"
    with pytest.raises(errors.PermissionDenied):
        pt.police_transfer_hand_over(actor=cw.reviewer, case=case, items=ITEMS)
    clock.move_to(at(dt.date(2025, 9, 9)))  # a day late: recorded by the deadline
    row = pt.police_transfer_hand_over(actor=cw.handler, case=case, items=ITEMS)
    assert (row.state, row.handed_over_on) == (PoliceTransferState.HANDED_OVER, dt.date(2025, 9, 9))
    handover.refresh_from_db()
    assert handover.state == "late"
    event = AuditEvent.objects.get(action=PoliceTransferEvent.HANDED_OVER)
    assert event.details["items"] == ITEMS
    with pytest.raises(errors.InvalidTransition):
        pt.police_transfer_hand_over(actor=cw.handler, case=case, items=ITEMS)


def test_a_refusal_opens_no_handover(cw, clock):
    case = acknowledged(cw, clock)
    pt.police_transfer_decision(actor=cw.handler, case=case, filed=False, reason="不构成犯罪")
    assert not Deadline.objects.filter(rule_key=pt.HANDOVER_RULE).exists()
    with pytest.raises(errors.InvalidTransition):
        pt.police_transfer_hand_over(actor=cw.handler, case=case, items=ITEMS)


def test_the_page_and_the_api(cw, clock):
    case = acknowledged(cw, clock)
    pt.police_transfer_decision(actor=cw.handler, case=case, filed=True)
    client = login(cw.handler)
    page = client.get(f"/enforcement/cases/{case.pk}/").content.decode()
    assert 'id="step-police_hand_over"' in page and "移交涉案物品和材料" in page
    api = login(cw.handler, api=True)
    url = f"/api/enforcement/cases/{case.pk}/police_hand_over/"
    assert api.post(url, {"items": ""}, format="json").status_code == 400
    assert login(cw.reviewer, api=True).post(url, {"items": ITEMS}).status_code in (403, 404)
    client.post(f"/enforcement/cases/{case.pk}/police_hand_over/", {"items": ITEMS})
    page = client.get(f"/enforcement/cases/{case.pk}/").content.decode()
    section = page.split('id="police-handover"', 1)[1].split("</dd>", 1)[0]
    assert ITEMS in section and "第十二条" in section
    response = api.post(url, {"items": ITEMS}, format="json")
    assert response.status_code == 409
