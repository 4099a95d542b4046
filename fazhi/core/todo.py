"""The workbench's to-do list: each domain says what waits for this user.

A domain adds a provider to ``PROVIDERS`` (a dotted path, so that the kernel imports no domain
app): a function ``(user) -> list[Todo]`` that reads through its scoped selectors and answers only
what the user's capabilities let them act on (approvals for those who approve, their own tasks
for inspectors). The workbench shows every item with a count above zero, approvals first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.module_loading import import_string

PROVIDERS: list[str] = [
    "fazhi.inspections.selectors.todo.todo_items",
    "fazhi.enforcement.selectors.todo.todo_items",
    "fazhi.credit.selectors.todo.todo_items",
    "fazhi.disputes.selectors.todo.todo_items",
    "fazhi.matters.selectors.todo.todo_items",
    "fazhi.appeals.todo.todo_items",
]


@dataclass(frozen=True)
class Todo:
    label: str  # what waits, in Chinese: 待审批的重新抽取申请
    count: int
    url: str
    kind: str = "task"  # "approval" (shown first), "task"
    action: str = "去处理"


def todo_for(user: Any) -> list[Todo]:
    items: list[Todo] = []
    for path in PROVIDERS:
        try:
            provider: Callable[[Any], list[Todo]] = import_string(path)
        except ImportError:
            continue  # the domain is not installed in this build
        items.extend(item for item in provider(user) if item.count)
    return sorted(items, key=lambda item: (item.kind != "approval", item.label))
