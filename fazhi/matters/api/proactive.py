"""API: proactive disclosure (主动公开): the items with their publication record, registration,
publication and change (the same services and selectors as the page)."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fazhi.core import params
from fazhi.core.access import acting_user
from fazhi.core.pagination import PaginatedView
from fazhi.core.roles import Cap
from fazhi.matters.events import MatterEvent
from fazhi.matters.models import (
    ProactiveCategory,
    ProactiveItem,
    ProactivePublication,
    ProactiveState,
)
from fazhi.matters.selectors import proactive as proactive_selectors
from fazhi.matters.services import proactive as proactive_services
from fazhi.matters.steps import home_organisation


class PublicationSerializer(serializers.ModelSerializer[ProactivePublication]):
    class Meta:
        model = ProactivePublication
        fields = ["version", "published_on", "channel", "location", "on_time"]


class ProactiveSerializer(serializers.ModelSerializer[ProactiveItem]):
    publications = PublicationSerializer(many=True, read_only=True)

    class Meta:
        model = ProactiveItem
        fields = [
            "id",
            "organisation",
            "title",
            "category",
            "made_on",
            "change_note",
            "state",
            "version",
            "publications",
        ]


class RegisterBody(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200)
    made_on = params.DateField()
    category = serializers.ChoiceField(ProactiveCategory.choices, default=ProactiveCategory.OTHER)


class PublishBody(serializers.Serializer[Any]):
    on = params.DateField()
    channel = serializers.CharField(max_length=100)
    location = serializers.CharField(max_length=300, required=False, allow_blank=True)


class ChangeBody(serializers.Serializer[Any]):
    changed_on = params.DateField()
    note = serializers.CharField(max_length=200)


def _body(cls: type[serializers.Serializer[Any]], request: Request) -> dict[str, Any]:
    body = cls(data=request.data)
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


class ProactiveListView(PaginatedView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        parameters=[
            params.choice_parameter("state", ProactiveState.values),
            params.bool_parameter("overdue"),
        ],
        responses=ProactiveSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request, Cap.MATTER_VIEW, action=MatterEvent.LISTED)
        q = request.query_params
        items = proactive_selectors.proactive_list(
            user=user,
            state=params.choice(q, "state", ProactiveState.values),
            overdue=bool(params.boolean(q, "overdue")),
        )
        return self.paginated(items, ProactiveSerializer)

    @extend_schema(request=RegisterBody, responses={201: ProactiveSerializer})
    def post(self, request: Request) -> Response:
        user = acting_user(request, Cap.MATTER_HANDLE, action=MatterEvent.PROACTIVE_REGISTERED)
        item = proactive_services.proactive_register(
            actor=user, organisation=home_organisation(user), **_body(RegisterBody, request)
        )
        return Response(ProactiveSerializer(item).data, status=status.HTTP_201_CREATED)


class ProactivePublishView(APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(request=PublishBody, responses=ProactiveSerializer)
    def post(self, request: Request, proactive_id: int) -> Response:
        user = acting_user(request, Cap.MATTER_HANDLE, action=MatterEvent.PROACTIVE_PUBLISHED)
        item = proactive_selectors.proactive_get(user=user, proactive_id=proactive_id)
        proactive_services.proactive_publish(actor=user, item=item, **_body(PublishBody, request))
        return Response(
            ProactiveSerializer(
                proactive_selectors.proactive_get(user=user, proactive_id=proactive_id)
            ).data
        )


class ProactiveChangeView(APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(request=ChangeBody, responses=ProactiveSerializer)
    def post(self, request: Request, proactive_id: int) -> Response:
        user = acting_user(request, Cap.MATTER_HANDLE, action=MatterEvent.PROACTIVE_CHANGED)
        item = proactive_selectors.proactive_get(user=user, proactive_id=proactive_id)
        proactive_services.proactive_change(actor=user, item=item, **_body(ChangeBody, request))
        return Response(
            ProactiveSerializer(
                proactive_selectors.proactive_get(user=user, proactive_id=proactive_id)
            ).data
        )


urlpatterns = [
    path("proactive/", ProactiveListView.as_view(), name="matters-proactive"),
    path(
        "proactive/<id:proactive_id>/publish/",
        ProactivePublishView.as_view(),
        name="matters-proactive-publish",
    ),
    path(
        "proactive/<id:proactive_id>/change/",
        ProactiveChangeView.as_view(),
        name="matters-proactive-change",
    ),
]
