"""Scoped reads of document types and issued document numbers (文号)."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from fazhi.core.models import (
    DocumentNumber,
    DocumentType,
    User,
)
from fazhi.core.scope import get_scoped, scoped


def document_type_list(*, user: User) -> QuerySet[DocumentType]:
    return scoped(DocumentType.objects.all(), user).order_by("organisation_id", "key")


def document_type_get(*, user: User, pk: int | str) -> DocumentType:
    """A document type in the user's scope; another organisation's is "not found" to the user and
    recorded as a denied attempt (``scope.get_scoped``)."""
    return get_scoped(document_type_list(user=user).select_related("organisation"), pk)


def document_number_list(
    *, user: User, type_key: str = "", year: int | None = None
) -> QuerySet[DocumentNumber]:
    qs = scoped(DocumentNumber.objects.all(), user, "document_type__organisation")
    if type_key:
        qs = qs.filter(document_type__key=type_key)
    if year is not None:
        qs = qs.filter(year=year)
    return qs.select_related("document_type").order_by("-issued_at", "-pk")


def document_types_with_counts(*, user: User, year: int) -> list[DocumentType]:
    """The types in scope with their organisation and ``issued_this_year`` (one query)."""
    issued = (
        DocumentNumber.objects.filter(document_type=OuterRef("pk"), year=year)
        .order_by()
        .values("document_type")
        .annotate(n=Count("pk"))
        .values("n")
    )
    qs: QuerySet[DocumentType] = (
        document_type_list(user=user)
        .select_related("organisation")
        .order_by("organisation__path", "key")
        .annotate(
            issued_this_year=Coalesce(
                Subquery(issued, output_field=IntegerField()), Value(0), output_field=IntegerField()
            )
        )
    )
    return list(qs)
