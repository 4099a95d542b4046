"""Audit pages and API: scope by organisation, filters, object history, verify, doc numbers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from fazhi.core import audit, clock, errors
from fazhi.core.models import AuditEvent, ChainHead, Role
from fazhi.core.selectors import audit as audit_selectors
from fazhi.core.services.numbering import document_type_create
from fazhi.core.tests import probe_events  # noqa: F401  (registers the probe names)
from fazhi.core.tests.factories import make_org_tree, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    tree = make_org_tree()
    city_a = tree.cities[0]
    district_a = tree.districts[0]
    district_b = tree.districts[2]  # under city_b
    w = {
        "tree": tree,
        "district_a": district_a,
        "district_b": district_b,
        "admin": make_user(tree.province, Role.SYSTEM_ADMIN),
        "leader_a": make_user(city_a, Role.LEADER, full_name="甲市领导"),
        "viewer": make_user(tree.province, Role.VIEWER),
        "sup_a": make_user(district_a, Role.SUPERVISOR, full_name="甲区监督员"),
        "admin_b": make_user(district_b, Role.SYSTEM_ADMIN),
    }
    with transaction.atomic():
        w["in_a"] = audit.append(
            actor=w["sup_a"], action="probe_case.filed", obj=district_a, details={"n": "甲"}
        )
        w["in_b"] = audit.append(
            actor=w["admin_b"], action="probe_case.filed", obj=district_b, details={"n": "乙"}
        )
        w["system"] = audit.append(actor=None, action="probe_job.ran", details={})
    return w


def _seqs(qs):
    return {e.seq for e in qs}


# --- selectors --------------------------------------------------------------------------------


def test_list_is_scoped_by_organisation_subtree(world):
    leader = _seqs(audit_selectors.audit_event_list(user=world["leader_a"]))
    assert world["in_a"].seq in leader and world["in_b"].seq not in leader
    assert world["system"].seq not in leader
    viewer = _seqs(audit_selectors.audit_event_list(user=world["viewer"]))
    assert {world["in_a"].seq, world["in_b"].seq} <= viewer
    assert world["system"].seq not in viewer  # no organisation: root system admins only
    assert world["system"].seq in _seqs(audit_selectors.audit_event_list(user=world["admin"]))
    own = _seqs(audit_selectors.audit_event_list(user=world["admin_b"]))
    assert world["in_b"].seq in own and world["in_a"].seq not in own
    assert world["system"].seq not in own  # a district admin is not a root admin


def test_list_needs_audit_view(world):
    with pytest.raises(errors.PermissionDenied):
        audit_selectors.audit_event_list(user=world["sup_a"])


def test_filters(world):
    user = world["viewer"]
    assert _seqs(audit_selectors.audit_event_list(user=user, action="probe_case.filed")) == {
        world["in_a"].seq,
        world["in_b"].seq,
    }
    assert world["in_a"].seq in _seqs(
        audit_selectors.audit_event_list(user=user, action="probe_case.")
    )
    assert not audit_selectors.audit_event_list(user=user, action="probe_case.").filter(
        action="probe_job.ran"
    )
    by_obj = audit_selectors.audit_event_list(
        user=user, object_type="core.organisation", object_id=str(world["district_a"].pk)
    )
    assert world["in_a"].seq in _seqs(by_obj) and world["in_b"].seq not in _seqs(by_obj)
    assert _seqs(audit_selectors.audit_event_list(user=user, actor="甲区")) == {world["in_a"].seq}
    assert _seqs(audit_selectors.audit_event_list(user=user, actor=str(world["admin_b"].pk))) >= {
        world["in_b"].seq
    }
    today = clock.today()
    assert world["in_a"].seq in _seqs(
        audit_selectors.audit_event_list(user=user, date_from=today, date_to=today)
    )
    assert not audit_selectors.audit_event_list(
        user=user, date_to=today - dt.timedelta(days=1)
    ).exists()
    assert not audit_selectors.audit_event_list(
        user=user, date_from=today + dt.timedelta(days=1)
    ).exists()


def test_event_get_out_of_scope_is_not_found(world):
    assert (
        audit_selectors.audit_event_get(user=world["leader_a"], seq=world["in_a"].seq)
        == world["in_a"]
    )
    with pytest.raises(errors.OutOfScope):
        audit_selectors.audit_event_get(user=world["leader_a"], seq=world["in_b"].seq)
    with pytest.raises(errors.NotFound):
        audit_selectors.audit_event_get(user=world["leader_a"], seq=world["in_b"].seq + 10**6)


def test_audit_for_object_oldest_first(world, django_assert_max_num_queries):
    user = world["viewer"]
    user.organisation  # noqa: B018 - load the scope once, outside the count
    with django_assert_max_num_queries(1):
        history = list(audit_selectors.audit_for_object(user=user, obj=world["district_a"]))
    assert [e.action for e in history] == ["organisation.created", "probe_case.filed"]


# --- pages ------------------------------------------------------------------------------------


def test_list_page_shows_only_scope(client, world, django_assert_max_num_queries):
    client.force_login(world["leader_a"])
    url = reverse("core:audit_list")
    client.get(url)  # warm the session
    # 8, plus the organisations' names and one query per kind of object on the page (titles)
    with django_assert_max_num_queries(11):
        response = client.get(url)
    assert response.status_code == 200
    seqs = {e.seq for e in response.context["page"].object_list}
    assert world["in_a"].seq in seqs and world["in_b"].seq not in seqs
    body = response.content.decode()
    assert "测试立案" in body and ">probe_case.filed<" not in body  # shown by its Chinese name


def test_list_page_filters_and_htmx_rows(client, world):
    client.force_login(world["viewer"])
    response = client.get(
        reverse("core:audit_list"),
        {"actor": "甲区", "action": "probe_case."},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response.templates[0].name == "core/audit_rows.html"
    assert [e.seq for e in response.context["page"].object_list] == [world["in_a"].seq]


def test_list_page_bad_date_shows_error_and_nothing(client, world):
    client.force_login(world["viewer"])
    response = client.get(reverse("core:audit_list"), {"date_from": "2024-13-45"})
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []
    assert response.context["form"].errors["date_from"]


def test_list_page_denied_without_capability_and_recorded(client, world):
    client.force_login(world["sup_a"])
    before = ChainHead.objects.get(pk=1).last_seq
    response = client.get(reverse("core:audit_list"))
    assert response.status_code == 403
    denial = AuditEvent.objects.get(seq=before + 1)
    assert denial.action == "access.denied" and denial.actor_id == world["sup_a"].pk


def test_detail_page_and_scope_by_url(client, world):
    client.force_login(world["leader_a"])
    ok = client.get(reverse("core:audit_detail", args=[world["in_a"].seq]))
    assert ok.status_code == 200
    body = ok.content.decode()
    assert world["in_a"].hash in body and "甲" in body
    assert (
        f'<h1 class="h4 mb-0 me-auto">审计记录第{world["in_a"].seq}条' in body
    )  # the shell's header
    assert client.get(reverse("core:audit_detail", args=[world["in_b"].seq])).status_code == 404


def test_object_history_partial_by_url(client, world):
    client.force_login(world["leader_a"])
    url = reverse(
        "core:audit_object_history", args=["core.organisation", str(world["district_a"].pk)]
    )
    body = client.get(url).content.decode()
    assert "新建机构" in body and "测试立案" in body  # the events' Chinese names


def test_audit_history_tag_hides_itself_without_capability(world):
    template = Template("{% load fazhi_audit %}{% audit_history obj %}")
    request = RequestFactory().get("/")
    request.user = world["viewer"]
    shown = template.render(Context({"request": request, "obj": world["district_a"]}))
    assert "测试立案" in shown and "操作记录" in shown
    request.user = world["sup_a"]
    hidden = template.render(Context({"request": request, "obj": world["district_a"]}))
    assert hidden.strip() == ""


# --- API --------------------------------------------------------------------------------------


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_events_scoped_and_filtered(world):
    response = _api(world["leader_a"]).get("/api/audit/events/", {"action": "probe_case.filed"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["seq"] for r in results] == [world["in_a"].seq]
    assert results[0]["details"] == {"n": "甲"}
    assert results[0]["hash"] == world["in_a"].hash


def test_api_event_detail_out_of_scope_is_404(world):
    client = _api(world["leader_a"])
    assert client.get(f"/api/audit/events/{world['in_a'].seq}/").status_code == 200
    response = client.get(f"/api/audit/events/{world['in_b'].seq}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_api_events_bad_filter(world):
    response = _api(world["viewer"]).get("/api/audit/events/", {"date_from": "yesterday"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_failed"


def test_api_events_denied_without_capability(world):
    response = _api(world["sup_a"]).get("/api/audit/events/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_api_requires_authentication():
    assert APIClient().get("/api/audit/events/").status_code in {401, 403}


def test_api_verify_for_system_admin_only(world):
    assert _api(world["admin"]).get("/api/audit/verify/").status_code == 405  # POST only
    response = _api(world["admin"]).post("/api/audit/verify/")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True and body["summary"] == f"OK {body['count']} events"
    assert _api(world["leader_a"]).post("/api/audit/verify/").status_code == 403
    # a district's system administrator may not scan the whole chain
    denied = _api(world["admin_b"]).post("/api/audit/verify/")
    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == "permission_denied"
    AuditEvent.objects.filter(seq=world["in_a"].seq).update(action="probe_case.hidden")
    broken = _api(world["admin"]).post("/api/audit/verify/", {"files": True}, format="json").json()
    assert broken["ok"] is False and broken["broken_seq"] == world["in_a"].seq
    assert broken["files_checked"] == 0


def test_api_issue_document_number(world):
    district = world["district_a"]
    document_type_create(
        actor=None, organisation=district, key="penalty", name="行政处罚决定书", prefix="甲卫医罚"
    )
    client = _api(world["sup_a"])
    first = client.post(
        "/api/document-numbers/", {"type_key": "penalty", "year": 2024}, format="json"
    )
    assert first.status_code == 201 and first.json() == {"number": "甲卫医罚〔2024〕1号"}
    second = client.post(
        "/api/document-numbers/",
        {"organisation": district.pk, "type_key": "penalty", "year": 2024},
        format="json",
    )
    assert second.json() == {"number": "甲卫医罚〔2024〕2号"}
    unknown = client.post("/api/document-numbers/", {"type_key": "nope"}, format="json")
    assert unknown.status_code == 400
    assert unknown.json()["error"]["code"] == "unknown_document_type"
    foreign = client.post(
        "/api/document-numbers/",
        {"organisation": world["district_b"].pk, "type_key": "penalty"},
        format="json",
    )
    assert foreign.status_code == 404
    missing = client.post("/api/document-numbers/", {}, format="json")
    assert missing.status_code == 400
    viewer = _api(world["viewer"]).post(
        "/api/document-numbers/",
        {"organisation": district.pk, "type_key": "penalty"},
        format="json",
    )
    assert viewer.status_code == 403
