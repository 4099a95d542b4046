"""Organisation tree and department services."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fazhi.core import errors
from fazhi.core.models import (
    AuditEvent,
    Department,
    Organisation,
    OrganisationKind,
    OrganisationLevel,
    Role,
)
from fazhi.core.selectors import org as org_selectors
from fazhi.core.services import org as org_services
from fazhi.core.services import people as people_services
from fazhi.core.tests.factories import (
    make_org_tree,
    make_user,
)

pytestmark = pytest.mark.django_db

COMMISSION = OrganisationKind.COMMISSION
INSTITUTE = OrganisationKind.SUPERVISION_INSTITUTE


def test_tree_paths_are_zero_padded_ids_of_the_ancestors():
    tree = make_org_tree()
    district = tree.districts[0]
    city = tree.cities[0]
    assert tree.province.path == f"{tree.province.pk:06d}/"
    assert city.path == f"{tree.province.pk:06d}/{city.pk:06d}/"
    assert district.path == f"{city.path}{district.pk:06d}/"
    assert (
        tree.institute_of(district).path == f"{district.path}{tree.institute_of(district).pk:06d}/"
    )
    assert district.depth == 3


def test_create_appends_an_audit_event():
    tree = make_org_tree()
    admin = make_user(tree.cities[0], Role.SYSTEM_ADMIN)
    org = org_services.organisation_create(
        actor=admin,
        name="新设区卫生健康委员会",
        kind=COMMISSION,
        level=OrganisationLevel.DISTRICT,
        division_code=tree.cities[0].division_code[:4] + "09",
        parent=tree.cities[0],
        short_name="新卫",
    )
    event = AuditEvent.objects.get(action="organisation.created", object_id=str(org.pk))
    assert event.actor_id == admin.pk
    assert event.organisation_id == org.pk


@pytest.mark.parametrize(
    ("kind", "level", "code_suffix", "parent_attr", "error_code"),
    [
        (COMMISSION, OrganisationLevel.CITY, "0900", "province_institute", "parent_not_commission"),
        (COMMISSION, OrganisationLevel.PROVINCE, "0000", "province", "level_mismatch"),
        (INSTITUTE, OrganisationLevel.CITY, "0000", "province", "level_mismatch"),
        (INSTITUTE, OrganisationLevel.PROVINCE, "0100", "province", "division_code_mismatch"),
        (COMMISSION, "planet", "0900", "province", "invalid_level"),
        (COMMISSION, OrganisationLevel.CITY, "0000", "province", "division_code_level"),
        ("bureau", OrganisationLevel.CITY, "0900", "province", "invalid_kind"),
    ],
)
def test_placement_must_fit_the_parent(kind, level, code_suffix, parent_attr, error_code):
    tree = make_org_tree()
    parent = (
        tree.institute_of(tree.province) if parent_attr == "province_institute" else tree.province
    )
    before = Organisation.objects.count()
    with pytest.raises(errors.ValidationFailed) as exc:
        org_services.organisation_create(
            actor=None,
            name="某机构",
            kind=kind,
            level=level,
            division_code=tree.province.division_code[:2] + code_suffix,
            parent=parent,
        )
    assert exc.value.code == error_code
    assert Organisation.objects.count() == before


def test_city_code_must_lie_in_the_province():
    tree = make_org_tree()
    other_prefix = "65" if tree.province.division_code[:2] != "65" else "64"
    with pytest.raises(errors.ValidationFailed) as exc:
        org_services.organisation_create(
            actor=None,
            name="外省市",
            kind=COMMISSION,
            level=OrganisationLevel.CITY,
            division_code=f"{other_prefix}0100",
            parent=tree.province,
        )
    assert exc.value.code == "division_code_mismatch"


def test_institute_needs_a_parent_and_root_is_only_for_the_system():
    with pytest.raises(errors.ValidationFailed) as exc:
        org_services.organisation_create(
            actor=None,
            name="孤立监督所",
            kind=INSTITUTE,
            level=OrganisationLevel.PROVINCE,
            division_code="450000",
            parent=None,
        )
    assert exc.value.code == "institute_needs_parent"
    tree = make_org_tree()
    admin = make_user(tree.province, Role.SYSTEM_ADMIN)
    with pytest.raises(errors.PermissionDenied):
        org_services.organisation_create(
            actor=admin,
            name="另一个省",
            kind=COMMISSION,
            level=OrganisationLevel.PROVINCE,
            division_code="460000",
            parent=None,
        )


@pytest.mark.parametrize("code", ["", "12345", "1234567", "12a456", "000000"])
def test_bad_division_codes_are_refused(code):
    tree = make_org_tree()
    with pytest.raises(errors.ValidationFailed):
        org_services.organisation_create(
            actor=None,
            name="某区",
            kind=COMMISSION,
            level=OrganisationLevel.DISTRICT,
            division_code=code,
            parent=tree.cities[0],
        )


def test_duplicate_name_under_one_parent_is_refused_and_blank_name_too():
    tree = make_org_tree()
    with pytest.raises(errors.ValidationFailed) as exc:
        org_services.organisation_create(
            actor=None,
            name=tree.districts[0].name,
            kind=COMMISSION,
            level=OrganisationLevel.DISTRICT,
            division_code=tree.cities[0].division_code[:4] + "09",
            parent=tree.cities[0],
        )
    assert exc.value.code == "duplicate_name"
    with pytest.raises(errors.ValidationFailed) as exc:
        org_services.organisation_create(
            actor=None,
            name="  ",
            kind=COMMISSION,
            level=OrganisationLevel.DISTRICT,
            division_code=tree.cities[0].division_code[:4] + "09",
            parent=tree.cities[0],
        )
    assert exc.value.code == "name_required"


def test_permission_and_scope_on_create():
    tree = make_org_tree()
    city_a, city_b = tree.cities
    admin_a = make_user(city_a, Role.SYSTEM_ADMIN)
    leader = make_user(tree.province, Role.LEADER)
    kwargs = {
        "name": "新区卫生健康委员会",
        "kind": COMMISSION,
        "level": OrganisationLevel.DISTRICT,
    }
    with pytest.raises(errors.OutOfScope):
        org_services.organisation_create(
            actor=admin_a,
            parent=city_b,
            division_code=city_b.division_code[:4] + "09",
            **kwargs,
        )
    with pytest.raises(errors.PermissionDenied) as exc:
        org_services.organisation_create(
            actor=leader, parent=city_a, division_code=city_a.division_code[:4] + "09", **kwargs
        )
    assert not isinstance(exc.value, errors.OutOfScope)


def test_update_renames_and_records_before_and_after():
    tree = make_org_tree()
    admin = make_user(tree.province, Role.SYSTEM_ADMIN)
    org = org_services.organisation_update(
        actor=admin,
        organisation=tree.districts[0],
        name="改名卫生健康委员会",
        short_name="改卫",
    )
    assert org.name == "改名卫生健康委员会"
    event = AuditEvent.objects.filter(action="organisation.updated").latest("seq")
    assert '"short_name":"改卫"' in event.details_json
    count = AuditEvent.objects.count()
    org_services.organisation_update(actor=admin, organisation=org, name=org.name)
    assert AuditEvent.objects.count() == count  # no change, no event


def test_update_refuses_a_sibling_name_and_out_of_scope():
    tree = make_org_tree()
    d0, d1 = tree.districts_of(tree.cities[0])
    with pytest.raises(errors.ValidationFailed):
        org_services.organisation_update(actor=None, organisation=d0, name=d1.name)
    admin_b = make_user(tree.cities[1], Role.SYSTEM_ADMIN)
    with pytest.raises(errors.OutOfScope):
        org_services.organisation_update(actor=admin_b, organisation=d0, name="越权改名")
    d0.refresh_from_db()
    assert d0.name != "越权改名"


def test_move_rewrites_the_whole_subtree():
    tree = make_org_tree()
    city_a, city_b = tree.cities
    district = tree.districts_of(city_a)[0]
    institute = tree.institute_of(district)
    with pytest.raises(errors.ValidationFailed) as exc:  # its code lies in city A's area
        org_services.organisation_move(actor=None, organisation=district, new_parent=city_b)
    assert exc.value.code == "division_code_mismatch"
    new_code = city_b.division_code[:4] + "08"
    org_services.organisation_move(
        actor=None, organisation=district, new_parent=city_b, division_code=new_code
    )
    district.refresh_from_db()
    institute.refresh_from_db()
    assert district.parent_id == city_b.pk
    assert district.division_code == new_code
    assert district.path == f"{city_b.path}{district.pk:06d}/"
    assert institute.path == f"{district.path}{institute.pk:06d}/"
    assert AuditEvent.objects.filter(action="organisation.moved").count() == 1
    # every path is still its parent's path plus its own id
    for org in Organisation.objects.select_related("parent"):
        expected = (org.parent.path if org.parent else "") + f"{org.pk:06d}/"
        assert org.path == expected


def test_move_refuses_cycles_and_institute_parents_and_scope():
    tree = make_org_tree()
    city_a, city_b = tree.cities
    district = tree.districts_of(city_a)[0]
    with pytest.raises(errors.ValidationFailed) as exc:
        org_services.organisation_move(actor=None, organisation=city_a, new_parent=district)
    assert exc.value.code == "cycle"
    with pytest.raises(errors.ValidationFailed):
        org_services.organisation_move(
            actor=None, organisation=district, new_parent=tree.institute_of(city_b)
        )
    admin_a = make_user(city_a, Role.SYSTEM_ADMIN)
    with pytest.raises(errors.OutOfScope):
        org_services.organisation_move(actor=admin_a, organisation=district, new_parent=city_b)


def test_create_locks_the_parent_and_requires_it_active():
    tree = make_org_tree()
    city = tree.cities[0]
    stale = Organisation.objects.get(pk=city.pk)
    Organisation.objects.filter(pk=city.pk).update(is_active=False)  # deactivated meanwhile
    with pytest.raises(errors.ValidationFailed) as exc:
        org_services.organisation_create(
            actor=None,
            name="新区卫生健康委员会",
            kind=COMMISSION,
            level=OrganisationLevel.DISTRICT,
            division_code=city.division_code[:4] + "09",
            parent=stale,
        )
    assert exc.value.code == "organisation_inactive"
    assert not Organisation.objects.filter(name="新区卫生健康委员会").exists()


def test_deactivate_needs_no_active_children_and_no_active_users():
    tree = make_org_tree()
    admin = make_user(tree.province, Role.SYSTEM_ADMIN)
    district = tree.districts[0]
    institute = tree.institute_of(district)
    with pytest.raises(errors.Conflict) as exc:
        org_services.organisation_deactivate(actor=admin, organisation=district, reason="撤并")
    assert exc.value.code == "has_active_children"
    user = make_user(institute, Role.SUPERVISOR)
    with pytest.raises(errors.Conflict) as exc:
        org_services.organisation_deactivate(actor=admin, organisation=institute, reason="撤并")
    assert exc.value.code == "has_active_users"
    people_services.user_deactivate(actor=admin, user=user, reason="调离")
    with pytest.raises(errors.ValidationFailed):
        org_services.organisation_deactivate(actor=admin, organisation=institute, reason="")
    org = org_services.organisation_deactivate(actor=admin, organisation=institute, reason="撤并")
    assert org.is_active is False
    with pytest.raises(errors.Conflict):
        org_services.organisation_deactivate(actor=admin, organisation=institute, reason="撤并")
    with pytest.raises(errors.ValidationFailed) as own:
        org_services.organisation_deactivate(actor=admin, organisation=tree.province, reason="x")
    assert own.value.code == "cannot_deactivate_own"


def test_departments_create_and_rename():
    tree = make_org_tree()
    admin = make_user(tree.cities[0], Role.SYSTEM_ADMIN)
    dept = org_services.department_create(
        actor=admin, organisation=tree.cities[0], name="政策法规科"
    )
    with pytest.raises(errors.ValidationFailed) as exc:
        org_services.department_create(actor=admin, organisation=tree.cities[0], name="政策法规科")
    assert exc.value.code == "duplicate_name"
    other = org_services.department_create(actor=admin, organisation=tree.cities[0], name="办公室")
    with pytest.raises(errors.ValidationFailed):
        org_services.department_rename(actor=admin, department=other, name="政策法规科")
    renamed = org_services.department_rename(actor=admin, department=dept, name="法规科")
    assert renamed.name == "法规科"
    assert AuditEvent.objects.filter(action="department.renamed").count() == 1
    with pytest.raises(errors.OutOfScope):
        org_services.department_create(actor=admin, organisation=tree.cities[1], name="办公室")
    supervisor = make_user(tree.cities[0], Role.SUPERVISOR)
    with pytest.raises(errors.PermissionDenied):
        org_services.department_rename(actor=supervisor, department=dept, name="x科")
    assert Department.objects.get(pk=dept.pk).name == "法规科"


def test_organisation_selectors_follow_scope(django_assert_max_num_queries):
    tree = make_org_tree()
    viewer = make_user(tree.cities[0], Role.VIEWER)
    supervisor = make_user(tree.districts[0], Role.SUPERVISOR)
    with django_assert_max_num_queries(1):
        visible = list(org_selectors.organisation_list(user=viewer))
    assert {o.pk for o in visible} == {
        o.pk for o in tree.all if o.path.startswith(tree.cities[0].path)
    }
    assert [o.pk for o in org_selectors.organisation_list(user=supervisor)] == [
        tree.districts[0].pk
    ]
    with pytest.raises(errors.OutOfScope) as exc:
        org_selectors.organisation_get(user=supervisor, pk=tree.districts[1].pk)
    assert (exc.value.code, exc.value.http_status) == ("not_found", 404)
    with pytest.raises(errors.NotFound):
        org_selectors.organisation_get(user=supervisor, pk="abc")


@settings(max_examples=25, deadline=None)
@given(moves=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 1)), min_size=1, max_size=4))
@pytest.mark.django_db(transaction=False)
def test_paths_stay_consistent_under_any_sequence_of_moves(moves):
    tree = make_org_tree()
    for district_index, city_index in moves:
        district = Organisation.objects.get(pk=tree.districts[district_index].pk)
        city = tree.cities[city_index]
        org_services.organisation_move(
            actor=None,
            organisation=district,
            new_parent=city,
            division_code=city.division_code[:4] + f"{50 + district_index:02d}",
        )
    for org in Organisation.objects.filter(path__startswith=tree.province.path):
        parent = org.parent
        assert org.path == (parent.path if parent else "") + f"{org.pk:06d}/"


def test_update_checks_the_new_division_code_against_level_and_parent():
    tree = make_org_tree()
    city = tree.cities[0]
    prefix = tree.province.division_code[:2]
    with pytest.raises(errors.ValidationFailed) as exc:
        org_services.organisation_update(
            actor=None, organisation=city, division_code=f"{prefix}0000"
        )
    assert exc.value.code == "division_code_level"
    with pytest.raises(errors.ValidationFailed) as exc:
        org_services.organisation_update(
            actor=None, organisation=tree.institute_of(city), division_code=f"{prefix}0900"
        )
    assert exc.value.code == "division_code_mismatch"
    moved = org_services.organisation_update(
        actor=None, organisation=city, division_code=f"{prefix}0900"
    )
    assert moved.division_code == f"{prefix}0900"


def test_move_refuses_a_name_taken_under_the_new_parent():
    tree = make_org_tree()
    city_a, city_b = tree.cities
    district = tree.districts_of(city_a)[0]
    org_services.organisation_create(
        actor=None,
        name=district.name,
        kind=COMMISSION,
        level=OrganisationLevel.DISTRICT,
        division_code=city_b.division_code[:4] + "09",
        parent=city_b,
    )
    with pytest.raises(errors.ValidationFailed) as exc:
        org_services.organisation_move(
            actor=None,
            organisation=district,
            new_parent=city_b,
            division_code=city_b.division_code[:4] + "08",
        )
    assert exc.value.code == "duplicate_name"
    district.refresh_from_db()
    assert district.parent_id == city_a.pk
