"""The Django admin is read-only and scoped to the system admin's subtree."""

from __future__ import annotations

import pytest
from django.test import Client

from fazhi.core.models import AuditEvent, Organisation, Role, User
from fazhi.core.tests.factories import (
    make_officer,
    make_org_tree,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return make_org_tree()


def test_city_admin_sees_only_the_city_subtree_and_cannot_write(tree):
    admin = make_user(tree.cities[0], Role.SYSTEM_ADMIN)
    assert admin.is_staff
    client = Client()
    client.force_login(admin)
    body = client.get("/admin/core/organisation/").content.decode()
    assert tree.districts[0].name in body
    assert tree.districts[2].name not in body
    assert "/admin/core/organisation/add/" not in body
    assert client.get("/admin/core/organisation/add/").status_code == 403
    own = tree.districts[0]
    response = client.post(
        f"/admin/core/organisation/{own.pk}/change/", {"name": "后台改名"}, follow=False
    )
    assert response.status_code == 403
    assert Organisation.objects.get(pk=own.pk).name == own.name
    other = tree.districts[2]
    response = client.get(f"/admin/core/organisation/{other.pk}/change/")
    assert response.status_code == 404  # as a missing row is, and the attempt is recorded
    denial = AuditEvent.objects.filter(action="access.denied", actor_id=admin.pk).last()
    assert denial is not None
    assert f"GET /admin/core/organisation/{other.pk}/change/" in denial.details_json
    assert client.get("/admin/core/organisation/999999/change/").status_code == 404
    officer = make_officer(tree.districts[2])
    credentials = client.get("/admin/core/credential/").content.decode()
    assert officer.credentials.get().number not in credentials


def test_superuser_from_the_command_line_sees_everything(tree):
    root = User.objects.create_superuser("root", password="Root-Pass-2026")
    client = Client()
    client.force_login(root)
    body = client.get("/admin/core/organisation/").content.decode()
    assert tree.districts[2].name in body


def test_non_admin_roles_are_not_staff(tree):
    for role in (Role.LEADER, Role.SUPERVISOR, Role.VIEWER):
        user = make_user(tree.cities[0], role)
        assert not user.is_staff
        client = Client()
        client.force_login(user)
        assert client.get("/admin/core/organisation/").status_code == 302


def test_city_admin_reads_the_directory_of_the_city_only(tree):
    from fazhi.registry.tests.helpers import ensure_categories, make_entity

    ensure_categories()
    admin = make_user(tree.cities[0], Role.SYSTEM_ADMIN)
    own = make_entity(make_user(tree.districts[0], Role.SUPERVISOR))
    other = make_entity(make_user(tree.districts[2], Role.SUPERVISOR))
    client = Client()
    client.force_login(admin)
    body = client.get("/admin/registry/entity/").content.decode()
    assert own.name in body and other.name not in body
    assert client.get(f"/admin/registry/entity/{own.pk}/change/").status_code == 200
    assert client.get(f"/admin/registry/entity/{other.pk}/change/").status_code == 404
    assert client.get("/admin/registry/entity/add/").status_code == 403
