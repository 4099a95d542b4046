"""The medical dispute's table: open (处理中) → concluded (已结案); while open its route may change
(negotiation failed → mediation → court)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fazhi.core import errors
from fazhi.core.workflow import Action, Guard, Workflow
from fazhi.disputes.events import DisputeEvent
from fazhi.disputes.models import (
    PAYING_OUTCOMES,
    DisputeOutcome,
    DisputeRoute,
    DisputeState,
    MedicalDispute,
)


def _new_route(dispute: MedicalDispute, ctx: Mapping[str, Any]) -> None:
    route = ctx.get("route")
    if route not in DisputeRoute.values:
        raise errors.ValidationFailed("请选择处理途径。", code="route_required")
    if route == dispute.route:
        raise errors.Conflict("纠纷已在该途径处理。", code="same_route")


def _outcome(dispute: MedicalDispute, ctx: Mapping[str, Any]) -> None:
    outcome = ctx.get("outcome")
    if outcome not in DisputeOutcome.values:
        raise errors.ValidationFailed("请选择结案结果。", code="outcome_required")
    if outcome in PAYING_OUTCOMES and ctx.get("compensation") is None:
        raise errors.ValidationFailed(
            "协商、调解或判决结案的，请填写赔偿（补偿）金额（没有赔偿填0）。",
            code="compensation_required",
        )


DISPUTE: Workflow[MedicalDispute] = Workflow(
    name="medical_dispute",
    label="医疗纠纷",
    model=MedicalDispute,
    states=DisputeState,
    initial=(DisputeState.OPEN,),
    actions=[
        Action(
            name="change_route",
            label="变更处理途径",
            sources=(DisputeState.OPEN,),
            target=DisputeState.OPEN,
            event=DisputeEvent.ROUTE_CHANGED,
            guards=(Guard("选择另一处理途径", _new_route),),
        ),
        Action(
            name="conclude",
            label="结案",
            sources=(DisputeState.OPEN,),
            target=DisputeState.CONCLUDED,
            event=DisputeEvent.CONCLUDED,
            guards=(Guard("结果及赔偿金额", _outcome),),
        ),
    ],
)
