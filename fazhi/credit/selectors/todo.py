"""The workbench: practice-point thresholds reached and repair applications, for the head."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap
from fazhi.core.todo import Todo
from fazhi.credit.selectors.credit import open_alert_count, repair_pending_count


def todo_items(user: Any) -> list[Todo]:
    if not has_cap(user, Cap.CREDIT_DECIDE):
        return []
    return [
        Todo(
            label="不良执业行为记分达到处理门槛",
            count=open_alert_count(user=user),
            url=reverse("credit:alert_list") + "?state=open",
        ),
        Todo(
            label="待审批的信用修复申请",
            count=repair_pending_count(user=user),
            url=reverse("credit:list_entries") + "?state=repair_requested",
            kind="approval",
        ),
    ]
