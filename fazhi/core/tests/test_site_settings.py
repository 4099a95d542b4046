"""网站信息: the service (guards, formats), the administrator page and API, and where it shows
(the portal's header and footer, the login page)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from fazhi.core import errors
from fazhi.core.audit_events import SiteEvents
from fazhi.core.models import AuditEvent, Role, SiteSettings
from fazhi.core.selectors.site import site_identity
from fazhi.core.services.site import site_settings_update
from fazhi.core.tests.factories import make_org_tree, make_user

pytestmark = pytest.mark.django_db
PAGE = reverse("core:site_settings")
API = reverse("api-site-settings")

VALID = {
    "site_name": "清源省卫生健康委员会",
    "sponsor": "清源省卫生健康委员会",
    "organiser": "清源省卫生健康监督所",
    "contact_phone": "0571-87654321",
    "contact_email": "gongkai@example.cn",
    "contact_address": "清源市人民路1号",
    "site_code": "3300000001",
    "icp_number": "清ICP备12345678号-1",
    "security_number": "清公网安备 33010002000001号",
}


@pytest.fixture
def w() -> dict[str, Any]:
    tree = make_org_tree()
    return {
        "tree": tree,
        "root_admin": make_user(tree.province, Role.SYSTEM_ADMIN),
        "city_admin": make_user(tree.cities[0], Role.SYSTEM_ADMIN),
        "supervisor": make_user(tree.districts[0], Role.SUPERVISOR),
    }


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- service -------------------------------------------------------------------------------------


def test_update_stores_every_field_and_records_one_event(w):
    row = site_settings_update(actor=w["root_admin"], **VALID)
    assert {field: getattr(row, field) for field in VALID} == VALID
    assert row.updated_at is not None
    event = AuditEvent.objects.get(action=SiteEvents.SITE_SETTINGS_UPDATED)
    assert event.actor_id == w["root_admin"].pk
    assert event.details["after"]["site_code"] == "3300000001"
    # the same values again change nothing and record nothing
    site_settings_update(actor=w["root_admin"], **VALID)
    assert AuditEvent.objects.filter(action=SiteEvents.SITE_SETTINGS_UPDATED).count() == 1
    assert SiteSettings.objects.count() == 1


def test_an_omitted_field_is_kept_and_an_empty_one_cleared(w):
    site_settings_update(actor=None, **VALID)
    row = site_settings_update(actor=None, contact_email="")
    assert row.contact_email == ""
    assert row.icp_number == VALID["icp_number"]


def test_identity_falls_back_to_the_root_organisations_name(w):
    identity = site_identity()
    assert identity.name == w["tree"].province.name
    assert identity.sponsor == w["tree"].province.name
    site_settings_update(actor=None, site_name="清源省卫生健康委员会门户")
    identity = site_identity()
    assert identity.name == "清源省卫生健康委员会门户"
    assert identity.sponsor == w["tree"].province.name


@pytest.mark.parametrize("who", ["city_admin", "supervisor"])
def test_only_the_root_organisations_administrators_change_it(w, who):
    with pytest.raises(errors.PermissionDenied):
        site_settings_update(actor=w[who], site_name="别的名称")
    assert not SiteSettings.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("contact_phone", "电话号码"),
        ("contact_email", "not-an-email"),
        ("site_code", "33000"),
        ("site_code", "3300000001x"),
        ("icp_number", "ICP12345678"),
        ("security_number", "清公网安备 123号"),
        ("site_name", "名" * 101),
    ],
)
def test_bad_formats_are_refused_with_the_field_named(w, field, value):
    with pytest.raises(errors.ValidationFailed) as caught:
        site_settings_update(actor=w["root_admin"], **{field: value})
    assert caught.value.details["field"] == field
    assert not SiteSettings.objects.exists()


def test_an_unknown_field_is_refused(w):
    with pytest.raises(errors.ValidationFailed):
        site_settings_update(actor=w["root_admin"], favicon="x")


# --- page ----------------------------------------------------------------------------------------


def test_page_saves_and_shows_the_values(w):
    client = _client(w["root_admin"])
    response = client.get(PAGE)
    assert response.status_code == 200
    assert "网站标识码" in response.content.decode()
    response = client.post(PAGE, VALID)
    assert response.status_code == 302
    assert SiteSettings.objects.get().icp_number == VALID["icp_number"]
    assert "网站信息已保存" in client.get(PAGE).content.decode()


def test_page_keeps_the_input_and_names_the_field_on_an_error(w):
    response = _client(w["root_admin"]).post(PAGE, {**VALID, "site_code": "123"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "网站标识码为10位数字或大写字母" in body
    assert VALID["contact_address"] in body  # the other input kept
    assert not SiteSettings.objects.exists()


def test_a_city_administrator_reads_but_cannot_save(w):
    client = _client(w["city_admin"])
    body = client.get(PAGE).content.decode()
    assert "只有根机构的系统管理员可以修改" in body
    assert 'type="submit">保存' not in body
    assert client.post(PAGE, VALID).status_code == 403
    assert not SiteSettings.objects.exists()


def test_page_refuses_a_user_without_org_manage(w):
    assert _client(w["supervisor"]).get(PAGE).status_code == 403
    assert AuditEvent.objects.filter(action="access.denied").exists()


# --- API -----------------------------------------------------------------------------------------


def test_api_reads_and_patches(w):
    api = APIClient()
    api.force_authenticate(w["root_admin"])
    assert api.get(API).json()["site_code"] == ""
    response = api.patch(API, {"site_code": "3300000001"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["site_code"] == "3300000001"


def test_api_answers_400_on_a_bad_format_and_403_below_the_root(w):
    api = APIClient()
    api.force_authenticate(w["root_admin"])
    response = api.patch(API, {"icp_number": "bad"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "icp_number_invalid"
    api.force_authenticate(w["city_admin"])
    assert api.patch(API, {"site_code": "3300000001"}, format="json").status_code == 403
    api.force_authenticate(w["supervisor"])
    assert api.get(API).status_code == 403


# --- where it shows ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/public/", "/public/plans/", "/public/results/", "/login/"])
def test_portal_and_login_carry_the_agencys_identity(w, url):
    site_settings_update(actor=None, **VALID)
    body = Client().get(url).content.decode()
    assert 'id="site-agency">清源省卫生健康委员会<' in body
    assert "主办单位：清源省卫生健康委员会" in body
    assert "承办单位：清源省卫生健康监督所" in body
    assert "网站标识码：3300000001" in body
    assert "清ICP备12345678号-1" in body
    assert "清公网安备 33010002000001号" in body
    assert "0571-87654321" in body
    assert 'href="#main"' in body  # the skip link
    assert 'data-site-mode="large"' in body and 'data-site-mode="contrast"' in body


@pytest.mark.parametrize("url", ["/public/", "/public/plans/", "/public/results/"])
def test_portal_has_no_link_to_the_staff_login(w, url):
    body = Client().get(url).content.decode()
    assert "/login/" not in body
    assert "登录" not in body


def test_the_portal_cites_the_retention_rule_without_the_staff_verification_mark(w):
    body = Client().get("/public/results/").content.decode()
    assert "结果自公示之日起保留" in body
    assert "未核实" not in body
