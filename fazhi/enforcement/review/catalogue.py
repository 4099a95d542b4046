"""The archive catalogue (卷内文件目录) of a penalty case in its fixed order, and which items each
outcome requires (decision 0069).

A case's profile is its outcome as the archive sorts it: a penalty (普通程序), a first-violation
waiver (首违不罚), no penalty (依法不予处罚 or 违法事实不能成立), a transfer (移送) or the
on-the-spot procedure (简易程序). An item may further depend on the case: the legal review and
the collective deliberation on the one predicate of each in ``policy``, the hearing documents
on a hearing requested, the payment receipt on a fine or confiscation decided.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType

from fazhi.core.models import AttachmentLink
from fazhi.enforcement import policy
from fazhi.enforcement.models import CaseOutcome, CaseProcedure, CaseState, PenaltyCase

PENALTY = "penalty"
FIRST_MINOR = "first_minor"
NO_PENALTY = "no_penalty"
TRANSFER = "transfer"
SUMMARY = "summary"
PROFILES = {
    PENALTY: "给予行政处罚（普通程序）",
    FIRST_MINOR: "首违不罚",
    NO_PENALTY: "不予行政处罚",
    TRANSFER: "移送",
    SUMMARY: "简易程序（当场处罚）",
}
GENERAL = frozenset({PENALTY, FIRST_MINOR, NO_PENALTY, TRANSFER})
DECIDED = frozenset({PENALTY, FIRST_MINOR, NO_PENALTY, SUMMARY})


def profile(case: PenaltyCase) -> str:
    if case.procedure == CaseProcedure.SUMMARY:
        return SUMMARY
    if case.state == CaseState.TRANSFERRED or case.outcome == CaseOutcome.TRANSFER:
        return TRANSFER
    if case.outcome == CaseOutcome.PENALTY:
        return PENALTY
    if case.outcome == CaseOutcome.FIRST_MINOR:
        return FIRST_MINOR
    return NO_PENALTY


def evidence_count(case: PenaltyCase) -> int:
    """The files linked to the case as its evidence; a batch annotates ``evidence_count``."""
    found = getattr(case, "evidence_count", None)
    if found is None:
        found = AttachmentLink.objects.filter(
            content_type=ContentType.objects.get_for_model(PenaltyCase), object_id=str(case.pk)
        ).count()
        case.evidence_count = found  # type: ignore[attr-defined]
    return int(found)


def _always(case: PenaltyCase) -> bool:
    return True


def _money(case: PenaltyCase) -> bool:
    return case.outcome == CaseOutcome.PENALTY and bool(case.fine or case.confiscation)


@dataclass(frozen=True)
class Entry:
    key: str
    label: str
    profiles: frozenset[str]  # the outcomes whose file holds it
    present: Callable[[PenaltyCase], bool]  # what the case records of it
    when: Callable[[PenaltyCase], bool] = _always  # required only if this holds


ENTRIES: tuple[Entry, ...] = (
    Entry("case_source", "案件来源登记表", GENERAL, lambda c: bool(c.source)),
    Entry("filing_report", "立案报告（立案审批）", GENERAL, lambda c: bool(c.filed_by_id)),
    Entry(
        "evidence",
        "证据材料（现场笔录、询问笔录、物证书证等）",
        GENERAL | {SUMMARY},
        lambda c: evidence_count(c) > 0,
    ),
    Entry(
        "preservation",
        "先行登记保存证据决定书及处理决定书",
        GENERAL,
        lambda c: bool(c.preservations.all()) and all(p.decided_on for p in c.preservations.all()),
        when=lambda c: len(c.preservations.all()) > 0,
    ),
    Entry(
        "investigation_report",
        "案件调查终结报告",
        GENERAL,
        lambda c: bool(c.investigated_on and c.investigation_report),
    ),
    Entry(
        "legal_review",
        "法制审核意见书",
        GENERAL,
        lambda c: c.legal_review_on is not None,
        when=lambda c: bool(policy.legal_review_reasons(c)),
    ),
    Entry(
        "deliberation",
        "重大案件集体讨论记录",
        GENERAL,
        lambda c: c.deliberated_on is not None,
        when=lambda c: bool(policy.deliberation_reasons(c)),
    ),
    Entry(
        "penalty_notice", "行政处罚事先告知书", frozenset({PENALTY}), lambda c: bool(c.notified_on)
    ),
    Entry(
        "statement",
        "陈述申辩笔录（或放弃陈述申辩声明）",
        frozenset({PENALTY}),
        lambda c: bool(c.statement or c.rights_waived_on or c.hearing_requested_on),
    ),
    Entry(
        "hearing",
        "听证通知书、听证笔录",
        frozenset({PENALTY}),
        lambda c: bool(c.hearing_notice_served_on and c.hearing_held_on),
        when=lambda c: c.hearing_requested_on is not None,
    ),
    Entry(
        "decision",
        "处理决定书",
        DECIDED,
        lambda c: bool(c.decision_number and c.decided_on),
    ),
    Entry(
        "transfer",
        "涉嫌犯罪案件移送书",
        frozenset({TRANSFER}),
        lambda c: bool(c.transferred_to and c.end_reason),
    ),
    Entry("service", "送达回证", DECIDED, lambda c: c.served_on is not None),
    Entry(
        "payment",
        "罚没款缴纳凭证",
        frozenset({PENALTY, SUMMARY}),
        lambda c: c.executed_on is not None,
        when=_money,
    ),
    Entry("closure", "结案报告", DECIDED, lambda c: c.closed_on is not None),
)


@dataclass(frozen=True)
class Line:
    """One line of a case's catalogue: the item, whether required, whether the file holds it."""

    number: int
    label: str
    required: bool
    present: bool


def lines(case: PenaltyCase) -> list[Line]:
    """The case's catalogue in the fixed order: the items its outcome requires, and the others
    it holds (a document the case has although not required is filed in its place)."""
    kind = profile(case)
    out: list[Line] = []
    for entry in ENTRIES:
        required = kind in entry.profiles and entry.when(case)
        present = entry.present(case)
        if required or (present and kind in entry.profiles):
            out.append(Line(len(out) + 1, entry.label, required, present))
    return out
