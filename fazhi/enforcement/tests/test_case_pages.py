"""Penalty cases: the pages and the API (filters, pagination, query counts, a form per step,
refusals as messages or error envelopes, permission and scope)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from fazhi.core.models import Role
from fazhi.core.testing import at
from fazhi.core.tests.factories import make_user
from fazhi.enforcement.models import CaseState, PenaltyCase
from fazhi.enforcement.tests.case_support import (
    CaseWorld,
    file_case,
    investigate,
    make_case_world,
    notify,
)
from fazhi.inspections.tests.task_support import make_entity

pytestmark = pytest.mark.django_db

MON = dt.date(2025, 9, 1)


@pytest.fixture
def cw(clock: Any) -> CaseWorld:
    clock.move_to(at(MON))
    return make_case_world()


def login(user: Any, api: bool = False) -> Any:
    client = APIClient() if api else Client()
    client.force_login(user)
    return client


def test_the_list_filters_and_counts_its_queries(cw, django_assert_max_num_queries):
    for _ in range(3):
        file_case(cw)
    investigate(cw, file_case(cw))
    client = login(cw.handler)
    with django_assert_max_num_queries(12):
        response = client.get("/enforcement/cases/")
    assert response.status_code == 200
    assert response.content.decode().count("未取得公共场所卫生许可证擅自营业") == 4
    with django_assert_max_num_queries(12):
        response = client.get("/enforcement/cases/?state=investigated&year=2025")
    assert response.content.decode().count("未取得公共场所卫生许可证擅自营业") == 1
    assert client.get("/enforcement/cases/?state=nonsense").status_code == 400
    assert (
        login(make_user(cw.org, Role.PETITION_OFFICER)).get("/enforcement/cases/").status_code
        == 403
    )


def test_the_detail_offers_the_next_steps_and_a_step_reports_a_refusal(cw):
    case = file_case(cw)
    page = login(cw.leader).get(f"/enforcement/cases/{case.pk}/").content.decode()
    assert "调查中" in page and "指派承办人员" in page and "撤销立案" in page
    # the header: the state and the possible next steps as buttons to their forms
    header = page.split('id="detail-header"', 1)[1].split("</header>", 1)[0]
    assert "调查中" in header and 'href="#step-assign_officer"' in header
    assert 'id="step-assign_officer"' in page
    assert "penalty_case" not in page  # no internal code on the screen
    response = login(cw.handler).post(
        f"/enforcement/cases/{case.pk}/end_investigation/", {"report": "查明"}, follow=True
    )
    assert "两名以上" in response.content.decode()
    case.refresh_from_db()
    assert case.state == CaseState.FILED
    client = login(cw.leader)
    for officer in (cw.w.officer_a, cw.w.officer_b):
        client.post(f"/enforcement/cases/{case.pk}/assign_officer/", {"officer": officer.pk})
    response = login(cw.handler).post(
        f"/enforcement/cases/{case.pk}/end_investigation/", {"report": "查明"}, follow=True
    )
    assert "已调查终结" in response.content.decode()
    case.refresh_from_db()
    assert case.state == CaseState.INVESTIGATED
    page = login(cw.handler).get(f"/enforcement/cases/{case.pk}/").content.decode()
    assert "告知拟处罚决定" in page and "调查终结" in page  # the timeline


def test_forms_choose_records_by_name_never_by_number(cw):
    """Officers, the approving leader and the handler are chosen from selects of names; the page
    shows no record number (no '编号' to type)."""
    case = file_case(cw)
    page = login(cw.leader).get(f"/enforcement/cases/{case.pk}/").content.decode()
    officer = cw.w.officer_a
    assert f'<option value="{officer.pk}">{officer.name}</option>' in page
    main = page.split('id="main"', 1)[-1] if 'id="main"' in page else page.split("<h1", 1)[-1]
    assert "人员编号" not in main and "（编号" not in main
    filing = login(cw.leader).get("/enforcement/cases/new/").content.decode()
    assert "用户编号" not in filing and "机构编号" not in filing
    assert f'<option value="{cw.org.pk}">{cw.org.name}</option>' in filing


def test_steps_need_their_capability_and_scope(cw):
    case = file_case(cw)
    assert (
        login(cw.handler)
        .post(f"/enforcement/cases/{case.pk}/withdraw/", {"reason": "无"})
        .status_code
        == 403
    )
    stranger = make_user(cw.w.other_org, Role.LEADER)
    assert login(stranger).get(f"/enforcement/cases/{case.pk}/").status_code == 404
    assert (
        login(stranger)
        .post(f"/enforcement/cases/{case.pk}/withdraw/", {"reason": "无"})
        .status_code
        == 404
    )


def test_filing_through_the_page(cw):
    entity = make_entity(cw.w)
    response = login(cw.leader).post(
        "/enforcement/cases/new/",
        {
            "entity": entity.pk,
            "organisation": cw.org.pk,
            "source": "complaint",
            "cause": "无证经营",
            "facts": "投诉无证经营。",
            "act_ended_on": "2025-08-01",
            "handler": cw.handler.pk,
        },
    )
    case = PenaltyCase.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{case.pk}/")
    response = login(cw.leader).post(
        "/enforcement/cases/new/",
        {
            "entity": entity.pk,
            "organisation": cw.org.pk,
            "source": "complaint",
            "cause": "旧案",
            "facts": "旧",
            "act_ended_on": "2022-01-01",
            "handler": cw.handler.pk,
        },
    )
    assert "追责时效" in response.content.decode()
    assert login(cw.handler).get("/enforcement/cases/new/").status_code == 403


def test_the_api_walks_a_case_and_answers_refusals(cw, clock):
    entity = make_entity(cw.w)
    api = login(cw.leader, api=True)
    response = api.post(
        "/api/enforcement/cases/",
        {
            "entity": entity.pk,
            "organisation": cw.org.pk,
            "source": "routine",
            "cause": "无证经营",
            "facts": "日常监督发现。",
            "act_ended_on": "2025-08-01",
            "handler": cw.handler.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    case_id = response.json()["id"]
    assert response.json()["next_steps"][:2] == ["assign_officer", "recuse_officer"]
    for officer in (cw.w.officer_a, cw.w.officer_b):
        assert (
            api.post(
                f"/api/enforcement/cases/{case_id}/assign_officer/",
                {"officer": officer.pk},
                format="json",
            ).status_code
            == 200
        )
    handler = login(cw.handler, api=True)
    response = handler.post(f"/api/enforcement/cases/{case_id}/decide/", {}, format="json")
    assert response.status_code == 403  # the handler does not decide
    response = api.post(
        f"/api/enforcement/cases/{case_id}/decide/", {"outcome": "penalty"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"
    response = handler.post(
        f"/api/enforcement/cases/{case_id}/end_investigation/", {"report": "查明"}, format="json"
    )
    assert response.json()["state"] == "investigated"
    response = handler.post(
        f"/api/enforcement/cases/{case_id}/notify/",
        {"kinds": ["fine"], "fine": "1.005"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_amount"
    response = handler.post(
        f"/api/enforcement/cases/{case_id}/notify/",
        {"kinds": ["fine"], "fine": "800"},
        format="json",
    )
    assert response.json()["state"] == "notified" and response.json()["proposed_fine"] == "800.00"
    response = api.post(
        f"/api/enforcement/cases/{case_id}/decide/",
        {"outcome": "penalty", "fine": "800"},
        format="json",
    )
    assert response.status_code == 409 and response.json()["error"]["code"] == "window_open"
    assert api.get("/api/enforcement/cases/?state=notified").json()["count"] == 1
    stranger = login(make_user(cw.w.other_org, Role.LEADER), api=True)
    assert stranger.get(f"/api/enforcement/cases/{case_id}/").status_code == 404


def test_a_lead_refers_to_filing(cw):
    case = notify(cw, investigate(cw, file_case(cw)))
    assert case.state == CaseState.NOTIFIED


def test_evidence_is_uploaded_linked_and_listed(cw, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fazhi.core.models import AttachmentLink
    from fazhi.enforcement.services import case_steps
    from fazhi.enforcement.services import cases as case_services

    settings.MEDIA_ROOT = tmp_path
    case = file_case(cw)
    client = login(cw.handler)
    upload = SimpleUploadedFile("询问笔录.pdf", b"%PDF-1.4\n1 0 obj\n", "application/pdf")
    response = client.post(f"/enforcement/cases/{case.pk}/evidence/", {"file": upload})
    assert response.status_code == 302
    link = AttachmentLink.objects.get()
    assert (link.object_id, link.kind) == (str(case.pk), "evidence")
    page = client.get(f"/enforcement/cases/{case.pk}/").content.decode()
    assert "询问笔录.pdf" in page
    case = case_steps.case_withdraw(actor=cw.leader, case=case, reason="当事人已注销")
    from fazhi.core import errors

    with pytest.raises(errors.InvalidTransition):
        case_services.case_evidence_add(
            actor=cw.handler, case=case, file=io.BytesIO(b"%PDF-1.4\n"), filename="补充.pdf"
        )
    assert login(cw.reviewer).post(f"/enforcement/cases/{case.pk}/evidence/").status_code == 403


def test_the_detail_page_counts_its_queries(cw, django_assert_max_num_queries):
    case = notify(cw, investigate(cw, file_case(cw)))
    client = login(cw.leader)
    client.get(f"/enforcement/cases/{case.pk}/")  # warm the content-type cache
    # a fixed number per section (header and steps, provisions and their benchmark items, the
    # after-decision section: plans, court enforcement, police transfers; file pre-check,
    # publicity, deadlines, attachments, timeline), none per row
    with django_assert_max_num_queries(30):
        assert client.get(f"/enforcement/cases/{case.pk}/").status_code == 200
