"""Services: every state change of deadlines (the ``Deadline`` rows).

A deadline is an obligation with a due date computed by ``fazhi.core.periods`` from its rule, the
official calendar, its stops and its approved extensions. Its states and actions are the table
``fazhi.core.workflows.DEADLINE``; ``periods.deadline_outcome`` says where a computation puts a
deadline, and the services pass that as the ``target`` of ``workflow.transition``, which alone
sets the state.

Two ways in, one way through. Other domains' services change their record's deadlines inside their
own transaction (``deadline_attach``, ``deadlines_{close,stop,resume,extend,cancel}_for``; a
``RuntimeError`` outside one). The top-level services (``deadline_open``, ``deadline_stop`` …)
check capability and scope, open the durable transaction and run the same internals. Every one
locks the calendar revision before any deadline row, the calendar services' order.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models import QuerySet

from fazhi.core import audit, clock, errors, rules, workflow
from fazhi.core import calendar as workcal
from fazhi.core.audit_events import DeadlineEvents
from fazhi.core.models import Deadline, DeadlineExtension, DeadlineStop, Organisation, User
from fazhi.core.models.deadlines import DeadlineState
from fazhi.core.periods import (
    FIXED_RULE,
    Outcome,
    deadline_outcome,
    extension_rule,
    extensions_of,
    stops_of,
)
from fazhi.core.roles import Cap
from fazhi.core.scope import (
    require_calendar_admin,
    require_cap,
    require_in_scope,
    visible_organisations,
)
from fazhi.core.services._common import clean_text
from fazhi.core.workflows import DEADLINE


def _today(value: dt.date | None) -> dt.date:
    return value or clock.today()


def _in_transaction(name: str) -> None:
    if not connection.in_atomic_block:
        raise RuntimeError(f"{name} must run inside the calling service's transaction")


def _snapshot(deadline: Deadline, outcome: Outcome | None = None) -> dict[str, Any]:
    due = outcome.due_date if outcome else deadline.due_date
    return {
        "rule_key": deadline.rule_key,
        "start_date": deadline.start_date.isoformat(),
        "due_date": due.isoformat() if due else None,
    }


# --- opening ----------------------------------------------------------------------------------


def _validate_open(
    *,
    organisation: Organisation,
    title: str,
    rule_key: str,
    start_date: dt.date,
    assignee: User | None,
    due_date: dt.date | None,
) -> str:
    title = (title or "").strip()
    if not title:
        raise errors.ValidationFailed("请填写事项名称。", code="title_required")
    if len(title) > 200:
        raise errors.ValidationFailed("事项名称不能超过200字。", code="title_too_long")
    if rule_key == FIXED_RULE:
        if due_date is None:
            raise errors.ValidationFailed("请填写届满日期。", code="due_date_required")
        if due_date < start_date:
            raise errors.ValidationFailed("届满日期不能早于起算日。", code="due_before_start")
    else:
        if due_date is not None:
            raise errors.ValidationFailed(
                "法定期限的届满日期由规则计算，不能直接指定。", code="due_date_not_allowed"
            )
        rule = rules.rule(rule_key, on=start_date, province=organisation.province_code())
        if rule.value.kind != "period":
            raise errors.ValidationFailed(
                f"规则 {rule_key} 不是期限规则。", code="rule_not_a_period"
            )
    if (
        assignee is not None
        and not visible_organisations(assignee).filter(pk=organisation.pk).exists()
    ):
        raise errors.ValidationFailed("承办人无权查看该机构的期限。", code="assignee_out_of_scope")
    return title


def deadline_attach(
    *,
    actor: User | None,
    organisation: Organisation,
    title: str,
    rule_key: str,
    start_date: dt.date,
    subject: models.Model | None = None,
    assignee: User | None = None,
    due_date: dt.date | None = None,
    today: dt.date | None = None,
) -> Deadline:
    """Open a deadline inside the calling service's transaction, in the state its computation
    gives (running, already overdue, or waiting for a calendar year).

    For other domains' services, which have already checked the actor's permission for the
    change that creates the obligation: the deadline commits or rolls back with that change.
    ``rule_key=FIXED_RULE`` with ``due_date`` records a date set by a decision.
    """
    _in_transaction("deadline_attach")
    title = _validate_open(
        organisation=organisation,
        title=title,
        rule_key=rule_key,
        start_date=start_date,
        assignee=assignee,
        due_date=due_date,
    )
    workcal.lock_revision()
    fields: dict[str, Any] = {
        "organisation": organisation,
        "title": title,
        "rule_key": rule_key,
        "start_date": start_date,
        "assignee": assignee,
    }
    if subject is not None:
        fields["content_type"] = ContentType.objects.get_for_model(subject)
        fields["object_id"] = str(subject.pk)
    outcome = deadline_outcome(
        Deadline(**fields, due_date=due_date),
        today=_today(today),
        stops=(),
        extensions=(),
        met_on=None,
    )
    assert outcome.state in DEADLINE.initial
    deadline = Deadline.objects.create(
        **fields, state=outcome.state, due_date=outcome.due_date, warning=outcome.warning
    )
    audit.append(
        actor=actor,
        action=DeadlineEvents.DEADLINE_OPENED,
        obj=deadline,
        details={**_snapshot(deadline), "state": deadline.state, "title": title},
    )
    return deadline


def deadline_open(
    *,
    actor: User,
    organisation: Organisation,
    title: str,
    rule_key: str,
    start_date: dt.date,
    subject: models.Model | None = None,
    assignee: User | None = None,
    due_date: dt.date | None = None,
    today: dt.date | None = None,
) -> Deadline:
    """Open a deadline for ``organisation`` (a service of its own, e.g. from the API)."""
    require_cap(actor, Cap.WRITE, action=DeadlineEvents.DEADLINE_OPENED)
    require_in_scope(actor, organisation, action=DeadlineEvents.DEADLINE_OPENED)
    _validate_open(
        organisation=organisation,
        title=title,
        rule_key=rule_key,
        start_date=start_date,
        assignee=assignee,
        due_date=due_date,
    )
    with transaction.atomic(durable=True):
        return deadline_attach(
            actor=actor,
            organisation=organisation,
            title=title,
            rule_key=rule_key,
            start_date=start_date,
            subject=subject,
            assignee=assignee,
            due_date=due_date,
            today=today,
        )


# --- the actions, on a locked row inside the caller's transaction -----------------------------


def _move(
    actor: User | None,
    row: Deadline,
    action: str,
    outcome: Outcome,
    *,
    details: dict[str, Any],
    ctx: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
) -> None:
    """Take ``action`` on the locked row to where the computation put it (``outcome``), with its
    due date and warning; the event carries the rule, start and new due date too."""
    workflow.transition(
        DEADLINE,
        row,
        action,
        actor=actor,
        ctx=ctx,
        target=outcome.state,
        changes={**(changes or {}), **outcome.changes()},
        locked=True,
        details={**details, **_snapshot(row, outcome)},
    )


def _stop(actor: User | None, row: Deadline, *, on: dt.date, reason: str, today: dt.date) -> None:
    """Stop the clock (中止) from ``on``: that day and the following ones do not count."""
    workflow.transition(
        DEADLINE,
        row,
        "stop",
        actor=actor,
        ctx={"on": on, "today": today},
        locked=True,
        details={"on": on.isoformat(), "reason": reason},
    )
    DeadlineStop.objects.create(deadline=row, start=on, reason=reason[:200])


def _resume(actor: User | None, row: Deadline, *, on: dt.date, today: dt.date) -> None:
    """Restart the clock on ``on`` (that day counts again) and recompute the due date."""
    stop = row.stops.select_for_update().filter(end__isnull=True).first()
    ctx = {"on": on, "today": today, "stop": stop}
    DEADLINE.check(row, "resume", ctx)
    assert stop is not None  # a stopped deadline has its running stop
    stops = [(s, e) for s, e in stops_of(row) if e is not None] + [(stop.start, on)]
    outcome = deadline_outcome(
        row, today=today, stops=stops, extensions=extensions_of(row), met_on=None
    )
    _move(
        actor,
        row,
        "resume",
        outcome,
        ctx=ctx,
        details={"on": on.isoformat(), "stopped_from": stop.start.isoformat()},
    )
    stop.end = on
    stop.save(update_fields=["end"])


def _extend(
    actor: User | None,
    row: Deadline,
    *,
    reason: str,
    approved_by: User,
    approved_on: dt.date,
    today: dt.date,
) -> None:
    """Record an approved extension (the rule's ``extension``) and recompute the due date."""
    ctx = {"approved_on": approved_on, "today": today}
    DEADLINE.check(row, "extend", ctx)
    ext = extension_rule(row)
    assert ext is not None  # a guard of the table
    outcome = deadline_outcome(
        row,
        today=today,
        stops=stops_of(row),
        extensions=[*extensions_of(row), ext.key],
        met_on=None,
    )
    old_due = row.due_date
    _move(
        actor,
        row,
        "extend",
        outcome,
        ctx=ctx,
        details={
            "extension": ext.key,
            "reason": reason,
            "approved_by": approved_by.pk,
            "approved_on": approved_on.isoformat(),
            "old_due_date": old_due.isoformat() if old_due else None,
        },
    )
    DeadlineExtension.objects.create(
        deadline=row,
        rule_key=ext.key,
        reason=reason[:200],
        approved_by=approved_by,
        approved_on=approved_on,
    )


def _complete(actor: User | None, row: Deadline, *, on: dt.date, today: dt.date) -> None:
    """The obligation was fulfilled on ``on``; a running stop ends that day. Met or late when
    the due date is known; otherwise the date is kept and the calendar services judge it when
    the missing year is published (``recompute_pending``)."""
    ctx = {"on": on, "today": today}
    DEADLINE.check(row, "complete", ctx)
    stops = [(start, on if end is None else end) for start, end in stops_of(row)]
    outcome = deadline_outcome(
        row, today=today, stops=stops, extensions=extensions_of(row), met_on=on
    )
    _move(
        actor,
        row,
        "complete",
        outcome,
        ctx=ctx,
        changes={"met_on": on},
        details={
            "on": on.isoformat(),
            "awaiting_calendar": outcome.state == DeadlineState.CALENDAR_UNKNOWN,
        },
    )
    row.stops.filter(end__isnull=True).update(end=on)


def _cancel(actor: User | None, row: Deadline, *, reason: str) -> None:
    """The matter was withdrawn: the clock stops for good (never overdue, never recomputed)."""
    workflow.transition(
        DEADLINE, row, "cancel", actor=actor, locked=True, details={"reason": reason}
    )


# --- inside the caller's transaction, for a subject's deadlines -------------------------------


def _of_subject(subject: models.Model, rule_key: str | None, action: str) -> QuerySet[Deadline]:
    """The subject's deadlines (under ``rule_key`` if given) that ``action`` may leave from and
    whose completion is not recorded yet, locked in id order."""
    workcal.lock_revision()  # before the deadline rows: the calendar services' order
    qs = Deadline.objects.select_for_update(of=("self",)).select_related("organisation")
    qs = qs.filter(
        content_type=ContentType.objects.get_for_model(subject),
        object_id=str(subject.pk),
        state__in=DEADLINE.action(action).sources,
        met_on__isnull=True,
    )
    if rule_key is not None:
        qs = qs.filter(rule_key=rule_key)
    return qs.order_by("pk")


def deadlines_close_for(
    *,
    actor: User | None,
    subject: models.Model,
    rule_key: str,
    on: dt.date,
    today: dt.date | None = None,
) -> list[Deadline]:
    """Record, inside the calling service's transaction, that ``subject``'s obligation under
    ``rule_key`` was fulfilled on ``on``: each pending deadline becomes met or late (one that
    started after ``on`` is left alone).

    A deadline whose due date the calendar cannot compute yet keeps the date it was met and
    becomes met or late when the year's holidays are published.
    """
    _in_transaction("deadlines_close_for")
    closed = []
    for row in _of_subject(subject, rule_key, "complete"):
        if on < row.start_date:
            continue
        _complete(actor, row, on=on, today=_today(today))
        closed.append(row)
    return closed


def deadlines_stop_for(
    *,
    actor: User | None,
    subject: models.Model,
    on: dt.date,
    reason: str,
    rule_key: str | None = None,
    today: dt.date | None = None,
) -> list[Deadline]:
    """Inside the calling service's transaction: stop the clock of ``subject``'s running
    statutory deadlines (under ``rule_key`` if given) from ``on``, e.g. a case suspended (中止).
    Dates fixed by a decision have no clock to stop and are left alone."""
    _in_transaction("deadlines_stop_for")
    reason = clean_text(reason, field="reason", label="中止理由", max_length=200)
    rows = list(_of_subject(subject, rule_key, "stop").exclude(rule_key=FIXED_RULE))
    for row in rows:
        _stop(actor, row, on=on, reason=reason, today=_today(today))
    return rows


def deadlines_resume_for(
    *,
    actor: User | None,
    subject: models.Model,
    on: dt.date,
    rule_key: str | None = None,
    today: dt.date | None = None,
) -> list[Deadline]:
    """Inside the calling service's transaction: restart the stopped clocks of ``subject``
    (under ``rule_key`` if given) on ``on`` and recompute their due dates."""
    _in_transaction("deadlines_resume_for")
    rows = list(_of_subject(subject, rule_key, "resume"))
    for row in rows:
        _resume(actor, row, on=on, today=_today(today))
    return rows


def deadlines_extend_for(
    *,
    actor: User | None,
    subject: models.Model,
    rule_key: str,
    reason: str,
    approved_by: User,
    approved_on: dt.date,
    today: dt.date | None = None,
) -> list[Deadline]:
    """Inside the calling service's transaction: record the extension ``approved_by`` approved
    on ``approved_on`` for ``subject``'s deadlines under ``rule_key`` (the caller has checked
    that the approver may approve it)."""
    _in_transaction("deadlines_extend_for")
    reason = clean_text(reason, field="reason", label="延长理由", max_length=200)
    rows = list(_of_subject(subject, rule_key, "extend"))
    for row in rows:
        _extend(
            actor,
            row,
            reason=reason,
            approved_by=approved_by,
            approved_on=approved_on,
            today=_today(today),
        )
    return rows


def deadlines_cancel_for(
    *, actor: User | None, subject: models.Model, reason: str, rule_key: str | None = None
) -> list[Deadline]:
    """Inside the calling service's transaction: the matter was withdrawn, so every pending
    deadline of ``subject`` (only those under ``rule_key`` if given) is cancelled (已撤销). A
    deadline already fulfilled is kept."""
    _in_transaction("deadlines_cancel_for")
    reason = clean_text(reason, field="reason", label="撤销理由", max_length=200)
    rows = list(_of_subject(subject, rule_key, "cancel"))
    for row in rows:
        _cancel(actor, row, reason=reason)
    return rows


# --- top-level services: permission, then their own transaction ------------------------------


def _guard(actor: User, deadline: Deadline, action: str, cap: Cap = Cap.DEADLINE_MANAGE) -> None:
    require_cap(actor, cap, action=action)
    require_in_scope(actor, deadline.organisation, action=action)


def _locked(deadline: Deadline) -> Deadline:
    workcal.lock_revision()  # before the deadline row: the calendar services' order
    return (
        Deadline.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=deadline.pk)
    )


