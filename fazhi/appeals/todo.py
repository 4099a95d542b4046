"""What waits for a user in appeals (the workbench's to-do list, ``fazhi.core.todo``): the
reconsideration answers (答复) and defences (答辩状) not yet submitted, by the urgency of their
clock — overdue, due within three days, the rest — for those who handle appeals."""

from __future__ import annotations

from django.urls import reverse

from fazhi.appeals.selectors import DUE, answers_due
from fazhi.core.models import User
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap
from fazhi.core.todo import Todo

LABELS = {
    "overdue": "已逾期的行政复议答复和行政应诉答辩",
    "soon": "即将到期的行政复议答复和行政应诉答辩",
    "later": "待提交的行政复议答复和行政应诉答辩",
}


def todo_items(user: User) -> list[Todo]:
    if not has_cap(user, Cap.APPEAL_HANDLE):
        return []
    url = reverse("appeals:appeal_list")
    due = answers_due(user=user)
    return [Todo(LABELS[key], len(due[key]), f"{url}?due={key}") for key in DUE]
