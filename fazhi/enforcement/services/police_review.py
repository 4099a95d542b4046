"""Services: after the police refuse to open a transferred case (国务院令第310号 第九条; decision
0093).

Within 3 days of receiving the refusal notice the agency may ask the police to reconsider
(``police_transfer.review_request``; a request after the period is refused — the text grants the
request only within it); the police decide within 3 days of receiving the request
(``police_transfer.review_decision``, their period, followed by the agency); an agency still
disagreeing with a refusal on reconsideration suggests, within 3 days of the reconsideration
notice, that the procuratorate supervise (``police_transfer.supervision``; a late suggestion is
recorded late by the deadline, not refused). The suggestion may also follow the first refusal
directly (Art. 9 para 1). A reconsideration that opens the case leads to the Art. 12 handover;
otherwise the agency takes the file back and handles the case itself (``police_transfer_return``,
Art. 10).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from fazhi.core import errors, workflow
from fazhi.core.models import Deadline, User
from fazhi.core.roles import Cap
from fazhi.core.services.deadlines import deadlines_close_for
from fazhi.enforcement.execution_events import PoliceTransferEvent
from fazhi.enforcement.execution_models import PoliceTransfer
from fazhi.enforcement.execution_workflows import POLICE_TRANSFER
from fazhi.enforcement.models import PenaltyCase
from fazhi.enforcement.services import case_common as common
from fazhi.enforcement.services.police_transfer import (
    HANDOVER_RULE,
    REVIEW_REQUEST_RULE,
    _attach,
    _current,
)
from fazhi.enforcement.workflows import PENALTY_CASE

REVIEW_DECISION_RULE = "police_transfer.review_decision"
SUPERVISION_RULE = "police_transfer.supervision"


def _due(transfer: PoliceTransfer, rule_key: str) -> dt.date | None:
    row = (
        Deadline.objects.filter(
            content_type=ContentType.objects.get_for_model(transfer),
            object_id=str(transfer.pk),
            rule_key=rule_key,
        )
        .order_by("-pk")
        .first()
    )
    return row.due_date if row is not None else None


def police_transfer_request_review(
    *, actor: User, case: PenaltyCase, grounds: str, on: dt.date | None = None
) -> PoliceTransfer:
    """The agency asks the police who refused to reconsider (Art. 9 para 1): only within 3 days
    of the refusal notice; the police's 3 days start (Art. 9 para 2)."""
    common.require_case_cap(actor, case, Cap.CASE_HANDLE, PoliceTransferEvent.REVIEW_REQUESTED)
    grounds = common.text(grounds, field="grounds", label="理由", max_length=common.REASON_MAX)
    with transaction.atomic(durable=True):
        row = PENALTY_CASE.lock(case)
        transfer = _current(row)
        on = common.day(on, field="on", label="提请复议日期", not_before=transfer.police_decided_on)
        due = _due(transfer, REVIEW_REQUEST_RULE)
        if due is not None and on > due:
            raise errors.Conflict(
                f"提请复议的期限已于{due.isoformat()}届满（自接到不予立案通知书之日起3日内），"
                "可以建议人民检察院依法进行立案监督。",
                code="review_out_of_time",
            )
        transfer = workflow.transition(
            POLICE_TRANSFER,
            transfer,
            "request_review",
            actor=actor,
            ctx={"grounds": grounds},
            changes={"review_requested_on": on, "review_grounds": grounds},
            details={"case_id": row.pk, "on": on.isoformat(), "grounds": grounds},
        )
        deadlines_close_for(actor=actor, subject=transfer, rule_key=REVIEW_REQUEST_RULE, on=on)
        _attach(actor, row, transfer, REVIEW_DECISION_RULE, "公安机关作出复议决定", on,
                row.handler)  # fmt: skip
    return transfer


def police_transfer_review_decision(
    *, actor: User, case: PenaltyCase, filed: bool, reason: str = "", on: dt.date | None = None
) -> PoliceTransfer:
    """The police's written reconsideration decision (Art. 9 para 2): a case opened goes on to
    the Art. 12 handover; a refusal opens the 3 days for the procuratorate suggestion."""
    event = PoliceTransferEvent.REVIEW_FILED if filed else PoliceTransferEvent.REVIEW_REFUSED
    common.require_case_cap(actor, case, Cap.CASE_HANDLE, event)
    reason = common.text(reason, field="reason", label="理由", max_length=common.REASON_MAX)
    with transaction.atomic(durable=True):
        row = PENALTY_CASE.lock(case)
        transfer = _current(row)
        on = common.day(
            on, field="on", label="复议决定日期", not_before=transfer.review_requested_on
        )
        transfer = workflow.transition(
            POLICE_TRANSFER,
            transfer,
            "review_file" if filed else "review_not_file",
            actor=actor,
            changes={"review_decided_on": on, "review_reason": reason},
            details={"case_id": row.pk, "on": on.isoformat(), "reason": reason},
        )
        deadlines_close_for(actor=actor, subject=transfer, rule_key=REVIEW_DECISION_RULE, on=on)
        if filed:  # Art. 12 as after a first decision to open the case (decision 0086)
            _attach(actor, row, transfer, HANDOVER_RULE, "向公安机关移交涉案物品和材料", on,
                    row.handler)  # fmt: skip
        else:
            _attach(actor, row, transfer, SUPERVISION_RULE, "建议人民检察院立案监督", on,
                    row.handler)  # fmt: skip
    return transfer


def police_transfer_suggest_supervision(
    *, actor: User, case: PenaltyCase, procuratorate: str, grounds: str, on: dt.date | None = None
) -> PoliceTransfer:
    """The agency suggests that the procuratorate supervise the refusal (Art. 9): after the first
    refusal (para 1) or after a refusal on reconsideration (para 2, within 3 days; late is
    recorded by the deadline, not refused)."""
    common.require_case_cap(actor, case, Cap.CASE_HANDLE, PoliceTransferEvent.SUPERVISION_SUGGESTED)
    procuratorate = common.text(
        procuratorate, field="procuratorate", label="人民检察院", max_length=200
    )
    grounds = common.text(grounds, field="grounds", label="理由", max_length=common.REASON_MAX)
    with transaction.atomic(durable=True):
        row = PENALTY_CASE.lock(case)
        transfer = _current(row)
        since = transfer.review_decided_on or transfer.police_decided_on
        on = common.day(on, field="on", label="建议日期", not_before=since)
        transfer = workflow.transition(
            POLICE_TRANSFER,
            transfer,
            "suggest_supervision",
            actor=actor,
            ctx={"procuratorate": procuratorate, "grounds": grounds},
            changes={
                "supervision_on": on,
                "procuratorate": procuratorate,
                "supervision_grounds": grounds,
            },
            details={
                "case_id": row.pk,
                "on": on.isoformat(),
                "procuratorate": procuratorate,
                "grounds": grounds,
            },
        )
        for rule_key in (REVIEW_REQUEST_RULE, SUPERVISION_RULE):  # whichever is pending
            deadlines_close_for(actor=actor, subject=transfer, rule_key=rule_key, on=on)
    return transfer
