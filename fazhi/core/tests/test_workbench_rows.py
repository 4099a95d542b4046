"""The workbench with many deadlines (decision 0080): each section reads at most its first rows
in SQL, counts all of them, and the page's query count does not grow with the rows."""

from __future__ import annotations

import datetime as dt
from datetime import date as D  # noqa: N812

import pytest
from django.test import Client

from fazhi.core import testing
from fazhi.core.models import Role
from fazhi.core.selectors import deadlines as deadline_selectors
from fazhi.core.services import calendar as calendar_services
from fazhi.core.services import deadlines as deadline_services
from fazhi.core.tests.factories import make_org_tree, make_user

TODAY = D(2025, 9, 26)
SOON = {"rule_key": "penalty.hearing_request", "start_date": TODAY - dt.timedelta(days=5)}
LATE = {"rule_key": "penalty.publicity", "start_date": TODAY - dt.timedelta(days=60)}


@pytest.fixture(autouse=True)
def pinned_today():
    with testing.clock_at(TODAY):
        yield


@pytest.fixture
def office(db):
    calendar_services.calendar_seed_from_package(actor=None, years=[2024, 2025, 2026])
    tree = make_org_tree()
    sup = make_user(tree.districts[0], Role.SUPERVISOR)
    other = make_user(tree.districts[1], Role.SUPERVISOR)
    leader = make_user(tree.cities[0], Role.LEADER)
    return tree, sup, other, leader


def _open(sup, n, title, **kwargs):
    return [
        deadline_services.deadline_open(
            actor=sup, organisation=sup.organisation, title=title, assignee=sup, **kwargs
        )
        for _ in range(n)
    ]


def test_sections_are_capped_in_sql_and_counted(office, django_assert_max_num_queries):
    _tree, sup, other, leader = office
    soon = _open(sup, 4, "近期", **SOON) + _open(other, 3, "近期", **SOON)
    late = _open(sup, 5, "逾期", **LATE)
    stopped = _open(other, 3, "中止", **SOON)
    for deadline in stopped:
        deadline_services.deadline_stop(actor=other, deadline=deadline, on=TODAY, reason="鉴定")
    with django_assert_max_num_queries(1):  # the sections' first rows, each row with the counts
        board = deadline_selectors.deadline_workbench(user=leader, today=TODAY, rows=2)
    assert (board.overdue_count, board.due_soon_count, board.stopped_count) == (5, 7, 3)
    assert board.calendar_unknown_count == 0 and board.calendar_unknown == []
    # the first rows of each section, most urgent first (due date, then id)
    assert [d.pk for d in board.overdue] == [d.pk for d in late[:2]]
    assert [d.pk for d in board.due_soon] == sorted(d.pk for d in soon)[:2]
    assert len(board.stopped) == 2
    assert (board.overdue_more, board.due_soon_more, board.stopped_more) == (3, 5, 1)
    # an officer who does not approve sees only their own
    board = deadline_selectors.deadline_workbench(user=other, today=TODAY, rows=2)
    assert (board.overdue_count, board.due_soon_count, board.stopped_count) == (0, 3, 3)
    assert board.overdue == []


def test_overdue_joins_lapsed_and_still_open_clocks_in_due_order(office, django_assert_num_queries):
    """Overdue is two parts, counted apart (each an index range) and read together: the clocks
    the daily job marked overdue and those still open past their due date, most urgent first."""
    _tree, sup, _other, leader = office
    with django_assert_num_queries(1):  # nothing waits: no row, every count zero
        board = deadline_selectors.deadline_workbench(user=leader, today=TODAY)
    assert (board.overdue_count, board.due_soon_count, board.overdue) == (0, 0, [])
    older = _open(sup, 2, "较早逾期", **LATE)  # opened past due: overdue
    newer = _open(sup, 2, "近期", **SOON)  # open, due within days
    assert {d.state for d in older} | {d.state for d in newer} == {"overdue", "open"}
    later = TODAY + dt.timedelta(days=30)  # the daily job has not run: the open ones are late
    with django_assert_num_queries(1):
        board = deadline_selectors.deadline_workbench(user=leader, today=later, rows=3)
    assert {d.state for d in board.overdue} == {"overdue", "open"}
    assert [d.pk for d in board.overdue] == [d.pk for d in older + newer][:3]
    assert (board.overdue_count, board.overdue_more, board.due_soon_count) == (4, 1, 0)


def test_page_query_count_does_not_grow_with_rows(office, django_assert_max_num_queries):
    _tree, sup, other, leader = office
    _open(sup, 1, "近期事项", **SOON)
    client = Client()
    client.force_login(leader)
    client.get("/")  # warm the session and the calendar snapshot
    with django_assert_max_num_queries(40) as few:
        client.get("/")
    _open(sup, 55, "近期事项", **SOON)
    _open(other, 52, "逾期事项", **LATE)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get("/").content.decode()
    assert html.count("近期事项") == 50 and html.count("逾期事项") == 50
    assert "7日内到期（56）" in html and "另有6项" in html
    assert "已逾期（52）" in html and "另有2项" in html
    assert "?state=open" in html and "?state=overdue" in html
