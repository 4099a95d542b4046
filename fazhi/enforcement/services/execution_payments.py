"""Services: deferral or instalments of a fine (暂缓或者分期缴纳罚款, 行政处罚法 Art. 66 para 2).

The party applies (an officer records the application with the schedule: one row for a
deferral, two or more for instalments); the agency's head, not the officer who recorded it,
approves or refuses it; payments are then recorded against the instalments in order, each with
the late surcharge of its own overdue days (decision 0063); the last one executes the case.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from decimal import Decimal
from typing import Any

from django.db import transaction

from fazhi.core import audit, errors, workflow
from fazhi.core.models import User
from fazhi.core.periods import FIXED_RULE
from fazhi.core.roles import Cap
from fazhi.core.services.deadlines import deadline_attach, deadlines_close_for
from fazhi.enforcement import execution
from fazhi.enforcement.execution_events import ArrangementEvent
from fazhi.enforcement.execution_models import (
    ArrangementKind,
    ArrangementState,
    Instalment,
    PaymentArrangement,
)
from fazhi.enforcement.execution_workflows import PAYMENT_ARRANGEMENT
from fazhi.enforcement.models import CaseOutcome, CaseState, PenaltyCase
from fazhi.enforcement.services import case_common as common
from fazhi.enforcement.workflows import PENALTY_CASE

PAYMENT_RULE = "penalty.payment"
MAX_INSTALMENTS = 36
MAX_SPAN_DAYS = 3 * 366  # a schedule beyond three years is refused as absurd
LIVE = (ArrangementState.APPLIED, ArrangementState.APPROVED, ArrangementState.COMPLETED)
_LINE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*[,，\s]\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*$")


def parse_schedule(text: str) -> list[tuple[dt.date, Decimal]]:
    """``YYYY-MM-DD 金额`` per line (a comma also separates)."""
    rows: list[tuple[dt.date, Decimal]] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = _LINE.match(line)
        if match is None:
            raise errors.ValidationFailed(
                f"缴纳计划第{number}行应为“日期 金额”，如“2026-03-31 1000”。",
                code="bad_schedule",
                field="schedule",
            )
        try:
            due = dt.date.fromisoformat(match.group(1))
        except ValueError:
            raise errors.ValidationFailed(
                f"缴纳计划第{number}行的日期无效。", code="bad_schedule", field="schedule"
            ) from None
        amount = common.money(match.group(2), field="schedule", label=f"第{number}行金额")
        if not amount:
            raise errors.ValidationFailed(
                f"缴纳计划第{number}行的金额须大于零。", code="bad_schedule", field="schedule"
            )
        rows.append((due, amount))
    return rows


def _check_schedule(
    case: PenaltyCase, kind: str, rows: list[tuple[dt.date, Decimal]], on: dt.date
) -> None:
    def refuse(message: str) -> None:
        raise errors.ValidationFailed(message, code="bad_schedule", field="schedule")

    if not rows:
        refuse("请填写缴纳计划。")
    if kind == ArrangementKind.DEFERRAL and len(rows) != 1:
        refuse("暂缓缴纳只有一个缴纳期限。")
    if kind == ArrangementKind.INSTALMENTS and not 2 <= len(rows) <= MAX_INSTALMENTS:
        refuse(f"分期缴纳须分为2至{MAX_INSTALMENTS}期。")
    dates = [d for d, _ in rows]
    if any(b <= a for a, b in itertools.pairwise(dates)):
        refuse("各期缴纳期限须按先后顺序排列且不能重复。")
    if dates[0] < on:
        refuse("缴纳期限不能早于申请日期。")
    if (dates[-1] - on).days > MAX_SPAN_DAYS:
        refuse("缴纳计划不能超过三年。")
    total = sum((a for _, a in rows), Decimal("0"))
    if total != case.fine:
        refuse(f"各期金额合计{total:,.2f}元，应等于罚款数额{case.fine:,.2f}元。")


def arrangement_of(case: PenaltyCase, *states: str) -> PaymentArrangement | None:
    return (
        PaymentArrangement.objects.filter(case=case, state__in=states or LIVE)
        .order_by("-id")
        .first()
    )


def payment_arrangement_apply(
    *,
    actor: User,
    case: PenaltyCase,
    kind: str,
    reason: str,
    schedule: str | list[tuple[dt.date, Decimal]],
    on: dt.date | None = None,
) -> PaymentArrangement:
    """Record the party's application, with its schedule, on a served decision with a fine."""
    common.require_case_cap(actor, case, Cap.CASE_HANDLE, ArrangementEvent.APPLIED)
    if kind not in ArrangementKind.values:
        raise errors.ValidationFailed("未知的缴纳方式。", code="unknown_kind", field="kind")
    reason = common.text(reason, field="reason", label="申请理由", max_length=common.REASON_MAX)
    if len(reason) < 2:
        raise errors.ValidationFailed(
            "请填写当事人经济困难的情况。", code="reason_required", field="reason"
        )
    on = common.day(on, field="on", label="申请日期", not_before=case.served_on)
    rows = parse_schedule(schedule) if isinstance(schedule, str) else list(schedule)
    with transaction.atomic(durable=True):
        row = PENALTY_CASE.lock(case)
        if row.state != CaseState.SERVED or row.outcome != CaseOutcome.PENALTY or not row.fine:
            raise errors.Conflict(
                "只有已送达、尚未执行完毕的罚款决定可以申请暂缓或分期缴纳。",
                code="no_fine_to_arrange",
            )
        if arrangement_of(row) is not None:
            raise errors.Conflict("本案已有暂缓或分期缴纳的申请。", code="arrangement_exists")
        _check_schedule(row, kind, rows, on)
        arrangement = PaymentArrangement.objects.create(
            case=row,
            kind=kind,
            state=ArrangementState.APPLIED,
            applied_on=on,
            reason=reason,
            recorded_by=actor,
        )
        Instalment.objects.bulk_create(
            Instalment(arrangement=arrangement, number=n, due_on=d, amount=a)
            for n, (d, a) in enumerate(rows, start=1)
        )
        audit.append(
            actor=actor,
            action=ArrangementEvent.APPLIED,
            obj=arrangement,
            details={
                "case_id": row.pk,
                "kind": kind,
                "schedule": [[d.isoformat(), str(a)] for d, a in rows],
            },
        )
    return arrangement


