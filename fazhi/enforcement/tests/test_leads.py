"""Case leads: referral, dismissal, the scoped reads, the page and the API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from rest_framework.test import APIClient

from fazhi.core import errors, events, workflow
from fazhi.core.models import AuditEvent, Role
from fazhi.core.tests.factories import make_officer, make_user
from fazhi.enforcement.events import CaseLeadEvent
from fazhi.enforcement.models import CaseLead, CaseLeadSource, CaseLeadState
from fazhi.enforcement.selectors import leads as lead_selectors
from fazhi.enforcement.services import leads as lead_services
from fazhi.enforcement.workflows import CASE_LEAD
from fazhi.inspections.tests.task_support import (
    TaskWorld,
    make_entity,
    make_item,
    make_plan,
    make_task,
    make_task_world,
)

pytestmark = pytest.mark.django_db

FACTS = "未取得公共场所卫生许可证擅自营业"


@pytest.fixture
def world() -> TaskWorld:
    return make_task_world()


def refer(world: TaskWorld, **kw: Any) -> CaseLead:
    """A lead referred by hand (a complaint), inside a transaction as another service would."""
    values: dict[str, Any] = {
        "actor": world.planner,
        "organisation": world.org,
        "source": CaseLeadSource.COMPLAINT,
        "facts": FACTS,
    }
    values.update(kw)
    if "entity" not in values:
        values["entity"] = make_entity(world)
    with transaction.atomic():
        return lead_services.case_lead_create(**values)


def refer_elsewhere(world: TaskWorld) -> CaseLead:
    """A lead of another district's institute."""
    return refer(
        world,
        actor=world.stranger,
        organisation=world.other_org,
        entity=make_entity(world, org=world.other_org),
    )


def _nothing_written(before: int) -> None:
    assert not CaseLead.objects.exists()
    assert AuditEvent.objects.filter(action=CaseLeadEvent.CREATED).count() == before


# --- the table --------------------------------------------------------------------------------


def test_the_table_declares_filing_and_dismissal():
    assert workflow._registry["case_lead"] is CASE_LEAD
    assert CASE_LEAD.initial == (CaseLeadState.NEW,)
    assert {a.name: (a.sources, a.destinations, a.event) for a in CASE_LEAD.actions} == {
        "file": ((CaseLeadState.NEW,), (CaseLeadState.FILED,), CaseLeadEvent.FILED),
        "dismiss": ((CaseLeadState.NEW,), (CaseLeadState.DISMISSED,), CaseLeadEvent.DISMISSED),
    }
    for member in CaseLeadEvent:
        assert events.get(member) is member and member.label != str(member)


# --- case_lead_create -------------------------------------------------------------------------


def test_create_joins_the_callers_transaction_only(world, monkeypatch):
    from types import SimpleNamespace

    entity = make_entity(world)
    # the test itself runs in a transaction: simulate a caller outside one
    monkeypatch.setattr(lead_services, "connection", SimpleNamespace(in_atomic_block=False))
    with pytest.raises(RuntimeError):
        lead_services.case_lead_create(
            actor=world.planner,
            organisation=world.org,
            entity=entity,
            source=CaseLeadSource.COMPLAINT,
            facts=FACTS,
        )
    assert not CaseLead.objects.exists()


def test_a_lead_rolls_back_with_its_callers_transaction(world):
    entity = make_entity(world)
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        lead_services.case_lead_create(
            actor=world.planner,
            organisation=world.org,
            entity=entity,
            source=CaseLeadSource.COMPLAINT,
            facts=FACTS,
        )
        1 / 0  # noqa: B018  (the caller fails after referring)
    assert not CaseLead.objects.exists()
    assert not AuditEvent.objects.filter(action="case_lead.created").exists()


def test_create_refers_a_new_lead_with_its_event(world):
    lead = refer(world, facts=f"  {FACTS}  ")
    assert lead.state == CaseLeadState.NEW and lead.facts == FACTS
    assert lead.created_by == world.planner and lead.source_task is None
    event = AuditEvent.objects.get(action="case_lead.created", object_id=str(lead.pk))
    assert json.loads(event.details_json) == {"source": "complaint", "entity_id": lead.entity_id}


def test_create_needs_the_capability_and_the_organisation_in_scope(world):
    entity = make_entity(world)
    before = AuditEvent.objects.filter(action=CaseLeadEvent.CREATED).count()
    viewer = make_user(world.org, Role.VIEWER)
    with pytest.raises(errors.PermissionDenied) as exc:
        refer(world, actor=viewer, entity=entity)
    assert exc.value.details["attempted"] == "case_lead.created"
    with pytest.raises(errors.OutOfScope):
        refer(world, actor=world.stranger, entity=entity)
    _nothing_written(before)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"source": "rumour"}, "unknown_source"),
        ({"facts": "   "}, "facts_required"),
        ({"facts": "违" * (lead_services.FACTS_MAX + 1)}, "facts_too_long"),
    ],
)
def test_create_validates_its_input(world, change, code):
    entity = make_entity(world)
    before = AuditEvent.objects.filter(action=CaseLeadEvent.CREATED).count()
    with pytest.raises(errors.ValidationFailed) as exc:
        refer(world, entity=entity, **change)
    assert exc.value.code == code
    _nothing_written(before)


