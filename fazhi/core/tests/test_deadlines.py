"""Deadline computation (hand-worked 2025 examples), services, selectors and the workbench."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fazhi.core import errors, periods, rules
from fazhi.core.models import AuditEvent, Deadline, Role
from fazhi.core.models.deadlines import DeadlineState
from fazhi.core.periods import add_months, compute_due
from fazhi.core.selectors import deadlines as deadline_selectors
from fazhi.core.services import calendar as calendar_services
from fazhi.core.services import deadlines as deadline_services
from fazhi.core.tests.factories import make_org_tree, make_user
from fazhi.core.tests.test_calendar import CAL

D = dt.date
TODAY = D(2025, 9, 26)


@pytest.fixture
def seeded(db):
    calendar_services.calendar_seed_from_package(actor=None, years=[2024, 2025, 2026])


@pytest.fixture
def tree(db):
    return make_org_tree()


def due(key, start, **kw):
    return compute_due(key, start, calendar=CAL, **kw).due


# --- hand-worked examples (2025 Spring Festival and National Day) ---------------------------


def test_publicity_seven_working_days_across_national_day():
    # From Fri 2025-09-26: Sun 28 (make-up) 1, Mon 29 2, Tue 30 3, Oct 1-8 holidays,
    # Thu 9 4, Fri 10 5, Sat 11 (make-up) 6, Sun 12 rest, Mon 13 7.
    result = compute_due("penalty.publicity", D(2025, 9, 26), calendar=CAL, trace=True)
    assert result.due == D(2025, 10, 13)
    assert "国办发〔2018〕118号" in result.citation
    assert "2025-09-28 周日 国庆节调休上班 第1个工作日" in result.trace
    assert "2025-10-11 周六 国庆节调休上班 第6个工作日" in result.trace
    assert result.trace[-1] == "届满日 2025-10-13"


def test_hearing_request_and_service_across_spring_festival():
    # From Fri 2025-01-24: Sun 26 (make-up) 1, Mon 27 2, Jan 28 - Feb 4 holidays, Feb 5 3,
    # Feb 6 4, Feb 7 5; service continues Sat Feb 8 (make-up) 6, Mon Feb 10 7.
    assert due("penalty.hearing_request", D(2025, 1, 24)) == D(2025, 2, 7)
    assert due("penalty.service", D(2025, 1, 24)) == D(2025, 2, 10)


def test_payment_ending_in_a_holiday_moves_to_the_next_working_day():
    # 15 calendar days from 2025-01-20 end on Tue 2025-02-04, the last Spring Festival holiday.
    result = compute_due("penalty.payment", D(2025, 1, 20), calendar=CAL, trace=True)
    assert result.unrolled == D(2025, 2, 4)
    assert result.due == D(2025, 2, 5)
    assert any("民事诉讼法第八十五条" in line for line in result.trace)
    # 15 days from 2025-09-20 end on Sun 2025-10-05, inside the National Day holiday.
    assert due("penalty.payment", D(2025, 9, 20)) == D(2025, 10, 9)
    # Ending on an ordinary Saturday moves to Monday.
    assert due("penalty.payment", D(2025, 3, 7)) == D(2025, 3, 24)


def test_calendar_period_ending_on_a_make_up_saturday_does_not_move():
    # 2 years from 2024-02-29: no Feb 29 in 2026, so Feb 28 — a make-up working Saturday.
    assert due("penalty.limitation", D(2024, 2, 29)) == D(2026, 2, 28)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2025, 1, 31), 1, D(2025, 2, 28)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2024, 11, 30), 3, D(2025, 2, 28)),
        (D(2025, 8, 31), 1, D(2025, 9, 30)),
        (D(2025, 12, 15), 2, D(2026, 2, 15)),
    ],
)
def test_add_months(start, months, expected):
    assert add_months(start, months) == expected


@pytest.fixture
def month_pack(tmp_path, settings):
    (tmp_path / "national.yaml").write_text(
        textwrap.dedent(
            """
            pack: national
            rules:
              - key: test.month
                title: 一个月期限（测试）
                versions:
                  - effective_from: 2000-01-01
                    value: {kind: period, amount: 1, unit: months}
                    source: {law: 测试法, article: 第一条, status: V-text}
            """
        ),
        encoding="utf-8",
    )
    rules.load_packs(tmp_path)
    yield
    rules.load_packs(settings.FAZHI_RULES_DIR)


def test_months_period_across_a_month_end(month_pack):
    assert due("test.month", D(2025, 1, 31)) == D(2025, 2, 28)  # Friday
    assert due("test.month", D(2025, 8, 31)) == D(2025, 9, 30)
    # One month from 2025-09-01 ends on 2025-10-01, a holiday: moves to 2025-10-09.
    assert due("test.month", D(2025, 9, 1)) == D(2025, 10, 9)


def test_disclosure_reply_with_a_stop_and_an_extension():
    start = D(2025, 9, 26)
    assert due("disclosure.reply", start) == D(2025, 10, 30)
    # Third-party consultation stops the clock from Thu Oct 9 until Thu Oct 16: six working
    # days (9, 10, Sat 11, 13, 14, 15) do not count, so the reply is due six working days later.
    stops = [(D(2025, 10, 9), D(2025, 10, 16))]
    assert due("disclosure.reply", start, stops=stops) == D(2025, 11, 7)
    # The approved extension adds 20 working days from there.
    extended = compute_due(
        "disclosure.reply", start, stops=stops, extensions=["disclosure.extension"], calendar=CAL
    )
    assert extended.due == D(2025, 12, 5)
    assert len(extended.citations) == 2


def test_calendar_day_stop_and_extension():
    # petition.handle: 60 days from 2025-03-03 = 2025-05-02 (holiday) -> 2025-05-06.
    assert due("petition.handle", D(2025, 3, 3)) == D(2025, 5, 6)
    # A 10-day stop pushes the last day to 2025-05-12 (Monday).
    stops = [(D(2025, 3, 10), D(2025, 3, 20))]
    assert due("petition.handle", D(2025, 3, 3), stops=stops) == D(2025, 5, 12)
    # +30 days from the unrolled end 2025-05-02 -> 2025-06-01 (Dragon Boat holiday) -> 06-03.
    assert due("petition.handle", D(2025, 3, 3), extensions=["petition.extension"]) == D(2025, 6, 3)


def test_reconsideration_answer_is_ten_working_days_since_2024():
    # Ten working days from Fri 2025-09-26: 28, 29, 30, Oct 9, 10, 11, 13, 14, 15, 16.
    assert due("reconsideration.answer", D(2025, 9, 26)) == D(2025, 10, 16)
    # Under the 1999 text the ten days were calendar days.
    assert due("reconsideration.answer", D(2023, 12, 25)) == D(2024, 1, 4)


def test_hours_and_warnings():
    result = compute_due("police_transfer.transfer", D(2025, 9, 30), calendar=CAL)
    assert result.due == D(2025, 10, 1)  # 24 hours run through holidays
    assert any("小时" in w for w in result.warnings)
    approve = compute_due("police_transfer.approve", D(2025, 9, 26), calendar=CAL)
    assert approve.due == D(2025, 9, 29)
    assert any("未核实" in w for w in approve.warnings)


def test_unknown_year_2027():
    with pytest.raises(errors.CalendarUnknown) as exc:
        compute_due("penalty.decision", D(2026, 11, 15), calendar=CAL)
    assert exc.value.year == 2027
    with pytest.raises(errors.CalendarUnknown):
        compute_due("penalty.publicity", D(2026, 12, 28), calendar=CAL)


def test_compute_rejects_non_periods_and_bad_input():
    with pytest.raises(errors.ValidationFailed) as exc:
        compute_due("penalty.late_surcharge", D(2025, 1, 1), calendar=CAL)
    assert exc.value.code == "rule_not_a_period"
    with pytest.raises(errors.ValidationFailed):
        compute_due("disclosure.reply", D(2025, 1, 1), extensions=["penalty.payment"], calendar=CAL)
    with pytest.raises(errors.UnknownRule):
        compute_due("nope.key", D(2025, 1, 1), calendar=CAL)
    with pytest.raises(errors.ValidationFailed) as exc:
        compute_due("penalty.payment", "2025-01-01", calendar=CAL)  # type: ignore[arg-type]
    assert exc.value.code == "invalid_date"
    with pytest.raises(errors.ValidationFailed):
        compute_due(
            "penalty.payment", D(2025, 1, 1), stops=[(D(2025, 1, 5), D(2025, 1, 2))], calendar=CAL
        )


# --- properties ----------------------------------------------------------------------------

PERIOD_KEYS = [
    r.key
    for r in rules.period_rules()
    if r.versions[-1].value.unit in ("working_days", "calendar_days")
]
starts = st.dates(min_value=D(2024, 1, 1), max_value=D(2026, 6, 30))


@given(key=st.sampled_from(PERIOD_KEYS), start=starts)
def test_due_is_after_start_and_a_workday(key, start):
    result = compute_due(key, start, calendar=CAL)
    assert result.due > start
    assert CAL.is_workday(result.due)
    value = result.rule.value
    if value.unit == "working_days":
        assert CAL.working_days_between(start, result.due) == value.amount
    elif value.unit == "months":
        assert result.unrolled == add_months(start, value.amount)
    else:
        assert (result.unrolled - start).days == value.amount
        day = result.unrolled
        while day < result.due:
            assert not CAL.is_workday(day)
            day += dt.timedelta(days=1)


@given(key=st.sampled_from(PERIOD_KEYS), a=starts, b=starts)
def test_due_is_monotone_in_the_start_date(key, a, b):
    a, b = min(a, b), max(a, b)
    assert compute_due(key, a, calendar=CAL).due <= compute_due(key, b, calendar=CAL).due


@given(
    start=starts,
    stop_offset=st.integers(min_value=1, max_value=20),
    stop_len=st.integers(min_value=0, max_value=15),
)
def test_stops_never_shorten_a_period(start, stop_offset, stop_len):
    first = start + dt.timedelta(days=stop_offset)
    stops = [(first, first + dt.timedelta(days=stop_len))]
    plain = compute_due("disclosure.reply", start, calendar=CAL).due
    stopped = compute_due("disclosure.reply", start, stops=stops, calendar=CAL).due
    assert stopped >= plain


# --- services ------------------------------------------------------------------------------


def open_deadline(tree, actor=None, *, rule_key="penalty.publicity", start=TODAY, **kw):
    org = kw.pop("organisation", tree.districts[0])
    actor = actor or make_user(org, Role.SUPERVISOR)
    return deadline_services.deadline_open(
        actor=actor,
        organisation=org,
        title=kw.pop("title", "公示处罚决定"),
        rule_key=rule_key,
        start_date=start,
        today=kw.pop("today", TODAY),
        **kw,
    )


def test_open_computes_and_audits(seeded, tree):
    sup = make_user(tree.districts[0], Role.SUPERVISOR)
    deadline = open_deadline(tree, sup, assignee=sup, subject=tree.districts[0])
    assert deadline.due_date == D(2025, 10, 13)
    assert deadline.state == DeadlineState.OPEN
    assert deadline.object_id == str(tree.districts[0].pk)
    event = AuditEvent.objects.get(action="deadline.opened")
    assert event.object_id == str(deadline.pk) and event.organisation_id == tree.districts[0].pk
    assert '"due_date":"2025-10-13"' in event.details_json


def test_open_in_the_past_is_overdue(seeded, tree):
    deadline = open_deadline(tree, start=D(2025, 1, 2), today=TODAY)
    assert deadline.state == DeadlineState.OVERDUE


@pytest.mark.parametrize(
    ("kwargs", "error", "code"),
    [
        ({"title": "  "}, errors.ValidationFailed, "title_required"),
        ({"title": "长" * 201}, errors.ValidationFailed, "title_too_long"),
        ({"rule_key": "penalty.nope"}, errors.UnknownRule, "unknown_rule"),
        ({"rule_key": "penalty.late_surcharge"}, errors.ValidationFailed, "rule_not_a_period"),
    ],
)
def test_open_rejects_bad_input(seeded, tree, kwargs, error, code):
    with pytest.raises(error) as exc:
        open_deadline(tree, **kwargs)
    assert exc.value.code == code
    assert not Deadline.objects.exists()


def test_open_checks_permission_scope_and_assignee(seeded, tree):
    viewer = make_user(tree.province, Role.VIEWER)
    with pytest.raises(errors.PermissionDenied):
        open_deadline(tree, viewer)
    other = make_user(tree.districts[1], Role.SUPERVISOR)
    with pytest.raises(errors.OutOfScope):
        open_deadline(tree, other)
    with pytest.raises(errors.ValidationFailed) as exc:
        open_deadline(tree, assignee=other)
    assert exc.value.code == "assignee_out_of_scope"
    assert not Deadline.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"rule_key": periods.FIXED_RULE}, "due_date_required"),
        ({"rule_key": periods.FIXED_RULE, "due_date": D(2025, 9, 1)}, "due_before_start"),
        ({"due_date": D(2025, 12, 1)}, "due_date_not_allowed"),
    ],
)
def test_open_fixed_date_bad_input(seeded, tree, kwargs, code):
    with pytest.raises(errors.ValidationFailed) as exc:
        open_deadline(tree, **kwargs)
    assert exc.value.code == code
    assert not Deadline.objects.exists()


def test_fixed_date_deadline_is_not_recomputed_stopped_or_extended(seeded, tree):
    sup = make_user(tree.districts[0], Role.SUPERVISOR)
    leader = make_user(tree.cities[0], Role.LEADER)
    d = open_deadline(
        tree, sup, rule_key=periods.FIXED_RULE, due_date=D(2025, 10, 3), title="整改复查"
    )
    # a decision's date stands even on a holiday (2025-10-03 is in the National Day holiday)
    assert d.due_date == D(2025, 10, 3) and d.state == DeadlineState.OPEN
    with pytest.raises(errors.ValidationFailed) as exc:
        deadline_services.deadline_stop(
            actor=sup, deadline=d, on=D(2025, 9, 26), reason="x", today=TODAY
        )
    assert exc.value.code == "fixed_deadline"
    with pytest.raises(errors.ValidationFailed) as exc:
        deadline_services.deadline_extend(actor=leader, deadline=d, reason="x", today=TODAY)
    assert exc.value.code == "no_extension"
    assert deadline_services.deadlines_refresh(today=D(2025, 10, 4)) == 1
    d.refresh_from_db()
    assert d.state == DeadlineState.OVERDUE and d.due_date == D(2025, 10, 3)


def test_attach_and_close_run_inside_the_callers_transaction(seeded, tree, monkeypatch):
    from types import SimpleNamespace

    from django.db import transaction

    org = tree.districts[0]
    sup = make_user(org, Role.SUPERVISOR)
    # outside any transaction (the test itself runs in one, so simulate the connection state)
    with monkeypatch.context() as patched:
        patched.setattr(deadline_services, "connection", SimpleNamespace(in_atomic_block=False))
        with pytest.raises(RuntimeError):
            deadline_services.deadline_attach(
                actor=sup,
                organisation=org,
                title="x",
                rule_key="penalty.publicity",
                start_date=TODAY,
                today=TODAY,
            )
        with pytest.raises(RuntimeError):
            deadline_services.deadlines_close_for(
                actor=sup, subject=org, rule_key="penalty.publicity", on=TODAY
            )
    # the caller's rollback takes the deadline and its audit event with it
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        deadline_services.deadline_attach(
            actor=sup,
            organisation=org,
            title="公示",
            rule_key="penalty.publicity",
            start_date=TODAY,
            subject=org,
            today=TODAY,
        )
        1 / 0  # noqa: B018
    assert not Deadline.objects.exists()
    assert not AuditEvent.objects.filter(action="deadline.opened").exists()
    with transaction.atomic():
        d = deadline_services.deadline_attach(
            actor=sup,
            organisation=org,
            title="公示",
            rule_key="penalty.publicity",
            start_date=TODAY,
            subject=org,
            today=TODAY,
        )
    assert d.due_date == D(2025, 10, 13)
    with transaction.atomic():
        closed = deadline_services.deadlines_close_for(
            actor=sup, subject=org, rule_key="penalty.publicity", on=D(2025, 10, 14)
        )
    assert [c.pk for c in closed] == [d.pk]
    d.refresh_from_db()
    assert d.state == DeadlineState.LATE and d.met_on == D(2025, 10, 14)
    # nothing left to close
    with transaction.atomic():
        assert (
            deadline_services.deadlines_close_for(
                actor=sup, subject=org, rule_key="penalty.publicity", on=D(2025, 10, 14)
            )
            == []
        )


def test_stop_resume_extend_complete(seeded, tree):
    org = tree.districts[0]
    sup = make_user(org, Role.SUPERVISOR)
    leader = make_user(tree.cities[0], Role.LEADER)
    d = open_deadline(tree, sup, rule_key="disclosure.reply", title="答复申请")
    assert d.due_date == D(2025, 10, 30)
    d = deadline_services.deadline_stop(
        actor=sup, deadline=d, on=D(2025, 10, 9), reason="征求第三方意见", today=D(2025, 10, 9)
    )
    assert d.state == DeadlineState.STOPPED
    d = deadline_services.deadline_resume(
        actor=sup, deadline=d, on=D(2025, 10, 16), today=D(2025, 10, 16)
    )
    assert (d.state, d.due_date) == (DeadlineState.OPEN, D(2025, 11, 7))
    d = deadline_services.deadline_extend(
        actor=leader,
        deadline=d,
        reason="需调取档案",
        approved_on=D(2025, 11, 3),
        today=D(2025, 11, 3),
    )
    assert d.due_date == D(2025, 12, 5)
    assert d.extensions.get().approved_by == leader
    d = deadline_services.deadline_complete(
        actor=sup, deadline=d, on=D(2025, 12, 1), today=D(2025, 12, 1)
    )
    assert (d.state, d.met_on) == (DeadlineState.MET, D(2025, 12, 1))
    actions = list(
        AuditEvent.objects.filter(object_id=str(d.pk), action__startswith="deadline.")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "deadline.opened",
        "deadline.stopped",
        "deadline.resumed",
        "deadline.extended",
        "deadline.completed",
    ]


def test_complete_late(seeded, tree):
    sup = make_user(tree.districts[0], Role.SUPERVISOR)
    d = open_deadline(tree, sup)
    d = deadline_services.deadline_complete(
        actor=sup, deadline=d, on=D(2025, 10, 14), today=D(2025, 10, 20)
    )
    assert d.state == DeadlineState.LATE


def test_complete_during_a_stop_closes_it(seeded, tree):
    sup = make_user(tree.districts[0], Role.SUPERVISOR)
    d = open_deadline(tree, sup, rule_key="disclosure.reply")
    deadline_services.deadline_stop(
        actor=sup,
        deadline=d,
        on=D(2025, 10, 9),
        reason="征求意见",
        today=TODAY.replace(month=10, day=9),
    )
    d = deadline_services.deadline_complete(
        actor=sup, deadline=d, on=D(2025, 10, 14), today=D(2025, 10, 14)
    )
    assert d.state == DeadlineState.MET
    assert d.stops.get().end == D(2025, 10, 14)


def test_service_guards(seeded, tree):
    sup = make_user(tree.districts[0], Role.SUPERVISOR)
    d = open_deadline(tree, sup, rule_key="disclosure.reply")
    day = D(2025, 10, 9)
    cases = [
        (
            lambda: deadline_services.deadline_stop(
                actor=sup, deadline=d, on=day, reason=" ", today=day
            ),
            "reason_required",
        ),
        (
            lambda: deadline_services.deadline_stop(
                actor=sup, deadline=d, on=D(2025, 9, 26), reason="x", today=day
            ),
            "stop_before_start",
        ),
        (
            lambda: deadline_services.deadline_stop(
                actor=sup, deadline=d, on=D(2025, 11, 3), reason="x", today=D(2025, 11, 3)
            ),
            "stop_after_due",
        ),
        (
            lambda: deadline_services.deadline_stop(
                actor=sup, deadline=d, on=day, reason="x", today=D(2025, 10, 1)
            ),
            "date_in_future",
        ),
        (
            lambda: deadline_services.deadline_resume(actor=sup, deadline=d, on=day, today=day),
            "invalid_transition",
        ),
        (
            lambda: deadline_services.deadline_complete(
                actor=sup, deadline=d, on=D(2025, 9, 1), today=day
            ),
            "complete_before_start",
        ),
        (
            lambda: deadline_services.deadline_complete(
                actor=sup, deadline=d, on=D(2025, 10, 10), today=day
            ),
            "date_in_future",
        ),
    ]
    for call, code in cases:
        with pytest.raises(errors.FazhiError) as exc:
            call()
        assert exc.value.code == code, code
    deadline_services.deadline_stop(actor=sup, deadline=d, on=day, reason="征求意见", today=day)
    with pytest.raises(errors.ValidationFailed) as exc:
        deadline_services.deadline_resume(actor=sup, deadline=d, on=D(2025, 10, 8), today=day)
    assert exc.value.code == "stop_resume_before_start"
    with pytest.raises(errors.InvalidTransition):
        deadline_services.deadline_stop(actor=sup, deadline=d, on=day, reason="x", today=day)
    d.refresh_from_db()
    assert d.state == DeadlineState.STOPPED and d.stops.count() == 1


def test_extension_guards(seeded, tree):
    sup = make_user(tree.districts[0], Role.SUPERVISOR)
    leader = make_user(tree.districts[0], Role.LEADER)
    d = open_deadline(tree, sup, rule_key="disclosure.reply")
    with pytest.raises(errors.PermissionDenied):  # supervisors cannot approve
        deadline_services.deadline_extend(actor=sup, deadline=d, reason="x", today=TODAY)
    with pytest.raises(errors.ValidationFailed) as exc:
        deadline_services.deadline_extend(actor=leader, deadline=d, reason="", today=TODAY)
    assert exc.value.code == "reason_required"
    assert d.due_date == D(2025, 10, 30)
    cases = [
        # approved after the due date
        (dict(approved_on=D(2025, 11, 3), today=D(2025, 11, 3)), "extension_after_due"),
        # still OPEN (no daily refresh yet), but expired: no back-dated approval
        (dict(approved_on=D(2025, 10, 20), today=D(2025, 11, 3)), "extension_after_due"),
        (dict(approved_on=D(2025, 10, 2), today=D(2025, 10, 1)), "date_in_future"),
        (dict(approved_on=D(2025, 9, 1), today=TODAY), "approved_before_start"),
    ]
    for kwargs, code in cases:
        with pytest.raises(errors.ValidationFailed) as exc:
            deadline_services.deadline_extend(actor=leader, deadline=d, reason="x", **kwargs)
        assert exc.value.code == code, code
    assert d.extensions.count() == 0
    deadline_services.deadline_extend(actor=leader, deadline=d, reason="复杂", today=TODAY)
    with pytest.raises(errors.Conflict) as conflict:
        deadline_services.deadline_extend(actor=leader, deadline=d, reason="再延", today=TODAY)
    assert conflict.value.code == "extension_limit"
    plain = open_deadline(tree, sup)  # penalty.publicity has no extension
    with pytest.raises(errors.ValidationFailed) as exc:
        deadline_services.deadline_extend(actor=leader, deadline=plain, reason="x", today=TODAY)
    assert exc.value.code == "no_extension"
    # The general 行政处罚法 period (Art. 60) has no extension mechanism of its own.
    early = open_deadline(
        tree, sup, rule_key="penalty.decision_general", start=D(2025, 3, 3), today=D(2025, 3, 3)
    )
    assert periods.extension_rule(early) is None
    with pytest.raises(errors.ValidationFailed) as exc:
        deadline_services.deadline_extend(
            actor=leader, deadline=early, reason="x", today=D(2025, 3, 3)
        )
    assert exc.value.code == "no_extension"
    assert d.extensions.count() == 1


def test_scope_of_services(seeded, tree):
    d = open_deadline(tree)
    outsider = make_user(tree.districts[1], Role.SUPERVISOR)
    outside_leader = make_user(tree.cities[1], Role.LEADER)
    with pytest.raises(errors.OutOfScope):
        deadline_services.deadline_complete(actor=outsider, deadline=d, on=TODAY, today=TODAY)
    with pytest.raises(errors.OutOfScope):
        deadline_services.deadline_extend(actor=outside_leader, deadline=d, reason="x", today=TODAY)
    viewer = make_user(tree.province, Role.VIEWER)
    with pytest.raises(errors.PermissionDenied):
        deadline_services.deadline_stop(actor=viewer, deadline=d, on=TODAY, reason="x", today=TODAY)


def test_refresh_marks_overdue(seeded, tree):
    d = open_deadline(tree)
    assert deadline_services.deadlines_refresh(today=D(2025, 10, 13)) == 0
    assert deadline_services.deadlines_refresh(today=D(2025, 10, 14)) == 1
    d.refresh_from_db()
    assert d.state == DeadlineState.OVERDUE
    assert AuditEvent.objects.filter(action="deadline.lapsed", object_id=str(d.pk)).count() == 1
    assert deadline_services.deadlines_refresh(today=D(2025, 10, 15)) == 0
    with pytest.raises(errors.PermissionDenied):
        deadline_services.deadlines_refresh(actor=make_user(tree.districts[0], Role.SUPERVISOR))


def test_refresh_command(seeded, tree, capsys):
    from django.core.management import call_command

    open_deadline(tree)
    call_command("deadlines", "refresh", "--today", "2025-10-20")
    assert "marked overdue: 1" in capsys.readouterr().out


def test_calendar_unknown_then_publishing_the_year_recomputes(seeded, tree):
    admin = make_user(tree.province, Role.SYSTEM_ADMIN)
    d = open_deadline(
        tree, rule_key="penalty.decision", start=D(2026, 11, 15), today=D(2026, 11, 15)
    )
    assert d.state == DeadlineState.CALENDAR_UNKNOWN
    assert d.due_date is None and "2027" in d.warning
    board = deadline_selectors.deadline_workbench(
        user=make_user(tree.districts[0], Role.LEADER), today=D(2026, 11, 16)
    )
    assert [x.pk for x in board.calendar_unknown] == [d.pk]
    # Fictional 2027 data for the test: 90 days end on Sat 2027-02-13; Feb 15-17 are holidays.
    calendar_services.calendar_year_publish(
        actor=admin,
        year=2027,
        source="测试用虚构通知",
        holidays=[D(2027, 2, 15), D(2027, 2, 16), D(2027, 2, 17)],
        workdays=[],
        today=D(2026, 11, 16),
    )
    d = Deadline.objects.get(pk=d.pk)
    assert (d.state, d.due_date) == (DeadlineState.OPEN, D(2027, 2, 18))
    assert "未核实" in d.warning  # the 2025 health rule's text was not seen
    event = AuditEvent.objects.get(action="deadline.recomputed", object_id=str(d.pk))
    assert event.details["from"] == "calendar_unknown" and event.details["to"] == "open"


def test_calendar_correction_recomputes_open_deadlines(seeded, tree):
    admin = make_user(tree.province, Role.SYSTEM_ADMIN)
    d = open_deadline(tree)
    done = open_deadline(tree)
    sup = make_user(tree.districts[0], Role.SUPERVISOR)
    deadline_services.deadline_complete(
        actor=sup, deadline=done, on=D(2025, 10, 9), today=D(2025, 10, 9)
    )
    calendar_services.calendar_day_set(
        actor=admin, day=D(2025, 10, 13), kind="holiday", name="更正", today=TODAY
    )
    d.refresh_from_db()
    done.refresh_from_db()
    assert d.due_date == D(2025, 10, 14)
    assert done.due_date == D(2025, 10, 13)  # completed deadlines keep their record
    calendar_services.calendar_day_delete(actor=admin, day=D(2025, 10, 13), today=TODAY)
    d.refresh_from_db()
    assert d.due_date == D(2025, 10, 13)


# --- selectors -----------------------------------------------------------------------------


def test_list_is_scoped(seeded, tree):
    a = open_deadline(tree, organisation=tree.districts[0])
    b = open_deadline(tree, organisation=tree.districts[2])  # the other city
    sup_a = make_user(tree.districts[0], Role.SUPERVISOR)
    city_leader = make_user(tree.cities[0], Role.LEADER)
    province_viewer = make_user(tree.province, Role.VIEWER)
    assert list(deadline_selectors.deadline_list(user=sup_a)) == [a]
    assert list(deadline_selectors.deadline_list(user=city_leader)) == [a]
    assert set(deadline_selectors.deadline_list(user=province_viewer)) == {a, b}
    with pytest.raises(errors.OutOfScope):
        deadline_selectors.deadline_get(user=sup_a, pk=b.pk)
    assert deadline_selectors.deadline_get(user=province_viewer, pk=b.pk) == b
    other_tree = make_org_tree()
    assert not deadline_selectors.deadline_list(
        user=make_user(other_tree.province, Role.LEADER)
    ).exists()


def test_list_filters(seeded, tree):
    a = open_deadline(tree, rule_key="penalty.publicity")
    b = open_deadline(tree, rule_key="disclosure.reply")
    leader = make_user(tree.province, Role.LEADER)
    assert list(deadline_selectors.deadline_list(user=leader, rule_key="disclosure.reply")) == [b]
    assert list(deadline_selectors.deadline_list(user=leader, due_to=D(2025, 10, 20))) == [a]
    assert list(deadline_selectors.deadline_list(user=leader, due_from=D(2025, 10, 20))) == [b]
    assert list(deadline_selectors.deadline_list(user=leader, state="met")) == []
    assert set(
        deadline_selectors.deadline_list(user=leader, organisation_id=tree.districts[0].pk)
    ) == {a, b}


def test_workbench_assigned_or_all_for_leaders(seeded, tree, django_assert_max_num_queries):
    org = tree.districts[0]
    sup = make_user(org, Role.SUPERVISOR)
    colleague = make_user(org, Role.SUPERVISOR)
    mine_soon = open_deadline(tree, sup, assignee=sup)  # due 2025-10-13
    mine_late = open_deadline(tree, sup, assignee=sup, start=D(2025, 9, 1))
    theirs = open_deadline(tree, sup, assignee=colleague)
    later = open_deadline(tree, sup, assignee=sup, rule_key="disclosure.reply")  # due 10-30
    deadline_services.deadlines_refresh(today=D(2025, 10, 9))
    with django_assert_max_num_queries(1):
        board = deadline_selectors.deadline_workbench(user=sup, today=D(2025, 10, 9))
    assert [d.pk for d in board.due_soon] == [mine_soon.pk]
    assert [d.pk for d in board.overdue] == [mine_late.pk]
    leader = make_user(org, Role.LEADER)
    board = deadline_selectors.deadline_workbench(user=leader, today=D(2025, 10, 9))
    assert {d.pk for d in board.due_soon} == {mine_soon.pk, theirs.pk}
    assert later.pk not in {d.pk for d in board.due_soon + board.overdue}


def test_workbench_query_count_does_not_grow(seeded, tree, django_assert_max_num_queries):
    leader = make_user(tree.districts[0], Role.LEADER)
    sup = make_user(tree.districts[0], Role.SUPERVISOR)
    for _ in range(15):
        open_deadline(tree, sup, assignee=sup)
    with django_assert_max_num_queries(1):
        board = deadline_selectors.deadline_workbench(user=leader, today=D(2025, 10, 9))
        names = [(d.organisation.name, d.assignee) for d in board.due_soon]
    assert len(names) == 15


def test_hearing_notice_is_a_floor_not_a_deadline(seeded, tree):
    """行政处罚法 Art. 64(2): notice at least 7 (working) days before the hearing. Served on
    Fri 2025-09-26: Sun 28 (make-up) 1, 29 2, 30 3, Oct 9 4, 10 5, Sat 11 (make-up) 6,
    Mon 13 7: the hearing may be held on 2025-10-13 at the earliest."""
    earliest = periods.notice_earliest("penalty.hearing_notice", D(2025, 9, 26))
    assert earliest.due == D(2025, 10, 13)
    assert periods.notice_check(
        "penalty.hearing_notice", served_on=D(2025, 9, 26), event_on=D(2025, 10, 13)
    ).due == D(2025, 10, 13)
    with pytest.raises(errors.ValidationFailed) as exc:
        periods.notice_check(
            "penalty.hearing_notice", served_on=D(2025, 9, 26), event_on=D(2025, 10, 10)
        )
    assert exc.value.code == "notice_too_short" and "2025-10-13" in exc.value.message
    # Not a period: it cannot be opened as a deadline, and periods are not notices.
    with pytest.raises(errors.ValidationFailed) as exc:
        open_deadline(tree, rule_key="penalty.hearing_notice")
    assert exc.value.code == "rule_not_a_period"
    with pytest.raises(errors.ValidationFailed) as exc:
        periods.notice_earliest("penalty.publicity", D(2025, 9, 26))
    assert exc.value.code == "not_a_notice"
