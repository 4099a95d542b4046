"""Services: the monthly medical-dispute screening report (医疗纠纷月度排查报告) of one unit,
a zero report included. The report is due by the rule ``disputes.screening_report`` (a sample
rule: the 5th day after the month's last day); a report after that day is recorded as late.
A submitted report can be corrected (更正) with a reason: the figures change, the earlier figures
stay in the correction's audit event, and the submission date and lateness stay as they were."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction

from fazhi.core import audit, clock, errors
from fazhi.core.models import Organisation, User
from fazhi.core.periods import add_months, compute_due
from fazhi.disputes.events import ScreeningEvent
from fazhi.disputes.models import ScreeningReport
from fazhi.disputes.services._common import day, require_handle, text

COUNT_MAX = 100_000
NOTE_MAX = 2_000
REASON_MAX = 500
RULE = "disputes.screening_report"


def month_start(value: dt.date) -> dt.date:
    return value.replace(day=1)


def month_end(month: dt.date) -> dt.date:
    return add_months(month_start(month), 1) - dt.timedelta(days=1)


def report_due(organisation: Organisation, month: dt.date) -> dt.date:
    """The day the report of ``month`` is due (the calendar's roll applied when the year is
    known; otherwise the unrolled day)."""
    end = month_end(month)
    return compute_due(RULE, end, province=organisation.province_code(), provisional=True).due


def _count(value: Any, *, field: str, label: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= COUNT_MAX:
        raise errors.ValidationFailed(
            f"{label}应为0至{COUNT_MAX}的整数。", code=f"bad_{field}", field=field
        )
    return value


def screening_report_submit(
    *,
    actor: User,
    organisation: Organisation,
    month: dt.date | None,
    found: Any,
    resolved: Any,
    note: str = "",
    submitted_on: dt.date | None = None,
) -> ScreeningReport:
    """Submit ``organisation``'s report for ``month`` (``found == 0`` is a zero report, 零报告).
    One report per unit and month; a month not yet begun is refused."""
    require_handle(actor, organisation, action=ScreeningEvent.SUBMITTED)
    if month is None:
        raise errors.ValidationFailed("请选择所报月份。", code="month_required", field="month")
    month = month_start(month)
    if month > month_start(clock.today()):
        raise errors.ValidationFailed(
            "不能报送尚未开始的月份。", code="month_in_future", field="month"
        )
    found = _count(found, field="found", label="排查发现纠纷数")
    resolved = _count(resolved, field="resolved", label="已化解数")
    if resolved > found:
        raise errors.ValidationFailed(
            "已化解数不能大于排查发现纠纷数。", code="resolved_above_found", field="resolved"
        )
    submitted = day(
        submitted_on or clock.today(),
        field="submitted_on",
        label="报送日期",
        not_before=month,
        not_before_label="所报月份的第一天",
    )
    note = text(note, field="note", label="说明", max_length=NOTE_MAX, required=False)
    due = report_due(organisation, month)
    try:
        with transaction.atomic(durable=True):
            report = ScreeningReport.objects.create(
                organisation=organisation,
                month=month,
                found=found,
                resolved=resolved,
                note=note,
                submitted_on=submitted,
                due_on=due,
                late=submitted > due,
                submitted_by=actor,
            )
            audit.append(
                actor=actor,
                action=ScreeningEvent.SUBMITTED,
                obj=report,
                details={
                    "organisation": organisation.pk,
                    "month": f"{month:%Y-%m}",
                    "found": found,
                    "resolved": resolved,
                    "zero": found == 0,
                    "late": submitted > due,
                },
            )
    except IntegrityError:
        raise errors.Conflict(
            f"{organisation.name}已报送{month:%Y年%m月}的排查报告。", code="already_reported"
        ) from None
    return report


def screening_report_correct(
    *,
    actor: User,
    report: ScreeningReport,
    found: Any,
    resolved: Any,
    reason: str,
    note: str | None = None,
) -> ScreeningReport:
    """Correct a submitted report's figures (and its note, when given) for ``reason``: the
    earlier figures are kept in the audit event; the submission date and lateness do not change.
    A correction that changes nothing is refused."""
    require_handle(actor, report.organisation, action=ScreeningEvent.CORRECTED)
    found = _count(found, field="found", label="排查发现纠纷数")
    resolved = _count(resolved, field="resolved", label="已化解数")
    if resolved > found:
        raise errors.ValidationFailed(
            "已化解数不能大于排查发现纠纷数。", code="resolved_above_found", field="resolved"
        )
    reason = text(reason, field="reason", label="更正原因", max_length=REASON_MAX)
    with transaction.atomic(durable=True):
        row = ScreeningReport.objects.select_for_update(of=("self",)).get(pk=report.pk)
        new_note = (
            row.note
            if note is None
            else text(note, field="note", label="说明", max_length=NOTE_MAX, required=False)
        )
        before = {"found": row.found, "resolved": row.resolved, "note": row.note}
        after = {"found": found, "resolved": resolved, "note": new_note}
        if before == after:
            raise errors.ValidationFailed(
                "更正后的内容与原报告相同。", code="nothing_changed", field="found"
            )
        today = clock.today()
        row.found, row.resolved, row.note = found, resolved, new_note
        row.corrections += 1
        row.corrected_on = today
        row.correction_reason = reason
        row.save(
            update_fields=[
                "found",
                "resolved",
                "note",
                "corrections",
                "corrected_on",
                "correction_reason",
            ]
        )
        audit.append(
            actor=actor,
            action=ScreeningEvent.CORRECTED,
            obj=row,
            details={
                "month": f"{row.month:%Y-%m}",
                "before": before,
                "after": after,
                "reason": reason,
                "on": today.isoformat(),
                "correction": row.corrections,
            },
        )
    return row
