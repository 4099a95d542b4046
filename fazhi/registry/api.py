"""REST API of the entity directory: the same selectors and services as the pages."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fazhi.core import import_limits, params
from fazhi.core.pagination import PaginatedView
from fazhi.core.roles import Cap
from fazhi.core.scope import get_scoped, require_cap
from fazhi.registry import importing, selectors, services
from fazhi.registry.models import (
    Entity,
    EntityKind,
    EntityStatus,
    ImportBatch,
    Licence,
    LicenceKind,
    RiskGrade,
    SupervisionCategory,
)

# --- serializers ----------------------------------------------------------------------------------


class CategorySerializer(serializers.ModelSerializer[SupervisionCategory]):
    class Meta:
        model = SupervisionCategory
        fields = ["id", "code", "name"]


class LicenceSerializer(serializers.ModelSerializer[Licence]):
    class Meta:
        model = Licence
        fields = ["id", "entity", "kind", "number", "scope", "valid_from", "valid_to"]


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


class LicenceWriteSerializer(serializers.Serializer[Any]):
    entity = params.IdField()
    kind = serializers.ChoiceField(choices=LicenceKind.choices)
    number = serializers.CharField(max_length=60)
    scope = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    valid_from = params.DateField()
    valid_to = params.DateField(required=False, allow_null=True, default=None)


class ImportErrorSerializer(serializers.Serializer[Any]):
    row = serializers.IntegerField()
    column = serializers.CharField()
    code = serializers.CharField()
    message = serializers.CharField()


class ImportBatchSerializer(serializers.ModelSerializer[ImportBatch]):
    errors = ImportErrorSerializer(many=True, read_only=True)  # type: ignore[assignment]
    is_clean = serializers.BooleanField(read_only=True)
    errors_truncated = serializers.BooleanField(
        read_only=True, help_text="errors holds only the first errors; error_count counts all"
    )

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "organisation",
            "file_name",
            "file_hash",
            "file_format",
            "status",
            "row_count",
            "error_count",
            "is_clean",
            "errors",
            "errors_truncated",
            "created_at",
            "confirmed_at",
        ]
        read_only_fields = fields


class ImportUploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField()
    organisation = params.IdField(required=False)


# --- views ----------------------------------------------------------------------------------------

_FILTER_PARAMS = [
    OpenApiParameter("q", str, description="名称包含或代码开头"),
    params.choice_parameter("kind", EntityKind.values),
    OpenApiParameter("category", str, description="专业类别代码"),
    params.choice_parameter("status", EntityStatus.values),
    params.choice_parameter("risk_grade", RiskGrade.values),
    OpenApiParameter("division", str, description="行政区划代码前缀"),
    params.id_parameter("organisation"),
    params.choice_parameter("active", selectors.ACTIVE_CHOICES, "默认1（在册）"),
]


def _organisation(request: Request, org_id: int | None) -> Any:
    orgs = selectors.organisations_for_registry(user=request.user)
    return get_scoped(orgs, org_id or request.user.organisation_id)  # type: ignore[union-attr]


class EntityListView(PaginatedView):
    @extend_schema(parameters=_FILTER_PARAMS, responses=EntitySerializer(many=True))
    def get(self, request: Request) -> Response:
        require_cap(request.user, Cap.REGISTRY_VIEW)  # type: ignore[arg-type]
        filters = selectors.EntityFilters.from_params(request.query_params)
        qs = selectors.entity_list(user=request.user, filters=filters).order_by("id")
        return self.paginated(qs, EntitySerializer)

    @extend_schema(request=EntityWriteSerializer, responses={201: EntityDetailSerializer})
    def post(self, request: Request) -> Response:
        body = EntityWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        organisation = _organisation(request, data.pop("organisation", None))
        entity = services.entity_create(
            actor=request.user,  # type: ignore[arg-type]
            organisation=organisation,
            **data,
        )
        entity = selectors.entity_get(user=request.user, entity_id=entity.pk)
        return Response(EntityDetailSerializer(entity).data, status=status.HTTP_201_CREATED)


class EntityDetailView(APIView):
    @extend_schema(responses=EntityDetailSerializer)
    def get(self, request: Request, entity_id: int) -> Response:
        require_cap(request.user, Cap.REGISTRY_VIEW)  # type: ignore[arg-type]
        entity = selectors.entity_get(user=request.user, entity_id=entity_id)
        return Response(EntityDetailSerializer(entity).data)

    @extend_schema(request=EntityUpdateSerializer, responses=EntityDetailSerializer)
    def patch(self, request: Request, entity_id: int) -> Response:
        # the entity must be visible before anything is attempted: 404 outside scope
        selectors.entity_get(user=request.user, entity_id=entity_id)
        body = EntityUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        grade = data.pop("risk_grade", None)
        reason = data.pop("risk_reason", "")
        if data:
            services.entity_update(
                actor=request.user,  # type: ignore[arg-type]
                entity_id=entity_id,
                **data,
            )
        if grade is not None:
            services.risk_grade_set(
                actor=request.user,  # type: ignore[arg-type]
                entity_id=entity_id,
                grade=grade,
                reason=reason,
            )
        entity = selectors.entity_get(user=request.user, entity_id=entity_id)
        return Response(EntityDetailSerializer(entity).data)


class EntityDeactivateView(APIView):
    @extend_schema(request=ReasonSerializer, responses=EntityDetailSerializer)
    def post(self, request: Request, entity_id: int) -> Response:
        selectors.entity_get(user=request.user, entity_id=entity_id)  # 404 outside scope, first
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.entity_deactivate(
            actor=request.user,  # type: ignore[arg-type]
            entity_id=entity_id,
            reason=body.validated_data["reason"],
        )
        entity = selectors.entity_get(user=request.user, entity_id=entity_id)
        return Response(EntityDetailSerializer(entity).data)


class EntityDeleteView(APIView):
    @extend_schema(request=ReasonSerializer, responses={204: None})
    def post(self, request: Request, entity_id: int) -> Response:
        selectors.entity_get(user=request.user, entity_id=entity_id)  # 404 outside scope, first
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.entity_delete(
            actor=request.user,  # type: ignore[arg-type]
            entity_id=entity_id,
            reason=body.validated_data["reason"],
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class CategoryListView(APIView):
    @extend_schema(responses=CategorySerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(CategorySerializer(selectors.category_list(), many=True).data)


class LicenceListView(PaginatedView):
    @extend_schema(
        parameters=[params.id_parameter("entity")], responses=LicenceSerializer(many=True)
    )
    def get(self, request: Request) -> Response:
        require_cap(request.user, Cap.REGISTRY_VIEW)  # type: ignore[arg-type]
        qs = selectors.licence_list(
            user=request.user, entity_id=params.object_id(request.query_params, "entity")
        )
        return self.paginated(qs, LicenceSerializer)

    @extend_schema(request=LicenceWriteSerializer, responses={201: LicenceSerializer})
    def post(self, request: Request) -> Response:
        body = LicenceWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        entity_id = data.pop("entity")
        selectors.entity_get(user=request.user, entity_id=entity_id)
        licence = services.licence_add(
            actor=request.user,  # type: ignore[arg-type]
            entity_id=entity_id,
            **data,
        )
        return Response(LicenceSerializer(licence).data, status=status.HTTP_201_CREATED)


class ImportUploadView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=ImportUploadSerializer, responses={201: ImportBatchSerializer})
    def post(self, request: Request) -> Response:
        body = ImportUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        organisation = _organisation(request, body.validated_data.get("organisation"))
        upload = body.validated_data["file"]
        batch = importing.import_batch_stage(
            actor=request.user,  # type: ignore[arg-type]
            organisation=organisation,
            file_name=upload.name or "upload",
            content=import_limits.read_upload(upload),
        )
        return Response(ImportBatchSerializer(batch).data, status=status.HTTP_201_CREATED)


class ImportBatchView(APIView):
    @extend_schema(responses=ImportBatchSerializer)
    def get(self, request: Request, batch_id: int) -> Response:
        require_cap(request.user, Cap.REGISTRY_VIEW)  # type: ignore[arg-type]
        batch = selectors.import_batch_get(user=request.user, batch_id=batch_id)
        return Response(ImportBatchSerializer(batch).data)


class ImportConfirmView(APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(request=None, responses=ImportBatchSerializer)
    def post(self, request: Request, batch_id: int) -> Response:
        selectors.import_batch_get(user=request.user, batch_id=batch_id)
        batch = importing.import_batch_confirm(
            actor=request.user,  # type: ignore[arg-type]
            batch_id=batch_id,
        )
        batch = selectors.import_batch_get(user=request.user, batch_id=batch.pk)
        return Response(ImportBatchSerializer(batch).data)


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
    path("licences/", LicenceListView.as_view(), name="registry-licences"),
    path("imports/", ImportUploadView.as_view(), name="registry-import-upload"),
    path("imports/<id:batch_id>/", ImportBatchView.as_view(), name="registry-import"),
    path(
        "imports/<id:batch_id>/confirm/",
        ImportConfirmView.as_view(),
        name="registry-import-confirm",
    ),
]
