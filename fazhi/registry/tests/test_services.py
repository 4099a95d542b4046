from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fazhi.core import errors
from fazhi.core.models import AuditEvent
from fazhi.registry.codes import make_id_number, make_uscc
from fazhi.registry.models import Entity, Licence
from fazhi.registry.services import entities as entity_services
from fazhi.registry.services import licences as licence_services
from fazhi.registry.tests.helpers import World, make_entity, next_id_number, next_uscc

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return World()


def _events(entity_id: int, action: str) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            object_type="registry.entity", object_id=str(entity_id), action=action
        )
    )


def test_create_stores_the_entity_with_categories_and_an_audit_event(world):
    uscc = next_uscc("350102").lower()
    entity = entity_services.entity_create(
        actor=world.sup0,
        organisation=world.inst0,
        name="  仓山区人民医院 ",
        kind="hospital",
        division_code="350102",
        uscc=uscc,
        categories=["medical", "放射卫生", "medical"],
        address="某路1号",
        risk_grade="C",
    )
    entity.refresh_from_db()
    assert entity.name == "仓山区人民医院"
    assert entity.uscc == uscc.upper()
    assert entity.code == uscc.upper()
    assert sorted(c.code for c in entity.categories.all()) == ["medical", "radiation"]
    assert entity.organisation == world.inst0
    assert entity.is_active and entity.status == "operating" and entity.risk_grade == "C"
    (event,) = _events(entity.pk, "entity.created")
    assert event.organisation_id == world.inst0.pk
    assert json.loads(event.details_json)["code"] == uscc.upper()


