"""Statutory periods: when a time limit ends, and why (the deadline engine).

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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from fazhi.core import calendar as workcal
from fazhi.core import errors, params, rules
from fazhi.core.models import (
    Deadline,
)
from fazhi.core.models.deadlines import DeadlineState

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
            warnings.append(f"「{r.title}」的依据未核实：{r.source.note or r.citation}")
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


def extension_rule(deadline: Deadline) -> rules.Rule | None:
    """The extension rule in force on the deadline's start date, or None if there is none."""
    if deadline.rule_key == FIXED_RULE:
        return None
    province = deadline.organisation.province_code()
    try:
        base = rules.rule(deadline.rule_key, on=deadline.start_date, province=province)
        if not base.value.extension:
            return None
        return rules.rule(base.value.extension, on=deadline.start_date, province=province)
    except errors.UnknownRule:
        return None


# --- a deadline's outcome -------------------------------------------------------------------

Stops = Sequence[tuple[dt.date, dt.date | None]]


@dataclass(frozen=True)
class Outcome:
    """Where the computation puts a deadline: its state, due date and warning. The deadline
    services pass ``state`` as the target of the workflow's action and ``changes()`` with it."""

    state: str
    due_date: dt.date | None
    warning: str

    def changes(self) -> dict[str, Any]:
        return {"due_date": self.due_date, "warning": self.warning}


def deadline_outcome(
    deadline: Deadline,
    *,
    today: dt.date,
    stops: Stops,
    extensions: Iterable[str],
    met_on: dt.date | None,
    cal: workcal.Calendar | None = None,
) -> Outcome:
    """The outcome of ``deadline`` with these stops (``end`` None: still running), extensions
    and completion date; nothing is written. A deadline fulfilled (``met_on``) is met or late
    once its due date is known; until then it stays ``calendar_unknown``, its date kept. A date
    fixed by a decision (``FIXED_RULE``) is never recomputed."""
    due_date, warning = deadline.due_date, deadline.warning
    if deadline.rule_key != FIXED_RULE:
        if any(end is None for _, end in stops):
            return Outcome(DeadlineState.STOPPED, due_date, warning)
        try:
            due = compute_due(
                deadline.rule_key,
                deadline.start_date,
                province=deadline.organisation.province_code(),
                stops=[(start, end) for start, end in stops if end is not None],
                extensions=list(extensions),
                calendar=cal or workcal.current(),
            )
        except errors.CalendarUnknown as exc:
            return Outcome(DeadlineState.CALENDAR_UNKNOWN, None, exc.message[:200])
        due_date = due.due
        warning = due.warnings[0][:200] if due.warnings else ""
    assert due_date is not None
    if met_on is not None:
        state = DeadlineState.MET if met_on <= due_date else DeadlineState.LATE
    else:
        state = DeadlineState.OPEN if due_date >= today else DeadlineState.OVERDUE
    return Outcome(state, due_date, warning)


def stops_of(deadline: Deadline) -> list[tuple[dt.date, dt.date | None]]:
    return [(s.start, s.end) for s in deadline.stops.all()]


def extensions_of(deadline: Deadline) -> list[str]:
    return [e.rule_key for e in deadline.extensions.all()]
