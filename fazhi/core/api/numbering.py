"""API: document types and document numbers (文号) — the scoped lists, and issuing the next number.

Reads need ``Cap.ORG_VIEW`` and go through the same scoped selectors as the page; an
``organisation`` or ``document_type`` filter naming a row outside the caller's scope is a 404 (and a
recorded denial), as everywhere else. Issuing calls ``document_number_take``, which checks
``Cap.DOCNUMBER_ISSUE`` and the scope again.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from fazhi.core import errors, params
from fazhi.core.access import acting_user
from fazhi.core.audit_events import DocumentEvents
from fazhi.core.models import DocumentNumber, DocumentType
from fazhi.core.pagination import PaginatedView
from fazhi.core.roles import Cap
from fazhi.core.selectors import org as org_selectors
from fazhi.core.selectors.numbering import (
    document_number_list,
    document_type_get,
    document_type_list,
)
from fazhi.core.services.numbering import document_number_take

TAGS = ["文号"]


# --- serializers ---------------------------------------------------------------------------------


class DocumentTypeSerializer(serializers.ModelSerializer[DocumentType]):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = DocumentType
        fields = ["id", "organisation", "organisation_name", "key", "name", "prefix"]
        read_only_fields = fields


class DocumentNumberSerializer(serializers.ModelSerializer[DocumentNumber]):
    type_key = serializers.CharField(source="document_type.key", read_only=True)
    type_name = serializers.CharField(source="document_type.name", read_only=True)
    organisation = serializers.IntegerField(
        source="document_type.organisation_id", read_only=True, help_text="机构 id"
    )

    class Meta:
        model = DocumentNumber
        fields = [
            "id",
            "text",
            "document_type",
            "type_key",
            "type_name",
            "organisation",
            "year",
            "serial",
            "issued_at",
        ]
        read_only_fields = fields


class DocumentNumberRequestSerializer(serializers.Serializer[Any]):
    organisation = params.IdField(required=False, help_text="默认为当前用户所属机构")
    type_key = serializers.CharField(max_length=40, help_text="文书类型代码，如 penalty")
    year = params.YearField(required=False, help_text="默认为今年")


IssuedNumberSerializer = inline_serializer(
    "IssuedDocumentNumber", {"number": serializers.CharField(help_text="如 泉卫医罚〔2024〕12号")}
)


# --- views ---------------------------------------------------------------------------------------


class DocumentTypeListView(PaginatedView):
    @extend_schema(
        summary="文书类型列表（按数据范围）",
        parameters=[params.id_parameter("organisation", "机构 id")],
        responses=DocumentTypeSerializer(many=True),
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request, Cap.ORG_VIEW, action=DocumentEvents.TYPE_LISTED)
        org_id = params.object_id(request.query_params, "organisation")
        qs = document_type_list(user=user).select_related("organisation")
        if org_id is not None:
            qs = qs.filter(organisation=org_selectors.organisation_get(user=user, pk=org_id))
        return self.paginated(qs, DocumentTypeSerializer)


class DocumentNumberView(PaginatedView):
    @extend_schema(
        summary="已取文号列表（按数据范围，新的在前）",
        parameters=[
            params.id_parameter("organisation", "机构 id"),
            params.id_parameter("document_type", "文书类型 id"),
            OpenApiParameter("type_key", str, description="文书类型代码，如 penalty"),
            params.year_parameter("year", "年度"),
        ],
        responses=DocumentNumberSerializer(many=True),
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request, Cap.ORG_VIEW, action=DocumentEvents.NUMBER_LISTED)
        query = request.query_params
        org_id = params.object_id(query, "organisation")
        type_id = params.object_id(query, "document_type")
        qs = document_number_list(
            user=user, type_key=query.get("type_key", ""), year=params.year(query)
        )
        if org_id is not None:
            organisation = org_selectors.organisation_get(user=user, pk=org_id)
            qs = qs.filter(document_type__organisation=organisation)
        if type_id is not None:
            qs = qs.filter(document_type=document_type_get(user=user, pk=type_id))
        return self.paginated(qs, DocumentNumberSerializer)

    @extend_schema(
        request=DocumentNumberRequestSerializer,
        responses={201: IssuedNumberSerializer},
        summary="签发下一个文号（同一机构、类型、年度内连续且不重复）",
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        user = acting_user(request, Cap.DOCNUMBER_ISSUE, action=DocumentEvents.NUMBER_ISSUED)
        data = DocumentNumberRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        org_id: int | None = data.validated_data.get("organisation") or user.organisation_id
        if org_id is None:
            raise errors.NotFound()
        # another organisation's id is "not found", and the attempt is recorded
        organisation = org_selectors.organisation_get(user=user, pk=org_id)
        text = document_number_take(
            actor=user,
            organisation=organisation,
            type_key=data.validated_data["type_key"],
            year=data.validated_data.get("year"),
        )
        return Response({"number": text}, status=status.HTTP_201_CREATED)


urlpatterns: list[URLPattern] = [
    path("document-types/", DocumentTypeListView.as_view(), name="api-document-types"),
    path("document-numbers/", DocumentNumberView.as_view(), name="api-document-numbers"),
]
