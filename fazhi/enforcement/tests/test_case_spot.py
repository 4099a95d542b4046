"""The on-the-spot decision (当场处罚, 简易程序) from its page and its API: the decided case, each
of the service's guards as a Chinese alert (page) or the error envelope (API), bad input, the
capability, the menu and toolbar links and the 当场行政处罚决定书 printed from the case page."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from docx import Document

from fazhi.core.testing import at
from fazhi.core.tests.factories import make_officer
from fazhi.enforcement.models import CaseProcedure, CaseState, PenaltyCase
from fazhi.enforcement.tests.case_support import SPOT_PROVISIONS, CaseWorld, make_case_world
from fazhi.enforcement.tests.test_case_pages import login
from fazhi.inspections.tests.task_support import make_entity

pytestmark = pytest.mark.django_db

MON = dt.date(2025, 9, 1)
PAGE = "/enforcement/cases/on-the-spot/"
API = "/api/enforcement/cases/on-the-spot/"


@pytest.fixture
def cw(clock: Any) -> CaseWorld:
    clock.move_to(at(MON))
    return make_case_world()


def body(cw: CaseWorld, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "entity": make_entity(cw.w).pk,
        "handler": cw.handler.pk,
        "officers": [cw.w.officer_a.pk, cw.w.officer_b.pk],
        "cause": "从业人员未取得健康合格证明",
        "facts": "现场检查发现一名服务员无健康合格证明即为顾客服务。",
        "kinds": ["warning", "fine"],
        "fine": "500",
        **SPOT_PROVISIONS,
    }
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


def test_the_page_decides_and_opens_the_case_with_its_decision_document(cw):
    client = login(cw.handler)
    page = client.get(PAGE).content.decode()
    assert 'id="case-spot-form"' in page and "data-remote" in page  # the entity picker
    assert "3,000元以下" in page and "第五十一条" in page  # the province's limit, cited
    assert f">{cw.w.officer_a.name}（{cw.org.name}）</option>" in page
    assert 'value="suspension"' not in page  # only a warning or a fine is offered
    assert f'value="{MON.isoformat()}"' in page  # the date defaults to the clock's today
    response = client.post(PAGE, body(cw))
    case = PenaltyCase.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{case.pk}/")
    assert case.procedure == CaseProcedure.SUMMARY and case.state == CaseState.DECIDED
    assert case.fine == 500 and case.decided_on == MON and case.decision_number
    assert case.case_officers.count() == 2
    detail = client.get(response["Location"]).content.decode()
    assert case.decision_number in detail and "当场行政处罚决定书" in detail
    document = client.get(f"/enforcement/cases/{case.pk}/documents/decision.docx")
    assert document.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(document.content)).paragraphs)
    assert "当场行政处罚决定书" in text and "伍佰元" in text
    assert "立案调查" not in text and "第五十一条、第五十二条" in text
    for officer in (cw.w.officer_a, cw.w.officer_b):  # Art. 52: the officers sign, with numbers
        credential = officer.valid_credential(MON)
        assert f"执法人员（签名）：{officer.name}（执法证号：{credential.number}）" in text
    assert "当事人（签收）" in text


def test_the_page_and_the_list_link_to_it_for_the_capability_only(cw):
    assert PAGE in login(cw.handler).get("/enforcement/cases/").content.decode()
    assert "当场处罚" in login(cw.handler).get("/").content.decode()  # the side menu
    assert PAGE not in login(cw.reviewer).get("/enforcement/cases/").content.decode()
    assert login(cw.reviewer).get(PAGE).status_code == 403
    assert login(cw.reviewer).post(PAGE, body(cw)).status_code == 403
    assert login(cw.reviewer, api=True).post(API, body(cw), format="json").status_code == 403
    assert not PenaltyCase.objects.exists()


def _refusals(cw: CaseWorld) -> list[tuple[dict[str, Any], str, str]]:
    """(changes to the body, the API's error code, the page's alert)."""
    lapsed = make_officer(cw.org, name="无证人员", credential_days=None)
    elsewhere = make_entity(cw.w, org=cw.w.other_org)
    return [
        ({"fine": "3000.01"}, "summary_over_limit", "简易程序罚款不能超过3,000元"),
        ({"kinds": ["warning", "suspension"]}, "summary_kind", "只适用于警告或者罚款"),
        (
            {"officers": [cw.w.officer_a.pk, lapsed.pk]},
            "no_valid_credential",
            "无证人员没有有效的执法证",
        ),
        ({"officers": [cw.w.officer_a.pk]}, "officers_required", "两名以上执法人员"),
        ({"entity": elsewhere.pk}, "entity_required", "没有该当事人"),
        ({"organisation": cw.w.other_org.pk}, "bad_organisation", "没有该办案机构"),
        ({"violated": "", "item": None}, "violated_required", "违反的法律条款"),
        ({"fine": "-5"}, "bad_amount", "罚款金额不是有效的金额"),
        ({"fine": "1e9999"}, "bad_amount", "罚款金额不是有效的金额"),
        ({"fine": "100.005"}, "bad_amount", "最多保留两位小数"),
        ({"decided_on": "2025-09-02"}, "date_in_future", "决定日期不能晚于今天"),
    ]


def test_each_refusal_is_a_chinese_alert_on_the_page(cw):
    client = login(cw.handler)
    for changes, wanted_code, alert in _refusals(cw):
        response = client.post(PAGE, body(cw, **changes))
        assert response.status_code == 200, wanted_code
        page = response.content.decode()
        assert alert in page, wanted_code
        assert response["X-Error-Code"] == wanted_code
        assert wanted_code not in page.split('id="case-spot-form"')[0]  # no code on screen
    # bad input the form refuses before the service: the error under its field
    for changes, field in (
        ({"facts": "  "}, "facts"),
        ({"decided_on": "2025-02-30"}, "decided_on"),
        ({"officers": ["x"]}, "officers"),
    ):
        response = client.post(PAGE, body(cw, **changes))
        assert response.status_code == 200, field
        assert field in response.context["form"].errors, field
        assert "invalid-feedback" in response.content.decode(), field
    assert not PenaltyCase.objects.exists()


def test_the_api_decides_and_refuses_with_the_services_codes(cw):
    client = login(cw.handler, api=True)
    for changes, wanted_code, _ in _refusals(cw):
        response = client.post(API, body(cw, **changes), format="json")
        assert response.status_code == 400, wanted_code
        assert response.json()["error"]["code"] == wanted_code
    for changes, field in (
        ({"facts": ""}, "facts"),
        ({"decided_on": "2025-02-30"}, "decided_on"),
        ({"decided_on": "1800-01-01"}, "decided_on"),
        ({"kinds": ["nonsense"]}, "kinds"),
    ):
        response = client.post(API, body(cw, **changes), format="json")
        assert response.status_code == 400, field
        assert response.json()["error"]["code"] == "invalid_input"
    assert not PenaltyCase.objects.exists()
    response = client.post(API, body(cw, kinds=["warning"], fine=None), format="json")
    assert response.status_code == 201
    data = response.json()
    assert data["procedure"] == "summary" and data["state"] == "decided"
    assert data["decision_number"] and data["penalty_kinds"] == ["warning"]


def test_the_api_schema_documents_the_body(cw):
    schema = login(cw.handler, api=True).get("/api/schema/?format=json").json()
    operation = schema["paths"][API]["post"]
    assert "201" in operation["responses"] and "requestBody" in operation
