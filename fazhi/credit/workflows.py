"""Credit workflows: the threshold alert a leader handles, and a red or black list entry with
its exit by credit repair (信用修复). Entry into a list creates the row in ``listed`` (the
services in ``services/lists.py``); the guards here are what must hold whatever the caller."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from fazhi.core import errors
from fazhi.core.workflow import Action, Guard, Workflow
from fazhi.credit.events import CreditListEvent, PointsEvent
from fazhi.credit.models import (
    AlertState,
    CreditListEntry,
    ListKind,
    ListState,
    PointAlert,
)

REASON_MIN = 2


def _reason_given(row: Any, ctx: Mapping[str, Any]) -> None:
    if len(str(ctx.get("reason") or "").strip()) < REASON_MIN:
        raise errors.ValidationFailed("请写明理由或处理情况。", code="reason_required")


def _black_list(entry: CreditListEntry, ctx: Mapping[str, Any]) -> None:
    if entry.kind != ListKind.BLACK:
        raise errors.Conflict("信用修复只适用于黑名单。", code="not_black_list")


def _red_list(entry: CreditListEntry, ctx: Mapping[str, Any]) -> None:
    if entry.kind != ListKind.RED:
        raise errors.Conflict(
            "黑名单只能经信用修复移出，请登记修复申请。", code="black_list_needs_repair"
        )


def _publication_served(entry: CreditListEntry, ctx: Mapping[str, Any]) -> None:
    on: dt.date = ctx["on"]
    if entry.earliest_exit_on is not None and on < entry.earliest_exit_on:
        raise errors.Conflict(
            f"最短公示期未满，{entry.earliest_exit_on:%Y年%m月%d日}起方可修复移出。",
            code="publication_period_running",
        )


def _penalty_fulfilled(entry: CreditListEntry, ctx: Mapping[str, Any]) -> None:
    case = entry.case
    if case is None or not (case.fine or case.confiscation):
        return
    if case.executed_on is None:
        raise errors.Conflict(
            "处罚决定的罚没款尚未缴清，不能信用修复。", code="penalty_not_fulfilled"
        )


POINT_ALERT: Workflow[PointAlert] = Workflow(
    name="points_alert",
    label="记分门槛提示",
    model=PointAlert,
    states=AlertState,
    initial=(AlertState.OPEN,),
    actions=[
        Action(
            name="handle",
            label="登记处理情况",
            sources=(AlertState.OPEN,),
            target=AlertState.HANDLED,
            event=PointsEvent.ALERT_HANDLED,
            guards=(Guard("须写明处理情况（如约谈记录、暂缓校验决定）", _reason_given),),
        ),
    ],
)

# taken only by a service another app's transaction calls (its decision revoked): never offered
AUTOMATIC = frozenset({"basis_revoked"})

CREDIT_LIST: Workflow[CreditListEntry] = Workflow(
    name="credit_list",
    label="红黑名单",
    model=CreditListEntry,
    states=ListState,
    initial=(ListState.LISTED,),
    actions=[
        Action(
            name="apply_repair",
            label="登记信用修复申请",
            sources=(ListState.LISTED,),
            target=ListState.REPAIR_REQUESTED,
            event=CreditListEvent.REPAIR_APPLIED,
            guards=(
                Guard("只适用于黑名单", _black_list),
                Guard("须写明申请理由（已纠正失信行为、履行义务的情况）", _reason_given),
            ),
        ),
        Action(
            name="approve_repair",
            label="批准修复并移出",
            sources=(ListState.REPAIR_REQUESTED,),
            target=ListState.REMOVED,
            event=CreditListEvent.REPAIR_APPROVED,
            guards=(
                Guard("最短公示期已满（省规则包）", _publication_served),
                Guard("处罚决定的罚没款已缴清", _penalty_fulfilled),
            ),
        ),
        Action(
            name="reject_repair",
            label="不予修复",
            sources=(ListState.REPAIR_REQUESTED,),
            target=ListState.LISTED,
            event=CreditListEvent.REPAIR_REJECTED,
            guards=(Guard("须写明不予修复的理由", _reason_given),),
        ),
        Action(
            name="basis_revoked",
            label="依据的处罚决定被撤销，移出名单",
            sources=(ListState.LISTED, ListState.REPAIR_REQUESTED),
            target=ListState.REMOVED,
            event=CreditListEvent.BASIS_REVOKED,
            guards=(Guard("须写明处罚决定被撤销的理由", _reason_given),),
        ),
        Action(
            name="remove",
            label="移出红名单",
            sources=(ListState.LISTED,),
            target=ListState.REMOVED,
            event=CreditListEvent.REMOVED,
            guards=(Guard("只适用于红名单", _red_list), Guard("须写明移出理由", _reason_given)),
        ),
    ],
)