def _pending(case: PenaltyCase, action: str) -> PaymentArrangement:
    found = arrangement_of(case, ArrangementState.APPLIED)
    if found is None:
        raise errors.Conflict("本案没有待审批的暂缓或分期缴纳申请。", code="no_pending_arrangement")
    return found


def payment_arrangement_approve(
    *, actor: User, case: PenaltyCase, on: dt.date | None = None
) -> PaymentArrangement:
    """The head approves: the payment period of the decision gives way to the schedule (its
    deadline is closed on the day of approval) and each instalment gets its own deadline."""
    common.require_case_cap(actor, case, Cap.CASE_DECIDE, ArrangementEvent.APPROVED)
    with transaction.atomic(durable=True):
        PENALTY_CASE.lock(case)
        arrangement = _pending(case, "approve")
        on = common.day(on, field="on", label="批准日期", not_before=arrangement.applied_on)
        arrangement = workflow.transition(
            PAYMENT_ARRANGEMENT,
            arrangement,
            "approve",
            actor=actor,
            ctx={"actor": actor},
            changes={"decided_by": actor, "decided_on": on},
            details={"case_id": case.pk, "on": on.isoformat()},
        )
        deadlines_close_for(actor=actor, subject=case, rule_key=PAYMENT_RULE, on=on)
        for instalment in arrangement.instalments.all():
            deadline_attach(
                actor=actor,
                organisation=case.organisation,
                title=common.title(
                    case, f"{arrangement.get_kind_display()}第{instalment.number}期"
                ),
                rule_key=FIXED_RULE,
                start_date=on,
                due_date=max(instalment.due_on, on),
                subject=instalment,
                assignee=case.handler,
            )
    return arrangement


def payment_arrangement_refuse(
    *, actor: User, case: PenaltyCase, reason: str, on: dt.date | None = None
) -> PaymentArrangement:
    common.require_case_cap(actor, case, Cap.CASE_DECIDE, ArrangementEvent.REFUSED)
    reason = common.text(reason, field="reason", label="理由", max_length=common.REASON_MAX)
    with transaction.atomic(durable=True):
        PENALTY_CASE.lock(case)
        arrangement = _pending(case, "refuse")
        on = common.day(on, field="on", label="审批日期", not_before=arrangement.applied_on)
        return workflow.transition(
            PAYMENT_ARRANGEMENT,
            arrangement,
            "refuse",
            actor=actor,
            ctx={"actor": actor, "reason": reason},
            changes={"decided_by": actor, "decided_on": on, "refusal_reason": reason},
            details={"case_id": case.pk, "reason": reason},
        )


def _pauses(case: PenaltyCase) -> list[tuple[dt.date, dt.date | None]]:
    return [(c.started_on, c.ended_on) for c in case.challenges.all()]


