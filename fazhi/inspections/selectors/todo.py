"""What waits for a user in inspections (the workbench's to-do list, ``fazhi.core.todo``)."""

from __future__ import annotations

from django.urls import reverse

from fazhi.core.models import User
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap, scoped
from fazhi.core.todo import Todo
from fazhi.inspections.models import InspectionPlan, PlanState, RedrawRequest, RedrawState
from fazhi.inspections.selectors.tasks import task_list


def todo_items(user: User) -> list[Todo]:
    items: list[Todo] = []
    if has_cap(user, Cap.INSPECTION_APPROVE):
        pending = scoped(
            RedrawRequest.objects.filter(state=RedrawState.PENDING), user, "plan__organisation"
        )
        first = pending.order_by("requested_at").values_list("plan_id", flat=True).first()
        if first is not None:
            items.append(
                Todo(
                    "待审批的重新抽取申请",
                    pending.count(),
                    reverse("inspections:plan_detail", args=[first]) + "#redraws",
                    kind="approval",
                    action="去审批",
                )
            )
    if has_cap(user, Cap.INSPECTION_RECORD):
        mine = task_list(user=user, mine=True, open_only=True).count()
        items.append(Todo("我的未完成检查任务", mine, reverse("inspections:task_mine")))
    if has_cap(user, Cap.INSPECTION_PLAN):
        drafts = scoped(
            InspectionPlan.objects.filter(state__in=(PlanState.DRAFT, PlanState.ANNOUNCED)), user
        ).count()
        items.append(
            Todo("尚未抽取的抽查计划", drafts, reverse("inspections:plan_list") + "?state=draft")
        )
    return items
