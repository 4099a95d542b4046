"""Statutory deadlines: computation, the Deadline services and selectors, and calendar services.

Computation follows the general period rules (民事诉讼法 Art. 85, to which 行政诉讼法 Art. 101 and
行政复议法 Art. 88 refer, and 民法典 Art. 201–203): the starting day is not counted unless the rule
says ``same_day``; a month or year period ends on the corresponding day of the last month, or the
last day of a shorter month; a period whose last day is a statutory holiday or rest day ends on the
next working day (see docs/decisions/0002-deadline-period-end.md). Working-day periods count only
working days of the official calendar. Stopped days (中止) do not count; approved extensions
continue from the end of the period they extend.
"""

from __future__ import annotations

import calendar as stdlib_calendar
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models import Q, QuerySet

from fazhi.core import audit, clock, errors, params, rules
from fazhi.core import calendar as workcal
from fazhi.core.models import (
    CalendarDay,
    CalendarYear,
    Deadline,
    DeadlineExtension,
    DeadlineStop,
    Organisation,
    User,
)
from fazhi.core.models.calendar import DayKind
from fazhi.core.models.deadlines import DeadlineState
from fazhi.core.roles import Cap
from fazhi.core.scope import (
    get_scoped,
    has_cap,
    has_root_cap,
    require_cap,
    require_in_scope,
    require_root_cap,
    scoped,
    visible_organisations,
)

ONE_DAY = dt.timedelta(days=1)
# A deadline whose date was set by a decision (a re-check date, a plan's window end), not by a
# period rule. It is never recomputed from the calendar and cannot be extended.
FIXED_RULE = "fixed"
CALENDAR_UNITS = ("calendar_days", "months", "years")
ROLL_RULE = (
    "期间届满的最后一日是法定休假日的，"
    "以法定休假日后的第一日为期间届满的日期（民事诉讼法第八十五条）"
)


# --- computation ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """The result of a computation: the due date, the rule and its citation, and how we got it."""

    rule: rules.Rule
    start: dt.date
    due: dt.date
    unrolled: dt.date  # the period's last day before moving off a holiday
    extensions: tuple[rules.Rule, ...] = ()
    trace: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    # True when the period ends in a year the calendar does not know and ``due`` is the unrolled
    # end: a holiday may still move it (``compute_due(..., provisional=True)`` only).
    provisional: bool = False

    @property
    def citation(self) -> str:
        return self.rule.citation

    @property
    def citations(self) -> list[str]:
        return [self.rule.citation, *(r.citation for r in self.extensions)]


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day number ``months`` later, or the last day of a shorter month (民法典 Art. 202)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = stdlib_calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def stopped_days(stops: Iterable[tuple[dt.date, dt.date]]) -> frozenset[dt.date]:
    """Days on which the clock stood still: each stop covers [first day, resume day)."""
    days: set[dt.date] = set()
    for first, resume in stops:
        if resume < first:
            raise errors.ValidationFailed(
                "恢复日期不能早于中止日期。", code="stop_resume_before_start"
            )
        day = first
        while day < resume:
            days.add(day)
            day += ONE_DAY
    return frozenset(days)


def _count_in(skip: frozenset[dt.date], after: dt.date, until: dt.date) -> int:
    return sum(1 for d in skip if after < d <= until)


def _shift_calendar(end_from: dt.date, end: dt.date, skip: frozenset[dt.date]) -> dt.date:
    """Push a calendar-day end later by the stopped days inside (end_from, end]."""
    if not skip:
        return end
    extra = 0
    while True:
        needed = _count_in(skip, end_from, end + dt.timedelta(days=extra))
        if needed == extra:
            return end + dt.timedelta(days=extra)
        extra = needed


