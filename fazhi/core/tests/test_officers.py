"""Officer and credential services and selectors."""

from __future__ import annotations

import datetime as dt

import pytest

from fazhi.core import clock, errors
from fazhi.core.models import AuditEvent, Credential, Officer, Role
from fazhi.core.models.org import CredentialState
from fazhi.core.selectors import people as people_selectors
from fazhi.core.services import org as org_services
from fazhi.core.services import people as people_services
from fazhi.core.tests.factories import (
    make_credential,
    make_officer,
    make_org_tree,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return make_org_tree()


@pytest.fixture
def admin(tree):
    return make_user(tree.cities[0], Role.SYSTEM_ADMIN)


def test_officer_create_links_a_user_of_the_same_organisation(tree, admin):
    institute = tree.institute_of(tree.districts[0])
    login = make_user(institute, Role.SUPERVISOR)
    officer = people_services.officer_create(
        actor=admin, organisation=institute, name="李执法", user=login, title="科员"
    )
    assert officer.user_id == login.pk
    assert AuditEvent.objects.filter(action="officer.created", object_id=str(officer.pk)).exists()
    with pytest.raises(errors.ValidationFailed) as exc:
        people_services.officer_create(actor=admin, organisation=institute, name="重复", user=login)
    assert exc.value.code == "user_taken"
    stranger = make_user(tree.districts[1], Role.SUPERVISOR)
    with pytest.raises(errors.ValidationFailed) as exc:
        people_services.officer_create(
            actor=admin, organisation=institute, name="错位", user=stranger
        )
    assert exc.value.code == "user_mismatch"


def test_officer_create_guards(tree, admin):
    with pytest.raises(errors.ValidationFailed):
        people_services.officer_create(actor=admin, organisation=tree.districts[0], name="")
    with pytest.raises(errors.OutOfScope):
        people_services.officer_create(actor=admin, organisation=tree.districts[2], name="外市")
    viewer = make_user(tree.province, Role.VIEWER)
    with pytest.raises(errors.PermissionDenied):
        people_services.officer_create(actor=viewer, organisation=tree.districts[0], name="只读")
    assert not Officer.objects.filter(name__in=["外市", "只读"]).exists()


def test_officer_update(tree, admin):
    officer = make_officer(tree.districts[0], credential_days=None)
    login = make_user(tree.districts[0], Role.SUPERVISOR)
    updated = people_services.officer_update(
        actor=admin, officer=officer, title="副所长", user=login, has_legal_qualification=True
    )
    assert (updated.title, updated.user_id, updated.has_legal_qualification) == (
        "副所长",
        login.pk,
        True,
    )
    people_services.officer_update(actor=admin, officer=officer, user=None, is_active=False)
    officer.refresh_from_db()
    assert officer.user_id is None and officer.is_active is False
    assert AuditEvent.objects.filter(action="officer.updated").count() == 2


def test_credential_issue_and_guards(tree, admin):
    officer = make_officer(tree.districts[0], credential_days=None)
    today = clock.today()
    credential = people_services.credential_issue(
        actor=admin,
        officer=officer,
        number="JX-0001",
        issued_on=today,
        expires_on=today + dt.timedelta(days=1000),
        issuing_authority="清源省人民政府",
    )
    event = AuditEvent.objects.get(action="credential.issued")
    assert event.organisation_id == officer.organisation_id
    assert credential.is_valid_on(today)
    with pytest.raises(errors.ValidationFailed) as exc:
        people_services.credential_issue(
            actor=admin, officer=officer, number="JX-0001", issued_on=today, expires_on=today
        )
    assert exc.value.code == "duplicate_number"
    with pytest.raises(errors.ValidationFailed) as exc:
        people_services.credential_issue(
            actor=admin,
            officer=officer,
            number="JX-0002",
            issued_on=today,
            expires_on=today - dt.timedelta(days=1),
        )
    assert exc.value.code == "expiry_before_issue"
    outsider = make_officer(tree.districts[3], credential_days=None)
    with pytest.raises(errors.OutOfScope):
        people_services.credential_issue(
            actor=admin, officer=outsider, number="JX-0003", issued_on=today, expires_on=today
        )
    assert Credential.objects.count() == 1


def test_credential_workflow(tree, admin):
    officer = make_officer(tree.districts[0], credential_days=None)
    credential = make_credential(officer)
    with pytest.raises(errors.ValidationFailed) as vexc:
        people_services.credential_suspend(actor=admin, credential=credential, reason="")
    assert vexc.value.code == "reason_required"
    suspended = people_services.credential_suspend(
        actor=admin, credential=credential, reason="涉嫌违纪"
    )
    assert suspended.state == CredentialState.SUSPENDED and suspended.state_reason == "涉嫌违纪"
    assert suspended.state_changed_on == clock.today()
    assert not suspended.is_valid_on(clock.today())
    with pytest.raises(errors.InvalidTransition) as exc:
        people_services.credential_suspend(actor=admin, credential=credential, reason="再暂扣")
    assert exc.value.code == "invalid_transition" and "暂扣" in exc.value.message
    people_services.credential_reinstate(actor=admin, credential=credential, reason="恢复")
    with pytest.raises(errors.InvalidTransition):
        people_services.credential_reinstate(actor=admin, credential=credential, reason="再恢复")
    revoked = people_services.credential_revoke(
        actor=admin, credential=credential, reason="调离执法岗位"
    )
    assert revoked.state == CredentialState.REVOKED
    for step in (
        people_services.credential_reinstate,
        people_services.credential_suspend,
        people_services.credential_revoke,
    ):
        with pytest.raises(errors.InvalidTransition):
            step(actor=admin, credential=credential, reason="已注销")
    credential.refresh_from_db()
    assert credential.state_reason == "调离执法岗位"  # the refusals wrote nothing
    events = list(
        AuditEvent.objects.filter(action__startswith="credential.")
        .exclude(action="credential.issued")
        .order_by("seq")
    )
    assert [(e.action, e.details["from"], e.details["to"]) for e in events] == [
        ("credential.suspended", "valid", "suspended"),
        ("credential.reinstated", "suspended", "valid"),
        ("credential.revoked", "valid", "revoked"),
    ]
    # scoped to the officer's organisation, not the (city) administrator's
    assert {e.organisation_id for e in events} == {tree.districts[0].pk}
    assert events[0].details["reason"] == "涉嫌违纪"


def test_credential_steps_need_the_manage_capability(tree):
    credential = make_credential(make_officer(tree.districts[0], credential_days=None))
    supervisor = make_user(tree.districts[0], Role.SUPERVISOR)
    with pytest.raises(errors.PermissionDenied) as exc:
        people_services.credential_suspend(actor=supervisor, credential=credential, reason="越权")
    assert exc.value.details["attempted"] == "credential.suspended"
    credential.refresh_from_db()
    assert credential.state == CredentialState.VALID


def test_credentials_expiring_and_state(tree, django_assert_max_num_queries):
    district = tree.districts[0]
    soon = make_officer(district, credential_days=30)
    later = make_officer(district, credential_days=200)
    expired = make_officer(district, credential_days=-1)
    none = make_officer(district, credential_days=None)
    make_officer(tree.districts[1], credential_days=10)  # out of scope for the supervisor
    supervisor = make_user(district, Role.SUPERVISOR)
    expiring = people_selectors.credentials_expiring(user=supervisor, within_days=60)
    assert [c.officer_id for c in expiring] == [soon.pk]
    today = clock.today()
    with django_assert_max_num_queries(2):
        states = {
            o.pk: people_selectors.credential_standing(o, today=today).css
            for o in people_selectors.officer_list(user=supervisor)
        }
    assert states == {soon.pk: "expiring", later.pk: "ok", expired.pk: "expired", none.pk: "none"}
    with pytest.raises(errors.OutOfScope):
        people_selectors.officer_get(
            user=supervisor, pk=Officer.objects.exclude(organisation=district)[0].pk
        )
    assert people_selectors.credential_list(user=supervisor).count() == 3


def test_viewer_sees_the_subtree_of_officers(tree):
    for district in tree.districts:
        make_officer(district)
    viewer = make_user(tree.cities[1], Role.VIEWER)
    visible = {o.organisation_id for o in people_selectors.officer_list(user=viewer)}
    assert visible == {d.pk for d in tree.districts_of(tree.cities[1])}


def test_officer_and_credential_writes_need_scope_and_an_active_officer(tree, admin):
    outsider = make_officer(tree.districts[3])
    with pytest.raises(errors.OutOfScope):
        people_services.officer_update(actor=admin, officer=outsider, title="越权")
    with pytest.raises(errors.OutOfScope):
        people_services.credential_suspend(
            actor=admin, credential=outsider.credentials.get(), reason="越权"
        )
    dept = org_services.department_create(actor=None, organisation=tree.districts[1], name="他科")
    own = make_officer(tree.districts[0], credential_days=None)
    with pytest.raises(errors.ValidationFailed) as exc:
        people_services.officer_update(actor=admin, officer=own, department=dept)
    assert exc.value.code == "department_mismatch"
    people_services.officer_update(actor=admin, officer=own, is_active=False)
    own.refresh_from_db()
    today = clock.today()
    with pytest.raises(errors.ValidationFailed) as exc:
        people_services.credential_issue(
            actor=admin, officer=own, number="OFF-1", issued_on=today, expires_on=today
        )
    assert exc.value.code == "officer_inactive"
    outsider.refresh_from_db()
    assert outsider.title == "" and outsider.credentials.get().state == CredentialState.VALID
