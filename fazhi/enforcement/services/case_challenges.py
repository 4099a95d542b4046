"""Services for another app's transaction: a reconsideration or a lawsuit against a penalty
case's decision, opened and ended by the record that tracks it (the ``appeals`` app), so that
the case's late surcharge pauses while it runs (行政处罚法 第七十三条第三款, decision 0042).

Unlike ``case_execution.case_challenge_start`` / ``case_challenge_end`` (the case page's own
steps, each its own transaction), these run inside the caller's transaction and raise
``RuntimeError`` outside one, like the core primitives: the challenge and the caller's record
commit or roll back together. The caller has checked its own capability; these check that the
case is in the actor's scope when the challenge is opened."""

from __future__ import annotations

import datetime as dt

from django.db import connection

from fazhi.core import audit, errors
from fazhi.core.models import User
from fazhi.core.scope import require_in_scope
from fazhi.enforcement.events import CaseEvent
from fazhi.enforcement.models import CaseChallenge, CaseState, ChallengeKind, PenaltyCase
from fazhi.enforcement.workflows import PENALTY_CASE

RESULT_MAX = 200
# a decision that was withdrawn or transferred has nothing left to pause
NOT_CHALLENGEABLE = (CaseState.WITHDRAWN, CaseState.TRANSFERRED)


def _in_transaction(name: str) -> None:
    if not connection.in_atomic_block:
        raise RuntimeError(f"{name} must run inside the calling service's transaction")


def case_challenge_open_within(
    *, actor: User, case: PenaltyCase, kind: str, on: dt.date, reference: str = ""
) -> CaseChallenge:
    """The party lodged a reconsideration or a lawsuit against ``case``'s decision on ``on``:
    the surcharge pauses from that day (both ends included)."""
    _in_transaction("case_challenge_open_within")
    require_in_scope(actor, case.organisation, action=CaseEvent.CHALLENGED)
    if kind not in ChallengeKind.values:
        raise errors.ValidationFailed("未知的救济类型。", code="unknown_challenge", field="kind")
    row = PENALTY_CASE.lock(case)
    if row.decided_on is None or row.state in NOT_CHALLENGEABLE:
        raise errors.Conflict(
            f"行政处罚案件当前状态为“{row.get_state_display()}”，没有可以申请复议或起诉的处罚决定。",
            code="not_challengeable",
            field="penalty_case",
        )
    if on < row.decided_on:
        raise errors.ValidationFailed(
            f"申请（起诉）日期不能早于处罚决定日期（{row.decided_on:%Y-%m-%d}）。",
            code="date_before_decision",
            field="lodged_on",
        )
    if row.challenges.filter(ended_on__isnull=True).exists():
        raise errors.Conflict(
            "该案件已有未结束的行政复议或行政诉讼。", code="challenge_open", field="penalty_case"
        )
    challenge = CaseChallenge.objects.create(case=row, kind=kind, started_on=on)
    audit.append(
        actor=actor,
        action=CaseEvent.CHALLENGED,
        obj=row,
        details={"kind": kind, "on": on.isoformat(), "reference": reference},
    )
    return challenge


def case_challenge_end_within(
    *, actor: User, challenge: CaseChallenge, on: dt.date, result: str
) -> CaseChallenge:
    """The reconsideration or lawsuit ended on ``on`` with ``result``: the pause ends that day.
    No scope check of its own: the caller's record (the appeal) that opened ``challenge`` is what
    the actor was allowed to change, and its respondent's legal office need not see the
    institute's case files."""
    _in_transaction("case_challenge_end_within")
    case = challenge.case
    result = (result or "").strip()[:RESULT_MAX]
    if not result:
        raise errors.ValidationFailed("请填写复议或诉讼结果。", code="result_required")
    PENALTY_CASE.lock(case)
    row = CaseChallenge.objects.select_for_update().get(pk=challenge.pk)
    if row.ended_on is not None:
        raise errors.Conflict("该复议或诉讼已经结束。", code="challenge_ended")
    if on < row.started_on:
        raise errors.ValidationFailed(
            f"结束日期不能早于申请日期（{row.started_on:%Y-%m-%d}）。",
            code="date_before_start",
            field="on",
        )
    row.ended_on, row.result = on, result
    row.save(update_fields=["ended_on", "result"])
    audit.append(
        actor=actor,
        action=CaseEvent.CHALLENGE_ENDED,
        obj=case,
        details={"on": on.isoformat(), "result": result},
    )
    return row