def test_individual_needs_an_id_number_and_organisation_a_uscc(world):
    person = make_entity(world.sup0, is_individual=True, name="张三诊所")
    assert person.id_number and not person.uscc
    with pytest.raises(errors.ValidationFailed) as exc:
        make_entity(world.sup0, is_individual=True, id_number="")
    assert exc.value.code == "missing_id_number"
    with pytest.raises(errors.ValidationFailed) as exc:
        make_entity(world.sup0, uscc="")
    assert exc.value.code == "missing_uscc"
    with pytest.raises(errors.ValidationFailed) as exc:
        make_entity(world.sup0, id_number=next_id_number())
    assert exc.value.code == "id_number_for_organisation"


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"name": "  "}, "missing_name"),
        ({"name": "名" * 201}, "name_too_long"),
        ({"kind": "spaceship"}, "unknown_kind"),
        ({"status": "dormant"}, "unknown_status"),
        ({"risk_grade": "E"}, "bad_risk_grade"),
        ({"categories": ["astrology"]}, "unknown_category"),
        ({"division_code": "990102", "uscc": make_uscc("350102", 4242)}, "division_code_province"),
        ({"uscc": "91350102000000019C"}, "uscc_check"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(world, kw, code):
    before = (Entity.objects.count(), AuditEvent.objects.count())
    with pytest.raises(errors.ValidationFailed) as exc:
        make_entity(world.sup0, **kw)
    assert exc.value.code == code
    assert exc.value.message  # Chinese message for the UI
    assert (Entity.objects.count(), AuditEvent.objects.count()) == before


def test_a_code_is_held_once_in_the_whole_directory(world):
    uscc = next_uscc()
    make_entity(world.sup0, uscc=uscc)
    with pytest.raises(errors.ValidationFailed) as exc:
        make_entity(world.sup1, uscc=uscc)  # another district
    assert exc.value.code == "already_in_directory"
    id_number = next_id_number()
    make_entity(world.sup0, is_individual=True, id_number=id_number)
    with pytest.raises(errors.ValidationFailed) as exc:
        make_entity(world.sup0, is_individual=True, id_number=id_number)
    assert exc.value.code == "already_in_directory"


def test_create_needs_the_capability_and_scope(world):
    with pytest.raises(errors.PermissionDenied):
        make_entity(world.viewer0)
    with pytest.raises(errors.PermissionDenied):
        make_entity(world.city_leader, organisation=world.inst0)  # leader lacks registry.manage
    with pytest.raises(errors.OutOfScope):
        make_entity(world.sup0, organisation=world.inst1)
    assert not Entity.objects.exists()


def test_update_records_old_and_new_values(world):
    entity = make_entity(world.sup0, name="旧名称", categories=["medical"])
    entity_services.entity_update(
        actor=world.sup0,
        entity_id=entity.pk,
        name="新名称",
        categories=["medical", "infectious"],
        status="suspended",
        address=None,
    )
    entity.refresh_from_db()
    assert entity.name == "新名称" and entity.status == "suspended"
    (event,) = _events(entity.pk, "entity.updated")
    details = json.loads(event.details_json)
    assert details["name"] == ["旧名称", "新名称"]
    assert details["status"] == ["operating", "suspended"]
    assert "categories" in details and "address" not in details


def test_update_without_changes_writes_nothing(world):
    entity = make_entity(world.sup0, name="同名")
    count = AuditEvent.objects.count()
    entity_services.entity_update(actor=world.sup0, entity_id=entity.pk, name="同名")
    assert AuditEvent.objects.count() == count


def test_update_guards_codes_scope_and_existence(world):
    a = make_entity(world.sup0)
    b = make_entity(world.sup0)
    with pytest.raises(errors.ValidationFailed) as exc:
        entity_services.entity_update(actor=world.sup0, entity_id=b.pk, uscc=a.uscc)
    assert exc.value.code == "already_in_directory"
    with pytest.raises(errors.ValidationFailed):
        entity_services.entity_update(actor=world.sup0, entity_id=b.pk, uscc="")
    with pytest.raises(errors.OutOfScope):
        entity_services.entity_update(actor=world.sup1, entity_id=a.pk, name="越权")
    with pytest.raises(errors.NotFound):
        entity_services.entity_update(actor=world.sup0, entity_id=10**12, name="不存在")
    with pytest.raises(errors.PermissionDenied):
        entity_services.entity_update(actor=world.viewer0, entity_id=a.pk, name="只读")
    a.refresh_from_db()
    assert a.name != "越权"
    # switching to an individual needs an ID number
    new_id = next_id_number()
    entity_services.entity_update(
        actor=world.sup0, entity_id=b.pk, is_individual=True, id_number=new_id, uscc=""
    )
    b.refresh_from_db()
    assert b.is_individual and b.id_number == new_id and b.uscc == ""


def test_deactivate_needs_a_reason_and_is_audited(world):
    entity = make_entity(world.sup0)
    with pytest.raises(errors.ValidationFailed) as exc:
        entity_services.entity_deactivate(actor=world.sup0, entity_id=entity.pk, reason=" ")
    assert exc.value.code == "reason_required"
    entity_services.entity_deactivate(
        actor=world.sup0, entity_id=entity.pk, reason="已注销营业执照"
    )
    entity.refresh_from_db()
    assert not entity.is_active and entity.deactivated_reason == "已注销营业执照"
    (event,) = _events(entity.pk, "entity.deactivated")
    assert json.loads(event.details_json) == {"reason": "已注销营业执照"}
    with pytest.raises(errors.InvalidTransition):
        entity_services.entity_deactivate(actor=world.sup0, entity_id=entity.pk, reason="再次停用")
    with pytest.raises(errors.OutOfScope):
        entity_services.entity_reactivate(actor=world.sup1, entity_id=entity.pk, reason="越权恢复")
    entity_services.entity_reactivate(actor=world.sup0, entity_id=entity.pk, reason="重新开业")
    entity.refresh_from_db()
    assert entity.is_active and entity.deactivated_reason == ""
    with pytest.raises(errors.InvalidTransition):
        entity_services.entity_reactivate(actor=world.sup0, entity_id=entity.pk, reason="再次恢复")


def test_delete_keeps_a_snapshot_in_the_audit_chain(world):
    entity = make_entity(world.sup0, name="误登记单位")
    licence_services.licence_add(
        actor=world.sup0,
        entity_id=entity.pk,
        kind="medical_institution",
        number="PDY-001",
        valid_from=dt.date(2024, 1, 1),
    )
    with pytest.raises(errors.ValidationFailed):
        entity_services.entity_delete(actor=world.sup0, entity_id=entity.pk, reason="")
    with pytest.raises(errors.OutOfScope):
        entity_services.entity_delete(actor=world.sup1, entity_id=entity.pk, reason="越权删除")
    entity_services.entity_delete(actor=world.sup0, entity_id=entity.pk, reason="重复登记")
    assert not Entity.objects.filter(pk=entity.pk).exists()
    assert not Licence.objects.filter(number="PDY-001").exists()
    (event,) = _events(entity.pk, "entity.deleted")
    details = json.loads(event.details_json)
    assert details["reason"] == "重复登记" and details["name"] == "误登记单位"
    assert details["licences"] == ["PDY-001"]


def test_delete_is_refused_when_another_module_holds_history(world, monkeypatch):
    entity = make_entity(world.sup0)
    monkeypatch.setattr(entity_services, "entity_history_blockers", lambda e: ["检查任务"])
    with pytest.raises(errors.Conflict) as exc:
        entity_services.entity_delete(actor=world.sup0, entity_id=entity.pk, reason="想删除")
    assert exc.value.code == "entity_has_history"
    assert Entity.objects.filter(pk=entity.pk).exists()


def test_history_blockers_look_at_relations_outside_the_registry(world):
    entity = make_entity(world.sup0)
    licence_services.licence_add(
        actor=world.sup0,
        entity_id=entity.pk,
        kind="public_place",
        number="卫公证字X1号",
        valid_from=dt.date(2025, 6, 1),
    )
    # the registry's own rows never block; an entity without other history has no blockers
    assert entity_services.entity_history_blockers(entity) == []


def test_risk_grade_set_records_old_and_new(world):
    entity = make_entity(world.sup0, risk_grade="B")
    entity_services.risk_grade_set(
        actor=world.sup0, entity_id=entity.pk, grade="D", reason="多次违法"
    )
    entity.refresh_from_db()
    assert entity.risk_grade == "D"
    (event,) = _events(entity.pk, "entity.regraded")
    assert json.loads(event.details_json) == {"old": "B", "new": "D", "reason": "多次违法"}
    entity_services.risk_grade_set(actor=world.sup0, entity_id=entity.pk, grade="D")  # no change
    assert len(_events(entity.pk, "entity.regraded")) == 1
    with pytest.raises(errors.ValidationFailed) as exc:
        entity_services.risk_grade_set(actor=world.sup0, entity_id=entity.pk, grade="Z")
    assert exc.value.code == "bad_risk_grade"
    with pytest.raises(errors.OutOfScope):
        entity_services.risk_grade_set(actor=world.sup1, entity_id=entity.pk, grade="A")
    with pytest.raises(errors.PermissionDenied):
        entity_services.risk_grade_set(actor=world.viewer0, entity_id=entity.pk, grade="A")


def test_licences_add_and_update(world):
    entity = make_entity(world.sup0)
    licence = licence_services.licence_add(
        actor=world.sup0,
        entity_id=entity.pk,
        kind="public_place",
        number=" GW-2024-01 ",
        scope="住宿",
        valid_from=dt.date(2024, 1, 1),
        valid_to=dt.date(2028, 1, 1),
    )
    assert licence.number == "GW-2024-01"
    with pytest.raises(errors.ValidationFailed) as exc:
        licence_services.licence_add(
            actor=world.sup0,
            entity_id=entity.pk,
            kind="public_place",
            number="GW-2024-01",
            valid_from=dt.date(2024, 1, 1),
        )
    assert exc.value.code == "duplicate_licence"
    for kw, code in (
        ({"kind": "nope", "number": "X1"}, "unknown_licence_kind"),
        ({"kind": "radiation", "number": " "}, "missing_licence_number"),
        (
            {"kind": "radiation", "number": "R1", "valid_to": dt.date(2023, 1, 1)},
            "bad_validity",
        ),
    ):
        with pytest.raises(errors.ValidationFailed) as exc:
            licence_services.licence_add(
                actor=world.sup0, entity_id=entity.pk, valid_from=dt.date(2024, 1, 1), **kw
            )
        assert exc.value.code == code
    with pytest.raises(errors.OutOfScope):
        licence_services.licence_add(
            actor=world.sup1,
            entity_id=entity.pk,
            kind="radiation",
            number="R2",
            valid_from=dt.date(2024, 1, 1),
        )
    licence_services.licence_update(
        actor=world.sup0, licence_id=licence.pk, valid_to=dt.date(2029, 1, 1), scope="住宿、沐浴"
    )
    licence.refresh_from_db()
    assert licence.valid_to == dt.date(2029, 1, 1) and licence.scope == "住宿、沐浴"
    licence_services.licence_update(actor=world.sup0, licence_id=licence.pk, clear_valid_to=True)
    licence.refresh_from_db()
    assert licence.valid_to is None
    with pytest.raises(errors.ValidationFailed):
        licence_services.licence_update(
            actor=world.sup0, licence_id=licence.pk, valid_to=dt.date(2020, 1, 1)
        )
    with pytest.raises(errors.OutOfScope):
        licence_services.licence_update(actor=world.sup1, licence_id=licence.pk, scope="越权")
    with pytest.raises(errors.NotFound):
        licence_services.licence_update(actor=world.sup0, licence_id=10**12, scope="无")
    events = _events(entity.pk, "licence.updated")
    assert len(events) == 2


@settings(max_examples=50, deadline=None)
@given(
    serial=st.integers(min_value=0, max_value=99_999_999),
    division=st.sampled_from(["350102", "110101", "440305", "510100"]),
)
def test_generated_codes_pass_the_core_validators(serial, division):
    assert entity_services.normalise_uscc(make_uscc(division, serial)) == make_uscc(
        division, serial
    )
    number = make_id_number(division, dt.date(1990, 2, 28), serial)
    assert entity_services.normalise_id_number(number) == number
