"""The portal's 行政处罚决定公示: published decisions only, until their publication is withdrawn;
a natural person's name and id number masked, never matched by the search; paging; a bad page
or id answers 404, never 500 (decision 0082)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from fazhi.core.testing import at
from fazhi.enforcement.models import PenaltyCase
from fazhi.enforcement.services import case_decisions, case_steps
from fazhi.enforcement.tests.case_support import (
    CaseWorld,
    file_case,
    make_case_world,
    to_decision,
)
from fazhi.inspections.tests.task_support import make_entity
from fazhi.portal import views

pytestmark = pytest.mark.django_db

MON = dt.date(2025, 9, 1)


@pytest.fixture
def cw(clock: Any) -> CaseWorld:
    clock.move_to(at(MON))
    return make_case_world()


def published(cw: CaseWorld, **kw: Any) -> PenaltyCase:
    case = to_decision(cw, file_case(cw, **kw))
    case = case_steps.case_serve(actor=cw.handler, case=case)
    return case_steps.case_publish(actor=cw.handler, case=case)


def test_the_list_shows_published_decisions_with_a_person_masked(cw):
    person = make_entity(cw.w, name="欧阳娜娜", individual=True)
    case = published(cw, entity=person, facts="欧阳娜娜在住所无证经营，电话13812345678。")
    company = published(cw)
    unpublished = case_steps.case_serve(actor=cw.handler, case=to_decision(cw, file_case(cw)))
    body = Client().get("/public/decisions/").content.decode()
    assert case.decision_number in body and company.decision_number in body
    assert unpublished.decision_number not in body
    assert "欧阳*" in body and "欧阳娜娜" not in body
    assert company.entity.name in body
    assert "罚款2,000.00元" in body
    detail = Client().get(f"/public/decisions/{case.pk}/").content.decode()
    assert "欧阳娜娜" not in detail and person.id_number not in detail
    assert person.id_number[:6] + "********" in detail
    assert "138****5678" in detail
    assert case.decision_number in detail
    company_detail = Client().get(f"/public/decisions/{company.pk}/").content.decode()
    assert company.entity.uscc in company_detail


def test_the_search_matches_numbers_causes_and_organisations_never_a_person(cw):
    person = make_entity(cw.w, name="张三丰", individual=True)
    case = published(cw, entity=person, cause="无证行医")
    company = published(cw)
    client = Client()
    assert case.decision_number not in client.get("/public/decisions/?q=张三丰").content.decode()
    assert (
        case.decision_number
        not in client.get(f"/public/decisions/?q={person.id_number}").content.decode()
    )
    found = client.get("/public/decisions/?q=无证行医").content.decode()
    assert case.decision_number in found and company.decision_number not in found
    by_name = client.get(f"/public/decisions/?q={company.entity.name}").content.decode()
    assert company.decision_number in by_name and case.decision_number not in by_name
    assert client.get("/public/decisions/?q=" + "长" * 500).status_code == 200


def test_a_withdrawn_publication_leaves_the_portal(cw):
    case = published(cw)
    case = case_decisions.case_decision_revoke(actor=cw.leader, case=case, reason="自行纠正")
    client = Client()
    assert case.decision_number in client.get("/public/decisions/").content.decode()
    case_decisions.case_publicity_withdraw(actor=cw.handler, case=case)
    assert case.decision_number not in client.get("/public/decisions/").content.decode()
    assert client.get(f"/public/decisions/{case.pk}/").status_code == 404


def test_paging_and_bad_input(cw, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    cases = [published(cw) for _ in range(3)]
    client = Client()
    with django_assert_max_num_queries(4):
        first = client.get("/public/decisions/").content.decode()
    second = client.get("/public/decisions/?page=2").content.decode()
    assert cases[0].decision_number in second and cases[0].decision_number not in first
    assert client.get("/public/decisions/?page=x").status_code == 200
    assert client.get("/public/decisions/?org=abc").status_code == 400
    assert client.get("/public/decisions/999999/").status_code == 404
    assert client.get("/public/decisions/abc/").status_code == 404
