"""Every read of penalty cases, narrowed to the user's data scope."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from fazhi.core import errors
from fazhi.core.models import AuditEvent, Deadline, User
from fazhi.core.roles import Cap
from fazhi.core.scope import get_scoped, require_cap, scoped
from fazhi.enforcement.events import CaseEvent
from fazhi.enforcement.models import DecisionChange, PenaltyCase, PenaltyKind


def _cases(user: User | Any) -> QuerySet[PenaltyCase]:
    return scoped(PenaltyCase.objects.all(), user).select_related(
        "organisation", "entity", "handler", "filed_by", "decided_by", "legal_reviewer", "lead"
    )


def penalty_case_list(
    *,
    user: User | Any,
    state: str | None = None,
    source: str | None = None,
    procedure: str | None = None,
    year: int | None = None,
) -> QuerySet[PenaltyCase]:
    """The cases in scope, newest filing first; refused without ``case.view``."""
    require_cap(user, Cap.CASE_VIEW, action=CaseEvent.LISTED)
    qs = _cases(user)
    if state:
        qs = qs.filter(state=state)
    if source:
        qs = qs.filter(source=source)
    if procedure:
        qs = qs.filter(procedure=procedure)
    if year:
        qs = qs.filter(filed_on__year=year)
    # what the next steps after the decision read (``execution_forms``): two queries a page
    qs = qs.select_related("court_enforcement").prefetch_related(
        "payment_arrangements", "police_transfers"
    )
    return qs.order_by("-filed_on", "-id")


def list_columns(qs: QuerySet[PenaltyCase]) -> QuerySet[PenaltyCase]:
    """What the case list shows joins only its organisation, party and handler: fewer joins to
    plan and read on every page of a large list (issue 11 §6)."""
    return qs.select_related(None).select_related("organisation", "entity", "handler")


def penalty_case_get(*, user: User | Any, case_id: int) -> PenaltyCase:
    require_cap(user, Cap.CASE_VIEW, action=CaseEvent.VIEWED)
    return get_scoped(_cases(user), case_id)


def penalty_case_detail(*, user: User | Any, case_id: int) -> PenaltyCase:
    """The case for its page: what the steps after the decision read (``execution_forms``:
    each step's ``when``) loaded once, not once per step."""
    require_cap(user, Cap.CASE_VIEW, action=CaseEvent.VIEWED)
    qs = _cases(user).select_related("court_enforcement")
    return get_scoped(qs.prefetch_related("payment_arrangements", "police_transfers"), case_id)


SEARCH_LIMIT = 20  # rows a picker's search returns at most
SEARCH_MAX_LENGTH = 100  # characters of a search text


def penalty_case_search(
    *, user: User | Any, q: str, limit: int = SEARCH_LIMIT
) -> list[PenaltyCase]:
    """The case picker's search: the party's name, the cause or the decision's number contains
    the text, or the party's 统一社会信用代码 starts with it. At most ``limit`` (capped at
    ``SEARCH_LIMIT``) cases in the user's scope, newest filing first. An empty text finds
    nothing; a text over ``SEARCH_MAX_LENGTH`` characters is ``invalid_parameter``."""
    require_cap(user, Cap.CASE_VIEW, action=CaseEvent.LISTED)
    text = (q or "").strip()
    if len(text) > SEARCH_MAX_LENGTH:
        raise errors.InvalidParameter("q", f"搜索内容不能超过{SEARCH_MAX_LENGTH}个字符。")
    if not text:
        return []
    limit = max(1, min(limit, SEARCH_LIMIT))
    qs = scoped(PenaltyCase.objects.all(), user).filter(
        Q(entity__name__icontains=text)
        | Q(cause__icontains=text)
        | Q(decision_number__icontains=text)
        | Q(entity__uscc__startswith=text.upper())
    )
    return list(qs.select_related("entity").order_by("-filed_on", "-id")[:limit])


def case_deadlines(case: PenaltyCase) -> QuerySet[Deadline]:
    """The case's deadlines (the case was read through the scoped selector)."""
    return Deadline.objects.filter(
        content_type=ContentType.objects.get_for_model(PenaltyCase), object_id=str(case.pk)
    ).order_by("start_date", "pk")


def case_timeline(case: PenaltyCase) -> QuerySet[AuditEvent]:
    """The case's recorded steps, oldest first (the case was read through the scoped
    selector)."""
    return (
        AuditEvent.objects.filter(object_type=PenaltyCase._meta.label_lower, object_id=str(case.pk))
        .select_related("actor")
        .order_by("seq")
    )


@dataclass(frozen=True)
class ChangeShown:
    """One change of the decision as the case page shows it: 原决定 → 变更后."""

    row: DecisionChange
    before: str
    after: str


def content_text(content: dict[str, Any] | None) -> str:
    """A decision's content as kept on a ``DecisionChange``, in words."""
    if content is None:
        return "以复议决定或判决为准"
    labels = dict(PenaltyKind.choices)
    parts = [
        str(labels.get(k, k))
        for k in content.get("kinds") or []
        if k not in (PenaltyKind.FINE, PenaltyKind.CONFISCATION)
    ]
    for key, label in (("fine", "罚款"), ("confiscation", "没收违法所得（非法财物）")):
        if content.get(key):
            parts.append(f"{label}{Decimal(content[key]):,.2f}元")
    for key, label in (("violated", "违反"), ("penalty", "依据")):
        if content.get(key):
            parts.append(f"{label}{content[key]}")
    return "；".join(parts) or "（无）"


def case_decision_changes(case: PenaltyCase) -> list[ChangeShown]:
    """The changes of the case's decision, oldest first (the case was read through the scoped
    selector); no query for a decision never altered."""
    if not case.decision_altered:
        return []
    return [
        ChangeShown(row, content_text(row.before), content_text(row.after))
        for row in case.decision_changes.order_by("pk")
    ]