def test_create_refuses_an_entity_another_organisation_supervises(world):
    elsewhere = make_entity(world, org=world.other_org)
    with pytest.raises(errors.ValidationFailed) as exc:
        refer(world, entity=elsewhere)
    assert exc.value.code == "entity_out_of_reach"
    assert not CaseLead.objects.exists()


@pytest.fixture
def task(world):
    plan = make_plan(world, items=[make_item(world)])
    return make_task(world, plan=plan, entity=make_entity(world))


def test_a_task_referral_needs_an_inspector_of_the_task(world, task):
    with pytest.raises(errors.PermissionDenied) as exc:
        refer(
            world,
            actor=world.outsider,
            entity=task.entity,
            source=CaseLeadSource.RANDOM_INSPECTION,
            source_task=task,
        )
    assert exc.value.code == "not_assigned"
    lead = refer(
        world,
        actor=world.inspector_a,
        entity=task.entity,
        source=CaseLeadSource.RANDOM_INSPECTION,
        source_task=task,
    )
    assert lead.source_task == task
    details = AuditEvent.objects.get(action="case_lead.created").details
    assert details["source_task_id"] == task.pk


def test_an_inspector_of_another_organisation_on_the_team_may_refer(world):
    """A plan's team may hold an officer of another organisation of its tree; the assignment is
    the authority for the referral, though that officer may not write in the task's organisation."""
    officer = make_officer(world.other_org, user=world.stranger)
    plan = make_plan(world, items=[make_item(world)])
    task = make_task(world, plan=plan, entity=make_entity(world), inspectors=(officer,))
    lead = refer(
        world,
        actor=world.stranger,
        entity=task.entity,
        source=CaseLeadSource.RANDOM_INSPECTION,
        source_task=task,
    )
    assert lead.organisation == world.org


def test_a_task_referral_must_match_its_task_and_happen_once(world, task):
    for change in (
        {"entity": make_entity(world)},
        {"source": CaseLeadSource.COMPLAINT},
        {"organisation": world.tree.districts[0]},
    ):
        values = {
            "actor": world.inspector_a,
            "entity": task.entity,
            "source": CaseLeadSource.RANDOM_INSPECTION,
            "source_task": task,
            **change,
        }
        with pytest.raises(errors.ValidationFailed) as exc:
            refer(world, **values)
        assert exc.value.code == "bad_source_task"
    values = {
        "actor": world.inspector_a,
        "entity": task.entity,
        "source": CaseLeadSource.RANDOM_INSPECTION,
        "source_task": task,
    }
    refer(world, **values)
    with pytest.raises(errors.Conflict) as conflict:
        refer(world, **values)
    assert conflict.value.code == "already_referred"
    assert CaseLead.objects.count() == 1


# --- case_lead_dismiss ------------------------------------------------------------------------


def test_dismiss_records_the_decision_and_its_reason(world):
    lead = refer(world)
    lead_services.case_lead_dismiss(actor=world.leader, lead=lead, reason=" 证据不足 ")
    lead.refresh_from_db()
    assert lead.state == CaseLeadState.DISMISSED and lead.dismissal_reason == "证据不足"
    assert lead.decided_by == world.leader and lead.decided_at is not None
    event = AuditEvent.objects.get(action="case_lead.dismissed")
    assert json.loads(event.details_json) == {
        "from": "new",
        "to": "dismissed",
        "reason": "证据不足",
    }


def test_dismiss_guards_and_refusals_write_nothing(world):
    lead = refer(world)
    for actor, reason, error, code in (
        (world.leader, " ", errors.ValidationFailed, "reason_required"),
        (world.leader, "理" * (lead_services.REASON_MAX + 1), errors.ValidationFailed, None),
        (world.planner, "证据不足", errors.PermissionDenied, None),
        (make_user(world.tree.districts[2], Role.LEADER), "证据不足", errors.OutOfScope, None),
    ):
        with pytest.raises(error) as exc:
            lead_services.case_lead_dismiss(actor=actor, lead=lead, reason=reason)
        if code:
            assert exc.value.code == code
    lead.refresh_from_db()
    assert lead.state == CaseLeadState.NEW and lead.dismissal_reason == ""
    assert not AuditEvent.objects.filter(action="case_lead.dismissed").exists()


