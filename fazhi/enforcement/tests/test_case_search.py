"""The case picker's search endpoint (``enforcement:case_search``): scope, size limit, bad
input, permission (decision 0081)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fazhi.core.models import AuditEvent, Role
from fazhi.core.tests.factories import make_user
from fazhi.enforcement.selectors import cases as case_selectors
from fazhi.enforcement.tests.case_support import CaseWorld, file_case, make_case_world
from fazhi.inspections.tests.task_support import make_entity

pytestmark = pytest.mark.django_db

URL = "/enforcement/cases/search/"


@pytest.fixture
def cw() -> CaseWorld:
    return make_case_world()


def search(client, user, **query):
    client.force_login(user)
    return client.get(URL, query)


def test_the_url_is_the_pickers():
    assert reverse("enforcement:case_search") == URL


def test_finds_by_party_cause_or_code_in_the_users_scope_only(cw, client):
    party = make_entity(cw.w, name="鼓楼区第一人民医院")
    mine = file_case(cw, entity=party, cause="使用未取得执业资格人员")
    other = file_case(cw, cause="未依法取得卫生许可证")
    theirs = file_case(
        cw,
        actor=make_user(cw.w.other_org.parent, Role.LEADER),
        organisation=cw.w.other_org,
        handler=cw.w.stranger,
        entity=make_entity(cw.w, org=cw.w.other_org, name="台江区第一人民医院"),
    )
    response = search(client, cw.leader, q="第一人民")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["value"] for r in results] == [mine.pk]
    text = results[0]["text"]
    assert party.name in text and mine.cause in text and "立案" in text and "#" not in text
    assert [r["value"] for r in search(client, cw.leader, q="执业资格").json()["results"]] == [
        mine.pk
    ]
    by_code = search(client, cw.leader, q=party.code.lower()).json()["results"]
    assert [r["value"] for r in by_code] == [mine.pk]
    assert other.pk not in {r["value"] for r in by_code}
    # the other district's case is not found even by its party's exact code
    assert search(client, cw.leader, q=theirs.entity.code).json()["results"] == []


def test_answers_at_most_the_limit_with_bounded_queries(cw, client, django_assert_max_num_queries):
    party = make_entity(cw.w, name="连锁药店")
    for _ in range(case_selectors.SEARCH_LIMIT + 1):
        file_case(cw, entity=party)
    client.force_login(cw.leader)
    with django_assert_max_num_queries(8):
        response = client.get(URL, {"q": "连锁药店"})
    assert len(response.json()["results"]) == case_selectors.SEARCH_LIMIT
    found = case_selectors.penalty_case_search(user=cw.leader, q="连锁药店", limit=1000)
    assert len(found) == case_selectors.SEARCH_LIMIT


def test_an_empty_text_finds_nothing_and_a_long_one_is_refused(cw, client):
    file_case(cw)
    assert search(client, cw.leader, q="   ").json() == {"results": []}
    assert search(client, cw.leader).json() == {"results": []}
    response = search(client, cw.leader, q="案" * 101)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_parameter" and "100" in error["message"]


def test_refused_without_the_case_capability_and_recorded(cw, client):
    officer = make_user(cw.org, Role.PETITION_OFFICER)
    file_case(cw)
    response = search(client, officer, q="许可证")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert AuditEvent.objects.filter(actor=officer, action="access.denied").count() == 1


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(URL, {"q": "医院"})
    assert response.status_code == 302 and "login" in response["Location"]
