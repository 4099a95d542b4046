"""Inspector pool (执法检查人员名录库): enrolment, pool membership, leave, conflicts (回避)."""

from __future__ import annotations

import datetime as dt

import pytest

from fazhi.core import clock, errors
from fazhi.core.models import AuditEvent, Role
from fazhi.core.tests.factories import make_credential, make_officer, make_user
from fazhi.inspections.models import ConflictDeclaration, InspectorLeave, InspectorProfile
from fazhi.inspections.selectors import pool as pool_selectors
from fazhi.inspections.services import pool as pool_services
from fazhi.inspections.tests.task_support import make_entity, make_task_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_task_world()


def _enrol(world, officer=None, **kw):
    values = {
        "actor": world.planner,
        "officer": officer or world.officer_a,
        "on": clock.today(),
        "categories": [world.public_places, world.water],
        "regions": ["3505", " "],
    }
    values.update(kw)
    return pool_services.inspector_enrol(**values)


def test_enrol(world):
    profile = _enrol(world, regions=["350503", "3505", "3505"], max_tasks_per_plan=10)
    assert profile.in_pool and profile.organisation == world.org
    assert profile.regions == ["3505", "350503"]
    assert {c.code for c in profile.categories.all()} == {"public_places", "drinking_water"}
    event = AuditEvent.objects.get(action="inspector.enrolled")
    assert str(profile.pk) == event.object_id and "credential" in event.details_json


def test_enrol_needs_valid_credential_on_the_date(world):
    expired = make_officer(world.org, credential_days=-1)
    with pytest.raises(errors.ValidationFailed) as exc:
        _enrol(world, officer=expired)
    assert exc.value.code == "no_valid_credential"
    none = make_officer(world.org, credential_days=None)
    with pytest.raises(errors.ValidationFailed):
        _enrol(world, officer=none)
    # valid today but not on a date after it expires
    soon = make_officer(world.org, credential_days=5)
    with pytest.raises(errors.ValidationFailed):
        _enrol(world, officer=soon, on=clock.today() + dt.timedelta(days=6))
    assert not InspectorProfile.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"categories": []}, "categories_required"),
        ({"regions": ["35x"]}, "bad_region"),
        ({"regions": ["35050"]}, "bad_region"),
        ({"max_tasks_per_plan": 0}, "bad_workload_cap"),
    ],
)
def test_enrol_bad_input(world, overrides, code):
    with pytest.raises(errors.ValidationFailed) as exc:
        _enrol(world, **overrides)
    assert exc.value.code == code
    assert not InspectorProfile.objects.exists()


def test_enrol_twice_and_guards(world):
    _enrol(world)
    with pytest.raises(errors.Conflict) as exc:
        _enrol(world)
    assert exc.value.code == "already_enrolled"
    with pytest.raises(errors.OutOfScope):
        _enrol(world, officer=world.officer_b, actor=world.stranger)
    viewer = make_user(world.org, Role.VIEWER)
    with pytest.raises(errors.PermissionDenied):
        _enrol(world, officer=world.officer_b, actor=viewer)
    inactive = make_officer(world.org)
    inactive.is_active = False
    inactive.save()
    with pytest.raises(errors.ValidationFailed) as exc2:
        _enrol(world, officer=inactive)
    assert exc2.value.code == "officer_inactive"


def test_update_out_and_back(world):
    profile = _enrol(world)
    profile = pool_services.inspector_update(
        actor=world.planner, profile=profile, categories=[world.water], regions=[]
    )
    assert [c.code for c in profile.categories.all()] == ["drinking_water"]
    with pytest.raises(errors.ValidationFailed):
        pool_services.inspector_leave_pool(actor=world.planner, profile=profile, reason=" ")
    profile = pool_services.inspector_leave_pool(
        actor=world.planner, profile=profile, reason="调离"
    )
    assert not profile.in_pool
    with pytest.raises(errors.InvalidTransition):
        pool_services.inspector_leave_pool(actor=world.planner, profile=profile, reason="again")
    profile = pool_services.inspector_return_to_pool(
        actor=world.planner, profile=profile, on=clock.today()
    )
    assert profile.in_pool
    with pytest.raises(errors.InvalidTransition):
        pool_services.inspector_return_to_pool(
            actor=world.planner, profile=profile, on=clock.today()
        )
    with pytest.raises(errors.OutOfScope):
        pool_services.inspector_update(
            actor=world.stranger, profile=profile, categories=[world.water]
        )


