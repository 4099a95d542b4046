"""The case picker: a ``RemotePicker`` over the enforcement app's scoped case search."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from fazhi.core.widgets import RemotePicker
from fazhi.enforcement.models import PenaltyCase


def case_picker(**kwargs: Any) -> RemotePicker:
    """The picker of a penalty case in the user's scope (``enforcement:case_search``: party,
    cause, decision number); built in the view, since it reverses a URL."""
    kwargs.setdefault("placeholder", "输入当事人、案由或决定书文号搜索")
    return RemotePicker(reverse("enforcement:case_search"), **kwargs)


def case_label(case: PenaltyCase) -> str:
    """How a picker names a case: party, cause, and the decision's number or filing date."""
    on = case.filed_on
    mark = case.decision_number or f"{on.year}年{on.month}月{on.day}日立案"
    return f"{case.entity.name}：{case.cause}（{mark}）"
