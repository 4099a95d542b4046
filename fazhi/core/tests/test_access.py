"""``acting_user``: the one way pages and API views get the user and check a capability."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from fazhi.core import errors
from fazhi.core.access import acting_user
from fazhi.core.models import Role
from fazhi.core.roles import Cap
from fazhi.core.tests.factories import make_org_tree, make_user


@pytest.fixture
def request_for():
    def build(user):
        request = RequestFactory().get("/")
        request.user = user
        return request

    return build


def test_returns_the_user_and_checks_the_capability(db, request_for):
    tree = make_org_tree()
    supervisor = make_user(tree.districts[0], Role.SUPERVISOR)
    viewer = make_user(tree.province, Role.VIEWER)
    assert acting_user(request_for(supervisor), Cap.INSPECTION_RECORD) == supervisor
    assert acting_user(request_for(viewer)) == viewer
    with pytest.raises(errors.PermissionDenied) as exc:
        acting_user(request_for(viewer), Cap.INSPECTION_RECORD, action="inspection_task.started")
    assert exc.value.details["attempted"] == "inspection_task.started"
    with pytest.raises(errors.PermissionDenied) as exc:
        acting_user(request_for(AnonymousUser()))
    assert exc.value.code == "not_authenticated"