def test_return_needs_credential(world):
    officer = make_officer(world.org, credential_days=3)
    profile = _enrol(world, officer=officer)
    pool_services.inspector_leave_pool(actor=world.planner, profile=profile, reason="x")
    with pytest.raises(errors.ValidationFailed) as exc:
        pool_services.inspector_return_to_pool(
            actor=world.planner, profile=profile, on=clock.today() + dt.timedelta(days=10)
        )
    assert exc.value.code == "no_valid_credential"


def test_leave_periods(world):
    start = clock.today() + dt.timedelta(days=10)
    leave = pool_services.inspector_leave_add(
        actor=world.planner, officer=world.officer_a, start=start, end=start, reason="年休假"
    )
    with pytest.raises(errors.ValidationFailed) as exc:
        pool_services.inspector_leave_add(
            actor=world.planner,
            officer=world.officer_a,
            start=start - dt.timedelta(days=2),
            end=start,
        )
    assert exc.value.code == "leave_overlap"
    with pytest.raises(errors.ValidationFailed) as exc2:
        pool_services.inspector_leave_add(
            actor=world.planner, officer=world.officer_a, start=start, end=start - dt.timedelta(1)
        )
    assert exc2.value.code == "bad_period"
    # an officer records their own leave; another district cannot
    pool_services.inspector_leave_add(
        actor=world.inspector_b, officer=world.officer_b, start=start, end=start
    )
    with pytest.raises(errors.OutOfScope):
        pool_services.inspector_leave_add(
            actor=world.stranger, officer=world.officer_a, start=start, end=start
        )
    pool_services.inspector_leave_cancel(actor=world.planner, leave=leave)
    assert not InspectorLeave.objects.filter(pk=leave.pk).exists()
    assert AuditEvent.objects.filter(action="inspector.leave_cancelled").count() == 1


def test_conflicts(world):
    entity = make_entity(world)
    declaration = pool_services.conflict_declare(
        actor=world.inspector_a,
        officer=world.officer_a,
        entity=entity,
        reason="配偶任该单位负责人",
        declared_on=clock.today(),
    )
    with pytest.raises(errors.Conflict) as exc:
        pool_services.conflict_declare(
            actor=world.planner,
            officer=world.officer_a,
            entity=entity,
            reason="重复",
            declared_on=clock.today(),
        )
    assert exc.value.code == "already_declared"
    with pytest.raises(errors.ValidationFailed):
        pool_services.conflict_declare(
            actor=world.planner,
            officer=world.officer_b,
            entity=entity,
            reason="",
            declared_on=clock.today(),
        )
    # an officer without the planning capability declares for themselves, not for a colleague
    reviewer = make_user(world.org, Role.LEGAL_REVIEWER)
    reviewer_officer = make_officer(world.org, user=reviewer)
    pool_services.conflict_declare(
        actor=reviewer,
        officer=reviewer_officer,
        entity=entity,
        reason="亲属",
        declared_on=clock.today(),
    )
    with pytest.raises(errors.PermissionDenied):
        pool_services.conflict_declare(
            actor=reviewer,
            officer=world.officer_b,
            entity=entity,
            reason="x",
            declared_on=clock.today(),
        )
    with pytest.raises(errors.ValidationFailed):
        pool_services.conflict_withdraw(
            actor=world.planner, declaration=declaration, on=clock.today(), reason=""
        )
    withdrawn = pool_services.conflict_withdraw(
        actor=world.planner, declaration=declaration, on=clock.today(), reason="已离职"
    )
    assert withdrawn.withdrawn_on == clock.today()
    with pytest.raises(errors.InvalidTransition):
        pool_services.conflict_withdraw(
            actor=world.planner, declaration=withdrawn, on=clock.today(), reason="again"
        )
    # after withdrawal a new declaration is possible
    pool_services.conflict_declare(
        actor=world.planner,
        officer=world.officer_a,
        entity=entity,
        reason="再次",
        declared_on=clock.today(),
    )
    assert ConflictDeclaration.objects.count() == 3


