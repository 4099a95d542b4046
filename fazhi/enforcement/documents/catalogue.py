"""Which documents a case has, and each one rendered: ``available(case)`` names the documents
the case's state allows; ``case_document(user=, case_id=, key=)`` is the scoped read that
returns one as a .docx (streamed, not stored: decision 0053)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fazhi.core import clock, errors
from fazhi.core.models import User
from fazhi.enforcement.documents import decision, notices, records, reports
from fazhi.enforcement.documents.layout import Page
from fazhi.enforcement.execution_models import CourtEnforcement
from fazhi.enforcement.models import CaseOutcome, CaseState, PenaltyCase
from fazhi.enforcement.selectors import cases as case_selectors
from fazhi.enforcement.services.case_execution import payment_due

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DECIDED_OUTCOMES = (
    CaseOutcome.PENALTY,
    CaseOutcome.FIRST_MINOR,
    CaseOutcome.NO_PENALTY,
    CaseOutcome.NOT_ESTABLISHED,
)
AFTER_SERVICE = (CaseState.SERVED, CaseState.EXECUTED, CaseState.CLOSED, CaseState.ARCHIVED)


@dataclass(frozen=True)
class DocumentKind:
    key: str  # in URLs and the API
    label: str  # Chinese, for the page
    available: Callable[[PenaltyCase, dt.date], bool]
    build: Callable[[PenaltyCase, dt.date], Page]


def _decided(case: PenaltyCase, today: dt.date) -> bool:
    return bool(case.decided_on and case.decision_number and case.outcome in DECIDED_OUTCOMES)


def _unpaid_after_period(case: PenaltyCase, today: dt.date) -> bool:
    if case.state != CaseState.SERVED or case.outcome != CaseOutcome.PENALTY or not case.fine:
        return False
    due = payment_due(case)
    return due is not None and today > due


def _demand(case: PenaltyCase) -> CourtEnforcement | None:
    """The demand served (its record), if any: the notice then stays in the file as served."""
    return CourtEnforcement.objects.filter(case=case).first()


def _demand_day(case: PenaltyCase) -> dt.date | None:
    """A served notice reads as of its service day (the amount demanded then), not today."""
    found = _demand(case)
    return found.demand_served_on if found else None


KINDS: dict[str, DocumentKind] = {
    kind.key: kind
    for kind in (
        DocumentKind(
            "case_source",
            "案件来源登记表",
            lambda case, today: True,
            lambda case, today: reports.case_source_register(case),
        ),
        DocumentKind(
            "filing_report",
            "立案报告",
            lambda case, today: True,
            lambda case, today: reports.filing_report(case),
        ),
        DocumentKind(
            "onsite_record",
            "现场笔录",
            lambda case, today: True,
            lambda case, today: records.onsite_record(case),
        ),
        DocumentKind(
            "interview_record",
            "询问笔录",
            lambda case, today: True,
            lambda case, today: records.interview_record(case),
        ),
        DocumentKind(
            "preservation",
            "先行登记保存证据决定书",
            lambda case, today: case.preservations.exists(),
            lambda case, today: records.preservation_decision(case),
        ),
        DocumentKind(
            "investigation_report",
            "案件调查终结报告",
            lambda case, today: case.investigated_on is not None,
            lambda case, today: reports.investigation_end_report(case),
        ),
        DocumentKind(
            "legal_review",
            "法制审核意见书",
            lambda case, today: case.legal_review_on is not None,
            lambda case, today: reports.legal_review_opinion(case),
        ),
        DocumentKind(
            "deliberation",
            "重大案件集体讨论记录",
            lambda case, today: case.deliberated_on is not None,
            lambda case, today: reports.deliberation_record(case),
        ),
        DocumentKind(
            "penalty_notice",
            "行政处罚事先告知书",
            lambda case, today: case.notified_on is not None,
            lambda case, today: notices.notice_of_proposed_penalty(case),
        ),
        DocumentKind(
            "hearing_notice",
            "听证通知书",
            lambda case, today: case.hearing_on is not None,
            lambda case, today: notices.hearing_notice(case),
        ),
        DocumentKind(
            "hearing_record",
            "听证笔录",
            lambda case, today: case.hearing_on is not None,
            lambda case, today: records.hearing_record(case),
        ),
        DocumentKind(
            "decision",
            "处理决定书",  # the page shows the outcome's own title (``label_for``)
            _decided,
            lambda case, today: decision.build(case),
        ),
        DocumentKind(
            "service_receipt",
            "送达回证",
            _decided,
            lambda case, today: notices.service_receipt(case),
        ),
        DocumentKind(
            "demand_notice",
            "催告书",
            lambda case, today: _unpaid_after_period(case, today) or _demand(case) is not None,
            lambda case, today: notices.demand_notice(case, _demand_day(case) or today),
        ),
        DocumentKind(
            "closure_report",
            "结案报告",
            lambda case, today: _decided(case, today) and case.state in AFTER_SERVICE,
            lambda case, today: reports.closure_report(case),
        ),
    )
}


def label_for(case: PenaltyCase, kind: DocumentKind) -> str:
    return decision.title(case) if kind.key == "decision" else kind.label


def available(case: PenaltyCase, today: dt.date | None = None) -> list[tuple[str, str]]:
    """(key, Chinese name) of the documents the case has now, in the file's order."""
    on = today or clock.today()
    return [
        (kind.key, label_for(case, kind)) for kind in KINDS.values() if kind.available(case, on)
    ]


@dataclass(frozen=True)
class RenderedDocument:
    filename: str
    content: bytes
    content_type: str = DOCX


def render(case: PenaltyCase, key: str, today: dt.date | None = None) -> RenderedDocument:
    """One document of a case already read in the user's scope."""
    kind = KINDS.get(key)
    if kind is None:
        raise errors.NotFound("没有这种执法文书。", code="unknown_case_document")
    on = today or clock.today()
    if not kind.available(case, on):
        raise errors.Conflict(
            f"案件当前状态下尚不能制作{label_for(case, kind)}。", code="case_document_unavailable"
        )
    label = label_for(case, kind)
    number = case.decision_number if key == "decision" else ""
    name = f"{label}（{number or case.entity.name}）.docx".replace("/", "／")
    return RenderedDocument(filename=name, content=kind.build(case, on).bytes())


def case_document(*, user: User | Any, case_id: int, key: str) -> RenderedDocument:
    """The scoped read: the case in the user's scope (``case.view``), one of its documents."""
    case = case_selectors.penalty_case_get(user=user, case_id=case_id)
    return render(case, key)
