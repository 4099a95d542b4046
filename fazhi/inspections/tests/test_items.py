"""Item list (随机抽查事项清单): services, selectors, pages, API and the Excel export."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from fazhi.core import errors
from fazhi.core.models import AuditEvent, Role
from fazhi.core.tests.factories import make_user
from fazhi.inspections.models import InspectionItem
from fazhi.inspections.selectors import items as item_selectors
from fazhi.inspections.services import items as item_services
from fazhi.inspections.tests.task_support import category, make_item, make_task_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_task_world()


def _create(world, **overrides):
    values = {
        "actor": world.planner,
        "organisation": world.org,
        "category": world.public_places,
        "code": "GG-001",
        "name": "住宿场所卫生检查",
        "legal_basis": "《公共场所卫生管理条例》第三条、第四条",
        "content": "卫生许可证、从业人员健康合格证明、卫生管理制度",
        "applicable_kinds": ["public_place_lodging", "public_place_bath"],
        "default_ratio": "5.5",
        "frequency": "每年一次",
    }
    values.update(overrides)
    return item_services.item_create(**values)


def test_create_records_item_and_audit(world):
    item = _create(world)
    assert item.default_ratio == Decimal("5.50")
    assert item.applicable_kinds == ["public_place_bath", "public_place_lodging"]
    event = AuditEvent.objects.get(action="inspection_item.created", object_id=str(item.pk))
    assert event.organisation_id == world.org.pk
    assert '"code":"GG-001"' in event.details_json


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"code": "  "}, "code_required"),
        ({"code": "X" * 41}, "code_required"),
        ({"name": ""}, "name_required"),
        ({"legal_basis": " "}, "legal_basis_required"),
        ({"applicable_kinds": ["spaceship"]}, "unknown_entity_kind"),
        ({"default_ratio": "0"}, "bad_ratio"),
        ({"default_ratio": "100.01"}, "bad_ratio"),
        ({"default_ratio": "abc"}, "bad_ratio"),
        ({"default_ratio": "NaN"}, "bad_ratio"),
    ],
)
def test_create_bad_input_writes_nothing(world, overrides, code):
    before = AuditEvent.objects.count()
    with pytest.raises(errors.ValidationFailed) as exc:
        _create(world, **overrides)
    assert exc.value.code == code
    assert not InspectionItem.objects.exists()
    assert AuditEvent.objects.count() == before


def test_duplicate_code_refused(world):
    _create(world)
    with pytest.raises(errors.ValidationFailed) as exc:
        _create(world, name="另一个")
    assert exc.value.code == "duplicate_code"
    # another organisation may use the same code
    _create(world, actor=world.stranger, organisation=world.other_org)


def test_inactive_category_refused(world):
    cat = world.water
    cat.is_active = False
    cat.save()
    with pytest.raises(errors.ValidationFailed) as exc:
        _create(world, category=cat)
    assert exc.value.code == "inactive_category"


def test_create_needs_capability_and_scope(world):
    petition = make_user(world.org, Role.PETITION_OFFICER)
    with pytest.raises(errors.PermissionDenied) as exc:
        _create(world, actor=petition)
    assert exc.value.code == "permission_denied"
    with pytest.raises(errors.OutOfScope):
        _create(world, actor=world.stranger)
    assert not InspectionItem.objects.exists()


def test_update_replaces_fields_and_records_changes(world):
    item = _create(world)
    updated = item_services.item_update(
        actor=world.planner,
        item=item,
        category=world.water,
        name="生活饮用水检查",
        legal_basis="《生活饮用水卫生监督管理办法》",
        applicable_kinds=["water_supplier"],
        default_ratio=None,
        frequency="",
    )
    assert updated.code == "GG-001"
    assert updated.category == world.water
    assert updated.default_ratio is None
    event = AuditEvent.objects.filter(action="inspection_item.updated").get()
    assert "生活饮用水检查" in event.details_json


def test_update_guards(world):
    item = _create(world)
    with pytest.raises(errors.ValidationFailed):
        item_services.item_update(
            actor=world.planner, item=item, category=world.water, name="x", legal_basis=""
        )
    with pytest.raises(errors.OutOfScope):
        item_services.item_update(
            actor=world.stranger, item=item, category=world.water, name="x", legal_basis="y"
        )
    item.refresh_from_db()
    assert item.name == "住宿场所卫生检查"


def test_deactivate_and_reactivate(world):
    item = _create(world)
    with pytest.raises(errors.ValidationFailed) as exc:
        item_services.item_deactivate(actor=world.planner, item=item, reason="")
    assert exc.value.code == "reason_required"
    item = item_services.item_deactivate(actor=world.planner, item=item, reason="事项已取消")
    assert not item.is_active
    with pytest.raises(errors.InvalidTransition):
        item_services.item_deactivate(actor=world.planner, item=item, reason="again")
    item = item_services.item_reactivate(actor=world.planner, item=item)
    assert item.is_active
    with pytest.raises(errors.InvalidTransition):
        item_services.item_reactivate(actor=world.planner, item=item)
    with pytest.raises(errors.OutOfScope):
        item_services.item_deactivate(actor=world.stranger, item=item, reason="x")


def test_list_is_scoped_and_filtered(world, django_assert_max_num_queries):
    mine = make_item(world)
    make_item(world, cat="drinking_water")
    theirs = item_services.item_create(
        actor=world.stranger,
        organisation=world.other_org,
        category=world.public_places,
        code="OTHER-1",
        name="别区事项",
        legal_basis="依据",
    )
    with django_assert_max_num_queries(2):
        visible = list(item_selectors.item_list(user=world.planner))
        assert [i.category.name for i in visible]
    assert mine in visible and theirs not in visible
    assert list(item_selectors.item_list(user=world.planner, category="public_places")) == [mine]
    assert list(item_selectors.item_list(user=world.planner, q=mine.code)) == [mine]
    with pytest.raises(errors.OutOfScope):
        item_selectors.item_get(user=world.planner, pk=theirs.pk)
    # the leader of the district commission sees its institute's items (subtree)
    assert mine in item_selectors.item_list(user=world.leader)


def test_export_xlsx(world):
    make_item(world, code="A-1")
    make_item(world, code="B-2", cat="drinking_water")
    content = item_selectors.item_export_xlsx(user=world.planner)
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "事项编码"
    assert {r[0] for r in rows[1:]} == {"A-1", "B-2"}
    assert "公共场所（住宿）" in rows[1][5]


# --- pages and API -------------------------------------------------------------------------


def test_pages(client, world):
    item = make_item(world)
    client.force_login(world.planner)
    response = client.get("/inspections/items/")
    assert response.status_code == 200
    assert item.name in response.content.decode()
    response = client.post(
        "/inspections/items/new/",
        {
            "category": world.water.pk,
            "code": "YS-1",
            "name": "供水单位检查",
            "legal_basis": "《生活饮用水卫生监督管理办法》第四条",
            "content": "",
            "applicable_kinds": ["water_supplier"],
            "default_ratio": "10",
            "frequency": "",
        },
    )
    assert response.status_code == 302
    created = InspectionItem.objects.get(code="YS-1")
    response = client.post(f"/inspections/items/{created.pk}/deactivate/", {"reason": "取消"})
    assert response.status_code == 302
    created.refresh_from_db()
    assert not created.is_active
    response = client.get("/inspections/items/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_page_bad_input_shows_message(client, world):
    client.force_login(world.planner)
    response = client.post(
        "/inspections/items/new/",
        {"category": world.water.pk, "code": "YS-1", "name": "x", "legal_basis": ""},
    )
    assert response.status_code == 200
    assert "请填写检查依据" in response.content.decode()
    assert not InspectionItem.objects.exists()


def test_page_scope_404(client, world):
    theirs = item_services.item_create(
        actor=world.stranger,
        organisation=world.other_org,
        category=world.public_places,
        code="OTHER-1",
        name="别区事项",
        legal_basis="依据",
    )
    client.force_login(world.planner)
    assert client.get(f"/inspections/items/{theirs.pk}/").status_code == 404
    response = client.post(f"/inspections/items/{theirs.pk}/deactivate/", {"reason": "x"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active


def test_api(client, world):
    client.force_login(world.planner)
    response = client.post(
        "/api/inspections/items/",
        {
            "category": "drinking_water",
            "code": "YS-9",
            "name": "供水单位检查",
            "legal_basis": "依据",
            "applicable_kinds": ["water_supplier"],
            "default_ratio": "12.5",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "YS-9" and body["category"] == "drinking_water"
    listed = client.get("/api/inspections/items/").json()
    assert [row["code"] for row in listed["results"]] == ["YS-9"]
    bad = client.post(
        "/api/inspections/items/",
        {"category": "drinking_water", "code": "YS-9", "name": "n", "legal_basis": "b"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "duplicate_code"
    response = client.patch(
        f"/api/inspections/items/{body['id']}/",
        {"name": "改名"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["name"] == "改名"


def test_api_scope_leak(client, world):
    theirs = item_services.item_create(
        actor=world.stranger,
        organisation=world.other_org,
        category=world.public_places,
        code="OTHER-1",
        name="别区事项",
        legal_basis="依据",
    )
    client.force_login(world.planner)
    assert client.get(f"/api/inspections/items/{theirs.pk}/").status_code == 404
    assert client.get("/api/inspections/items/").json()["results"] == []
    response = client.post(
        "/api/inspections/items/",
        {
            "category": "drinking_water",
            "code": "X",
            "name": "n",
            "legal_basis": "b",
            "organisation": world.other_org.pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="access.denied").exists()


def test_category_helper_exists():
    assert category("public_places").name == "公共场所卫生"


def test_api_deactivate_and_reactivate(client, world):
    item = make_item(world)
    client.force_login(world.planner)
    url = f"/api/inspections/items/{item.pk}"
    bad = client.post(f"{url}/deactivate/", {"reason": ""}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "reason_required"
    done = client.post(f"{url}/deactivate/", {"reason": "取消"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["is_active"] is False
    again = client.post(f"{url}/reactivate/")
    assert again.status_code == 200 and again.json()["is_active"] is True
    assert client.post(f"{url}/reactivate/").status_code == 409
