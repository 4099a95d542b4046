"""``listing.paginate(..., ids_first=True)`` (decision 0080): the same page as plain paging, in
the same order, read as the page's ids then their rows; a bad page still answers a page."""

from __future__ import annotations

import datetime as dt
from datetime import date as D  # noqa: N812

import pytest
from django.test import RequestFactory

from fazhi.core import listing, testing
from fazhi.core.models import Role
from fazhi.core.selectors import deadlines as deadline_selectors
from fazhi.core.services import calendar as calendar_services
from fazhi.core.services import deadlines as deadline_services
from fazhi.core.tests.factories import make_org_tree, make_user

TODAY = D(2025, 9, 26)


@pytest.fixture
def rows(db):
    calendar_services.calendar_seed_from_package(actor=None, years=[2024, 2025, 2026])
    tree = make_org_tree()
    district = tree.districts[0]
    sup = make_user(district, Role.SUPERVISOR)
    with testing.clock_at(TODAY):
        for n in range(25):
            deadline_services.deadline_open(
                actor=sup,
                organisation=district,
                title=f"事项{n}",
                rule_key="penalty.publicity",
                start_date=TODAY - dt.timedelta(days=n % 7),
                assignee=sup,
            )
    return make_user(tree.cities[0], Role.LEADER)


@pytest.mark.parametrize("page", ["1", "2", "99", "x"])
def test_same_page_as_plain_paging(rows, page, django_assert_max_num_queries):
    request = RequestFactory().get("/", {"page": page, "size": "20"})
    qs = deadline_selectors.deadline_list(user=rows)
    plain = listing.paginate(request, qs)
    with django_assert_max_num_queries(3):  # count, the page's ids, their rows
        keyed = listing.paginate(request, qs, ids_first=True)
        shown = [(d.pk, d.organisation.name) for d in keyed.page]
    assert [pk for pk, _ in shown] == [d.pk for d in plain.page]
    assert keyed.total == plain.total == 25
    assert keyed.page.number == plain.page.number
    assert len(shown) == (5 if page in ("2", "99") else 20)
