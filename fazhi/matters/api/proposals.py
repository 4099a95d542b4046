"""API: deputies' suggestions and CPPCC proposals: the list, registration of an assigned one and
the year's figures. Their detail and steps are the shared matter endpoints
(``/api/matters/<id>/``, ``/api/matters/<id>/reply/`` …)."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fazhi.core import clock, params
from fazhi.core.access import acting_user
from fazhi.core.pagination import PaginatedView
from fazhi.core.roles import Cap
from fazhi.matters.api.matters import MatterDetailSerializer, MatterSerializer
from fazhi.matters.events import MatterEvent
from fazhi.matters.models import PROPOSAL_KINDS, Category, Matter
from fazhi.matters.models_proposals import HandlingRole, ProposalDetail
from fazhi.matters.selectors import proposals as proposal_selectors
from fazhi.matters.services import proposals as proposal_services
from fazhi.matters.steps import home_organisation
from fazhi.matters.workflows_proposals import ProposalState

KINDS = [str(k) for k in PROPOSAL_KINDS]


class ProposalDetailSerializer(serializers.ModelSerializer[ProposalDetail]):
    class Meta:
        model = ProposalDetail
        fields = [
            "reference",
            "session",
            "role",
            "assigned_on",
            "lead_unit",
            "co_units",
            "follow_ups",
        ]
        read_only_fields = fields


class ProposalSerializer(MatterSerializer):
    proposal = ProposalDetailSerializer(source="proposal_detail", read_only=True)

    class Meta(MatterSerializer.Meta):
        fields = [*MatterSerializer.Meta.fields, "proposal"]
        read_only_fields = fields


class ProposalBody(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=KINDS)
    reference = serializers.CharField(max_length=40)
    session = serializers.CharField(max_length=60, required=False, allow_blank=True)
    role = serializers.ChoiceField(choices=HandlingRole.choices)
    assigned_on = params.DateField()
    requester_kind = serializers.CharField(max_length=16)
    requester_name = serializers.CharField(max_length=100)
    headcount = serializers.IntegerField(min_value=1, max_value=1_000, default=1)
    lead_unit = serializers.CharField(max_length=100, required=False, allow_blank=True)
    co_units = serializers.CharField(max_length=300, required=False, allow_blank=True)
    title = serializers.CharField(max_length=200)
    content = serializers.CharField(max_length=20_000)
    category = serializers.ChoiceField(choices=Category.choices, default=Category.OTHER)


class ProposalFiguresSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="label")
    assigned = serializers.IntegerField()
    led = serializers.IntegerField()
    co_handled = serializers.IntegerField()
    answered = serializers.IntegerField()
    answered_rate = serializers.FloatField(allow_null=True)
    on_time = serializers.IntegerField()
    opinions = serializers.IntegerField()
    by_class = serializers.DictField(child=serializers.IntegerField())
    satisfied = serializers.IntegerField()
    basic = serializers.IntegerField()
    unsatisfied = serializers.IntegerField()
    followed_up = serializers.IntegerField()


class ProposalListView(PaginatedView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        parameters=[
            params.choice_parameter("kind", KINDS),
            params.choice_parameter("state", ProposalState.values),
            params.choice_parameter("role", HandlingRole.values),
            params.year_parameter(),
        ],
        responses=ProposalSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request, Cap.MATTER_VIEW, action=MatterEvent.LISTED)
        q = request.query_params
        rows = proposal_selectors.proposal_list(
            user=user,
            kind=params.choice(q, "kind", KINDS),
            state=params.choice(q, "state", ProposalState.values),
            role=params.choice(q, "role", HandlingRole.values),
            year=params.year(q, "year"),
        )
        return self.paginated(rows, ProposalSerializer)

    @extend_schema(request=ProposalBody, responses={201: MatterDetailSerializer})
    def post(self, request: Request) -> Response:
        user = acting_user(request, Cap.MATTER_HANDLE, action=MatterEvent.RECEIVED)
        body = ProposalBody(data=request.data)
        body.is_valid(raise_exception=True)
        matter: Matter = proposal_services.proposal_register(
            actor=user, organisation=home_organisation(user), **body.validated_data
        )
        return Response(MatterDetailSerializer(matter).data, status=status.HTTP_201_CREATED)


class ProposalFiguresView(APIView):
    @extend_schema(
        parameters=[params.year_parameter()], responses=ProposalFiguresSerializer(many=True)
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request, Cap.MATTER_VIEW, action=MatterEvent.LISTED)
        year = params.year(request.query_params, "year", default=clock.this_year())
        assert year is not None
        figures = proposal_selectors.proposal_figures(user=user, year=year)
        return Response(ProposalFiguresSerializer(figures, many=True).data)


urlpatterns = [
    path("proposals/", ProposalListView.as_view(), name="matters-proposals"),
    path("proposals/figures/", ProposalFiguresView.as_view(), name="matters-proposal-figures"),
]
