"""The shell's side menu and breadcrumbs: a declarative registry of groups and entries.

A domain adds its pages to ``MENU`` (a new ``MenuEntry`` in its group, or a new ``MenuGroup``);
each entry names the capability it needs, so a user only sees the groups and entries their role
can use. The breadcrumbs of a page (工作台 › group › entry › the page) come from the same registry:
the entry whose address is the longest prefix of the page's path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap


@dataclass(frozen=True)
class MenuEntry:
    label: str
    url_name: str
    cap: Cap | None = None  # None: everyone signed in
    icon: str = "dot"  # a Bootstrap Icons name (bi-<icon>)


@dataclass(frozen=True)
class MenuGroup:
    label: str
    icon: str
    entries: tuple[MenuEntry, ...]
    anchor: str = ""  # the HTML id of the collapsible group (ASCII)


HOME = MenuEntry("工作台", "core:workbench", None, "house")

MENU: tuple[MenuGroup, ...] = (
    MenuGroup(
        "日常工作",
        "briefcase",
        (
            MenuEntry("我的检查任务", "inspections:task_mine", Cap.INSPECTION_RECORD, "phone"),
            MenuEntry("期限管理", "core:deadline_list", Cap.DEADLINE_VIEW, "hourglass-split"),
            MenuEntry("期限计算器", "core:deadline_calculator", None, "calculator"),
            MenuEntry("文书编号", "core:docnumber_list", Cap.ORG_VIEW, "123"),
            MenuEntry("我的后台任务", "core:job_list", None, "cloud-arrow-down"),
        ),
        anchor="menu-daily",
    ),
    MenuGroup(
        "双随机、一公开",
        "shuffle",
        (
            MenuEntry("检查对象名录库", "registry:entity_list", Cap.REGISTRY_VIEW, "buildings"),
            MenuEntry("抽查计划", "inspections:plan_list", Cap.INSPECTION_VIEW, "calendar3"),
            MenuEntry("抽查任务", "inspections:task_list", Cap.INSPECTION_VIEW, "list-check"),
            MenuEntry("抽查事项清单", "inspections:item_list", Cap.INSPECTION_VIEW, "card-list"),
            MenuEntry("检查人员库", "inspections:pool_list", Cap.INSPECTION_VIEW, "people"),
            MenuEntry("抽查统计", "inspections:figures_year", Cap.INSPECTION_VIEW, "bar-chart"),
        ),
        anchor="menu-inspections",
    ),
    MenuGroup(
        "行政处罚",
        "shield-check",
        (
            MenuEntry("案源", "enforcement:lead_list", Cap.CASE_LEAD_VIEW, "inbox"),
            MenuEntry("行政处罚案件", "enforcement:case_list", Cap.CASE_VIEW, "folder2-open"),
            MenuEntry("当场处罚", "enforcement:case_on_the_spot", Cap.CASE_HANDLE, "lightning"),
            MenuEntry(
                "执法文书批量生成",
                "enforcement:case_documents_batch",
                Cap.CASE_VIEW,
                "file-earmark-word",
            ),
            MenuEntry("案卷评查", "enforcement:case_file_list", Cap.CASE_VIEW, "clipboard-check"),
            MenuEntry("裁量基准", "discretion:benchmark_list", Cap.DISCRETION_VIEW, "sliders"),
        ),
        anchor="menu-enforcement",
    ),
    MenuGroup(
        "信用监管",
        "shield-check",
        (
            MenuEntry("信用记录", "credit:record_list", Cap.CREDIT_VIEW, "journal-text"),
            MenuEntry("不良执业行为记分", "credit:point_list", Cap.CREDIT_VIEW, "123"),
            MenuEntry("记分门槛提示", "credit:alert_list", Cap.CREDIT_VIEW, "exclamation-diamond"),
            MenuEntry("红黑名单", "credit:list_entries", Cap.CREDIT_VIEW, "list-check"),
        ),
        anchor="menu-credit",
    ),
    MenuGroup(
        "来信来访",
        "envelope-open",
        (
            MenuEntry("信访与依申请公开", "matters:matter_list", Cap.MATTER_VIEW, "envelope-paper"),
            MenuEntry("行政复议和应诉", "appeals:appeal_list", Cap.APPEAL_VIEW, "bank"),
            MenuEntry("督办件", "matters:supervision_list", Cap.MATTER_VIEW, "flag"),
            MenuEntry("主动公开", "matters:proactive_list", Cap.MATTER_VIEW, "megaphone"),
            MenuEntry("来件统计", "matters:matter_figures", Cap.MATTER_VIEW, "bar-chart"),
            MenuEntry("热线工单", "matters:hotline_list", Cap.MATTER_VIEW, "telephone"),
        ),
        anchor="menu-matters",
    ),
    MenuGroup(
        "建议提案与医疗纠纷",
        "people",
        (
            MenuEntry("建议提案办理", "matters:proposal_list", Cap.MATTER_VIEW, "chat-square-text"),
            MenuEntry("医疗纠纷", "disputes:dispute_list", Cap.DISPUTE_VIEW, "heart-pulse"),
            MenuEntry(
                "月度纠纷排查", "disputes:screening_month", Cap.DISPUTE_VIEW, "calendar-check"
            ),
            MenuEntry("医疗责任保险", "disputes:insurance_list", Cap.DISPUTE_VIEW, "shield-plus"),
        ),
        anchor="menu-proposals-disputes",
    ),
    MenuGroup(
        "机构与人员",
        "diagram-3",
        (
            MenuEntry("组织机构", "core:organisation_list", Cap.ORG_VIEW, "diagram-3"),
            MenuEntry("用户管理", "core:user_list", Cap.ORG_MANAGE, "person-gear"),
            MenuEntry("执法人员", "core:officer_list", Cap.ORG_VIEW, "person-badge"),
        ),
        anchor="menu-people",
    ),
    MenuGroup(
        "系统",
        "gear",
        (
            MenuEntry("节假日日历", "core:calendar", Cap.CALENDAR_MANAGE, "calendar-week"),
            MenuEntry("审计记录", "core:audit_list", Cap.AUDIT_VIEW, "journal-text"),
            MenuEntry("网站信息", "core:site_settings", Cap.ORG_MANAGE, "globe"),
            MenuEntry("规则包", "core:rule_list", Cap.ORG_MANAGE, "book"),
        ),
        anchor="menu-system",
    ),
)


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None  # the page is not installed in this build


def _matches(path: str, url: str) -> bool:
    return path == url if url == "/" else path.startswith(url)


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "breadcrumbs": []}
    path = request.path
    home_url = _url(HOME.url_name) or "/"
    items: list[dict[str, Any]] = [
        {
            "label": HOME.label,
            "url": home_url,
            "icon": HOME.icon,
            "active": path == home_url,
            "children": [],
        }
    ]
    best: tuple[int, dict[str, Any], dict[str, Any]] | None = None
    for group in MENU:
        children: list[dict[str, Any]] = []
        for entry in group.entries:
            if entry.cap is not None and not has_cap(user, entry.cap):
                continue
            url = _url(entry.url_name)
            if url is None:
                continue
            link: dict[str, Any] = {
                "label": entry.label,
                "url": url,
                "icon": entry.icon,
                "active": False,
            }
            children.append(link)
        if not children:
            continue
        item: dict[str, Any] = {
            "label": group.label,
            "icon": group.icon,
            "anchor": group.anchor,
            "children": children,
            "active": False,
        }
        items.append(item)
        for link in children:
            if _matches(path, link["url"]) and (best is None or len(link["url"]) > best[0]):
                best = (len(link["url"]), item, link)
    breadcrumbs: list[dict[str, Any]] = []
    if best is not None:
        _, group_item, link = best
        link["active"] = group_item["active"] = True
        deeper = path != link["url"]
        breadcrumbs = [
            {"label": HOME.label, "url": home_url},
            {"label": group_item["label"], "url": ""},
            {"label": link["label"], "url": link["url"] if deeper else ""},
        ]
    elif path != home_url:
        breadcrumbs = [{"label": HOME.label, "url": home_url}]
    from fazhi.core.selectors.deadlines import calendar_wait

    return {
        "nav_items": items,
        "breadcrumbs": breadcrumbs,
        "breadcrumb_deeper": bool(breadcrumbs) and bool(breadcrumbs[-1]["url"]),
        "calendar_wait": calendar_wait(user=user),
    }
