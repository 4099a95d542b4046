"""The tables of deputies' suggestions (人大代表建议) and CPPCC proposals (政协提案), one per kind
on the one ``Matter`` row (decisions 0047, 0074).

Assigned (交办, the reply clock starts) → the lead unit replies to the deputy with the reply's
class (A/B/C) → the deputy's feedback (满意 / 基本满意 / 不满意) → closed; an unsatisfied deputy's
matter is handled again (再次办理) and replied to again before it closes. A co-handling unit
(协办) does not reply to the deputy: it sends its opinion to the lead unit, which closes its part.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models

from fazhi.core import errors
from fazhi.core.workflow import Action, Guard, Workflow
from fazhi.matters.events import MatterEvent
from fazhi.matters.models import PROPOSAL_REPLIES, Matter, Satisfaction
from fazhi.matters.models_proposals import HandlingRole

REASON_MIN = 2


class ProposalState(models.TextChoices):
    RECEIVED = "received", "已登记"
    REPLIED = "replied", "已答复"
    FOLLOW_UP = "follow_up", "再次办理中"
    CLOSED = "closed", "已办结"


def _role(matter: Matter) -> str:
    detail = getattr(matter, "proposal_detail", None)
    return detail.role if detail is not None else ""


def _is_lead(matter: Matter, ctx: Mapping[str, Any]) -> None:
    if _role(matter) != HandlingRole.LEAD:
        raise errors.Conflict(
            "协办单位不直接答复代表委员，请向主办单位提交协办意见。", code="not_lead"
        )


def _is_co(matter: Matter, ctx: Mapping[str, Any]) -> None:
    if _role(matter) != HandlingRole.CO:
        raise errors.Conflict("主办单位须直接答复代表委员。", code="not_co_handler")


def _reply_type(matter: Matter, ctx: Mapping[str, Any]) -> None:
    if ctx.get("reply_type") not in PROPOSAL_REPLIES:
        raise errors.ValidationFailed(
            "请选择答复类型（A类、B类或C类）。", code="reply_type_required"
        )


def _opinion_given(matter: Matter, ctx: Mapping[str, Any]) -> None:
    if len(str(ctx.get("reply_text") or "").strip()) < REASON_MIN:
        raise errors.ValidationFailed("请填写协办意见。", code="opinion_required")


def _unsatisfied(matter: Matter, ctx: Mapping[str, Any]) -> None:
    if matter.satisfaction != Satisfaction.UNSATISFIED:
        raise errors.Conflict("代表委员对答复表示不满意的，才再次办理。", code="not_unsatisfied")


def _reason_given(matter: Matter, ctx: Mapping[str, Any]) -> None:
    if len(str(ctx.get("reason") or "").strip()) < REASON_MIN:
        raise errors.ValidationFailed("请写明理由。", code="reason_required")


def _feedback_settled(matter: Matter, ctx: Mapping[str, Any]) -> None:
    if not matter.satisfaction:
        raise errors.Conflict(
            "请先登记代表委员对答复的意见（满意、基本满意或不满意）。", code="feedback_required"
        )
    detail = getattr(matter, "proposal_detail", None)
    if matter.satisfaction == Satisfaction.UNSATISFIED and (
        detail is None or not detail.follow_ups
    ):
        raise errors.Conflict(
            "代表委员不满意的，须再次办理并重新答复后才能办结。", code="follow_up_required"
        )


def _table(name: str, label: str) -> Workflow[Matter]:
    return Workflow(
        name=name,
        label=label,
        model=Matter,
        states=ProposalState,
        initial=(ProposalState.RECEIVED,),
        actions=[
            Action(
                name="reply",
                label="答复代表委员",
                sources=(ProposalState.RECEIVED, ProposalState.FOLLOW_UP),
                target=ProposalState.REPLIED,
                event=MatterEvent.REPLIED,
                guards=(
                    Guard("本单位为主办单位", _is_lead),
                    Guard("答复类型为A类、B类或C类", _reply_type),
                ),
            ),
            Action(
                name="submit_opinion",
                label="向主办单位提交协办意见",
                sources=(ProposalState.RECEIVED,),
                target=ProposalState.CLOSED,
                event=MatterEvent.OPINION_SUBMITTED,
                guards=(Guard("本单位为协办单位", _is_co), Guard("写明协办意见", _opinion_given)),
            ),
            Action(
                name="follow_up",
                label="不满意，再次办理",
                sources=(ProposalState.REPLIED,),
                target=ProposalState.FOLLOW_UP,
                event=MatterEvent.FOLLOWED_UP,
                guards=(Guard("代表委员不满意", _unsatisfied), Guard("写明理由", _reason_given)),
            ),
            Action(
                name="close",
                label="办结",
                sources=(ProposalState.REPLIED,),
                target=ProposalState.CLOSED,
                event=MatterEvent.CLOSED,
                guards=(Guard("已登记代表委员意见；不满意的已再次办理", _feedback_settled),),
            ),
        ],
    )


SUGGESTION = _table("suggestion", "人大代表建议")
PROPOSAL = _table("proposal", "政协提案")
