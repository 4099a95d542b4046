"""Reads after the decision: a case's deferral or instalment plans, its court enforcement and
its transfers to the police, with their deadlines and recorded steps (the case itself was read
through the scoped selector ``cases.penalty_case_get``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from fazhi.core.models import AuditEvent, Deadline
from fazhi.enforcement.execution_models import (
    CourtEnforcement,
    Instalment,
    PaymentArrangement,
    PoliceTransfer,
)
from fazhi.enforcement.models import PenaltyCase


@dataclass
class AfterDecision:
    arrangements: list[PaymentArrangement] = field(default_factory=list)
    court: CourtEnforcement | None = None
    transfers: list[PoliceTransfer] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    events: list[AuditEvent] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.arrangements or self.court or self.transfers)


def case_after_decision(case: PenaltyCase) -> AfterDecision:
    arrangements = list(
        PaymentArrangement.objects.filter(case=case)
        .select_related("recorded_by", "decided_by")
        .prefetch_related("instalments")
    )
    court = CourtEnforcement.objects.filter(case=case).first()
    transfers = list(
        PoliceTransfer.objects.filter(case=case).select_related("reported_by", "decided_by")
    )
    found = AfterDecision(arrangements=arrangements, court=court, transfers=transfers)
    if not found:
        return found
    subjects: list[Any] = [*arrangements, *transfers]
    if court is not None:
        subjects.append(court)
    instalments = [i for a in arrangements for i in a.instalments.all()]
    deadline_q = Q(pk__in=[])
    event_q = Q(pk__in=[])
    for model, rows in (
        (PaymentArrangement, arrangements),
        (Instalment, instalments),
        (CourtEnforcement, [court] if court else []),
        (PoliceTransfer, transfers),
    ):
        if not rows:
            continue
        ids = [str(r.pk) for r in rows]
        deadline_q |= Q(content_type=ContentType.objects.get_for_model(model), object_id__in=ids)
        event_q |= Q(object_type=model._meta.label_lower, object_id__in=ids)
    found.deadlines = list(Deadline.objects.filter(deadline_q).order_by("start_date", "pk"))
    found.events = list(AuditEvent.objects.filter(event_q).select_related("actor").order_by("seq"))
    return found


def approvals_waiting(user: Any) -> list[tuple[str, list[int]]]:
    """For a head (case.decide): the cases in scope whose deferral or instalment application
    or police-transfer report waits for the decision — (label, case ids)."""
    from fazhi.enforcement.execution_models import ArrangementState, PoliceTransferState
    from fazhi.enforcement.selectors.cases import penalty_case_list

    in_scope = penalty_case_list(user=user).prefetch_related(None).values("pk")
    arrangements = PaymentArrangement.objects.filter(
        case__in=in_scope, state=ArrangementState.APPLIED
    ).values_list("case_id", flat=True)
    transfers = PoliceTransfer.objects.filter(
        case__in=in_scope, state=PoliceTransferState.REPORTED
    ).values_list("case_id", flat=True)
    return [
        ("待审批的暂缓或分期缴纳罚款申请", sorted(set(arrangements))),
        ("待审批的移送涉嫌犯罪案件报告（3日内）", sorted(set(transfers))),
    ]
