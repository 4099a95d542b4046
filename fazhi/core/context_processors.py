"""Navigation by role: each entry names the capability it needs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap

# (label, url name, capability or None for every signed-in user)
NAV: list[tuple[str, str, Cap | None]] = [
    ("工作台", "core:workbench", None),
    ("期限计算器", "core:deadline_calculator", None),
    ("组织机构", "core:organisation_list", Cap.ORG_VIEW),
    ("用户管理", "core:user_list", Cap.ORG_MANAGE),
    ("执法人员", "core:officer_list", Cap.ORG_VIEW),
    ("节假日日历", "core:calendar", Cap.CALENDAR_MANAGE),
    ("审计记录", "core:audit_list", Cap.AUDIT_VIEW),
    ("检查对象名录库", "registry:entity_list", Cap.REGISTRY_VIEW),
    ("抽查计划", "inspections:plan_list", Cap.INSPECTION_VIEW),
    ("我的检查任务", "inspections:task_mine", Cap.INSPECTION_RECORD),
    ("抽查任务", "inspections:task_list", Cap.INSPECTION_VIEW),
    ("抽查事项清单", "inspections:item_list", Cap.INSPECTION_VIEW),
    ("检查人员库", "inspections:pool_list", Cap.INSPECTION_VIEW),
    ("抽查统计", "inspections:figures_year", Cap.INSPECTION_VIEW),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for label, name, cap in NAV:
        if cap is not None and not has_cap(user, cap):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue  # the page is not installed in this build
        items.append({"label": label, "url": url, "active": request.path.startswith(url)})
    return {"nav_items": items}
