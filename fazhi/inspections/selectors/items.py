"""Selectors: the item list, scoped to what the user may read; its Excel export."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from fazhi.core.exports import xlsx_bytes
from fazhi.core.models import Organisation, User
from fazhi.core.roles import Cap
from fazhi.core.scope import (
    get_scoped,
    lineage_ids,
    organisation_filter,
    require_cap,
    scoped,
)
from fazhi.inspections.events import ItemEvents, PlanEvents
from fazhi.inspections.models import InspectionItem
from fazhi.registry.models import EntityKind


def item_list(
    *,
    user: User,
    category: str | None = None,
    active: bool | None = None,
    q: str = "",
) -> QuerySet[InspectionItem]:
    """Items of the user's scope; ``category`` is a category code."""
    require_cap(user, Cap.INSPECTION_VIEW, action=ItemEvents.LISTED)
    qs = scoped(InspectionItem.objects.all(), user).select_related("category", "organisation")
    if category:
        qs = qs.filter(category__code=category)
    if active is not None:
        qs = qs.filter(is_active=active)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(legal_basis__icontains=q))
    return qs.order_by("category__sort_order", "code", "id")


def items_for_plan(*, organisation: Organisation) -> QuerySet[InspectionItem]:
    """Items a plan of ``organisation`` may list: those of the organisation and of the levels
    above it (a higher level's item list applies below it). Services resolve item ids from input
    here, so another branch's item is "unknown", never named."""
    return InspectionItem.objects.filter(organisation_id__in=lineage_ids(organisation))


def item_choices_for_planning(*, user: User) -> QuerySet[InspectionItem]:
    """Active items the user may put in a plan of any organisation in their scope: those of the
    scope and of the levels above the user's organisation. Nothing of a sibling branch; refused
    to a user who does not plan."""
    require_cap(user, Cap.INSPECTION_PLAN, action=PlanEvents.CREATED)
    assert user.organisation is not None  # a capability needs an organisation
    return (
        InspectionItem.objects.filter(
            organisation_filter(user) | Q(organisation_id__in=lineage_ids(user.organisation)),
            is_active=True,
        )
        .select_related("category")
        .order_by("category__sort_order", "code", "id")
    )


def item_get(*, user: User, pk: int) -> InspectionItem:
    require_cap(user, Cap.INSPECTION_VIEW, action=ItemEvents.VIEWED)
    return get_scoped(scoped(InspectionItem.objects.all(), user).select_related("category"), pk)


ITEM_EXPORT_HEADERS = [
    "事项编码",
    "专业类别",
    "抽查事项",
    "检查依据",
    "检查内容",
    "适用对象类型",
    "默认抽查比例（%）",
    "抽查频次",
    "状态",
    "所属机构",
]


def kind_labels(kinds: Iterable[str]) -> str:
    labels = dict(EntityKind.choices)
    return "、".join(str(labels.get(kind, kind)) for kind in kinds)


def item_export_rows(items: Iterable[InspectionItem]) -> list[list[Any]]:
    return [
        [
            item.code,
            item.category.name,
            item.name,
            item.legal_basis,
            item.content,
            kind_labels(item.applicable_kinds),
            float(item.default_ratio) if item.default_ratio is not None else "",
            item.frequency,
            "启用" if item.is_active else "停用",
            item.organisation.name,
        ]
        for item in items
    ]


def item_export_xlsx(*, user: User, **filters: Any) -> bytes:
    items = item_list(user=user, **filters).select_related("organisation")
    return xlsx_bytes([("抽查事项清单", ITEM_EXPORT_HEADERS, item_export_rows(items))])
