"""The automatic pre-check of a concluded case's file (案卷自动预审, decision 0069): what a
reviewer would look for first, found from what the case records.

- required documents present: the archive catalogue's required items for the case's outcome
  (``catalogue``), the legal review and deliberation by the one predicate of each in ``policy``;
- dates in order: each later step not dated before the step it follows;
- time limits met: no deadline of the case overdue or met late (the deadline engine's own
  verdict, clock stops and approved extensions counted);
- signatures and approvals recorded: the filing approved, at least two investigating officers
  with a valid credential (行政处罚法 Art. 42), the decision's signer, each preservation's
  approver, the legal reviewer who did not investigate;
- the legal basis: a penalty states the violated and the penalty provision (decision 0068).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType

from fazhi.core.models import Deadline
from fazhi.core.models.deadlines import DeadlineState
from fazhi.enforcement.models import CaseOutcome, CaseProcedure, CaseState, PenaltyCase
from fazhi.enforcement.review import catalogue
from fazhi.enforcement.workflows import MIN_OFFICERS

CONCLUDED = (CaseState.CLOSED, CaseState.ARCHIVED, CaseState.TRANSFERRED)

MISSING = "missing"
ORDER = "order"
LIMIT = "limit"
APPROVAL = "approval"
BASIS = "basis"
KIND_LABELS = {
    MISSING: "缺少材料",
    ORDER: "日期顺序",
    LIMIT: "办理时限",
    APPROVAL: "签批记录",
    BASIS: "法律依据",
}

# (earlier, later): the later date may not come before the earlier one
DATE_ORDER: tuple[tuple[str, str], ...] = (
    ("act_ended_on", "filed_on"),
    ("filed_on", "investigated_on"),
    ("investigated_on", "notified_on"),
    ("notified_on", "rights_waived_on"),
    ("notified_on", "hearing_requested_on"),
    ("hearing_requested_on", "hearing_held_on"),
    ("hearing_held_on", "legal_review_on"),
    ("investigated_on", "legal_review_on"),
    ("investigated_on", "deliberated_on"),
    ("notified_on", "decided_on"),
    ("hearing_held_on", "decided_on"),
    ("legal_review_on", "decided_on"),
    ("deliberated_on", "decided_on"),
    ("filed_on", "decided_on"),
    ("decided_on", "served_on"),
    ("served_on", "executed_on"),
    ("served_on", "closed_on"),
    ("executed_on", "closed_on"),
    ("closed_on", "archived_on"),
)


@dataclass(frozen=True)
class Finding:
    kind: str
    message: str

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


def _label(field: str) -> str:
    return str(getattr(PenaltyCase._meta.get_field(field), "verbose_name", field))


def _day(value: dt.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _deadlines(case: PenaltyCase) -> Iterable[Deadline]:
    found = getattr(case, "prechecked_deadlines", None)
    if found is not None:
        return list(found)
    return Deadline.objects.filter(
        content_type=ContentType.objects.get_for_model(PenaltyCase), object_id=str(case.pk)
    )


def missing(case: PenaltyCase) -> list[Finding]:
    return [
        Finding(MISSING, f"缺少{line.label}")
        for line in catalogue.lines(case)
        if line.required and not line.present
    ]


def dates_out_of_order(case: PenaltyCase) -> list[Finding]:
    out = []
    for earlier, later in DATE_ORDER:
        first, second = getattr(case, earlier), getattr(case, later)
        if first is not None and second is not None and second < first:
            out.append(
                Finding(
                    ORDER,
                    f"{_label(later)}（{_day(second)}）早于{_label(earlier)}（{_day(first)}）",
                )
            )
    for preservation in case.preservations.all():
        if preservation.registered_on < case.filed_on:
            out.append(
                Finding(ORDER, f"先行登记保存（{_day(preservation.registered_on)}）早于立案")
            )
        if preservation.decided_on and preservation.decided_on < preservation.registered_on:
            out.append(Finding(ORDER, "登记保存处理决定早于登记保存日期"))
    return out


def limits_missed(case: PenaltyCase) -> list[Finding]:
    out = []
    for deadline in _deadlines(case):
        due = _day(deadline.due_date) if deadline.due_date else "—"
        if deadline.state == DeadlineState.OVERDUE:
            out.append(Finding(LIMIT, f"{deadline.title}已逾期（届满日{due}）"))
        elif deadline.state == DeadlineState.LATE:
            met = f"，{_day(deadline.met_on)}完成" if deadline.met_on else ""
            out.append(Finding(LIMIT, f"{deadline.title}逾期完成（届满日{due}{met}）"))
    return out


def approvals_missing(case: PenaltyCase) -> list[Finding]:
    out = []
    links = [link for link in case.case_officers.all() if link.recused_on is None]
    on = case.decided_on if case.procedure == CaseProcedure.SUMMARY else case.filed_on
    valid = [link for link in links if on and link.officer.valid_credential(on)]
    if len(valid) < MIN_OFFICERS:
        out.append(
            Finding(APPROVAL, f"持有效执法证的承办人员不足{MIN_OFFICERS}人（行政处罚法第四十二条）")
        )
    if case.decided_on and case.outcome != CaseOutcome.TRANSFER and not case.decided_by_id:
        out.append(Finding(APPROVAL, "处理决定未记录决定人"))
    if case.legal_review_on and not case.legal_reviewer_id:
        out.append(Finding(APPROVAL, "法制审核未记录审核人员"))
    if case.legal_reviewer_id and any(
        link.officer.user_id == case.legal_reviewer_id for link in case.case_officers.all()
    ):
        out.append(Finding(APPROVAL, "法制审核人员参与了本案调查（行政处罚法第五十八条）"))
    for preservation in case.preservations.all():
        if not preservation.approved_by_id:
            out.append(Finding(APPROVAL, "先行登记保存未记录批准人"))
    return out


def basis_missing(case: PenaltyCase) -> list[Finding]:
    if case.outcome != CaseOutcome.PENALTY:
        return []
    out = []
    if not case.violated_provision:
        out.append(Finding(BASIS, "处罚决定未载明违反的法律条款"))
    if not case.penalty_provision:
        out.append(Finding(BASIS, "处罚决定未载明处罚依据条款"))
    return out


def precheck(case: PenaltyCase) -> list[Finding]:
    """Every finding on ``case``'s file, in the order a reviewer reads them."""
    return [
        *missing(case),
        *dates_out_of_order(case),
        *limits_missed(case),
        *approvals_missing(case),
        *basis_missing(case),
    ]


def as_json(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    return [asdict(finding) for finding in findings]


def from_json(rows: Iterable[dict[str, Any]]) -> list[Finding]:
    return [Finding(str(row["kind"]), str(row["message"])) for row in rows]
