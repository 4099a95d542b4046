"""The filing form's entity picker and the lead page (issue #9): the party is searched by name,
never typed as a number; a lead is shown by its party, source and date with its next steps."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from fazhi.core.models import Role
from fazhi.core.testing import at
from fazhi.core.tests.factories import make_user
from fazhi.enforcement.models import CaseLead, CaseLeadSource, PenaltyCase
from fazhi.enforcement.services import leads as lead_services
from fazhi.enforcement.tests.case_support import CaseWorld, file_case, make_case_world
from fazhi.inspections.tests.task_support import make_entity

pytestmark = pytest.mark.django_db

MON = dt.date(2025, 9, 1)
NEW = "/enforcement/cases/new/"


@pytest.fixture
def cw(clock: Any) -> CaseWorld:
    clock.move_to(at(MON))
    return make_case_world()


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def refer(cw: CaseWorld, **kw: Any) -> CaseLead:
    values: dict[str, Any] = {
        "actor": cw.w.planner,
        "organisation": cw.org,
        "source": CaseLeadSource.COMPLAINT,
        "facts": "投诉无证经营。",
        "entity": make_entity(cw.w),
    }
    values.update(kw)
    with transaction.atomic():
        return lead_services.case_lead_create(**values)


def test_the_filing_form_searches_the_party_instead_of_asking_its_number(cw):
    page = login(cw.leader).get(NEW).content.decode()
    assert "当事人编号" not in page
    picker = page.split('name="entity"', 1)[1].split(">", 1)[0]
    assert 'data-remote="/registry/search/"' in picker
    assert 'data-search=""' in page.split('name="handler"', 1)[1].split(">", 1)[0]


def test_an_entity_given_in_the_address_is_preselected_in_scope_only(cw):
    entity = make_entity(cw.w)
    page = login(cw.leader).get(NEW, {"entity": entity.pk}).content.decode()
    assert f'<option value="{entity.pk}" selected>{entity.name}</option>' in page
    stranger = make_user(cw.w.other_org, Role.LEADER)
    other = login(stranger).get(NEW, {"entity": entity.pk}).content.decode()
    assert entity.name not in other
    assert login(cw.leader).get(NEW, {"entity": "abc"}).status_code == 400


def test_a_refused_filing_keeps_the_chosen_party(cw):
    entity = make_entity(cw.w)
    response = login(cw.leader).post(
        NEW,
        {
            "entity": entity.pk,
            "organisation": cw.org.pk,
            "source": "complaint",
            "cause": "旧案",
            "facts": "旧",
            "act_ended_on": "2022-01-01",  # out of the limitation period: refused
            "handler": cw.handler.pk,
        },
    )
    page = response.content.decode()
    assert "追责时效" in page and not PenaltyCase.objects.exists()
    assert f'<option value="{entity.pk}" selected>{entity.name}</option>' in page


def test_a_party_out_of_scope_is_refused_with_a_message(cw):
    elsewhere = make_entity(cw.w, org=cw.w.other_org)
    response = login(cw.leader).post(
        NEW,
        {
            "entity": elsewhere.pk,
            "organisation": cw.org.pk,
            "source": "complaint",
            "cause": "无证经营",
            "act_ended_on": "2025-08-01",
            "handler": cw.handler.pk,
        },
    )
    assert response.status_code == 200 and "没有该当事人" in response.content.decode()
    assert elsewhere.name not in response.content.decode()
    assert not PenaltyCase.objects.exists()


def test_the_lead_list_names_each_lead_by_party_source_and_date(cw, django_assert_max_num_queries):
    leads = [refer(cw) for _ in range(3)]
    client = login(cw.leader)
    with django_assert_max_num_queries(12):
        page = client.get("/enforcement/leads/").content.decode()
    for lead in leads:
        assert f'href="/enforcement/leads/{lead.pk}/">{lead.entity.name}</a>' in page
        assert f'<td class="mono">{lead.pk}</td>' not in page
    assert "投诉举报 · 2025年9月1日" in page


def test_the_lead_page_has_the_header_with_the_next_steps(cw, django_assert_max_num_queries):
    lead = refer(cw)
    url = f"/enforcement/leads/{lead.pk}/"
    client = login(cw.leader)
    with django_assert_max_num_queries(16):
        page = client.get(url).content.decode()
    header = page.split('id="detail-header"', 1)[1].split("</header>", 1)[0]
    assert lead.entity.name in header and "待处理" in header
    assert f'href="/enforcement/cases/new/?lead={lead.pk}"' in header
    assert 'href="#step-dismiss"' in header and 'id="step-dismiss"' in page
    assert "case_lead" not in page  # no internal code on screen
    # a supervisor may read it but decides nothing
    planner = login(cw.w.planner).get(url).content.decode()
    assert "#step-dismiss" not in planner and "?lead=" not in planner


def test_the_lead_page_links_to_its_case_once_filed(cw):
    lead = refer(cw)
    case = file_case(cw, lead=lead)
    page = login(cw.leader).get(f"/enforcement/leads/{lead.pk}/").content.decode()
    header = page.split('id="detail-header"', 1)[1].split("</header>", 1)[0]
    assert f'href="/enforcement/cases/{case.pk}/"' in header and "#step-dismiss" not in header


def test_the_lead_page_needs_the_capability_and_the_scope(cw):
    lead = refer(cw)
    url = f"/enforcement/leads/{lead.pk}/"
    assert login(make_user(cw.org, Role.PETITION_OFFICER)).get(url).status_code == 403
    assert login(make_user(cw.w.other_org, Role.LEADER)).get(url).status_code == 404
    assert login(cw.leader).get("/enforcement/leads/999999/").status_code == 404
