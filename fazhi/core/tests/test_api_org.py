"""API for organisations, users, officers and credentials: same scope as the pages."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from fazhi.core import clock
from fazhi.core.models import AuditEvent, Credential, Organisation, Role, User
from fazhi.core.tests.factories import (
    PASSWORD,
    make_officer,
    make_org_tree,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return make_org_tree()


def api_for(user: User) -> APIClient:
    client = APIClient()
    token = Token.objects.create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def city_admin(tree):
    return make_user(tree.cities[0], Role.SYSTEM_ADMIN)


def test_token_is_obtained_with_username_and_password(tree):
    user = make_user(tree.districts[0], Role.SUPERVISOR)
    response = APIClient().post(
        reverse("api-token"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert Token.objects.get(user=user).key == response.json()["token"]


def test_anonymous_requests_are_refused(tree):
    response = APIClient().get("/api/organisations/")
    assert response.status_code in (401, 403)
    assert "error" in response.json()


def test_organisation_list_is_scoped_and_bounded(tree, city_admin, django_assert_max_num_queries):
    client = api_for(city_admin)
    with django_assert_max_num_queries(6):
        response = client.get("/api/organisations/")
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {o.pk for o in tree.all if o.path.startswith(tree.cities[0].path)}


def test_out_of_scope_ids_are_404_with_the_envelope_and_recorded(tree):
    supervisor = make_user(tree.districts[0], Role.SUPERVISOR)
    other_officer = make_officer(tree.districts[2])
    other_user = make_user(tree.districts[2], Role.SUPERVISOR)
    client = api_for(supervisor)
    for url in (
        f"/api/organisations/{tree.districts[2].pk}/",
        f"/api/officers/{other_officer.pk}/",
        f"/api/credentials/{other_officer.credentials.get().pk}/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["error"]["code"] == "not_found"
    denials = AuditEvent.objects.filter(action="access.denied", actor_id=supervisor.pk)
    assert denials.count() == 3
    # users are for system admins only: 403 before any lookup
    assert client.get(f"/api/users/{other_user.pk}/").status_code == 403
    admin = make_user(tree.cities[0], Role.SYSTEM_ADMIN)
    assert api_for(admin).get(f"/api/users/{other_user.pk}/").status_code == 404


def test_create_and_patch_organisation(tree, city_admin):
    client = api_for(city_admin)
    city = tree.cities[0]
    response = client.post(
        "/api/organisations/",
        {
            "name": "接口新区卫生健康委员会",
            "kind": "commission",
            "level": "district",
            "division_code": city.division_code[:4] + "08",
            "parent": city.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    org_id = response.json()["id"]
    response = client.patch(f"/api/organisations/{org_id}/", {"short_name": "接卫"}, format="json")
    assert response.json()["short_name"] == "接卫"
    response = client.post(
        "/api/organisations/",
        {
            "name": "坏码",
            "kind": "commission",
            "level": "district",
            "division_code": "12",
            "parent": city.pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "division_code_format"
    response = client.post(
        "/api/organisations/",
        {
            "name": "他市新区",
            "kind": "commission",
            "level": "district",
            "division_code": tree.cities[1].division_code[:4] + "08",
            "parent": tree.cities[1].pk,
        },
        format="json",
    )
    assert response.status_code == 404
    assert not Organisation.objects.filter(name="他市新区").exists()


def test_users_api_create_patch_and_city_boundary(tree, city_admin):
    client = api_for(city_admin)
    response = client.post(
        "/api/users/",
        {
            "username": "api_user",
            "full_name": "接口用户",
            "organisation": tree.districts[0].pk,
            "role": "supervisor",
            "password": PASSWORD,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert "password" not in response.json()
    user_id = response.json()["id"]
    response = client.patch(f"/api/users/{user_id}/", {"role": "legal_reviewer"}, format="json")
    assert response.json()["role"] == "legal_reviewer"
    response = client.patch(f"/api/users/{user_id}/", {"is_active": False}, format="json")
    assert response.json()["is_active"] is False
    response = client.post(
        "/api/users/",
        {
            "username": "intruder",
            "full_name": "越权",
            "organisation": tree.districts[2].pk,
            "role": "supervisor",
            "password": PASSWORD,
        },
        format="json",
    )
    assert response.status_code == 404
    assert not User.objects.filter(username="intruder").exists()
    response = client.post(
        "/api/users/",
        {
            "username": "weakling",
            "full_name": "弱密码",
            "organisation": tree.districts[0].pk,
            "role": "supervisor",
            "password": "123",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "weak_password"
    leader = make_user(tree.cities[0], Role.LEADER)
    response = api_for(leader).get("/api/users/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_officers_and_credentials_api(tree, city_admin, django_assert_max_num_queries):
    client = api_for(city_admin)
    for district in tree.districts:
        make_officer(district, credential_days=30)
    with django_assert_max_num_queries(6):
        response = client.get("/api/officers/")
    rows = response.json()["results"]
    assert len(rows) == 2
    assert all(len(row["credentials"]) == 1 for row in rows)
    response = client.post(
        "/api/officers/",
        {"name": "接口执法员", "organisation": tree.districts[0].pk},
        format="json",
    )
    assert response.status_code == 201
    officer_id = response.json()["id"]
    response = client.patch(f"/api/officers/{officer_id}/", {"title": "科长"}, format="json")
    assert response.json()["title"] == "科长"
    today = clock.today()
    response = client.post(
        "/api/credentials/",
        {
            "officer": officer_id,
            "number": "API-0001",
            "issued_on": today.isoformat(),
            "expires_on": (today + dt.timedelta(days=20)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201
    credential_id = response.json()["id"]
    expiring = client.get("/api/credentials/", {"expiring_within": 25}).json()["results"]
    assert credential_id in {row["id"] for row in expiring}
    response = client.post(
        f"/api/credentials/{credential_id}/suspend/", {"reason": "涉嫌违纪"}, format="json"
    )
    assert response.json()["state"] == "suspended"
    assert response.json()["state_reason"] == "涉嫌违纪"
    response = client.post(
        f"/api/credentials/{credential_id}/revoke/", {"reason": "调离"}, format="json"
    )
    assert response.json()["state"] == "revoked"
    response = client.post(
        f"/api/credentials/{credential_id}/reinstate/", {"reason": "恢复"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"
    assert Credential.objects.get(pk=credential_id).state == "revoked"
    response = client.post(f"/api/credentials/{credential_id}/revoke/", {}, format="json")
    assert response.status_code == 400
    assert client.get("/api/credentials/", {"expiring_within": "x"}).status_code == 400


def test_viewer_reads_the_subtree_but_cannot_write(tree):
    viewer = make_user(tree.province, Role.VIEWER)
    client = api_for(viewer)
    response = client.get("/api/organisations/", {"limit": 100})
    assert len(response.json()["results"]) == len(tree.all)
    response = client.post(
        "/api/officers/", {"name": "只读", "organisation": tree.districts[0].pk}, format="json"
    )
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="access.denied", actor_id=viewer.pk).exists()


def test_schema_renders_and_lists_the_paths(tree, city_admin):
    client = api_for(city_admin)
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    for path in (
        "/api/organisations/",
        "/api/organisations/{id}/",
        "/api/users/",
        "/api/users/{id}/",
        "/api/officers/",
        "/api/officers/{id}/",
        "/api/credentials/",
        "/api/credentials/{id}/suspend/",
        "/api/credentials/{id}/revoke/",
        "/api/credentials/{id}/reinstate/",
    ):
        assert path in schema["paths"], path
    assert "post" in schema["paths"]["/api/users/"]
    listing = schema["paths"]["/api/officers/"]["get"]["responses"]["200"]["content"]
    ref = listing["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(schema["components"]["schemas"][ref]["properties"]) >= {"count", "results"}


def test_api_docs_load_locally_under_the_csp(tree, city_admin):
    from django.test import Client

    client = Client()
    client.force_login(city_admin)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    body = response.content.decode()
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "cdn" not in body.lower()
    assert "<script>" not in body  # the split view loads its script from a URL, not inline
    assert "<style" not in body and "style=" not in body
    import re

    from django.contrib.staticfiles import finders

    for url in re.findall(r'(?:src|href)="(/static/[^"]+)"', body):
        assert finders.find(url.removeprefix("/static/")), url
    assert client.get("/api/docs/?script=").status_code == 200


def test_api_move_takes_the_new_division_code_in_the_same_step(tree):
    client = api_for(make_user(tree.province, Role.SYSTEM_ADMIN))
    district = tree.districts_of(tree.cities[0])[0]
    city_b = tree.cities[1]
    url = f"/api/organisations/{district.pk}/"
    response = client.patch(url, {"parent": city_b.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "division_code_mismatch"
    new_code = city_b.division_code[:4] + "08"
    response = client.patch(url, {"parent": city_b.pk, "division_code": new_code}, format="json")
    assert response.status_code == 200, response.json()
    district.refresh_from_db()
    assert (district.parent_id, district.division_code) == (city_b.pk, new_code)


def test_api_patch_refuses_to_mix_changes_of_two_services(tree, city_admin):
    province_client = api_for(make_user(tree.province, Role.SYSTEM_ADMIN))
    district = tree.districts_of(tree.cities[0])[0]
    response = province_client.patch(
        f"/api/organisations/{district.pk}/",
        {
            "parent": tree.cities[1].pk,
            "division_code": tree.cities[1].division_code[:4] + "08",
            "name": "改名区",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "mixed_change"
    district.refresh_from_db()
    assert (district.parent_id, district.name) == (tree.cities[0].pk, tree.districts[0].name)
    target = make_user(tree.districts[0], Role.SUPERVISOR)
    response = api_for(city_admin).patch(
        f"/api/users/{target.pk}/", {"is_active": False, "full_name": "新名字"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "mixed_change"
    target.refresh_from_db()
    assert target.is_active and target.full_name != "新名字"
