"""Pages: workbench, calculator (htmx and plain), deadline list/detail/actions, calendar editor."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from fazhi.core import testing
from fazhi.core.models import AuditEvent, CalendarDay, CalendarYear, Role
from fazhi.core.models.deadlines import DeadlineState
from fazhi.core.services import calendar as calendar_services
from fazhi.core.services import deadlines as deadline_services
from fazhi.core.tests.factories import make_org_tree, make_user

D = dt.date


TODAY = D(2025, 9, 26)


@pytest.fixture(autouse=True)
def pinned_today():
    with testing.clock_at(TODAY):
        yield


@pytest.fixture
def seeded(db):
    calendar_services.calendar_seed_from_package(actor=None, years=[2024, 2025, 2026])


@pytest.fixture
def tree(db):
    return make_org_tree()


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def _open(org, actor, *, start=None, rule_key="penalty.publicity", assignee=None, title="公示"):
    return deadline_services.deadline_open(
        actor=actor,
        organisation=org,
        title=title,
        rule_key=rule_key,
        start_date=start or TODAY,
        assignee=assignee,
    )


def test_login_required(db):
    response = Client().get("/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert Client().get("/deadlines/calculator/").status_code == 302


def test_calculator_without_js(seeded, tree):
    client = client_for(make_user(tree.districts[0], Role.SUPERVISOR))
    page = client.get("/deadlines/calculator/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="rule_key"' in html and "penalty.publicity" in html
    assert "国办发〔2018〕118号" in html  # citations in the select
    assert "penalty.late_surcharge" not in html  # not a time limit
    result = client.get(
        "/deadlines/calculator/", {"rule_key": "penalty.publicity", "start_date": "2025-09-26"}
    )
    html = result.content.decode()
    assert "<html" in html and 'data-iso="2025-10-13"' in html
    assert "2025-10-11 周六 国庆节调休上班 第6个工作日" in html


def test_calculator_htmx_returns_the_fragment(seeded, tree):
    client = client_for(make_user(tree.districts[0], Role.SUPERVISOR))
    response = client.get(
        "/deadlines/calculator/",
        {"rule_key": "penalty.payment", "start_date": "2025-01-20"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert "<html" not in html
    assert 'data-iso="2025-02-05"' in html and "民事诉讼法第八十五条" in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"rule_key": "penalty.decision", "start_date": "2026-11-15"}, "2027"),
        ({"rule_key": "penalty.nope", "start_date": "2025-01-01"}, "unknown_rule"),
        ({"rule_key": "penalty.payment", "start_date": "2025-02-30"}, "invalid_date"),
    ],
)
def test_calculator_errors_are_shown(seeded, tree, params, message):
    client = client_for(make_user(tree.districts[0], Role.SUPERVISOR))
    response = client.get("/deadlines/calculator/", params, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="calc-error"' in html
    # the sentence is Chinese; a stable code is in the header, never on the screen
    assert message in html or response["X-Error-Code"] == message
    assert "unknown_rule" not in html and "invalid_date" not in html


def test_workbench_sections_and_query_count(seeded, tree, django_assert_max_num_queries):
    org = tree.districts[0]
    sup = make_user(org, Role.SUPERVISOR)
    today = TODAY
    soon = {"rule_key": "penalty.hearing_request", "start": TODAY - dt.timedelta(days=5)}
    _open(org, sup, assignee=sup, title="近期事项", **soon)  # due today, 2025-09-26
    _open(org, sup, assignee=sup, title="逾期事项", start=today - dt.timedelta(days=60))
    client = client_for(sup)
    client.get("/")  # warm the session and the calendar snapshot
    # the board is two queries (its sections' first ids and counts, then those rows: decision 0080)
    with django_assert_max_num_queries(13):
        html = client.get("/").content.decode()
    assert "近期事项" in html and "逾期事项" in html
    for _ in range(10):
        _open(org, sup, assignee=sup, title="更多事项", **soon)
    with django_assert_max_num_queries(13):
        html = client.get("/").content.decode()
    assert html.count("更多事项") == 10


def test_workbench_shows_fifty_of_a_long_section_with_a_link(seeded, tree):
    """A large office's board (issue 11 §6): each section renders at most 50 rows, counts all
    and links to the deadline list."""
    org = tree.districts[0]
    sup = make_user(org, Role.SUPERVISOR)
    soon = {"rule_key": "penalty.hearing_request", "start": TODAY - dt.timedelta(days=5)}
    for _ in range(51):
        _open(org, sup, assignee=sup, title="大量事项", **soon)
    html = client_for(sup).get("/").content.decode()
    assert html.count("大量事项") == 50
    assert "7日内到期（51）" in html and "仅显示前50项" in html


def test_calendar_wait_is_one_banner_for_calendar_admins(seeded, tree):
    """A deadline waiting for next year's calendar: its owner sees it with its due date pending,
    without a warning per deadline; the calendar administrators see one banner with the count
    and a link to the calendar editor."""
    org = tree.districts[0]
    leader = make_user(org, Role.LEADER)
    admin = make_user(tree.province, Role.SYSTEM_ADMIN)
    for title in ("跨年事项甲", "跨年事项乙"):
        deadline = deadline_services.deadline_open(
            actor=leader,
            organisation=org,
            title=title,
            rule_key="penalty.decision",
            start_date=D(2026, 11, 15),
        )
        assert deadline.state == DeadlineState.CALENDAR_UNKNOWN
    html = client_for(leader).get("/").content.decode()
    assert "跨年事项甲" in html and "待定（日历未发布）" in html
    assert 'id="calendar-wait"' not in html and "calendar-warnings" not in html
    # A city's system administrator cannot publish a year: no banner either.
    city_admin = make_user(tree.cities[0], Role.SYSTEM_ADMIN)
    assert 'id="calendar-wait"' not in client_for(city_admin).get("/").content.decode()
    html = client_for(admin).get("/deadlines/").content.decode()
    assert 'id="calendar-wait"' in html
    assert "有 2 个期限" in html and "2027 年" in html and 'href="/calendar/"' in html
    # Publishing the year ends the wait: no banner any more.
    calendar_services.calendar_year_publish(
        actor=admin,
        year=2027,
        source="国务院办公厅关于2027年部分节假日安排的通知（测试）",
        holidays=[D(2027, 1, 1)],
        workdays=[],
    )
    assert 'id="calendar-wait"' not in client_for(admin).get("/deadlines/").content.decode()


def test_list_and_detail_are_scoped_by_url(seeded, tree):
    sup_a = make_user(tree.districts[0], Role.SUPERVISOR)
    sup_b = make_user(tree.districts[2], Role.SUPERVISOR)
    mine = _open(tree.districts[0], sup_a, title="甲区事项")
    theirs = _open(tree.districts[2], sup_b, title="乙区事项")
    client = client_for(sup_a)
    html = client.get("/deadlines/").content.decode()
    assert "甲区事项" in html and "乙区事项" not in html
    assert client.get(f"/deadlines/{mine.pk}/").status_code == 200
    assert client.get(f"/deadlines/{theirs.pk}/").status_code == 404
    response = client.post(f"/deadlines/{theirs.pk}/complete/", {"on": "2025-01-01"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == DeadlineState.OPEN


def test_detail_actions(seeded, tree):
    org = tree.districts[0]
    sup = make_user(org, Role.SUPERVISOR)
    leader = make_user(org, Role.LEADER)
    today = TODAY
    deadline = _open(org, sup, rule_key="disclosure.reply", start=today - dt.timedelta(days=3))
    client = client_for(sup)
    html = client.get(f"/deadlines/{deadline.pk}/").content.decode()
    assert "中止计时" in html and "批准延长" not in html  # supervisors cannot approve
    client.post(f"/deadlines/{deadline.pk}/stop/", {"on": today.isoformat(), "reason": "征求意见"})
    deadline.refresh_from_db()
    assert deadline.state == DeadlineState.STOPPED
    client.post(f"/deadlines/{deadline.pk}/resume/", {"on": today.isoformat()})
    deadline.refresh_from_db()
    assert deadline.state == DeadlineState.OPEN
    # a validation error comes back as a message, nothing changes
    response = client.post(
        f"/deadlines/{deadline.pk}/stop/", {"on": "bad", "reason": "x"}, follow=True
    )
    assert "无效" in response.content.decode()
    # supervisors may not approve extensions: refused and recorded
    assert client.post(f"/deadlines/{deadline.pk}/extend/", {"reason": "x"}).status_code == 403
    assert AuditEvent.objects.filter(action="access.denied", actor_id=sup.pk).exists()
    leader_client = client_for(leader)
    assert "批准延长" in leader_client.get(f"/deadlines/{deadline.pk}/").content.decode()
    leader_client.post(f"/deadlines/{deadline.pk}/extend/", {"reason": "情况复杂"})
    assert deadline.extensions.count() == 1
    client.post(f"/deadlines/{deadline.pk}/complete/", {"on": today.isoformat()})
    deadline.refresh_from_db()
    assert deadline.state == DeadlineState.MET


def test_calendar_editor_requires_admin(seeded, tree):
    sup = make_user(tree.districts[0], Role.SUPERVISOR)
    assert client_for(sup).get("/calendar/").status_code == 403
    assert client_for(sup).post("/calendar/seed/").status_code == 403


def test_calendar_editor_publish_edit_delete(seeded, tree):
    admin = make_user(tree.province, Role.SYSTEM_ADMIN)
    client = client_for(admin)
    html = client.get("/calendar/").content.decode()
    assert "2025" in html and "2027" in html  # the next year is proposed
    # Fictional 2027 notice for the test.
    bad = client.post(
        "/calendar/",
        {"year": "2027", "source": "测试通知", "holidays": "", "workdays": "2027-02-22"},
    )
    assert "不是周六或周日" in bad.content.decode()
    assert not CalendarYear.objects.filter(year=2027).exists()
    response = client.post(
        "/calendar/",
        {
            "year": "2027",
            "source": "测试通知（虚构）",
            "holidays": "2027-01-01 元旦\n2027-02-06..2027-02-12 春节\n",
            "workdays": "2027-02-20 春节",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/calendar/2027/"
    assert CalendarDay.objects.filter(date__year=2027).count() == 9
    assert CalendarDay.objects.get(date=D(2027, 2, 8)).name == "春节"
    page = client.get("/calendar/2027/").content.decode()
    assert "2027-02-20" in page
    client.post("/calendar/2027/", {"date": "2027-03-01", "kind": "holiday", "name": "更正"})
    assert CalendarDay.objects.filter(date=D(2027, 3, 1)).exists()
    client.post("/calendar/2027/", {"date": "2027-03-01", "delete": "1"})
    assert not CalendarDay.objects.filter(date=D(2027, 3, 1)).exists()
    assert client.get("/calendar/2031/").status_code == 404
    seed = client.post("/calendar/seed/", follow=True)
    assert seed.status_code == 200


def test_nav_links(seeded, tree):
    admin = make_user(tree.province, Role.SYSTEM_ADMIN)
    html = client_for(admin).get("/").content.decode()
    assert 'href="/deadlines/calculator/"' in html and 'href="/calendar/"' in html
    sup_html = client_for(make_user(tree.districts[0], Role.SUPERVISOR)).get("/").content.decode()
    assert 'href="/calendar/"' not in sup_html


def test_list_page_query_count_does_not_grow(seeded, tree, django_assert_max_num_queries):
    org = tree.districts[0]
    leader = make_user(org, Role.LEADER)
    sup = make_user(org, Role.SUPERVISOR)
    _open(org, sup, assignee=sup, title="列表事项")
    client = client_for(leader)
    client.get("/deadlines/")
    with django_assert_max_num_queries(12):
        first = client.get("/deadlines/").content.decode()
    for _ in range(20):
        _open(org, sup, assignee=sup, title="列表事项")
    with django_assert_max_num_queries(12):
        html = client.get("/deadlines/?state=open").content.decode()
    assert first.count("列表事项") == 1 and html.count("列表事项") == 21