def test_only_a_new_lead_can_be_dismissed(world):
    lead = refer(world)
    lead_services.case_lead_dismiss(actor=world.leader, lead=lead, reason="证据不足")
    with pytest.raises(errors.InvalidTransition) as exc:
        lead_services.case_lead_dismiss(actor=world.leader, lead=lead, reason="再次")
    assert exc.value.code == "lead_not_new"
    assert AuditEvent.objects.filter(action="case_lead.dismissed").count() == 1


# --- reads ------------------------------------------------------------------------------------


def test_list_is_scoped_and_refuses_without_the_capability(world):
    mine = refer(world)
    theirs = refer_elsewhere(world)
    assert list(lead_selectors.case_lead_list(user=world.leader)) == [mine]
    assert list(lead_selectors.case_lead_list(user=world.planner, state="dismissed")) == []
    with pytest.raises(errors.PermissionDenied) as exc:
        lead_selectors.case_lead_list(user=make_user(world.org, Role.PETITION_OFFICER))
    assert exc.value.details["attempted"] == "case_lead.listed"
    with pytest.raises(errors.OutOfScope):
        lead_selectors.case_lead_get(user=world.leader, lead_id=theirs.pk)
    with pytest.raises(errors.NotFound):
        lead_selectors.case_lead_get(user=world.leader, lead_id=10**9)


# --- page -------------------------------------------------------------------------------------


def test_page_lists_leads_and_leads_the_head_to_the_decision(world, django_assert_max_num_queries):
    leads = [refer(world) for _ in range(3)]
    client = Client()
    client.force_login(world.leader)
    with django_assert_max_num_queries(12):
        response = client.get("/enforcement/leads/")
    body = response.content.decode()
    assert response.status_code == 200 and body.count(">处理</a>") == 3
    # The dismissal is a step on the lead's page, not a form in every row.
    assert "不予立案理由" not in body and "/dismiss/" not in body
    page = client.get(f"/enforcement/leads/{leads[0].pk}/").content.decode()
    assert 'id="step-dismiss"' in page and "不予立案理由" in page
    client.force_login(world.planner)
    assert ">处理</a>" not in client.get("/enforcement/leads/").content.decode()
    page = client.get(f"/enforcement/leads/{leads[0].pk}/").content.decode()
    assert 'id="step-dismiss"' not in page
    assert client.get("/enforcement/leads/?state=bogus").status_code == 400


def test_page_dismisses_and_reports_a_refusal(world):
    lead = refer(world)
    client = Client()
    client.force_login(world.leader)
    response = client.post(f"/enforcement/leads/{lead.pk}/dismiss/", {"reason": ""})
    assert response["X-Error-Code"] == "reason_required"
    page = client.get(response["Location"]).content.decode()
    assert "alert-danger" in page and "reason_required" not in page
    assert response["Location"] == f"/enforcement/leads/{lead.pk}/"
    response = client.post(f"/enforcement/leads/{lead.pk}/dismiss/", {"reason": "证据不足"})
    assert response.status_code == 302
    assert "不予立案理由" in client.get(response["Location"]).content.decode()
    lead.refresh_from_db()
    assert lead.state == CaseLeadState.DISMISSED
    viewer = make_user(world.org, Role.PETITION_OFFICER)
    client.force_login(viewer)
    assert client.get("/enforcement/leads/").status_code == 403


# --- API --------------------------------------------------------------------------------------


def test_api_lists_reads_and_dismisses(world):
    lead = refer(world)
    theirs = refer_elsewhere(world)
    api = APIClient()
    api.force_login(world.leader)
    listed = api.get("/api/enforcement/leads/").json()
    assert [row["id"] for row in listed["results"]] == [lead.pk]
    assert api.get("/api/enforcement/leads/?state=filed").json()["count"] == 0
    assert api.get("/api/enforcement/leads/?state=bogus").status_code == 400
    detail = api.get(f"/api/enforcement/leads/{lead.pk}/").json()
    assert detail["state"] == "new" and detail["entity_name"] == lead.entity.name
    assert api.get(f"/api/enforcement/leads/{theirs.pk}/").status_code == 404
    away = api.post(f"/api/enforcement/leads/{theirs.pk}/dismiss/", {}, format="json")
    assert away.status_code == 404
    missing = api.post(f"/api/enforcement/leads/{lead.pk}/dismiss/", {}, format="json")
    assert missing.status_code == 400
    response = api.post(
        f"/api/enforcement/leads/{lead.pk}/dismiss/", {"reason": "证据不足"}, format="json"
    )
    assert response.status_code == 200 and response.json()["state"] == "dismissed"
    again = api.post(
        f"/api/enforcement/leads/{lead.pk}/dismiss/", {"reason": "证据不足"}, format="json"
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "lead_not_new"
    api.force_login(world.planner)
    refused = api.post(
        f"/api/enforcement/leads/{lead.pk}/dismiss/", {"reason": "证据不足"}, format="json"
    )
    assert refused.status_code == 403
