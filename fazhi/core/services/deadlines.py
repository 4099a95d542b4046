"""Services: every state change of deadlines (the ``Deadline`` rows).

A deadline is an obligation with a due date computed by ``fazhi.core.periods`` from its rule, the
official calendar, its stops and its approved extensions. Other domains' services open and meet
deadlines inside their own transaction (``deadline_attach``, ``deadlines_close_for``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction

from fazhi.core import audit, clock, errors, rules
from fazhi.core import calendar as workcal
from fazhi.core.models import (
    Deadline,
    DeadlineExtension,
    DeadlineStop,
    Organisation,
    User,
)
from fazhi.core.models.deadlines import DeadlineState
from fazhi.core.periods import FIXED_RULE, compute_due, extension_rule
from fazhi.core.roles import Cap
from fazhi.core.scope import (
    require_calendar_admin,
    require_cap,
    require_in_scope,
    visible_organisations,
)


def _today(value: dt.date | None) -> dt.date:
    return value or clock.today()


def _province(deadline: Deadline) -> str:
    return deadline.organisation.province_code()


def _apply(deadline: Deadline, cal: workcal.Calendar, today: dt.date) -> None:
    """Recompute ``deadline`` in memory from its rule, stops, extensions and completion.

    A deadline fulfilled (``met_on``) is met or late once its due date is known; until then it
    stays ``calendar_unknown`` with its completion date kept.
    """
    if deadline.rule_key != FIXED_RULE:
        stops = list(deadline.stops.all())
        if any(s.end is None for s in stops):
            deadline.state = DeadlineState.STOPPED
            return
        try:
            due = compute_due(
                deadline.rule_key,
                deadline.start_date,
                province=_province(deadline),
                stops=[(s.start, s.end) for s in stops if s.end is not None],
                extensions=[e.rule_key for e in deadline.extensions.all()],
                calendar=cal,
            )
        except errors.CalendarUnknown as exc:
            deadline.due_date = None
            deadline.state = DeadlineState.CALENDAR_UNKNOWN
            deadline.warning = exc.message[:200]
            return
        deadline.due_date = due.due
        deadline.warning = due.warnings[0][:200] if due.warnings else ""
    assert deadline.due_date is not None
    if deadline.met_on is not None:
        deadline.state = (
            DeadlineState.MET if deadline.met_on <= deadline.due_date else DeadlineState.LATE
        )
    else:
        deadline.state = DeadlineState.OPEN if deadline.due_date >= today else DeadlineState.OVERDUE


def _record_completion(
    *, actor: User | None, deadline: Deadline, on: dt.date, today: dt.date
) -> None:
    """On a locked row: the obligation was fulfilled on ``on``. A running stop ends that day.
    Met or late when the due date is known; otherwise the date is kept and the calendar
    services judge it when the missing year is published (``recompute_pending``)."""
    if deadline.state == DeadlineState.STOPPED:
        deadline.stops.filter(end__isnull=True).update(end=on)
    deadline.met_on = on
    _apply(deadline, workcal.current(), today)
    deadline.save(update_fields=["met_on", "state", "due_date", "warning"])
    audit.append(
        actor=actor,
        action="deadline.completed",
        obj=deadline,
        details={
            "on": on.isoformat(),
            "awaiting_calendar": deadline.state == DeadlineState.CALENDAR_UNKNOWN,
            **_snapshot(deadline),
        },
    )


PENDING_STATES = (
    DeadlineState.OPEN,
    DeadlineState.OVERDUE,
    DeadlineState.STOPPED,
    DeadlineState.CALENDAR_UNKNOWN,
)


def _lock(deadline: Deadline) -> Deadline:
    return (
        Deadline.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=deadline.pk)
    )


def _snapshot(deadline: Deadline) -> dict[str, Any]:
    return {
        "rule_key": deadline.rule_key,
        "start_date": deadline.start_date.isoformat(),
        "due_date": deadline.due_date.isoformat() if deadline.due_date else None,
        "state": deadline.state,
    }


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
    """Open a deadline inside the calling service's transaction.

    For other domains' services, which have already checked the actor's permission for the
    change that creates the obligation: the deadline commits or rolls back with that change.
    ``rule_key=FIXED_RULE`` with ``due_date`` records a date set by a decision.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("deadline_attach must run inside the calling service's transaction")
    title = _validate_open(
        organisation=organisation,
        title=title,
        rule_key=rule_key,
        start_date=start_date,
        assignee=assignee,
        due_date=due_date,
    )
    workcal.lock_revision()
    deadline = Deadline(
        organisation=organisation,
        title=title,
        rule_key=rule_key,
        start_date=start_date,
        due_date=due_date,
        assignee=assignee,
    )
    if subject is not None:
        deadline.content_type = ContentType.objects.get_for_model(subject)
        deadline.object_id = str(subject.pk)
    deadline.save()
    _apply(deadline, workcal.current(), _today(today))
    deadline.save(update_fields=["due_date", "state", "warning"])
    audit.append(
        actor=actor,
        action="deadline.opened",
        obj=deadline,
        details={**_snapshot(deadline), "title": title},
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
    require_cap(actor, Cap.WRITE, action="deadline.open")
    require_in_scope(actor, organisation, action="deadline.open")
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


def deadlines_close_for(
    *,
    actor: User | None,
    subject: models.Model,
    rule_key: str,
    on: dt.date,
    today: dt.date | None = None,
) -> list[Deadline]:
    """Record, inside the calling service's transaction, that ``subject``'s obligation under
    ``rule_key`` was fulfilled on ``on``: each pending deadline becomes met or late.

    A deadline whose due date the calendar cannot compute yet keeps the date it was met and
    becomes met or late when the year's holidays are published.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("deadlines_close_for must run inside the calling service's transaction")
    content_type = ContentType.objects.get_for_model(subject)
    workcal.lock_revision()  # before the deadline rows: the calendar services' order
    closed = []
    for deadline in (
        Deadline.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .filter(
            content_type=content_type,
            object_id=str(subject.pk),
            rule_key=rule_key,
            state__in=PENDING_STATES,
            met_on__isnull=True,
        )
        .order_by("pk")
    ):
        if on < deadline.start_date:
            continue
        _record_completion(actor=actor, deadline=deadline, on=on, today=_today(today))
        closed.append(deadline)
    return closed


def _guard(actor: User, deadline: Deadline, action: str, cap: Cap = Cap.DEADLINE_MANAGE) -> None:
    require_cap(actor, cap, action=action)
    require_in_scope(actor, deadline.organisation, action=action)


def _require_state(deadline: Deadline, allowed: Iterable[str], doing: str) -> None:
    if deadline.state not in allowed:
        raise errors.InvalidTransition(
            f"期限当前状态为“{deadline.get_state_display()}”，不能{doing}。",
            state=deadline.state,
        )


def deadline_stop(
    *, actor: User, deadline: Deadline, on: dt.date, reason: str, today: dt.date | None = None
) -> Deadline:
    """Stop the clock (中止) from ``on``: that day and the following ones do not count."""
    _guard(actor, deadline, "deadline.stop")
    reason = (reason or "").strip()
    if not reason:
        raise errors.ValidationFailed("请填写中止理由。", code="reason_required")
    with transaction.atomic(durable=True):
        locked = _lock(deadline)
        _require_state(locked, (DeadlineState.OPEN, DeadlineState.CALENDAR_UNKNOWN), "中止计时")
        if locked.met_on is not None:
            raise errors.InvalidTransition("该期限已完成，不能再中止。", code="already_completed")
        if locked.rule_key == FIXED_RULE:
            raise errors.ValidationFailed(
                "由决定确定日期的期限不能中止计时，请改定日期。", code="fixed_deadline"
            )
        if on <= locked.start_date:
            raise errors.ValidationFailed("中止日期应晚于起算日。", code="stop_before_start")
        if locked.due_date is not None and on > locked.due_date:
            raise errors.ValidationFailed("期限已届满，不能再中止。", code="stop_after_due")
        if on > _today(today):
            raise errors.ValidationFailed("中止日期不能晚于今天。", code="date_in_future")
        DeadlineStop.objects.create(deadline=locked, start=on, reason=reason[:200])
        locked.state = DeadlineState.STOPPED
        locked.save(update_fields=["state"])
        audit.append(
            actor=actor,
            action="deadline.stopped",
            obj=locked,
            details={"on": on.isoformat(), "reason": reason},
        )
    return locked


def deadline_resume(
    *, actor: User, deadline: Deadline, on: dt.date, today: dt.date | None = None
) -> Deadline:
    """Restart the clock on ``on`` (that day counts again) and recompute the due date."""
    _guard(actor, deadline, "deadline.resume")
    with transaction.atomic(durable=True):
        workcal.lock_revision()  # before the deadline row: the calendar services' order
        locked = _lock(deadline)
        _require_state(locked, (DeadlineState.STOPPED,), "恢复计时")
        stop = locked.stops.select_for_update().filter(end__isnull=True).get()
        if on < stop.start:
            raise errors.ValidationFailed(
                "恢复日期不能早于中止日期。", code="stop_resume_before_start"
            )
        if on > _today(today):
            raise errors.ValidationFailed("恢复日期不能晚于今天。", code="date_in_future")
        stop.end = on
        stop.save(update_fields=["end"])
        _apply(locked, workcal.current(), _today(today))
        locked.save(update_fields=["due_date", "state", "warning"])
        audit.append(
            actor=actor,
            action="deadline.resumed",
            obj=locked,
            details={
                "on": on.isoformat(),
                "stopped_from": stop.start.isoformat(),
                **_snapshot(locked),
            },
        )
    return locked


def deadline_extend(
    *,
    actor: User,
    deadline: Deadline,
    reason: str,
    approved_on: dt.date | None = None,
    today: dt.date | None = None,
) -> Deadline:
    """Record an approved extension (the rule's ``extension``) and recompute the due date."""
    _guard(actor, deadline, "deadline.extend", Cap.DEADLINE_APPROVE)
    reason = (reason or "").strip()
    if not reason:
        raise errors.ValidationFailed("请填写延长理由。", code="reason_required")
    day = _today(today)
    approved_on = approved_on or day
    if approved_on > day:
        raise errors.ValidationFailed("批准日期不能晚于今天。", code="date_in_future")
    with transaction.atomic(durable=True):
        workcal.lock_revision()  # before the deadline row: the calendar services' order
        locked = _lock(deadline)
        _require_state(locked, (DeadlineState.OPEN, DeadlineState.CALENDAR_UNKNOWN), "延长")
        if locked.met_on is not None:
            raise errors.InvalidTransition("该期限已完成，不能再延长。", code="already_completed")
        if locked.rule_key == FIXED_RULE:
            raise errors.ValidationFailed(
                "由决定确定日期的期限不能按规则延长。", code="no_extension"
            )
        ext = extension_rule(locked)
        if ext is None:
            raise errors.ValidationFailed(
                f"规则 {locked.rule_key} 没有可适用的延长规定。", code="no_extension"
            )
        granted = locked.extensions.filter(rule_key=ext.key).count()
        if granted >= ext.value.max_times:
            raise errors.Conflict(
                f"该期限已延长{granted}次，依据规定不能再延长。", code="extension_limit"
            )
        if approved_on < locked.start_date:
            raise errors.ValidationFailed("批准日期不能早于起算日。", code="approved_before_start")
        # The stored state may still say OPEN until the daily refresh: compare with today too,
        # so an approval cannot be back-dated after the deadline expired.
        if locked.due_date is not None and (approved_on > locked.due_date or locked.due_date < day):
            raise errors.ValidationFailed("期限届满后不能再批准延长。", code="extension_after_due")
        old_due = locked.due_date
        DeadlineExtension.objects.create(
            deadline=locked,
            rule_key=ext.key,
            reason=reason[:200],
            approved_by=actor,
            approved_on=approved_on,
        )
        _apply(locked, workcal.current(), _today(today))
        locked.save(update_fields=["due_date", "state", "warning"])
        audit.append(
            actor=actor,
            action="deadline.extended",
            obj=locked,
            details={
                "extension": ext.key,
                "reason": reason,
                "approved_on": approved_on.isoformat(),
                "old_due_date": old_due.isoformat() if old_due else None,
                **_snapshot(locked),
            },
        )
    return locked


def deadline_complete(
    *, actor: User, deadline: Deadline, on: dt.date, today: dt.date | None = None
) -> Deadline:
    """Record that the obligation was fulfilled on ``on``: met, or late after the due date; while
    the due date is unknown (calendar), the date is kept and judged when the year is published."""
    _guard(actor, deadline, "deadline.complete")
    with transaction.atomic(durable=True):
        workcal.lock_revision()  # before the deadline row: the calendar services' order
        locked = _lock(deadline)
        _require_state(locked, PENDING_STATES, "办结")
        if locked.met_on is not None:
            raise errors.InvalidTransition(
                "该期限已记录完成日期，正等待日历确定是否按期。", code="already_completed"
            )
        if on < locked.start_date:
            raise errors.ValidationFailed("完成日期不能早于起算日。", code="complete_before_start")
        if on > _today(today):
            raise errors.ValidationFailed("完成日期不能晚于今天。", code="date_in_future")
        _record_completion(actor=actor, deadline=locked, on=on, today=_today(today))
    return locked


def deadlines_refresh(*, actor: User | None = None, today: dt.date | None = None) -> int:
    """Mark open deadlines whose due date has passed as overdue (the daily job)."""
    require_calendar_admin(actor, "deadlines.refresh")  # every organisation's deadlines
    day = _today(today)
    with transaction.atomic(durable=True):
        due = list(
            Deadline.objects.select_for_update()
            .filter(state=DeadlineState.OPEN, due_date__lt=day)
            .order_by("pk")
        )
        for deadline in due:
            deadline.state = DeadlineState.OVERDUE
            deadline.save(update_fields=["state"])
            audit.append(
                actor=actor,
                action="deadline.overdue",
                obj=deadline,
                details={"due_date": str(deadline.due_date), "today": day.isoformat()},
            )
    return len(due)


def recompute_pending(*, actor: User | None, today: dt.date) -> int:
    """After a calendar change: recompute every deadline not yet completed or stopped.

    Runs inside the calendar service's transaction, so the change and the recomputation commit
    together.
    """
    cal = workcal.current()
    changed = 0
    pending = (
        Deadline.objects.select_for_update(of=("self",))
        .filter(
            state__in=(DeadlineState.OPEN, DeadlineState.OVERDUE, DeadlineState.CALENDAR_UNKNOWN)
        )
        .select_related("organisation")
        .prefetch_related("stops", "extensions")
        .order_by("pk")
    )
    for deadline in pending:
        before = (deadline.due_date, deadline.state, deadline.warning)
        _apply(deadline, cal, today)
        if (deadline.due_date, deadline.state, deadline.warning) == before:
            continue
        deadline.save(update_fields=["due_date", "state", "warning"])
        audit.append(
            actor=actor,
            action="deadline.recomputed",
            obj=deadline,
            details={
                "old_due_date": before[0].isoformat() if before[0] else None,
                "old_state": before[1],
                **_snapshot(deadline),
            },
        )
        changed += 1
    return changed