def test_pool_eligible(world, django_assert_max_num_queries):
    a = _enrol(world)
    b = _enrol(world, officer=world.officer_b)
    short = _enrol(world, officer=make_officer(world.org, credential_days=3))
    out = _enrol(world, officer=make_officer(world.org))
    pool_services.inspector_leave_pool(actor=world.planner, profile=out, reason="调离")
    day = clock.today() + dt.timedelta(days=5)
    pool_services.inspector_leave_add(
        actor=world.planner, officer=world.officer_b, start=day, end=day
    )
    entity = make_entity(world)
    pool_services.conflict_declare(
        actor=world.planner,
        officer=world.officer_a,
        entity=entity,
        reason="亲属",
        declared_on=clock.today(),
    )
    # another organisation's inspector never appears
    _enrol(world, officer=make_officer(world.other_org), actor=world.stranger)
    with django_assert_max_num_queries(4):
        today = list(pool_selectors.pool_eligible(organisation=world.org, on=clock.today()))
        assert [len(getattr(p.officer, "active_conflicts")) for p in today]  # noqa: B009
    assert {p.pk for p in today} == {a.pk, b.pk, short.pk}
    conflicts = {p.pk: [c.entity_id for c in getattr(p.officer, "active_conflicts")] for p in today}  # noqa: B009
    assert conflicts[a.pk] == [entity.pk]
    later = {p.pk for p in pool_selectors.pool_eligible(organisation=world.org, on=day)}
    assert later == {a.pk}


def test_pool_list_scoped(world, django_assert_max_num_queries):
    for _ in range(3):
        _enrol(world, officer=make_officer(world.org))
    theirs = _enrol(world, officer=make_officer(world.other_org), actor=world.stranger)
    with django_assert_max_num_queries(4):
        rows = list(pool_selectors.pool_list(user=world.planner))
        for p in rows:
            list(p.categories.all())
            p.officer.valid_credential(clock.today())
    assert len(rows) == 3 and theirs not in rows
    with pytest.raises(errors.OutOfScope):
        pool_selectors.pool_get(user=world.planner, pk=theirs.pk)


def test_credential_expiry_drops_out_of_eligible(world):
    officer = make_officer(world.org, credential_days=None)
    make_credential(officer, expires_in_days=2)
    profile = _enrol(world, officer=officer)
    assert profile in pool_selectors.pool_eligible(organisation=world.org, on=clock.today())
    later = clock.today() + dt.timedelta(days=3)
    assert profile not in pool_selectors.pool_eligible(organisation=world.org, on=later)


# --- pages and API ------------------------------------------------------------------------


def test_pages(client, world):
    client.force_login(world.planner)
    response = client.post(
        "/inspections/pool/enrol/",
        {"officer": world.officer_a.pk, "categories": [world.water.pk], "regions": "3505"},
    )
    profile = InspectorProfile.objects.get(officer=world.officer_a)
    assert response.status_code == 302
    assert client.get("/inspections/pool/").status_code == 200
    page = client.get(f"/inspections/pool/{profile.pk}/")
    assert page.status_code == 200 and world.officer_a.name in page.content.decode()
    header = page.content.decode().split('id="detail-header"')[1].split("</header>")[0]
    assert 'id="detail-state">在库' in header and 'href="#step-out"' in header
    entity = make_entity(world)
    client.post(
        f"/inspections/pool/{profile.pk}/conflicts/",
        {"entity": entity.uscc, "reason": "亲属", "declared_on": clock.today().isoformat()},
    )
    assert ConflictDeclaration.objects.filter(officer=world.officer_a, entity=entity).exists()
    day = clock.today() + dt.timedelta(days=3)
    client.post(
        f"/inspections/pool/{profile.pk}/leaves/",
        {"start": day.isoformat(), "end": day.isoformat(), "reason": "培训"},
    )
    assert InspectorLeave.objects.filter(officer=world.officer_a).exists()
    client.post(f"/inspections/pool/{profile.pk}/out/", {"reason": "调离"})
    profile.refresh_from_db()
    assert not profile.in_pool
    after = client.get(f"/inspections/pool/{profile.pk}/").content.decode()
    header = after.split('id="detail-header"')[1].split("</header>")[0]
    assert "已出库" in header and "重新入库" in header and "#step-out" not in header


def test_page_scope(client, world):
    theirs = _enrol(world, officer=make_officer(world.other_org), actor=world.stranger)
    client.force_login(world.planner)
    assert client.get(f"/inspections/pool/{theirs.pk}/").status_code == 404
    assert client.post(f"/inspections/pool/{theirs.pk}/out/", {"reason": "x"}).status_code == 404
    other_officer = make_officer(world.other_org)
    response = client.post(
        "/inspections/pool/enrol/",
        {"officer": other_officer.pk, "categories": [world.water.pk]},
    )
    assert response.status_code == 404
    assert not InspectorProfile.objects.filter(officer=other_officer).exists()


