"""API: case leads (案源)."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fazhi.core import params
from fazhi.core.access import acting_user
from fazhi.core.pagination import PaginatedView
from fazhi.core.roles import Cap
from fazhi.enforcement.events import CaseLeadEvent
from fazhi.enforcement.models import CaseLead, CaseLeadState
from fazhi.enforcement.selectors import leads as lead_selectors
from fazhi.enforcement.services import leads as lead_services


class CaseLeadSerializer(serializers.ModelSerializer[CaseLead]):
    entity_name = serializers.CharField(source="entity.name", read_only=True)

    class Meta:
        model = CaseLead
        fields = [
            "id",
            "organisation",
            "entity",
            "entity_name",
            "source",
            "source_task",
            "facts",
            "state",
            "created_by",
            "created_at",
            "decided_by",
            "decided_at",
            "dismissal_reason",
        ]
        read_only_fields = fields


class DismissSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=lead_services.REASON_MAX)


class CaseLeadListView(PaginatedView):
    @extend_schema(
        parameters=[params.choice_parameter("state", CaseLeadState.values)],
        responses=CaseLeadSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request, Cap.CASE_LEAD_VIEW, action=CaseLeadEvent.LISTED)
        state = params.choice(request.query_params, "state", CaseLeadState.values)
        return self.paginated(
            lead_selectors.case_lead_list(user=user, state=state), CaseLeadSerializer
        )


class CaseLeadDetailView(APIView):
    @extend_schema(responses=CaseLeadSerializer)
    def get(self, request: Request, lead_id: int) -> Response:
        user = acting_user(request, Cap.CASE_LEAD_VIEW, action=CaseLeadEvent.VIEWED)
        return Response(
            CaseLeadSerializer(lead_selectors.case_lead_get(user=user, lead_id=lead_id)).data
        )


class CaseLeadDismissView(APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(request=DismissSerializer, responses=CaseLeadSerializer)
    def post(self, request: Request, lead_id: int) -> Response:
        user = acting_user(request)
        lead = lead_selectors.case_lead_get(user=user, lead_id=lead_id)  # 404 outside scope first
        body = DismissSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        lead_services.case_lead_dismiss(actor=user, lead=lead, reason=body.validated_data["reason"])
        return Response(
            CaseLeadSerializer(lead_selectors.case_lead_get(user=user, lead_id=lead_id)).data
        )


urlpatterns = [
    path("leads/", CaseLeadListView.as_view(), name="enforcement-leads"),
    path("leads/<id:lead_id>/", CaseLeadDetailView.as_view(), name="enforcement-lead"),
    path(
        "leads/<id:lead_id>/dismiss/",
        CaseLeadDismissView.as_view(),
        name="enforcement-lead-dismiss",
    ),
]
