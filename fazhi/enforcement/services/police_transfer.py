"""Services: the transfer of a suspected crime to the police (行政处罚法 Art. 27; 行政执法机关移送
涉嫌犯罪案件的规定, 国务院令第310号 Arts. 5–10).

The team (two or more officers on the case) reports in writing; the head decides within 3 days
of the report (``police_transfer.approve``) and, when approving, the case goes to the police of
the same level within 24 hours (``police_transfer.transfer``: the deadline engine keeps the day
on which the 24 hours run out, the service keeps the instants and the hours actually taken —
decision 0065). The transfer moves the case to 已移送 through the case's own ``transfer``
action. The police sign the receipt, decide within 3 days to open a criminal case or not
(``police_transfer.police_decision``); a refusal comes back with the file, which the agency then
handles itself (Art. 10): the return opens a new case lead (案源, source 移送) for it.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from fazhi.core import audit, clock, errors, rules, workflow
from fazhi.core.models import User
from fazhi.core.roles import Cap
from fazhi.core.services.deadlines import (
    deadline_attach,
    deadlines_cancel_for,
    deadlines_close_for,
)
from fazhi.enforcement.execution_events import PoliceTransferEvent
from fazhi.enforcement.execution_models import PoliceTransfer, PoliceTransferState
from fazhi.enforcement.execution_workflows import POLICE_TRANSFER
from fazhi.enforcement.models import CaseLeadSource, PenaltyCase
from fazhi.enforcement.services import case_common as common
from fazhi.enforcement.services.leads import case_lead_create
from fazhi.enforcement.workflows import PENALTY_CASE, _two_officers

APPROVE_RULE = "police_transfer.approve"
TRANSFER_RULE = "police_transfer.transfer"
POLICE_DECISION_RULE = "police_transfer.police_decision"
HANDOVER_RULE = "police_transfer.handover"
REVIEW_REQUEST_RULE = "police_transfer.review_request"
ACTIVE = (
    PoliceTransferState.REPORTED,
    PoliceTransferState.APPROVED,
    PoliceTransferState.TRANSFERRED,
    PoliceTransferState.ACKNOWLEDGED,
)


def transfer_of(case: PenaltyCase, *states: str) -> PoliceTransfer | None:
    qs = PoliceTransfer.objects.filter(case=case)
    if states:
        qs = qs.filter(state__in=states)
    return qs.order_by("-id").first()


def _current(case: PenaltyCase) -> PoliceTransfer:
    found = transfer_of(case)
    if found is None:
        raise errors.Conflict("本案没有移送涉嫌犯罪案件的报告。", code="no_police_transfer")
    return PoliceTransfer.objects.select_for_update().get(pk=found.pk)


def _instant(value: dt.datetime | None, *, field: str, label: str, not_before: dt.datetime | None
             ) -> dt.datetime:  # fmt: skip
    now = clock.now()
    value = value or now
    if value.tzinfo is None:
        raise errors.ValidationFailed(f"{label}须带时区。", code="naive_datetime", field=field)
    if value > now:
        raise errors.ValidationFailed(f"{label}不能晚于现在。", code="date_in_future", field=field)
    if not_before is not None and value < not_before:
        raise errors.ValidationFailed(
            f"{label}不能早于{timezone.localdate(not_before).isoformat()}。",
            code="date_too_early",
            field=field,
        )
    return value


def _attach(actor: User, case: PenaltyCase, transfer: PoliceTransfer, rule: str, what: str,
            start: dt.date, assignee: User) -> None:  # fmt: skip
    deadline_attach(
        actor=actor,
        organisation=case.organisation,
        title=common.title(case, what),
        rule_key=rule,
        start_date=start,
        subject=transfer,
        assignee=assignee,
    )


def police_transfer_report(
    *, actor: User, case: PenaltyCase, report: str, on: dt.date | None = None
) -> PoliceTransfer:
    """The team's written report (Art. 5 para 1): two or more officers with valid credentials
    on the case; the head's 3-day period starts."""
    common.require_case_cap(actor, case, Cap.CASE_HANDLE, PoliceTransferEvent.REPORTED)
    report = common.text(report, field="report", label="移送报告")
    if len(report) < 2:
        raise errors.ValidationFailed("请填写移送涉嫌犯罪案件的书面报告。", code="report_required")
    on = common.day(on, field="on", label="报告日期", not_before=case.filed_on)
    with transaction.atomic(durable=True):
        row = PENALTY_CASE.lock(case)
        if not PENALTY_CASE.allows(row, "transfer"):
            raise errors.Conflict(
                f"行政处罚案件当前状态为“{row.get_state_display()}”，不能移送。",
                code="case_not_transferable",
            )
        if transfer_of(row, *ACTIVE) is not None:
            raise errors.Conflict("本案已有未办结的移送。", code="transfer_open")
        _two_officers(row, {"on": on})
        transfer = PoliceTransfer.objects.create(
            case=row,
            state=PoliceTransferState.REPORTED,
            report=report,
            reported_on=on,
            reported_by=actor,
        )
        audit.append(
            actor=actor,
            action=PoliceTransferEvent.REPORTED,
            obj=transfer,
            details={"case_id": row.pk, "on": on.isoformat()},
        )
        _attach(actor, row, transfer, APPROVE_RULE, "批准是否移送公安机关", on, row.filed_by)
    return transfer