def test_api(client, world):
    client.force_login(world.planner)
    response = client.post(
        "/api/inspections/pool/",
        {"officer": world.officer_a.pk, "categories": ["public_places"], "regions": []},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert client.get("/api/inspections/pool/").json()["count"] == 1
    eligible = client.get("/api/inspections/pool/eligible/").json()
    assert [row["id"] for row in eligible["results"]] == [pk]
    assert client.get("/api/inspections/pool/eligible/?on=bad").status_code == 400
    entity = make_entity(world)
    response = client.post(
        "/api/inspections/pool/conflicts/",
        {"officer": world.officer_a.pk, "entity": entity.uscc, "reason": "亲属"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    expired = make_officer(world.org, credential_days=-5)
    response = client.post(
        "/api/inspections/pool/",
        {"officer": expired.pk, "categories": ["public_places"]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "no_valid_credential"


def test_api_scope_leak(client, world):
    theirs = _enrol(world, officer=make_officer(world.other_org), actor=world.stranger)
    their_entity = make_entity(world, org=world.other_org)
    client.force_login(world.planner)
    assert client.get(f"/api/inspections/pool/{theirs.pk}/").status_code == 404
    assert client.get("/api/inspections/pool/").json()["count"] == 0
    response = client.post(
        "/api/inspections/pool/conflicts/",
        {"officer": world.officer_a.pk, "entity": their_entity.uscc, "reason": "x"},
        content_type="application/json",
    )
    assert response.status_code == 404
    response = client.post(
        "/api/inspections/pool/",
        {"officer": theirs.officer_id, "categories": ["public_places"]},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_api_pool_lifecycle(client, world):
    profile = _enrol(world)
    client.force_login(world.planner)
    base = f"/api/inspections/pool/{profile.pk}"
    response = client.put(
        f"{base}/",
        {"categories": ["drinking_water"], "regions": ["3505"], "max_tasks_per_plan": 5},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["categories"] == ["drinking_water"]
    out = client.post(f"{base}/out/", {"reason": "借调"}, content_type="application/json")
    assert out.status_code == 200 and out.json()["in_pool"] is False
    assert client.post(f"{base}/in/").json()["in_pool"] is True
    day = (clock.today() + dt.timedelta(days=2)).isoformat()
    leave = client.post(
        "/api/inspections/pool/leaves/",
        {"officer": world.officer_a.pk, "start": day, "end": day, "reason": "培训"},
        content_type="application/json",
    )
    assert leave.status_code == 201, leave.content
    assert client.get("/api/inspections/pool/leaves/").json()["count"] == 1
    cancel = client.post(f"/api/inspections/pool/leaves/{leave.json()['id']}/cancel/")
    assert cancel.status_code == 204
    entity = make_entity(world)
    declared = client.post(
        "/api/inspections/pool/conflicts/",
        {"officer": world.officer_a.pk, "entity": str(entity.pk), "reason": "亲属"},
        content_type="application/json",
    )
    assert declared.status_code == 201
    withdrawn = client.post(
        f"/api/inspections/pool/conflicts/{declared.json()['id']}/withdraw/",
        {"reason": "已离职"},
        content_type="application/json",
    )
    assert (
        withdrawn.status_code == 200
        and withdrawn.json()["withdrawn_on"] == clock.today().isoformat()
    )
    assert client.get("/api/inspections/pool/conflicts/?active=1").json()["count"] == 0


def test_undoing_a_declaration_or_leave_needs_a_planner(world):
    entity = make_entity(world)
    declaration = pool_services.conflict_declare(
        actor=world.inspector_a,
        officer=world.officer_a,
        entity=entity,
        reason="配偶任该单位负责人",
        declared_on=clock.today() - dt.timedelta(days=10),
    )
    # the officer alone can neither withdraw their own 回避 nor cancel their own leave
    with pytest.raises(errors.PermissionDenied):
        pool_services.conflict_withdraw(
            actor=world.inspector_a, declaration=declaration, on=clock.today(), reason="已离婚"
        )
    leave = pool_services.inspector_leave_add(
        actor=world.inspector_a, officer=world.officer_a, start=clock.today(), end=clock.today()
    )
    with pytest.raises(errors.PermissionDenied):
        pool_services.inspector_leave_cancel(actor=world.inspector_a, leave=leave)
    with pytest.raises(errors.OutOfScope):
        pool_services.conflict_withdraw(
            actor=world.stranger, declaration=declaration, on=clock.today(), reason="x"
        )
    # a withdrawal cannot be back-dated
    with pytest.raises(errors.ValidationFailed) as exc:
        pool_services.conflict_withdraw(
            actor=world.planner,
            declaration=declaration,
            on=clock.today() - dt.timedelta(days=1),
            reason="已离婚",
        )
    assert exc.value.code == "withdrawal_in_past"
    declaration.refresh_from_db()
    assert declaration.withdrawn_on is None
    assert InspectorLeave.objects.filter(pk=leave.pk).exists()
