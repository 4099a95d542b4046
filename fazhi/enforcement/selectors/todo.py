"""What waits for a user in enforcement (the workbench's to-do list, ``fazhi.core.todo``)."""

from __future__ import annotations

from django.urls import reverse

from fazhi.core.models import User
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap
from fazhi.core.todo import Todo
from fazhi.enforcement.models import CaseLeadState
from fazhi.enforcement.selectors.leads import case_lead_list


def todo_items(user: User) -> list[Todo]:
    items = _after_decision(user)
    if not has_cap(user, Cap.CASE_LEAD_DECIDE):
        return items
    waiting = case_lead_list(user=user, state=CaseLeadState.NEW).count()
    return [
        *items,
        Todo(
            "待决定是否立案的案源",
            waiting,
            reverse("enforcement:lead_list") + "?state=new",
            kind="approval",
            action="去决定",
        ),
    ]


def _after_decision(user: User) -> list[Todo]:
    """A head's approvals after the decision: deferral or instalments, police transfers."""
    from fazhi.enforcement.selectors.execution import approvals_waiting

    if not has_cap(user, Cap.CASE_DECIDE):
        return []
    items = []
    for label, ids in approvals_waiting(user):
        if not ids:
            continue
        url = (
            reverse("enforcement:case_detail", args=[ids[0]])
            if len(ids) == 1
            else reverse("enforcement:case_list")
        )
        items.append(Todo(label, len(ids), url, kind="approval", action="去审批"))
    return items
