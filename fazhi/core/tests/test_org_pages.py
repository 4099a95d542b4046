"""Pages for organisations, departments, users, officers and credentials."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from fazhi.core import clock
from fazhi.core.models import AuditEvent, Credential, Department, Officer, Organisation, Role, User
from fazhi.core.models.org import CredentialState
from fazhi.core.tests.factories import (
    PASSWORD,
    make_credential,
    make_officer,
    make_org_tree,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return make_org_tree()


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def city_admin(tree):
    return make_user(tree.cities[0], Role.SYSTEM_ADMIN)


@pytest.fixture
def admin_client(city_admin):
    return client_for(city_admin)


def test_organisation_tree_page_shows_the_subtree_only(
    tree, admin_client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        response = admin_client.get(reverse("core:organisation_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert tree.cities[0].name in body
    assert tree.districts[0].name in body
    assert tree.cities[1].name not in body
    assert tree.province.name not in body.split("<main")[1]
    assert "org-depth-" in body


def test_create_a_district_through_the_page(tree, admin_client):
    city = tree.cities[0]
    response = admin_client.post(
        reverse("core:organisation_create"),
        {
            "name": "新区卫生健康委员会",
            "short_name": "新卫",
            "kind": "commission",
            "level": "district",
            "division_code": city.division_code[:4] + "09",
            "parent": city.pk,
        },
    )
    org = Organisation.objects.get(name="新区卫生健康委员会")
    assert response.status_code == 302
    assert response["Location"] == reverse("core:organisation_detail", args=[org.pk])
    assert org.path.startswith(city.path)


def test_bad_division_code_is_shown_in_chinese_on_the_form(tree, admin_client):
    response = admin_client.post(
        reverse("core:organisation_create"),
        {
            "name": "错码区",
            "kind": "commission",
            "level": "district",
            "division_code": "999999",
            "parent": tree.cities[0].pk,
        },
    )
    assert response.status_code == 400
    assert "行政区划代码" in response.content.decode()
    assert not Organisation.objects.filter(name="错码区").exists()


def test_parent_outside_scope_is_not_offered(tree, admin_client):
    response = admin_client.post(
        reverse("core:organisation_create"),
        {
            "name": "越权区",
            "kind": "commission",
            "level": "district",
            "division_code": tree.cities[1].division_code[:4] + "09",
            "parent": tree.cities[1].pk,
        },
    )
    assert response.status_code == 400
    assert not Organisation.objects.filter(name="越权区").exists()


def test_edit_and_move_an_organisation(tree, admin_client):
    district = tree.districts[0]
    other_city = tree.cities[0]  # same city: only rename
    response = admin_client.post(
        reverse("core:organisation_edit", args=[district.pk]),
        {
            "name": "更名区卫生健康委员会",
            "short_name": "更卫",
            "division_code": district.division_code,
            "parent": other_city.pk,
        },
    )
    assert response.status_code == 302
    district.refresh_from_db()
    assert district.name == "更名区卫生健康委员会"


def test_departments_are_added_with_htmx_and_renamed(tree, admin_client):
    org = tree.districts[0]
    url = reverse("core:department_create", args=[org.pk])
    response = admin_client.post(url, {"name": "监督科"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'id="departments"' in response.content.decode()
    assert "<html" not in response.content.decode()
    dept = Department.objects.get(organisation=org, name="监督科")
    response = admin_client.post(url, {"name": "监督科"}, HTTP_HX_REQUEST="true")
    assert "已有同名科室" in response.content.decode()
    admin_client.post(reverse("core:department_rename", args=[dept.pk]), {"name": "综合监督科"})
    dept.refresh_from_db()
    assert dept.name == "综合监督科"


def test_deactivate_organisation_needs_a_reason_and_empty_subtree(tree, admin_client):
    district = tree.districts[0]
    response = admin_client.post(
        reverse("core:organisation_deactivate", args=[district.pk]), {"reason": "撤并"}
    )
    assert response.status_code == 409
    assert "请先停用其下级机构" in response.content.decode()
    institute = tree.institute_of(district)
    response = admin_client.post(
        reverse("core:organisation_deactivate", args=[institute.pk]), {"reason": "撤并"}
    )
    assert response.status_code == 302
    institute.refresh_from_db()
    assert institute.is_active is False


def test_user_pages_list_create_edit(tree, city_admin, admin_client, django_assert_max_num_queries):
    for district in tree.districts:
        make_user(district, Role.SUPERVISOR)
    with django_assert_max_num_queries(10):  # constant: session, user, count, page, locks, nav
        response = admin_client.get(reverse("core:user_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert tree.districts[2].name not in body
    response = admin_client.post(
        reverse("core:user_create"),
        {
            "username": "zhaoliu",
            "full_name": "赵六",
            "organisation": tree.districts[0].pk,
            "role": Role.LEGAL_REVIEWER,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302, response.content.decode()
    created = User.objects.get(username="zhaoliu")
    assert created.role == Role.LEGAL_REVIEWER
    response = admin_client.post(
        reverse("core:user_create"),
        {
            "username": "weak",
            "full_name": "弱",
            "organisation": tree.districts[0].pk,
            "role": Role.SUPERVISOR,
            "password1": "abc",
            "password2": "abc",
        },
    )
    assert response.status_code == 400
    assert "密码" in response.content.decode()
    response = admin_client.post(
        reverse("core:user_edit", args=[created.pk]),
        {
            "full_name": "赵六六",
            "email": "",
            "organisation": tree.districts[1].pk,
            "role": Role.SUPERVISOR,
        },
    )
    assert response.status_code == 302
    created.refresh_from_db()
    assert (created.full_name, created.organisation_id) == ("赵六六", tree.districts[1].pk)
    # search through htmx keeps the table id
    response = admin_client.get(reverse("core:user_list"), {"q": "zhaoliu"})
    assert "zhaoliu" in response.content.decode()


def test_user_account_actions(tree, city_admin, admin_client):
    user = make_user(tree.districts[0], Role.SUPERVISOR)
    response = admin_client.post(
        reverse("core:user_reset_password", args=[user.pk]),
        {"password1": "Reset-Pass-2026", "password2": "Reset-Pass-2026"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Reset-Pass-2026")
    admin_client.post(reverse("core:user_deactivate", args=[user.pk]), {"reason": "离职"})
    user.refresh_from_db()
    assert user.is_active is False
    admin_client.post(reverse("core:user_reactivate", args=[user.pk]))
    user.refresh_from_db()
    assert user.is_active is True
    response = admin_client.post(reverse("core:user_unlock", args=[user.pk]))
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="user.unlocked").exists()
    response = admin_client.post(reverse("core:user_deactivate", args=[city_admin.pk]))
    assert response.status_code == 400
    assert "不能停用自己的账号" in response.content.decode()


def test_officer_pages(tree, admin_client, django_assert_max_num_queries):
    district = tree.districts[0]
    soon = make_officer(district, name="将到期", credential_days=30)
    expired = make_officer(district, name="已过期", credential_days=-3)
    fine = make_officer(district, name="正常", credential_days=400)
    make_officer(tree.districts[2], name="外市人员")
    with django_assert_max_num_queries(10):  # constant: session, user, count, page, prefetch
        response = admin_client.get(reverse("core:officer_list"))
    body = response.content.decode()
    assert "外市人员" not in body
    assert "credential-expiring" in body and "credential-expired" in body
    assert "30天后到期" in body
    response = admin_client.get(reverse("core:officer_list"), {"show": "attention"})
    body = response.content.decode()
    assert soon.name in body and expired.name in body and fine.name not in body

    response = admin_client.post(
        reverse("core:officer_create"),
        {"name": "新执法员", "organisation": district.pk, "title": "科员", "phone": ""},
    )
    officer = Officer.objects.get(name="新执法员")
    assert response.status_code == 302
    today = clock.today()
    response = admin_client.post(
        reverse("core:credential_issue", args=[officer.pk]),
        {
            "number": "QY-2026-0001",
            "issued_on": today.isoformat(),
            "expires_on": (today + dt.timedelta(days=5 * 365)).isoformat(),
            "issuing_authority": "清源省人民政府",
        },
    )
    assert response.status_code == 302
    credential = Credential.objects.get(number="QY-2026-0001")
    detail = admin_client.get(reverse("core:officer_detail", args=[officer.pk])).content.decode()
    # a button for each step the credential's state allows, by its Chinese name
    suspend = reverse("core:credential_suspend", args=[credential.pk])
    reinstate = reverse("core:credential_reinstate", args=[credential.pk])
    assert f'formaction="{suspend}"' in detail and reinstate not in detail
    response = admin_client.post(suspend, {"reason": "涉嫌违纪"})
    credential.refresh_from_db()
    assert credential.state == CredentialState.SUSPENDED
    detail = admin_client.get(reverse("core:officer_detail", args=[officer.pk])).content.decode()
    assert "涉嫌违纪" in detail and f'formaction="{reinstate}"' in detail and suspend not in detail
    response = admin_client.post(suspend, {"reason": "再暂扣"}, follow=True)
    assert "不能暂扣" in response.content.decode()
    response = admin_client.post(
        reverse("core:officer_edit", args=[officer.pk]),
        {"name": "新执法员", "title": "副科长", "phone": "", "is_active": "on"},
    )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.title == "副科长"


def test_credential_issue_with_expiry_before_issue_shows_error(tree, admin_client):
    officer = make_officer(tree.districts[0], credential_days=None)
    response = admin_client.post(
        reverse("core:credential_issue", args=[officer.pk]),
        {"number": "BAD-1", "issued_on": "2026-05-01", "expires_on": "2026-01-01"},
    )
    assert response.status_code == 400
    assert "有效期至不能早于发证日期" in response.content.decode()


def test_forms_carry_a_csrf_token(admin_client):
    client = Client(enforce_csrf_checks=True)
    for name in ("core:organisation_create", "core:user_create", "core:officer_create"):
        body = admin_client.get(reverse(name)).content.decode()
        assert 'name="csrfmiddlewaretoken"' in body
    response = client.post(reverse("core:login"), {"username": "x", "password": "y"})
    assert response.status_code == 403


def test_nav_by_role(tree):
    supervisor = client_for(make_user(tree.districts[0], Role.SUPERVISOR))
    body = supervisor.get(reverse("core:officer_list")).content.decode()
    assert reverse("core:user_list") not in body
    assert reverse("core:officer_list") in body
    petition = client_for(make_user(tree.districts[0], Role.PETITION_OFFICER))
    assert petition.get(reverse("core:officer_list")).status_code == 403


def test_make_credential_helper_builds_expired_credentials(tree):
    officer = make_officer(tree.districts[0], credential_days=None)
    credential = make_credential(officer, expires_in_days=-10)
    assert credential.expires_on < clock.today()


def test_lists_are_paginated(tree, admin_client, monkeypatch):
    from fazhi.core.views import _orgadmin

    monkeypatch.setattr(_orgadmin, "PAGE_SIZE", 2)
    for n in range(5):
        make_officer(tree.districts[0], name=f"分页{n}")
    first = admin_client.get(reverse("core:officer_list")).content.decode()
    assert "第 1 / 3 页" in first
    assert "分页0" in first and "分页2" not in first
    third = admin_client.get(reverse("core:officer_list"), {"page": 3}).content.decode()
    assert "分页4" in third
    users = admin_client.get(reverse("core:user_list"), {"page": 99}).content.decode()
    assert "第 1 / 1 页" not in users  # one page: no pager


def test_nav_groups_and_active_entry(tree):
    from fazhi.core.context_processors import navigation

    leader = make_user(tree.cities[0], Role.LEADER)
    request = RequestFactory().get(reverse("core:officer_list"))
    request.user = leader
    items = navigation(request)["nav_items"]
    labels = [item["label"] for item in items]
    assert labels[0] == "工作台" and "机构与人员" in labels
    workbench = items[0]
    assert workbench["active"] is False  # "/" is active only on the workbench itself
    people = next(item for item in items if item["label"] == "机构与人员")
    assert people["active"] is True
    assert [c["label"] for c in people["children"] if c["active"]] == ["执法人员"]
    # a petition officer sees neither the organisation menu nor the inspections menu
    petition = make_user(tree.districts[0], Role.PETITION_OFFICER)
    request.user = petition
    labels = [item["label"] for item in navigation(request)["nav_items"]]
    assert "机构与人员" not in labels and "双随机、一公开" not in labels


def test_edit_refuses_a_rename_together_with_a_move(tree, client):
    client.force_login(make_user(tree.province, Role.SYSTEM_ADMIN))
    district = tree.districts[0]
    response = client.post(
        reverse("core:organisation_edit", args=[district.pk]),
        {
            "name": "更名区卫生健康委员会",
            "short_name": district.short_name,
            "division_code": tree.cities[1].division_code[:4] + "08",
            "parent": tree.cities[1].pk,
        },
    )
    assert response.status_code == 400
    assert "分别提交" in response.content.decode()
    district.refresh_from_db()
    assert district.parent_id == tree.cities[0].pk and district.name != "更名区卫生健康委员会"
