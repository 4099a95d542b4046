"""Bad input answers 4xx, never 500 (fazhi.core.params, the path converters, the API pagination).

One test per kind of defect the schemathesis run found: a Unicode digit ("²") in an id, a page
size of 1e20 or 100000, a year of 99999, a start date of 9999-12-31, an id of 2**70 in a URL, a
query and a body.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import Resolver404, resolve
from hypothesis import given
from hypothesis import strategies as st
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.settings import api_settings
from rest_framework.test import APIClient, APIRequestFactory

from fazhi.core import errors, params, periods
from fazhi.core.models import Role, User
from fazhi.core.pagination import MAX_PAGE_SIZE, PaginatedView, Pagination
from fazhi.core.tests.factories import make_officer, make_org_tree, make_user

HUGE = 2**70


@pytest.fixture
def tree(db):
    return make_org_tree(province_code="36")


@pytest.fixture
def admin(tree):
    return make_user(tree.province, Role.SYSTEM_ADMIN)


def api_for(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def page_client(client: Any, user: User) -> Any:
    client.force_login(user)
    return client


def _error(response: Any) -> dict[str, Any]:
    body: dict[str, Any] = response.json()["error"]
    return body


# --- the helper ---------------------------------------------------------------------------------


@given(st.text(max_size=25))
def test_an_integer_parameter_is_a_number_in_range_or_a_400(text):
    try:
        value = params.to_integer(text, "n", minimum=1)
    except errors.InvalidParameter as exc:
        assert exc.code == "invalid_parameter" and exc.details == {"parameter": "n"}
        assert exc.http_status == 400
    else:
        assert 1 <= value <= params.MAX_ID
        assert text.strip().isascii() and text.strip().isdigit()


@pytest.mark.parametrize("raw", ["²", "١٢", "1e20", "-1", "0", "1.0", "+1", str(2**63), str(HUGE)])
def test_what_is_not_an_id(raw):
    with pytest.raises(errors.InvalidParameter):
        params.object_id({"org": raw}, "org")
    assert not params.is_id(raw)


def test_ids_years_dates_flags_and_choices():
    assert params.object_id({"org": " 42 "}, "org") == 42
    assert params.object_id({"org": str(params.MAX_ID)}, "org") == params.MAX_ID
    assert params.object_id({}, "org") is None and params.object_id({"org": ""}, "org") is None
    assert params.year({"year": "2026"}) == 2026 and params.year({}, default=7) == 7
    assert params.date({"d": "2199-12-31"}, "d") == dt.date(2199, 12, 31)
    assert params.boolean({"f": "TRUE"}, "f") is True and params.boolean({"f": "0"}, "f") is False
    assert params.choice({"s": "open"}, "s", ["open", "done"]) == "open"
    for call in (
        lambda: params.year({"year": "99999"}),
        lambda: params.year({"year": "1899"}),
        lambda: params.boolean({"f": "maybe"}, "f"),
        lambda: params.choice({"s": "x"}, "s", ["open"]),
        lambda: params.integer({"n": "3651"}, "n", maximum=3650),
    ):
        with pytest.raises(errors.InvalidParameter) as exc:
            call()
        assert exc.value.code == "invalid_parameter"


@pytest.mark.parametrize("raw", ["9999-12-31", "1899-12-31", "2025-02-30", "20250101", "²"])
def test_a_date_outside_the_range_or_not_iso_is_invalid_date(raw):
    with pytest.raises(errors.InvalidParameter) as exc:
        params.date({"due_from": raw}, "due_from")
    assert exc.value.code == "invalid_date" and "due_from" in exc.value.message


@pytest.mark.parametrize("pk", [0, 2**63, HUGE])
def test_an_id_out_of_range_in_a_path_matches_no_url(pk):
    with pytest.raises(Resolver404):
        resolve(f"/api/officers/{pk}/")
    with pytest.raises(Resolver404):
        resolve(f"/officers/{pk}/")
    assert resolve(f"/api/officers/{params.MAX_ID}/").kwargs == {"pk": params.MAX_ID}


def test_the_schema_types_of_the_converters_are_the_converters(settings):
    overrides = settings.SPECTACULAR_SETTINGS["PATH_CONVERTER_OVERRIDES"]
    assert overrides == params.PATH_CONVERTER_SCHEMAS


# --- "²" passes str.isdigit() and crashed int(): the public portal, no login -----------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/public/plans/", "/public/results/"])
def test_the_portal_answers_a_unicode_digit_with_a_400_in_chinese(client, path):
    response = client.get(path, {"org": "²"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "参数“org”无效" in html and "invalid_parameter" not in html
    assert response["X-Error-Code"] == "invalid_parameter"  # the code: header and log only


def test_filters_of_pages_and_api_refuse_unicode_digits(client, tree, admin):
    supervisor = make_user(tree.institutes[tree.districts[0].pk], Role.SUPERVISOR)
    api = api_for(supervisor)
    for path, name in [
        ("/api/inspections/tasks/", "plan"),
        ("/api/inspections/tasks/", "year"),
        ("/api/inspections/plans/", "year"),
        ("/api/registry/entities/", "organisation"),
        ("/api/registry/licences/", "entity"),
        ("/api/deadlines/", "assignee"),
        ("/api/document-numbers/", "document_type"),
    ]:
        response = api.get(path, {name: "²"})
        assert response.status_code == 400, (path, name)
        assert _error(response)["details"] == {"parameter": name}
    assert api_for(admin).get("/api/audit/events/", {"actor": "²"}).status_code == 200
    pages = page_client(client, supervisor)
    for path, name in [
        ("/inspections/tasks/", "plan"),
        ("/inspections/plans/", "year"),
        ("/registry/", "organisation"),
    ]:
        response = pages.get(path, {name: "²"})
        assert response.status_code == 400, (path, name)
        assert f"参数“{name}”无效" in response.content.decode()


# --- page sizes: no maximum, and 1e20 crashed -------------------------------------------------


class _Number(serializers.BaseSerializer[int]):
    def to_representation(self, instance: int) -> int:
        return instance


class _Numbers(PaginatedView):
    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []

    def get(self, request: Any) -> Any:
        return self.paginated(list(range(500)), _Number)


@pytest.mark.parametrize(
    ("query", "count"), [({}, 50), ({"limit": "100000"}, MAX_PAGE_SIZE), ({"limit": "7"}, 7)]
)
def test_a_page_is_never_larger_than_the_maximum(query, count):
    response = _Numbers.as_view()(APIRequestFactory().get("/", query))
    assert response.status_code == 200
    assert len(response.data["results"]) == count and response.data["count"] == 500


@pytest.mark.parametrize(
    "query",
    [
        {"limit": "1e20"},
        {"limit": "0"},
        {"limit": "-1"},
        {"limit": "²"},
        {"offset": "-1"},
        {"offset": "1e20"},
        {"offset": str(HUGE)},
    ],
)
def test_a_bad_limit_or_offset_is_a_400(admin, query):
    response = api_for(admin).get("/api/organisations/", query)
    assert response.status_code == 400
    assert _error(response)["code"] == "invalid_parameter"
    assert _error(response)["details"] == {"parameter": next(iter(query))}


def test_every_api_list_uses_the_capped_pagination(admin):
    assert api_settings.DEFAULT_PAGINATION_CLASS is Pagination  # type: ignore[comparison-overlap]
    body = api_for(admin).get("/api/organisations/", {"limit": "100000"}).json()
    assert body["count"] == 14 and len(body["results"]) == 14  # the whole test province


# --- year 99999 ---------------------------------------------------------------------------------


def test_a_year_out_of_range_is_a_400_or_a_404(client, tree, admin):
    supervisor = make_user(tree.institutes[tree.districts[0].pk], Role.SUPERVISOR)
    api = api_for(supervisor)
    missing = api.get("/api/inspections/figures/years/99999/")
    assert missing.status_code == 404 and _error(missing)["code"] == "not_found"
    assert missing["Content-Type"] == "application/json"
    for path in ("/api/inspections/tasks/", "/api/inspections/plans/", "/api/document-numbers/"):
        response = api.get(path, {"year": "99999"})
        assert response.status_code == 400 and _error(response)["code"] == "invalid_parameter"
    assert api_for(admin).get("/api/calendar/days/", {"year": "99999"}).status_code == 400
    page = page_client(client, supervisor).get("/inspections/figures/", {"year": "99999"})
    assert page.status_code == 400 and "参数“year”无效" in page.content.decode()
    assert page_client(client, admin).get("/calendar/99999/").status_code == 404


# --- start date 9999-12-31: date arithmetic overflow --------------------------------------------


@pytest.mark.django_db
def test_the_deadline_engine_refuses_dates_it_cannot_count_from():
    with pytest.raises(errors.ValidationFailed) as exc:
        periods.compute_due("penalty.limitation", dt.date(9999, 12, 31))
    assert exc.value.code == "invalid_date"
    with pytest.raises(errors.ValidationFailed) as exc:
        periods.compute_due("penalty.limitation", dt.date(1, 1, 1))
    assert exc.value.code == "invalid_date"
    # the last supported day still counts (the calendar does not know 2201: that is explicit)
    with pytest.raises(errors.CalendarUnknown):
        periods.compute_due("penalty.limitation", params.MAX_DATE)


def test_a_far_future_start_date_is_invalid_date_in_the_api_and_the_calculator(client, admin):
    api = api_for(admin)
    response = api.post(
        "/api/deadlines/compute/",
        {"rule_key": "penalty.limitation", "start_date": "9999-12-31"},
        format="json",
    )
    assert response.status_code == 400 and _error(response)["code"] == "invalid_date"
    assert "start_date" in _error(response)["details"]
    opened = api.post(
        "/api/deadlines/open/",
        {
            "organisation": admin.organisation_id,
            "title": "远期",
            "rule_key": "fixed",
            "start_date": "2026-01-05",
            "due_date": "9999-12-31",
        },
        format="json",
    )
    assert opened.status_code == 400 and _error(opened)["code"] == "invalid_date"
    listed = api.get("/api/deadlines/", {"due_to": "9999-12-31"})
    assert listed.status_code == 400 and _error(listed)["code"] == "invalid_date"
    page = page_client(client, admin).get(
        "/deadlines/calculator/",
        {"rule_key": "penalty.limitation", "start_date": "9999-12-31"},
        HTTP_HX_REQUEST="true",
    )
    assert page.status_code == 200
    assert 'id="calc-error"' in page.content.decode() and page["X-Error-Code"] == "invalid_date"


# --- an officer id of 2**70: integer overflow in the database -----------------------------------


def test_an_officer_id_of_2_to_the_70_is_a_404_in_a_url_and_a_400_elsewhere(client, tree, admin):
    officer = make_officer(tree.institutes[tree.province.pk])
    api = api_for(admin)
    for path in (f"/api/officers/{HUGE}/", f"/api/credentials/{HUGE}/revoke/"):
        response = api.get(path)
        assert response.status_code == 404 and _error(response)["code"] == "not_found"
    assert api.get(f"/api/officers/{officer.pk}/").status_code == 200
    assert page_client(client, admin).get(f"/officers/{HUGE}/").status_code == 404
    issued = api.post(
        "/api/credentials/",
        {
            "officer": HUGE,
            "number": "X-1",
            "issued_on": "2026-01-01",
            "expires_on": "2030-01-01",
        },
        format="json",
    )
    assert issued.status_code == 400 and "officer" in _error(issued)["details"]
    created = api.post(
        "/api/officers/",
        {"name": "张三", "organisation": tree.province.pk, "department": HUGE},
        format="json",
    )
    assert created.status_code == 400 and "department" in _error(created)["details"]
    listed = api.get("/api/deadlines/", {"organisation": str(HUGE)})
    assert listed.status_code == 400 and _error(listed)["details"] == {"parameter": "organisation"}
    expiring = api.get("/api/credentials/", {"expiring_within": str(HUGE)})
    assert expiring.status_code == 400
    assert _error(expiring)["details"] == {"parameter": "expiring_within"}
    assert api.get("/api/credentials/", {"expiring_within": "60"}).status_code == 200


def test_a_conflict_declared_against_a_unicode_digit_is_not_found(tree):
    from fazhi.inspections.selectors.pool import entity_for_conflict

    supervisor = make_user(tree.institutes[tree.districts[0].pk], Role.SUPERVISOR)
    for ref in ("²", "١٢", str(HUGE)):
        with pytest.raises(errors.NotFound):
            entity_for_conflict(user=supervisor, ref=ref)
