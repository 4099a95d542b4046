"""Services of the case-file review (案卷评查, decision 0069): the automatic pre-check stored
for a concluded case, and a reviewer's scoring against the province's checklist (rule
``penalty.case_file_checklist``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from fazhi.core import audit, clock, errors, rules
from fazhi.core.models import User
from fazhi.core.roles import Cap
from fazhi.enforcement.events import CaseEvent
from fazhi.enforcement.models import CaseFileCheck, CaseFileReview, PenaltyCase
from fazhi.enforcement.review import precheck
from fazhi.enforcement.services import case_common as common

CHECKLIST_RULE = "penalty.case_file_checklist"


def case_file_check_record(case: PenaltyCase) -> CaseFileCheck:
    """Store the pre-check of ``case`` as it stands (replacing the last one). Runs in the
    caller's transaction: the closing service, or the year's job; no permission of its own."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("case_file_check_record runs inside the caller's transaction")
    findings = precheck.precheck(case)
    row, _ = CaseFileCheck.objects.update_or_create(
        case=case,
        defaults={
            "checked_at": clock.now(),
            "findings": precheck.as_json(findings),
            "finding_count": len(findings),
        },
    )
    return row


def checklist(case: PenaltyCase, on: dt.date) -> rules.Rule:
    """The scoring checklist in force on ``on`` in the case's province."""
    try:
        return rules.rule(CHECKLIST_RULE, on=on, province=case.organisation.province_code())
    except errors.UnknownRule:
        raise errors.Conflict(
            "本省尚未配置行政处罚案卷评查标准，不能评分。", code="no_case_file_checklist"
        ) from None


def _points(value: Any, *, item: str, most: int) -> int:
    if isinstance(value, bool | float) or value in (None, ""):
        raise errors.ValidationFailed(f"请填写“{item}”的得分。", code="bad_score", field=item)
    try:
        points = int(str(value).strip())
    except ValueError:
        raise errors.ValidationFailed(
            f"“{item}”的得分须为整数。", code="bad_score", field=item
        ) from None
    if not 0 <= points <= most:
        raise errors.ValidationFailed(
            f"“{item}”的得分须在0至{most}分之间。", code="score_out_of_range", field=item
        )
    return points


def case_file_review(
    *,
    actor: User,
    case: PenaltyCase,
    scores: Mapping[str, Any],
    comments: str = "",
    on: dt.date | None = None,
) -> CaseFileReview:
    """A reviewer scores a concluded case's file, every item of the checklist. The reviewer
    neither handled nor investigated the case."""
    common.require_case_cap(actor, case, Cap.CASE_FILE_REVIEW, CaseEvent.FILE_REVIEWED)
    comments = common.text(comments, field="comments", label="评查意见")
    on = common.day(on, field="on", label="评查日期")
    if case.state not in precheck.CONCLUDED:
        raise errors.Conflict("案件尚未办结，不能评查案卷。", code="case_not_concluded")
    if case.handler_id == actor.pk or case.case_officers.filter(officer__user=actor).exists():
        raise errors.ValidationFailed(
            "评查人不能是本案的主办人或承办人员。", code="reviewer_handled_case"
        )
    rule = checklist(case, on)
    items = dict(rule.value.points)
    unknown = [name for name in scores if name not in items]
    if unknown:
        raise errors.ValidationFailed(
            f"评查标准中没有“{unknown[0]}”。", code="unknown_score_item", field="scores"
        )
    given = {name: _points(scores.get(name), item=name, most=most) for name, most in items.items()}
    total, full = sum(given.values()), sum(items.values())
    with transaction.atomic(durable=True):
        locked = PenaltyCase.objects.select_for_update().get(pk=case.pk)
        if locked.state not in precheck.CONCLUDED:
            raise errors.Conflict("案件尚未办结，不能评查案卷。", code="case_not_concluded")
        review = CaseFileReview.objects.create(
            case=locked,
            reviewer=actor,
            reviewed_on=on,
            scores=given,
            total=total,
            full_marks=full,
            checklist=rule.citation,
            comments=comments,
        )
        audit.append(
            actor=actor,
            action=CaseEvent.FILE_REVIEWED,
            obj=locked,
            organisation_id=locked.organisation_id,
            details={"total": total, "full_marks": full, "on": on.isoformat()},
        )
    return review
