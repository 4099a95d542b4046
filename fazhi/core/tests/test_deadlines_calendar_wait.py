"""Deadlines whose due date waits for a year the calendar does not know yet.

The last year the calendar knows is the pinned package's (migration 0006); every test here first
forgets the years after ``KNOWN`` so that it holds whatever year the package reaches, and works
on dates relative to that year, not to today.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import transaction

from fazhi.core import errors, periods
from fazhi.core.management.commands.deadline import calendar_fix_hint
from fazhi.core.models import AuditEvent, CalendarYear, Deadline, Role
from fazhi.core.models.deadlines import DeadlineState
from fazhi.core.services import calendar as calendar_services
from fazhi.core.services import deadlines as deadline_services
from fazhi.core.testing import forget_years_from
from fazhi.core.tests.factories import make_org_tree, make_user
from fazhi.enforcement.limitation import limitation_check

D = dt.date
KNOWN = 2026  # the last year the tests let the calendar know
NEXT = KNOWN + 1


@pytest.fixture
def world(db):
    forget_years_from(NEXT)
    tree = make_org_tree()
    return {
        "tree": tree,
        "org": tree.districts[0],
        "sup": make_user(tree.districts[0], Role.SUPERVISOR),
        "root_admin": make_user(tree.province, Role.SYSTEM_ADMIN),
    }


LATE_DECEMBER = D(KNOWN, 12, 24)


def _open(world, *, rule_key="penalty.publicity", start=LATE_DECEMBER, subject=None):
    """A 7-working-day publicity period started late in December: it ends in NEXT."""
    return deadline_services.deadline_open(
        actor=world["sup"],
        organisation=world["org"],
        title="公示处罚决定",
        rule_key=rule_key,
        start_date=start,
        subject=subject,
        today=start,
    )


def _publish_next(world, holidays=()):
    """Fictional NEXT-year notice for the tests: New Year's Day plus ``holidays``."""
    calendar_services.calendar_year_publish(
        actor=world["root_admin"],
        year=NEXT,
        source=f"国务院办公厅关于{NEXT}年部分节假日安排的通知（测试用虚构数据）",
        holidays=[D(NEXT, 1, 1), *holidays],
        workdays=[],
        today=D(KNOWN, 12, 31),
    )


def test_a_deadline_met_while_its_due_date_is_unknown_is_judged_when_the_year_comes(world):
    on_time = _open(world)
    late = _open(world, start=D(KNOWN, 12, 1))  # 7 working days from 12-01: due 12-10
    assert on_time.state == DeadlineState.CALENDAR_UNKNOWN and on_time.due_date is None
    assert late.state == DeadlineState.OPEN
    done = deadline_services.deadline_complete(
        actor=world["sup"], deadline=on_time, on=D(KNOWN, 12, 30), today=D(KNOWN, 12, 30)
    )
    # The completion is recorded at once; whether it was in time waits for the calendar.
    assert (done.state, done.met_on, done.due_date) == (
        DeadlineState.CALENDAR_UNKNOWN,
        D(KNOWN, 12, 30),
        None,
    )
    event = AuditEvent.objects.filter(action="deadline.completed").latest("seq")
    assert '"awaiting_calendar":true' in event.details_json
    with pytest.raises(errors.InvalidTransition) as exc:
        deadline_services.deadline_complete(
            actor=world["sup"], deadline=on_time, on=D(KNOWN, 12, 30), today=D(KNOWN, 12, 30)
        )
    assert exc.value.code == "already_completed"
    # The year is published: 7 working days from 12-24 end in January, after 12-30.
    _publish_next(world)
    on_time.refresh_from_db()
    assert on_time.state == DeadlineState.MET and on_time.met_on == D(KNOWN, 12, 30)
    assert on_time.due_date is not None and on_time.due_date.year == NEXT
    recomputed = AuditEvent.objects.get(action="deadline.recomputed", object_id=str(on_time.pk))
    assert recomputed.details["to"] == "met"
    late.refresh_from_db()
    # Its due date never needed NEXT; the recomputation (as of 12-31) finds it overdue.
    assert (late.due_date, late.state) == (D(KNOWN, 12, 10), DeadlineState.OVERDUE)


def test_met_after_the_due_date_turns_late_when_the_year_is_published(world):
    subject_deadline = _open(world, start=D(KNOWN, 12, 28), subject=world["org"])
    with transaction.atomic():
        closed = deadline_services.deadlines_close_for(
            actor=world["sup"],
            subject=world["org"],
            rule_key="penalty.publicity",
            on=D(NEXT, 1, 20),
            today=D(NEXT, 1, 20),
        )
    assert [d.pk for d in closed] == [subject_deadline.pk]
    subject_deadline.refresh_from_db()
    assert subject_deadline.state == DeadlineState.CALENDAR_UNKNOWN
    assert subject_deadline.met_on == D(NEXT, 1, 20)
    # 7 working days from KNOWN-12-28 with NEXT's 01-01 a holiday end early in January.
    _publish_next(world)
    subject_deadline.refresh_from_db()
    assert subject_deadline.state == DeadlineState.LATE
    assert subject_deadline.due_date < D(NEXT, 1, 20)


