"""The 文书编号 page and the document-number list API: scope, capabilities, errors, queries."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from fazhi.core import clock
from fazhi.core.audit_verify import verify
from fazhi.core.models import (
    AuditEvent,
    DocumentNumber,
    DocumentNumberCounter,
    DocumentType,
    Role,
    User,
)
from fazhi.core.services.numbering import document_number_issue, document_type_create
from fazhi.core.tests.factories import (
    make_org_tree,
    make_user,
)

pytestmark = pytest.mark.django_db
YEAR = clock.today().year
PAGE = reverse("core:docnumber_list")
CREATE = reverse("core:document_type_create")
ISSUE = reverse("core:docnumber_issue")


@pytest.fixture
def w() -> dict[str, Any]:
    tree = make_org_tree()
    district, sibling, neighbour = tree.districts[0], tree.districts[1], tree.districts[2]
    penalty = document_type_create(
        actor=None, organisation=district, key="penalty", name="行政处罚决定书", prefix="甲卫医罚"
    )
    sibling_type = document_type_create(
        actor=None, organisation=sibling, key="penalty", name="行政处罚决定书", prefix="丙卫医罚"
    )
    foreign = document_type_create(
        actor=None, organisation=neighbour, key="penalty", name="行政处罚决定书", prefix="乙卫医罚"
    )
    return {
        "tree": tree,
        "district": district,
        "sibling": sibling,
        "neighbour": neighbour,
        "penalty": penalty,
        "sibling_type": sibling_type,
        "foreign": foreign,
        "admin": make_user(district, Role.SYSTEM_ADMIN),
        "sup": make_user(district, Role.SUPERVISOR),
        "viewer": make_user(district, Role.VIEWER),
        "leader": make_user(tree.cities[0], Role.LEADER),
        "petition": make_user(district, Role.PETITION_OFFICER),
        "other_sup": make_user(neighbour, Role.SUPERVISOR),
    }


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_for(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _issue(organisation, n: int, *, year: int = YEAR, key: str = "penalty") -> None:
    for _ in range(n):
        document_number_issue(actor=None, organisation=organisation, type_key=key, year=year)


def _denials(user: User) -> list[dict[str, Any]]:
    return [
        json.loads(e.details_json)
        for e in AuditEvent.objects.filter(action="access.denied", actor_id=user.pk)
    ]


# --- the page ------------------------------------------------------------------------------------


def test_page_shows_the_types_in_scope_and_the_issue_form(w):
    _issue(w["district"], 2)
    _issue(w["district"], 1, year=YEAR - 1)
    _issue(w["neighbour"], 1)
    response = client_for(w["sup"]).get(PAGE)
    assert response.status_code == 200
    body = response.content.decode()
    main = body.split("<main")[1]
    assert "文书编号" in body.split("<main")[0]  # the navigation entry
    assert "甲卫医罚" in main and "乙卫医罚" not in main and "丙卫医罚" not in main
    assert f"甲卫医罚〔{YEAR}〕2号" in main and f"甲卫医罚〔{YEAR - 1}〕1号" in main
    types_table = main.split('id="docnumber-types"')[1].split("</table>")[0]
    assert '<td class="text-end">2</td>' in types_table  # issued this year, not last year's
    assert 'id="issue-form"' in main and 'id="type-form"' not in main
    assert f'value="{YEAR}"' in main  # the year defaults to this year


def test_leader_and_viewer_read_without_forms(w):
    _issue(w["sibling"], 1)
    main = client_for(w["leader"]).get(PAGE).content.decode().split("<main")[1]
    assert "甲卫医罚" in main and "丙卫医罚" in main and "乙卫医罚" not in main
    assert f"丙卫医罚〔{YEAR}〕1号" in main
    assert 'id="issue-form"' not in main and 'id="type-form"' not in main
    viewer = client_for(w["viewer"]).get(PAGE)
    assert viewer.status_code == 200 and 'id="issue-form"' not in viewer.content.decode()


def test_create_a_type_and_issue_a_number_through_the_page(w):
    client = client_for(w["admin"])
    assert 'id="type-form"' in client.get(PAGE).content.decode()
    response = client.post(
        CREATE,
        {
            "organisation": w["district"].pk,
            "key": "opinion",
            "name": "卫生监督意见书",
            "prefix": "甲卫医意",
        },
    )
    assert response.status_code == 302 and response["Location"] == PAGE
    doc_type = DocumentType.objects.get(prefix="甲卫医意")
    assert (doc_type.organisation_id, doc_type.key) == (w["district"].pk, "opinion")
    created = AuditEvent.objects.get(action="document_type.created", object_id=str(doc_type.pk))
    assert created.actor_id == w["admin"].pk
    assert "已新增文书类型" in client.get(PAGE).content.decode()

    response = client.post(ISSUE, {"document_type": doc_type.pk, "year": ""}, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    text = f"甲卫医意〔{YEAR}〕1号"
    assert f'id="issued-number">{text}</strong>' in body  # shown prominently, ready to copy
    issued = DocumentNumber.objects.get(text=text)
    event = AuditEvent.objects.get(action="document_number.issued", object_id=str(issued.pk))
    assert event.actor_id == w["admin"].pk and event.organisation_id == w["district"].pk

    client.post(ISSUE, {"document_type": doc_type.pk, "year": 2024})
    assert DocumentNumber.objects.filter(document_type=doc_type, year=2024).get().serial == 1
    assert verify().ok


def test_a_supervisor_issues_but_may_not_create_types(w):
    client = client_for(w["sup"])
    client.post(ISSUE, {"document_type": w["penalty"].pk, "year": YEAR})
    assert DocumentNumber.objects.get().text == f"甲卫医罚〔{YEAR}〕1号"
    refused = client.post(
        CREATE, {"organisation": w["district"].pk, "key": "x", "name": "书", "prefix": "甲"}
    )
    assert refused.status_code == 403
    assert "没有执行此操作的权限" in refused.content.decode()
    assert DocumentType.objects.filter(key="x").count() == 0
    assert [d["attempted"] for d in _denials(w["sup"])] == [f"POST {CREATE}"]


def test_refusals_are_403_and_recorded(w):
    viewer = client_for(w["viewer"])
    assert viewer.post(ISSUE, {"document_type": w["penalty"].pk}).status_code == 403
    assert viewer.post(CREATE, {"organisation": w["district"].pk}).status_code == 403
    assert not DocumentNumber.objects.exists()
    assert [d["attempted"] for d in _denials(w["viewer"])] == [f"POST {ISSUE}", f"POST {CREATE}"]
    # a petition officer has no organisation-wide read: the page itself is refused
    petition = client_for(w["petition"])
    assert petition.get(PAGE).status_code == 403
    assert [d["attempted"] for d in _denials(w["petition"])] == [f"GET {PAGE}"]
    assert "文书编号" not in petition.get(reverse("core:workbench")).content.decode()
    assert Client().get(PAGE).status_code == 302  # to the login page
    # a link on the page re-rendered at a form's URL after an error leads back to the list
    followed = client_for(w["sup"]).get(ISSUE, {"year": "2024", "page": "2"})
    assert followed.status_code == 302 and followed["Location"] == f"{PAGE}?year=2024&page=2"
    assert client_for(w["sup"]).get(CREATE)["Location"] == PAGE
    assert verify().ok


def test_out_of_scope_is_404_and_recorded(w):
    sup = client_for(w["sup"])
    response = sup.post(ISSUE, {"document_type": w["foreign"].pk, "year": YEAR})
    assert response.status_code == 404
    assert "记录不存在或不在您的数据范围内" in response.content.decode()
    assert sup.post(ISSUE, {"document_type": 10**8}).status_code == 404
    assert sup.get(PAGE, {"type": w["foreign"].pk}).status_code == 404
    assert not DocumentNumber.objects.exists() and not DocumentNumberCounter.objects.exists()
    assert len(_denials(w["sup"])) == 2  # the two existing foreign ids, not the missing one

    admin = client_for(w["admin"])
    response = admin.post(
        CREATE,
        {"organisation": w["neighbour"].pk, "key": "x", "name": "意见书", "prefix": "乙卫医意"},
    )
    assert response.status_code == 404
    assert not DocumentType.objects.filter(key="x").exists()
    assert len(_denials(w["admin"])) == 1


@pytest.mark.parametrize(
    ("key", "name", "prefix", "message"),
    [
        ("Penalty", "决定书", "甲卫新", "类型代码须以小写字母开头"),
        ("", "决定书", "甲卫新", "类型代码须以小写字母开头"),
        ("new", "", "甲卫新", "文书名称不能为空"),
        ("new", "决定书", "甲卫〔新", "文号代字不能为空，不超过30个字，且不含括号"),
        ("new", "决定书", "", "文号代字不能为空"),
        ("penalty", "决定书", "甲卫新", "本机构已有该类型代码的文书类型"),
        ("new", "决定书", "乙卫医罚", "该文号代字已被其他文书类型使用"),
    ],
)
def test_bad_type_input_is_shown_in_chinese_and_nothing_is_written(w, key, name, prefix, message):
    client = client_for(w["admin"])
    types, events = DocumentType.objects.count(), AuditEvent.objects.count()
    response = client.post(
        CREATE, {"organisation": w["district"].pk, "key": key, "name": name, "prefix": prefix}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert f'value="{prefix}"' in body or not prefix  # the input is kept
    assert DocumentType.objects.count() == types
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    ("year", "message"),
    [
        ("1999", "文号年份应在2000年至"),
        (str(YEAR + 2), "文号年份应在2000年至"),
        ("abc", "文号年份应为四位数字"),
    ],
)
def test_bad_year_is_shown_in_chinese_and_nothing_is_written(w, year, message):
    client = client_for(w["sup"])
    events = AuditEvent.objects.count()
    response = client.post(ISSUE, {"document_type": w["penalty"].pk, "year": year})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not DocumentNumber.objects.exists() and not DocumentNumberCounter.objects.exists()
    assert AuditEvent.objects.count() == events


def test_filters_and_pagination(w):
    _issue(w["district"], 55)
    _issue(w["district"], 2, year=2024)
    document_type_create(
        actor=None, organisation=w["district"], key="opinion", name="意见书", prefix="甲卫医意"
    )
    _issue(w["district"], 1, key="opinion")
    client = client_for(w["sup"])
    first = client.get(PAGE).content.decode()
    assert "第 1 / 2 页" in first and "共 58 条" in first
    assert f"甲卫医意〔{YEAR}〕1号" in first  # newest first
    by_type = client.get(PAGE, {"type": w["penalty"].pk, "year": YEAR}).content.decode()
    assert "共 55 条" in by_type and "甲卫医意" not in by_type.split('id="docnumber-table"')[1]
    second = client.get(PAGE, {"type": w["penalty"].pk, "year": YEAR, "page": 2}).content
    assert f"甲卫医罚〔{YEAR}〕1号".encode() in second
    old = client.get(PAGE, {"year": 2024}).content.decode().split('id="docnumber-table"')[1]
    assert "甲卫医罚〔2024〕2号" in old and f"〔{YEAR}〕" not in old
    bad = client.get(PAGE, {"year": "abc"})
    assert bad.status_code == 200 and "年度应为四位数字" in bad.content.decode()
    assert "没有符合条件的文号" in bad.content.decode()


def test_page_queries_do_not_grow_with_the_numbers(w, django_assert_max_num_queries):
    client = client_for(w["admin"])  # sees both forms: the most queries
    _issue(w["district"], 3)
    # 11: the system admin's pages also count deadlines waiting for the calendar (one query).
    with django_assert_max_num_queries(11) as few:
        assert client.get(PAGE).status_code == 200
    _issue(w["district"], 120)
    _issue(w["district"], 30, year=YEAR - 1)
    for n in range(5):
        document_type_create(
            actor=None, organisation=w["district"], key=f"t{n}", name="书", prefix=f"甲卫{n}"
        )
        _issue(w["district"], 2, key=f"t{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(PAGE).status_code == 200
    with django_assert_max_num_queries(len(few.captured_queries) + 1):  # + the type filter
        assert client.get(PAGE, {"type": w["penalty"].pk, "page": 2}).status_code == 200


# --- the API -------------------------------------------------------------------------------------

TYPES_API = "/api/document-types/"
NUMBERS_API = "/api/document-numbers/"


def test_api_lists_types_in_scope(w):
    sup = api_for(w["sup"]).get(TYPES_API)
    assert sup.status_code == 200
    body = sup.json()
    assert body["count"] == 1
    assert body["results"] == [
        {
            "id": w["penalty"].pk,
            "organisation": w["district"].pk,
            "organisation_name": w["district"].name,
            "key": "penalty",
            "name": "行政处罚决定书",
            "prefix": "甲卫医罚",
        }
    ]
    leader = api_for(w["leader"])
    assert {t["prefix"] for t in leader.get(TYPES_API).json()["results"]} == {
        "甲卫医罚",
        "丙卫医罚",
    }
    only = leader.get(TYPES_API, {"organisation": w["sibling"].pk}).json()["results"]
    assert [t["prefix"] for t in only] == ["丙卫医罚"]
    assert leader.get(TYPES_API, {"organisation": w["neighbour"].pk}).status_code == 404
    assert api_for(w["petition"]).get(TYPES_API).status_code == 403
    assert len(_denials(w["leader"])) == 1 and len(_denials(w["petition"])) == 1


def test_api_lists_numbers_scoped_filtered_and_paginated(w):
    _issue(w["district"], 3)
    _issue(w["district"], 2, year=2024)
    _issue(w["sibling"], 1)
    _issue(w["neighbour"], 4)
    sup = api_for(w["sup"])
    body = sup.get(NUMBERS_API).json()
    assert body["count"] == 5
    assert body["results"][0]["text"] == "甲卫医罚〔2024〕2号"  # newest first
    assert set(body["results"][0]) == {
        "id",
        "text",
        "document_type",
        "type_key",
        "type_name",
        "organisation",
        "year",
        "serial",
        "issued_at",
    }
    page = sup.get(NUMBERS_API, {"year": YEAR, "limit": 2, "offset": 2}).json()
    assert page["count"] == 3 and [n["serial"] for n in page["results"]] == [1]
    assert page["previous"] is not None and page["next"] is None
    assert sup.get(NUMBERS_API, {"type_key": "nope"}).json()["count"] == 0
    leader = api_for(w["leader"])
    assert leader.get(NUMBERS_API).json()["count"] == 6
    assert leader.get(NUMBERS_API, {"type_key": "penalty", "year": str(YEAR)}).json()["count"] == 4
    by_type = leader.get(NUMBERS_API, {"document_type": w["sibling_type"].pk}).json()
    assert [n["text"] for n in by_type["results"]] == [f"丙卫医罚〔{YEAR}〕1号"]
    by_org = leader.get(NUMBERS_API, {"organisation": w["district"].pk, "year": 2024}).json()
    assert by_org["count"] == 2 and {n["organisation"] for n in by_org["results"]} == {
        w["district"].pk
    }
    # another organisation's rows are "not found", and the attempt is recorded
    assert sup.get(NUMBERS_API, {"document_type": w["foreign"].pk}).status_code == 404
    assert sup.get(NUMBERS_API, {"organisation": w["neighbour"].pk}).status_code == 404
    assert sup.get(NUMBERS_API, {"document_type": 10**8}).status_code == 404
    assert len(_denials(w["sup"])) == 2
    bad = sup.get(NUMBERS_API, {"year": "abc"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_parameter"
    assert api_for(w["petition"]).get(NUMBERS_API).status_code == 403
    assert api_for(w["other_sup"]).get(NUMBERS_API).json()["count"] == 4


def test_api_issue_still_works_and_shows_in_the_list(w):
    client = api_for(w["sup"])
    issued = client.post(NUMBERS_API, {"type_key": "penalty", "year": 2024}, format="json")
    assert issued.status_code == 201 and issued.json() == {"number": "甲卫医罚〔2024〕1号"}
    assert [n["text"] for n in client.get(NUMBERS_API).json()["results"]] == ["甲卫医罚〔2024〕1号"]
    refused = api_for(w["viewer"]).post(NUMBERS_API, {"type_key": "penalty"}, format="json")
    assert refused.status_code == 403
    foreign = client.post(
        NUMBERS_API, {"organisation": w["neighbour"].pk, "type_key": "penalty"}, format="json"
    )
    assert foreign.status_code == 404
    assert foreign.json()["error"]["code"] == "not_found"
    assert len(_denials(w["sup"])) == 1 and len(_denials(w["viewer"])) == 1
    assert DocumentNumber.objects.count() == 1
