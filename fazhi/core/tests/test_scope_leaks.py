"""Scope leaks tried every way: a district user reaches for another district's rows by list, by
URL and by API; the higher-level viewer reads the subtree but cannot write; a city admin cannot
administer another city."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from fazhi.core import errors
from fazhi.core.models import AuditEvent, Department, Organisation, Role
from fazhi.core.roles import ROLE_GRANTS, Cap, Scope
from fazhi.core.scope import can_act_in, organisation_filter, visible_organisations
from fazhi.core.services import org as org_services
from fazhi.core.services import people as people_services
from fazhi.core.tests.factories import (
    PASSWORD,
    make_officer,
    make_org_tree,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    tree = make_org_tree()
    home, away = tree.districts[0], tree.districts[2]
    away_user = make_user(away, Role.SUPERVISOR)
    away_officer = make_officer(away)
    away_dept = org_services.department_create(actor=None, organisation=away, name="外区科室")
    return {
        "tree": tree,
        "home": home,
        "away": away,
        "away_user": away_user,
        "away_officer": away_officer,
        "away_credential": away_officer.credentials.get(),
        "away_dept": away_dept,
    }


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.LEADER, Role.SUPERVISOR, Role.VIEWER])
def test_district_user_never_sees_another_district(world, role):
    me = make_user(world["home"], role)
    pages, api = page_client(me), api_client(me)
    away = world["away"]
    # by list
    for url in (reverse("core:organisation_list"), reverse("core:officer_list")):
        body = pages.get(url).content.decode()
        assert away.name not in body
        assert world["away_officer"].name not in body
    listed = {}
    for url in ("/api/organisations/", "/api/officers/", "/api/credentials/"):
        response = api.get(url, {"limit": 1000})
        assert response.status_code == 200
        listed[url] = response.json()["results"]
    assert away.pk not in {r["id"] for r in listed["/api/organisations/"]}
    assert world["away_officer"].pk not in {r["id"] for r in listed["/api/officers/"]}
    assert away.pk not in {r["organisation"] for r in listed["/api/officers/"]}
    assert world["away_credential"].pk not in {r["id"] for r in listed["/api/credentials/"]}
    assert world["away_officer"].pk not in {r["officer"] for r in listed["/api/credentials/"]}
    # by URL
    page_urls = [
        reverse("core:organisation_detail", args=[away.pk]),
        reverse("core:officer_detail", args=[world["away_officer"].pk]),
    ]
    if role == Role.SYSTEM_ADMIN:
        page_urls += [
            reverse("core:organisation_edit", args=[away.pk]),
            reverse("core:user_edit", args=[world["away_user"].pk]),
            reverse("core:user_reset_password", args=[world["away_user"].pk]),
            reverse("core:officer_edit", args=[world["away_officer"].pk]),
            reverse("core:credential_issue", args=[world["away_officer"].pk]),
        ]
    for url in page_urls:
        assert pages.get(url).status_code == 404, url
    # by API
    api_urls = [
        f"/api/organisations/{away.pk}/",
        f"/api/officers/{world['away_officer'].pk}/",
        f"/api/credentials/{world['away_credential'].pk}/",
    ]
    if role == Role.SYSTEM_ADMIN:
        api_urls.append(f"/api/users/{world['away_user'].pk}/")
    for url in api_urls:
        response = api.get(url)
        assert response.status_code == 404, url
        assert response.json() == {
            "error": {"code": "not_found", "message": "记录不存在或不在您的数据范围内。"}
        }
    # every attempt is in the audit chain
    assert AuditEvent.objects.filter(actor_id=me.pk, action="access.denied").count() == len(
        page_urls
    ) + len(api_urls)


def test_writes_to_another_district_are_404_and_change_nothing(world):
    admin = make_user(world["home"], Role.SYSTEM_ADMIN)
    pages, api = page_client(admin), api_client(admin)
    away_user, away_officer = world["away_user"], world["away_officer"]
    posts = [
        (reverse("core:user_deactivate", args=[away_user.pk]), {"reason": "x"}),
        (reverse("core:user_unlock", args=[away_user.pk]), {}),
        (reverse("core:organisation_deactivate", args=[world["away"].pk]), {"reason": "x"}),
        (reverse("core:department_create", args=[world["away"].pk]), {"name": "新科"}),
        (reverse("core:department_rename", args=[world["away_dept"].pk]), {"name": "改名"}),
        (
            reverse("core:credential_revoke", args=[world["away_credential"].pk]),
            {"reason": "x"},
        ),
    ]
    for url, data in posts:
        assert pages.post(url, data).status_code == 404, url
    assert (
        api.patch(f"/api/users/{away_user.pk}/", {"role": "viewer"}, format="json").status_code
        == 404
    )
    assert (
        api.patch(f"/api/officers/{away_officer.pk}/", {"title": "x"}, format="json").status_code
        == 404
    )
    away_user.refresh_from_db()
    assert away_user.is_active and away_user.role == Role.SUPERVISOR
    assert not Department.objects.filter(name__in=["新科", "改名"]).exists()
    world["away_credential"].refresh_from_db()
    assert world["away_credential"].state == "valid"


def test_viewer_reads_the_subtree_but_cannot_write(world):
    tree = world["tree"]
    viewer = make_user(tree.province, Role.VIEWER)
    pages = page_client(viewer)
    body = pages.get(reverse("core:organisation_list")).content.decode()
    assert all(org.name in body for org in tree.all)
    body = pages.get(reverse("core:officer_list")).content.decode()
    assert world["away_officer"].name in body
    assert "登记执法人员" not in body  # no write buttons
    assert pages.get(reverse("core:officer_create")).status_code == 403
    response = pages.post(
        reverse("core:department_create", args=[world["away"].pk]), {"name": "只读新科"}
    )
    assert response.status_code == 403
    assert not Department.objects.filter(name="只读新科").exists()
    assert not can_act_in(viewer, world["away"])
    with pytest.raises(errors.PermissionDenied):
        org_services.organisation_update(actor=viewer, organisation=world["away"], name="x")


def test_city_admin_cannot_create_users_in_another_city(world):
    tree = world["tree"]
    admin = make_user(tree.cities[0], Role.SYSTEM_ADMIN)
    pages = page_client(admin)
    other_city_district = tree.districts[3]
    response = pages.post(
        reverse("core:user_create"),
        {
            "username": "crosscity",
            "full_name": "跨市",
            "organisation": other_city_district.pk,
            "role": Role.SUPERVISOR,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 400  # the organisation is not among the choices
    with pytest.raises(errors.OutOfScope):
        make_user(other_city_district, Role.SUPERVISOR, actor=admin)
    # but inside the city it works
    make_user(tree.districts[1], Role.SUPERVISOR, actor=admin)


def test_scope_helpers_follow_the_role_table(world):
    tree = world["tree"]
    for role, grant in ROLE_GRANTS.items():
        user = make_user(tree.cities[0], role)
        visible = set(visible_organisations(user).values_list("pk", flat=True))
        expected = (
            {o.pk for o in tree.all if o.path.startswith(tree.cities[0].path)}
            if grant.scope == Scope.SUBTREE
            else {tree.cities[0].pk}
        )
        assert visible == expected, role
        filtered = set(
            Organisation.objects.filter(organisation_filter(user, "parent")).values_list(
                "pk", flat=True
            )
        )
        assert filtered <= {o.pk for o in tree.all}
        assert can_act_in(user, tree.cities[0]) == (Cap.WRITE in grant.caps)
        assert not can_act_in(user, tree.cities[1])


def test_anonymous_and_inactive_users_see_nothing(world):
    user = make_user(world["home"], Role.LEADER)
    people_services.user_deactivate(actor=None, user=user)
    user.refresh_from_db()
    assert not can_act_in(user, world["home"])
    client = Client()
    response = client.get(reverse("core:organisation_list"))
    assert response.status_code == 302
    assert APIClient().get("/api/officers/").status_code in (401, 403)


def test_docs_roles_table_matches_the_code():
    from pathlib import Path

    from fazhi.core.roles import roles_markdown

    text = (Path(__file__).resolve().parents[3] / "docs" / "roles.md").read_text(encoding="utf-8")
    generated = text.split("<!-- generated: roles table -->\n", 1)[1].split("<!-- end generated")[0]
    assert generated == roles_markdown(), "docs/roles.md is stale: paste roles_markdown()"
