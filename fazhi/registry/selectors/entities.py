"""Every read of entities, their categories and history, narrowed to the user's data scope.

A list asked for by a user without ``registry.view`` is refused (PermissionDenied), never an
empty list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from fazhi.core import errors, params
from fazhi.core.models import AuditEvent, User
from fazhi.core.roles import Cap
from fazhi.core.scope import get_scoped, require_cap, scoped, visible_organisations
from fazhi.registry.events import EntityEvent
from fazhi.registry.models import (
    Entity,
    EntityKind,
    EntityStatus,
    Licence,
    RiskGrade,
    SupervisionCategory,
)

ACTIVE_CHOICES = ("1", "0", "all")


@dataclass(frozen=True)
class EntityFilters:
    """Filters of the directory list; the same for the page, the API and exports."""

    q: str = ""  # name contains, or code starts with
    kind: str = ""
    category: str = ""  # category code
    status: str = ""
    risk_grade: str = ""
    division: str = ""  # division code prefix (350102, 3501, 35)
    organisation: int | None = None
    active: bool | None = True  # None = both

    @classmethod
    def from_params(cls, query: Any) -> EntityFilters:
        """From a page's or the API's query parameters; a bad value is ``invalid_parameter``."""
        grade = (query.get("risk_grade") or "").strip().upper()
        active = params.choice(query, "active", ACTIVE_CHOICES) or "1"
        return cls(
            q=(query.get("q") or "").strip()[:100],
            kind=params.choice(query, "kind", EntityKind.values) or "",
            category=(query.get("category") or "").strip(),
            status=params.choice(query, "status", EntityStatus.values) or "",
            risk_grade=params.choice({"risk_grade": grade}, "risk_grade", RiskGrade.values) or "",
            division=(query.get("division") or "").strip()[:6],
            organisation=params.object_id(query, "organisation"),
            active={"1": True, "0": False}.get(active),
        )

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in ("", None)}


def category_list() -> QuerySet[SupervisionCategory]:
    """Categories are reference data, the same for every organisation."""
    return SupervisionCategory.objects.filter(is_active=True)


def entity_list(*, user: User | Any, filters: EntityFilters | None = None) -> QuerySet[Entity]:
    require_cap(user, Cap.REGISTRY_VIEW, action=EntityEvent.LISTED)
    filters = filters or EntityFilters()
    qs = scoped(Entity.objects.all(), user)
    if filters.q:
        q = filters.q
        code = q.upper()
        qs = qs.filter(
            Q(name__icontains=q) | Q(uscc__startswith=code) | Q(id_number__startswith=code)
        )
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.category:
        qs = qs.filter(
            pk__in=Entity.categories.through.objects.filter(
                supervisioncategory__code=filters.category
            ).values("entity_id")
        )
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.risk_grade:
        qs = qs.filter(risk_grade=filters.risk_grade)
    if filters.division:
        qs = qs.filter(division_code__startswith=filters.division)
    if filters.organisation is not None:
        qs = qs.filter(organisation_id=filters.organisation)
    if filters.active is not None:
        qs = qs.filter(is_active=filters.active)
    return qs.select_related("organisation").prefetch_related(
        Prefetch("categories", queryset=SupervisionCategory.objects.order_by("sort_order"))
    )


SEARCH_LIMIT = 20  # rows a picker's search returns at most
SEARCH_MAX_LENGTH = 100  # characters of a search text


def entity_search(*, user: User | Any, q: str, limit: int = SEARCH_LIMIT) -> list[Entity]:
    """The picker's search: name contains the text, or the 统一社会信用代码 / 身份证号 starts
    with it. At most ``limit`` (capped at ``SEARCH_LIMIT``) active entities in the user's scope,
    by name. An empty text finds nothing; a text over ``SEARCH_MAX_LENGTH`` characters is
    ``invalid_parameter``."""
    require_cap(user, Cap.REGISTRY_VIEW, action=EntityEvent.LISTED)
    text = (q or "").strip()
    if len(text) > SEARCH_MAX_LENGTH:
        raise errors.InvalidParameter("q", f"搜索内容不能超过{SEARCH_MAX_LENGTH}个字符。")
    if not text:
        return []
    limit = max(1, min(limit, SEARCH_LIMIT))
    code = text.upper()
    qs = scoped(Entity.objects.filter(is_active=True), user).filter(
        Q(name__icontains=text) | Q(uscc__startswith=code) | Q(id_number__startswith=code)
    )
    return list(qs.select_related("organisation").order_by("name", "id")[:limit])


def entity_get(*, user: User | Any, entity_id: int) -> Entity:
    return get_scoped(
        scoped(Entity.objects.all(), user)
        .select_related("organisation", "import_batch")
        .prefetch_related(
            "categories",
            Prefetch("licences", queryset=Licence.objects.order_by("-valid_from", "id")),
        ),
        entity_id,
    )


def entity_history(*, user: User | Any, entity_id: int) -> QuerySet[AuditEvent]:
    """The directory's own history of an entity: every audit event recorded against it."""
    require_cap(user, Cap.REGISTRY_VIEW, action=EntityEvent.VIEWED)
    entity_get(user=user, entity_id=entity_id)  # scope check (404 outside scope)
    return AuditEvent.objects.filter(
        object_type=Entity._meta.label_lower, object_id=str(entity_id)
    ).order_by("-seq")


def organisations_for_registry(*, user: User | Any) -> QuerySet[Any]:
    """Organisations the user may file entities under (and filter the list by)."""
    return visible_organisations(user).filter(is_active=True)
