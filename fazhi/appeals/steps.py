"""The steps a page or an API client can take on an appeal: which service each action of the
table runs and which inputs it takes. Views and endpoints parse a request's fields here and call
``run_step``; the services check everything else."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fazhi.appeals import services
from fazhi.appeals.models import Appeal
from fazhi.appeals.workflows import APPEAL
from fazhi.core import errors, params
from fazhi.core.models import Organisation, User


@dataclass(frozen=True)
class Step:
    service: Callable[..., Any]
    fields: tuple[str, ...]


STEPS: dict[str, Step] = {
    "answer": Step(services.appeal_answer, ("on", "note")),
    "record_hearing": Step(
        services.appeal_record_hearing, ("held_on", "attended_by", "head_appeared", "note")
    ),
    "decide": Step(services.appeal_decide, ("on", "outcome", "note")),
    "follow_up": Step(services.appeal_follow_up, ("on", "text")),
    "close": Step(services.appeal_close, ("on",)),
}
ACTIONS = list(STEPS)
DATE_FIELDS = {"on", "held_on"}


def step_of(action: str) -> Step:
    step = STEPS.get(action)
    if step is None:
        raise errors.NotFound("没有该办理步骤。", code="unknown_step")
    return step


def _value(name: str, data: Mapping[str, Any]) -> Any:
    if name in DATE_FIELDS:
        return params.date(data, name)
    if name == "head_appeared":
        value = data.get(name)
        return value if isinstance(value, bool) else bool(params.boolean(data, name))
    value = data.get(name, "")
    return value if isinstance(value, str) else str(value or "")


def run_step(
    *, actor: User, appeal: Appeal, action: str, data: Mapping[str, Any], **extra: Any
) -> Any:
    """Parse ``data`` for ``action`` and run its service (``extra``: an uploaded file)."""
    step = step_of(action)
    APPEAL.action(action)  # the table knows it
    values = {name: _value(name, data) for name in step.fields}
    return step.service(actor=actor, appeal=appeal, **values, **extra)


def home_organisation(user: User) -> Organisation:
    """Where a user registers an appeal: their own organisation (the respondent)."""
    if user.organisation is None:
        raise errors.PermissionDenied(
            "您不属于任何机构，不能登记行政复议或行政诉讼。", code="no_organisation"
        )
    return user.organisation
