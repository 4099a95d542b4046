"""What waits for a user in incoming matters (the workbench's to-do list, ``fazhi.core.todo``):
the petitions a leader owns (领导包案), and the supervision orders (督办) still to be reported,
the overdue ones apart."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse

from fazhi.core import clock
from fazhi.core.models import User
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap
from fazhi.core.todo import Todo
from fazhi.matters.models import MatterState, ProactiveState, SupervisionState
from fazhi.matters.selectors.oversight import leader_owned, supervision_list
from fazhi.matters.selectors.proactive import proactive_list


def todo_items(user: User) -> list[Todo]:
    if not has_cap(user, Cap.MATTER_VIEW):
        return []
    items = []
    if has_cap(user, Cap.MATTER_APPROVE):
        owned = leader_owned(user=user).exclude(state__in=(MatterState.ROUTED, MatterState.CLOSED))
        items.append(
            Todo(
                "我包案的信访事项",
                owned.count(),
                reverse("matters:matter_list") + "?owned=1",
                action="去查看",
            )
        )
    if has_cap(user, Cap.MATTER_HANDLE):
        url = reverse("matters:supervision_list")
        # one query counts both: the overdue ones are the issued ones past their date
        # (``supervision_list(overdue=True)``)
        counts = supervision_list(user=user, state=SupervisionState.ISSUED).aggregate(
            waiting=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=clock.today()))
        )
        overdue = counts["overdue"]
        items.append(Todo("逾期未报告结果的督办件", overdue, url + "?overdue=1"))
        items.append(Todo("待报告结果的督办件", counts["waiting"] - overdue, url + "?state=issued"))
        url = reverse("matters:proactive_list")
        late = proactive_list(user=user, overdue=True).count()
        pending = proactive_list(user=user, state=ProactiveState.PENDING).count()
        items.append(Todo("逾期未公开的主动公开信息", late, url + "?overdue=1"))
        items.append(Todo("待主动公开的信息", pending - late, url + "?state=pending"))
    return items
