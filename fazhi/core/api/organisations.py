"""API: organisations."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fazhi.core import errors, params
from fazhi.core.access import acting_user
from fazhi.core.api._orgadmin import validated
from fazhi.core.audit_events import OrganisationEvents
from fazhi.core.models import (
    Organisation,
    OrganisationKind,
    OrganisationLevel,
)
from fazhi.core.pagination import PaginatedView
from fazhi.core.roles import Cap
from fazhi.core.selectors import org as org_selectors
from fazhi.core.services import org as org_services


class OrganisationSerializer(serializers.ModelSerializer[Organisation]):
    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "short_name",
            "kind",
            "level",
            "division_code",
            "parent",
            "path",
            "is_active",
        ]
        read_only_fields = fields


class OrganisationCreateSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100)
    short_name = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
    kind = serializers.ChoiceField(choices=OrganisationKind.choices)
    level = serializers.ChoiceField(choices=OrganisationLevel.choices)
    division_code = serializers.CharField(max_length=6)
    parent = params.IdField(help_text="上级卫生健康委的 id")  # type: ignore[assignment]


class OrganisationUpdateSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100, required=False)
    short_name = serializers.CharField(max_length=20, required=False, allow_blank=True)
    division_code = serializers.CharField(max_length=6, required=False)
    parent = params.IdField(required=False, help_text="移动到该上级机构之下")  # type: ignore[assignment]


# --- organisations -------------------------------------------------------------------------------


class OrganisationListView(PaginatedView):
    @extend_schema(
        summary="机构列表（按数据范围）",
        responses=OrganisationSerializer(many=True),
        tags=["组织机构"],
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request, Cap.ORG_VIEW, action=OrganisationEvents.ORGANISATION_LISTED)
        return self.paginated(org_selectors.organisation_list(user=user), OrganisationSerializer)

    @extend_schema(
        summary="新建机构",
        request=OrganisationCreateSerializer,
        responses={201: OrganisationSerializer},
        tags=["组织机构"],
    )
    def post(self, request: Request) -> Response:
        user = acting_user(request, Cap.ORG_MANAGE, action=OrganisationEvents.ORGANISATION_CREATED)
        data = validated(OrganisationCreateSerializer, request)
        org = org_services.organisation_create(
            actor=user,
            name=data["name"],
            short_name=data["short_name"],
            kind=data["kind"],
            level=data["level"],
            division_code=data["division_code"],
            parent=org_selectors.organisation_get(user=user, pk=data["parent"]),
        )
        return Response(OrganisationSerializer(org).data, status=status.HTTP_201_CREATED)


class OrganisationDetailView(APIView):
    @extend_schema(summary="机构详情", responses=OrganisationSerializer, tags=["组织机构"])
    def get(self, request: Request, pk: int) -> Response:
        user = acting_user(request, Cap.ORG_VIEW, action=OrganisationEvents.ORGANISATION_VIEWED)
        return Response(
            OrganisationSerializer(org_selectors.organisation_get(user=user, pk=pk)).data
        )

    @extend_schema(
        summary="修改或移动机构",
        request=OrganisationUpdateSerializer,
        responses=OrganisationSerializer,
        tags=["组织机构"],
    )
    def patch(self, request: Request, pk: int) -> Response:
        user = acting_user(request, Cap.ORG_MANAGE, action=OrganisationEvents.ORGANISATION_UPDATED)
        org = org_selectors.organisation_get(user=user, pk=pk)
        data = validated(OrganisationUpdateSerializer, request)
        moving = "parent" in data and data["parent"] != org.parent_id
        if moving and any(k in data and data[k] != getattr(org, k) for k in ("name", "short_name")):
            # two services, two transactions: a failed move must not leave a committed rename
            raise errors.ValidationFailed(
                "移动机构与更名须分别提交。", code="mixed_change", field="parent"
            )
        org = org_services.organisation_update(
            actor=user,
            organisation=org,
            name=data.get("name"),
            short_name=data.get("short_name"),
            division_code=None if moving else data.get("division_code"),
        )
        if moving:
            new_parent = org_selectors.organisation_get(user=user, pk=data["parent"])
            org = org_services.organisation_move(
                actor=user,
                organisation=org,
                new_parent=new_parent,
                division_code=data.get("division_code"),
            )
        return Response(OrganisationSerializer(org).data)


urlpatterns: list[URLPattern] = [
    path("organisations/", OrganisationListView.as_view(), name="api-organisation-list"),
    path(
        "organisations/<id:pk>/", OrganisationDetailView.as_view(), name="api-organisation-detail"
    ),
]
