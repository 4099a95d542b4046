"""Services: the case's clock. A stop (中止) for a hearing, a public notice, testing or an
appraisal, with its reason; the resumption; an approved extension of the decision period.

None of these changes the case's state: the case goes on, its statutory periods (the decision
period above all) stop and restart through the deadline engine (``deadlines_stop_for`` and
``deadlines_resume_for``), which recomputes the due dates across holidays and stopped days.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from fazhi.core import audit, errors, rules
from fazhi.core.models import OrganisationKind, User
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap
from fazhi.core.services.deadlines import (
    deadlines_extend_for,
    deadlines_resume_for,
    deadlines_stop_for,
)
from fazhi.enforcement.events import CaseEvent
from fazhi.enforcement.models import CaseState, ClockStopKind, PenaltyCase
from fazhi.enforcement.services import case_common as common
from fazhi.enforcement.services.cases import DECISION_RULE
from fazhi.enforcement.workflows import PENALTY_CASE

RUNNING = (
    CaseState.FILED,
    CaseState.INVESTIGATED,
    CaseState.NOTIFIED,
    CaseState.HEARING,
    CaseState.HEARD,
)


def _running(case: PenaltyCase, action: str) -> PenaltyCase:
    row = PENALTY_CASE.lock(case)
    if row.state not in RUNNING:
        raise errors.InvalidTransition(
            f"行政处罚案件当前状态为“{row.get_state_display()}”，办案期限已不再计算。",
            code="case_not_running",
            action=action,
        )
    return row


def case_clock_stop(
    *, actor: User, case: PenaltyCase, kind: str, reason: str, on: dt.date | None = None
) -> PenaltyCase:
    """Stop the decision period from ``on`` for ``kind`` (听证、公告、检测检验、鉴定)."""
    common.require_case_cap(actor, case, Cap.CASE_HANDLE, CaseEvent.CLOCK_STOPPED)
    if kind not in ClockStopKind.values:
        raise errors.ValidationFailed("未知的中止事由。", code="unknown_stop_kind", field="kind")
    reason = common.text(reason, field="reason", label="中止理由", max_length=150)
    if len(reason) < 2:
        raise errors.ValidationFailed("请填写中止理由。", code="reason_required", field="reason")
    on = common.day(on, field="on", label="中止日期", not_before=case.filed_on)
    label = ClockStopKind(kind).label
    with transaction.atomic(durable=True):
        row = _running(case, "clock_stop")
        if row.clock_stopped_on is not None:
            raise errors.Conflict("办案期限已中止。", code="already_stopped")
        deadlines_stop_for(
            actor=actor, subject=row, on=on, reason=f"{label}：{reason}", rule_key=DECISION_RULE
        )
        row.clock_stopped_on, row.clock_stop_kind = on, kind
        row.save(update_fields=["clock_stopped_on", "clock_stop_kind"])
        audit.append(
            actor=actor,
            action=CaseEvent.CLOCK_STOPPED,
            obj=row,
            details={"kind": kind, "reason": reason, "on": on.isoformat()},
        )
    return row


def case_clock_resume(*, actor: User, case: PenaltyCase, on: dt.date | None = None) -> PenaltyCase:
    """Restart the decision period on ``on``; its due date moves by the days stopped."""
    common.require_case_cap(actor, case, Cap.CASE_HANDLE, CaseEvent.CLOCK_RESUMED)
    with transaction.atomic(durable=True):
        row = _running(case, "clock_resume")
        if row.clock_stopped_on is None:
            raise errors.Conflict("办案期限未中止。", code="not_stopped")
        on = common.day(on, field="on", label="恢复日期", not_before=row.clock_stopped_on)
        deadlines_resume_for(actor=actor, subject=row, on=on, rule_key=DECISION_RULE)
        stopped = row.clock_stopped_on
        row.clock_stopped_on, row.clock_stop_kind = None, ""
        row.save(update_fields=["clock_stopped_on", "clock_stop_kind"])
        audit.append(
            actor=actor,
            action=CaseEvent.CLOCK_RESUMED,
            obj=row,
            details={"stopped_on": stopped.isoformat(), "on": on.isoformat()},
        )
    return row


def _may_approve(actor: User, case: PenaltyCase, on: dt.date) -> str:
    """Who the rule in force at filing names as approver: the upper-level health authority
    (the 1997 rule) or the agency's own head (the 2025 rule, unverified). Returns the name."""
    rule = rules.rule(DECISION_RULE, on=case.filed_on, province=case.organisation.province_code())
    extension = rules.rule(
        rule.value.extension, on=case.filed_on, province=case.organisation.province_code()
    )
    approver = extension.value.approver
    org = actor.organisation
    if not has_cap(actor, Cap.CASE_DECIDE) or org is None:
        raise errors.PermissionDenied(
            "只有机关负责人可以批准延长办案期限。",
            code="not_approver",
            attempted=CaseEvent.EXTENDED,
        )
    if "上一级" in approver:
        # a supervision institute acts for its commission: the upper level is above that
        own = case.organisation
        if own.kind == OrganisationKind.SUPERVISION_INSTITUTE and own.parent is not None:
            own = own.parent
        if org.path == own.path or not own.path.startswith(org.path):
            raise errors.PermissionDenied(
                f"延长须经{approver}批准（{extension.citation}）。",
                code="not_approver",
                attempted=CaseEvent.EXTENDED,
            )
    return approver


def case_extend(
    *, actor: User, case: PenaltyCase, reason: str, approved_on: dt.date | None = None
) -> PenaltyCase:
    """An approved extension of the decision period, by the approver the rule in force at filing
    names (``penalty.decision_extension``)."""
    reason = common.text(reason, field="reason", label="延长理由", max_length=150)
    if len(reason) < 2:
        raise errors.ValidationFailed("请填写延长理由。", code="reason_required", field="reason")
    approved_on = common.day(
        approved_on, field="approved_on", label="批准日期", not_before=case.filed_on
    )
    approver = _may_approve(actor, case, approved_on)
    common.require_case_cap(actor, case, Cap.CASE_DECIDE, CaseEvent.EXTENDED)
    with transaction.atomic(durable=True):
        row = _running(case, "extend")
        changed = deadlines_extend_for(
            actor=actor,
            subject=row,
            rule_key=DECISION_RULE,
            reason=reason,
            approved_by=actor,
            approved_on=approved_on,
        )
        if not changed:
            raise errors.Conflict("办案期限没有可延长的期限。", code="nothing_to_extend")
        audit.append(
            actor=actor,
            action=CaseEvent.EXTENDED,
            obj=row,
            details={"reason": reason, "approver": approver, "due": str(changed[0].due_date)},
        )
    return row
