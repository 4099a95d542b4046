"""API: the entity directory's entities and supervision categories."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fazhi.core import params
from fazhi.core.access import acting_user
from fazhi.core.pagination import PaginatedView
from fazhi.core.roles import Cap
from fazhi.registry.api._common import organisation_for
from fazhi.registry.api.licences import LicenceSerializer
from fazhi.registry.events import EntityEvent
from fazhi.registry.models import (
    Entity,
    EntityKind,
    EntityStatus,
    RiskGrade,
    SupervisionCategory,
)
from fazhi.registry.selectors import entities as entity_selectors
from fazhi.registry.services import entities as entity_services


class CategorySerializer(serializers.ModelSerializer[SupervisionCategory]):
    class Meta:
        model = SupervisionCategory
        fields = ["id", "code", "name"]


class EntitySerializer(serializers.ModelSerializer[Entity]):
    categories: serializers.SlugRelatedField[SupervisionCategory] = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="code"
    )
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = Entity
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "name",
            "uscc",
            "id_number",
            "is_individual",
            "kind",
            "categories",
            "division_code",
            "address",
            "legal_representative",
            "status",
            "is_active",
            "deactivated_reason",
            "risk_grade",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class EntityDetailSerializer(EntitySerializer):
    licences = LicenceSerializer(many=True, read_only=True)

    class Meta(EntitySerializer.Meta):
        fields = [*EntitySerializer.Meta.fields, "licences"]
        read_only_fields = fields


class EntityWriteSerializer(serializers.Serializer[Any]):
    organisation = params.IdField(required=False, help_text="默认为当前用户所属机构")
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=EntityKind.choices)
    division_code = serializers.CharField(max_length=6)
    uscc = serializers.CharField(max_length=18, required=False, allow_blank=True, default="")
    id_number = serializers.CharField(max_length=18, required=False, allow_blank=True, default="")
    is_individual = serializers.BooleanField(required=False, default=False)
    categories = serializers.ListField(
        child=serializers.CharField(), required=False, default=list, help_text="专业类别代码"
    )
    address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    legal_representative = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )
    status = serializers.ChoiceField(
        choices=EntityStatus.choices, required=False, default=EntityStatus.OPERATING
    )
    risk_grade = serializers.ChoiceField(
        choices=RiskGrade.choices, required=False, default=RiskGrade.B
    )


class EntityUpdateSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200, required=False)
    kind = serializers.ChoiceField(choices=EntityKind.choices, required=False)
    division_code = serializers.CharField(max_length=6, required=False)
    uscc = serializers.CharField(max_length=18, required=False, allow_blank=True)
    id_number = serializers.CharField(max_length=18, required=False, allow_blank=True)
    is_individual = serializers.BooleanField(required=False)
    categories = serializers.ListField(child=serializers.CharField(), required=False)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    legal_representative = serializers.CharField(max_length=100, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=EntityStatus.choices, required=False)
    risk_grade = serializers.ChoiceField(choices=RiskGrade.choices, required=False)
    risk_reason = serializers.CharField(max_length=500, required=False, allow_blank=True)


class ReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=500)


_FILTER_PARAMS = [
    OpenApiParameter("q", str, description="名称包含或代码开头"),
    params.choice_parameter("kind", EntityKind.values),
    OpenApiParameter("category", str, description="专业类别代码"),
    params.choice_parameter("status", EntityStatus.values),
    params.choice_parameter("risk_grade", RiskGrade.values),
    OpenApiParameter("division", str, description="行政区划代码前缀"),
    params.id_parameter("organisation"),
    params.choice_parameter("active", entity_selectors.ACTIVE_CHOICES, "默认1（在册）"),
]


class EntityListView(PaginatedView):
    @extend_schema(parameters=_FILTER_PARAMS, responses=EntitySerializer(many=True))
    def get(self, request: Request) -> Response:
        user = acting_user(request, Cap.REGISTRY_VIEW, action=EntityEvent.LISTED)
        filters = entity_selectors.EntityFilters.from_params(request.query_params)
        qs = entity_selectors.entity_list(user=user, filters=filters).order_by("id")
        return self.paginated(qs, EntitySerializer)

    @extend_schema(request=EntityWriteSerializer, responses={201: EntityDetailSerializer})
    def post(self, request: Request) -> Response:
        user = acting_user(request)
        body = EntityWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        organisation = organisation_for(user, data.pop("organisation", None))
        entity = entity_services.entity_create(
            actor=user,
            organisation=organisation,
            **data,
        )
        entity = entity_selectors.entity_get(user=user, entity_id=entity.pk)
        return Response(EntityDetailSerializer(entity).data, status=status.HTTP_201_CREATED)


class EntityDetailView(APIView):
    @extend_schema(responses=EntityDetailSerializer)
    def get(self, request: Request, entity_id: int) -> Response:
        user = acting_user(request, Cap.REGISTRY_VIEW, action=EntityEvent.VIEWED)
        entity = entity_selectors.entity_get(user=user, entity_id=entity_id)
        return Response(EntityDetailSerializer(entity).data)

    @extend_schema(request=EntityUpdateSerializer, responses=EntityDetailSerializer)
    def patch(self, request: Request, entity_id: int) -> Response:
        user = acting_user(request)
        # the entity must be visible before anything is attempted: 404 outside scope
        entity_selectors.entity_get(user=user, entity_id=entity_id)
        body = EntityUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        grade = data.pop("risk_grade", None)
        reason = data.pop("risk_reason", "")
        if data:
            entity_services.entity_update(
                actor=user,
                entity_id=entity_id,
                **data,
            )
        if grade is not None:
            entity_services.risk_grade_set(
                actor=user,
                entity_id=entity_id,
                grade=grade,
                reason=reason,
            )
        entity = entity_selectors.entity_get(user=user, entity_id=entity_id)
        return Response(EntityDetailSerializer(entity).data)


class EntityDeactivateView(APIView):
    @extend_schema(request=ReasonSerializer, responses=EntityDetailSerializer)
    def post(self, request: Request, entity_id: int) -> Response:
        user = acting_user(request)
        # 404 outside scope, first
        entity_selectors.entity_get(user=user, entity_id=entity_id)
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        entity_services.entity_deactivate(
            actor=user,
            entity_id=entity_id,
            reason=body.validated_data["reason"],
        )
        entity = entity_selectors.entity_get(user=user, entity_id=entity_id)
        return Response(EntityDetailSerializer(entity).data)


class EntityDeleteView(APIView):
    @extend_schema(request=ReasonSerializer, responses={204: None})
    def post(self, request: Request, entity_id: int) -> Response:
        user = acting_user(request)
        # 404 outside scope, first
        entity_selectors.entity_get(user=user, entity_id=entity_id)
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        entity_services.entity_delete(
            actor=user,
            entity_id=entity_id,
            reason=body.validated_data["reason"],
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class CategoryListView(APIView):
    @extend_schema(responses=CategorySerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(CategorySerializer(entity_selectors.category_list(), many=True).data)


urlpatterns = [
    path("entities/", EntityListView.as_view(), name="registry-entities"),
    path("entities/<id:entity_id>/", EntityDetailView.as_view(), name="registry-entity"),
    path(
        "entities/<id:entity_id>/deactivate/",
        EntityDeactivateView.as_view(),
        name="registry-entity-deactivate",
    ),
    path(
        "entities/<id:entity_id>/delete/",
        EntityDeleteView.as_view(),
        name="registry-entity-delete",
    ),
    path("categories/", CategoryListView.as_view(), name="registry-categories"),
]
