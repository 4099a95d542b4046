"""The steps after the decision on the case page and in the API: offered only when possible,
a refusal as a Chinese message (page) or an error envelope (API), the section with the plan,
the court enforcement and the transfer, and the API list's query count with them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from fazhi.core.testing import at
from fazhi.enforcement.execution_models import PoliceTransferState
from fazhi.enforcement.services import case_steps, cases
from fazhi.enforcement.tests.case_support import CaseWorld, file_case, make_case_world, to_decision

pytestmark = pytest.mark.django_db


@pytest.fixture
def cw(clock: Any) -> CaseWorld:
    clock.move_to(at(dt.date(2025, 9, 1)))
    return make_case_world()


def login(user: Any, api: bool = False) -> Any:
    client = APIClient() if api else Client()
    client.force_login(user)
    return client


def test_the_page_offers_the_plan_and_shows_it(cw, clock):
    case = to_decision(cw, file_case(cw), fine="3000")
    clock.move_to(at(dt.date(2025, 9, 3)))
    case = case_steps.case_serve(actor=cw.handler, case=case)
    handler, leader = login(cw.handler), login(cw.leader)
    page = handler.get(f"/enforcement/cases/{case.pk}/").content.decode()
    assert "登记暂缓或分期缴纳申请" in page and "批准暂缓或分期缴纳" not in page
    response = handler.post(
        f"/enforcement/cases/{case.pk}/arrangement_apply/",
        {
            "kind": "instalments",
            "reason": "经营困难",
            "schedule": "2025-10-15 1000\n2025-11-14 900",
        },
        follow=True,
    )
    assert "应等于罚款数额" in response.content.decode()  # the refusal, in Chinese
    handler.post(
        f"/enforcement/cases/{case.pk}/arrangement_apply/",
        {
            "kind": "instalments",
            "reason": "经营困难",
            "schedule": "2025-10-15 1000\n2025-11-14 2000",
        },
    )
    page = leader.get(f"/enforcement/cases/{case.pk}/").content.decode()
    assert "批准暂缓或分期缴纳" in page and "第2期" in page and "2025-11-14" in page
    leader.post(f"/enforcement/cases/{case.pk}/arrangement_approve/", {})
    after = login(cw.handler, api=True).get(f"/api/enforcement/cases/{case.pk}/after-decision/")
    [plan] = after.json()["arrangements"]
    assert plan["state"] == "approved"
    assert [i["amount"] for i in plan["instalments"]] == ["1000.00", "2000.00"]
    assert (
        login(cw.w.stranger, api=True)
        .get(f"/api/enforcement/cases/{case.pk}/after-decision/")
        .status_code
        == 404
    )
    page = handler.get(f"/enforcement/cases/{case.pk}/").content.decode()
    assert "分期缴纳罚款（已批准）" in page and "记录分期（暂缓）缴款" in page
    assert "arrangement_approve" not in page and "payment_arrangement" not in page


def test_the_api_walks_a_police_transfer(cw, clock):
    case = file_case(cw)
    cases.case_officer_assign(actor=cw.leader, case=case, officer=cw.w.officer_a)
    cases.case_officer_assign(actor=cw.leader, case=case, officer=cw.w.officer_b)
    api, head = login(cw.handler, api=True), login(cw.leader, api=True)
    base = f"/api/enforcement/cases/{case.pk}"
    response = api.post(f"{base}/police_report/", {"report": "涉嫌非法行医罪。"}, format="json")
    assert response.status_code == 200
    assert "police_approve" in response.json()["next_steps"]
    assert api.post(f"{base}/police_approve/", {}, format="json").status_code == 403
    response = api.post(f"{base}/police_send/", {"police": "公安分局"}, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (409, "invalid_transition")
    assert head.post(f"{base}/police_approve/", {}, format="json").status_code == 200
    response = api.post(f"{base}/police_send/", {"police": ""}, format="json")
    assert response.status_code == 400
    response = api.post(f"{base}/police_send/", {"police": "清源市公安局"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "transferred"
    assert api.post(f"{base}/police_acknowledge/", {}, format="json").status_code == 200
    response = api.post(f"{base}/police_not_filed/", {"reason": "不构成犯罪"}, format="json")
    assert response.status_code == 200
    assert api.post(f"{base}/police_return/", {}, format="json").status_code == 200
    assert case.police_transfers.get().state == PoliceTransferState.RETURNED
    after = api.get(f"{base}/after-decision/").json()
    assert after["court_enforcement"] is None and after["arrangements"] == []
    [transfer] = after["police_transfers"]
    assert (transfer["state"], transfer["police"]) == ("returned", "清源市公安局")
    page = login(cw.handler).get(f"/enforcement/cases/{case.pk}/").content.decode()
    assert "案卷已退回" in page and "公安机关退回案卷" in page
    other = login(cw.w.stranger, api=True)
    assert other.post(f"{base}/police_report/", {"report": "x"}, format="json").status_code == 404


def test_the_api_list_query_count_does_not_grow_with_the_plans(
    cw, clock, django_assert_max_num_queries
):
    for _ in range(3):
        case = to_decision(cw, file_case(cw), fine="3000")
        case_steps.case_serve(actor=cw.handler, case=case)
    api = login(cw.handler, api=True)
    with django_assert_max_num_queries(14):
        response = api.get("/api/enforcement/cases/")
    assert response.status_code == 200
    assert all("arrangement_apply" in row["next_steps"] for row in response.json()["results"])