def deadline_stop(
    *, actor: User, deadline: Deadline, on: dt.date, reason: str, today: dt.date | None = None
) -> Deadline:
    """Stop the clock (中止) from ``on``: that day and the following ones do not count."""
    _guard(actor, deadline, DeadlineEvents.DEADLINE_STOPPED)
    reason = clean_text(reason, field="reason", label="中止理由", max_length=200)
    with transaction.atomic(durable=True):
        locked = _locked(deadline)
        _stop(actor, locked, on=on, reason=reason, today=_today(today))
    return locked


def deadline_resume(
    *, actor: User, deadline: Deadline, on: dt.date, today: dt.date | None = None
) -> Deadline:
    """Restart the clock on ``on`` (that day counts again) and recompute the due date."""
    _guard(actor, deadline, DeadlineEvents.DEADLINE_RESUMED)
    with transaction.atomic(durable=True):
        locked = _locked(deadline)
        _resume(actor, locked, on=on, today=_today(today))
    return locked


def deadline_extend(
    *,
    actor: User,
    deadline: Deadline,
    reason: str,
    approved_on: dt.date | None = None,
    today: dt.date | None = None,
) -> Deadline:
    """Record an extension the actor approves and recompute the due date."""
    _guard(actor, deadline, DeadlineEvents.DEADLINE_EXTENDED, Cap.DEADLINE_APPROVE)
    reason = clean_text(reason, field="reason", label="延长理由", max_length=200)
    day = _today(today)
    approved_on = approved_on or day
    if approved_on > day:
        raise errors.ValidationFailed("批准日期不能晚于今天。", code="date_in_future")
    with transaction.atomic(durable=True):
        locked = _locked(deadline)
        _extend(actor, locked, reason=reason, approved_by=actor, approved_on=approved_on, today=day)
    return locked


