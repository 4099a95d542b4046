"""API: licences."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from fazhi.core import params
from fazhi.core.access import acting_user
from fazhi.core.pagination import PaginatedView
from fazhi.core.roles import Cap
from fazhi.registry.events import LicenceEvent
from fazhi.registry.models import (
    Licence,
    LicenceKind,
)
from fazhi.registry.selectors import entities as entity_selectors
from fazhi.registry.selectors import licences as licence_selectors
from fazhi.registry.services import licences as licence_services


class LicenceSerializer(serializers.ModelSerializer[Licence]):
    class Meta:
        model = Licence
        fields = ["id", "entity", "kind", "number", "scope", "valid_from", "valid_to"]


class LicenceWriteSerializer(serializers.Serializer[Any]):
    entity = params.IdField()
    kind = serializers.ChoiceField(choices=LicenceKind.choices)
    number = serializers.CharField(max_length=60)
    scope = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    valid_from = params.DateField()
    valid_to = params.DateField(required=False, allow_null=True, default=None)


class LicenceListView(PaginatedView):
    @extend_schema(
        parameters=[params.id_parameter("entity")], responses=LicenceSerializer(many=True)
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request, Cap.REGISTRY_VIEW, action=LicenceEvent.LISTED)
        qs = licence_selectors.licence_list(
            user=user, entity_id=params.object_id(request.query_params, "entity")
        )
        return self.paginated(qs, LicenceSerializer)

    @extend_schema(request=LicenceWriteSerializer, responses={201: LicenceSerializer})
    def post(self, request: Request) -> Response:
        user = acting_user(request)
        body = LicenceWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        entity_id = data.pop("entity")
        entity_selectors.entity_get(user=user, entity_id=entity_id)
        licence = licence_services.licence_add(
            actor=user,
            entity_id=entity_id,
            **data,
        )
        return Response(LicenceSerializer(licence).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("licences/", LicenceListView.as_view(), name="registry-licences"),
]