def _advance(
    cal: workcal.Calendar,
    day: dt.date,
    value: rules.Value,
    skip: frozenset[dt.date],
    *,
    first: bool,
) -> dt.date:
    """The last day of a period of ``value`` counted from ``day`` (not rolled off holidays)."""
    base = day - ONE_DAY if (first and value.start == "same_day") else day
    n = value.amount
    if value.unit == "working_days":
        return cal.add_working_days(base, n, skip=skip)
    if value.unit == "calendar_days":
        return _shift_calendar(base, base + dt.timedelta(days=n), skip)
    if value.unit == "months":
        return _shift_calendar(base, add_months(base, n), skip)
    if value.unit == "years":
        return _shift_calendar(base, add_months(base, 12 * n), skip)
    # hours: a date-only start gives the day on which the hours run out
    return base + dt.timedelta(days=-(-n // 24))


def compute_due(
    rule_key: str,
    start: dt.date,
    *,
    province: str | None = None,
    stops: Sequence[tuple[dt.date, dt.date]] = (),
    extensions: Sequence[str] = (),
    calendar: workcal.Calendar | None = None,
    trace: bool = False,
    provisional: bool = False,
) -> Due:
    """The due date of ``rule_key`` counted from ``start``.

    Raises ``UnknownRule`` for a key (or a version on ``start``) that does not exist,
    ``ValidationFailed`` when the rule is not a time limit, and ``CalendarUnknown`` naming the
    first year the period touches that the calendar does not know.

    ``provisional=True`` (a question, not an obligation: e.g. the limitation check) answers a
    calendar-day, month or year period that ends in an unknown year with its unrolled end,
    ``Due.provisional`` set and a warning that a holiday may move it; counting such periods needs
    no calendar, only the final roll off a holiday does.
    """
    if not isinstance(start, dt.date) or isinstance(start, dt.datetime):
        raise errors.ValidationFailed("起算日期无效。", code="invalid_date")
    if not params.MIN_DATE <= start <= params.MAX_DATE:
        raise _out_of_range()
    rule = rules.rule(rule_key, on=start, province=province)
    if rule.value.kind != "period":
        raise errors.ValidationFailed(
            f"规则 {rule_key} 不是期限规则，不能计算届满日期。", code="rule_not_a_period"
        )
    ext_rules = tuple(rules.rule(k, on=start, province=province) for k in extensions)
    for ext in ext_rules:
        if ext.value.kind != "extension":
            raise errors.ValidationFailed(f"规则 {ext.key} 不是延长规则。", code="not_an_extension")
    cal = calendar or workcal.current()
    skip = stopped_days(stops)
    end = start
    last_unit = rule.value.unit
    try:
        for index, value in enumerate([rule.value, *(e.value for e in ext_rules)]):
            end = _advance(cal, end, value, skip, first=index == 0)
            last_unit = value.unit
    except OverflowError:  # a period (or a stop) that runs past year 9999
        raise _out_of_range() from None
    unrolled = end
    warnings: list[str] = []
    is_provisional = False
    if last_unit in CALENDAR_UNITS:
        try:
            due = cal.roll_forward(end)
        except errors.CalendarUnknown as exc:
            if not provisional or exc.year != end.year:
                raise
            due, is_provisional = end, True
            warnings.append(
                f"届满日落在尚未发布节假日安排的{end.year}年：如该日为法定节假日或休息日，"
                "将顺延至其后第一个工作日。"
            )
    else:
        due = end
    for r in (rule, *ext_rules):
        if r.source.status == "UNVERIFIED":
            warnings.append(f"{r.key} 的依据未核实：{r.source.note or r.citation}")
    if last_unit == "hours":
        warnings.append("该期限以小时计算，届满时刻为起算时刻之后的相应小时数，请按时刻掌握。")
    lines: tuple[str, ...] = ()
    if trace:
        lines = tuple(_trace(cal, rule, start, unrolled, due, skip, ext_rules))
    return Due(
        rule=rule,
        start=start,
        due=due,
        unrolled=unrolled,
        extensions=ext_rules,
        trace=lines,
        warnings=tuple(warnings),
        provisional=is_provisional,
    )


def _out_of_range() -> errors.ValidationFailed:
    return errors.ValidationFailed(
        f"起算日期或届满日期超出可计算的范围（{params.MIN_DATE}至{params.MAX_DATE}）。",
        code="invalid_date",
    )


def _trace(
    cal: workcal.Calendar,
    rule: rules.Rule,
    start: dt.date,
    unrolled: dt.date,
    due: dt.date,
    skip: frozenset[dt.date],
    ext_rules: tuple[rules.Rule, ...],
) -> list[str]:
    value = rule.value
    counted = "计入" if value.start == "same_day" else "不计入"
    lines = [f"起算日 {start.isoformat()}（{counted}），期限 {value.describe()}"]
    for ext in ext_rules:
        lines.append(f"经批准延长：{ext.value.describe()}")
    if skip:
        lines.append(f"中止计时 {len(skip)} 日，不计入期间")
    if value.unit == "working_days" and not ext_rules and (due - start).days <= 120:
        n = 0
        day = start - ONE_DAY if value.start == "same_day" else start
        while day < due:
            day += ONE_DAY
            label = cal.describe(day)
            if day in skip:
                lines.append(f"{label}（中止，不计）")
            elif cal.is_workday(day):
                n += 1
                lines.append(f"{label} 第{n}个工作日")
            else:
                lines.append(f"{label}（不计）")
    else:
        lines.append(
            f"期间最后一日 {cal.describe(unrolled) if unrolled.year in cal.years else unrolled}"
        )
    if due != unrolled:
        lines.append(f"{ROLL_RULE}：顺延至 {cal.describe(due)}")
    lines.append(f"届满日 {due.isoformat()}")
    return lines


def notice_earliest(
    rule_key: str,
    served_on: dt.date,
    *,
    province: str | None = None,
    calendar: workcal.Calendar | None = None,
) -> Due:
    """The earliest day an event may be held under a minimum notice period (``kind: notice``,
    e.g. ``penalty.hearing_notice``): the ``amount``-th unit after the day the notice was served
    (that day not counted). A notice period is a floor, never a deadline that becomes overdue."""
    rule = rules.rule(rule_key, on=served_on, province=province)
    if rule.value.kind != "notice":
        raise errors.ValidationFailed(f"规则 {rule_key} 不是通知提前期规则。", code="not_a_notice")
    cal = calendar or workcal.current()
    earliest = _advance(cal, served_on, rule.value, frozenset(), first=True)
    return Due(rule=rule, start=served_on, due=earliest, unrolled=earliest)


def notice_check(
    rule_key: str, *, served_on: dt.date, event_on: dt.date, province: str | None = None
) -> Due:
    """Refuse an event date earlier than the notice period allows (``notice_too_short``)."""
    earliest = notice_earliest(rule_key, served_on, province=province)
    if event_on < earliest.due:
        raise errors.ValidationFailed(
            f"{earliest.rule.title}：通知于{served_on.isoformat()}送达，"
            f"最早可定于{earliest.due.isoformat()}（{earliest.rule.value.describe()}，"
            f"{earliest.citation}）。",
            code="notice_too_short",
            earliest=earliest.due.isoformat(),
        )
    return earliest


# --- deadline services ----------------------------------------------------------------------


def today() -> dt.date:
    """Today in the configured time zone (one place, so tests can pin it)."""
    return clock.today()


def _today(value: dt.date | None) -> dt.date:
    return value or today()


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
    services judge it when the missing year is published (``_recompute_pending``)."""
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


def extension_rule(deadline: Deadline) -> rules.Rule | None:
    """The extension rule in force on the deadline's start date, or None if there is none."""
    if deadline.rule_key == FIXED_RULE:
        return None
    province = _province(deadline)
    try:
        base = rules.rule(deadline.rule_key, on=deadline.start_date, province=province)
        if not base.value.extension:
            return None
        return rules.rule(base.value.extension, on=deadline.start_date, province=province)
    except errors.UnknownRule:
        return None


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
    _require_calendar_admin(actor, "deadlines.refresh")  # every organisation's deadlines
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


def _recompute_pending(*, actor: User | None, today: dt.date) -> int:
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


# --- deadline selectors ---------------------------------------------------------------------


def deadline_list(
    *,
    user: User,
    state: str | None = None,
    rule_key: str | None = None,
    organisation_id: int | None = None,
    assignee_id: int | None = None,
    due_from: dt.date | None = None,
    due_to: dt.date | None = None,
) -> QuerySet[Deadline]:
    if not has_cap(user, Cap.DEADLINE_VIEW):
        return Deadline.objects.none()
    qs = scoped(Deadline.objects.all(), user).select_related("organisation", "assignee")
    if state:
        qs = qs.filter(state=state)
    if rule_key:
        qs = qs.filter(rule_key=rule_key)
    if organisation_id:
        qs = qs.filter(organisation_id=organisation_id)
    if assignee_id:
        qs = qs.filter(assignee_id=assignee_id)
    if due_from:
        qs = qs.filter(due_date__gte=due_from)
    if due_to:
        qs = qs.filter(due_date__lte=due_to)
    return qs.order_by(models.F("due_date").asc(nulls_first=True), "id")


def deadline_get(*, user: User, pk: int) -> Deadline:
    return get_scoped(
        deadline_list(user=user).prefetch_related("stops", "extensions__approved_by"), pk
    )


@dataclass
class Workbench:
    overdue: list[Deadline] = field(default_factory=list)
    due_soon: list[Deadline] = field(default_factory=list)
    calendar_unknown: list[Deadline] = field(default_factory=list)  # due date not yet known
    stopped: list[Deadline] = field(default_factory=list)


def deadline_workbench(*, user: User, today: dt.date, soon_days: int = 7) -> Workbench:
    """The user's deadlines that need attention: those assigned to them, or, for users who
    approve (leaders), every deadline in their scope. A deadline already fulfilled while its due
    date waits for the calendar needs nobody's attention."""
    qs = deadline_list(user=user)
    if not has_cap(user, Cap.DEADLINE_APPROVE):
        qs = qs.filter(assignee=user)
    horizon = today + dt.timedelta(days=soon_days)
    active = qs.filter(
        Q(state=DeadlineState.OVERDUE)
        | Q(state=DeadlineState.OPEN, due_date__lte=horizon)
        | Q(state__in=(DeadlineState.CALENDAR_UNKNOWN, DeadlineState.STOPPED), met_on__isnull=True)
    )
    board = Workbench()
    for deadline in active[:500]:
        if deadline.state == DeadlineState.CALENDAR_UNKNOWN:
            board.calendar_unknown.append(deadline)
        elif deadline.state == DeadlineState.STOPPED:
            board.stopped.append(deadline)
        elif deadline.state == DeadlineState.OVERDUE or (
            deadline.due_date is not None and deadline.due_date < today
        ):
            board.overdue.append(deadline)
        else:
            board.due_soon.append(deadline)
    return board


@dataclass(frozen=True)
class CalendarWait:
    """Deadlines whose due date waits for a year the calendar does not know yet."""

    count: int
    next_year: int  # the first year after the last one published


def calendar_wait(*, user: User) -> CalendarWait | None:
    """For the calendar's administrators (root organisation): how many deadlines wait for a
    missing year (one query), or None when none do or the user cannot publish the year."""
    if not has_root_cap(user, Cap.CALENDAR_MANAGE):
        return None
    count = Deadline.objects.filter(state=DeadlineState.CALENDAR_UNKNOWN).count()
    if not count:
        return None
    years = workcal.current().years
    return CalendarWait(count=count, next_year=(max(years) + 1) if years else clock.this_year())


# --- calendar services and selectors ---------------------------------------------------------

PACKAGE_HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


CALENDAR_ROOT_ONLY = "节假日日历是全国统一的基础数据，只有根机构的系统管理员可以修改。"


def _require_calendar_admin(actor: User | None, action: str) -> None:
    """The calendar is national reference data: every organisation's deadlines are computed on
    it, so only the root organisation's administrators change it (``scope.has_root_cap``).
    ``actor=None`` is the system itself (CLI, scheduled jobs), which the shell already trusts."""
    if actor is not None:
        require_root_cap(actor, Cap.CALENDAR_MANAGE, action=action, message=CALENDAR_ROOT_ONLY)


def package_years() -> list[int]:
    from chinese_calendar import constants

    return sorted({d.year for d in constants.holidays})


def calendar_seed_from_package(
    *, actor: User | None, years: Sequence[int] | None = None, today: dt.date | None = None
) -> list[int]:
    """Load the years the ``chinesecalendar`` package knows. Idempotent: a year already in the
    table is left as it is (it may carry hand corrections). Returns the years added."""
    _require_calendar_admin(actor, "calendar.seed")
    from chinese_calendar import constants

    available = package_years()
    wanted = sorted(set(years)) if years is not None else available
    missing = [y for y in wanted if y not in available]
    if missing:
        raise errors.ValidationFailed(
            f"chinesecalendar 软件包没有 {', '.join(map(str, missing))} 年的数据"
            f"（可用：{available[0]}–{available[-1]}），请按国务院办公厅通知手工录入。",
            code="calendar_year_not_in_package",
        )
    try:
        with transaction.atomic(durable=True):
            version = workcal.bump_version()
            existing = set(CalendarYear.objects.values_list("year", flat=True))
            added = [y for y in wanted if y not in existing]
            if not added:
                return []
            source = "chinesecalendar 1.11.0（国务院办公厅部分节假日安排通知）"
            CalendarYear.objects.bulk_create([CalendarYear(year=y, source=source) for y in added])
            rows = []
            added_set = set(added)
            for kind, table in (
                (DayKind.HOLIDAY, constants.holidays),
                (DayKind.WORKDAY, constants.workdays),
            ):
                for day, name in table.items():
                    if day.year in added_set:
                        rows.append(
                            CalendarDay(
                                date=day, kind=kind, name=PACKAGE_HOLIDAY_NAMES.get(name, name)
                            )
                        )
            CalendarDay.objects.filter(date__year__in=added).delete()
            CalendarDay.objects.bulk_create(rows)
            workcal.invalidate()
            recomputed = _recompute_pending(actor=actor, today=_today(today))
            audit.append(
                actor=actor,
                action="calendar.seeded",
                object_type="core.calendaryear",
                details={
                    "years": added,
                    "days": len(rows),
                    "version": version,
                    "recomputed": recomputed,
                },
            )
    finally:
        workcal.invalidate()
    return added


def _check_dates(year: int, days: Sequence[dt.date], label: str) -> None:
    for day in days:
        if not isinstance(day, dt.date) or day.year != year:
            raise errors.ValidationFailed(
                f"{label} {day} 不在 {year} 年内。", code="date_outside_year"
            )


def calendar_year_publish(
    *,
    actor: User | None,
    year: int,
    source: str,
    holidays: Sequence[dt.date],
    workdays: Sequence[dt.date],
    names: Mapping[dt.date, str] | None = None,
    today: dt.date | None = None,
) -> CalendarYear:
    """Load a year from the State Council notice: its holidays and make-up working days."""
    _require_calendar_admin(actor, "calendar.publish")
    source = (source or "").strip()
    if not source:
        raise errors.ValidationFailed(
            "请填写依据（国务院办公厅通知名称及文号）。", code="source_required"
        )
    if not 1949 < year < 2200:
        raise errors.ValidationFailed("年度无效。", code="invalid_year")
    _check_dates(year, holidays, "放假日期")
    _check_dates(year, workdays, "调休上班日期")
    all_days = list(holidays) + list(workdays)
    if len(set(all_days)) != len(all_days):
        seen: set[dt.date] = set()
        dup = next(d for d in all_days if d in seen or seen.add(d))  # type: ignore[func-returns-value]
        raise errors.ValidationFailed(f"日期 {dup} 重复。", code="duplicate_date")
    for day in workdays:
        if day.weekday() < 5:
            raise errors.ValidationFailed(
                f"调休上班日 {day} 不是周六或周日。", code="workday_not_weekend"
            )
    names = names or {}
    try:
        with transaction.atomic(durable=True):
            version = workcal.bump_version()
            if CalendarYear.objects.filter(year=year).exists():
                raise errors.Conflict(f"{year} 年已录入；请逐日修改。", code="calendar_year_exists")
            row = CalendarYear.objects.create(year=year, source=source[:200])
            CalendarDay.objects.filter(date__year=year).delete()
            CalendarDay.objects.bulk_create(
                [
                    CalendarDay(date=d, kind=DayKind.HOLIDAY, name=names.get(d, "")[:50])
                    for d in holidays
                ]
                + [
                    CalendarDay(date=d, kind=DayKind.WORKDAY, name=names.get(d, "")[:50])
                    for d in workdays
                ]
            )
            workcal.invalidate()
            recomputed = _recompute_pending(actor=actor, today=_today(today))
            audit.append(
                actor=actor,
                action="calendar.year_published",
                obj=row,
                details={
                    "year": year,
                    "source": source,
                    "holidays": sorted(d.isoformat() for d in holidays),
                    "workdays": sorted(d.isoformat() for d in workdays),
                    "version": version,
                    "recomputed": recomputed,
                },
            )
    finally:
        workcal.invalidate()
    return row


def calendar_day_set(
    *,
    actor: User | None,
    day: dt.date,
    kind: str,
    name: str = "",
    today: dt.date | None = None,
) -> CalendarDay:
    """Correct one day of a known year: make it a holiday or a make-up working day."""
    _require_calendar_admin(actor, "calendar.day_set")
    if kind not in DayKind.values:
        raise errors.ValidationFailed("类型应为放假或调休上班。", code="invalid_kind")
    if kind == DayKind.WORKDAY and day.weekday() < 5:
        raise errors.ValidationFailed(
            f"调休上班日 {day} 不是周六或周日。", code="workday_not_weekend"
        )
    try:
        with transaction.atomic(durable=True):
            version = workcal.bump_version()
            if not CalendarYear.objects.filter(year=day.year).exists():
                raise errors.ValidationFailed(
                    f"{day.year} 年尚未录入，请先按通知录入该年度。", code="calendar_year_missing"
                )
            row, created = CalendarDay.objects.select_for_update().get_or_create(
                date=day, defaults={"kind": kind, "name": name[:50]}
            )
            old = None if created else {"kind": row.kind, "name": row.name}
            if not created:
                row.kind = kind
                row.name = name[:50]
                row.save(update_fields=["kind", "name"])
            workcal.invalidate()
            recomputed = _recompute_pending(actor=actor, today=_today(today))
            audit.append(
                actor=actor,
                action="calendar.day_set",
                obj=row,
                details={
                    "date": day.isoformat(),
                    "kind": kind,
                    "name": name,
                    "old": old,
                    "version": version,
                    "recomputed": recomputed,
                },
            )
    finally:
        workcal.invalidate()
    return row


def calendar_day_delete(*, actor: User | None, day: dt.date, today: dt.date | None = None) -> None:
    """Remove an exception: the day follows the Monday–Friday rule again."""
    _require_calendar_admin(actor, "calendar.day_delete")
    try:
        with transaction.atomic(durable=True):
            version = workcal.bump_version()
            row = CalendarDay.objects.select_for_update().filter(date=day).first()
            if row is None:
                raise errors.NotFound(f"{day} 不是节假日或调休日。")
            old = {"kind": row.kind, "name": row.name}
            row_id = row.pk
            row.delete()
            workcal.invalidate()
            recomputed = _recompute_pending(actor=actor, today=_today(today))
            audit.append(
                actor=actor,
                action="calendar.day_deleted",
                object_type="core.calendarday",
                object_id=row_id,
                details={
                    "date": day.isoformat(),
                    "old": old,
                    "version": version,
                    "recomputed": recomputed,
                },
            )
    finally:
        workcal.invalidate()


def calendar_year_list() -> QuerySet[CalendarYear]:
    """The calendar is national reference data: every signed-in user may read it."""
    return CalendarYear.objects.order_by("-year")


def calendar_day_list(*, year: int | None = None) -> QuerySet[CalendarDay]:
    qs = CalendarDay.objects.order_by("date")
    if year is not None:
        qs = qs.filter(date__year=year)
    return qs