def police_transfer_approve(
    *, actor: User, case: PenaltyCase, at: dt.datetime | None = None
) -> PoliceTransfer:
    """The head approves (within 3 days of the report): the 24 hours start at this instant."""
    common.require_case_cap(actor, case, Cap.CASE_DECIDE, PoliceTransferEvent.APPROVED)
    with transaction.atomic(durable=True):
        row = PENALTY_CASE.lock(case)
        transfer = _current(row)
        at = _instant(at, field="at", label="批准时间", not_before=None)
        day = timezone.localdate(at)
        if day < transfer.reported_on:
            raise errors.ValidationFailed("批准时间不能早于报告日期。", code="date_too_early")
        transfer = workflow.transition(
            POLICE_TRANSFER,
            transfer,
            "approve",
            actor=actor,
            changes={"decided_by": actor, "decided_at": at},
            details={"case_id": row.pk, "at": at.isoformat()},
        )
        deadlines_close_for(actor=actor, subject=transfer, rule_key=APPROVE_RULE, on=day)
        _attach(actor, row, transfer, TRANSFER_RULE, "向公安机关移送（24小时内）", day, row.handler)
    return transfer


def police_transfer_not_approve(
    *, actor: User, case: PenaltyCase, reason: str, at: dt.datetime | None = None
) -> PoliceTransfer:
    """The head refuses; the reasons are recorded (Art. 5 para 2). The case goes on."""
    common.require_case_cap(actor, case, Cap.CASE_DECIDE, PoliceTransferEvent.NOT_APPROVED)
    reason = common.text(reason, field="reason", label="理由", max_length=common.REASON_MAX)
    with transaction.atomic(durable=True):
        row = PENALTY_CASE.lock(case)
        transfer = _current(row)
        at = _instant(at, field="at", label="审批时间", not_before=None)
        day = timezone.localdate(at)
        if day < transfer.reported_on:
            raise errors.ValidationFailed("审批时间不能早于报告日期。", code="date_too_early")
        transfer = workflow.transition(
            POLICE_TRANSFER,
            transfer,
            "not_approve",
            actor=actor,
            ctx={"reason": reason},
            changes={"decided_by": actor, "decided_at": at, "refusal_reason": reason},
            details={"case_id": row.pk, "reason": reason},
        )
        deadlines_close_for(actor=actor, subject=transfer, rule_key=APPROVE_RULE, on=day)
    return transfer


