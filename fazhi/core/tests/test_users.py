"""User services and selectors."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from rest_framework.authtoken.models import Token

from fazhi.core import clock, errors
from fazhi.core.models import AuditEvent, Role, User
from fazhi.core.selectors import people as people_selectors
from fazhi.core.services import org as org_services
from fazhi.core.services import people as people_services
from fazhi.core.tests.factories import (
    PASSWORD,
    make_org_tree,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return make_org_tree()


@pytest.fixture
def city_admin(tree):
    return make_user(tree.cities[0], Role.SYSTEM_ADMIN)


def test_create_user_sets_staff_for_system_admins_only(tree, city_admin):
    district = tree.districts[0]
    admin = make_user(district, Role.SYSTEM_ADMIN, actor=city_admin)
    supervisor = make_user(district, Role.SUPERVISOR, actor=city_admin)
    assert admin.is_staff is True
    assert supervisor.is_staff is False
    assert supervisor.check_password(PASSWORD)
    event = AuditEvent.objects.get(action="user.created", object_id=str(supervisor.pk))
    assert event.actor_id == city_admin.pk
    assert PASSWORD not in event.details_json


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("username", "a", "invalid_username"),
        ("username", "有空格 的名字", "invalid_username"),
        ("full_name", "", "full_name_required"),
        ("role", "emperor", "invalid_role"),
        ("password", "short1A!", "weak_password"),
        ("password", "alllowercaseletters", "weak_password"),
        ("password", "1234567890123", "weak_password"),
    ],
)
def test_create_user_bad_input_writes_nothing(tree, city_admin, field, value, code):
    kwargs = {
        "username": "zhangsan",
        "full_name": "张三",
        "organisation": tree.districts[0],
        "role": Role.SUPERVISOR,
        "password": PASSWORD,
    }
    kwargs[field] = value
    count = User.objects.count()
    with pytest.raises(errors.ValidationFailed) as exc:
        people_services.user_create(actor=city_admin, **kwargs)
    assert exc.value.code == code
    assert User.objects.count() == count


def test_password_similar_to_username_is_refused(tree):
    with pytest.raises(errors.ValidationFailed) as exc:
        make_user(tree.districts[0], Role.SUPERVISOR, username="wangwu2026", password="Wangwu2026!")
    assert exc.value.code == "weak_password"


def test_username_is_unique_case_insensitively(tree):
    make_user(tree.districts[0], Role.SUPERVISOR, username="lisi")
    with pytest.raises(errors.ValidationFailed) as exc:
        make_user(tree.districts[1], Role.SUPERVISOR, username="LiSi")
    assert exc.value.code == "username_taken"


def test_department_must_belong_to_the_organisation(tree):
    dept = org_services.department_create(actor=None, organisation=tree.districts[1], name="监督科")
    with pytest.raises(errors.ValidationFailed) as exc:
        make_user(tree.districts[0], Role.SUPERVISOR, department=dept)
    assert exc.value.code == "department_mismatch"


def test_city_admin_cannot_create_users_in_another_city(tree, city_admin):
    with pytest.raises(errors.OutOfScope):
        make_user(tree.districts[2], Role.SUPERVISOR, actor=city_admin)
    leader = make_user(tree.cities[0], Role.LEADER)
    with pytest.raises(errors.PermissionDenied):
        make_user(tree.districts[0], Role.SUPERVISOR, actor=leader)


def test_update_role_and_move_within_scope(tree, city_admin):
    user = make_user(tree.districts[0], Role.SUPERVISOR)
    dept = org_services.department_create(actor=None, organisation=tree.districts[0], name="监督科")
    people_services.user_update(actor=city_admin, user=user, department=dept)
    updated = people_services.user_update(
        actor=city_admin, user=user, role=Role.SYSTEM_ADMIN, organisation=tree.districts[1]
    )
    assert updated.role == Role.SYSTEM_ADMIN
    assert updated.is_staff is True
    assert updated.organisation_id == tree.districts[1].pk
    assert updated.department_id is None  # the old section stays behind
    event = AuditEvent.objects.filter(action="user.updated").latest("seq")
    assert '"role":"supervisor"' in event.details_json
    with pytest.raises(errors.OutOfScope):
        people_services.user_update(actor=city_admin, user=user, organisation=tree.districts[2])
    user.refresh_from_db()
    assert user.organisation_id == tree.districts[1].pk


def test_nobody_changes_their_own_role_or_deactivates_themselves(city_admin, tree):
    with pytest.raises(errors.ValidationFailed) as exc:
        people_services.user_update(actor=city_admin, user=city_admin, role=Role.VIEWER)
    assert exc.value.code == "cannot_change_self"
    with pytest.raises(errors.ValidationFailed):
        people_services.user_deactivate(actor=city_admin, user=city_admin)
    # the own name may change
    people_services.user_update(actor=city_admin, user=city_admin, full_name="新名字")


def test_deactivate_and_reactivate_revoke_tokens(tree, city_admin):
    user = make_user(tree.districts[0], Role.SUPERVISOR)
    Token.objects.create(user=user)
    people_services.user_deactivate(actor=city_admin, user=user, reason="调离")
    user.refresh_from_db()
    assert user.is_active is False
    assert not Token.objects.filter(user=user).exists()
    with pytest.raises(errors.Conflict):
        people_services.user_deactivate(actor=city_admin, user=user)
    people_services.user_reactivate(actor=city_admin, user=user)
    with pytest.raises(errors.Conflict):
        people_services.user_reactivate(actor=city_admin, user=user)
    assert [e.action for e in AuditEvent.objects.filter(object_id=str(user.pk)).order_by("seq")][
        -2:
    ] == ["user.deactivated", "user.reactivated"]


def test_reset_password_validates_and_is_audited(tree, city_admin):
    user = make_user(tree.districts[0], Role.SUPERVISOR)
    with pytest.raises(errors.ValidationFailed):
        people_services.user_reset_password(actor=city_admin, user=user, new_password="password")
    people_services.user_reset_password(actor=city_admin, user=user, new_password="Another-Pass-99")
    user.refresh_from_db()
    assert user.check_password("Another-Pass-99")
    assert AuditEvent.objects.filter(action="user.password_reset").count() == 1
    other = make_user(tree.districts[2], Role.SUPERVISOR)
    with pytest.raises(errors.OutOfScope):
        people_services.user_reset_password(
            actor=city_admin, user=other, new_password="Another-Pass-99"
        )


def test_change_own_password(tree):
    user = make_user(tree.districts[0], Role.SUPERVISOR)
    with pytest.raises(errors.ValidationFailed) as exc:
        people_services.user_change_password(
            actor=user, old_password="wrong", new_password="New-Pass-2026"
        )
    assert exc.value.code == "wrong_password"
    Token.objects.create(user=user)
    people_services.user_change_password(
        actor=user, old_password=PASSWORD, new_password="New-Pass-2026"
    )
    user.refresh_from_db()
    assert user.check_password("New-Pass-2026")
    assert not Token.objects.filter(user=user).exists()  # the old token stops working


def test_unlock_clears_the_lockout(tree, city_admin):
    user = make_user(tree.districts[0], Role.SUPERVISOR)
    AccessAttempt.objects.create(
        username=user.username,
        ip_address="127.0.0.1",
        user_agent="test",
        failures_since_start=5,
        attempt_time=clock.now(),
    )
    assert people_selectors.locked_usernames([user.username]) == {user.username}
    assert people_services.user_unlock(actor=city_admin, user=user) == 1
    assert people_selectors.locked_usernames([user.username]) == set()
    assert AuditEvent.objects.filter(action="user.unlocked", object_id=str(user.pk)).exists()
    supervisor = make_user(tree.districts[0], Role.SUPERVISOR)
    with pytest.raises(errors.PermissionDenied):
        people_services.user_unlock(actor=supervisor, user=user)


def test_user_list_is_scoped_and_bounded(tree, django_assert_max_num_queries):
    admin = make_user(tree.cities[0], Role.SYSTEM_ADMIN)
    for district in tree.districts:
        for _ in range(3):
            make_user(district, Role.SUPERVISOR)
    with django_assert_max_num_queries(1):
        rows = list(people_selectors.user_list(user=admin))
        names = [(u.organisation and u.organisation.name, u.department) for u in rows]
    assert len(names) == 1 + 3 * 2
    assert {u.organisation_id for u in rows} <= {
        o.pk for o in tree.all if o.path.startswith(tree.cities[0].path)
    }
    other = make_user(tree.districts[2], Role.LEGAL_REVIEWER)
    with pytest.raises(errors.OutOfScope):
        people_selectors.user_get(user=admin, pk=other.pk)
    with pytest.raises(errors.NotFound):
        people_selectors.user_get(user=admin, pk=10**9)
    assert people_selectors.user_list(user=admin, q="测试", role=Role.SYSTEM_ADMIN).count() == 1


def test_update_and_reactivate_guards(tree, city_admin):
    user = make_user(tree.districts[0], Role.SUPERVISOR)
    dept = org_services.department_create(actor=None, organisation=tree.districts[1], name="外科室")
    with pytest.raises(errors.ValidationFailed) as exc:
        people_services.user_update(actor=city_admin, user=user, department=dept)
    assert exc.value.code == "department_mismatch"
    with pytest.raises(errors.ValidationFailed) as exc:
        people_services.user_update(actor=city_admin, user=user, role="emperor")
    assert exc.value.code == "invalid_role"
    institute = tree.institute_of(tree.districts[0])
    member = make_user(institute, Role.SUPERVISOR)
    people_services.user_deactivate(actor=city_admin, user=member)
    org_services.organisation_deactivate(actor=city_admin, organisation=institute, reason="撤并")
    with pytest.raises(errors.ValidationFailed) as exc:
        people_services.user_reactivate(actor=city_admin, user=member)
    assert exc.value.code == "organisation_inactive"
    with pytest.raises(errors.ValidationFailed) as exc:
        people_services.user_update(actor=city_admin, user=user, organisation=institute)
    assert exc.value.code == "organisation_inactive"
    user.refresh_from_db()
    assert user.role == Role.SUPERVISOR and user.organisation_id == tree.districts[0].pk
