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
    if not has_cap(user, Cap.CASE_LEAD_DECIDE):
        return []
    waiting = case_lead_list(user=user, state=CaseLeadState.NEW).count()
    return [
        Todo(
            "待决定是否立案的案源",
            waiting,
            reverse("enforcement:lead_list") + "?state=new",
            kind="approval",
            action="去决定",
        )
    ]