def instalment_surcharge(
    case: PenaltyCase, instalment: Instalment, until: dt.date
) -> execution.Surcharge:
    """The surcharge of one instalment paid on ``until`` (decision 0063): 3% a day of the
    instalment from the day after its due date, capped at the instalment, paused during a
    challenge — so the whole never exceeds the fine."""
    return execution.late_surcharge(
        fine=Decimal(instalment.amount),
        payment_due=instalment.due_on,
        until=until,
        pauses=_pauses(case),
        province=case.organisation.province_code(),
    )


def arrangement_surcharge(
    case: PenaltyCase, arrangement: PaymentArrangement, until: dt.date
) -> execution.Surcharge:
    """The surcharge owed and paid under an approved arrangement on ``until``: recorded for
    the paid instalments, counted to ``until`` for the others."""
    days = paused = 0
    amount = Decimal("0.00")
    capped = False
    citation = ""
    for instalment in arrangement.instalments.all():
        if instalment.paid_on is not None:
            amount += instalment.surcharge or 0
            continue
        part = instalment_surcharge(case, instalment, until)
        days, paused = max(days, part.days), max(paused, part.paused_days)
        amount += part.amount
        capped = capped or part.capped
        citation = part.citation
    return execution.Surcharge(
        days=days, paused_days=paused, amount=amount, capped=capped, citation=citation
    )


def instalment_pay(
    *, actor: User, case: PenaltyCase, paid_amount: Any, on: dt.date | None = None
) -> Instalment:
    """A payment against the next unpaid instalment: its amount, its late surcharge, and with
    the first one the confiscated sum (not deferred: Art. 66 para 2 speaks of fines). The last
    instalment executes the case."""
    common.require_case_cap(actor, case, Cap.CASE_HANDLE, ArrangementEvent.INSTALMENT_PAID)
    paid = common.money(paid_amount, field="paid_amount", label="实缴金额")
    with transaction.atomic(durable=True):
        row = PENALTY_CASE.lock(case)
        arrangement = arrangement_of(row, ArrangementState.APPROVED)
        if arrangement is None or row.state != CaseState.SERVED:
            raise errors.Conflict(
                "本案没有已批准、尚未缴清的暂缓或分期缴纳计划。", code="no_approved_arrangement"
            )
        instalments = list(arrangement.instalments.select_for_update().order_by("number"))
        unpaid = [i for i in instalments if i.paid_on is None]
        instalment = unpaid[0]
        previous = [i.paid_on for i in instalments if i.paid_on is not None]
        on = common.day(
            on,
            field="on",
            label="缴纳日期",
            not_before=max(previous, default=arrangement.decided_on),
        )
        surcharge = instalment_surcharge(row, instalment, on)
        due = Decimal(instalment.amount) + surcharge.amount
        if instalment.number == 1:
            due += row.confiscation or Decimal("0")
        if paid is None or paid < due:
            extra = f"（含加处罚款{surcharge.amount:,.2f}元）" if surcharge.amount else ""
            raise errors.ValidationFailed(
                f"第{instalment.number}期应缴{due:,.2f}元{extra}，实缴金额不足。",
                code="underpaid",
                field="paid_amount",
            )
        instalment.paid_on, instalment.paid_amount = on, paid
        instalment.surcharge = surcharge.amount or None
        instalment.save(update_fields=["paid_on", "paid_amount", "surcharge"])
        deadlines_close_for(actor=actor, subject=instalment, rule_key=FIXED_RULE, on=on)
        audit.append(
            actor=actor,
            action=ArrangementEvent.INSTALMENT_PAID,
            obj=arrangement,
            details={
                "case_id": row.pk,
                "number": instalment.number,
                "paid_amount": str(paid),
                "late_surcharge": str(surcharge.amount),
                "on": on.isoformat(),
            },
        )
        if len(unpaid) == 1:
            workflow.transition(
                PAYMENT_ARRANGEMENT,
                arrangement,
                "complete",
                actor=actor,
                details={"case_id": row.pk},
            )
            total = sum((i.paid_amount or 0 for i in instalments), Decimal("0.00"))
            surcharges = sum((i.surcharge or 0 for i in instalments), Decimal("0.00"))
            common.move(
                row,
                "execute",
                actor=actor,
                ctx={"via": "arrangement"},
                changes={
                    "executed_on": on,
                    "paid_amount": total,
                    "late_surcharge": surcharges or None,
                },
                details={"paid_amount": str(total), "late_surcharge": str(surcharges)},
            )
    return instalment
