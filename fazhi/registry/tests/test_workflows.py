"""The import batch's workflow table, the directory's event names and its refusing lists."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from fazhi.core import errors, events, workflow
from fazhi.core.models import AuditEvent, Role
from fazhi.core.tests.factories import make_user
from fazhi.registry.events import (
    EVENTS,
    LEGACY,
    RETIRED_POINTS_LABEL,
    EntityEvent,
    ImportBatchEvent,
)
from fazhi.registry.models import Entity, ImportBatch, ImportState
from fazhi.registry.selectors import entities as entity_selectors
from fazhi.registry.selectors import imports as import_selectors
from fazhi.registry.selectors import licences as licence_selectors
from fazhi.registry.services import imports as import_services
from fazhi.registry.tests.helpers import World, good_row, xlsx_bytes
from fazhi.registry.workflows import IMPORT_BATCH

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return World()


def _stage(world: World, rows: list[list[object]]) -> ImportBatch:
    return import_services.import_batch_stage(
        actor=world.sup0, organisation=world.inst0, file_name="x.xlsx", content=xlsx_bytes(rows)
    )


def _events(batch: ImportBatch) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(object_type="registry.importbatch", object_id=str(batch.pk))
        .exclude(action=ImportBatchEvent.STAGED)
        .order_by("seq")
    )


def test_the_table_is_registered_and_starts_in_preview():
    assert workflow._registry["import_batch"] is IMPORT_BATCH
    assert IMPORT_BATCH.initial == (ImportState.PREVIEWED,)
    assert {a.name: a.destinations for a in IMPORT_BATCH.actions} == {
        "confirm": (ImportState.CONFIRMED,),
        "discard": (ImportState.DISCARDED,),
    }


def test_confirm_records_from_and_to(world):
    batch = _stage(world, [good_row()])
    assert batch.state == ImportState.PREVIEWED
    import_services.import_batch_confirm(actor=world.sup0, batch_id=batch.pk)
    (event,) = _events(batch)
    assert event.action == "import_batch.confirmed"
    details = json.loads(event.details_json)
    assert details["from"] == "previewed" and details["to"] == "confirmed"
    assert details["count"] == 1
    batch.refresh_from_db()
    assert batch.payload == b"" and batch.confirmed_at is not None


def test_discard_empties_the_batch_and_records_it(world):
    batch = _stage(world, [good_row()])
    import_services.import_batch_discard(actor=world.sup0, batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.state == ImportState.DISCARDED and batch.payload == b""
    (event,) = _events(batch)
    assert event.action == "import_batch.discarded"
    assert json.loads(event.details_json) == {"from": "previewed", "to": "discarded"}
    assert not Entity.objects.exists()


def test_the_guard_refuses_a_batch_with_errors_and_writes_nothing(world):
    batch = _stage(world, [good_row(name="")])
    with pytest.raises(errors.Conflict) as exc:
        import_services.import_batch_confirm(actor=world.sup0, batch_id=batch.pk)
    assert exc.value.code == "batch_has_errors"
    batch.refresh_from_db()
    assert batch.state == ImportState.PREVIEWED
    assert _events(batch) == [] and not Entity.objects.exists()


@pytest.mark.parametrize("first", ["confirm", "discard"])
@pytest.mark.parametrize("then", ["confirm", "discard"])
def test_a_handled_batch_refuses_both_actions_with_its_old_code(world, first, then):
    batch = _stage(world, [good_row()])
    getattr(import_services, f"import_batch_{first}")(actor=world.sup0, batch_id=batch.pk)
    before = AuditEvent.objects.count()
    with pytest.raises(errors.InvalidTransition) as exc:
        getattr(import_services, f"import_batch_{then}")(actor=world.sup0, batch_id=batch.pk)
    assert exc.value.code == "batch_not_pending"
    assert AuditEvent.objects.count() == before


def test_event_names_have_one_shape_and_the_old_names_keep_a_label():
    for enum in EVENTS:
        for member in enum:
            assert events.get(member) is member
            assert member.label != str(member)  # a Chinese label
    assert events.label("registry.entity.risk_grade_set") == "调整风险等级"
    assert events.label("registry.import.confirmed") == ImportBatchEvent.CONFIRMED.label
    assert events.label("registry.entity.create") == EntityEvent.CREATED.label  # a denial's
    for old, (new, label) in LEGACY.items():
        if new:
            assert old.startswith("registry.") and events.known(new) and label
        else:  # the retired practice points (decision 0083): readable, not writable
            assert label == RETIRED_POINTS_LABEL and not events.known(old)
    assert events.label("practice_points.recorded") == RETIRED_POINTS_LABEL


def test_lists_refuse_a_user_without_the_capability(world):
    petitions = make_user(world.inst0, Role.PETITION_OFFICER)
    for call, action in (
        (lambda: entity_selectors.entity_list(user=petitions), "entity.listed"),
        (lambda: import_selectors.import_batch_list(user=petitions), "import_batch.listed"),
        (lambda: licence_selectors.licence_list(user=petitions), "licence.listed"),
    ):
        with pytest.raises(errors.PermissionDenied) as exc:
            call()
        assert exc.value.details["attempted"] == action


def test_a_refused_list_is_recorded_under_its_read_name(world):
    petitions = make_user(world.inst0, Role.PETITION_OFFICER)
    client = APIClient()
    client.force_login(petitions)
    response = client.get("/api/registry/entities/")
    assert response.status_code == 403
    event = AuditEvent.objects.filter(action="access.denied").latest("seq")
    assert json.loads(event.details_json)["refused"] == "entity.listed"
