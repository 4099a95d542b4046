"""The entity picker's search endpoint (``registry:entity_search``): scope, size limit, bad input,
permission."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fazhi.core.models import AuditEvent, Role
from fazhi.core.tests.factories import make_user
from fazhi.registry.selectors import entities as entity_selectors
from fazhi.registry.services.entities import entity_deactivate
from fazhi.registry.tests.helpers import World, make_entity

pytestmark = pytest.mark.django_db

URL = "/registry/search/"


@pytest.fixture
def world() -> World:
    return World()


def search(client, user, **query):
    client.force_login(user)
    return client.get(URL, query)


def test_the_url_is_the_pickers(world):
    assert reverse("registry:entity_search") == URL


def test_finds_by_name_or_code_in_the_users_scope_only(world, client):
    mine = make_entity(world.sup0, name="鼓楼区第一人民医院")
    theirs = make_entity(world.sup1, name="台江区第一人民医院")
    response = search(client, world.sup0, q="第一人民")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["value"] for r in results] == [mine.pk]
    assert results[0]["text"] == mine.name and results[0]["code"] == mine.code
    assert results[0]["organisation"] == mine.organisation.name
    # by the start of the 统一社会信用代码, in lower case too
    by_code = search(client, world.sup0, q=mine.code[:12].lower()).json()["results"]
    assert [r["value"] for r in by_code] == [mine.pk]
    # the other district's entity is not found even by its exact code
    assert search(client, world.sup0, q=theirs.code).json()["results"] == []
    # the city leader sees both districts
    both = search(client, world.city_leader, q="第一人民").json()["results"]
    assert {r["value"] for r in both} == {mine.pk, theirs.pk}


def test_deactivated_entities_are_not_offered(world, client):
    gone = make_entity(world.sup0, name="已停业诊所")
    entity_deactivate(actor=world.sup0, entity_id=gone.pk, reason="停业")
    assert search(client, world.sup0, q="已停业").json()["results"] == []


def test_answers_at_most_the_limit_with_bounded_queries(
    world, client, django_assert_max_num_queries
):
    for i in range(entity_selectors.SEARCH_LIMIT + 5):
        make_entity(world.sup0, name=f"连锁药店{i:02d}")
    client.force_login(world.sup0)
    with django_assert_max_num_queries(8):
        response = client.get(URL, {"q": "连锁药店"})
    results = response.json()["results"]
    assert len(results) == entity_selectors.SEARCH_LIMIT
    assert [r["text"] for r in results] == sorted(r["text"] for r in results)
    # the selector caps a caller's larger limit too
    found = entity_selectors.entity_search(user=world.sup0, q="连锁药店", limit=1000)
    assert len(found) == entity_selectors.SEARCH_LIMIT


def test_an_empty_text_finds_nothing_and_a_long_one_is_refused(world, client):
    make_entity(world.sup0, name="某医院")
    assert search(client, world.sup0, q="   ").json() == {"results": []}
    assert search(client, world.sup0).json() == {"results": []}
    response = search(client, world.sup0, q="医" * 101)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_parameter" and "100" in error["message"]


def test_refused_without_the_directory_capability_and_recorded(world, client):
    officer = make_user(world.inst0, Role.PETITION_OFFICER)
    make_entity(world.sup0, name="某医院")
    response = search(client, officer, q="医院")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert AuditEvent.objects.filter(actor=officer, action="access.denied").count() == 1


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(URL, {"q": "医院"})
    assert response.status_code == 302 and "login" in response["Location"]
