"""The appeal workflow: received (the answer or defence clock runs) → answered (hearings are
recorded) → decided (the outcome; corrected or lost) → closed (a corrected or lost act only
after its follow-up is recorded). The dates and the clocks are the services'
(``services.py``); the guards here are what must hold whatever the caller."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fazhi.appeals.events import AppealEvent
from fazhi.appeals.models import OUTCOMES, Appeal, AppealState
from fazhi.core import errors
from fazhi.core.workflow import Action, Guard, Workflow


def _outcome_of_kind(appeal: Appeal, ctx: Mapping[str, Any]) -> None:
    if ctx.get("outcome") not in [str(o) for o in OUTCOMES[appeal.kind]]:
        raise errors.ValidationFailed(
            f"请选择{appeal.get_kind_display()}的结果。", code="outcome_required", field="outcome"
        )


def _adverse(appeal: Appeal, ctx: Mapping[str, Any]) -> None:
    if not (appeal.corrected or appeal.lost):
        raise errors.Conflict(
            "只有被纠错或败诉的事项需要登记整改情况。", code="nothing_to_follow_up"
        )


def _followed_up(appeal: Appeal, ctx: Mapping[str, Any]) -> None:
    if (appeal.corrected or appeal.lost) and appeal.followed_up_on is None:
        raise errors.Conflict(
            "被纠错或败诉的事项须先登记纠错整改情况，才能办结。", code="follow_up_required"
        )


APPEAL: Workflow[Appeal] = Workflow(
    name="appeal",
    label="行政复议和行政应诉",
    model=Appeal,
    states=AppealState,
    initial=(AppealState.RECEIVED,),
    actions=[
        Action(
            name="answer",
            label="提交书面答复（答辩状）和证据",
            sources=(AppealState.RECEIVED,),
            target=AppealState.ANSWERED,
            event=AppealEvent.ANSWERED,
        ),
        Action(
            name="record_hearing",
            label="登记审理（开庭）",
            sources=(AppealState.ANSWERED,),
            target=AppealState.ANSWERED,
            event=AppealEvent.HEARING_RECORDED,
        ),
        Action(
            name="decide",
            label="登记复议决定或裁判结果",
            sources=(AppealState.RECEIVED, AppealState.ANSWERED),
            target=AppealState.DECIDED,
            event=AppealEvent.DECIDED,
            guards=(Guard("结果属于该类型的决定（裁判）种类", _outcome_of_kind),),
        ),
        Action(
            name="follow_up",
            label="登记纠错整改情况",
            sources=(AppealState.DECIDED,),
            target=AppealState.DECIDED,
            event=AppealEvent.FOLLOWED_UP,
            guards=(Guard("被纠错或败诉", _adverse),),
        ),
        Action(
            name="close",
            label="办结",
            sources=(AppealState.DECIDED,),
            target=AppealState.CLOSED,
            event=AppealEvent.CLOSED,
            guards=(Guard("被纠错或败诉的已登记整改情况", _followed_up),),
        ),
    ],
)
