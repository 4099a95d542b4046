"""Reads of the case-file review (案卷评查): the concluded cases with their stored pre-check and
latest score, in the user's scope; the live pre-check and reviews of one case."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Cast

from fazhi.core.models import AttachmentLink, Deadline, User
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap, scoped
from fazhi.enforcement.events import CaseEvent
from fazhi.enforcement.models import CaseFileReview, CaseOfficer, PenaltyCase
from fazhi.enforcement.review import precheck

FINDINGS = (("problems", "有问题"), ("clean", "未发现问题"), ("unchecked", "未预审"))


def _year(qs: QuerySet[PenaltyCase], year: int) -> QuerySet[PenaltyCase]:
    """A concluded case counts in the year it closed; a transfer (no closing) in its filing's."""
    return qs.filter(Q(closed_on__year=year) | Q(closed_on__isnull=True, filed_on__year=year))


def concluded_cases(
    *, user: User | Any, year: int | None = None, findings: str | None = None
) -> QuerySet[PenaltyCase]:
    """The concluded cases (closed, archived, transferred) in ``user``'s scope with their stored
    pre-check (``file_check``) and the latest review's total (``review_total``)."""
    require_cap(user, Cap.CASE_VIEW, action=CaseEvent.LISTED)
    latest = CaseFileReview.objects.filter(case=OuterRef("pk")).order_by("-reviewed_on", "-id")
    qs: QuerySet[PenaltyCase] = (
        scoped(PenaltyCase.objects.filter(state__in=precheck.CONCLUDED), user)
        .select_related("organisation", "entity", "file_check")
        .annotate(
            review_total=Subquery(latest.values("total")[:1]),
            review_full=Subquery(latest.values("full_marks")[:1]),
        )
        .order_by("-closed_on", "-filed_on", "-id")
    )
    if year is not None:
        qs = _year(qs, year)
    if findings == "problems":
        qs = qs.filter(file_check__finding_count__gt=0)
    elif findings == "clean":
        qs = qs.filter(file_check__finding_count=0)
    elif findings == "unchecked":
        qs = qs.filter(file_check__isnull=True)
    return qs


def for_precheck(qs: QuerySet[PenaltyCase]) -> QuerySet[PenaltyCase]:
    """What the pre-check reads of many cases at once: a constant number of queries."""
    case_type = ContentType.objects.get_for_model(PenaltyCase)
    evidence = (
        AttachmentLink.objects.filter(content_type=case_type, object_id=OuterRef("pk_text"))
        .values("content_type")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        qs.annotate(pk_text=Cast("pk", CharField()))
        .annotate(evidence_count=Subquery(evidence))
        .prefetch_related(
            "preservations",
            Prefetch(
                "case_officers",
                queryset=CaseOfficer.objects.select_related("officer").prefetch_related(
                    "officer__credentials"
                ),
            ),
        )
    )


def deadlines_by_case(cases: list[PenaltyCase]) -> None:
    """Attach each case's deadlines in one query (``prechecked_deadlines``)."""
    case_type = ContentType.objects.get_for_model(PenaltyCase)
    found: dict[str, list[Deadline]] = {str(case.pk): [] for case in cases}
    for deadline in Deadline.objects.filter(content_type=case_type, object_id__in=list(found)):
        found[deadline.object_id].append(deadline)
    for case in cases:
        case.prechecked_deadlines = found[str(case.pk)]  # type: ignore[attr-defined]
        if case.evidence_count is None:  # type: ignore[attr-defined]
            case.evidence_count = 0  # type: ignore[attr-defined]


def case_file_reviews(case: PenaltyCase) -> QuerySet[CaseFileReview]:
    """The reviews of a case already read in scope."""
    return case.file_reviews.select_related("reviewer").order_by("-reviewed_on", "-id")
