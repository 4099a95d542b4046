"""After the police refuse to open a transferred case: the reconsideration request, the police's
reconsideration decision and the suggestion to the procuratorate, each within 3 days
(国务院令第310号 第九条, decision 0093) — the rules with their citations, the steps, their
guards, bad input, permission, the page and the API; and the case going on after a final refusal
(Art. 10: the returned file becomes a lead, and a new case is filed on it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fazhi.core import errors, rules
from fazhi.core.models import AuditEvent, Deadline
from fazhi.core.testing import at
from fazhi.enforcement.execution_events import PoliceTransferEvent
from fazhi.enforcement.execution_models import PoliceTransferState
from fazhi.enforcement.models import CaseLead, CaseLeadSource, CaseState
from fazhi.enforcement.services import police_review as pr
from fazhi.enforcement.services import police_transfer as pt
from fazhi.enforcement.tests.case_support import CaseWorld, file_case, investigate, make_case_world
from fazhi.enforcement.tests.test_case_pages import login
from fazhi.enforcement.tests.test_police_handover import acknowledged

pytestmark = pytest.mark.django_db

GROUNDS = "当事人非法行医造成就诊人身体健康严重损害，已达追诉标准。"
PROCURATORATE = "清源市江北区人民检察院"


@pytest.fixture
def cw(clock: Any) -> CaseWorld:
    clock.move_to(at(dt.date(2025, 9, 1)))  # a Monday
    return make_case_world()


def refused(cw: CaseWorld, clock: Any) -> Any:
    case = acknowledged(cw, clock)
    clock.move_to(at(dt.date(2025, 9, 2)))
    pt.police_transfer_decision(actor=cw.handler, case=case, filed=False, reason="情节显著轻微")
    return case


def test_the_three_rules_cite_article_9():
    for key, para in (
        (pt.REVIEW_REQUEST_RULE, "第九条第一款"),
        (pr.REVIEW_DECISION_RULE, "第九条第二款"),
        (pr.SUPERVISION_RULE, "第九条第二款"),
    ):
        rule = rules.rule(key, on=dt.date(2025, 9, 2))
        assert (rule.value.amount, rule.value.unit) == (3, "calendar_days")
        assert para in rule.citation


def test_reconsideration_refused_then_supervision_late_is_recorded(cw, clock):
    case = acknowledged(cw, clock)
    with pytest.raises(errors.InvalidTransition):  # not before a refusal
        pr.police_transfer_request_review(actor=cw.handler, case=case, grounds=GROUNDS)
    clock.move_to(at(dt.date(2025, 9, 2)))
    pt.police_transfer_decision(actor=cw.handler, case=case, filed=False, reason="情节显著轻微")
    window = Deadline.objects.get(rule_key=pt.REVIEW_REQUEST_RULE)
    assert (window.start_date, window.due_date) == (dt.date(2025, 9, 2), dt.date(2025, 9, 5))
    with pytest.raises(errors.InvalidTransition):  # no reconsideration decision before a request
        pr.police_transfer_review_decision(actor=cw.handler, case=case, filed=False)
    clock.move_to(at(dt.date(2025, 9, 4)))
    with pytest.raises(errors.ValidationFailed) as bad:
        pr.police_transfer_request_review(actor=cw.handler, case=case, grounds=" ")
    assert bad.value.code == "grounds_required"
    with pytest.raises(errors.ValidationFailed) as early:
        pr.police_transfer_request_review(
            actor=cw.handler, case=case, grounds=GROUNDS, on=dt.date(2025, 9, 1)
        )
    assert early.value.code == "date_too_early"
    with pytest.raises(errors.PermissionDenied):
        pr.police_transfer_request_review(actor=cw.reviewer, case=case, grounds=GROUNDS)
    row = pr.police_transfer_request_review(actor=cw.handler, case=case, grounds=GROUNDS)
    assert (row.state, row.review_requested_on) == (
        PoliceTransferState.REVIEW_REQUESTED,
        dt.date(2025, 9, 4),
    )
    window.refresh_from_db()
    assert window.state == "met"
    police = Deadline.objects.get(rule_key=pr.REVIEW_DECISION_RULE)
    assert police.start_date == dt.date(2025, 9, 4)
    with pytest.raises(errors.InvalidTransition):
        pr.police_transfer_request_review(actor=cw.handler, case=case, grounds=GROUNDS)
    clock.move_to(at(dt.date(2025, 9, 5)))
    with pytest.raises(errors.PermissionDenied):
        pr.police_transfer_review_decision(actor=cw.reviewer, case=case, filed=False)
    row = pr.police_transfer_review_decision(
        actor=cw.handler, case=case, filed=False, reason="维持原决定"
    )
    assert (row.state, row.review_decided_on) == (
        PoliceTransferState.REVIEW_REFUSED,
        dt.date(2025, 9, 5),
    )
    police.refresh_from_db()
    assert police.state == "met"
    supervision = Deadline.objects.get(rule_key=pr.SUPERVISION_RULE)
    assert supervision.due_date == dt.date(2025, 9, 8)
    with pytest.raises(errors.ValidationFailed) as missing:
        pr.police_transfer_suggest_supervision(
            actor=cw.handler, case=case, procuratorate="", grounds=GROUNDS
        )
    assert missing.value.code == "procuratorate_required"
    with pytest.raises(errors.PermissionDenied):
        pr.police_transfer_suggest_supervision(
            actor=cw.reviewer, case=case, procuratorate=PROCURATORATE, grounds=GROUNDS
        )
    clock.move_to(at(dt.date(2025, 9, 10)))  # two days late: recorded, not refused
    row = pr.police_transfer_suggest_supervision(
        actor=cw.handler, case=case, procuratorate=PROCURATORATE, grounds=GROUNDS
    )
    assert (row.state, row.procuratorate) == (PoliceTransferState.SUPERVISION, PROCURATORATE)
    supervision.refresh_from_db()
    assert supervision.state == "late"
    event = AuditEvent.objects.get(action=PoliceTransferEvent.SUPERVISION_SUGGESTED)
    assert event.details["procuratorate"] == PROCURATORATE
    with pytest.raises(errors.InvalidTransition):
        pr.police_transfer_suggest_supervision(
            actor=cw.handler, case=case, procuratorate=PROCURATORATE, grounds=GROUNDS
        )


def test_a_late_request_is_refused_and_supervision_remains(cw, clock):
    case = refused(cw, clock)
    clock.move_to(at(dt.date(2025, 9, 8)))  # the 3 days ended on 9-5
    with pytest.raises(errors.Conflict) as late:
        pr.police_transfer_request_review(actor=cw.handler, case=case, grounds=GROUNDS)
    assert late.value.code == "review_out_of_time"
    current = pt.transfer_of(case)
    assert current is not None and current.state == PoliceTransferState.NOT_FILED
    row = pr.police_transfer_suggest_supervision(
        actor=cw.handler, case=case, procuratorate=PROCURATORATE, grounds=GROUNDS
    )
    assert row.state == PoliceTransferState.SUPERVISION and row.review_requested_on is None


def test_reconsideration_opens_the_case_and_the_handover(cw, clock):
    case = refused(cw, clock)
    pr.police_transfer_request_review(actor=cw.handler, case=case, grounds=GROUNDS)
    with pytest.raises(errors.ValidationFailed) as future:
        pr.police_transfer_review_decision(
            actor=cw.handler, case=case, filed=True, on=dt.date(2025, 9, 3)
        )
    assert future.value.code == "date_in_future"
    row = pr.police_transfer_review_decision(actor=cw.handler, case=case, filed=True)
    assert row.state == PoliceTransferState.FILED
    assert Deadline.objects.get(rule_key=pt.HANDOVER_RULE).start_date == dt.date(2025, 9, 2)
    assert not Deadline.objects.filter(rule_key=pr.SUPERVISION_RULE).exists()
    row = pt.police_transfer_hand_over(actor=cw.handler, case=case, items="询问笔录一份")
    assert row.state == PoliceTransferState.HANDED_OVER
    with pytest.raises(errors.InvalidTransition):
        pt.police_transfer_return(actor=cw.handler, case=case)


def test_after_the_final_refusal_the_agency_penalises_on_a_new_case(cw, clock):
    case = refused(cw, clock)
    pr.police_transfer_request_review(actor=cw.handler, case=case, grounds=GROUNDS)
    pr.police_transfer_review_decision(actor=cw.handler, case=case, filed=False)
    row = pt.police_transfer_return(actor=cw.handler, case=case)
    assert row.state == PoliceTransferState.RETURNED
    supervision = Deadline.objects.get(rule_key=pr.SUPERVISION_RULE)
    assert supervision.state == "cancelled"  # the agency accepts the refusal
    lead = CaseLead.objects.get(entity=case.entity, source=CaseLeadSource.REFERRAL)
    assert "复议决定不予立案" in lead.facts
    again = file_case(cw, lead=lead)  # Art. 10: the agency handles the case itself
    assert again.state == CaseState.FILED and again.entity == case.entity
    assert investigate(cw, again).state == CaseState.INVESTIGATED
    case.refresh_from_db()
    assert case.state == CaseState.TRANSFERRED  # the transferred case is not reopened


def test_the_page_and_the_api(cw, clock):
    case = refused(cw, clock)
    client = login(cw.handler)
    page = client.get(f"/enforcement/cases/{case.pk}/").content.decode()
    assert 'id="step-police_request_review"' in page and 'id="step-police_supervision"' in page
    api = login(cw.handler, api=True)
    url = f"/api/enforcement/cases/{case.pk}/police_request_review/"
    assert api.post(url, {"grounds": ""}, format="json").status_code == 400
    assert login(cw.reviewer, api=True).post(url, {"grounds": GROUNDS}).status_code in (403, 404)
    client.post(f"/enforcement/cases/{case.pk}/police_request_review/", {"grounds": GROUNDS})
    page = client.get(f"/enforcement/cases/{case.pk}/").content.decode()
    section = page.split('id="police-review"', 1)[1].split("</dd>", 1)[0]
    assert GROUNDS in section and "第九条" in section
    assert 'id="step-police_review_refused"' in page
    assert api.post(url, {"grounds": GROUNDS}, format="json").status_code == 409
    refuse = f"/api/enforcement/cases/{case.pk}/police_review_refused/"
    assert api.post(refuse, {}, format="json").status_code in (200, 201)
    suggest = f"/api/enforcement/cases/{case.pk}/police_supervision/"
    body = {"procuratorate": PROCURATORATE, "grounds": GROUNDS}
    assert api.post(suggest, body, format="json").status_code in (200, 201)
    page = client.get(f"/enforcement/cases/{case.pk}/").content.decode()
    section = page.split('id="police-supervision"', 1)[1].split("</dd>", 1)[0]
    assert PROCURATORATE in section
    data = api.get(f"/api/enforcement/cases/{case.pk}/after-decision/").json()
    assert data["police_transfers"][0]["state"] == PoliceTransferState.SUPERVISION
    assert data["police_transfers"][0]["procuratorate"] == PROCURATORATE
