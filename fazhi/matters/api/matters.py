"""API: incoming matters (来件): list, detail with clocks and next steps, registration of
petitions and disclosure requests, every step of their tables, satisfaction."""

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
from fazhi.core.models import Deadline
from fazhi.core.pagination import PaginatedView
from fazhi.core.roles import Cap
from fazhi.matters.events import MatterEvent
from fazhi.matters.hotline_models import HotlineTicket
from fazhi.matters.models import (
    Category,
    Channel,
    Matter,
    MatterKind,
    MatterState,
    ReplyType,
    Route,
    Satisfaction,
    Urgency,
)
from fazhi.matters.selectors import matters as matter_selectors
from fazhi.matters.selectors import statistics as statistics_selectors
from fazhi.matters.services import disclosure as disclosure_services
from fazhi.matters.services import petitions as petition_services
from fazhi.matters.services.satisfaction import matter_record_satisfaction
from fazhi.matters.steps import ACTIONS, home_organisation, run_step
from fazhi.matters.workflows import workflow_of
from fazhi.registry.selectors.entities import entity_get


class MatterSerializer(serializers.ModelSerializer[Matter]):
    route = serializers.ChoiceField(Route.choices, allow_blank=True, read_only=True)
    reply_type = serializers.ChoiceField(ReplyType.choices, allow_blank=True, read_only=True)
    satisfaction = serializers.ChoiceField(Satisfaction.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Matter
        fields = [
            "id",
            "organisation",
            "kind",
            "channel",
            "submitted_on",
            "confirmed_on",
            "received_on",
            "requester_kind",
            "requester_name",
            "headcount",
            "title",
            "category",
            "urgency",
            "entity",
            "state",
            "accepted_on",
            "route",
            "routed_on",
            "case_lead",
            "inspection_task",
            "origin",
            "correction_requested_on",
            "corrected_on",
            "consultation_started_on",
            "consultation_ended_on",
            "reply_type",
            "reply_reason",
            "replied_on",
            "review_level",
            "closed_on",
            "satisfaction",
        ]
        read_only_fields = fields


class DeadlineBriefSerializer(serializers.ModelSerializer[Deadline]):
    class Meta:
        model = Deadline
        fields = ["id", "title", "rule_key", "start_date", "due_date", "state"]
        read_only_fields = fields


class TicketSerializer(serializers.ModelSerializer[HotlineTicket]):
    """A hotline ticket's platform facts (``ticket`` of a matter of kind ``hotline``)."""

    class Meta:
        model = HotlineTicket
        fields = [
            "platform",
            "ticket_no",
            "ticket_type",
            "called_at",
            "platform_due",
            "handling_unit",
            "returned_on",
            "return_reason",
            "callback_on",
            "callback_note",
        ]
        read_only_fields = fields


class MatterDetailSerializer(MatterSerializer):
    ticket = TicketSerializer(read_only=True, allow_null=True)
    content = serializers.CharField(read_only=True)
    reply_text = serializers.CharField(read_only=True)
    deadlines = serializers.SerializerMethodField()
    next_steps = serializers.SerializerMethodField()

    class Meta(MatterSerializer.Meta):
        fields = [
            *MatterSerializer.Meta.fields,
            "ticket",
            "content",
            "reply_text",
            "deadlines",
            "next_steps",
        ]
        read_only_fields = fields

    def get_deadlines(self, matter: Matter) -> list[dict[str, Any]]:
        rows = matter_selectors.matter_deadlines(matter=matter)
        return list(DeadlineBriefSerializer(rows, many=True).data)

    def get_next_steps(self, matter: Matter) -> list[str]:
        return [a.name for a in workflow_of(matter).available(matter)]


class PetitionBody(serializers.Serializer[Any]):
    channel = serializers.ChoiceField(choices=Channel.choices)
    received_on = params.DateField()
    requester_kind = serializers.CharField(max_length=16)
    requester_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    requester_contact = serializers.CharField(max_length=100, required=False, allow_blank=True)
    headcount = serializers.IntegerField(min_value=1, max_value=100_000, default=1)
    title = serializers.CharField(max_length=200)
    content = serializers.CharField(max_length=20_000)
    category = serializers.ChoiceField(choices=Category.choices, default=Category.OTHER)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    entity = params.IdField(required=False)


class DisclosureBody(serializers.Serializer[Any]):
    channel = serializers.ChoiceField(choices=Channel.choices)
    submitted_on = params.DateField()
    confirmed_on = params.DateField(required=False)
    requester_kind = serializers.CharField(max_length=16)
    requester_name = serializers.CharField(max_length=100)
    requester_contact = serializers.CharField(max_length=100, required=False, allow_blank=True)
    title = serializers.CharField(max_length=200)
    content = serializers.CharField(max_length=20_000)


class StepBody(serializers.Serializer[Any]):
    on = params.DateField(required=False)
    approved_by = params.IdField(required=False)
    approved_on = params.DateField(required=False)
    reason = serializers.CharField(max_length=2_000, required=False, allow_blank=True)
    route = serializers.CharField(max_length=16, required=False, allow_blank=True)
    note = serializers.CharField(max_length=2_000, required=False, allow_blank=True)
    reply_type = serializers.CharField(max_length=16, required=False, allow_blank=True)
    reply_text = serializers.CharField(max_length=20_000, required=False, allow_blank=True)
    items = serializers.CharField(max_length=2_000, required=False, allow_blank=True)
    third_party = serializers.CharField(max_length=200, required=False, allow_blank=True)
    satisfaction = serializers.CharField(max_length=16, required=False, allow_blank=True)
    entity = params.IdField(required=False)
    category = params.IdField(required=False)


class SatisfactionBody(serializers.Serializer[Any]):
    satisfaction = serializers.CharField(max_length=16)


def _detail(request: Request, matter_id: int) -> Response:
    user = acting_user(request, Cap.MATTER_VIEW, action=MatterEvent.VIEWED)
    matter = matter_selectors.matter_get(user=user, matter_id=matter_id)
    return Response(MatterDetailSerializer(matter).data)


class MatterListView(PaginatedView):
    @extend_schema(
        parameters=[
            params.choice_parameter("kind", MatterKind.values),
            params.choice_parameter("state", MatterState.values),
            params.choice_parameter("channel", Channel.values),
            params.year_parameter(),
        ],
        responses=MatterSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request, Cap.MATTER_VIEW, action=MatterEvent.LISTED)
        q = request.query_params
        matters = matter_selectors.matter_list(
            user=user,
            kind=params.choice(q, "kind", MatterKind.values),
            state=params.choice(q, "state", MatterState.values),
            channel=params.choice(q, "channel", Channel.values),
            year=params.year(q, "year"),
        )
        return self.paginated(matters, MatterSerializer)


class MatterDetailView(APIView):
    @extend_schema(responses=MatterDetailSerializer)
    def get(self, request: Request, matter_id: int) -> Response:
        return _detail(request, matter_id)


class PetitionCreateView(APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(request=PetitionBody, responses={201: MatterDetailSerializer})
    def post(self, request: Request) -> Response:
        user = acting_user(request, Cap.MATTER_HANDLE, action=MatterEvent.RECEIVED)
        body = PetitionBody(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        entity_id = data.pop("entity", None)
        matter = petition_services.petition_register(
            actor=user,
            organisation=home_organisation(user),
            entity=entity_get(user=user, entity_id=entity_id) if entity_id else None,
            **data,
        )
        return Response(MatterDetailSerializer(matter).data, status=status.HTTP_201_CREATED)


class DisclosureCreateView(APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(request=DisclosureBody, responses={201: MatterDetailSerializer})
    def post(self, request: Request) -> Response:
        user = acting_user(request, Cap.MATTER_HANDLE, action=MatterEvent.RECEIVED)
        body = DisclosureBody(data=request.data)
        body.is_valid(raise_exception=True)
        matter = disclosure_services.disclosure_register(
            actor=user, organisation=home_organisation(user), **body.validated_data
        )
        return Response(MatterDetailSerializer(matter).data, status=status.HTTP_201_CREATED)


class MatterStepView(APIView):
    parser_classes = [JSONParser, FormParser]
    action = ""

    @extend_schema(request=StepBody, responses=MatterDetailSerializer)
    def post(self, request: Request, matter_id: int) -> Response:
        user = acting_user(request, Cap.MATTER_HANDLE)
        matter = matter_selectors.matter_get(user=user, matter_id=matter_id)
        body = StepBody(data=request.data)
        body.is_valid(raise_exception=True)
        run_step(actor=user, matter=matter, action=self.action, data=body.validated_data)
        return _detail(request, matter_id)


class MatterSatisfactionView(APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(request=SatisfactionBody, responses=MatterDetailSerializer)
    def post(self, request: Request, matter_id: int) -> Response:
        user = acting_user(request, Cap.MATTER_HANDLE)
        matter = matter_selectors.matter_get(user=user, matter_id=matter_id)
        body = SatisfactionBody(data=request.data)
        body.is_valid(raise_exception=True)
        matter_record_satisfaction(
            actor=user, matter=matter, satisfaction=body.validated_data["satisfaction"]
        )
        return _detail(request, matter_id)


class StatisticsRowSerializer(serializers.Serializer[Any]):
    item = serializers.CharField(source="label")
    level = serializers.IntegerField()
    counts = serializers.ListField(child=serializers.IntegerField())


class DisclosureStatisticsView(APIView):
    @extend_schema(
        parameters=[params.year_parameter()], responses=StatisticsRowSerializer(many=True)
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request, Cap.MATTER_VIEW, action=MatterEvent.LISTED)
        year = params.year(request.query_params, "year", default=clock.this_year())
        assert year is not None
        rows = statistics_selectors.disclosure_statistics(user=user, year=year)
        return Response(StatisticsRowSerializer(rows, many=True).data)


urlpatterns = [
    path("", MatterListView.as_view(), name="matters"),
    path(
        "statistics/disclosure/",
        DisclosureStatisticsView.as_view(),
        name="matters-disclosure-statistics",
    ),
    path("petitions/", PetitionCreateView.as_view(), name="matters-petition-create"),
    path("disclosures/", DisclosureCreateView.as_view(), name="matters-disclosure-create"),
    path("<id:matter_id>/", MatterDetailView.as_view(), name="matter"),
    path(
        "<id:matter_id>/satisfaction/",
        MatterSatisfactionView.as_view(),
        name="matter-satisfaction",
    ),
    *[
        path(
            f"<id:matter_id>/{action}/",
            MatterStepView.as_view(action=action),
            name=f"matter-{action}",
        )
        for action in ACTIONS
    ],
]