def deadline_complete(
    *, actor: User, deadline: Deadline, on: dt.date, today: dt.date | None = None
) -> Deadline:
    """Record that the obligation was fulfilled on ``on``: met, or late after the due date; while
    the due date is unknown (calendar), the date is kept and judged when the year is published."""
    _guard(actor, deadline, DeadlineEvents.DEADLINE_COMPLETED)
    with transaction.atomic(durable=True):
        locked = _locked(deadline)
        _complete(actor, locked, on=on, today=_today(today))
    return locked


def deadlines_refresh(*, actor: User | None = None, today: dt.date | None = None) -> int:
    """Mark open deadlines whose due date has passed as overdue (the daily job)."""
    # every organisation's deadlines
    require_calendar_admin(actor, DeadlineEvents.DEADLINE_LAPSED)
    day = _today(today)
    with transaction.atomic(durable=True):
        due = list(
            Deadline.objects.select_for_update()
            .filter(state=DeadlineState.OPEN, due_date__lt=day)
            .order_by("pk")
        )
        for deadline in due:
            workflow.transition(
                DEADLINE,
                deadline,
                "refresh",
                actor=actor,
                ctx={"today": day},
                locked=True,
                details={"due_date": str(deadline.due_date), "today": day.isoformat()},
            )
    return len(due)


def recompute_pending(*, actor: User | None, today: dt.date) -> int:
    """After a calendar change: recompute every deadline whose clock runs (not completed,
    stopped or cancelled), and those completed while their due date waited for the calendar.

    Runs inside the calendar service's transaction, so the change and the recomputation commit
    together.
    """
    cal = workcal.current()
    changed = 0
    pending = (
        Deadline.objects.select_for_update(of=("self",))
        .filter(state__in=DEADLINE.action("recompute").sources)
        .select_related("organisation")
        .prefetch_related("stops", "extensions")
        .order_by("pk")
    )
    for deadline in pending:
        before = (deadline.due_date, deadline.state, deadline.warning)
        outcome = deadline_outcome(
            deadline,
            today=today,
            stops=stops_of(deadline),
            extensions=extensions_of(deadline),
            met_on=deadline.met_on,
            cal=cal,
        )
        if (outcome.due_date, outcome.state, outcome.warning) == before:
            continue
        old_due = before[0].isoformat() if before[0] else None
        _move(actor, deadline, "recompute", outcome, details={"old_due_date": old_due})
        changed += 1
    return changed
