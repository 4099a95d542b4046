"""API: the item list. Same selectors and services as the pages."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fazhi.core import params
from fazhi.core.access import acting_user
from fazhi.core.models import Organisation, User
from fazhi.core.pagination import PaginatedView
from fazhi.core.roles import Cap
from fazhi.core.selectors.org import organisation_get
from fazhi.inspections.events import ItemEvents
from fazhi.inspections.models import InspectionItem
from fazhi.inspections.selectors import items as item_selectors
from fazhi.inspections.services import items as item_services
from fazhi.registry.models import EntityKind, SupervisionCategory


class ItemSerializer(serializers.ModelSerializer[InspectionItem]):
    category: serializers.SlugRelatedField[SupervisionCategory] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    category_name = serializers.CharField(source="category.name", read_only=True)

    class Meta:
        model = InspectionItem
        fields = [
            "id",
            "organisation",
            "category",
            "category_name",
            "code",
            "name",
            "legal_basis",
            "content",
            "applicable_kinds",
            "default_ratio",
            "frequency",
            "is_active",
            "created_at",
        ]
        read_only_fields = fields


class ItemWriteSerializer(serializers.Serializer[Any]):
    organisation = params.IdField(required=False, help_text="默认为当前用户所属机构")
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=SupervisionCategory.objects.all()
    )
    code = serializers.CharField(max_length=60, allow_blank=True)
    name = serializers.CharField(max_length=400, allow_blank=True)
    legal_basis = serializers.CharField(allow_blank=True)
    content = serializers.CharField(allow_blank=True, required=False, default="")
    applicable_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=EntityKind.choices), required=False, default=list
    )
    default_ratio = serializers.DecimalField(
        max_digits=8, decimal_places=2, required=False, allow_null=True, default=None
    )
    frequency = serializers.CharField(allow_blank=True, required=False, default="")


class ItemUpdateSerializer(ItemWriteSerializer):
    organisation = None  # type: ignore[assignment]
    code = None  # type: ignore[assignment]


class ItemReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(allow_blank=True)


def _organisation(user: User, pk: int | None) -> Organisation:
    if pk is None:
        assert user.organisation is not None
        return user.organisation
    return organisation_get(user=user, pk=pk)


class ItemListView(PaginatedView):
    @extend_schema(
        summary="抽查事项清单",
        parameters=[
            OpenApiParameter("category", str, description="专业类别代码"),
            OpenApiParameter("active", bool),
            OpenApiParameter("q", str),
        ],
        responses=ItemSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        qs = item_selectors.item_list(
            user=acting_user(request),
            category=request.query_params.get("category") or None,
            active=params.boolean(request.query_params, "active"),
            q=request.query_params.get("q", ""),
        )
        return self.paginated(qs, ItemSerializer)

    @extend_schema(
        summary="新增抽查事项", request=ItemWriteSerializer, responses={201: ItemSerializer}
    )
    def post(self, request: Request) -> Response:
        user = acting_user(request, Cap.INSPECTION_PLAN, action=ItemEvents.CREATED)
        data = ItemWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        organisation = _organisation(user, values.pop("organisation", None))
        item = item_services.item_create(actor=user, organisation=organisation, **values)
        return Response(ItemSerializer(item).data, status=status.HTTP_201_CREATED)


class ItemDetailView(APIView):
    @extend_schema(summary="抽查事项详情", responses=ItemSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(
            ItemSerializer(item_selectors.item_get(user=acting_user(request), pk=pk)).data
        )

    @extend_schema(
        summary="修改抽查事项（可只传需修改的字段）",
        request=ItemUpdateSerializer,
        responses=ItemSerializer,
    )
    def patch(self, request: Request, pk: int) -> Response:
        user = acting_user(request, Cap.INSPECTION_PLAN, action=ItemEvents.UPDATED)
        item = item_selectors.item_get(user=user, pk=pk)
        current = {
            "category": item.category.code,
            "name": item.name,
            "legal_basis": item.legal_basis,
            "content": item.content,
            "applicable_kinds": list(item.applicable_kinds),
            "default_ratio": item.default_ratio,
            "frequency": item.frequency,
        }
        incoming = request.data if isinstance(request.data, dict) else {}
        data = ItemUpdateSerializer(data={**current, **incoming})
        data.is_valid(raise_exception=True)
        updated = item_services.item_update(actor=user, item=item, **data.validated_data)
        return Response(ItemSerializer(updated).data)


class ItemDeactivateView(APIView):
    @extend_schema(summary="停用抽查事项", request=ItemReasonSerializer, responses=ItemSerializer)
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request, Cap.INSPECTION_PLAN, action=ItemEvents.DEACTIVATED)
        item = item_selectors.item_get(user=user, pk=pk)
        data = ItemReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = item_services.item_deactivate(
            actor=user, item=item, reason=data.validated_data["reason"]
        )
        return Response(ItemSerializer(item).data)


class ItemReactivateView(APIView):
    @extend_schema(summary="重新启用抽查事项", request=None, responses=ItemSerializer)
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request, Cap.INSPECTION_PLAN, action=ItemEvents.REACTIVATED)
        item = item_services.item_reactivate(
            actor=user, item=item_selectors.item_get(user=user, pk=pk)
        )
        return Response(ItemSerializer(item).data)


urlpatterns: list[URLPattern] = [
    path("items/", ItemListView.as_view(), name="api-item-list"),
    path("items/<id:pk>/", ItemDetailView.as_view(), name="api-item-detail"),
    path("items/<id:pk>/deactivate/", ItemDeactivateView.as_view(), name="api-item-deactivate"),
    path("items/<id:pk>/reactivate/", ItemReactivateView.as_view(), name="api-item-reactivate"),
]
