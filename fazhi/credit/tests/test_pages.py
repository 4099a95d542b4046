"""Pages, API and the portal's public list: query counts that do not grow with the rows, the
steps and their refusals on the page, 4xx with stable codes in the API, masked public data."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from fazhi.core.clock import today
from fazhi.core.models import Role
from fazhi.core.tests.factories import make_user
from fazhi.credit.models import CreditListEntry, ListState, PointAlert, PointEntry
from fazhi.credit.services import lists, points
from fazhi.credit.tests.support import clinic, served_case, served_heavy_case, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def cw(clock: Any) -> Any:
    return world(clock)


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_list_pages_answer_in_few_queries_whatever_the_rows(cw, django_assert_max_num_queries):
    for _ in range(3):
        case = served_case(cw)
        points.points_record(
            actor=cw.handler,
            entity=case.entity,
            subject="institution",
            behaviour="出具虚假医学证明文件",
            case=case,
        )
        points.points_record(
            actor=cw.handler,
            entity=case.entity,
            subject="institution",
            behaviour="出具虚假医学证明文件",
        )
        lists.credit_list_enter(
            actor=cw.leader, entity=case.entity, kind="red", grounds="示范", basis="示例办法"
        )
    client = login(cw.leader)
    for url, text in (
        ("/credit/records/", "行政处罚"),
        ("/credit/points/", "出具虚假医学证明文件"),
        ("/credit/points/scores/?cycle=2025", "20分"),
        ("/credit/alerts/?state=open", "约谈"),
        ("/credit/lists/", "红名单"),
    ):
        with django_assert_max_num_queries(14):
            response = client.get(url)
        assert response.status_code == 200, url
        assert text in response.content.decode(), url
    assert client.get("/credit/points/?cycle=abc").status_code == 400


def test_pages_refuse_a_user_without_the_capability(cw):
    petition_officer = make_user(cw.org, Role.PETITION_OFFICER)
    assert login(petition_officer).get("/credit/lists/").status_code == 403
    assert login(cw.handler).get("/credit/lists/new/").status_code == 403


def test_points_are_recorded_from_the_page_and_refusals_shown_in_chinese(cw):
    entity = clinic(cw)
    client = login(cw.handler)
    page = client.get("/credit/points/new/?subject=practitioner")
    assert "执业证书编码" in page.content.decode()
    response = client.post(
        "/credit/points/new/",
        {"subject": "institution", "entity": entity.pk, "behaviour": "没有这种行为"},
    )
    assert response.status_code == 200
    assert "请从本省规则包的不良执业行为中选择" in response.content.decode()
    response = client.post(
        "/credit/points/new/",
        {"subject": "institution", "entity": entity.pk, "behaviour": "未按规定处置医疗废物"},
    )
    assert response.status_code == 302 and PointEntry.objects.get().points == 2


def test_the_alert_is_handled_from_its_list(cw):
    entity = clinic(cw)
    for _ in range(2):
        points.points_record(
            actor=cw.handler,
            entity=entity,
            subject="institution",
            behaviour="出具虚假医学证明文件",
        )
    alert = PointAlert.objects.get(consequence="重点监管")
    client = login(cw.leader)
    client.post(f"/credit/alerts/{alert.pk}/handle/", {"handling": "已列为重点监管对象"})
    alert.refresh_from_db()
    assert alert.state == "handled"


def test_the_detail_offers_the_next_steps_and_runs_them(cw):
    entry = CreditListEntry.objects.get(case=served_heavy_case(cw))
    body = login(cw.leader).get(f"/credit/lists/{entry.pk}/").content.decode()
    assert "黑名单" in body and "登记信用修复申请" not in body  # the leader has no record cap
    client = login(cw.handler)
    body = client.get(f"/credit/lists/{entry.pk}/").content.decode()
    assert "登记信用修复申请" in body
    client.post(f"/credit/lists/{entry.pk}/apply_repair/", {"reason": "已整改"})
    response = login(cw.leader).post(f"/credit/lists/{entry.pk}/approve_repair/", {}, follow=True)
    assert "最短公示期未满" in response.content.decode()
    entry.refresh_from_db()
    assert entry.state == ListState.REPAIR_REQUESTED
    assert login(cw.leader).post(f"/credit/lists/{entry.pk}/fly/").status_code == 404
    assert f'action="/credit/lists/{entry.pk}/apply_repair/"' in body


def test_the_portal_publishes_listed_entries_with_personal_data_masked(cw):
    person = clinic(cw, name="李小明", individual=True)
    lists.credit_list_enter(
        actor=cw.leader, entity=person, kind="red", grounds="李小明诚信经营", basis="示例办法"
    )
    removed = lists.credit_list_enter(
        actor=cw.leader,
        entity=clinic(cw, name="已移出诊所"),
        kind="red",
        grounds="示范",
        basis="示例办法",
    )
    lists.credit_list_remove(actor=cw.leader, entry=removed, reason="发生违法行为")
    body = Client().get("/public/credit/").content.decode()
    assert "红名单" in body and "李小明" not in body and "李*" in body
    assert "已移出诊所" not in body
    assert Client().get("/public/credit/?kind=grey").status_code == 400


def test_api_lists_records_and_steps(cw):
    case = served_heavy_case(cw)
    entry = CreditListEntry.objects.get(case=case)
    assert api(cw.leader).get("/api/credit/records/").json()["count"] == 1
    data = api(cw.leader).get(f"/api/credit/lists/{entry.pk}/").json()
    assert data["kind"] == "black" and data["next_steps"] == ["apply_repair", "remove"]
    response = api(cw.handler).post(
        "/api/credit/points/",
        {
            "entity": case.entity_id,
            "subject": "institution",
            "behaviour": "未按规定处置医疗废物",
            "case": case.pk,
        },
        format="json",
    )
    assert response.status_code == 201 and response.json()["points"] == 2
    bad = api(cw.handler).post(
        "/api/credit/points/",
        {"entity": case.entity_id, "subject": "institution", "behaviour": "乱写"},
        format="json",
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "unknown_behaviour"
    refused = api(cw.leader).post(
        f"/api/credit/lists/{entry.pk}/remove/", {"reason": "试试"}, format="json"
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "black_list_needs_repair"
    ok = api(cw.handler).post(
        f"/api/credit/lists/{entry.pk}/apply-repair/", {"reason": "已整改"}, format="json"
    )
    assert ok.status_code == 200 and ok.json()["state"] == "repair_requested"
    assert api(cw.handler).post("/api/credit/lists/", {}, format="json").status_code == 403
    created = api(cw.leader).post(
        "/api/credit/lists/",
        {"entity": clinic(cw).pk, "kind": "red", "grounds": "示范", "basis": "示例办法"},
        format="json",
    )
    assert created.status_code == 201


def test_the_forms_pick_the_entity_and_the_case_by_name_and_keep_them_after_an_error(cw):
    entity = clinic(cw)
    case = served_case(cw)
    client = login(cw.leader)
    page = client.get("/credit/lists/new/").content.decode()
    # searched pickers, not typed record numbers; today's date filled in
    assert 'data-remote="/registry/search/"' in page
    assert 'data-remote="/enforcement/cases/search/"' in page
    assert "主体编号" not in page and 'inputmode="numeric"' not in page
    assert f'name="on" value="{today().isoformat()}"' in page
    response = client.post(
        "/credit/lists/new/",
        {"kind": "red", "entity": entity.pk, "case": case.pk, "grounds": "", "basis": ""},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "alert-danger" in body
    assert f'<option value="{entity.pk}" selected>{entity.name}</option>' in body
    assert f'<option value="{case.pk}" selected>{case.entity.name}：{case.cause}' in body
    # an id outside the user's scope is not named back
    body = client.get("/credit/lists/new/?entity=999999999&case=999999999").content.decode()
    assert "selected>" not in body.split('id="entity"')[1].split("</select>")[0]
    page = login(cw.handler).get("/credit/points/new/").content.decode()
    assert 'data-remote="/registry/search/"' in page and "医疗机构编号" not in page
