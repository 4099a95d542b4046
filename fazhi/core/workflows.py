"""The kernel's workflow tables: enforcement credentials and deadlines.

Each table is the whole of its state machine: the states a record may start in, every action
with the states it leaves from, where it goes, the guards that must hold and the event it writes.
The services (``services/people.py``, ``services/deadlines.py``) check permissions, open the
transaction and call ``fazhi.core.workflow.transition``; ``docs/workflows.md`` is rendered from
these tables (``fazhi workflows docs``).

A guard reads the locked row and the action's context (``ctx``: the dates and rows the service
passes) and raises a ``FazhiError`` with a stable code and a Chinese message; the codes are the
ones the API has always answered (``already_completed``, ``stop_after_due``, …).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from fazhi.core import errors
from fazhi.core.audit_events import DeadlineEvents, OfficerEvents
from fazhi.core.models import Credential, Deadline
from fazhi.core.models.deadlines import DeadlineState
from fazhi.core.models.org import CredentialState
from fazhi.core.periods import FIXED_RULE, extension_rule
from fazhi.core.workflow import Action, Guard, Workflow

# --- credentials (执法证) -----------------------------------------------------------------------

# A revoked credential stays revoked: a new one is issued instead.
CREDENTIAL: Workflow[Credential] = Workflow(
    name="credential",
    label="执法证",
    model=Credential,
    states=CredentialState,
    initial=(CredentialState.VALID,),
    actions=[
        Action(
            name="suspend",
            label="暂扣",
            sources=(CredentialState.VALID,),
            target=CredentialState.SUSPENDED,
            event=OfficerEvents.CREDENTIAL_SUSPENDED,
        ),
        Action(
            name="revoke",
            label="注销（吊销）",
            sources=(CredentialState.VALID, CredentialState.SUSPENDED),
            target=CredentialState.REVOKED,
            event=OfficerEvents.CREDENTIAL_REVOKED,
        ),
        Action(
            name="reinstate",
            label="恢复有效",
            sources=(CredentialState.SUSPENDED,),
            target=CredentialState.VALID,
            event=OfficerEvents.CREDENTIAL_REINSTATED,
        ),
    ],
)


# --- deadlines (期限) ---------------------------------------------------------------------------


def _on(ctx: Mapping[str, Any]) -> dt.date:
    value = ctx["on"]
    assert isinstance(value, dt.date)
    return value


def _not_completed(message: str) -> Guard:
    def check(row: Deadline, ctx: Mapping[str, Any]) -> None:
        if row.met_on is not None:
            raise errors.InvalidTransition(message, code="already_completed")

    return Guard("尚未记录完成日期", check)


def _not_fixed(message: str, code: str) -> Guard:
    def check(row: Deadline, ctx: Mapping[str, Any]) -> None:
        if row.rule_key == FIXED_RULE:
            raise errors.ValidationFailed(message, code=code)

    return Guard("期限由法定规则计算（不是由决定确定的日期）", check)


def _not_in_future(label: str) -> Guard:
    def check(row: Deadline, ctx: Mapping[str, Any]) -> None:
        if _on(ctx) > ctx["today"]:
            raise errors.ValidationFailed(f"{label}不能晚于今天。", code="date_in_future")

    return Guard(f"{label}不晚于今天", check)


def _stop_after_start(row: Deadline, ctx: Mapping[str, Any]) -> None:
    if _on(ctx) <= row.start_date:
        raise errors.ValidationFailed("中止日期应晚于起算日。", code="stop_before_start")


def _stop_within_period(row: Deadline, ctx: Mapping[str, Any]) -> None:
    if row.due_date is not None and _on(ctx) > row.due_date:
        raise errors.ValidationFailed("期限已届满，不能再中止。", code="stop_after_due")


def _resume_after_stop(row: Deadline, ctx: Mapping[str, Any]) -> None:
    stop = ctx.get("stop")
    if stop is not None and _on(ctx) < stop.start:
        raise errors.ValidationFailed("恢复日期不能早于中止日期。", code="stop_resume_before_start")


def _has_extension(row: Deadline, ctx: Mapping[str, Any]) -> None:
    if extension_rule(row) is None:
        raise errors.ValidationFailed(
            f"规则 {row.rule_key} 没有可适用的延长规定。", code="no_extension"
        )


def _extension_left(row: Deadline, ctx: Mapping[str, Any]) -> None:
    ext = extension_rule(row)
    assert ext is not None
    granted = row.extensions.filter(rule_key=ext.key).count()
    if granted >= ext.value.max_times:
        raise errors.Conflict(
            f"该期限已延长{granted}次，依据规定不能再延长。", code="extension_limit"
        )


def _approved_after_start(row: Deadline, ctx: Mapping[str, Any]) -> None:
    if ctx["approved_on"] < row.start_date:
        raise errors.ValidationFailed("批准日期不能早于起算日。", code="approved_before_start")


def _approved_before_due(row: Deadline, ctx: Mapping[str, Any]) -> None:
    # The stored state may still say open until the daily refresh: compare with today too, so
    # an approval cannot be back-dated after the deadline expired.
    if row.due_date is not None and (
        ctx["approved_on"] > row.due_date or row.due_date < ctx["today"]
    ):
        raise errors.ValidationFailed("期限届满后不能再批准延长。", code="extension_after_due")


def _completed_after_start(row: Deadline, ctx: Mapping[str, Any]) -> None:
    if _on(ctx) < row.start_date:
        raise errors.ValidationFailed("完成日期不能早于起算日。", code="complete_before_start")


def _lapsed(row: Deadline, ctx: Mapping[str, Any]) -> None:
    if row.due_date is None or row.due_date >= ctx["today"]:
        raise errors.InvalidTransition("期限尚未届满。", code="not_lapsed")


S = DeadlineState
PENDING = (S.OPEN, S.OVERDUE, S.STOPPED, S.CALENDAR_UNKNOWN)
# Where the computation puts a deadline whose clock runs (no completion date yet).
RUNNING = (S.OPEN, S.OVERDUE, S.CALENDAR_UNKNOWN)

DEADLINE: Workflow[Deadline] = Workflow(
    name="deadline",
    label="期限",
    model=Deadline,
    states=DeadlineState,
    # Opened by ``deadline_attach`` in the state its computation gives: running, already
    # overdue (a date fixed in the past), or waiting for a calendar year.
    initial=RUNNING,
    actions=[
        Action(
            name="stop",
            label="中止计时",
            # an overdue clock too, from a day within its period (a stop recorded after the
            # due date for an event before it; decision 0076)
            sources=(S.OPEN, S.OVERDUE, S.CALENDAR_UNKNOWN),
            target=S.STOPPED,
            event=DeadlineEvents.DEADLINE_STOPPED,
            guards=(
                _not_completed("该期限已完成，不能再中止。"),
                _not_fixed("由决定确定日期的期限不能中止计时，请改定日期。", "fixed_deadline"),
                Guard("中止日期晚于起算日", _stop_after_start),
                Guard("中止日期不晚于届满日", _stop_within_period),
                _not_in_future("中止日期"),
            ),
        ),
        Action(
            name="resume",
            label="恢复计时",
            sources=(S.STOPPED,),
            target="",
            targets=RUNNING,
            event=DeadlineEvents.DEADLINE_RESUMED,
            guards=(
                Guard("恢复日期不早于中止日期", _resume_after_stop),
                _not_in_future("恢复日期"),
            ),
        ),
        Action(
            name="extend",
            label="批准延长",
            sources=(S.OPEN, S.CALENDAR_UNKNOWN),
            target="",
            targets=(S.OPEN, S.CALENDAR_UNKNOWN),
            event=DeadlineEvents.DEADLINE_EXTENDED,
            guards=(
                _not_completed("该期限已完成，不能再延长。"),
                _not_fixed("由决定确定日期的期限不能按规则延长。", "no_extension"),
                Guard("规则有延长规定", _has_extension),
                Guard("延长次数未达规定上限", _extension_left),
                Guard("批准日期不早于起算日", _approved_after_start),
                Guard("批准日期不晚于届满日，且期限尚未届满", _approved_before_due),
            ),
        ),
        Action(
            name="complete",
            label="办结",
            sources=PENDING,
            target="",
            # calendar_unknown: the completion date is kept until the year is published.
            targets=(S.MET, S.LATE, S.CALENDAR_UNKNOWN),
            event=DeadlineEvents.DEADLINE_COMPLETED,
            guards=(
                _not_completed("该期限已记录完成日期，正等待日历确定是否按期。"),
                Guard("完成日期不早于起算日", _completed_after_start),
                _not_in_future("完成日期"),
            ),
        ),
        Action(
            name="refresh",
            label="届满未办结",
            sources=(S.OPEN,),
            target=S.OVERDUE,
            event=DeadlineEvents.DEADLINE_LAPSED,
            guards=(Guard("届满日早于今天", _lapsed),),
        ),
        Action(
            name="recompute",
            label="按日历重新计算",
            sources=RUNNING,
            target="",
            targets=(*RUNNING, S.MET, S.LATE),
            event=DeadlineEvents.DEADLINE_RECOMPUTED,
        ),
        Action(
            name="cancel",
            label="撤销",
            sources=PENDING,
            target=S.CANCELLED,
            event=DeadlineEvents.DEADLINE_CANCELLED,
            guards=(_not_completed("该期限已记录完成日期，不能撤销。"),),
        ),
    ],
)
