"""A record's deadlines changed inside its own service's transaction (stop, resume, extend,
cancel ``…_for`` a subject), the cancelled state, and the deadline list's refusal."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.urls import reverse

from fazhi.core import errors
from fazhi.core.models import AuditEvent, Deadline, Role
from fazhi.core.models.calendar import DayKind
from fazhi.core.models.deadlines import DeadlineState
from fazhi.core.periods import FIXED_RULE
from fazhi.core.selectors import deadlines as deadline_selectors
from fazhi.core.services import calendar as calendar_services
from fazhi.core.services import deadlines as deadline_services
from fazhi.core.tests.factories import make_org_tree, make_user

D = dt.date
TODAY = D(2025, 9, 26)


@pytest.fixture
def world(db):
    calendar_services.calendar_seed_from_package(actor=None, years=[2024, 2025, 2026])
    tree = make_org_tree()
    org = tree.districts[0]
    return SimpleNamespace(
        tree=tree,
        org=org,
        case=tree.institute_of(org),  # the subject: any record will do
        other=tree.districts[1],
        sup=make_user(org, Role.SUPERVISOR),
        leader=make_user(tree.cities[0], Role.LEADER),
        root_admin=make_user(tree.province, Role.SYSTEM_ADMIN),
    )


def attach(w, *, subject=None, rule_key="disclosure.reply", **kw):
    with transaction.atomic():
        return deadline_services.deadline_attach(
            actor=w.sup,
            organisation=w.org,
            title=kw.pop("title", "答复申请"),
            rule_key=rule_key,
            start_date=kw.pop("start_date", TODAY),
            subject=subject or w.case,
            today=kw.pop("today", TODAY),
            **kw,
        )


def events_of(deadline):
    return list(
        AuditEvent.objects.filter(object_id=str(deadline.pk), action__startswith="deadline.")
        .order_by("seq")
        .values_list("action", flat=True)
    )


def test_stop_resume_and_extend_a_subjects_clocks(world):
    w = world
    reply = attach(w)
    fixed = attach(w, rule_key=FIXED_RULE, due_date=D(2025, 12, 31), title="整改复查")
    elsewhere = attach(w, subject=w.other)
    assert reply.due_date == D(2025, 10, 30)
    with transaction.atomic():
        stopped = deadline_services.deadlines_stop_for(
            actor=w.sup,
            subject=w.case,
            on=D(2025, 10, 9),
            reason="征求第三方意见",
            today=D(2025, 10, 9),
        )
    assert [d.pk for d in stopped] == [reply.pk]  # a date fixed by a decision has no clock
    for d in (reply, fixed, elsewhere):
        d.refresh_from_db()
    assert (reply.state, fixed.state, elsewhere.state) == (
        DeadlineState.STOPPED,
        DeadlineState.OPEN,
        DeadlineState.OPEN,
    )
    with transaction.atomic():
        resumed = deadline_services.deadlines_resume_for(
            actor=w.sup, subject=w.case, on=D(2025, 10, 16), today=D(2025, 10, 16)
        )
    assert [d.pk for d in resumed] == [reply.pk]
    reply.refresh_from_db()
    assert (reply.state, reply.due_date) == (DeadlineState.OPEN, D(2025, 11, 7))
    with transaction.atomic():
        extended = deadline_services.deadlines_extend_for(
            actor=w.sup,
            subject=w.case,
            rule_key="disclosure.reply",
            reason="需调取档案",
            approved_by=w.leader,
            approved_on=D(2025, 11, 3),
            today=D(2025, 11, 3),
        )
    assert [d.pk for d in extended] == [reply.pk]
    reply.refresh_from_db()
    assert reply.due_date == D(2025, 12, 5)
    assert reply.extensions.get().approved_by == w.leader
    assert events_of(reply) == [
        "deadline.opened",
        "deadline.stopped",
        "deadline.resumed",
        "deadline.extended",
    ]
    event = AuditEvent.objects.filter(action="deadline.extended").get()
    assert event.details["from"] == event.details["to"] == "open"
    assert event.details["approved_by"] == w.leader.pk
    elsewhere.refresh_from_db()
    assert (elsewhere.state, elsewhere.due_date) == (DeadlineState.OPEN, D(2025, 10, 30))


def test_a_guard_refusal_rolls_the_callers_change_back(world):
    w = world
    reply = attach(w)
    with transaction.atomic():
        deadline_services.deadlines_stop_for(
            actor=w.sup, subject=w.case, on=D(2025, 10, 9), reason="征求意见", today=D(2025, 10, 9)
        )
    with pytest.raises(errors.ValidationFailed) as exc, transaction.atomic():
        deadline_services.deadlines_resume_for(
            actor=w.sup, subject=w.case, on=D(2025, 10, 8), today=D(2025, 10, 16)
        )
    assert exc.value.code == "stop_resume_before_start"
    reply.refresh_from_db()
    assert reply.state == DeadlineState.STOPPED and reply.stops.get().end is None
    with pytest.raises(errors.ValidationFailed) as exc, transaction.atomic():
        deadline_services.deadlines_stop_for(
            actor=w.sup, subject=w.case, on=D(2025, 10, 9), reason=" ", today=D(2025, 10, 9)
        )
    assert exc.value.code == "reason_required"
    assert events_of(reply) == ["deadline.opened", "deadline.stopped"]


def test_a_withdrawn_matter_cancels_its_clocks(world, client):
    w = world
    running = attach(w)
    stopped = attach(w, rule_key="penalty.publicity", title="公示")
    met = attach(w, rule_key="penalty.publicity", title="已办结")
    with transaction.atomic():
        deadline_services.deadlines_stop_for(
            actor=w.sup,
            subject=w.case,
            rule_key="penalty.publicity",
            on=D(2025, 9, 29),
            reason="中止",
            today=D(2025, 9, 29),
        )
    met.refresh_from_db()
    deadline_services.deadline_resume(
        actor=w.sup, deadline=met, on=D(2025, 9, 30), today=D(2025, 9, 30)
    )
    deadline_services.deadline_complete(
        actor=w.sup, deadline=met, on=D(2025, 9, 30), today=D(2025, 9, 30)
    )
    with pytest.raises(errors.ValidationFailed), transaction.atomic():
        deadline_services.deadlines_cancel_for(actor=w.sup, subject=w.case, reason="")
    with transaction.atomic():
        cancelled = deadline_services.deadlines_cancel_for(
            actor=w.sup, subject=w.case, reason="申请人撤回申请"
        )
    assert sorted(d.pk for d in cancelled) == sorted([running.pk, stopped.pk])
    for d in (running, stopped, met):
        d.refresh_from_db()
    assert running.state == stopped.state == DeadlineState.CANCELLED
    assert met.state == DeadlineState.MET  # fulfilled before the withdrawal: kept
    event = AuditEvent.objects.get(action="deadline.cancelled", object_id=str(stopped.pk))
    assert event.details["from"] == "stopped" and event.details["reason"] == "申请人撤回申请"
    # never overdue, never recomputed, nothing left to cancel
    assert deadline_services.deadlines_refresh(today=D(2026, 6, 1)) == 0
    calendar_services.calendar_day_set(
        actor=w.root_admin, day=D(2025, 10, 20), kind=DayKind.HOLIDAY, name="更正"
    )
    running.refresh_from_db()
    assert running.state == DeadlineState.CANCELLED and running.due_date == D(2025, 10, 30)
    with transaction.atomic():
        assert (
            deadline_services.deadlines_cancel_for(actor=w.sup, subject=w.case, reason="再") == []
        )
    with pytest.raises(errors.InvalidTransition):
        deadline_services.deadline_complete(
            actor=w.sup, deadline=running, on=D(2025, 10, 9), today=D(2025, 10, 9)
        )
    # the workbench needs nothing from a cancelled deadline; the list shows it as 已撤销
    board = deadline_selectors.deadline_workbench(user=w.leader, today=D(2026, 6, 1))
    assert running not in board.overdue + board.due_soon + board.stopped + board.calendar_unknown
    client.force_login(w.sup)
    page = client.get(reverse("core:deadline_list"), {"state": "cancelled"}).content.decode()
    assert page.count("已撤销") >= 3  # the filter option and the two rows
    detail = client.get(reverse("core:deadline_detail", args=[running.pk])).content.decode()
    assert "已撤销" in detail and 'action="/deadlines/' not in detail  # no step is offered


def test_the_subject_variants_run_only_inside_the_callers_transaction(world, monkeypatch):
    w = world
    calls = [
        lambda: deadline_services.deadlines_stop_for(
            actor=w.sup, subject=w.case, on=TODAY, reason="x"
        ),
        lambda: deadline_services.deadlines_resume_for(actor=w.sup, subject=w.case, on=TODAY),
        lambda: deadline_services.deadlines_extend_for(
            actor=w.sup,
            subject=w.case,
            rule_key="disclosure.reply",
            reason="x",
            approved_by=w.leader,
            approved_on=TODAY,
        ),
        lambda: deadline_services.deadlines_cancel_for(actor=w.sup, subject=w.case, reason="x"),
    ]
    # the test itself runs in a transaction: simulate the connection outside one
    monkeypatch.setattr(deadline_services, "connection", SimpleNamespace(in_atomic_block=False))
    for call in calls:
        with pytest.raises(RuntimeError):
            call()


def test_the_list_refuses_a_user_who_may_not_see_deadlines(world, client):
    w = world
    attach(w)
    w.sup.is_active = False  # has_cap is false for an inactive account
    with pytest.raises(errors.PermissionDenied) as exc:
        deadline_selectors.deadline_list(user=w.sup)
    assert exc.value.details["attempted"] == "deadline.listed"
    with pytest.raises(errors.PermissionDenied):
        deadline_selectors.deadline_get(user=w.sup, pk=Deadline.objects.get().pk)
    board = deadline_selectors.deadline_workbench(user=w.sup, today=TODAY)
    assert not (board.overdue or board.due_soon or board.stopped or board.calendar_unknown)
