"""API: document types and document numbers (文号) — the scoped lists, and issuing the next number.

Reads need ``Cap.ORG_VIEW`` and go through the same scoped selectors as the page; an
``organisation`` or ``document_type`` filter naming a row outside the caller's scope is a 404 (and a
recorded denial), as everywhere else. Issuing calls ``document_number_issue``, which checks
``Cap.DOCNUMBER_ISSUE`` and the scope itself.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fazhi.core import errors, selectors
from fazhi.core.api.orgadmin import PAGE
from fazhi.core.models import DocumentNumber, DocumentType, User
from fazhi.core.numbering import (
    document_number_issue,
    document_number_list,
    document_type_get,
    document_type_list,
)
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap

TAGS = ["文号"]


def _user(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _reader(request: Request, action: str) -> User:
    user = _user(request)
    if not has_cap(user, Cap.ORG_VIEW):
        raise errors.PermissionDenied(attempted=action)
    return user


def _page(request: Request, view: APIView, qs: QuerySet[Any], serializer: Any) -> Response:
    paginator = LimitOffsetPagination()
    page = paginator.paginate_queryset(qs, request, view=view)
    assert page is not None
    return paginator.get_paginated_response(serializer(page, many=True).data)


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


class DocumentTypeFilterSerializer(serializers.Serializer[Any]):
    organisation = serializers.IntegerField(required=False)


class DocumentNumberFilterSerializer(serializers.Serializer[Any]):
    organisation = serializers.IntegerField(required=False)
    document_type = serializers.IntegerField(required=False)
    type_key = serializers.CharField(required=False, allow_blank=True, max_length=40)
    year = serializers.IntegerField(required=False)


class DocumentNumberRequestSerializer(serializers.Serializer[Any]):
    organisation = serializers.IntegerField(required=False, help_text="默认为当前用户所属机构")
    type_key = serializers.CharField(max_length=40, help_text="文书类型代码，如 penalty")
    year = serializers.IntegerField(required=False, help_text="默认为今年")


IssuedNumberSerializer = inline_serializer(
    "IssuedDocumentNumber", {"number": serializers.CharField(help_text="如 泉卫医罚〔2024〕12号")}
)


def _filters(serializer_class: type[serializers.Serializer[Any]], request: Request) -> Any:
    params = serializer_class(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data


# --- views ---------------------------------------------------------------------------------------


class DocumentTypeListView(APIView):
    pagination_class = LimitOffsetPagination  # also tells the schema the list is paginated

    @extend_schema(
        summary="文书类型列表（按数据范围）",
        parameters=[*PAGE, OpenApiParameter("organisation", int, description="机构 id")],
        responses=DocumentTypeSerializer(many=True),
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        user = _reader(request, "document_type.list")
        params = _filters(DocumentTypeFilterSerializer, request)
        qs = document_type_list(user=user).select_related("organisation")
        if "organisation" in params:
            qs = qs.filter(
                organisation=selectors.organisation_get(user=user, pk=params["organisation"])
            )
        return _page(request, self, qs, DocumentTypeSerializer)


class DocumentNumberView(APIView):
    pagination_class = LimitOffsetPagination  # also tells the schema the list is paginated

    @extend_schema(
        summary="已取文号列表（按数据范围，新的在前）",
        parameters=[
            *PAGE,
            OpenApiParameter("organisation", int, description="机构 id"),
            OpenApiParameter("document_type", int, description="文书类型 id"),
            OpenApiParameter("type_key", str, description="文书类型代码，如 penalty"),
            OpenApiParameter("year", int, description="年度"),
        ],
        responses=DocumentNumberSerializer(many=True),
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        user = _reader(request, "document_number.list")
        params = _filters(DocumentNumberFilterSerializer, request)
        qs = document_number_list(
            user=user, type_key=params.get("type_key", ""), year=params.get("year")
        )
        if "organisation" in params:
            organisation = selectors.organisation_get(user=user, pk=params["organisation"])
            qs = qs.filter(document_type__organisation=organisation)
        if "document_type" in params:
            qs = qs.filter(document_type=document_type_get(user=user, pk=params["document_type"]))
        return _page(request, self, qs, DocumentNumberSerializer)

    @extend_schema(
        request=DocumentNumberRequestSerializer,
        responses={201: IssuedNumberSerializer},
        summary="签发下一个文号（同一机构、类型、年度内连续且不重复）",
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        user = _user(request)
        data = DocumentNumberRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        org_id: int | None = data.validated_data.get("organisation") or user.organisation_id
        if org_id is None:
            raise errors.NotFound()
        # another organisation's id is "not found", and the attempt is recorded
        organisation = selectors.organisation_get(user=user, pk=org_id)
        text = document_number_issue(
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