def test_stop_resume_and_extend_while_the_due_date_is_unknown(world):
    deadline = deadline_services.deadline_open(
        actor=world["sup"],
        organisation=world["org"],
        title="信息公开答复",
        rule_key="disclosure.reply",
        start_date=D(KNOWN, 12, 15),
        today=D(KNOWN, 12, 15),
    )
    assert deadline.state == DeadlineState.CALENDAR_UNKNOWN
    day = D(KNOWN, 12, 18)
    deadline = deadline_services.deadline_stop(
        actor=world["sup"], deadline=deadline, on=day, reason="征求第三方意见", today=day
    )
    assert deadline.state == DeadlineState.STOPPED
    deadline = deadline_services.deadline_resume(
        actor=world["sup"], deadline=deadline, on=D(KNOWN, 12, 22), today=D(KNOWN, 12, 22)
    )
    assert deadline.state == DeadlineState.CALENDAR_UNKNOWN
    leader = make_user(world["org"], Role.LEADER)
    deadline = deadline_services.deadline_extend(
        actor=leader, deadline=deadline, reason="情况复杂", today=D(KNOWN, 12, 23)
    )
    assert deadline.state == DeadlineState.CALENDAR_UNKNOWN
    assert deadline.extensions.count() == 1
    _publish_next(world)
    deadline = Deadline.objects.get(pk=deadline.pk)
    # 20 working days, 2 stopped days not counted, then 20 more: well into NEXT.
    assert deadline.state in (DeadlineState.OPEN, DeadlineState.OVERDUE)
    assert deadline.due_date is not None and deadline.due_date > D(NEXT, 2, 1)


def test_completing_during_a_stop_with_the_year_unknown(world):
    deadline = _open(world)
    deadline = deadline_services.deadline_stop(
        actor=world["sup"],
        deadline=deadline,
        on=D(KNOWN, 12, 28),
        reason="听证",
        today=D(KNOWN, 12, 28),
    )
    deadline = deadline_services.deadline_complete(
        actor=world["sup"], deadline=deadline, on=D(KNOWN, 12, 30), today=D(KNOWN, 12, 30)
    )
    assert deadline.met_on == D(KNOWN, 12, 30)
    assert deadline.stops.get().end == D(KNOWN, 12, 30)
    with pytest.raises(errors.InvalidTransition):
        deadline_services.deadline_stop(
            actor=world["sup"],
            deadline=deadline,
            on=D(KNOWN, 12, 31),
            reason="x",
            today=D(KNOWN, 12, 31),
        )


def test_the_limitation_check_is_not_blocked_by_next_years_calendar(world):
    # A violation that ended on KNOWN-1's 3rd of March: the two years end in NEXT.
    result = limitation_check(act_ended_on=D(KNOWN - 1, 3, 3), discovered_on=D(KNOWN, 6, 1))
    assert not result.expired and result.certain
    assert result.provisional and result.ends_on == D(NEXT, 3, 3)
    assert any("顺延" in note for note in result.notes)
    assert "在追责时效内" in result.summary and "第三十六条" in result.summary
    # Five years where life and health were harmed.
    health = limitation_check(
        act_ended_on=D(KNOWN - 4, 1, 5), discovered_on=D(KNOWN, 6, 1), life_or_health_harm=True
    )
    assert not health.expired and health.ends_on.year == NEXT
    # Clearly past, with an end in a known year: certain, not provisional.
    old = limitation_check(act_ended_on=D(KNOWN - 3, 3, 3), discovered_on=D(KNOWN, 6, 1))
    assert old.expired and old.certain and not old.provisional


def test_compute_due_stays_strict_for_obligations(world):
    with pytest.raises(errors.CalendarUnknown):
        periods.compute_due("penalty.decision", D(KNOWN, 11, 15))
    provisional = periods.compute_due("penalty.decision", D(KNOWN, 11, 15), provisional=True)
    assert provisional.provisional and provisional.due == provisional.unrolled
    # Working-day periods cannot be answered provisionally: counting needs the calendar.
    with pytest.raises(errors.CalendarUnknown):
        periods.compute_due("penalty.publicity", D(KNOWN, 12, 28), provisional=True)


def test_cli_message_names_the_page_and_the_command(world, capsys):
    with pytest.raises(SystemExit) as exc:
        call_command("deadline", "penalty.decision", f"{KNOWN}-11-15")
    assert exc.value.code == 3
    err = capsys.readouterr().err
    assert err.startswith("calendar_unknown")
    assert "/calendar/" in err and f"fazhi calendar publish {NEXT}" in err
    assert calendar_fix_hint(errors.CalendarUnknown(NEXT)) in err


def test_calendar_publish_command(world, capsys):
    call_command(
        "calendar",
        "publish",
        str(NEXT),
        "--source",
        f"国务院办公厅关于{NEXT}年部分节假日安排的通知（测试）",
        "--holiday",
        f"{NEXT}-01-01:元旦",
        "--workday",
        f"{NEXT}-02-06",
    )
    assert f"published: {NEXT}" in capsys.readouterr().out
    assert CalendarYear.objects.filter(year=NEXT).exists()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="calendar_year_exists"):
        call_command("calendar", "publish", str(NEXT), "--source", "x")
    with pytest.raises(CommandError, match="invalid_date"):
        call_command("calendar", "publish", str(NEXT + 1), "--source", "x", "--holiday", "soon")
    with pytest.raises(CommandError, match="usage"):
        call_command("calendar", "publish")