def police_transfer_send(
    *, actor: User, case: PenaltyCase, police: str, at: dt.datetime | None = None
) -> PoliceTransfer:
    """The case handed to the police (with the materials of Art. 6): the hours since approval
    are recorded, and whether they exceeded the rule's limit (24 hours), on the row and in the
    event; the case moves to 已移送."""
    common.require_case_cap(actor, case, Cap.CASE_HANDLE, PoliceTransferEvent.TRANSFERRED)
    police = common.text(police, field="police", label="公安机关", max_length=200)
    with transaction.atomic(durable=True):
        row = PENALTY_CASE.lock(case)
        transfer = _current(row)
        at = _instant(at, field="at", label="移送时间", not_before=transfer.decided_at)
        elapsed = (at - transfer.decided_at) if transfer.decided_at else dt.timedelta(0)
        hours = int(elapsed.total_seconds() // 3600)  # whole hours; "late" is exact
        limit = rules.rule(
            TRANSFER_RULE,
            on=timezone.localdate(transfer.decided_at or at),
            province=row.organisation.province_code(),
        ).value
        late = elapsed > dt.timedelta(hours=limit.amount)  # the rule's unit is hours
        transfer = workflow.transition(
            POLICE_TRANSFER,
            transfer,
            "transfer",
            actor=actor,
            ctx={"police": police},
            changes={
                "police": police,
                "transferred_at": at,
                "transfer_hours": hours,
                "transfer_late": late,
            },
            details={
                "case_id": row.pk,
                "police": police,
                "at": at.isoformat(),
                "hours": hours,
                "late": late,
            },
        )
        deadlines_close_for(
            actor=actor, subject=transfer, rule_key=TRANSFER_RULE, on=timezone.localdate(at)
        )
        reason = "涉嫌犯罪，依法移送公安机关（行政处罚法第二十七条）"
        common.move(
            row,
            "transfer",
            actor=actor,
            ctx={"reason": reason, "to": police},
            changes={"end_reason": reason, "transferred_to": police},
            details={"reason": reason, "to": police, "police_transfer_id": transfer.pk},
        )
        deadlines_cancel_for(actor=actor, subject=row, reason=f"移送{police}"[:200])
    return transfer


def police_transfer_acknowledge(
    *, actor: User, case: PenaltyCase, on: dt.date | None = None
) -> PoliceTransfer:
    """The police signed the receipt (Art. 7); their 3-day review starts (Art. 8)."""
    common.require_case_cap(actor, case, Cap.CASE_HANDLE, PoliceTransferEvent.ACKNOWLEDGED)
    with transaction.atomic(durable=True):
        row = PENALTY_CASE.lock(case)
        transfer = _current(row)
        sent = timezone.localdate(transfer.transferred_at) if transfer.transferred_at else None
        on = common.day(on, field="on", label="签收日期", not_before=sent)
        transfer = workflow.transition(
            POLICE_TRANSFER,
            transfer,
            "acknowledge",
            actor=actor,
            changes={"acknowledged_on": on},
            details={"case_id": row.pk, "on": on.isoformat()},
        )
        _attach(actor, row, transfer, POLICE_DECISION_RULE, "公安机关作出是否立案决定", on,
                row.handler)  # fmt: skip
    return transfer


def police_transfer_decision(
    *, actor: User, case: PenaltyCase, filed: bool, reason: str = "", on: dt.date | None = None
) -> PoliceTransfer:
    """The police's written decision: a criminal case opened, or not (with their reasons)."""
    event = PoliceTransferEvent.FILED if filed else PoliceTransferEvent.NOT_FILED
    common.require_case_cap(actor, case, Cap.CASE_HANDLE, event)
    reason = common.text(reason, field="reason", label="理由", max_length=common.REASON_MAX)
    with transaction.atomic(durable=True):
        row = PENALTY_CASE.lock(case)
        transfer = _current(row)
        on = common.day(on, field="on", label="决定日期", not_before=transfer.acknowledged_on)
        transfer = workflow.transition(
            POLICE_TRANSFER,
            transfer,
            "file" if filed else "not_file",
            actor=actor,
            ctx={"reason": reason},
            changes={"police_decided_on": on, "police_reason": reason},
            details={"case_id": row.pk, "on": on.isoformat(), "reason": reason},
        )
        deadlines_close_for(actor=actor, subject=transfer, rule_key=POLICE_DECISION_RULE, on=on)
        if filed:  # Art. 12: the items and materials go to the police within 3 days
            _attach(actor, row, transfer, HANDOVER_RULE, "向公安机关移交涉案物品和材料", on,
                    row.handler)  # fmt: skip
        else:  # Art. 9 para 1: the agency may ask for reconsideration within 3 days
            _attach(actor, row, transfer, REVIEW_REQUEST_RULE, "提请公安机关复议", on,
                    row.handler)  # fmt: skip
    return transfer


def police_transfer_hand_over(
    *, actor: User, case: PenaltyCase, items: str, on: dt.date | None = None
) -> PoliceTransfer:
    """The items and other materials of a case the police opened, handed over with the
    handover formalities (国务院令第310号 第十二条; decision 0086): closes its 3-day deadline
    (late is recorded by the deadline, not refused)."""
    common.require_case_cap(actor, case, Cap.CASE_HANDLE, PoliceTransferEvent.HANDED_OVER)
    items = common.text(items, field="items", label="移交的涉案物品和材料", max_length=2000)
    with transaction.atomic(durable=True):
        row = PENALTY_CASE.lock(case)
        transfer = _current(row)
        on = common.day(on, field="on", label="移交日期", not_before=transfer.police_decided_on)
        transfer = workflow.transition(
            POLICE_TRANSFER,
            transfer,
            "hand_over",
            actor=actor,
            ctx={"items": items},
            changes={"handed_over_on": on, "handover_items": items},
            details={"case_id": row.pk, "on": on.isoformat(), "items": items},
        )
        deadlines_close_for(actor=actor, subject=transfer, rule_key=HANDOVER_RULE, on=on)
    return transfer


def police_transfer_return(
    *, actor: User, case: PenaltyCase, on: dt.date | None = None
) -> PoliceTransfer:
    """The police returned the file after refusing to open a case (or the agency accepts the
    refusal after Art. 9's reconsideration or supervision suggestion): the agency handles it
    itself (Art. 10) — a new case lead (source 移送) is created for the party, and the Art. 9
    periods still pending are cancelled (decision 0093)."""
    common.require_case_cap(actor, case, Cap.CASE_HANDLE, PoliceTransferEvent.RETURNED)
    with transaction.atomic(durable=True):
        row = PENALTY_CASE.lock(case)
        transfer = _current(row)
        on = common.day(on, field="on", label="退回日期", not_before=transfer.police_decided_on)
        transfer = workflow.transition(
            POLICE_TRANSFER,
            transfer,
            "return_file",
            actor=actor,
            changes={"returned_on": on},
            details={"case_id": row.pk, "on": on.isoformat()},
        )
        deadlines_cancel_for(actor=actor, subject=transfer, reason="案卷已退回，依法自行处理")
        case_lead_create(
            actor=actor,
            organisation=row.organisation,
            entity=row.entity,
            source=CaseLeadSource.REFERRAL,
            facts=(
                f"公安机关不予立案并退回案卷（{transfer.police}，{on.isoformat()}）："
                f"{transfer.police_reason or '未说明理由'}。"
                + (
                    f"复议决定不予立案（{transfer.review_decided_on.isoformat()}）。"
                    if transfer.review_decided_on
                    else ""
                )
                + (f"已建议{transfer.procuratorate}立案监督。" if transfer.supervision_on else "")
                + f"原案由：{row.cause}。"
            )[:2000],
        )
    return transfer
