"""Navigation by role: each entry names the capability it needs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap

# (menu group or "" for a top-level link, label, url name, capability or None for everyone
# signed in). Entries of one group become one drop-down, placed where its first entry stands.
NAV: list[tuple[str, str, str, Cap | None]] = [
    ("", "工作台", "core:workbench", None),
    ("", "期限计算器", "core:deadline_calculator", None),
    ("", "文书编号", "core:docnumber_list", Cap.ORG_VIEW),
    ("双随机、一公开", "检查对象名录库", "registry:entity_list", Cap.REGISTRY_VIEW),
    ("双随机、一公开", "抽查计划", "inspections:plan_list", Cap.INSPECTION_VIEW),
    ("双随机、一公开", "抽查任务", "inspections:task_list", Cap.INSPECTION_VIEW),
    ("双随机、一公开", "抽查事项清单", "inspections:item_list", Cap.INSPECTION_VIEW),
    ("双随机、一公开", "检查人员库", "inspections:pool_list", Cap.INSPECTION_VIEW),
    ("双随机、一公开", "抽查统计", "inspections:figures_year", Cap.INSPECTION_VIEW),
    ("", "我的检查任务", "inspections:task_mine", Cap.INSPECTION_RECORD),
    ("行政处罚", "案源", "enforcement:lead_list", Cap.CASE_LEAD_VIEW),
    ("来信来访", "信访与依申请公开", "matters:matter_list", Cap.MATTER_VIEW),
    ("机构与人员", "组织机构", "core:organisation_list", Cap.ORG_VIEW),
    ("机构与人员", "用户管理", "core:user_list", Cap.ORG_MANAGE),
    ("机构与人员", "执法人员", "core:officer_list", Cap.ORG_VIEW),
    ("系统", "节假日日历", "core:calendar", Cap.CALENDAR_MANAGE),
    ("系统", "审计记录", "core:audit_list", Cap.AUDIT_VIEW),
    ("系统", "我的后台任务", "core:job_list", None),
]


def _active(path: str, url: str) -> bool:
    return path == url if url == "/" else path.startswith(url)


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items: list[dict[str, Any]] = []
    groups: dict[str, dict[str, Any]] = {}
    for group, label, name, cap in NAV:
        if cap is not None and not has_cap(user, cap):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue  # the page is not installed in this build
        link = {"label": label, "url": url, "active": _active(request.path, url)}
        if not group:
            items.append(link)
            continue
        if group not in groups:
            groups[group] = {"label": group, "children": [], "active": False}
            items.append(groups[group])
        groups[group]["children"].append(link)
        groups[group]["active"] = groups[group]["active"] or link["active"]
    from fazhi.core.selectors.deadlines import calendar_wait

    return {"nav_items": items, "calendar_wait": calendar_wait(user=user)}
